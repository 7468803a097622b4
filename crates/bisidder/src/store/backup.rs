//! Portable online backup and restore, the same for SQLite and PostgreSQL.
//!
//! `backup` reads every table inside one snapshot transaction (SQLite: a read transaction
//! in WAL mode; PostgreSQL: REPEATABLE READ), so it is consistent while writers carry on,
//! and writes JSON Lines: a header, then one line per row. `restore` loads such a file into
//! an empty, migrated database in one transaction — all or nothing — and verifies the audit
//! chain before it commits. Sessions and reset links are not backed up: a restored system
//! starts with everyone signed out.

use super::{Backend, Db};
use anyhow::{bail, Context};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use sqlx::{any::AnyRow, Column, Row};
use std::{
    collections::HashMap,
    io::{BufRead, BufWriter, Write},
    path::Path,
};

pub const FORMAT: &str = "bisidder-backup-1";

/// Tables in an order that satisfies foreign keys on restore.
pub const TABLES: &[&str] = &[
    "organisations",
    "users",
    "memberships",
    "api_tokens",
    "audit_log",
    "audit_head",
    "outbox",
    "persons",
    "bisidder_profiles",
    "availability",
    "requests",
    "cases",
    "reports_of_concern",
    "report_categories",
    "case_notes",
    "request_events",
    "offers",
    "appointments",
    "absences",
    "conflicts",
    "volunteer_applications",
    "org_requirements",
    "qualifications",
    "ambassadors",
    "minsag_links",
    "letters",
    "feedback",
    "break_glass",
    "purges",
    "case_events",
    "case_decisions",
    "case_exclusions",
    "case_handovers",
    "network_inquiries",
    "schemes",
    "referrals",
];

/// Tables deliberately left out (short-lived secrets, caches) — and the migration bookkeeping.
pub const NOT_BACKED_UP: &[&str] = &[
    "sessions",
    "password_resets",
    "minsag_sessions",
    // Counts the annual report keeps so as not to read ten years of closed cases each
    // time (migration 0009); built again on first need, and kept right by triggers on
    // `cases` that a restore fires as it loads them.
    "stats_history_cache",
    "stats_history_writes",
    "_sqlx_migrations",
];

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: usize,
    pub rows: u64,
}

pub(crate) fn value_of(row: &AnyRow, i: usize) -> anyhow::Result<Value> {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Ok(v.map(Value::from).unwrap_or(Value::Null));
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return Ok(v.map(|f| json!(f)).unwrap_or(Value::Null));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return Ok(v.map(Value::from).unwrap_or(Value::Null));
    }
    bail!(
        "column {} has a type the backup cannot hold",
        row.column(i).name()
    )
}

pub async fn backup(db: &Db, path: &Path, created_at_us: i64) -> anyhow::Result<Summary> {
    let tmp = path.with_extension("partial");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut out = BufWriter::new(file);
    let header = json!({"format": FORMAT, "schema": Db::schema_version(), "created_at": created_at_us, "tables": TABLES});
    writeln!(out, "{header}")?;
    let mut tx = db.begin_snapshot().await?;
    let mut summary = Summary {
        tables: TABLES.len(),
        rows: 0,
    };
    for table in TABLES {
        let sql = format!("SELECT * FROM {table}");
        let mut rows = sqlx::query(&sql).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            let mut obj = serde_json::Map::new();
            for (i, c) in row.columns().iter().enumerate() {
                obj.insert(c.name().to_string(), value_of(&row, i)?);
            }
            writeln!(out, "{}", json!({"t": table, "r": obj}))?;
            summary.rows += 1;
        }
    }
    tx.commit().await?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(summary)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() => "int",
        Value::Number(_) => "float",
        Value::String(_) => "text",
        _ => "other",
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Real,
    Text,
}

async fn column_kinds(db: &Db, table: &str) -> anyhow::Result<HashMap<String, Kind>> {
    let rows: Vec<(String, String)> = match db.backend {
        Backend::Sqlite => sqlx::query(&format!("SELECT name, type FROM pragma_table_info('{table}')"))
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<sqlx::Result<_>>()?,
        Backend::Postgres => sqlx::query("SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = $1")
            .bind(table)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<sqlx::Result<_>>()?,
    };
    Ok(rows
        .into_iter()
        .map(|(name, ty)| {
            let ty = ty.to_uppercase();
            let kind = if ty.contains("INT") {
                Kind::Int
            } else if ty.contains("REAL") || ty.contains("DOUBLE") || ty.contains("FLOAT") {
                Kind::Real
            } else {
                Kind::Text
            };
            (name, kind)
        })
        .collect())
}

/// Restores `path` into `db`, which must be migrated and hold no organisations, users or
/// audit rows. Returns what was loaded.
pub async fn restore(db: &Db, path: &Path) -> anyhow::Result<Summary> {
    restore_with_ledger(db, path, None, jiff::Timestamp::now().as_microsecond()).await
}

/// [`restore`], then re-applies every purge recorded in the backup and in the `ledger`
/// file (privacy::retention), so data removed after the backup was taken stays removed.
pub async fn restore_with_ledger(
    db: &Db,
    path: &Path,
    ledger: Option<&Path>,
    now_us: i64,
) -> anyhow::Result<Summary> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = std::io::BufReader::new(file).lines();
    let header: Value = serde_json::from_str(&lines.next().context("the backup file is empty")??)
        .context("line 1: not a backup header")?;
    if header["format"] != FORMAT {
        bail!(
            "line 1: not a Bisidder backup (format {})",
            header["format"]
        );
    }
    if header["schema"].as_i64() != Some(Db::schema_version()) {
        bail!("the backup has schema {} but this program has schema {}; restore it with the matching version", header["schema"], Db::schema_version());
    }
    let populated: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM audit_log)")
        .fetch_one(&db.pool)
        .await?;
    if populated > 0 {
        bail!("the target database is not empty; restore into a new database");
    }
    let mut kinds: HashMap<&str, HashMap<String, Kind>> = HashMap::new();
    for t in TABLES {
        kinds.insert(t, column_kinds(db, t).await?);
    }
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM audit_head")
        .execute(&mut *tx)
        .await?;
    // Migration puts the directory's 2018 listings in every new database; the backup
    // holds them (claimed or not) as they were.
    sqlx::query("DELETE FROM schemes").execute(&mut *tx).await?;
    let mut summary = Summary {
        tables: TABLES.len(),
        rows: 0,
    };
    for (n, line) in lines.enumerate() {
        let line = line?;
        let lineno = n + 2;
        let v: Value =
            serde_json::from_str(&line).with_context(|| format!("line {lineno}: not JSON"))?;
        let table = v["t"]
            .as_str()
            .with_context(|| format!("line {lineno}: no table"))?;
        let table_kinds = TABLES
            .iter()
            .find(|t| **t == table)
            .and_then(|t| kinds.get(t))
            .with_context(|| format!("line {lineno}: unknown table {table}"))?;
        let obj = v["r"]
            .as_object()
            .with_context(|| format!("line {lineno}: no row"))?;
        let cols: Vec<&String> = obj.keys().collect();
        let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            cols.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for c in &cols {
            let kind = *table_kinds
                .get(c.as_str())
                .with_context(|| format!("line {lineno}: unknown column {table}.{c}"))?;
            let val = &obj[c.as_str()];
            q = match kind {
                Kind::Int => q.bind(val.as_i64()),
                Kind::Real => super::row::bind_f64(q, val.as_f64()),
                Kind::Text => q.bind(val.as_str().map(str::to_string)),
            };
        }
        q.execute(&mut *tx).await.with_context(|| {
            // Column names and JSON types only: the values may be personal data.
            let shape: Vec<String> = cols
                .iter()
                .map(|c| format!("{c}:{}", json_type(&obj[c.as_str()])))
                .collect();
            format!(
                "line {lineno}: cannot insert into {table} ({})",
                shape.join(", ")
            )
        })?;
        summary.rows += 1;
    }
    crate::privacy::retention::reapply(&mut tx, ledger, now_us).await?;
    if let crate::audit::Verdict::Broken { seq, why } = crate::audit::verify(&mut tx).await? {
        bail!("the backup's audit log does not verify at row {seq}: {why}; nothing was restored");
    }
    tx.commit().await?;
    Ok(summary)
}
