//! A snapshot of every row of every table (the backed-up ones and the short-lived
//! secrets), to prove that a walk of requests changed nothing.

use bisidder::store::{backup, Db};
use sqlx::{Column, Row};
use std::collections::BTreeMap;

/// Session "touch" columns that a read may legitimately move.
const TOUCH_COLUMNS: &[&str] = &["last_seen_at"];

/// Derived tables a read may fill: the annual report keeps the grouped history of closed
/// years (counts only, rebuilt on first need; `stats::store::old_case_groups_cached`).
const DERIVED_TABLES: &[&str] = &["stats_history_cache", "stats_history_writes"];

pub type Snapshot = BTreeMap<String, Vec<String>>;

pub async fn snapshot(db: &Db) -> Snapshot {
    let mut out = BTreeMap::new();
    let tables = backup::TABLES
        .iter()
        .chain(backup::NOT_BACKED_UP.iter())
        .filter(|t| !t.starts_with('_'));
    for table in tables {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&db.pool)
            .await
            .unwrap();
        let mut lines: Vec<String> = rows
            .iter()
            .map(|r| {
                r.columns()
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !TOUCH_COLUMNS.contains(&c.name()))
                    .map(|(i, c)| format!("{}={}", c.name(), value(r, i)))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        lines.sort();
        out.insert(table.to_string(), lines);
    }
    out
}

fn value(r: &sqlx::any::AnyRow, i: usize) -> String {
    if let Ok(v) = r.try_get::<Option<String>, _>(i) {
        return format!("{v:?}");
    }
    if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
        return format!("{v:?}");
    }
    if let Ok(v) = r.try_get::<Option<f64>, _>(i) {
        return format!("{v:?}");
    }
    if let Ok(v) = r.try_get::<Option<Vec<u8>>, _>(i) {
        return format!("{v:?}");
    }
    "?".into()
}

/// Tables whose rows differ (added, removed or changed), with the first differences.
pub fn diff(before: &Snapshot, after: &Snapshot, ignore: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (table, rows) in before {
        if ignore.contains(&table.as_str()) || DERIVED_TABLES.contains(&table.as_str()) {
            continue;
        }
        let empty = Vec::new();
        let now = after.get(table).unwrap_or(&empty);
        if rows != now {
            let gone: Vec<_> = rows.iter().filter(|r| !now.contains(r)).take(2).collect();
            let new: Vec<_> = now.iter().filter(|r| !rows.contains(r)).take(2).collect();
            out.push(format!(
                "{table}: {} → {} rows; gone {gone:?}; new {new:?}",
                rows.len(),
                now.len()
            ));
        }
    }
    out
}
