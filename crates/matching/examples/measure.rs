//! Prints the matching figures of SPEC §8 measured in one run:
//!
//! ```sh
//! CARGO_TARGET_DIR=/tmp/matching-target cargo run --release -p matching --example measure --features gen
//! ```
//!
//! Instances come from `matching::gen` with fixed seeds, so every run measures the same
//! problems; only the times vary with the machine.

use std::time::{Duration, Instant};

use matching::gen::{scenario, Params, Scenario};
use matching::{assign_batch, assign_online, exact, rank, BatchResult};

fn main() {
    rank_one_of_5000();
    println!();
    batch("plentiful", &scenario(&Params::plentiful(300, 3000), 1));
    println!();
    batch("scarce", &scenario(&Params::scarce(300, 250), 2));
    println!();
    exact_gaps();
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn rank_one_of_5000() {
    let s = scenario(&Params::plentiful(200, 5000), 3);
    // Warm up, then time each of the 200 requests 5 times.
    let mut candidates = 0;
    for r in &s.requests {
        candidates += rank(r, &s.pool).len();
    }
    let mut times = Vec::new();
    for _ in 0..5 {
        for r in &s.requests {
            let t = Instant::now();
            let ranked = rank(r, &s.pool);
            times.push(t.elapsed());
            std::hint::black_box(ranked);
        }
    }
    let max = times.iter().max().copied().unwrap_or_default();
    println!(
        "rank 1 request among 5,000 bisiddere: median {:.3} ms, max {:.3} ms over {} runs (mean {:.0} candidates)",
        ms(median(times.clone())),
        ms(max),
        times.len(),
        candidates as f64 / s.requests.len() as f64
    );
}

fn batch(name: &str, s: &Scenario) {
    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = assign_batch(&s.requests, &s.pool);
        times.push(t.elapsed());
        result = Some(r);
    }
    let Some(result) = result else { return };
    let t = Instant::now();
    let online = assign_online(&s.requests, &s.pool);
    let online_time = t.elapsed();
    println!(
        "batch {name}: {} requests × {} bisiddere: median {:.1} ms (min {:.1}, max {:.1}) over {} runs; online {:.1} ms",
        s.requests.len(),
        s.pool.len(),
        ms(median(times.clone())),
        ms(times.iter().min().copied().unwrap_or_default()),
        ms(times.iter().max().copied().unwrap_or_default()),
        times.len(),
        ms(online_time),
    );
    report("  batch ", &result);
    report("  online", &online);
    let no_one = result
        .unassigned
        .iter()
        .filter(|u| matches!(u.why, matching::Unmatched::NoEligibleBisidder { .. }))
        .count();
    println!(
        "  unassigned: {} with no eligible bisidder, {} with all eligible ones taken",
        no_one,
        result.unassigned.len() - no_one
    );
}

fn report(label: &str, r: &BatchResult) {
    let s = &r.summary;
    let bound = s
        .bound
        .map(|b| {
            format!(
                "; at most {} assignable; cost ≤ {:.2} % above optimum (bound {})",
                b.max_assignable,
                s.gap_bound_pct().unwrap_or(0.0),
                b.cost_lower_bound
            )
        })
        .unwrap_or_default();
    println!(
        "{label}: assigned {}/{} ({:.1} %), cost {}, travel {} min (mean {:.1}), continuity kept {}/{} possible ({} wanted), workload: {} bisiddere used, at most {} to one, load-share spread {:.1} pp{bound}",
        s.assigned,
        s.requests,
        s.fill_rate_pct(),
        s.total_cost,
        s.total_travel_minutes,
        s.total_travel_minutes as f64 / f64::from(s.assigned.max(1)),
        s.continuity_kept,
        s.continuity_possible,
        s.continuity_wanted,
        s.workload.bisiddere_used,
        s.workload.most_to_one,
        s.workload.load_share_spread_pct,
    );
}

/// The batch against an exhaustive search on small instances of three kinds, all
/// around one town drawn by population.
fn exact_gaps() {
    let families: [(&str, Params); 3] = [
        (
            "dense 16×5 (one day, 20 km)",
            Params {
                days: 1,
                radius_km: Some(20.0),
                max_open_cases: (2, 5),
                days_available: (4, 5),
                previous_share: 0.5,
                ..Params::dense(16, 5)
            },
        ),
        (
            "scarce 16×8 (two days, 40 km)",
            Params {
                days: 2,
                radius_km: Some(40.0),
                regions_without_bisiddere: Vec::new(),
                max_open_cases: (1, 3),
                ..Params::scarce(16, 8)
            },
        ),
        (
            "plentiful 15×20 (one day, 25 km)",
            Params {
                days: 1,
                radius_km: Some(25.0),
                ..Params::plentiful(15, 20)
            },
        ),
    ];
    for (name, params) in families {
        let instances = 500u64;
        let (mut same_count, mut optimal, mut worst, mut sum) = (0, 0, 0.0f64, 0.0);
        let mut worst_seed = 0;
        let t = Instant::now();
        for seed in 0..instances {
            let s = scenario(&params, 1000 + seed);
            let batch = assign_batch(&s.requests, &s.pool).summary;
            let best = exact::optimum(&s.requests, &s.pool);
            if batch.assigned != best.assigned {
                println!(
                    "  {name} seed {}: batch assigned {} of {}",
                    1000 + seed,
                    batch.assigned,
                    best.assigned
                );
                continue;
            }
            same_count += 1;
            let gap = if best.total_cost == 0 {
                0.0
            } else {
                100.0 * (batch.total_cost as f64 - best.total_cost as f64) / best.total_cost as f64
            };
            optimal += usize::from(batch.total_cost == best.total_cost);
            if gap > worst {
                worst = gap;
                worst_seed = 1000 + seed;
            }
            sum += gap;
        }
        println!(
            "exact check, {instances} {name} instances ({:.1} s): same number assigned in {same_count}, optimal cost in {optimal}; cost gap mean {:.3} %, worst {:.3} % (seed {worst_seed})",
            t.elapsed().as_secs_f64(),
            sum / f64::from(same_count.max(1)),
            worst,
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
