//! SQL for requests, their persons and their timeline.

use super::domain::{NewRequest, Status};
use crate::store::{new_id, row, Conn};
use sqlx::any::AnyRow;

pub async fn insert_person(
    conn: &mut Conn,
    org: &str,
    r: &NewRequest,
    now: i64,
) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO persons (id, org_id, first_name, last_name, birth_date, age_at_contact, gender, kommune_code, phone, email, \
         language, needs_interpreter, safe_channel, safe_times, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(org)
    .bind(&r.first_name)
    .bind(&r.last_name)
    .bind(r.birth_date.map(|d| d.to_string()))
    .bind(r.age.map(i64::from))
    .bind(&r.gender)
    .bind(&r.kommune_code)
    .bind(&r.phone)
    .bind(&r.email)
    .bind(&r.language)
    .bind(r.needs_interpreter as i64)
    .bind(&r.safe_channel)
    .bind(&r.safe_times)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub struct Insert<'a> {
    pub id: &'a str,
    pub reference: &'a str,
    pub org: &'a str,
    pub person: &'a str,
    pub channel: &'a str,
    pub r: &'a NewRequest,
    pub place: Option<(f64, f64, &'a str)>,
    pub requested_by: Option<&'a str>,
    pub duplicate_case: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_request(conn: &mut Conn, i: Insert<'_>) -> sqlx::Result<()> {
    let r = i.r;
    let q = sqlx::query(
        "INSERT INTO requests (id, ref, org_id, person_id, channel, status, authority, kommune_code, meeting_at, urgent, unannounced, \
         requested_by_user_id, contact_role, contact_name, contact_phone, contact_email, contact_org, purpose, meeting_mode, place_text, \
         postcode, lat, lon, landmass, wished_gender, wished_language, heard_of, duplicate_case_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'new', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)",
    )
    .bind(i.id)
    .bind(i.reference)
    .bind(i.org)
    .bind(i.person)
    .bind(i.channel)
    .bind(&r.authority)
    .bind(&r.kommune_code)
    .bind(r.meeting_at.map(|t| t.as_microsecond()))
    .bind(r.urgent as i64)
    .bind(r.unannounced as i64)
    .bind(i.requested_by)
    .bind(&r.contact_role)
    .bind(&r.contact_name)
    .bind(&r.contact_phone)
    .bind(&r.contact_email)
    .bind(&r.contact_org)
    .bind(&r.purpose)
    .bind(&r.meeting_mode)
    .bind(&r.place_text)
    .bind(&r.postcode);
    let q = row::bind_f64(q, i.place.map(|p| p.0));
    let q = row::bind_f64(q, i.place.map(|p| p.1));
    q.bind(i.place.map(|p| p.2))
        .bind(&r.wished_gender)
        .bind(&r.wished_language)
        .bind(&r.heard_of)
        .bind(i.duplicate_case)
        .bind(i.now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub struct Event<'a> {
    pub org: &'a str,
    pub request: &'a str,
    pub at: i64,
    pub actor_user_id: Option<&'a str>,
    pub actor_label: &'a str,
    pub kind: &'a str,
    pub detail: Option<&'a str>,
}

pub async fn insert_event(conn: &mut Conn, e: Event<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO request_events (id, org_id, request_id, at, actor_user_id, actor_label, kind, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(e.org)
    .bind(e.request)
    .bind(e.at)
    .bind(e.actor_user_id)
    .bind(e.actor_label)
    .bind(e.kind)
    .bind(e.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An earlier case of what looks like the same person (same first name and kommune, and the
/// same birth date or age), open or closed within the last year: its id and bisidder.
pub async fn find_earlier_case(
    conn: &mut Conn,
    org: &str,
    r: &NewRequest,
    since: &str,
) -> sqlx::Result<Option<(String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT c.id, c.bisidder_user_id, p.birth_date, p.age_at_contact FROM cases c JOIN persons p ON p.id = c.person_id \
         WHERE c.org_id = $1 AND LOWER(p.first_name) = LOWER($2) AND p.kommune_code = $3 AND (c.closed_on IS NULL OR c.closed_on >= $4) \
         ORDER BY c.opened_on DESC",
    )
    .bind(org)
    .bind(&r.first_name)
    .bind(&r.kommune_code)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    for row_ in &rows {
        let same_birth = match (r.birth_date, row::os(row_, "birth_date")?) {
            (Some(a), Some(b)) => a.to_string() == b,
            _ => false,
        };
        let same_age = match (r.age, row::oi(row_, "age_at_contact")?) {
            (Some(a), Some(b)) => (i64::from(a) - b).abs() <= 1,
            _ => false,
        };
        if same_birth || same_age {
            return Ok(Some((
                row::s(row_, "id")?,
                row::os(row_, "bisidder_user_id")?,
            )));
        }
    }
    Ok(None)
}

#[derive(Clone, Debug)]
pub struct RequestRow {
    pub id: String,
    pub reference: String,
    pub org_id: String,
    pub person_id: String,
    pub status: Status,
    pub channel: String,
    pub contact_role: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_org: Option<String>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
    pub age: Option<i64>,
    pub gender: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_channel: Option<String>,
    pub safe_times: Option<String>,
    pub language: Option<String>,
    pub needs_interpreter: bool,
    pub kommune_code: Option<String>,
    pub authority: String,
    pub purpose: Option<String>,
    pub meeting_at: Option<i64>,
    pub meeting_mode: String,
    pub place_text: Option<String>,
    pub postcode: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub landmass: Option<String>,
    pub urgent: bool,
    pub unannounced: bool,
    pub wished_gender: Option<String>,
    pub wished_language: Option<String>,
    pub requested_by: Option<String>,
    pub consent_at: Option<i64>,
    pub deadline_at: Option<i64>,
    pub bisidder_user_id: Option<String>,
    pub bisidder_name: Option<String>,
    pub duplicate_case_id: Option<String>,
    pub closed_reason: Option<String>,
    pub created_at: i64,
    pub version: i64,
}

const REQUEST_SELECT: &str = "SELECT r.id, r.ref, r.org_id, r.person_id, r.status, r.channel, r.contact_role, r.contact_name, r.contact_phone, \
    r.contact_email, r.contact_org, p.first_name, p.last_name, p.birth_date, p.age_at_contact, p.gender, p.phone, p.email, p.safe_channel, \
    p.safe_times, p.language, p.needs_interpreter, r.kommune_code, r.authority, r.purpose, r.meeting_at, r.meeting_mode, r.place_text, \
    r.postcode, r.lat, r.lon, r.landmass, r.urgent, r.unannounced, r.wished_gender, r.wished_language, r.requested_by_user_id, \
    r.consent_at, r.deadline_at, r.bisidder_user_id, u.name AS bisidder_name, r.duplicate_case_id, r.closed_reason, r.created_at, r.version \
    FROM requests r JOIN persons p ON p.id = r.person_id LEFT JOIN users u ON u.id = r.bisidder_user_id";

fn request(r: &AnyRow) -> sqlx::Result<RequestRow> {
    Ok(RequestRow {
        id: row::s(r, "id")?,
        reference: row::os(r, "ref")?.unwrap_or_default(),
        org_id: row::s(r, "org_id")?,
        person_id: row::s(r, "person_id")?,
        status: Status::parse(&row::s(r, "status")?).unwrap_or(Status::New),
        channel: row::s(r, "channel")?,
        contact_role: row::os(r, "contact_role")?.unwrap_or_default(),
        contact_name: row::os(r, "contact_name")?,
        contact_phone: row::os(r, "contact_phone")?,
        contact_email: row::os(r, "contact_email")?,
        contact_org: row::os(r, "contact_org")?,
        first_name: row::s(r, "first_name")?,
        last_name: row::os(r, "last_name")?,
        birth_date: row::os(r, "birth_date")?,
        age: row::oi(r, "age_at_contact")?,
        gender: row::s(r, "gender")?,
        phone: row::os(r, "phone")?,
        email: row::os(r, "email")?,
        safe_channel: row::os(r, "safe_channel")?,
        safe_times: row::os(r, "safe_times")?,
        language: row::os(r, "language")?,
        needs_interpreter: row::b(r, "needs_interpreter")?,
        kommune_code: row::os(r, "kommune_code")?,
        authority: row::s(r, "authority")?,
        purpose: row::os(r, "purpose")?,
        meeting_at: row::oi(r, "meeting_at")?,
        meeting_mode: row::s(r, "meeting_mode")?,
        place_text: row::os(r, "place_text")?,
        postcode: row::os(r, "postcode")?,
        lat: sqlx::Row::try_get(r, "lat")?,
        lon: sqlx::Row::try_get(r, "lon")?,
        landmass: row::os(r, "landmass")?,
        urgent: row::b(r, "urgent")?,
        unannounced: row::b(r, "unannounced")?,
        wished_gender: row::os(r, "wished_gender")?,
        wished_language: row::os(r, "wished_language")?,
        requested_by: row::os(r, "requested_by_user_id")?,
        consent_at: row::oi(r, "consent_at")?,
        deadline_at: row::oi(r, "deadline_at")?,
        bisidder_user_id: row::os(r, "bisidder_user_id")?,
        bisidder_name: row::os(r, "bisidder_name")?,
        duplicate_case_id: row::os(r, "duplicate_case_id")?,
        closed_reason: row::os(r, "closed_reason")?,
        created_at: row::i(r, "created_at")?,
        version: row::i(r, "version")?,
    })
}

/// One request of `org` (None when it does not exist or belongs to another organisation).
pub async fn get(conn: &mut Conn, org: &str, id: &str) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query(&format!(
        "{REQUEST_SELECT} WHERE r.org_id = $1 AND r.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(request)
    .transpose()
}

/// Open requests of `org`, most urgent first (deadline, then meeting time, then age).
pub async fn open_queue(conn: &mut Conn, org: &str) -> sqlx::Result<Vec<RequestRow>> {
    let rows = sqlx::query(&format!(
        "{REQUEST_SELECT} WHERE r.org_id = $1 AND r.status IN ('new','contacted','consented','matching','offered') \
         ORDER BY r.urgent DESC, COALESCE(r.deadline_at, r.meeting_at, r.created_at + 86400000000), r.created_at"
    ))
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(request).collect()
}

/// Requests a requester (caseworker) made themself.
pub async fn by_requester(conn: &mut Conn, org: &str, user: &str) -> sqlx::Result<Vec<RequestRow>> {
    let rows = sqlx::query(&format!("{REQUEST_SELECT} WHERE r.org_id = $1 AND r.requested_by_user_id = $2 ORDER BY r.created_at DESC LIMIT 100"))
        .bind(org)
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(request).collect()
}

#[derive(Clone, Debug)]
pub struct EventRow {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: Option<String>,
}

pub async fn events(conn: &mut Conn, request: &str) -> sqlx::Result<Vec<EventRow>> {
    let rows = sqlx::query(
        "SELECT e.at, COALESCE(u.name, e.actor_label) AS actor, e.kind, e.detail FROM request_events e \
         LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.request_id = $1 ORDER BY e.at, e.id",
    )
    .bind(request)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventRow {
                at: row::i(r, "at")?,
                actor: row::s(r, "actor")?,
                kind: row::s(r, "kind")?,
                detail: row::os(r, "detail")?,
            })
        })
        .collect()
}

/// Moves a request from `from` to `to` if nobody changed it meanwhile (optimistic lock on
/// `version`); false when it had moved on.
pub async fn transition(conn: &mut Conn, id: &str, version: i64, to: Status) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE requests SET status = $1, version = version + 1 WHERE id = $2 AND version = $3",
    )
    .bind(to.as_str())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn record_consent(
    conn: &mut Conn,
    id: &str,
    by: &str,
    method: &str,
    note: Option<&str>,
    at: i64,
    deadline: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE requests SET consent_at = $1, consent_by_user_id = $2, consent_method = $3, consent_note = $4, deadline_at = $5 WHERE id = $6")
        .bind(at)
        .bind(by)
        .bind(method)
        .bind(note)
        .bind(deadline)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_closed_reason(conn: &mut Conn, id: &str, reason: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE requests SET closed_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
