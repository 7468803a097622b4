//! A change of bisidder (SPEC C5): appointments move or are cancelled, the person is told.

use super::{
    domain,
    service::{audit_case, event, first_name, open_case},
    store,
    store::CaseRow,
};
use crate::{
    audit::AuditAction,
    error::{AppError, AppResult},
    notify,
    policy::{Action, Actor},
    scheduling::{pool, service::tell_user, store as sched_store},
    state::AppState,
    store::Tx,
    web::i18n,
};
use matching::Interval;

/// What happened to the later appointments in a handover.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    pub moved: usize,
    pub cancelled: usize,
}

/// A change of bisidder. The new bisidder gets the later appointments that do not clash
/// with their other bookings (journey included, the booking rule of `scheduling`); those
/// that clash are cancelled and shown as such. The person is told the reason through the
/// channel they said is safe, in neutral words; both bisiddere are told to sign in. The
/// new bisidder cannot read the previous one's notes (notes are readable by their author).
pub async fn hand_over(
    state: &AppState,
    actor: &Actor,
    id: &str,
    to: &str,
    reason: &str,
) -> AppResult<Handover> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::ReassignCase,
        id,
        AuditAction::CaseHandedOver,
    )
    .await?;
    if !domain::HANDOVER_REASONS.contains(&reason) {
        return Err(AppError::invalid("reason", "intake.err_choose"));
    }
    if c.closed_on.is_some() {
        return Err(AppError::Conflict("case.err_closed"));
    }
    if c.bisidder_user_id.as_deref() == Some(to) {
        return Err(AppError::invalid("to", "case.err_same_bisidder"));
    }
    if !sched_store::lock_bisidder(&mut tx, &c.org_id, to).await? {
        return Err(AppError::invalid("to", "assign.not_active"));
    }
    let mut result = Handover::default();
    for a in store::appointments(&mut tx, &c.id).await? {
        if a.status != "planned" || a.ends_at <= now {
            continue;
        }
        let others = sched_store::bookings(
            &mut tx,
            to,
            a.starts_at - 86_400_000_000,
            a.ends_at + 86_400_000_000,
        )
        .await?;
        let here = pool::place_from(a.lat, a.lon, a.landmass.as_deref());
        let span = Interval::new(a.starts_at / 1_000_000, a.ends_at / 1_000_000);
        let clash = others.iter().any(|o| {
            let there = pool::place_from(o.lat, o.lon, o.landmass.as_deref());
            matching::clashes(
                &span,
                here,
                &Interval::new(o.starts_at / 1_000_000, o.ends_at / 1_000_000),
                there,
            )
        });
        if clash {
            sched_store::set_appointment_status(&mut tx, &a.id, "cancelled", now).await?;
            event(
                &mut tx,
                None,
                &c,
                now,
                "appointment_cancelled_on_handover",
                Some(&a.kind),
            )
            .await?;
            result.cancelled += 1;
        } else {
            store::move_to_bisidder(&mut tx, &a.id, to, now).await?;
            result.moved += 1;
        }
    }
    store::hand_over(
        &mut tx,
        &c.org_id,
        &c.id,
        c.request_id.as_deref(),
        c.bisidder_user_id.as_deref(),
        to,
        reason,
        &actor.user_id,
        now,
    )
    .await?;
    event(
        &mut tx,
        Some(actor),
        &c,
        now,
        "bisidder_changed",
        Some(reason),
    )
    .await?;
    tell_person(&mut tx, &c, to, reason, now).await?;
    tell_user(
        &mut tx,
        to,
        now,
        "mail.assigned_subject",
        "mail.assigned_body",
    )
    .await?;
    if let Some(from) = &c.bisidder_user_id {
        tell_user(
            &mut tx,
            from,
            now,
            "mail.handover_subject",
            "mail.handover_body",
        )
        .await?;
    }
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::CaseHandedOver,
        Some(reason),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(result)
}

/// The person hears of the change, with the reason, only by the channel they said is
/// safe and in words that do not say what the service is about. A person who wants to be
/// called is called by the coordinator (the timeline says so).
async fn tell_person(tx: &mut Tx, c: &CaseRow, to: &str, reason: &str, now: i64) -> AppResult<()> {
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(to)
        .fetch_one(&mut **tx)
        .await?;
    let lang = i18n::Lang::Da;
    let text = i18n::t(lang, "handover.person_message")
        .replace("{n}", &first_name(&name))
        .replace("{r}", i18n::t(lang, &format!("handover_told.{reason}")));
    match (c.safe_channel.as_deref(), &c.phone, &c.email) {
        (Some("sms"), Some(phone), _) => {
            notify::enqueue_sms(tx, now, phone, &text).await?;
        }
        (Some("email"), _, Some(email)) => {
            notify::enqueue_email(
                tx,
                now,
                email,
                i18n::t(lang, "handover.person_subject"),
                &text,
            )
            .await?;
        }
        _ => {
            event(tx, None, c, now, "person_to_be_called", None).await?;
        }
    }
    Ok(())
}
