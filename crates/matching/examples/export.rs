//! Writes a generated instance as the integer program a reference solver needs (JSON on
//! standard output): every eligible pair with its cost, the pairs of requests one
//! person cannot both attend, case slots and weekly budgets.
//!
//! ```sh
//! CARGO_TARGET_DIR=/tmp/matching-target cargo run --release -p matching --example export --features gen -- scarce 300 250 2 > scarce.json
//! ```
//!
//! Arguments: `plentiful|scarce|dense`, requests, bisiddere, seed. The model: binary
//! `x[r][b]` for each edge; each request at most once; per bisidder at most `slots`
//! requests, at most one of each clashing pair, and per week at most `budget` minutes
//! of `work`; maximise the number assigned, then minimise the total cost.

use std::fmt::Write;

use matching::gen::{scenario, Params};
use matching::{clashes, cost, is_eligible};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (requests, bisiddere, seed) = (arg(1, 300), arg(2, 250), arg(3, 2) as u64);
    let params = match args.first().map(String::as_str) {
        Some("plentiful") => Params::plentiful(requests, bisiddere),
        Some("dense") => Params::dense(requests, bisiddere),
        _ => Params::scarce(requests, bisiddere),
    };
    let s = scenario(&params, seed);
    let mut out = String::new();
    let mut edges = Vec::new();
    for (ri, r) in s.requests.iter().enumerate() {
        for (bi, b) in s.pool.iter().enumerate() {
            if let Some(e) = is_eligible(b, r) {
                edges.push(format!("[{ri},{bi},{}]", cost(b, r, &e)));
            }
        }
    }
    let mut clashing = Vec::new();
    for (i, a) in s.requests.iter().enumerate() {
        for (j, b) in s.requests.iter().enumerate().skip(i + 1) {
            if clashes(&a.span, a.place, &b.span, b.place) {
                clashing.push(format!("[{i},{j}]"));
            }
        }
    }
    let slots: Vec<String> = s
        .pool
        .iter()
        .map(|b| b.free_case_slots().to_string())
        .collect();
    let work: Vec<String> = s
        .requests
        .iter()
        .map(|r| r.work_minutes.to_string())
        .collect();
    let week: Vec<String> = s.requests.iter().map(|r| r.week_key.to_string()).collect();
    let mut budget = Vec::new();
    let mut weeks: Vec<i64> = s.requests.iter().map(|r| r.week_key).collect();
    weeks.sort_unstable();
    weeks.dedup();
    for (bi, b) in s.pool.iter().enumerate() {
        for &w in &weeks {
            budget.push(format!(
                "[{bi},{w},{}]",
                b.max_minutes_per_week.saturating_sub(b.booked_minutes(w))
            ));
        }
    }
    let _ = write!(
        out,
        "{{\"requests\":{},\"bisiddere\":{},\"edges\":[{}],\"clashes\":[{}],\"slots\":[{}],\"work\":[{}],\"week\":[{}],\"budget\":[{}]}}",
        s.requests.len(),
        s.pool.len(),
        edges.join(","),
        clashing.join(","),
        slots.join(","),
        work.join(","),
        week.join(","),
        budget.join(",")
    );
    println!("{out}");
}
