//! Working a case: appointments held or cancelled (hours and mileage), an authority's
//! decision with its complaint deadline, an exclusion from a meeting, closing.

use super::{
    domain,
    service::{audit_case, denied, event, open_case, org_of, Viewer},
    store,
};
use crate::{
    audit::AuditAction,
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::new_id,
    web::form::FormData,
};
use jiff::civil::Date;

/// Marks an appointment held (with hours and mileage, for reimbursement) or cancelled.
/// Returns the case id.
pub async fn appointment_outcome(
    state: &AppState,
    actor: &Actor,
    appointment: &str,
    form: &FormData,
) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::WorkCase, Target::Org(org))?;
    let now = state.clock.now_us();
    let case_id = {
        let mut conn = state.db.pool.acquire().await?;
        store::get_appointment(&mut conn, org, appointment)
            .await?
            .and_then(|a| a.case_id)
    };
    let Some(case_id) = case_id else {
        return Err(denied(
            state,
            actor,
            "appointment",
            appointment,
            AuditAction::AppointmentOutcome,
        )
        .await);
    };
    let (mut tx, c, viewer) = open_case(
        state,
        actor,
        Action::WorkCase,
        &case_id,
        AuditAction::AppointmentOutcome,
    )
    .await?;
    let a = store::get_appointment(&mut tx, org, appointment)
        .await?
        .ok_or(AppError::NotFound)?;
    if viewer == Viewer::Bisidder && a.bisidder_user_id.as_deref() != Some(actor.user_id.as_str()) {
        return Err(AppError::NotFound);
    }
    let (status, minutes, km) = match form.get("outcome") {
        "held" => {
            let minutes = domain::parse_hours(form.get("hours"))
                .ok_or(AppError::invalid("hours", "case.err_hours"))?;
            let km =
                domain::parse_km(form.get("km")).ok_or(AppError::invalid("km", "case.err_km"))?;
            if a.starts_at > now {
                return Err(AppError::Conflict("case.err_not_yet"));
            }
            ("held", Some(minutes), Some(km))
        }
        "cancelled" => ("cancelled", None, None),
        _ => return Err(AppError::invalid("outcome", "intake.err_choose")),
    };
    if !store::set_outcome(&mut tx, appointment, status, minutes, km, now).await? {
        return Err(AppError::Conflict("case.err_outcome_done"));
    }
    let kind = if status == "held" {
        "appointment_held"
    } else {
        "appointment_cancelled"
    };
    event(&mut tx, Some(actor), &c, now, kind, Some(&a.kind)).await?;
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::AppointmentOutcome,
        Some(status),
    )
    .await?;
    tx.commit().await?;
    Ok(c.id)
}

/// The case an appointment belongs to, for showing the case page again after a refused
/// outcome (the caller already passed the access checks once).
pub async fn case_of_appointment(
    state: &AppState,
    actor: &Actor,
    appointment: &str,
) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::WorkCase, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    store::get_appointment(&mut conn, org, appointment)
        .await?
        .and_then(|a| a.case_id)
        .ok_or(AppError::NotFound)
}

fn today(state: &AppState) -> Date {
    state
        .clock
        .now()
        .to_zoned(crate::web::fmt::copenhagen())
        .date()
}

/// An authority's decision: when it was received and — for social-service decisions —
/// the complaint deadline, which the bisidder is reminded of before it runs out.
pub async fn record_decision(
    state: &AppState,
    actor: &Actor,
    id: &str,
    form: &FormData,
) -> AppResult<Option<Date>> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::WorkCase,
        id,
        AuditAction::DecisionRecorded,
    )
    .await?;
    let mut errors = Vec::new();
    let authority = form.get("authority");
    if !crate::intake::domain::AUTHORITIES.contains(&authority) {
        errors.push(crate::error::FieldError {
            field: "authority",
            message: "intake.err_choose",
        });
    }
    let kind = form.get("kind");
    if !domain::DECISION_KINDS.contains(&kind) {
        errors.push(crate::error::FieldError {
            field: "kind",
            message: "intake.err_choose",
        });
    }
    let received = domain::parse_date(form.get("received_on")).filter(|d| *d <= today(state));
    if received.is_none() {
        errors.push(crate::error::FieldError {
            field: "received_on",
            message: "case.err_date",
        });
    }
    let decided = match form.get("decided_on") {
        "" => None,
        s => match domain::parse_date(s) {
            Some(d) if received.is_none_or(|r| d <= r) => Some(d),
            _ => {
                errors.push(crate::error::FieldError {
                    field: "decided_on",
                    message: "case.err_date",
                });
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let received = received.unwrap_or_default();
    let deadline = domain::complaint_deadline(kind, received);
    let (received_s, decided_s, deadline_s) = (
        received.to_string(),
        decided.map(|d| d.to_string()),
        deadline.map(|d| d.to_string()),
    );
    store::insert_decision(
        &mut tx,
        store::NewDecision {
            org: &c.org_id,
            case: &c.id,
            authority,
            kind,
            decided_on: decided_s.as_deref(),
            received_on: &received_s,
            deadline_on: deadline_s.as_deref(),
            by: &actor.user_id,
            now,
        },
    )
    .await?;
    event(&mut tx, Some(actor), &c, now, "decision_recorded", None).await?;
    audit_case(&mut tx, now, actor, &c, AuditAction::DecisionRecorded, None).await?;
    tx.commit().await?;
    Ok(deadline)
}

/// The authority excluded the bisidder from a meeting (Barnets Lov § 6): recorded with the
/// authority's reason (encrypted: it can describe the child's situation).
pub async fn record_exclusion(
    state: &AppState,
    actor: &Actor,
    id: &str,
    form: &FormData,
) -> AppResult<()> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::WorkCase,
        id,
        AuditAction::ExclusionRecorded,
    )
    .await?;
    let on = domain::parse_date(form.get("occurred_on"))
        .filter(|d| *d <= today(state))
        .ok_or(AppError::invalid("occurred_on", "case.err_date"))?;
    let reason = form.get("reason");
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "intake.err_required"));
    }
    if reason.chars().count() > 2000 {
        return Err(AppError::invalid("reason", "intake.err_too_long"));
    }
    let appointment = Some(form.get("appointment")).filter(|a| !a.is_empty());
    if let Some(a) = appointment {
        let found = store::get_appointment(&mut tx, &c.org_id, a).await?;
        if found.and_then(|x| x.case_id).as_deref() != Some(c.id.as_str()) {
            return Err(AppError::invalid("appointment", "intake.err_choose"));
        }
    }
    let xid = new_id();
    let enc = state
        .crypto
        .encrypt("case_exclusions", "reason_enc", &xid, reason);
    store::insert_exclusion(
        &mut tx,
        &xid,
        &c.org_id,
        &c.id,
        appointment,
        &on.to_string(),
        &enc,
        &actor.user_id,
        now,
    )
    .await?;
    event(&mut tx, Some(actor), &c, now, "exclusion_recorded", None).await?;
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::ExclusionRecorded,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the case with a reason; planned appointments are cancelled.
pub async fn close(state: &AppState, actor: &Actor, id: &str, reason: &str) -> AppResult<()> {
    let now = state.clock.now_us();
    let (mut tx, c, _) =
        open_case(state, actor, Action::WorkCase, id, AuditAction::CaseClosed).await?;
    if !domain::CLOSE_REASONS.contains(&reason) {
        return Err(AppError::invalid("reason", "intake.err_choose"));
    }
    if !store::close(&mut tx, &c.id, &today(state).to_string(), reason).await? {
        return Err(AppError::Conflict("case.err_closed"));
    }
    store::cancel_planned(&mut tx, &c.id, now).await?;
    event(&mut tx, Some(actor), &c, now, "closed", Some(reason)).await?;
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::CaseClosed,
        Some(reason),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
