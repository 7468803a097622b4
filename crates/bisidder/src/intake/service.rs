//! Intake use cases: a request arrives (public form, helpline, caseworker, phone), the
//! coordinator sees the queue, logs the consent call, or closes the request.

use super::{
    domain::{self, NewRequest, Status},
    store::{self, Event, Insert, RequestRow},
};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    notify,
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{new_id, Conn, Tx},
    web::{form::FormData, i18n},
};
use jiff::{SignedDuration, Timestamp};

fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

/// Where the meeting is, as (lat, lon, landmass), from the postcode or the kommune.
pub fn place_of(r: &NewRequest) -> Option<(f64, f64, String)> {
    if let Some(p) = r.postcode.as_deref().and_then(geo::postcode) {
        let place = geo::Place::from(p);
        if let Some(pt) = place.point() {
            return Some((pt.lat, pt.lon, format!("{:?}", place.landmass())));
        }
    }
    geo::kommune(&r.kommune_code).map(|k| (k.lat, k.lon, format!("{:?}", k.landmass)))
}

pub struct Created {
    pub id: String,
    pub reference: String,
}

/// Stores a validated request with its person, timeline event and audit row, and tells
/// the organisation's coordinators (a message without personal data).
async fn create(
    state: &AppState,
    org: &str,
    r: &NewRequest,
    channel: &str,
    by: Option<&str>,
) -> AppResult<Created> {
    let now = state.clock.now();
    let now_us = now.as_microsecond();
    let since = (now - SignedDuration::from_hours(24 * 365))
        .to_zoned(crate::web::fmt::copenhagen())
        .date()
        .to_string();
    let id = new_id();
    let reference = domain::new_ref();
    let place = place_of(r);
    let mut tx = state.db.begin().await?;
    let earlier = store::find_earlier_case(&mut tx, org, r, &since).await?;
    let person = store::insert_person(&mut tx, org, r, now_us).await?;
    store::insert_request(
        &mut tx,
        Insert {
            id: &id,
            reference: &reference,
            org,
            person: &person,
            channel,
            r,
            place: place.as_ref().map(|(a, b, c)| (*a, *b, c.as_str())),
            requested_by: by,
            duplicate_case: earlier.as_ref().map(|(c, _)| c.as_str()),
            now: now_us,
        },
    )
    .await?;
    let label = if by.is_some() { "user" } else { "public" };
    store::insert_event(
        &mut tx,
        Event {
            org,
            request: &id,
            at: now_us,
            actor_user_id: by,
            actor_label: label,
            kind: "created",
            detail: Some(channel),
        },
    )
    .await?;
    if earlier.is_some() {
        store::insert_event(
            &mut tx,
            Event {
                org,
                request: &id,
                at: now_us,
                actor_user_id: None,
                actor_label: "system",
                kind: "possible_duplicate",
                detail: None,
            },
        )
        .await?;
    }
    let entry = Entry {
        actor_user_id: by,
        actor_label: label,
        org_id: Some(org),
        subject_person_id: Some(&person),
        ..Entry::by(label)
    };
    audit::record(
        &mut tx,
        now_us,
        AuditAction::RequestCreated,
        entry.resource("request", &id),
    )
    .await?;
    tell_coordinators(
        &mut tx,
        org,
        now_us,
        "mail.new_request_subject",
        "mail.new_request_body",
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Created { id, reference })
}

/// Records a user's change of a request twice, as the request's timeline event and as the
/// audit row (with the person whose data it is), in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn log_change(
    tx: &mut Tx,
    actor: &Actor,
    r: &RequestRow,
    now: i64,
    kind: &str,
    detail: Option<&str>,
    action: AuditAction,
    audit_detail: &str,
) -> sqlx::Result<()> {
    store::insert_event(
        tx,
        Event {
            org: &r.org_id,
            request: &r.id,
            at: now,
            actor_user_id: Some(&actor.user_id),
            actor_label: "user",
            kind,
            detail,
        },
    )
    .await?;
    let entry = Entry {
        subject_person_id: Some(&r.person_id),
        ..Entry::by_user(&actor.user_id, Some(&r.org_id))
    };
    audit::record(
        tx,
        now,
        action,
        entry.resource("request", &r.id).detail(audit_detail),
    )
    .await
}

/// E-mails every coordinator of `org` a neutral notice (details only after sign-in).
pub async fn tell_coordinators(
    conn: &mut Conn,
    org: &str,
    now: i64,
    subject_key: &str,
    body_key: &str,
) -> sqlx::Result<()> {
    let emails: Vec<String> = sqlx::query_scalar(
        "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.role = 'coordinator' AND u.disabled = 0",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    for e in emails {
        notify::enqueue_email(
            conn,
            now,
            &e,
            i18n::t(i18n::Lang::Da, subject_key),
            i18n::t(i18n::Lang::Da, body_key),
        )
        .await?;
    }
    Ok(())
}

/// The public form: anyone, no account. `org_slug` names the scheme asked.
pub async fn submit_public(
    state: &AppState,
    org_slug: &str,
    contact_role: &str,
    form: &FormData,
) -> AppResult<Created> {
    if !matches!(
        contact_role,
        "self" | "for_child" | "professional" | "helpline"
    ) {
        return Err(AppError::NotFound);
    }
    let org = org_id(state, org_slug).await?;
    let r = domain::validate(form, contact_role, state.clock.now())?;
    create(state, &org, &r, "web", None).await
}

pub async fn org_id(state: &AppState, slug: &str) -> AppResult<String> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&state.db.pool)
        .await?;
    id.ok_or(AppError::NotFound)
}

/// A caseworker's booking (incl. the unannounced protocol) or a coordinator's phone intake.
pub async fn submit_as_user(
    state: &AppState,
    actor: &Actor,
    form: &FormData,
    channel: &str,
) -> AppResult<Created> {
    let org = org_of(actor);
    let (action, role) = match channel {
        "phone" => (Action::RecordPhoneRequest, "coordinator_phone"),
        "helpline" => (Action::SubmitRequest, "helpline"),
        _ => (Action::SubmitRequest, "caseworker"),
    };
    ensure(actor, action, Target::Org(org))?;
    let r = domain::validate(form, role, state.clock.now())?;
    create(state, org, &r, channel, Some(&actor.user_id)).await
}

pub async fn queue(state: &AppState, actor: &Actor) -> AppResult<Vec<RequestRow>> {
    let org = org_of(actor);
    ensure(actor, Action::ViewIntake, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let rows = store::open_queue(&mut tx, org).await?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::IntakeQueueViewed,
        Entry::by_user(&actor.user_id, Some(org)),
    )
    .await?;
    tx.commit().await?;
    Ok(rows)
}

pub struct Detail {
    pub request: RequestRow,
    pub events: Vec<store::EventRow>,
}

/// One request with its timeline. Another organisation's request is not found (404) and
/// the attempt is audited.
pub async fn detail(state: &AppState, actor: &Actor, id: &str) -> AppResult<Detail> {
    let org = org_of(actor);
    ensure(actor, Action::ViewIntake, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let Some(request) = store::get(&mut tx, org, id).await? else {
        audit::record(
            &mut tx,
            now,
            AuditAction::RequestViewed,
            Entry::by_user(&actor.user_id, Some(org))
                .resource("request", id)
                .denied(),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound);
    };
    let events = store::events(&mut tx, id).await?;
    let entry = Entry {
        subject_person_id: Some(&request.person_id),
        ..Entry::by_user(&actor.user_id, Some(org))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::RequestViewed,
        entry.resource("request", id),
    )
    .await?;
    tx.commit().await?;
    Ok(Detail { request, events })
}

/// Loads a request for a change by a coordinator; `None` in another organisation (the
/// caller refuses it with [`audit::refuse`]).
async fn for_change(tx: &mut Conn, actor: &Actor, id: &str) -> AppResult<Option<RequestRow>> {
    let org = org_of(actor);
    ensure(actor, Action::ManageIntake, Target::Org(org))?;
    Ok(store::get(tx, org, id).await?)
}

/// The consent call (SPEC principle 1): the coordinator records that they spoke with the
/// person themself and what the person said. Yes → consented (matching may start); no →
/// declined. Speaking with someone else only records the contact.
pub async fn record_consent(
    state: &AppState,
    actor: &Actor,
    id: &str,
    form: &FormData,
) -> AppResult<Status> {
    ensure(actor, Action::ManageIntake, Target::Org(org_of(actor)))?;
    let now = state.clock.now();
    let now_us = now.as_microsecond();
    let mut tx = state.db.begin().await?;
    let Some(r) = for_change(&mut tx, actor, id).await? else {
        return Err(audit::refuse(tx, state.clock.now_us(), actor, "request", id).await);
    };
    let spoke_with_person = form.get("spoke_with_person") == "1";
    let method = form.get("method");
    if !["phone", "sms", "in_person", "video"].contains(&method) {
        return Err(AppError::invalid("method", "intake.err_choose"));
    }
    let answer = form.get("answer");
    if spoke_with_person && !["yes", "no"].contains(&answer) {
        return Err(AppError::invalid("answer", "intake.err_choose"));
    }
    let note = Some(form.get("note")).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::invalid("note", "intake.err_too_long"));
    }
    let next = match (spoke_with_person, answer) {
        (false, _) => Status::Contacted,
        (true, "yes") => Status::Consented,
        _ => Status::Declined,
    };
    if r.status == next && next == Status::Contacted {
        // Another contact attempt: only the timeline changes.
    } else if !r.status.can_become(next) {
        return Err(AppError::Conflict("intake.err_state"));
    } else if !store::transition(&mut tx, id, r.version, next).await? {
        return Err(AppError::Conflict("intake.err_changed"));
    }
    match next {
        Status::Consented => {
            let formoede = r
                .meeting_at
                .and_then(|m| Timestamp::from_microsecond(m - 60 * 60_000_000).ok());
            let deadline = domain::deadline(now, r.urgent, formoede);
            store::record_consent(
                &mut tx,
                id,
                &actor.user_id,
                method,
                note,
                now_us,
                deadline.as_microsecond(),
            )
            .await?;
        }
        Status::Declined => store::set_closed_reason(&mut tx, id, "person_declined").await?,
        _ => {}
    }
    let kind = match next {
        Status::Consented => "consented",
        Status::Declined => "declined",
        _ => "contacted",
    };
    log_change(
        &mut tx,
        actor,
        &r,
        now_us,
        kind,
        Some(method),
        AuditAction::ConsentRecorded,
        kind,
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// Ends an open request: rejected by the scheme (with a reason from SPEC §6), or withdrawn.
pub async fn close(
    state: &AppState,
    actor: &Actor,
    id: &str,
    to: Status,
    reason: &str,
) -> AppResult<()> {
    ensure(actor, Action::ManageIntake, Target::Org(org_of(actor)))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let Some(r) = for_change(&mut tx, actor, id).await? else {
        return Err(audit::refuse(tx, state.clock.now_us(), actor, "request", id).await);
    };
    let valid_reason = match to {
        Status::Rejected => domain::REJECTION_REASONS.contains(&reason),
        Status::Withdrawn => ["person_withdrew", "meeting_cancelled", "other"].contains(&reason),
        _ => false,
    };
    if !valid_reason {
        return Err(AppError::invalid("reason", "intake.err_choose"));
    }
    if !r.status.can_become(to) {
        return Err(AppError::Conflict("intake.err_state"));
    }
    if !store::transition(&mut tx, id, r.version, to).await? {
        return Err(AppError::Conflict("intake.err_changed"));
    }
    store::set_closed_reason(&mut tx, id, reason).await?;
    crate::scheduling::store::release_request(&mut tx, id, now).await?;
    log_change(
        &mut tx,
        actor,
        &r,
        now,
        to.as_str(),
        Some(reason),
        AuditAction::RequestClosed,
        to.as_str(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A requester's own requests: status and, once assigned, the bisidder's first name only
/// (SPEC principle 3).
pub async fn my_requests(state: &AppState, actor: &Actor) -> AppResult<Vec<RequestRow>> {
    let org = org_of(actor);
    ensure(actor, Action::SubmitRequest, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let mut rows = store::by_requester(&mut tx, org, &actor.user_id).await?;
    for r in &mut rows {
        r.bisidder_name = r
            .bisidder_name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
            .map(str::to_string);
    }
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::OwnRequestsViewed,
        Entry::by_user(&actor.user_id, Some(org)),
    )
    .await?;
    tx.commit().await?;
    Ok(rows)
}
