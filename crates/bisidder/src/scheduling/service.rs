//! From consent to an assigned bisidder: candidates with reasons, direct assignment,
//! sequential or broadcast offers, answering offers, the batch "assign all", and adjusting
//! the three appointments. No bisidder is ever double-booked: every booking locks the
//! bisidder's row and re-checks their bookings inside the same transaction, so it holds
//! for two coordinators at once and for two server instances on one PostgreSQL.

use super::{pool, store};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    intake::{domain::Status, store as intake_store, store::RequestRow},
    notify,
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{Conn, Tx},
    web::i18n::{self, Lang},
};
use matching::{Ineligible, Interval};

const HOUR_S: i64 = 3600;

fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

/// One reason in words: an i18n key and the number that goes into it.
#[derive(Clone, Debug)]
pub struct ReasonView {
    pub key: &'static str,
    pub value: String,
}

#[derive(Clone, Debug)]
pub struct CandidateView {
    pub user_id: String,
    pub name: String,
    pub town: String,
    pub reasons: Vec<ReasonView>,
}

fn reason_view(r: &matching::Reason) -> ReasonView {
    use matching::Reason::*;
    let (key, value) = match r {
        Continuity { kept: true } => ("reason.continuity_kept", String::new()),
        Continuity { kept: false } => ("reason.continuity_changed", String::new()),
        Travel { minutes } => ("reason.travel", minutes.to_string()),
        ServesArea => ("reason.in_area", String::new()),
        Workload {
            open_cases,
            max_open_cases,
            week_minutes,
            max_week_minutes,
        } => (
            "reason.workload",
            format!(
                "{open_cases}/{max_open_cases}, {}/{} t",
                week_minutes / 60,
                max_week_minutes / 60
            ),
        ),
        WishedGender { met: true } => ("reason.wished_gender_met", String::new()),
        WishedGender { met: false } => ("reason.wished_gender_unmet", String::new()),
        WishedLanguage { met: true } => ("reason.wished_language_met", String::new()),
        WishedLanguage { met: false } => ("reason.wished_language_unmet", String::new()),
        Reliability { pct } => ("reason.reliability", pct.to_string()),
    };
    ReasonView { key, value }
}

/// The planning window around a request: the day before to the day after the meeting.
fn window(r: &matching::Request) -> (i64, i64) {
    (r.span.start - 36 * HOUR_S, r.span.end + 36 * HOUR_S)
}

/// Ranked candidates for a consented request, best first, each with its reasons.
pub async fn candidates(
    state: &AppState,
    actor: &Actor,
    r: &RequestRow,
) -> AppResult<Vec<CandidateView>> {
    let org = org_of(actor);
    ensure(actor, Action::ManageIntake, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let previous = pool::previous_bisidder(&mut conn, r).await?;
    let Some(req) = pool::to_request(r, previous) else {
        return Ok(Vec::new());
    };
    let (from, to) = window(&req);
    let (bisiddere, profiles) = pool::load(&mut conn, org, from, to).await?;
    let ranked = matching::rank(&req, &bisiddere);
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::CandidatesViewed,
        Entry::by_user(&actor.user_id, Some(org)).resource("request", &r.id),
    )
    .await?;
    tx.commit().await?;
    Ok(ranked
        .iter()
        .take(10)
        .map(|c| {
            let p = profiles.get(&c.bisidder_id);
            CandidateView {
                user_id: c.bisidder_id.clone(),
                name: p.map(|p| p.name.clone()).unwrap_or_default(),
                town: p.map(|p| p.town.clone()).unwrap_or_default(),
                reasons: c.reasons.iter().map(reason_view).collect(),
            }
        })
        .collect())
}

/// Books `bisidder` for `r` inside `tx`: locks the bisidder, re-checks their bookings and
/// hard limits, then creates the case and the three appointments and marks the request
/// assigned. Errors leave the transaction to be rolled back by the caller.
async fn book(
    tx: &mut Tx,
    state: &AppState,
    actor_user: Option<&str>,
    r: &RequestRow,
    bisidder: &str,
    strict: bool,
) -> AppResult<()> {
    let now = state.clock.now();
    let now_us = now.as_microsecond();
    let org = r.org_id.as_str();
    // The request first, then the bisidder (always in this order): two coordinators
    // booking the same request at once, through one instance or two, get one booking and
    // one conflict, never two cases for one request.
    if !store::claim_request(tx, &r.id, r.version).await? {
        return Err(AppError::Conflict("assign.changed"));
    }
    if !store::lock_bisidder(tx, org, bisidder).await? {
        return Err(AppError::Conflict("assign.not_active"));
    }
    let previous = pool::previous_bisidder(tx, r).await?;
    let req = pool::to_request(r, previous).ok_or(AppError::Conflict("assign.no_meeting_time"))?;
    let (from, to) = window(&req);
    let (bisiddere, _) = pool::load(tx, org, from, to).await?;
    let b = bisiddere
        .iter()
        .find(|b| b.id == bisidder)
        .ok_or(AppError::Conflict("assign.not_active"))?;
    if let Err(reasons) = matching::eligibility(b, &req) {
        // The hard rules hold for everyone; a coordinator assigning directly may overrule
        // availability, distance, skills and limits they know more about.
        let hard = reasons.iter().find(|x| {
            strict
                || matches!(
                    x,
                    Ineligible::Inactive
                        | Ineligible::DoubleBooked { .. }
                        | Ineligible::ConflictOfInterest
                )
        });
        if let Some(x) = hard {
            return Err(AppError::Conflict(ineligible_key(x)));
        }
    }
    let meeting_s = req.span.start - pool::PLAN[0].1 * 60;
    let today = now
        .to_zoned(crate::web::fmt::copenhagen())
        .date()
        .to_string();
    let case = store::insert_case(
        tx,
        org,
        &r.person_id,
        &r.id,
        bisidder,
        &r.authority,
        &today,
        now_us,
    )
    .await?;
    let point = match (r.lat, r.lon) {
        (Some(a), Some(b)) => Some((a, b, r.landmass.as_deref().unwrap_or("Mainland"))),
        _ => None,
    };
    for (kind, start_min, end_min) in pool::PLAN {
        store::insert_appointment(
            tx,
            store::NewAppointment {
                org,
                request: &r.id,
                case: Some(&case),
                kind,
                starts_at: (meeting_s + start_min * 60) * 1_000_000,
                ends_at: (meeting_s + end_min * 60) * 1_000_000,
                place_text: r.place_text.as_deref(),
                point,
                bisidder: Some(bisidder),
                now: now_us,
            },
        )
        .await?;
    }
    store::mark_assigned(tx, &r.id, bisidder, now_us).await?;
    store::withdraw_offers(tx, &r.id, now_us, None).await?;
    intake_store::insert_event(
        tx,
        intake_store::Event {
            org,
            request: &r.id,
            at: now_us,
            actor_user_id: actor_user,
            actor_label: if actor_user.is_some() {
                "user"
            } else {
                "system"
            },
            kind: "assigned",
            detail: None,
        },
    )
    .await?;
    tell_user(
        tx,
        bisidder,
        now_us,
        "mail.assigned_subject",
        "mail.assigned_body",
    )
    .await?;
    Ok(())
}

fn ineligible_key(x: &Ineligible) -> &'static str {
    match x {
        Ineligible::Inactive => "assign.not_active",
        Ineligible::DoubleBooked { .. } => "assign.double_booked",
        Ineligible::ConflictOfInterest => "assign.conflict_of_interest",
        Ineligible::NotAvailable => "assign.not_available",
        Ineligible::CaseLimit { .. } | Ineligible::WeeklyLimit { .. } => "assign.limit",
        _ => "assign.not_eligible",
    }
}

/// A neutral message to a user by e-mail and, if they gave a phone number, by SMS:
/// no personal data, details after sign-in (SPEC C4).
pub async fn tell_user(
    conn: &mut Conn,
    user: &str,
    now: i64,
    subject_key: &str,
    body_key: &str,
) -> sqlx::Result<()> {
    let email: Option<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1 AND disabled = 0")
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(email) = email {
        notify::enqueue_email(
            conn,
            now,
            &email,
            i18n::t(Lang::Da, subject_key),
            i18n::t(Lang::Da, body_key),
        )
        .await?;
    }
    let phone: Option<Option<String>> = sqlx::query_scalar(
        "SELECT phone FROM bisidder_profiles WHERE user_id = $1 AND phone IS NOT NULL LIMIT 1",
    )
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(Some(phone)) = phone {
        notify::enqueue_sms(conn, now, &phone, i18n::t(Lang::Da, subject_key)).await?;
    }
    Ok(())
}

/// The request for a coordinator's change; `None` in another organisation (the caller
/// refuses it with [`audit::refuse`]).
async fn load_for_change(tx: &mut Tx, actor: &Actor, id: &str) -> AppResult<Option<RequestRow>> {
    let org = org_of(actor);
    ensure(actor, Action::ManageIntake, Target::Org(org))?;
    Ok(intake_store::get(tx, org, id).await?)
}

/// Direct assignment by a coordinator.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    request: &str,
    bisidder: &str,
) -> AppResult<()> {
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let Some(r) = load_for_change(&mut tx, actor, request).await? else {
        return Err(audit::refuse(tx, now, actor, "request", request).await);
    };
    // The unannounced protocol books a bisidder to stand by before the child is asked;
    // the child's answer on the spot is recorded with `standby_outcome`.
    let standby = r.unannounced && matches!(r.status, Status::New | Status::Contacted);
    if !r.status.can_become(Status::Assigned) && !standby {
        return Err(AppError::Conflict(if r.status.has_consent() {
            "intake.err_state"
        } else {
            "assign.no_consent"
        }));
    }
    book(&mut tx, state, Some(&actor.user_id), &r, bisidder, false).await?;
    let entry = Entry {
        subject_person_id: Some(&r.person_id),
        ..Entry::by_user(&actor.user_id, Some(&r.org_id))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::BisidderAssigned,
        entry.resource("request", request).detail(bisidder),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Offers the request to the best candidates: one at a time (`sequential`, each with a
/// time limit, the next when one declines or does not answer) or to the top few at once
/// (`broadcast`, the first to accept gets it).
pub async fn offer(
    state: &AppState,
    actor: &Actor,
    request: &str,
    strategy: &str,
) -> AppResult<usize> {
    ensure(actor, Action::ManageIntake, Target::Org(org_of(actor)))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let Some(r) = load_for_change(&mut tx, actor, request).await? else {
        return Err(audit::refuse(tx, now, actor, "request", request).await);
    };
    if !["sequential", "broadcast"].contains(&strategy) {
        return Err(AppError::invalid("strategy", "intake.err_choose"));
    }
    if !r.status.can_become(Status::Offered) || r.status == Status::Offered {
        return Err(AppError::Conflict(if r.status.has_consent() {
            "intake.err_state"
        } else {
            "assign.no_consent"
        }));
    }
    let previous = pool::previous_bisidder(&mut tx, &r).await?;
    let req = pool::to_request(&r, previous).ok_or(AppError::Conflict("assign.no_meeting_time"))?;
    let (from, to) = window(&req);
    let (bisiddere, _) = pool::load(&mut tx, &r.org_id, from, to).await?;
    let ranked = matching::rank(&req, &bisiddere);
    let n = if strategy == "broadcast" { 3 } else { 5 };
    let chosen: Vec<_> = ranked.iter().take(n).collect();
    if chosen.is_empty() {
        return Err(AppError::Conflict("candidates.none"));
    }
    let timeout = offer_timeout_us(&r, now);
    for (i, c) in chosen.iter().enumerate() {
        let active = strategy == "broadcast" || i == 0;
        let status = if active { "pending" } else { "queued" };
        store::insert_offer(
            &mut tx,
            &r.org_id,
            request,
            &c.bisidder_id,
            strategy,
            i as i64 + 1,
            status,
            now,
            active.then_some(now + timeout),
        )
        .await?;
        if active {
            store::count_offer_made(&mut tx, &r.org_id, &c.bisidder_id, false).await?;
            tell_user(
                &mut tx,
                &c.bisidder_id,
                now,
                "mail.offer_subject",
                "mail.offer_body",
            )
            .await?;
        }
    }
    if !intake_store::transition(&mut tx, request, r.version, Status::Offered).await? {
        return Err(AppError::Conflict("intake.err_changed"));
    }
    crate::intake::service::log_change(
        &mut tx,
        actor,
        &r,
        now,
        "offered",
        Some(strategy),
        AuditAction::OffersMade,
        strategy,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(chosen.len())
}

/// How long a bisidder has to answer: 15 minutes for urgent requests, else 2 hours, and
/// never past the request's deadline.
fn offer_timeout_us(r: &RequestRow, now: i64) -> i64 {
    let base = if r.urgent {
        15 * 60_000_000
    } else {
        2 * 3_600_000_000
    };
    match r.deadline_at {
        Some(d) if d > now => base.min(((d - now) / 2).max(5 * 60_000_000)),
        _ => base,
    }
}

/// A bisidder's open offers with what they need to decide (first name, age, time, place):
/// personal data, so the look is audited.
pub async fn my_offers(
    state: &AppState,
    actor: &Actor,
) -> AppResult<Vec<(store::Offer, RequestRow)>> {
    let org = org_of(actor);
    ensure(actor, Action::AnswerOwnOffers, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let mut out = Vec::new();
    for o in store::pending_offers_for(&mut tx, &actor.user_id).await? {
        if o.org_id != org {
            continue;
        }
        if let Some(r) = intake_store::get(&mut tx, &o.org_id, &o.request_id).await? {
            let entry = Entry {
                subject_person_id: Some(&r.person_id),
                ..Entry::by_user(&actor.user_id, Some(org))
            };
            audit::record(
                &mut tx,
                state.clock.now_us(),
                AuditAction::RequestViewed,
                entry.resource("offer", &o.id),
            )
            .await?;
            out.push((o, r));
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// A bisidder answers an offer. Accepting books them (first acceptance wins a broadcast);
/// declining passes a sequential offer on to the next candidate.
pub async fn answer_offer(
    state: &AppState,
    actor: &Actor,
    offer_id: &str,
    accept: bool,
) -> AppResult<()> {
    ensure(actor, Action::AnswerOwnOffers, Target::Org(org_of(actor)))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let found = store::get_offer(&mut tx, offer_id).await?.filter(|o| {
        o.bisidder_user_id == actor.user_id && Some(&o.org_id) == actor.org_id.as_ref()
    });
    let Some(o) = found else {
        return Err(audit::refuse(tx, now, actor, "offer", offer_id).await);
    };
    if o.status != "pending" || o.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::Conflict("offer.gone"));
    }
    let r = intake_store::get(&mut tx, &o.org_id, &o.request_id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::count_offer_made(&mut tx, &o.org_id, &actor.user_id, true).await?;
    if accept {
        if r.status != Status::Offered {
            store::answer_offer(&mut tx, offer_id, "withdrawn", now).await?;
            tx.commit().await?;
            return Err(AppError::Conflict("offer.gone"));
        }
        // The conditional update is the race's referee: of two acceptances, one wins.
        if !intake_store::transition(&mut tx, &r.id, r.version, Status::Offered).await? {
            return Err(AppError::Conflict("offer.gone"));
        }
        let r = intake_store::get(&mut tx, &o.org_id, &o.request_id)
            .await?
            .ok_or(AppError::NotFound)?;
        store::answer_offer(&mut tx, offer_id, "accepted", now).await?;
        book(
            &mut tx,
            state,
            Some(&actor.user_id),
            &r,
            &actor.user_id,
            false,
        )
        .await?;
    } else {
        store::answer_offer(&mut tx, offer_id, "declined", now).await?;
        next_offer_or_back(&mut tx, &r, now).await?;
    }
    let entry = Entry {
        subject_person_id: Some(&r.person_id),
        ..Entry::by_user(&actor.user_id, Some(&o.org_id))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::OfferAnswered,
        entry
            .resource("offer", offer_id)
            .detail(if accept { "accepted" } else { "declined" }),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// After a declined or expired offer: the next queued one, or — when no offer is left —
/// the request goes back to matching and the coordinators are told.
pub async fn next_offer_or_back(tx: &mut Tx, r: &RequestRow, now: i64) -> AppResult<()> {
    let offers = store::offers_for_request(tx, &r.id).await?;
    if offers.iter().any(|o| o.status == "pending") {
        return Ok(());
    }
    if let Some(next) = offers.iter().find(|o| o.status == "queued") {
        store::activate_offer(tx, &next.id, now + offer_timeout_us(r, now)).await?;
        store::count_offer_made(tx, &r.org_id, &next.bisidder_user_id, false).await?;
        tell_user(
            tx,
            &next.bisidder_user_id,
            now,
            "mail.offer_subject",
            "mail.offer_body",
        )
        .await?;
        return Ok(());
    }
    if r.status == Status::Offered {
        let fresh = intake_store::get(tx, &r.org_id, &r.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if intake_store::transition(tx, &r.id, fresh.version, Status::Matching).await? {
            intake_store::insert_event(
                tx,
                intake_store::Event {
                    org: &r.org_id,
                    request: &r.id,
                    at: now,
                    actor_user_id: None,
                    actor_label: "system",
                    kind: "offers_exhausted",
                    detail: None,
                },
            )
            .await?;
            crate::intake::service::tell_coordinators(
                tx,
                &r.org_id,
                now,
                "mail.escalation_subject",
                "mail.escalation_body",
            )
            .await?;
        }
    }
    Ok(())
}

/// One row of the batch result, for the coordinator to see what was chosen and why.
#[derive(Clone, Debug)]
pub struct BatchRow {
    pub request_id: String,
    pub first_name: String,
    pub bisidder: Option<String>,
    pub reasons: Vec<ReasonView>,
    pub why_not: Option<&'static str>,
}

pub struct BatchView {
    pub rows: Vec<BatchRow>,
    pub assigned: usize,
    pub total_travel_minutes: u64,
    pub continuity_kept: usize,
}

/// "Assign all open requests": the batch optimiser over every consented request not yet
/// assigned, then each chosen booking made (and re-checked) in one transaction.
pub async fn assign_all(state: &AppState, actor: &Actor) -> AppResult<BatchView> {
    let org = org_of(actor).to_string();
    ensure(actor, Action::ManageIntake, Target::Org(&org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let open: Vec<RequestRow> = intake_store::open_queue(&mut tx, &org)
        .await?
        .into_iter()
        .filter(|r| matches!(r.status, Status::Consented | Status::Matching))
        .collect();
    let mut reqs = Vec::new();
    for r in &open {
        let prev = pool::previous_bisidder(&mut tx, r).await?;
        if let Some(q) = pool::to_request(r, prev) {
            reqs.push(q);
        }
    }
    let (from, to) = reqs.iter().fold((i64::MAX, i64::MIN), |(a, b), q| {
        (
            a.min(q.span.start - 36 * HOUR_S),
            b.max(q.span.end + 36 * HOUR_S),
        )
    });
    let (bisiddere, profiles) = if reqs.is_empty() {
        (Vec::new(), Default::default())
    } else {
        pool::load(&mut tx, &org, from, to).await?
    };
    let result = matching::assign_batch(&reqs, &bisiddere);
    let mut rows = Vec::new();
    for r in &open {
        let chosen = result.assignments.iter().find(|a| a.request_id == r.id);
        let mut row = BatchRow {
            request_id: r.id.clone(),
            first_name: r.first_name.clone(),
            bisidder: None,
            reasons: Vec::new(),
            why_not: None,
        };
        match chosen {
            Some(a) => {
                book(
                    &mut tx,
                    state,
                    Some(&actor.user_id),
                    r,
                    &a.bisidder_id,
                    true,
                )
                .await?;
                row.bisidder = profiles.get(&a.bisidder_id).map(|p| p.name.clone());
                row.reasons = a.reasons.iter().map(reason_view).collect();
            }
            None if r.meeting_at.is_none() => row.why_not = Some("batch.no_meeting_time"),
            None => row.why_not = Some("batch.no_candidate"),
        }
        rows.push(row);
    }
    let assigned = rows.iter().filter(|r| r.bisidder.is_some()).count();
    audit::record(
        &mut tx,
        now,
        AuditAction::BatchAssigned,
        Entry::by_user(&actor.user_id, Some(&org)).detail(&assigned.to_string()),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(BatchView {
        rows,
        assigned,
        total_travel_minutes: result.summary.total_travel_minutes,
        continuity_kept: result.summary.continuity_kept as usize,
    })
}

/// The unannounced protocol's last step: the child was asked on the spot. Yes → the
/// bisidder is invited in (the consent is recorded as given in person); no → the booking
/// is released and the request recorded as declined. Coordinators of the organisation and
/// the bisidder standing by may record it.
pub async fn standby_outcome(
    state: &AppState,
    actor: &Actor,
    request: &str,
    answer: &str,
) -> AppResult<()> {
    let org = org_of(actor);
    ensure(actor, Action::AdjustAppointments, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let coordinator = actor.has(crate::policy::Role::Coordinator);
    let r = match intake_store::get(&mut tx, org, request).await? {
        Some(r) if coordinator || r.bisidder_user_id.as_deref() == Some(actor.user_id.as_str()) => {
            r
        }
        _ => return Err(audit::refuse(tx, now, actor, "request", request).await),
    };
    if !["yes", "no"].contains(&answer) {
        return Err(AppError::invalid("answer", "intake.err_choose"));
    }
    if !r.unannounced || r.status != Status::Assigned || r.consent_at.is_some() {
        return Err(AppError::Conflict("intake.err_state"));
    }
    let kind = if answer == "yes" {
        intake_store::record_consent(
            &mut tx,
            request,
            &actor.user_id,
            "in_person",
            Some("uanmeldt samtale"),
            now,
            now,
        )
        .await?;
        "consented"
    } else {
        if !intake_store::transition(&mut tx, request, r.version, Status::Declined).await? {
            return Err(AppError::Conflict("intake.err_changed"));
        }
        intake_store::set_closed_reason(&mut tx, request, "declined_at_standby").await?;
        store::release_request(&mut tx, request, now).await?;
        let today = state
            .clock
            .now()
            .to_zoned(crate::web::fmt::copenhagen())
            .date()
            .to_string();
        sqlx::query("UPDATE cases SET closed_on = $1, close_reason = 'declined_at_standby' WHERE request_id = $2 AND closed_on IS NULL")
            .bind(&today)
            .bind(request)
            .execute(&mut *tx)
            .await?;
        "standby_released"
    };
    crate::intake::service::log_change(
        &mut tx,
        actor,
        &r,
        now,
        kind,
        Some("standby"),
        AuditAction::ConsentRecorded,
        kind,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves an appointment (coordinator of the organisation, or its own bisidder). The same
/// bisidder stays; the change is re-checked against their other bookings.
/// `times` is None when the form's date or times could not be read.
pub async fn adjust_appointment(
    state: &AppState,
    actor: &Actor,
    id: &str,
    times: Option<(i64, i64)>,
    place: Option<&str>,
    cancel: bool,
) -> AppResult<()> {
    let org = org_of(actor);
    ensure(actor, Action::AdjustAppointments, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let coordinator = actor.has(crate::policy::Role::Coordinator);
    let a = match store::get_appointment(&mut tx, org, id).await? {
        Some(a) if coordinator || a.bisidder_user_id.as_deref() == Some(actor.user_id.as_str()) => {
            a
        }
        _ => return Err(audit::refuse(tx, now, actor, "appointment", id).await),
    };
    let (starts_at, ends_at) = match times {
        _ if cancel => (0, 0),
        Some((s, e)) if e > s => (s, e),
        Some(_) => return Err(AppError::invalid("end", "appointments.err_order")),
        None => return Err(AppError::invalid("date", "intake.err_meeting_time")),
    };
    if cancel {
        store::set_appointment_status(&mut tx, id, "cancelled", now).await?;
    } else {
        if let Some(b) = &a.bisidder_user_id {
            store::lock_bisidder(&mut tx, org, b).await?;
            let others = store::bookings(
                &mut tx,
                b,
                starts_at - 86_400_000_000,
                ends_at + 86_400_000_000,
            )
            .await?;
            let here = pool::place_from(a.lat, a.lon, a.landmass.as_deref());
            let new = Interval::new(starts_at / 1_000_000, ends_at / 1_000_000);
            // The other appointments of the same request move with the plan; other
            // requests' bookings must not clash, journey included.
            let clash = others
                .iter()
                .filter(|o| o.request_id != a.request_id)
                .any(|o| {
                    let there = pool::place_from(o.lat, o.lon, o.landmass.as_deref());
                    matching::clashes(
                        &new,
                        here,
                        &Interval::new(o.starts_at / 1_000_000, o.ends_at / 1_000_000),
                        there,
                    )
                });
            if clash {
                return Err(AppError::Conflict("assign.double_booked"));
            }
        }
        store::move_appointment(&mut tx, id, starts_at, ends_at, place, now).await?;
    }
    intake_store::insert_event(
        &mut tx,
        intake_store::Event {
            org,
            request: &a.request_id,
            at: now,
            actor_user_id: Some(&actor.user_id),
            actor_label: "user",
            kind: if cancel {
                "appointment_cancelled"
            } else {
                "appointment_moved"
            },
            detail: Some(&a.kind),
        },
    )
    .await?;
    if let Some(b) = a
        .bisidder_user_id
        .as_deref()
        .filter(|b| *b != actor.user_id)
    {
        tell_user(&mut tx, b, now, "mail.changed_subject", "mail.changed_body").await?;
    }
    audit::record(
        &mut tx,
        now,
        AuditAction::AppointmentChanged,
        Entry::by_user(&actor.user_id, Some(org)).resource("appointment", id),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}
