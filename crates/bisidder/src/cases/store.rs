//! SQL for case work: cases, their events, notes, appointment outcomes, decisions,
//! exclusions, handovers and network inquiries. Encrypted columns are passed in and out
//! as stored; the service encrypts and decrypts.

use crate::store::{new_id, row, Conn};
use sqlx::any::AnyRow;

#[derive(Clone, Debug)]
pub struct CaseRow {
    pub id: String,
    pub org_id: String,
    pub person_id: String,
    pub request_id: Option<String>,
    pub reference: Option<String>,
    pub bisidder_user_id: Option<String>,
    pub bisidder_name: Option<String>,
    pub authority: String,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub close_reason: Option<String>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
    pub kommune_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_channel: Option<String>,
}

const CASE: &str = "SELECT c.id, c.org_id, c.person_id, c.request_id, r.ref, c.bisidder_user_id, u.name AS bisidder_name, \
    c.authority, c.opened_on, c.closed_on, c.close_reason, p.first_name, p.last_name, p.birth_date, p.kommune_code, \
    p.phone, p.email, p.safe_channel \
    FROM cases c JOIN persons p ON p.id = c.person_id LEFT JOIN requests r ON r.id = c.request_id \
    LEFT JOIN users u ON u.id = c.bisidder_user_id";

fn case(r: &AnyRow) -> sqlx::Result<CaseRow> {
    Ok(CaseRow {
        id: row::s(r, "id")?,
        org_id: row::s(r, "org_id")?,
        person_id: row::s(r, "person_id")?,
        request_id: row::os(r, "request_id")?,
        reference: row::os(r, "ref")?,
        bisidder_user_id: row::os(r, "bisidder_user_id")?,
        bisidder_name: row::os(r, "bisidder_name")?,
        authority: row::s(r, "authority")?,
        opened_on: row::s(r, "opened_on")?,
        closed_on: row::os(r, "closed_on")?,
        close_reason: row::os(r, "close_reason")?,
        first_name: row::s(r, "first_name")?,
        last_name: row::os(r, "last_name")?,
        birth_date: row::os(r, "birth_date")?,
        kommune_code: row::os(r, "kommune_code")?,
        phone: row::os(r, "phone")?,
        email: row::os(r, "email")?,
        safe_channel: row::os(r, "safe_channel")?,
    })
}

pub async fn get_case(conn: &mut Conn, org: &str, id: &str) -> sqlx::Result<Option<CaseRow>> {
    sqlx::query(&format!("{CASE} WHERE c.org_id = $1 AND c.id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(case)
        .transpose()
}

/// The organisation's cases, or only `bisidder`'s; open ones first, newest first.
pub async fn list_cases(
    conn: &mut Conn,
    org: &str,
    bisidder: Option<&str>,
) -> sqlx::Result<Vec<CaseRow>> {
    let rows = sqlx::query(&format!(
        "{CASE} WHERE c.org_id = $1 AND ($2 = '' OR c.bisidder_user_id = $2) \
         ORDER BY CASE WHEN c.closed_on IS NULL THEN 0 ELSE 1 END, c.opened_on DESC, c.id DESC LIMIT 500"
    ))
    .bind(org)
    .bind(bisidder.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(case).collect()
}

pub struct Event<'a> {
    pub org: &'a str,
    pub case: &'a str,
    pub at: i64,
    pub actor_user_id: Option<&'a str>,
    pub kind: &'a str,
    pub detail: Option<&'a str>,
}

pub async fn insert_event(conn: &mut Conn, e: Event<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO case_events (id, org_id, case_id, at, actor_user_id, actor_label, kind, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(e.org)
    .bind(e.case)
    .bind(e.at)
    .bind(e.actor_user_id)
    .bind(if e.actor_user_id.is_some() { "user" } else { "system" })
    .bind(e.kind)
    .bind(e.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn events(
    conn: &mut Conn,
    case: &str,
) -> sqlx::Result<Vec<crate::intake::store::EventRow>> {
    let rows = sqlx::query(
        "SELECT e.at, COALESCE(u.name, e.actor_label) AS actor, e.kind, e.detail FROM case_events e \
         LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(case)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(crate::intake::store::EventRow {
                at: row::i(r, "at")?,
                actor: row::s(r, "actor")?,
                kind: row::s(r, "kind")?,
                detail: row::os(r, "detail")?,
            })
        })
        .collect()
}

// ---- notes ----

#[derive(Clone, Debug)]
pub struct NoteRow {
    pub id: String,
    pub author_user_id: String,
    pub author: String,
    pub shared: bool,
    pub body_enc: String,
    pub created_at: i64,
}

/// The notes `viewer` may read: their own, and — for coordinators — those shared with
/// the coordinator. Another author's private note is never selected.
pub async fn visible_notes(
    conn: &mut Conn,
    case: &str,
    viewer: &str,
    coordinator: bool,
) -> sqlx::Result<Vec<NoteRow>> {
    let rows = sqlx::query(
        "SELECT n.id, n.author_user_id, u.name, n.shared_with_coordinator, n.body_enc, n.created_at \
         FROM case_notes n JOIN users u ON u.id = n.author_user_id \
         WHERE n.case_id = $1 AND (n.author_user_id = $2 OR ($3 = 1 AND n.shared_with_coordinator = 1)) \
         ORDER BY n.created_at, n.id",
    )
    .bind(case)
    .bind(viewer)
    .bind(i64::from(coordinator))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoteRow {
                id: row::s(r, "id")?,
                author_user_id: row::s(r, "author_user_id")?,
                author: row::s(r, "name")?,
                shared: row::b(r, "shared_with_coordinator")?,
                body_enc: row::s(r, "body_enc")?,
                created_at: row::i(r, "created_at")?,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_note(
    conn: &mut Conn,
    id: &str,
    org: &str,
    case: &str,
    author: &str,
    shared: bool,
    body_enc: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO case_notes (id, org_id, case_id, author_user_id, shared_with_coordinator, body_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(org)
        .bind(case)
        .bind(author)
        .bind(i64::from(shared))
        .bind(body_enc)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- appointments ----

#[derive(Clone, Debug)]
pub struct CaseAppointment {
    pub id: String,
    pub request_id: String,
    pub case_id: Option<String>,
    pub kind: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place_text: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub landmass: Option<String>,
    pub bisidder_user_id: Option<String>,
    pub status: String,
    pub worked_minutes: Option<i64>,
    pub mileage_km: Option<i64>,
}

const APPT: &str = "SELECT id, request_id, case_id, kind, starts_at, ends_at, place_text, lat, lon, landmass, bisidder_user_id, status, \
    worked_minutes, mileage_km FROM appointments";

fn appt(r: &AnyRow) -> sqlx::Result<CaseAppointment> {
    Ok(CaseAppointment {
        id: row::s(r, "id")?,
        request_id: row::s(r, "request_id")?,
        case_id: row::os(r, "case_id")?,
        kind: row::s(r, "kind")?,
        starts_at: row::i(r, "starts_at")?,
        ends_at: row::i(r, "ends_at")?,
        place_text: row::os(r, "place_text")?,
        lat: sqlx::Row::try_get(r, "lat")?,
        lon: sqlx::Row::try_get(r, "lon")?,
        landmass: row::os(r, "landmass")?,
        bisidder_user_id: row::os(r, "bisidder_user_id")?,
        status: row::s(r, "status")?,
        worked_minutes: row::oi(r, "worked_minutes")?,
        mileage_km: row::oi(r, "mileage_km")?,
    })
}

pub async fn appointments(conn: &mut Conn, case: &str) -> sqlx::Result<Vec<CaseAppointment>> {
    let rows = sqlx::query(&format!("{APPT} WHERE case_id = $1 ORDER BY starts_at, id"))
        .bind(case)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(appt).collect()
}

pub async fn get_appointment(
    conn: &mut Conn,
    org: &str,
    id: &str,
) -> sqlx::Result<Option<CaseAppointment>> {
    sqlx::query(&format!("{APPT} WHERE org_id = $1 AND id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(appt)
        .transpose()
}

/// Records an outcome once: false when the appointment was no longer planned.
pub async fn set_outcome(
    conn: &mut Conn,
    id: &str,
    status: &str,
    minutes: Option<i64>,
    km: Option<i64>,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE appointments SET status = $1, worked_minutes = $2, mileage_km = $3, outcome_at = $4, \
         sequence = sequence + 1, updated_at = $4 WHERE id = $5 AND status = 'planned'")
        .bind(status)
        .bind(minutes)
        .bind(km)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn move_to_bisidder(
    conn: &mut Conn,
    appointment: &str,
    bisidder: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE appointments SET bisidder_user_id = $1, sequence = sequence + 1, updated_at = $2, reminded_at = NULL WHERE id = $3")
        .bind(bisidder)
        .bind(now)
        .bind(appointment)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- decisions, exclusions, handovers, closing ----

#[derive(Clone, Debug)]
pub struct DecisionRow {
    pub id: String,
    pub authority: String,
    pub kind: String,
    pub decided_on: Option<String>,
    pub received_on: String,
    pub deadline_on: Option<String>,
}

pub struct NewDecision<'a> {
    pub org: &'a str,
    pub case: &'a str,
    pub authority: &'a str,
    pub kind: &'a str,
    pub decided_on: Option<&'a str>,
    pub received_on: &'a str,
    pub deadline_on: Option<&'a str>,
    pub by: &'a str,
    pub now: i64,
}

pub async fn insert_decision(conn: &mut Conn, d: NewDecision<'_>) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO case_decisions (id, org_id, case_id, authority, kind, decided_on, received_on, deadline_on, created_by_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(&id)
        .bind(d.org)
        .bind(d.case)
        .bind(d.authority)
        .bind(d.kind)
        .bind(d.decided_on)
        .bind(d.received_on)
        .bind(d.deadline_on)
        .bind(d.by)
        .bind(d.now)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

pub async fn decisions(conn: &mut Conn, case: &str) -> sqlx::Result<Vec<DecisionRow>> {
    let rows = sqlx::query("SELECT id, authority, kind, decided_on, received_on, deadline_on FROM case_decisions WHERE case_id = $1 ORDER BY received_on, id")
        .bind(case)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DecisionRow {
                id: row::s(r, "id")?,
                authority: row::s(r, "authority")?,
                kind: row::s(r, "kind")?,
                decided_on: row::os(r, "decided_on")?,
                received_on: row::s(r, "received_on")?,
                deadline_on: row::os(r, "deadline_on")?,
            })
        })
        .collect()
}

#[derive(Clone, Debug)]
pub struct ExclusionRow {
    pub id: String,
    pub occurred_on: String,
    pub reason_enc: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_exclusion(
    conn: &mut Conn,
    id: &str,
    org: &str,
    case: &str,
    appointment: Option<&str>,
    occurred_on: &str,
    reason_enc: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO case_exclusions (id, org_id, case_id, appointment_id, occurred_on, reason_enc, created_by_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id)
        .bind(org)
        .bind(case)
        .bind(appointment)
        .bind(occurred_on)
        .bind(reason_enc)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn exclusions(conn: &mut Conn, case: &str) -> sqlx::Result<Vec<ExclusionRow>> {
    let rows = sqlx::query("SELECT id, occurred_on, reason_enc FROM case_exclusions WHERE case_id = $1 ORDER BY occurred_on, id")
        .bind(case)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ExclusionRow {
                id: row::s(r, "id")?,
                occurred_on: row::s(r, "occurred_on")?,
                reason_enc: row::s(r, "reason_enc")?,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn hand_over(
    conn: &mut Conn,
    org: &str,
    case: &str,
    request: Option<&str>,
    from: Option<&str>,
    to: &str,
    reason: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO case_handovers (id, org_id, case_id, from_user_id, to_user_id, reason, created_by_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(new_id())
        .bind(org)
        .bind(case)
        .bind(from)
        .bind(to)
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE cases SET bisidder_user_id = $1 WHERE id = $2")
        .bind(to)
        .bind(case)
        .execute(&mut *conn)
        .await?;
    if let Some(r) = request {
        sqlx::query(
            "UPDATE requests SET bisidder_user_id = $1, version = version + 1 WHERE id = $2",
        )
        .bind(to)
        .bind(r)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Closes an open case; false when it was already closed.
pub async fn close(conn: &mut Conn, case: &str, on: &str, reason: &str) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE cases SET closed_on = $1, close_reason = $2 WHERE id = $3 AND closed_on IS NULL",
    )
    .bind(on)
    .bind(reason)
    .bind(case)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Planned appointments of a closed case are cancelled.
pub async fn cancel_planned(conn: &mut Conn, case: &str, now: i64) -> sqlx::Result<u64> {
    let r = sqlx::query("UPDATE appointments SET status = 'cancelled', sequence = sequence + 1, updated_at = $1 WHERE case_id = $2 AND status = 'planned'")
        .bind(now)
        .bind(case)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected())
}

// ---- network inquiries ----

#[derive(Clone, Debug)]
pub struct InquiryRow {
    pub id: String,
    pub case_id: String,
    pub from_role: String,
    pub from_name: Option<String>,
    pub channel: String,
    pub question_enc: String,
    pub answer_enc: Option<String>,
    pub answered_at: Option<i64>,
    pub created_at: i64,
}

fn inquiry(r: &AnyRow) -> sqlx::Result<InquiryRow> {
    Ok(InquiryRow {
        id: row::s(r, "id")?,
        case_id: row::s(r, "case_id")?,
        from_role: row::s(r, "from_role")?,
        from_name: row::os(r, "from_name")?,
        channel: row::s(r, "channel")?,
        question_enc: row::s(r, "question_enc")?,
        answer_enc: row::os(r, "answer_enc")?,
        answered_at: row::oi(r, "answered_at")?,
        created_at: row::i(r, "created_at")?,
    })
}

const INQ: &str = "SELECT id, case_id, from_role, from_name, channel, question_enc, answer_enc, answered_at, created_at FROM network_inquiries";

pub async fn inquiries(conn: &mut Conn, case: &str) -> sqlx::Result<Vec<InquiryRow>> {
    let rows = sqlx::query(&format!("{INQ} WHERE case_id = $1 ORDER BY created_at, id"))
        .bind(case)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(inquiry).collect()
}

pub async fn get_inquiry(conn: &mut Conn, org: &str, id: &str) -> sqlx::Result<Option<InquiryRow>> {
    sqlx::query(&format!("{INQ} WHERE org_id = $1 AND id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(inquiry)
        .transpose()
}

pub struct NewInquiry<'a> {
    pub id: &'a str,
    pub org: &'a str,
    pub case: &'a str,
    pub from_role: &'a str,
    pub from_name: Option<&'a str>,
    pub channel: &'a str,
    pub question_enc: &'a str,
    pub by: &'a str,
    pub now: i64,
}

pub async fn insert_inquiry(conn: &mut Conn, q: NewInquiry<'_>) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO network_inquiries (id, org_id, case_id, from_role, from_name, channel, question_enc, created_by_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(q.id)
        .bind(q.org)
        .bind(q.case)
        .bind(q.from_role)
        .bind(q.from_name)
        .bind(q.channel)
        .bind(q.question_enc)
        .bind(q.by)
        .bind(q.now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn answer_inquiry(
    conn: &mut Conn,
    id: &str,
    answer_enc: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE network_inquiries SET answer_enc = $1, answered_by_user_id = $2, answered_at = $3 WHERE id = $4")
        .bind(answer_enc)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
