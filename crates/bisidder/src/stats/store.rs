//! Loading an organisation's cases and reports of concern for the statistics. Civil dates
//! are stored as 'YYYY-MM-DD' text in Danish time already.
//!
//! Speed (SPEC §8: a year's report over a million cases in under a second). A row
//! through sqlx's `Any` driver costs microseconds — far more than the figures themselves
//! (about 0.1 µs a case) — so each query sends its records packed into one text value
//! with `string_agg` (SQLite ≥ 3.44 and PostgreSQL alike): fields separated by U+001F,
//! records by U+001E, list items by U+001D. Ids, codes and dates never hold these control
//! characters; a record that does not unpack is an error, never a silently wrong figure.
//! One value per query, not one per opening year: PostgreSQL's generic plan for a year's
//! slice scanned every case once per year. `tests/it/stats_store.rs` checks that the
//! figures equal those of a row-by-row reading; bench/README.md has the measurements.

use super::domain::{CaseGroup, CaseRec, ReportRec};
use crate::store::{Conn, Db};
use jiff::civil::Date;

const FIELD: char = '\u{1f}';
const RECORD: char = '\u{1e}';
const ITEM: char = '\u{1d}';

/// 'YYYY-MM-DD' (or anything else jiff reads as a date); `None` when it is no date.
fn date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0i16, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            if let Ok(date) = Date::new(y, m as i8, d as i8) {
                return Some(date);
            }
        }
    }
    s.parse().ok()
}

/// SQLite reads these scans' pages through a memory map instead of a system call and a
/// copy per page (which was 40 % of the report's time with the default 2 MB page cache);
/// the map is dropped afterwards, so the process does not keep the database's pages.
/// PostgreSQL reads through its own shared buffers.
async fn map_pages(conn: &mut Conn, on: bool) -> sqlx::Result<()> {
    if conn.backend_name() == "SQLite" {
        let sql = if on {
            "PRAGMA mmap_size = 2147418112"
        } else {
            "PRAGMA mmap_size = 0"
        };
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Runs one packed query with the pages mapped.
async fn packed<'q>(
    conn: &mut Conn,
    query: sqlx::query::QueryScalar<'q, sqlx::Any, Option<String>, sqlx::any::AnyArguments<'q>>,
) -> sqlx::Result<Option<String>> {
    map_pages(conn, true).await?;
    let result = query.fetch_one(&mut *conn).await;
    map_pages(conn, false).await?;
    result
}

fn unpack_error(what: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!(
        "statistics: a {what} record does not unpack (a control character in an id or code?)"
    ))
}

/// Every case of `org` opened on or before `until` (the statistics never look later).
///
/// Only what a figure of `until`'s year Y reads is sent: `id` is left empty (no figure
/// depends on it), and a case opened before Y−1 that was closed before Y counts only
/// towards the cumulative figure and its year's history (`domain::case_history`, which
/// disclosure control and the history chart read: dates and venue), so it comes with its
/// two dates and authority and an empty person — about four fifths of the cases of a
/// long history.
pub async fn cases(conn: &mut Conn, org: &str, until: &str) -> sqlx::Result<Vec<CaseRec>> {
    let Some(year) = date(until).map(|d| d.year()) else {
        return Err(sqlx::Error::Protocol(format!("{until:?} is not a date")));
    };
    let query = sqlx::query_scalar(
        "SELECT string_agg(CASE WHEN opened_on >= $3 OR closed_on IS NULL OR closed_on >= $4 \
             THEN opened_on || $5 || COALESCE(closed_on, '') || $5 || authority || $5 || person_id \
             ELSE opened_on || $5 || closed_on || $5 || authority END, $6) \
         FROM cases WHERE org_id = $1 AND opened_on <= $2",
    )
    .bind(org)
    .bind(until)
    .bind(format!("{:04}-01-01", year - 1))
    .bind(format!("{year:04}-01-01"))
    .bind(FIELD.to_string())
    .bind(RECORD.to_string());
    packed(conn, query)
        .await?
        .map_or(Ok(Vec::new()), |p| unpack_cases(&p))
}

/// SQL that is true when text column `col` looks like a date: ten characters from
/// '0000-01-01' up (the application and `bisidder import` only ever write YYYY-MM-DD, and
/// a text such as "ukendt" sorts after every date). Kept to comparisons an index can
/// serve: a check per character costs seconds over a million cases.
fn looks_like_date(col: &str) -> String {
    format!("(length({col}) = 10 AND {col} >= '0000-01-01')")
}

/// Cases opened before `year − 1` and closed (on a date) before `year`: a long
/// history's old cases, which only add to the cumulative figure and their years' history.
fn old_closed(year: i16) -> String {
    format!(
        "(opened_on < '{:04}-01-01' AND closed_on IS NOT NULL AND closed_on < '{year:04}-01-01' AND {} AND {})",
        year - 1,
        looks_like_date("opened_on"),
        looks_like_date("closed_on")
    )
}

/// The cases a figure of `year` needs one by one: every case opened by the end of the
/// year except the old closed ones, which `old_case_groups` counts.
pub async fn recent_cases(conn: &mut Conn, org: &str, year: i16) -> sqlx::Result<Vec<CaseRec>> {
    let sql = format!(
        "SELECT string_agg(opened_on || $3 || COALESCE(closed_on, '') || $3 || authority || $3 || person_id, $4) \
         FROM cases WHERE org_id = $1 AND opened_on <= $2 AND NOT {}",
        old_closed(year)
    );
    let query = sqlx::query_scalar(&sql)
        .bind(org)
        .bind(format!("{year:04}-12-31"))
        .bind(FIELD.to_string())
        .bind(RECORD.to_string());
    packed(conn, query)
        .await?
        .map_or(Ok(Vec::new()), |p| unpack_cases(&p))
}

/// How many old closed cases `year` has (see `recent_cases`): an index-only count.
pub async fn old_case_count(conn: &mut Conn, org: &str, year: i16) -> sqlx::Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM cases WHERE org_id = $1 AND {}",
        old_closed(year)
    );
    sqlx::query_scalar(&sql)
        .bind(org)
        .fetch_one(&mut *conn)
        .await
}

/// The old closed cases of `year` (see `recent_cases`) counted by opening year, closing
/// year and authority: a few hundred rows for a million cases.
pub async fn old_case_groups(
    conn: &mut Conn,
    org: &str,
    year: i16,
) -> sqlx::Result<Vec<CaseGroup>> {
    let sql = format!(
        "SELECT substr(opened_on, 1, 4) AS oy, substr(closed_on, 1, 4) AS cy, authority, COUNT(*) AS n \
         FROM cases WHERE org_id = $1 AND {} GROUP BY substr(opened_on, 1, 4), substr(closed_on, 1, 4), authority",
        old_closed(year)
    );
    let rows = sqlx::query(&sql).bind(org).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let year_of = |col: &str| -> sqlx::Result<i16> {
            crate::store::row::s(r, col)?
                .parse()
                .map_err(|_| unpack_error("case group"))
        };
        out.push(CaseGroup {
            opened_year: year_of("oy")?,
            closed_year: year_of("cy")?,
            authority: crate::store::row::s(r, "authority")?,
            count: crate::store::row::i(r, "n")?,
        });
    }
    Ok(out)
}

/// The cut-off a year's old closed cases are kept under in `stats_history_cache`.
fn closed_before(year: i16) -> String {
    format!("{year:04}-01-01")
}

fn encode_groups(groups: &[CaseGroup]) -> String {
    serde_json::Value::Array(
        groups
            .iter()
            .map(|g| serde_json::json!([g.opened_year, g.closed_year, g.authority, g.count]))
            .collect(),
    )
    .to_string()
}

fn decode_groups(text: &str) -> Option<Vec<CaseGroup>> {
    let rows: Vec<(i16, i16, String, i64)> = serde_json::from_str(text).ok()?;
    Some(
        rows.into_iter()
            .map(|(opened_year, closed_year, authority, count)| CaseGroup {
                opened_year,
                closed_year,
                authority,
                count,
            })
            .collect(),
    )
}

/// `old_case_groups` as kept in `stats_history_cache` (migration 0009), or `None` when
/// they are not kept (never built, or a write to a case of that period dropped them).
pub async fn cached_case_groups(
    conn: &mut Conn,
    org: &str,
    year: i16,
) -> sqlx::Result<Option<Vec<CaseGroup>>> {
    let text: Option<String> = sqlx::query_scalar(
        "SELECT groups FROM stats_history_cache WHERE org_id = $1 AND closed_before = $2",
    )
    .bind(org)
    .bind(closed_before(year))
    .fetch_optional(&mut *conn)
    .await?;
    // A row that does not decode is built again (and replaced), never trusted.
    Ok(text.as_deref().and_then(decode_groups))
}

/// `old_case_groups`, from `stats_history_cache` when kept there, else read (the GROUP BY
/// over every old closed case: seconds for a national history) and kept.
///
/// The triggers on `cases` (migration 0009) drop a cut-off's row whenever a case that is
/// or was closed before it is written, and count the organisation's such writes. A write
/// that commits while the groups are read would miss the row that is not stored yet, so
/// the groups are stored only if that count is what it was before reading — checked under
/// a lock that waits for writes in flight (SQLite: the write lock; PostgreSQL: the
/// organisation's counter row, which every such write updates).
pub async fn old_case_groups_cached(
    db: &Db,
    org: &str,
    year: i16,
    now_us: i64,
) -> sqlx::Result<Vec<CaseGroup>> {
    let mut conn = db.pool.acquire().await?;
    if let Some(groups) = cached_case_groups(&mut conn, org, year).await? {
        return Ok(groups);
    }
    let writes: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(writes), 0) FROM stats_history_writes WHERE org_id = $1",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await?;
    let groups = old_case_groups(&mut conn, org, year).await?;
    drop(conn);
    let mut tx = db.begin().await?;
    let now: i64 = sqlx::query_scalar(
        "INSERT INTO stats_history_writes (org_id, writes) VALUES ($1, 0) \
         ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes RETURNING writes",
    )
    .bind(org)
    .fetch_one(&mut *tx)
    .await?;
    if now == writes {
        sqlx::query(
            "INSERT INTO stats_history_cache (org_id, closed_before, groups, built_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, closed_before) DO UPDATE SET groups = excluded.groups, built_at = excluded.built_at",
        )
        .bind(org)
        .bind(closed_before(year))
        .bind(encode_groups(&groups))
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(groups)
}

fn unpack_cases(packed: &str) -> sqlx::Result<Vec<CaseRec>> {
    let mut out = Vec::with_capacity(packed.matches(RECORD).count() + 1);
    for record in packed.split(RECORD) {
        let mut f = record.split(FIELD);
        let (Some(opened), Some(closed)) = (f.next(), f.next()) else {
            return Err(unpack_error("case"));
        };
        let (authority, person_id) = match (f.next(), f.next(), f.next()) {
            (Some(a), None, None) => (a.to_owned(), String::new()),
            (Some(a), Some(p), None) => (a.to_owned(), p.to_owned()),
            _ => return Err(unpack_error("case")),
        };
        let Some(opened_on) = date(opened) else {
            continue;
        };
        out.push(CaseRec {
            id: String::new(),
            person_id,
            authority,
            opened_on,
            closed_on: date(closed),
        });
    }
    Ok(out)
}

/// Reports of concern of `org` sent in [from, to] with the child's gender, birth date and
/// the problem categories.
pub async fn reports(
    conn: &mut Conn,
    org: &str,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<ReportRec>> {
    let query = sqlx::query_scalar(
        "SELECT string_agg(r.id || $4 || r.case_id || $4 || r.sent_on || $4 || p.gender || $4 \
             || COALESCE(p.birth_date, '') || $4 || COALESCE(CAST(r.child_age AS TEXT), '') || $4 \
             || COALESCE((SELECT string_agg(k.category, $6) FROM report_categories k WHERE k.report_id = r.id), ''), $5) \
         FROM reports_of_concern r JOIN cases c ON c.id = r.case_id JOIN persons p ON p.id = c.person_id \
         WHERE r.org_id = $1 AND r.sent_on >= $2 AND r.sent_on <= $3",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .bind(FIELD.to_string())
    .bind(RECORD.to_string())
    .bind(ITEM.to_string());
    let Some(packed) = packed(conn, query).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(packed.matches(RECORD).count() + 1);
    for record in packed.split(RECORD) {
        let f: Vec<&str> = record.splitn(8, FIELD).collect();
        let [id, case_id, sent_on, gender, birth_date, child_age, categories] = f[..] else {
            return Err(unpack_error("report of concern"));
        };
        let sent_on = date(sent_on);
        // After retention removed the birth date, the age kept at the purge stands in for it.
        let birth_date = date(birth_date).or_else(|| {
            let age: i16 = child_age.parse().ok()?;
            sent_on?.checked_sub(jiff::Span::new().years(age)).ok()
        });
        out.push(ReportRec {
            id: id.to_owned(),
            case_id: case_id.to_owned(),
            sent_on,
            gender: gender.to_owned(),
            birth_date,
            categories: if categories.is_empty() {
                Vec::new()
            } else {
                categories.split(ITEM).map(str::to_owned).collect()
            },
        });
    }
    Ok(out)
}

/// The organisation's slug (for the import command shown to its admins).
pub async fn org_slug(conn: &mut Conn, org: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT slug FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_optional(&mut *conn)
        .await
}
