//! Referral between schemes (SPEC C9): a coordinator who must turn a request away sees
//! schemes that cover the person's kommune, the meeting type and the target group and
//! have capacity; with the person's consent a minimal referral (first name, how to reach
//! them, kommune, meeting type, meeting date — never notes) goes to the chosen scheme.
//! If that scheme runs its intake here, the referral is a new request there (channel
//! `referral`); otherwise it is recorded with the scheme's public contact for the
//! coordinator to pass on. The outcome is tracked (accepted when the receiving scheme
//! records the person's consent, declined when it closes the request; for schemes not on
//! the platform the sending coordinator records it), and a referral without an answer
//! after 2 working days is escalated to the sending coordinators.

use super::{
    domain::{self, Query},
    service::{self, Found},
    store as dir_store,
};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    intake::{
        domain::{Status, REJECTION_REASONS},
        service::{log_change, tell_coordinators},
        store::{self as intake_store, Event, RequestRow},
    },
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{new_id, row, Conn, Tx},
    web::form::FormData,
};
use jiff::Timestamp;

/// Working days a receiving scheme has to answer before the referral is escalated.
pub const ANSWER_WITHIN_WORKING_DAYS: u32 = 2;

/// A referral as the sending coordinator sees it.
#[derive(Clone, Debug)]
pub struct Referral {
    pub id: String,
    pub scheme_id: String,
    pub scheme_name: String,
    pub status: String,
    pub reason: String,
    pub on_platform: bool,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub request_channels: Option<String>,
    pub created_at: i64,
    pub due_at: i64,
    pub escalated: bool,
}

/// The search a rejected request needs: its kommune, the meeting type of its authority,
/// children's schemes for a child; only schemes taking requests.
pub fn query_for(r: &RequestRow) -> Option<Query> {
    let kommune = geo::kommune(r.kommune_code.as_deref()?)?;
    let child = r.age.is_some_and(|a| a < 18)
        || matches!(r.gender.as_str(), "girl" | "boy")
        || r.contact_role == "for_child";
    Some(Query {
        kommune: kommune.code.to_string(),
        from: match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => Some(geo::Point { lat, lon }),
            _ => Some(kommune.point()),
        },
        meeting_type: domain::meeting_type_of_authority(&r.authority).map(str::to_string),
        target_group: child.then(|| "children_young".to_string()),
        no_requirements: false,
        with_capacity_only: true,
    })
}

/// Schemes to suggest for `r`, other than the organisation's own.
pub async fn suggestions(state: &AppState, r: &RequestRow) -> AppResult<Vec<Found>> {
    let Some(q) = query_for(r) else {
        return Ok(Vec::new());
    };
    let all = service::all(state).await?;
    Ok(service::run(&all, &q)
        .into_iter()
        .filter(|f| f.scheme.org_id.as_deref() != Some(r.org_id.as_str()))
        .collect())
}

/// The 9:00-independent deadline: the same local time `n` working days later.
pub fn due_after(now: Timestamp, n: u32) -> Timestamp {
    let tz = crate::web::fmt::copenhagen();
    let local = now.to_zoned(tz.clone());
    let day = crate::cases::workdays::add_working_days(local.date(), n);
    day.to_datetime(local.time())
        .to_zoned(tz)
        .map(|z| z.timestamp())
        .unwrap_or(now)
}

fn referral_of(r: &sqlx::any::AnyRow) -> sqlx::Result<Referral> {
    let org: Option<String> = row::os(r, "to_org_id")?;
    Ok(Referral {
        id: row::s(r, "id")?,
        scheme_id: row::s(r, "scheme_id")?,
        scheme_name: row::s(r, "scheme_name")?,
        status: row::s(r, "status")?,
        reason: row::s(r, "reason")?,
        on_platform: org.is_some(),
        contact_phone: row::os(r, "contact_phone")?,
        contact_email: row::os(r, "contact_email")?,
        request_channels: row::os(r, "request_channels")?,
        created_at: row::i(r, "created_at")?,
        due_at: row::i(r, "due_at")?,
        escalated: row::oi(r, "escalated_at")?.is_some(),
    })
}

/// Referrals made from one request (the caller has checked access to it).
pub async fn of_request(conn: &mut Conn, request: &str) -> AppResult<Vec<Referral>> {
    let rows = sqlx::query(
        "SELECT f.*, s.name AS scheme_name, s.contact_phone, s.contact_email, s.request_channels \
         FROM referrals f JOIN schemes s ON s.id = f.scheme_id WHERE f.from_request_id = $1 ORDER BY f.created_at",
    )
    .bind(request)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(referral_of).collect::<sqlx::Result<_>>()?)
}

/// Refers request `id` to the scheme chosen in `form` (`scheme`, `reason`, `consent`).
pub async fn refer(state: &AppState, actor: &Actor, id: &str, form: &FormData) -> AppResult<()> {
    let org = actor.org_id.clone().unwrap_or_default();
    ensure(actor, Action::ManageIntake, Target::Org(&org))?;
    let now_ts = state.clock.now();
    let now = now_ts.as_microsecond();
    let mut tx = state.db.begin().await?;
    let Some(r) = intake_store::get(&mut tx, &org, id).await? else {
        audit::record(
            &mut tx,
            now,
            AuditAction::ReferralMade,
            Entry::by_user(&actor.user_id, Some(&org))
                .resource("request", id)
                .denied(),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound);
    };
    let reason = form.get("reason");
    if !REJECTION_REASONS.contains(&reason) {
        return Err(AppError::invalid("reason", "intake.err_choose"));
    }
    let scheme = dir_store::get(&mut tx, form.get("scheme"))
        .await?
        .filter(|s| s.profiled && s.org_id.as_deref() != Some(org.as_str()))
        .ok_or(AppError::invalid("scheme", "referral.err_scheme"))?;
    if form.get("consent") != "1" {
        return Err(AppError::invalid("consent", "referral.err_consent"));
    }
    if !r.status.can_become(Status::Referred) {
        return Err(AppError::Conflict("intake.err_state"));
    }
    if !intake_store::transition(&mut tx, id, r.version, Status::Referred).await? {
        return Err(AppError::Conflict("intake.err_changed"));
    }
    intake_store::set_closed_reason(&mut tx, id, reason).await?;
    crate::scheduling::store::release_request(&mut tx, id, now).await?;
    let (channel, contact) = match (r.safe_channel.as_deref(), &r.phone, &r.email) {
        (Some("email"), _, Some(e)) => (Some("email"), Some(e.clone())),
        (c, Some(p), _) => (c.or(Some("call")), Some(p.clone())),
        (_, None, Some(e)) => (Some("email"), Some(e.clone())),
        _ => (None, None),
    };
    let to_request = match (&scheme.org_id, scheme.on_platform) {
        (Some(to_org), true) => {
            Some(receive(&mut tx, to_org, &r, channel, contact.as_deref(), now).await?)
        }
        _ => None,
    };
    let referral_id = new_id();
    let due = due_after(now_ts, ANSWER_WITHIN_WORKING_DAYS).as_microsecond();
    sqlx::query(
        "INSERT INTO referrals (id, from_org_id, from_request_id, scheme_id, to_org_id, to_request_id, reason, status, first_name, \
         contact_channel, contact, kommune_code, authority, meeting_at, created_by_user_id, created_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&referral_id)
    .bind(&org)
    .bind(id)
    .bind(&scheme.id)
    .bind(to_request.as_ref().and(scheme.org_id.clone()))
    .bind(to_request.clone())
    .bind(reason)
    .bind(&r.first_name)
    .bind(channel)
    .bind(contact.clone())
    .bind(r.kommune_code.clone())
    .bind(&r.authority)
    .bind(r.meeting_at)
    .bind(&actor.user_id)
    .bind(now)
    .bind(due)
    .execute(&mut *tx)
    .await?;
    log_change(
        &mut tx,
        actor,
        &r,
        now,
        "referred",
        Some(reason),
        AuditAction::ReferralMade,
        &referral_id,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// The new request in the receiving organisation: the minimal referral and nothing else.
async fn receive(
    tx: &mut Tx,
    to_org: &str,
    r: &RequestRow,
    channel: Option<&str>,
    contact: Option<&str>,
    now: i64,
) -> AppResult<String> {
    let person = new_id();
    let (phone, email) = match channel {
        Some("email") => (None, contact),
        _ => (contact, None),
    };
    sqlx::query(
        "INSERT INTO persons (id, org_id, first_name, gender, kommune_code, phone, email, safe_channel, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&person)
    .bind(to_org)
    .bind(&r.first_name)
    .bind(&r.gender)
    .bind(r.kommune_code.clone())
    .bind(phone)
    .bind(email)
    .bind(channel)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO requests (id, ref, org_id, person_id, channel, status, authority, kommune_code, meeting_at, contact_role, created_at) \
         VALUES ($1, $2, $3, $4, 'referral', 'new', $5, $6, $7, 'referral', $8)",
    )
    .bind(&id)
    .bind(crate::intake::domain::new_ref())
    .bind(to_org)
    .bind(&person)
    .bind(&r.authority)
    .bind(r.kommune_code.clone())
    .bind(r.meeting_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    intake_store::insert_event(
        tx,
        Event {
            org: to_org,
            request: &id,
            at: now,
            actor_user_id: None,
            actor_label: "system",
            kind: "created",
            detail: Some("referral"),
        },
    )
    .await?;
    audit::record(
        tx,
        now,
        AuditAction::RequestCreated,
        Entry {
            org_id: Some(to_org),
            subject_person_id: Some(&person),
            ..Entry::by("system")
        }
        .resource("request", &id)
        .detail("referral"),
    )
    .await?;
    tell_coordinators(
        tx,
        to_org,
        now,
        "mail.new_request_subject",
        "mail.new_request_body",
    )
    .await?;
    Ok(id)
}

/// The sending coordinator records the answer of a scheme that is not on the platform.
pub async fn record_outcome(
    state: &AppState,
    actor: &Actor,
    id: &str,
    outcome: &str,
) -> AppResult<String> {
    let org = actor.org_id.clone().unwrap_or_default();
    ensure(actor, Action::ManageIntake, Target::Org(&org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT from_request_id, to_request_id FROM referrals WHERE id = $1 AND from_org_id = $2",
    )
    .bind(id)
    .bind(&org)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((request, None)) = found else {
        audit::record(
            &mut tx,
            now,
            AuditAction::ReferralAnswered,
            Entry::by_user(&actor.user_id, Some(&org))
                .resource("referral", id)
                .denied(),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound);
    };
    if !["accepted", "declined"].contains(&outcome) {
        return Err(AppError::invalid("outcome", "intake.err_choose"));
    }
    answer(&mut tx, id, outcome, now, Some(&actor.user_id), Some(&org)).await?;
    tx.commit().await?;
    Ok(request)
}

async fn answer(
    tx: &mut Tx,
    id: &str,
    outcome: &str,
    now: i64,
    by: Option<&str>,
    org: Option<&str>,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE referrals SET status = $1, answered_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(outcome)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if done {
        let entry = match by {
            Some(u) => Entry::by_user(u, org),
            None => Entry {
                org_id: org,
                ..Entry::by("system")
            },
        };
        audit::record(
            tx,
            now,
            AuditAction::ReferralAnswered,
            entry.resource("referral", id).detail(outcome),
        )
        .await?;
    }
    Ok(done)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub answered: usize,
    pub escalated: usize,
}

/// Background step (run with the other jobs): referrals the receiving scheme has answered
/// on the platform get their outcome; those past their deadline are escalated once.
pub async fn tick(state: &AppState) -> anyhow::Result<Tick> {
    let now = state.clock.now_us();
    let mut t = Tick::default();
    let mut conn = state.db.pool.acquire().await?;
    let pending: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT f.id, f.from_org_id, r.status FROM referrals f JOIN requests r ON r.id = f.to_request_id \
         WHERE f.status = 'pending'",
    )
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    for (id, from_org, status) in pending {
        let outcome = match Status::parse(&status) {
            Some(s) if s.has_consent() => "accepted",
            Some(Status::Rejected | Status::Referred | Status::Declined | Status::Withdrawn) => {
                "declined"
            }
            _ => continue,
        };
        let mut tx = state.db.begin().await?;
        if answer(&mut tx, &id, outcome, now, None, Some(&from_org))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            t.answered += 1;
        }
        tx.commit().await?;
    }
    let mut conn = state.db.pool.acquire().await?;
    let due: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, from_org_id FROM referrals WHERE status = 'pending' AND escalated_at IS NULL AND due_at <= $1",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    for (id, from_org) in due {
        let mut tx = state.db.begin().await?;
        let claimed = sqlx::query(
            "UPDATE referrals SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND status = 'pending'",
        )
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if claimed {
            tell_coordinators(
                &mut tx,
                &from_org,
                now,
                "mail.referral_escalated_subject",
                "mail.referral_escalated_body",
            )
            .await?;
            audit::record(
                &mut tx,
                now,
                AuditAction::ReferralEscalated,
                Entry {
                    org_id: Some(&from_org),
                    ..Entry::by("system")
                }
                .resource("referral", &id),
            )
            .await?;
            t.escalated += 1;
        }
        tx.commit().await?;
    }
    if t.escalated > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(t)
}
