//! Loading an organisation's cases and reports of concern for the statistics. Civil dates
//! are stored as 'YYYY-MM-DD' text in Danish time already.

use super::domain::{CaseRec, ReportRec};
use crate::store::{row, Conn};
use jiff::civil::Date;
use std::collections::HashMap;

fn date(s: Option<String>) -> Option<Date> {
    s.and_then(|s| s.parse().ok())
}

/// Every case of `org` opened on or before `until` (the statistics never look later).
pub async fn cases(conn: &mut Conn, org: &str, until: &str) -> sqlx::Result<Vec<CaseRec>> {
    let rows = sqlx::query("SELECT id, person_id, authority, opened_on, closed_on FROM cases WHERE org_id = $1 AND opened_on <= $2")
        .bind(org)
        .bind(until)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let Some(opened_on) = date(row::os(r, "opened_on")?) else {
            continue;
        };
        out.push(CaseRec {
            id: row::s(r, "id")?,
            person_id: row::s(r, "person_id")?,
            authority: row::s(r, "authority")?,
            opened_on,
            closed_on: date(row::os(r, "closed_on")?),
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
    let rows = sqlx::query(
        "SELECT r.id, r.case_id, r.sent_on, r.child_age, p.gender, p.birth_date FROM reports_of_concern r \
         JOIN cases c ON c.id = r.case_id JOIN persons p ON p.id = c.person_id \
         WHERE r.org_id = $1 AND r.sent_on >= $2 AND r.sent_on <= $3",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let cats = sqlx::query(
        "SELECT k.report_id, k.category FROM report_categories k JOIN reports_of_concern r ON r.id = k.report_id \
         WHERE r.org_id = $1 AND r.sent_on >= $2 AND r.sent_on <= $3",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_report: HashMap<String, Vec<String>> = HashMap::new();
    for c in &cats {
        by_report
            .entry(row::s(c, "report_id")?)
            .or_default()
            .push(row::s(c, "category")?);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = row::s(r, "id")?;
        let sent_on = date(row::os(r, "sent_on")?);
        // After retention removed the birth date, the age kept at the purge stands in for it.
        let birth_date = date(row::os(r, "birth_date")?).or_else(|| {
            let age = row::oi(r, "child_age").ok().flatten()?;
            sent_on?.checked_sub(jiff::Span::new().years(age)).ok()
        });
        out.push(ReportRec {
            categories: by_report.remove(&id).unwrap_or_default(),
            id,
            case_id: row::s(r, "case_id")?,
            sent_on,
            gender: row::s(r, "gender")?,
            birth_date,
        });
    }
    Ok(out)
}
