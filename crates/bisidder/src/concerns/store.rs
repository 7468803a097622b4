//! SQL for reports of concern. Encrypted columns go in and out as stored.

use crate::store::{row, Conn};
use sqlx::any::AnyRow;

#[derive(Clone, Debug)]
pub struct ReportSummary {
    pub id: String,
    pub case_id: String,
    pub org_id: String,
    pub kommune_code: Option<String>,
    pub child_name: Option<String>,
    pub child_birth_date: Option<String>,
    pub acute: bool,
    pub sent_on: Option<String>,
    pub sent_how: Option<String>,
    pub ack_due_on: Option<String>,
    pub acknowledged_on: Option<String>,
    pub created_by_user_id: Option<String>,
    pub created_at: i64,
    pub categories: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ReportRow {
    pub summary: ReportSummary,
    pub description_enc: Option<String>,
    pub cpr_enc: Option<String>,
    pub followup_enc: Option<String>,
}

const REPORT: &str = "SELECT id, case_id, org_id, kommune_code, child_name, child_birth_date, acute, sent_on, sent_how, ack_due_on, \
    acknowledged_on, created_by_user_id, created_at, description_enc, cpr_enc, followup_enc FROM reports_of_concern";

fn report(r: &AnyRow) -> sqlx::Result<ReportRow> {
    Ok(ReportRow {
        summary: ReportSummary {
            id: row::s(r, "id")?,
            case_id: row::s(r, "case_id")?,
            org_id: row::s(r, "org_id")?,
            kommune_code: row::os(r, "kommune_code")?,
            child_name: row::os(r, "child_name")?,
            child_birth_date: row::os(r, "child_birth_date")?,
            acute: row::b(r, "acute")?,
            sent_on: row::os(r, "sent_on")?,
            sent_how: row::os(r, "sent_how")?,
            ack_due_on: row::os(r, "ack_due_on")?,
            acknowledged_on: row::os(r, "acknowledged_on")?,
            created_by_user_id: row::os(r, "created_by_user_id")?,
            created_at: row::i(r, "created_at")?,
            categories: Vec::new(),
        },
        description_enc: row::os(r, "description_enc")?,
        cpr_enc: row::os(r, "cpr_enc")?,
        followup_enc: row::os(r, "followup_enc")?,
    })
}

async fn categories(conn: &mut Conn, report: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT category FROM report_categories WHERE report_id = $1 ORDER BY category",
    )
    .bind(report)
    .fetch_all(&mut *conn)
    .await
}

/// The case's reports; only those filed by `author` when given.
pub async fn for_case(
    conn: &mut Conn,
    case: &str,
    author: Option<&str>,
) -> sqlx::Result<Vec<ReportSummary>> {
    let rows = sqlx::query(&format!(
        "{REPORT} WHERE case_id = $1 AND ($2 = '' OR created_by_user_id = $2) ORDER BY created_at, id"
    ))
    .bind(case)
    .bind(author.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let mut s = report(r)?.summary;
        s.categories = categories(conn, &s.id).await?;
        out.push(s);
    }
    Ok(out)
}

pub async fn get(conn: &mut Conn, org: &str, id: &str) -> sqlx::Result<Option<ReportRow>> {
    let Some(r) = sqlx::query(&format!("{REPORT} WHERE org_id = $1 AND id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut r = report(&r)?;
    r.summary.categories = categories(conn, &r.summary.id).await?;
    Ok(Some(r))
}

pub struct NewReport<'a> {
    pub id: &'a str,
    pub org: &'a str,
    pub case: &'a str,
    pub kommune: &'a str,
    pub child_name: &'a str,
    pub child_birth_date: &'a str,
    pub cpr_enc: Option<&'a str>,
    pub description_enc: &'a str,
    pub acute: bool,
    pub categories: &'a [String],
    pub by: &'a str,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, r: NewReport<'_>) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO reports_of_concern (id, org_id, case_id, kommune_code, child_name, child_birth_date, cpr_enc, \
         description_enc, acute, created_by_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(r.id)
        .bind(r.org)
        .bind(r.case)
        .bind(r.kommune)
        .bind(r.child_name)
        .bind(r.child_birth_date)
        .bind(r.cpr_enc)
        .bind(r.description_enc)
        .bind(i64::from(r.acute))
        .bind(r.by)
        .bind(r.now)
        .execute(&mut *conn)
        .await?;
    for c in r.categories {
        sqlx::query("INSERT INTO report_categories (report_id, category) VALUES ($1, $2)")
            .bind(r.id)
            .bind(c)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn mark_sent(
    conn: &mut Conn,
    id: &str,
    sent_on: &str,
    how: &str,
    ack_due_on: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE reports_of_concern SET sent_on = $1, sent_how = $2, ack_due_on = $3, ack_reminded_at = NULL WHERE id = $4")
        .bind(sent_on)
        .bind(how)
        .bind(ack_due_on)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn mark_acknowledged(conn: &mut Conn, id: &str, on: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE reports_of_concern SET acknowledged_on = $1 WHERE id = $2")
        .bind(on)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_followup(conn: &mut Conn, id: &str, enc: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE reports_of_concern SET followup_enc = $1 WHERE id = $2")
        .bind(enc)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
