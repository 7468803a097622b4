//! The web benchmark's data: the demo dataset (`bisidder demo`'s, into a database made by
//! the normal start-up), then its children's organisation's history (requests, persons,
//! cases) cloned inside the database with `INSERT … SELECT` up to the wanted number of
//! requests — each copy shifted further back in time (spread over ten years before the
//! demo's own three), its ids suffixed `~k`, its open cases closed — plus the three
//! appointments (formøde, møde, eftermøde; held) of every history case. One organisation
//! holds it all: the worst case for its coordinator's pages, like the national organisation
//! of the annual-report benchmark. Faster than multi-row INSERTs from the client: the rows
//! never leave the database.

use anyhow::Context;
use bisidder::{
    auth::admin,
    demo,
    state::AppState,
    store::{Backend, Db},
};
use sqlx::Row;

const ORG: &str = "demo-bv";
const DAY_US: i64 = 86_400_000_000;
/// Copies are spread over this many days before the demo's own history.
const SPREAD_DAYS: i64 = 3650;

async fn exec(db: &Db, sql: &str) -> anyhow::Result<u64> {
    Ok(sqlx::query(sql)
        .execute(&db.pool)
        .await
        .with_context(|| sql.chars().take(300).collect::<String>())?
        .rows_affected())
}

async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&db.pool)
        .await?)
}

async fn columns(db: &Db, table: &str) -> anyhow::Result<Vec<String>> {
    let sql = match db.backend {
        Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::TEXT FROM information_schema.columns \
             WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&db.pool).await?;
    Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
}

/// A `YYYY-MM-DD` text column moved `days` (an SQL expression) back.
fn date_back(db: &Db, col: &str, days: &str) -> String {
    match db.backend {
        Backend::Sqlite => format!("date({col}, '-' || ({days}) || ' days')"),
        Backend::Postgres => {
            format!("to_char(({col})::date - ({days})::int, 'YYYY-MM-DD')")
        }
    }
}

/// `INSERT INTO table SELECT …` copying every column of the rows `x` of `from_where`,
/// with the expressions of `overrides` for the named columns and, for copy `s.k`: id
/// columns suffixed, timestamps (`*_at`) and dates moved back `s.k * step` days.
async fn clone_rows(
    db: &Db,
    table: &str,
    from_where: &str,
    step_days: i64,
    overrides: &[(&str, String)],
) -> anyhow::Result<u64> {
    let cols = columns(db, table).await?;
    let days = format!("s.k * {step_days}");
    let exprs: Vec<String> = cols
        .iter()
        .map(|c| {
            if let Some((_, e)) = overrides.iter().find(|(n, _)| n == c) {
                return e.clone();
            }
            match c.as_str() {
                "id" | "person_id" | "request_id" | "case_id" | "ref" | "duplicate_case_id" => {
                    format!("x.{c} || '~' || s.k")
                }
                "opened_on" | "closed_on" | "birth_date" | "sent_on" => {
                    date_back(db, &format!("x.{c}"), &days)
                }
                c if c.ends_with("_at") => format!("x.{c} - ({days}) * {DAY_US}"),
                c => format!("x.{c}"),
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {from_where}",
        cols.join(", "),
        exprs.join(", ")
    );
    exec(db, &sql).await
}

pub async fn seed(state: &AppState, requests: usize) -> anyhow::Result<serde_json::Value> {
    let db = &state.db;
    let t = std::time::Instant::now();
    demo::load(db, &state.crypto, state.clock.now()).await?;
    eprintln!("demo loaded in {:.1} s", t.elapsed().as_secs_f64());
    let org: String = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
        .bind(ORG)
        .fetch_one(&db.pool)
        .await?;
    let src = format!(
        "requests r WHERE r.org_id = '{org}' AND r.status = 'assigned' AND r.id NOT LIKE '%~%'"
    );
    let sources = count(db, &format!("SELECT COUNT(*) FROM {src}"))
        .await?
        .max(1) as usize;
    let have = count(db, "SELECT COUNT(*) FROM requests").await? as usize;
    let copies = requests.saturating_sub(have).div_ceil(sources);
    let step = (SPREAD_DAYS / copies.max(1) as i64).max(1);
    let ks = copies;
    let t = std::time::Instant::now();
    exec(db, "DROP TABLE IF EXISTS bench_k").await?;
    exec(db, "CREATE TABLE bench_k (k BIGINT NOT NULL)").await?;
    for chunk in (1..=ks).collect::<Vec<_>>().chunks(500) {
        let values: Vec<String> = chunk.iter().map(|k| format!("({k})")).collect();
        exec(
            db,
            &format!("INSERT INTO bench_k (k) VALUES {}", values.join(", ")),
        )
        .await?;
    }
    // Copies in chunks of about 100,000 requests (one transaction per statement).
    let per = (100_000 / sources).max(1);
    let mut lo = 1;
    while lo <= copies {
        let hi = (lo + per).min(copies + 1);
        let ks = format!("s.k >= {lo} AND s.k < {hi}");
        clone_rows(
            db,
            "persons",
            &format!(
                "persons x CROSS JOIN bench_k s WHERE {ks} AND x.id IN (SELECT r.person_id FROM {src})"
            ),
            step,
            &[],
        )
        .await?;
        clone_rows(
            db,
            "requests",
            &format!(
                "requests x CROSS JOIN bench_k s WHERE {ks} AND x.id IN (SELECT r.id FROM {src})"
            ),
            step,
            &[],
        )
        .await?;
        let closed = date_back(db, "x.opened_on", &format!("s.k * {step} - 90"));
        clone_rows(
            db,
            "cases",
            &format!(
                "cases x CROSS JOIN bench_k s WHERE {ks} AND x.request_id IN (SELECT r.id FROM {src})"
            ),
            step,
            &[
                (
                    "closed_on",
                    format!(
                        "COALESCE({}, {closed})",
                        date_back(db, "x.closed_on", &format!("s.k * {step}"))
                    ),
                ),
                (
                    "close_reason",
                    "COALESCE(x.close_reason, 'completed')".into(),
                ),
            ],
        )
        .await?;
        eprintln!("copies {lo}..{hi} of {copies}");
        lo = hi;
    }
    // The three appointments of every history case that has none.
    for (n, (kind, from_min, to_min)) in bisidder::scheduling::pool::PLAN.iter().enumerate() {
        exec(
            db,
            &format!(
                "INSERT INTO appointments (id, org_id, request_id, case_id, kind, starts_at, ends_at, \
                 place_text, bisidder_user_id, status, sequence, created_at, updated_at) \
                 SELECT c.id || '~a{n}', c.org_id, c.request_id, c.id, '{kind}', \
                 r.meeting_at + ({from_min}) * CAST(60000000 AS BIGINT), r.meeting_at + ({to_min}) * CAST(60000000 AS BIGINT), \
                 NULL, c.bisidder_user_id, 'held', 0, r.created_at, r.created_at \
                 FROM cases c JOIN requests r ON r.id = c.request_id \
                 WHERE c.org_id = '{org}' AND r.status = 'assigned' AND r.meeting_at IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.request_id = r.id AND a.kind = '{kind}')"
            ),
        )
        .await?;
    }
    exec(db, "DROP TABLE bench_k").await?;
    purged_already(state).await?;
    match db.backend {
        Backend::Sqlite => exec(db, "ANALYZE").await?,
        Backend::Postgres => exec(db, "VACUUM ANALYZE").await?,
    };
    eprintln!("scaled in {:.1} s", t.elapsed().as_secs_f64());
    let size: i64 = match db.backend {
        Backend::Sqlite => {
            count(
                db,
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            )
            .await?
        }
        Backend::Postgres => {
            count(db, "SELECT pg_database_size(current_database())::BIGINT").await?
        }
    };
    let now = state.clock.now_us();
    let case_id: String = sqlx::query_scalar(
        "SELECT c.id FROM cases c WHERE c.org_id = $1 AND c.closed_on IS NULL AND c.id NOT LIKE '%~%' \
         ORDER BY c.opened_on DESC, c.id LIMIT 1",
    )
    .bind(&org)
    .fetch_one(&db.pool)
    .await?;
    let token = |email: &'static str| async move {
        admin::create_token(db, now, email, ORG, "web benchmark")
            .await
            .map(|t| t.1)
    };
    Ok(serde_json::json!({
        "requests": count(db, "SELECT COUNT(*) FROM requests").await?,
        "persons": count(db, "SELECT COUNT(*) FROM persons").await?,
        "cases": count(db, "SELECT COUNT(*) FROM cases").await?,
        "appointments": count(db, "SELECT COUNT(*) FROM appointments").await?,
        "size_bytes": size,
        "case_id": case_id,
        "coordinator": "koordinator@demo.bisidder.dk",
        "password": demo::DEMO_PASSWORD,
        "requester_token": token("sagsbehandler@demo.bisidder.dk").await?,
        "bisidder_token": token("bisidder01@demo.bisidder.dk").await?,
    }))
}

/// Fresh offers for the accept-offer measurement, made just before it (so they do not
/// crowd the coordinator's queue while the pages are measured): requests waiting for the
/// demo bisidder's answer, meetings six hours apart from 30 days on (never double-booked).
/// Returns the offer ids.
pub async fn offers(state: &AppState, n: usize) -> anyhow::Result<Vec<String>> {
    let db = &state.db;
    let org: String = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
        .bind(ORG)
        .fetch_one(&db.pool)
        .await?;
    let src = format!(
        "requests r WHERE r.org_id = '{org}' AND r.status = 'assigned' AND r.id NOT LIKE '%~%'"
    );
    let tag = std::process::id();
    let bisidder_email = "bisidder01@demo.bisidder.dk";
    let bisidder: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(bisidder_email)
        .fetch_one(&db.pool)
        .await?;
    let now = state.clock.now_us();
    let template: String = sqlx::query_scalar(&format!(
        "SELECT r.id FROM {src} ORDER BY r.created_at DESC LIMIT 1"
    ))
    .fetch_one(&db.pool)
    .await?;
    let base = now + 30 * DAY_US;
    exec(db, "DROP TABLE IF EXISTS bench_k").await?;
    exec(db, "CREATE TABLE bench_k (k BIGINT NOT NULL)").await?;
    for chunk in (1..=n).collect::<Vec<_>>().chunks(500) {
        let values: Vec<String> = chunk.iter().map(|k| format!("({k})")).collect();
        exec(
            db,
            &format!("INSERT INTO bench_k (k) VALUES {}", values.join(", ")),
        )
        .await?;
    }
    clone_rows(
        db,
        "requests",
        &format!("requests x CROSS JOIN bench_k s WHERE s.k <= {n} AND x.id = '{template}'"),
        0,
        &[
            ("id", format!("x.id || '~o{tag}-' || s.k")),
            ("ref", "NULL".into()),
            ("status", "'offered'".into()),
            ("meeting_at", format!("{base} + s.k * 6 * 3600000000")),
            ("created_at", now.to_string()),
            ("consent_at", now.to_string()),
            ("assigned_at", "NULL".into()),
            ("deadline_at", "NULL".into()),
            ("escalated_at", "NULL".into()),
            ("bisidder_user_id", "NULL".into()),
            ("closed_reason", "NULL".into()),
            ("person_id", "x.person_id".into()),
            ("version", "0".into()),
        ],
    )
    .await?;
    exec(
        db,
        &format!(
            "INSERT INTO offers (id, org_id, request_id, bisidder_user_id, strategy, rank, status, created_at, expires_at) \
             SELECT 'bench-offer-{tag}-' || s.k, '{org}', '{template}~o{tag}-' || s.k, '{bisidder}', 'direct', 1, 'pending', {now}, NULL \
             FROM bench_k s WHERE s.k <= {n}"
        ),
    )
    .await?;
    exec(db, "DROP TABLE bench_k").await?;
    Ok((1..=n).map(|k| format!("bench-offer-{tag}-{k}")).collect())
}

/// What the retention job (`privacy::retention`) would have done all along: every case
/// closed before its organisation's retention cutoff is anonymised and has its `purges`
/// row. Done in bulk (set-based, like `purge_case`'s anonymise mode: the request's contact
/// and meeting details, the person's identity, timeline details, appointment places);
/// no per-case audit rows or ledger lines. Without it the server would spend its first
/// minutes purging a ten-year backlog no running installation has.
async fn purged_already(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    let now = state.clock.now_us();
    let cutoff = match db.backend {
        Backend::Sqlite => "date('now', '-' || o.retention_months || ' months')",
        Backend::Postgres => {
            "to_char(now() - make_interval(months => CAST(o.retention_months AS INT)), 'YYYY-MM-DD')"
        }
    };
    exec(
        db,
        &format!(
            "INSERT INTO purges (case_id, org_id, mode, purged_at) \
             SELECT c.id, c.org_id, o.retention_mode, {now} FROM cases c JOIN organisations o ON o.id = c.org_id \
             WHERE c.closed_on IS NOT NULL AND c.closed_on < {cutoff} \
             AND NOT EXISTS (SELECT 1 FROM purges p WHERE p.case_id = c.id)"
        ),
    )
    .await?;
    let purged_requests = "SELECT c.request_id FROM cases c JOIN purges p ON p.case_id = c.id";
    for sql in [
        format!("UPDATE requests SET contact_name = NULL, contact_phone = NULL, contact_email = NULL, contact_org = NULL, \
                 purpose = NULL, place_text = NULL, postcode = NULL, lat = NULL, lon = NULL, consent_note = NULL \
                 WHERE id IN ({purged_requests})"),
        format!("UPDATE request_events SET detail = NULL WHERE request_id IN ({purged_requests})"),
        format!("UPDATE appointments SET place_text = NULL, lat = NULL, lon = NULL WHERE request_id IN ({purged_requests})"),
        "UPDATE case_events SET detail = NULL WHERE case_id IN (SELECT case_id FROM purges)".to_string(),
        "UPDATE persons SET first_name = '', last_name = NULL, birth_date = NULL, phone = NULL, email = NULL, \
         cpr_enc = NULL, safe_channel = NULL, safe_times = NULL, language = NULL \
         WHERE id IN (SELECT c.person_id FROM cases c JOIN purges p ON p.case_id = c.id) \
         AND id NOT IN (SELECT c2.person_id FROM cases c2 WHERE c2.person_id IS NOT NULL \
         AND c2.id NOT IN (SELECT case_id FROM purges))"
            .to_string(),
    ] {
        exec(db, &sql).await?;
    }
    Ok(())
}
