//! Retention (SPEC C11): personal data of a closed case is removed a configurable number of
//! months after closing — anonymised (the case stays countable, so the annual statistics do
//! not change) or deleted outright.
//!
//! Every purge is written to a ledger before its transaction commits: the `purges` table and
//! an append-only file in the data directory (`purge-ledger.jsonl`, case ids only). A
//! restore re-applies both, so an older backup cannot bring removed data back. Writing the
//! file first means a crash can at worst leave an entry for a case whose purge did not
//! commit — and that case was due anyway, so re-applying it is still right.

use crate::{
    audit::{self, AuditAction, Entry},
    stats::domain::age_on,
    store::{row, Conn, Db, Tx},
    web::fmt::copenhagen,
};
use anyhow::Context;
use jiff::{civil::Date, Timestamp};
use std::{
    collections::BTreeMap,
    io::{BufRead, Write},
    path::Path,
};

pub const LEDGER_FILE: &str = "purge-ledger.jsonl";
pub const MODES: &[&str] = &["anonymise", "delete"];
pub const MAX_MONTHS: i64 = 120;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub months: i64,
    pub mode: String,
}

pub async fn settings(conn: &mut Conn, org: &str) -> sqlx::Result<Option<Settings>> {
    let r = sqlx::query("SELECT retention_months, retention_mode FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?;
    r.map(|r| {
        Ok(Settings {
            months: row::i(&r, "retention_months")?,
            mode: row::s(&r, "retention_mode")?,
        })
    })
    .transpose()
}

pub async fn save_settings(conn: &mut Conn, org: &str, s: &Settings) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE organisations SET retention_months = $1, retention_mode = $2 WHERE id = $3",
    )
    .bind(s.months)
    .bind(&s.mode)
    .bind(org)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The last closing day whose cases are due at `today` with `months` of retention.
pub fn cutoff(today: Date, months: i64) -> Date {
    today
        .checked_sub(jiff::Span::new().months(months))
        .unwrap_or(Date::MIN)
}

fn append_ledger(path: &Path, case: &str, org: &str, mode: &str, at: i64) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write the purge ledger {}", path.display()))?;
    let line = serde_json::json!({"case": case, "org": org, "mode": mode, "at": at});
    writeln!(f, "{line}")?;
    f.sync_all()?;
    Ok(())
}

/// (case id → (org, mode)) from the ledger file; a missing file is an empty ledger.
pub fn read_ledger(path: &Path) -> anyhow::Result<BTreeMap<String, (String, String)>> {
    let mut out = BTreeMap::new();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
        let (Some(case), Some(org), Some(mode)) =
            (v["case"].as_str(), v["org"].as_str(), v["mode"].as_str())
        else {
            anyhow::bail!("{}:{}: not a ledger entry", path.display(), n + 1);
        };
        out.insert(case.to_string(), (org.to_string(), mode.to_string()));
    }
    Ok(out)
}

/// Removes the personal data of one case (and of its person, once none of their cases is
/// still kept). Idempotent: running it again, or on a case that is gone, changes nothing.
pub async fn purge_case(conn: &mut Conn, case: &str, mode: &str) -> sqlx::Result<()> {
    let Some(c) = sqlx::query("SELECT person_id, request_id FROM cases WHERE id = $1")
        .bind(case)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(());
    };
    let person = row::s(&c, "person_id")?;
    let request = row::os(&c, "request_id")?.unwrap_or_default();
    // Keep the child's age at each report (statistics' age bands) before the birth date goes.
    let reports = sqlx::query(
        "SELECT r.id, r.sent_on, p.birth_date FROM reports_of_concern r, persons p \
         WHERE r.case_id = $1 AND p.id = $2 AND r.child_age IS NULL",
    )
    .bind(case)
    .bind(&person)
    .fetch_all(&mut *conn)
    .await?;
    for r in &reports {
        let sent: Option<Date> = row::os(r, "sent_on")?.and_then(|d| d.parse().ok());
        let birth: Option<Date> = row::os(r, "birth_date")?.and_then(|d| d.parse().ok());
        if let (Some(s), Some(b)) = (sent, birth) {
            sqlx::query("UPDATE reports_of_concern SET child_age = $1 WHERE id = $2")
                .bind(age_on(b, s) as i64)
                .bind(row::s(r, "id")?)
                .execute(&mut *conn)
                .await?;
        }
    }
    let by_case = [
        "UPDATE reports_of_concern SET description_enc = NULL, child_name = NULL, child_birth_date = NULL, \
         cpr_enc = NULL, followup_enc = NULL WHERE case_id = $1",
        "DELETE FROM case_notes WHERE case_id = $1",
        "DELETE FROM case_exclusions WHERE case_id = $1",
        "DELETE FROM network_inquiries WHERE case_id = $1",
        "UPDATE case_events SET detail = NULL WHERE case_id = $1",
        "DELETE FROM letters WHERE case_id = $1",
        "DELETE FROM minsag_sessions WHERE link_id IN (SELECT id FROM minsag_links WHERE case_id = $1)",
        "DELETE FROM minsag_links WHERE case_id = $1",
        "DELETE FROM break_glass WHERE case_id = $1",
    ];
    for sql in by_case {
        sqlx::query(sql).bind(case).execute(&mut *conn).await?;
    }
    let by_request = [
        "UPDATE requests SET contact_name = NULL, contact_phone = NULL, contact_email = NULL, contact_org = NULL, \
         purpose = NULL, place_text = NULL, postcode = NULL, lat = NULL, lon = NULL, consent_note = NULL WHERE id = $1",
        "UPDATE request_events SET detail = NULL WHERE request_id = $1",
        "UPDATE referrals SET first_name = '', contact = NULL, contact_channel = NULL WHERE from_request_id = $1 OR to_request_id = $1",
        "UPDATE appointments SET place_text = NULL, lat = NULL, lon = NULL WHERE request_id = $1",
    ];
    for sql in by_request {
        sqlx::query(sql).bind(&request).execute(&mut *conn).await?;
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE c.person_id = $1 AND c.id <> $2 \
         AND NOT EXISTS (SELECT 1 FROM purges p WHERE p.case_id = c.id)",
    )
    .bind(&person)
    .bind(case)
    .fetch_one(&mut *conn)
    .await?;
    if others == 0 {
        purge_person(conn, &person).await?;
    }
    if mode == "delete" {
        delete_case(conn, case, &request, &person).await?;
    }
    Ok(())
}

async fn purge_person(conn: &mut Conn, person: &str) -> sqlx::Result<()> {
    let contact = sqlx::query("SELECT phone, email FROM persons WHERE id = $1")
        .bind(person)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(c) = contact {
        for addr in [row::os(&c, "phone")?, row::os(&c, "email")?]
            .into_iter()
            .flatten()
        {
            // Messages to the person (links, codes, reminders) hold their address.
            sqlx::query("DELETE FROM outbox WHERE recipient = $1")
                .bind(addr)
                .execute(&mut *conn)
                .await?;
        }
    }
    for sql in [
        "DELETE FROM conflicts WHERE person_id = $1",
        "UPDATE requests SET contact_name = NULL, contact_phone = NULL, contact_email = NULL, contact_org = NULL, \
         purpose = NULL, place_text = NULL, postcode = NULL, lat = NULL, lon = NULL, consent_note = NULL WHERE person_id = $1",
        "UPDATE persons SET first_name = '', last_name = NULL, birth_date = NULL, phone = NULL, email = NULL, \
         cpr_enc = NULL, safe_channel = NULL, safe_times = NULL, language = NULL WHERE id = $1",
    ] {
        sqlx::query(sql).bind(person).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Delete mode: the case's remaining rows go too (the statistics no longer count it).
async fn delete_case(conn: &mut Conn, case: &str, request: &str, person: &str) -> sqlx::Result<()> {
    for sql in [
        "DELETE FROM report_categories WHERE report_id IN (SELECT id FROM reports_of_concern WHERE case_id = $1)",
        "DELETE FROM reports_of_concern WHERE case_id = $1",
        "DELETE FROM case_events WHERE case_id = $1",
        "DELETE FROM case_decisions WHERE case_id = $1",
        "DELETE FROM case_exclusions WHERE case_id = $1",
        "DELETE FROM case_handovers WHERE case_id = $1",
        "DELETE FROM network_inquiries WHERE case_id = $1",
        "DELETE FROM appointments WHERE case_id = $1",
        "DELETE FROM cases WHERE id = $1",
    ] {
        sqlx::query(sql).bind(case).execute(&mut *conn).await?;
    }
    let still: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE request_id = $1")
        .bind(request)
        .fetch_one(&mut *conn)
        .await?;
    if still == 0 {
        for sql in [
            "DELETE FROM appointments WHERE request_id = $1",
            "DELETE FROM referrals WHERE from_request_id = $1 OR to_request_id = $1",
            "DELETE FROM offers WHERE request_id = $1",
            "DELETE FROM request_events WHERE request_id = $1",
            "DELETE FROM requests WHERE id = $1",
        ] {
            sqlx::query(sql).bind(request).execute(&mut *conn).await?;
        }
    }
    let refs: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM cases WHERE person_id = $1) + (SELECT COUNT(*) FROM requests WHERE person_id = $1)",
    )
    .bind(person)
    .fetch_one(&mut *conn)
    .await?;
    if refs == 0 {
        sqlx::query("DELETE FROM persons WHERE id = $1")
            .bind(person)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Purges every closed case whose retention has run out at `now`. Returns how many.
pub async fn run(db: &Db, now: Timestamp, ledger: Option<&Path>) -> anyhow::Result<usize> {
    let today = now.to_zoned(copenhagen()).date();
    let now_us = now.as_microsecond();
    let orgs = sqlx::query("SELECT id, retention_months, retention_mode FROM organisations")
        .fetch_all(&db.pool)
        .await?;
    let mut purged = 0;
    for o in &orgs {
        let org = row::s(o, "id")?;
        let mode = row::s(o, "retention_mode")?;
        let last_day = cutoff(today, row::i(o, "retention_months")?);
        let due: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT c.id, c.person_id FROM cases c WHERE c.org_id = $1 AND c.closed_on IS NOT NULL AND c.closed_on < $2 \
             AND NOT EXISTS (SELECT 1 FROM purges p WHERE p.case_id = c.id) ORDER BY c.closed_on LIMIT 500",
        )
        .bind(&org)
        .bind(last_day.to_string())
        .fetch_all(&db.pool)
        .await?;
        for (case, person) in due {
            let mut tx = db.begin().await?;
            purge_case(&mut tx, &case, &mode).await?;
            sqlx::query(
                "INSERT INTO purges (case_id, org_id, mode, purged_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&case)
            .bind(&org)
            .bind(&mode)
            .bind(now_us)
            .execute(&mut *tx)
            .await?;
            let entry = Entry {
                org_id: Some(&org),
                subject_person_id: person.as_deref(),
                ..Entry::by("system")
            };
            audit::record(
                &mut tx,
                now_us,
                AuditAction::DataPurged,
                entry.resource("case", &case).detail(&mode),
            )
            .await?;
            if let Some(path) = ledger {
                append_ledger(path, &case, &org, &mode, now_us)?;
            }
            tx.commit().await?;
            purged += 1;
        }
    }
    Ok(purged)
}

/// Inside a restore: applies every purge the backup's own `purges` table and the ledger
/// file know of, so removed data stays removed. Returns how many came from the file only.
pub async fn reapply(tx: &mut Tx, ledger: Option<&Path>, now_us: i64) -> anyhow::Result<usize> {
    let mut all: BTreeMap<String, (String, String)> = BTreeMap::new();
    let in_backup: Vec<(String, String, String)> =
        sqlx::query_as("SELECT case_id, org_id, mode FROM purges")
            .fetch_all(&mut **tx)
            .await?;
    for (case, org, mode) in in_backup {
        all.insert(case, (org, mode));
    }
    let from_file = match ledger {
        Some(p) => read_ledger(p)?,
        None => BTreeMap::new(),
    };
    let mut newer = 0;
    for (case, v) in from_file {
        if let std::collections::btree_map::Entry::Vacant(slot) = all.entry(case) {
            newer += 1;
            sqlx::query(
                "INSERT INTO purges (case_id, org_id, mode, purged_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(slot.key())
            .bind(&v.0)
            .bind(&v.1)
            .bind(now_us)
            .execute(&mut **tx)
            .await?;
            slot.insert(v);
        }
    }
    for (case, (_, mode)) in &all {
        purge_case(tx, case, mode).await?;
    }
    if newer > 0 {
        audit::record(
            tx,
            now_us,
            AuditAction::PurgeReapplied,
            Entry::by("system").detail(&newer.to_string()),
        )
        .await?;
    }
    Ok(newer)
}

/// The background job's step: purges due cases, writing the ledger in the data directory.
pub async fn tick(state: &crate::state::AppState) -> anyhow::Result<usize> {
    let ledger = state.config.data_dir.join(LEDGER_FILE);
    run(&state.db, state.clock.now(), Some(&ledger)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_whole_months_back_and_clamps_to_month_ends() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(cutoff(d("2028-04-05"), 24), d("2026-04-05"));
        assert_eq!(cutoff(d("2026-03-31"), 1), d("2026-02-28"));
    }

    #[test]
    fn the_ledger_file_round_trips_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LEDGER_FILE);
        assert!(read_ledger(&path).unwrap().is_empty());
        append_ledger(&path, "c1", "o1", "anonymise", 1).unwrap();
        append_ledger(&path, "c2", "o1", "delete", 2).unwrap();
        let l = read_ledger(&path).unwrap();
        assert_eq!(l.get("c2"), Some(&("o1".to_string(), "delete".to_string())));
        assert_eq!(l.len(), 2);
        std::fs::write(&path, "not json\n").unwrap();
        assert!(
            read_ledger(&path).is_err(),
            "a damaged ledger stops the restore"
        );
    }
}
