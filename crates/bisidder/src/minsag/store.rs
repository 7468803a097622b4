//! Min sag's SQL: links, codes, person sessions, and what a person's page shows.

use crate::store::{new_id, row, Conn};
use sqlx::any::AnyRow;

#[derive(Clone, Debug)]
pub struct Link {
    pub id: String,
    pub org_id: String,
    pub case_id: String,
    pub person_id: String,
    pub revoked_at: Option<i64>,
    pub code_hash: Option<String>,
    pub code_expires_at: Option<i64>,
    pub wrong_codes: i64,
    pub locked_until: i64,
    pub codes_sent: i64,
    pub codes_window_start: i64,
    pub feedback_given_at: Option<i64>,
    pub closed_on: Option<String>,
}

const LINK: &str = "SELECT l.id, l.org_id, l.case_id, l.person_id, l.revoked_at, l.code_hash, l.code_expires_at, \
    l.wrong_codes, l.locked_until, l.codes_sent, l.codes_window_start, l.feedback_given_at, c.closed_on \
    FROM minsag_links l JOIN cases c ON c.id = l.case_id";

fn link(r: &AnyRow) -> sqlx::Result<Link> {
    Ok(Link {
        id: row::s(r, "id")?,
        org_id: row::s(r, "org_id")?,
        case_id: row::s(r, "case_id")?,
        person_id: row::s(r, "person_id")?,
        revoked_at: row::oi(r, "revoked_at")?,
        code_hash: row::os(r, "code_hash")?,
        code_expires_at: row::oi(r, "code_expires_at")?,
        wrong_codes: row::i(r, "wrong_codes")?,
        locked_until: row::i(r, "locked_until")?,
        codes_sent: row::i(r, "codes_sent")?,
        codes_window_start: row::i(r, "codes_window_start")?,
        feedback_given_at: row::oi(r, "feedback_given_at")?,
        closed_on: row::os(r, "closed_on")?,
    })
}

pub async fn link_by_token_hash(conn: &mut Conn, hash: &str) -> sqlx::Result<Option<Link>> {
    sqlx::query(&format!("{LINK} WHERE l.token_hash = $1"))
        .bind(hash)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(link)
        .transpose()
}

pub async fn link_by_id(conn: &mut Conn, id: &str) -> sqlx::Result<Option<Link>> {
    sqlx::query(&format!("{LINK} WHERE l.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(link)
        .transpose()
}

/// A new link for the case; earlier links of the case stop working.
pub async fn replace_link(
    conn: &mut Conn,
    org: &str,
    case: &str,
    person: &str,
    token_hash: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<String> {
    sqlx::query(
        "UPDATE minsag_links SET revoked_at = $1 WHERE case_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(case)
    .execute(&mut *conn)
    .await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO minsag_links (id, org_id, case_id, person_id, token_hash, created_at, created_by_user_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(org)
    .bind(case)
    .bind(person)
    .bind(token_hash)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn set_code(
    conn: &mut Conn,
    link: &str,
    hash: &str,
    expires: i64,
    window: (i64, i64),
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE minsag_links SET code_hash = $1, code_expires_at = $2, codes_window_start = $3, codes_sent = $4 WHERE id = $5",
    )
    .bind(hash)
    .bind(expires)
    .bind(window.0)
    .bind(window.1)
    .bind(link)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts a wrong code; at the limit the link locks and the current code is void.
pub async fn wrong_code(conn: &mut Conn, link: &str, lock_until: Option<i64>) -> sqlx::Result<()> {
    match lock_until {
        None => sqlx::query("UPDATE minsag_links SET wrong_codes = wrong_codes + 1 WHERE id = $1")
            .bind(link)
            .execute(&mut *conn)
            .await?,
        Some(until) => sqlx::query(
            "UPDATE minsag_links SET wrong_codes = 0, locked_until = $1, code_hash = NULL WHERE id = $2",
        )
        .bind(until)
        .bind(link)
        .execute(&mut *conn)
        .await?,
    };
    Ok(())
}

/// Uses the code up. False when another request used it first (no replay).
pub async fn consume_code(conn: &mut Conn, link: &str, hash: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE minsag_links SET code_hash = NULL, code_expires_at = NULL, wrong_codes = 0 WHERE id = $1 AND code_hash = $2",
    )
    .bind(link)
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_session(
    conn: &mut Conn,
    id_hash: &str,
    link: &str,
    now: i64,
    expires: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO minsag_sessions (id_hash, link_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(id_hash)
        .bind(link)
        .bind(now)
        .bind(expires)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The link of a live session.
pub async fn session_link(
    conn: &mut Conn,
    id_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT link_id FROM minsag_sessions WHERE id_hash = $1 AND expires_at > $2")
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn end_session(conn: &mut Conn, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM minsag_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How to reach the person safely: (channel, address, their language code if given).
pub async fn safe_contact(
    conn: &mut Conn,
    person: &str,
) -> sqlx::Result<Option<(String, String, Option<String>)>> {
    let r = sqlx::query("SELECT phone, email, safe_channel, language FROM persons WHERE id = $1")
        .bind(person)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(r) = r else { return Ok(None) };
    let (phone, email) = (row::os(&r, "phone")?, row::os(&r, "email")?);
    let lang = row::os(&r, "language")?;
    let found = match row::os(&r, "safe_channel")?.as_deref() {
        Some("email") => email.map(|e| ("email".to_string(), e)),
        _ => phone
            .map(|p| ("sms".to_string(), p))
            .or(email.map(|e| ("email".to_string(), e))),
    };
    Ok(found.map(|(c, a)| (c, a, lang)))
}

/// The case a request became, in the organisation.
pub async fn case_of_request(
    conn: &mut Conn,
    org: &str,
    request: &str,
) -> sqlx::Result<Option<(String, String)>> {
    let r = sqlx::query("SELECT id, person_id FROM cases WHERE org_id = $1 AND request_id = $2 ORDER BY created_at DESC LIMIT 1")
        .bind(org)
        .bind(request)
        .fetch_optional(&mut *conn)
        .await?;
    r.map(|r| Ok((row::s(&r, "id")?, row::s(&r, "person_id")?)))
        .transpose()
}

#[derive(Clone, Debug)]
pub struct CaseView {
    pub bisidder_first_name: Option<String>,
    pub org_name: String,
    pub org_phone: Option<String>,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub consent_at: Option<i64>,
}

pub async fn case_view(conn: &mut Conn, case: &str) -> sqlx::Result<Option<CaseView>> {
    let r = sqlx::query(
        "SELECT u.name AS bisidder_name, o.name AS org_name, o.duty_phone, c.opened_on, c.closed_on, r.consent_at \
         FROM cases c JOIN organisations o ON o.id = c.org_id LEFT JOIN users u ON u.id = c.bisidder_user_id \
         LEFT JOIN requests r ON r.id = c.request_id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(CaseView {
            bisidder_first_name: row::os(&r, "bisidder_name")?
                .and_then(|n| n.split_whitespace().next().map(str::to_string)),
            org_name: row::s(&r, "org_name")?,
            org_phone: row::os(&r, "duty_phone")?,
            opened_on: row::s(&r, "opened_on")?,
            closed_on: row::os(&r, "closed_on")?,
            consent_at: row::oi(&r, "consent_at")?,
        })
    })
    .transpose()
}

#[derive(Clone, Debug)]
pub struct Meeting {
    pub kind: String,
    pub starts_at: i64,
    pub status: String,
}

/// The case's appointments in time order (from its request, which holds them).
pub async fn meetings(conn: &mut Conn, case: &str) -> sqlx::Result<Vec<Meeting>> {
    let rows = sqlx::query(
        "SELECT a.kind, a.starts_at, a.status FROM appointments a JOIN cases c ON c.request_id = a.request_id \
         WHERE c.id = $1 ORDER BY a.starts_at",
    )
    .bind(case)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Meeting {
                kind: row::s(r, "kind")?,
                starts_at: row::i(r, "starts_at")?,
                status: row::s(r, "status")?,
            })
        })
        .collect()
}

/// Who touched the person's data: (when, action code, the actor's roles in the organisation).
pub async fn lookups(
    conn: &mut Conn,
    person: &str,
) -> sqlx::Result<Vec<(i64, String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT a.at, a.action, (SELECT MIN(m.role) FROM memberships m WHERE m.user_id = a.actor_user_id AND m.org_id = a.org_id) AS role \
         FROM audit_log a WHERE a.subject_person_id = $1 AND a.actor_label IN ('user', 'api_token') AND a.outcome = 'ok' \
         ORDER BY a.seq DESC LIMIT 200",
    )
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((row::i(r, "at")?, row::s(r, "action")?, row::os(r, "role")?)))
        .collect()
}

pub async fn mark_feedback(conn: &mut Conn, link: &str, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE minsag_links SET feedback_given_at = $1 WHERE id = $2 AND feedback_given_at IS NULL",
    )
    .bind(now)
    .bind(link)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_feedback(
    conn: &mut Conn,
    org: &str,
    month: &str,
    helped: &str,
    quote: Option<&str>,
    consent: bool,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO feedback (id, org_id, month, helped, quote, quote_consent) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(org)
        .bind(month)
        .bind(helped)
        .bind(quote)
        .bind(consent as i64)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
