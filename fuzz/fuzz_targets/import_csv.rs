//! The CSV templates (persons, cases, reports of concern; SPEC C12). The input is split on
//! NUL into up to three files. Properties: never a panic; an accepted set converts to one
//! JSON object per line with its origin; writing the converted records back as CSV (every
//! field quoted) and converting again gives the same JSON Lines (round trip); the JSONL
//! importer's checks run on the result without a panic.
#![cfg_attr(fuzzing, no_main)]

use bisidder::import::{csv::to_jsonl, domain::parse};
use serde_json::Value;
use std::collections::HashSet;

const NAMES: [&str; 3] = ["persons.csv", "cases.csv", "reports.csv"];

fn target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<(String, String)> = text
        .splitn(3, '\0')
        .zip(NAMES)
        .map(|(t, n)| (n.to_string(), t.to_string()))
        .collect();
    let Ok((jsonl, origin)) = to_jsonl("demo", &files) else {
        return;
    };
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).expect("each converted line is JSON"))
        .collect();
    assert_eq!(lines.len(), origin.len(), "one origin per line");
    assert!(origin
        .iter()
        .all(|(f, n)| NAMES.contains(&f.as_str()) && *n >= 2));

    let again = to_jsonl("demo", &rewrite(&lines)).expect("the rewritten CSV converts");
    assert_eq!(again.0, jsonl, "CSV → JSONL → CSV → JSONL round trip");

    let _ = parse(&jsonl, &HashSet::from(["demo".to_string()]));
}

/// The converted records as the three templates, every field quoted.
fn rewrite(lines: &[Value]) -> Vec<(String, String)> {
    let kinds: [(&str, &str, &[&str]); 3] = [
        (
            "person",
            "persons.csv",
            &["id", "gender", "birth_date", "kommune"],
        ),
        (
            "case",
            "cases.csv",
            &["id", "person", "authority", "opened_on", "closed_on"],
        ),
        (
            "report_of_concern",
            "reports.csv",
            &["id", "case", "sent_on", "categories"],
        ),
    ];
    let mut out = Vec::new();
    for (kind, name, cols) in kinds {
        let rows: Vec<&Value> = lines.iter().filter(|v| v["type"] == kind).collect();
        if rows.is_empty() {
            continue;
        }
        let mut text = cols.join(";") + "\r\n";
        for v in rows {
            let fields: Vec<String> = cols
                .iter()
                .map(|c| {
                    let s = match &v[*c] {
                        Value::String(s) => s.clone(),
                        Value::Array(a) => a
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join("|"),
                        _ => String::new(),
                    };
                    format!("\"{}\"", s.replace('"', "\"\""))
                })
                .collect();
            text.push_str(&fields.join(";"));
            text.push_str("\r\n");
        }
        out.push((name.to_string(), text));
    }
    out
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| target(data));

/// Without libFuzzer (`cargo run --bin import_csv -- SEEDS SECONDS`): the seeds, then mutated
/// seeds for a while — the quick run of every CI build (see `src/lib.rs`).
#[cfg(not(fuzzing))]
fn main() {
    bisidder_fuzz::replay("import_csv", target);
}
