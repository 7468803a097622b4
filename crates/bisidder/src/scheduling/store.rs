//! SQL for bookings: appointments, offers, the bisidder's row lock, cases created on
//! assignment.

use crate::store::{new_id, row, Conn};
use sqlx::any::AnyRow;

/// Locks the bisidder's profile row for the rest of the transaction (PostgreSQL: row lock;
/// SQLite: the write transaction already serialises). False if not an active bisidder of
/// the organisation.
pub async fn lock_bisidder(conn: &mut Conn, org: &str, user: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE bisidder_profiles SET version = version + 1 WHERE org_id = $1 AND user_id = $2 AND status = 'active'")
        .bind(org)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Takes the request for this transaction if it is still at `version`: on PostgreSQL the
/// row lock makes a second booking of the same request wait and then find the version moved.
pub async fn claim_request(conn: &mut Conn, request: &str, version: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE requests SET version = version + 1 WHERE id = $1 AND version = $2")
        .bind(request)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Clone, Debug)]
pub struct Booking {
    pub id: String,
    pub request_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub landmass: Option<String>,
}

fn booking(r: &AnyRow) -> sqlx::Result<Booking> {
    Ok(Booking {
        id: row::s(r, "id")?,
        request_id: row::s(r, "request_id")?,
        starts_at: row::i(r, "starts_at")?,
        ends_at: row::i(r, "ends_at")?,
        lat: sqlx::Row::try_get(r, "lat")?,
        lon: sqlx::Row::try_get(r, "lon")?,
        landmass: row::os(r, "landmass")?,
    })
}

/// A bisidder's planned appointments touching [from, to).
pub async fn bookings(
    conn: &mut Conn,
    user: &str,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<Booking>> {
    let rows = sqlx::query(
        "SELECT id, request_id, starts_at, ends_at, lat, lon, landmass FROM appointments \
         WHERE bisidder_user_id = $1 AND status = 'planned' AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at",
    )
    .bind(user)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(booking).collect()
}

/// Every planned booking of the organisation's bisiddere in [from, to), by bisidder.
pub async fn org_bookings(
    conn: &mut Conn,
    org: &str,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(String, Booking)>> {
    let rows = sqlx::query(
        "SELECT bisidder_user_id, id, request_id, starts_at, ends_at, lat, lon, landmass FROM appointments \
         WHERE org_id = $1 AND status = 'planned' AND bisidder_user_id IS NOT NULL AND ends_at > $2 AND starts_at < $3",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((row::s(r, "bisidder_user_id")?, booking(r)?)))
        .collect()
}

pub struct NewAppointment<'a> {
    pub org: &'a str,
    pub request: &'a str,
    pub case: Option<&'a str>,
    pub kind: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place_text: Option<&'a str>,
    pub point: Option<(f64, f64, &'a str)>,
    pub bisidder: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_appointment(conn: &mut Conn, a: NewAppointment<'_>) -> sqlx::Result<String> {
    let id = new_id();
    let q = sqlx::query(
        "INSERT INTO appointments (id, org_id, request_id, case_id, kind, starts_at, ends_at, place_text, lat, lon, landmass, \
         bisidder_user_id, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'planned', $13, $13)",
    )
    .bind(&id)
    .bind(a.org)
    .bind(a.request)
    .bind(a.case)
    .bind(a.kind)
    .bind(a.starts_at)
    .bind(a.ends_at)
    .bind(a.place_text);
    let q = row::bind_f64(q, a.point.map(|p| p.0));
    let q = row::bind_f64(q, a.point.map(|p| p.1));
    q.bind(a.point.map(|p| p.2))
        .bind(a.bisidder)
        .bind(a.now)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

#[derive(Clone, Debug)]
pub struct Appointment {
    pub id: String,
    pub org_id: String,
    pub request_id: String,
    pub kind: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place_text: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub landmass: Option<String>,
    pub bisidder_user_id: Option<String>,
    pub status: String,
    pub sequence: i64,
    pub updated_at: i64,
}

const APPT: &str = "SELECT id, org_id, request_id, kind, starts_at, ends_at, place_text, lat, lon, landmass, bisidder_user_id, status, sequence, updated_at FROM appointments";

fn appointment(r: &AnyRow) -> sqlx::Result<Appointment> {
    Ok(Appointment {
        id: row::s(r, "id")?,
        org_id: row::s(r, "org_id")?,
        request_id: row::s(r, "request_id")?,
        kind: row::s(r, "kind")?,
        starts_at: row::i(r, "starts_at")?,
        ends_at: row::i(r, "ends_at")?,
        place_text: row::os(r, "place_text")?,
        lat: sqlx::Row::try_get(r, "lat")?,
        lon: sqlx::Row::try_get(r, "lon")?,
        landmass: row::os(r, "landmass")?,
        bisidder_user_id: row::os(r, "bisidder_user_id")?,
        status: row::s(r, "status")?,
        sequence: row::i(r, "sequence")?,
        updated_at: row::i(r, "updated_at")?,
    })
}

pub async fn for_request(conn: &mut Conn, request: &str) -> sqlx::Result<Vec<Appointment>> {
    let rows = sqlx::query(&format!("{APPT} WHERE request_id = $1 ORDER BY starts_at"))
        .bind(request)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(appointment).collect()
}

pub async fn for_bisidder(
    conn: &mut Conn,
    user: &str,
    from: i64,
) -> sqlx::Result<Vec<Appointment>> {
    let rows = sqlx::query(&format!(
        "{APPT} WHERE bisidder_user_id = $1 AND ends_at >= $2 ORDER BY starts_at LIMIT 500"
    ))
    .bind(user)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(appointment).collect()
}

pub async fn get_appointment(
    conn: &mut Conn,
    org: &str,
    id: &str,
) -> sqlx::Result<Option<Appointment>> {
    sqlx::query(&format!("{APPT} WHERE org_id = $1 AND id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(appointment)
        .transpose()
}

pub async fn move_appointment(
    conn: &mut Conn,
    id: &str,
    starts: i64,
    ends: i64,
    place: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE appointments SET starts_at = $1, ends_at = $2, place_text = $3, sequence = sequence + 1, updated_at = $4, reminded_at = NULL WHERE id = $5")
        .bind(starts)
        .bind(ends)
        .bind(place)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_appointment_status(
    conn: &mut Conn,
    id: &str,
    status: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE appointments SET status = $1, sequence = sequence + 1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Frees everything a request holds: planned appointments cancelled, open offers withdrawn.
pub async fn release_request(conn: &mut Conn, request: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE appointments SET status = 'cancelled', sequence = sequence + 1, updated_at = $1 WHERE request_id = $2 AND status = 'planned'")
        .bind(now)
        .bind(request)
        .execute(&mut *conn)
        .await?;
    // The released bisidder no longer holds the request (the timeline keeps who did).
    sqlx::query("UPDATE requests SET bisidder_user_id = NULL WHERE id = $1")
        .bind(request)
        .execute(&mut *conn)
        .await?;
    withdraw_offers(conn, request, now, None).await
}

/// Withdraws the request's pending and queued offers, except `keep`.
pub async fn withdraw_offers(
    conn: &mut Conn,
    request: &str,
    now: i64,
    keep: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE offers SET status = 'withdrawn', answered_at = $1 WHERE request_id = $2 AND status IN ('pending','queued') AND id <> $3")
        .bind(now)
        .bind(request)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_case(
    conn: &mut Conn,
    org: &str,
    person: &str,
    request: &str,
    bisidder: &str,
    authority: &str,
    opened_on: &str,
    now: i64,
) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO cases (id, org_id, person_id, request_id, bisidder_user_id, authority, opened_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&id)
        .bind(org)
        .bind(person)
        .bind(request)
        .bind(bisidder)
        .bind(authority)
        .bind(opened_on)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

pub async fn mark_assigned(
    conn: &mut Conn,
    request: &str,
    bisidder: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE requests SET status = 'assigned', bisidder_user_id = $1, assigned_at = $2, version = version + 1 WHERE id = $3")
        .bind(bisidder)
        .bind(now)
        .bind(request)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- offers ----

#[derive(Clone, Debug)]
pub struct Offer {
    pub id: String,
    pub org_id: String,
    pub request_id: String,
    pub bisidder_user_id: String,
    pub strategy: String,
    pub rank: i64,
    pub status: String,
    pub expires_at: Option<i64>,
    pub bisidder_name: String,
}

const OFFER: &str = "SELECT o.id, o.org_id, o.request_id, o.bisidder_user_id, o.strategy, o.rank, o.status, o.expires_at, u.name AS bisidder_name \
    FROM offers o JOIN users u ON u.id = o.bisidder_user_id";

fn offer(r: &AnyRow) -> sqlx::Result<Offer> {
    Ok(Offer {
        id: row::s(r, "id")?,
        org_id: row::s(r, "org_id")?,
        request_id: row::s(r, "request_id")?,
        bisidder_user_id: row::s(r, "bisidder_user_id")?,
        strategy: row::s(r, "strategy")?,
        rank: row::i(r, "rank")?,
        status: row::s(r, "status")?,
        expires_at: row::oi(r, "expires_at")?,
        bisidder_name: row::s(r, "bisidder_name")?,
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_offer(
    conn: &mut Conn,
    org: &str,
    request: &str,
    bisidder: &str,
    strategy: &str,
    rank: i64,
    status: &str,
    now: i64,
    expires: Option<i64>,
) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO offers (id, org_id, request_id, bisidder_user_id, strategy, rank, status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(&id)
        .bind(org)
        .bind(request)
        .bind(bisidder)
        .bind(strategy)
        .bind(rank)
        .bind(status)
        .bind(now)
        .bind(expires)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

pub async fn get_offer(conn: &mut Conn, id: &str) -> sqlx::Result<Option<Offer>> {
    sqlx::query(&format!("{OFFER} WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(offer)
        .transpose()
}

pub async fn offers_for_request(conn: &mut Conn, request: &str) -> sqlx::Result<Vec<Offer>> {
    let rows = sqlx::query(&format!("{OFFER} WHERE o.request_id = $1 ORDER BY o.rank"))
        .bind(request)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(offer).collect()
}

pub async fn pending_offers_for(conn: &mut Conn, user: &str) -> sqlx::Result<Vec<Offer>> {
    let rows = sqlx::query(&format!(
        "{OFFER} WHERE o.bisidder_user_id = $1 AND o.status = 'pending' ORDER BY o.created_at"
    ))
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(offer).collect()
}

/// Answers a pending offer; false if it was no longer pending (expired, withdrawn, taken).
pub async fn answer_offer(conn: &mut Conn, id: &str, status: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE offers SET status = $1, answered_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn activate_offer(conn: &mut Conn, id: &str, expires: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE offers SET status = 'pending', expires_at = $1 WHERE id = $2 AND status = 'queued'",
    )
    .bind(expires)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Pending offers whose time is up.
pub async fn expired_offers(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<Offer>> {
    let rows = sqlx::query(&format!("{OFFER} WHERE o.status = 'pending' AND o.expires_at IS NOT NULL AND o.expires_at <= $1 LIMIT 200")).bind(now).fetch_all(&mut *conn).await?;
    rows.iter().map(offer).collect()
}

pub async fn count_offer_made(
    conn: &mut Conn,
    org: &str,
    user: &str,
    answered: bool,
) -> sqlx::Result<()> {
    let sql = if answered {
        "UPDATE bisidder_profiles SET offers_answered = offers_answered + 1 WHERE org_id = $1 AND user_id = $2"
    } else {
        "UPDATE bisidder_profiles SET offers_made = offers_made + 1 WHERE org_id = $1 AND user_id = $2"
    };
    sqlx::query(sql)
        .bind(org)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
