//! The history import (SPEC §7): JSON Lines of organisations, persons, cases, reports of
//! concern and directory schemes (the directory scheme import). Properties: never a
//! panic; an accepted file yields one record per non-blank line, each within the rules
//! the importer promises; a refused file names only lines that exist, in order.
#![cfg_attr(fuzzing, no_main)]

use bisidder::import::domain::{parse, Record, CATEGORIES, GENDERS, ORG_KINDS};
use std::collections::HashSet;

fn target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let known = HashSet::from(["demo".to_string()]);
    match parse(text, &known) {
        Ok(records) => {
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
            assert_eq!(records.len(), lines, "every non-blank line is one record");
            for r in &records {
                check(r);
            }
        }
        Err(errors) => {
            let count = text.lines().count();
            assert!(!errors.is_empty());
            for w in errors.windows(2) {
                assert!(w[0].line < w[1].line, "errors in line order: {errors:?}");
            }
            for e in &errors {
                assert!(e.line >= 1 && e.line <= count, "line {} of {count}", e.line);
                assert!(!e.message.is_empty());
            }
        }
    }
}

fn id_ok(id: &str) {
    assert!(!id.trim().is_empty() && id.len() <= 200, "id {id:?}");
}

fn check(r: &Record) {
    match r {
        Record::Organisation { id, name, kind } => {
            id_ok(id);
            assert!(!name.trim().is_empty());
            assert!(ORG_KINDS.contains(&kind.as_str()));
        }
        Record::Person {
            id,
            gender,
            kommune,
            ..
        } => {
            id_ok(id);
            assert!(GENDERS.contains(&gender.as_str()));
            if let Some(k) = kommune {
                assert_eq!(k.len(), 4);
                assert!(geo::kommune(k).is_some(), "kommune {k:?}");
            }
        }
        Record::Case {
            id,
            authority,
            opened_on,
            closed_on,
            ..
        } => {
            id_ok(id);
            assert!(bisidder::intake::domain::AUTHORITIES.contains(&authority.as_str()));
            assert!(closed_on.is_none_or(|c| c >= *opened_on));
        }
        Record::Report { id, categories, .. } => {
            id_ok(id);
            assert!(categories.iter().all(|c| CATEGORIES.contains(&c.as_str())));
        }
        Record::Scheme { id, record, .. } => {
            id_ok(id);
            assert_eq!(record["type"], "scheme");
            // The profile the record describes applies again, as the import will do it.
            let mut s = bisidder::directory::service::blank("");
            bisidder::directory::profile::apply_record(&mut s, record)
                .expect("an accepted scheme applies");
            assert!(!s.name.trim().is_empty());
        }
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| target(data));

/// Without libFuzzer (`cargo run --bin import_jsonl -- SEEDS SECONDS`): the seeds, then mutated
/// seeds for a while — the quick run of every CI build (see `src/lib.rs`).
#[cfg(not(fuzzing))]
fn main() {
    bisidder_fuzz::replay("import_jsonl", target);
}
