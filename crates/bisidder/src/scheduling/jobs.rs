//! Time-driven work, run by the background worker every few seconds and safe to run on
//! several instances at once (each step is a conditional update that only one wins):
//! expired offers pass to the next candidate, reminders go out before appointments, and
//! requests near their deadline are escalated by e-mail and SMS.

use super::{service, store};
use crate::{
    clock::{HOUR_US, MINUTE_US},
    intake::store as intake_store,
    notify,
    state::AppState,
    store::row,
    web::i18n::{self, Lang},
};

pub const REMIND_BEFORE_US: i64 = 24 * HOUR_US;
pub const ESCALATE_BEFORE_US: i64 = 2 * HOUR_US;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub offers_expired: usize,
    pub reminders: usize,
    pub escalations: usize,
}

pub async fn tick(state: &AppState) -> anyhow::Result<Tick> {
    let mut t = Tick::default();
    let now = state.clock.now_us();
    // Offers that were not answered in time.
    let mut conn = state.db.pool.acquire().await?;
    let expired = store::expired_offers(&mut conn, now).await?;
    drop(conn);
    for o in expired {
        let mut tx = state.db.begin().await?;
        if store::answer_offer(&mut tx, &o.id, "expired", now).await? {
            if let Some(r) = intake_store::get(&mut tx, &o.org_id, &o.request_id).await? {
                service::next_offer_or_back(&mut tx, &r, now)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            t.offers_expired += 1;
        }
        tx.commit().await?;
    }
    // Reminders before appointments, to the bisidder and — only by the channel the person
    // said is safe, and with a neutral text — to the person.
    let mut tx = state.db.begin().await?;
    let due = sqlx::query(
        "SELECT a.id, a.bisidder_user_id, a.starts_at, p.phone, p.safe_channel FROM appointments a \
         JOIN requests r ON r.id = a.request_id JOIN persons p ON p.id = r.person_id \
         WHERE a.status = 'planned' AND a.reminded_at IS NULL AND a.starts_at > $1 AND a.starts_at <= $2 LIMIT 100",
    )
    .bind(now)
    .bind(now + REMIND_BEFORE_US)
    .fetch_all(&mut *tx)
    .await?;
    for a in &due {
        let id = row::s(a, "id")?;
        let claimed = sqlx::query(
            "UPDATE appointments SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        if let Some(b) = row::os(a, "bisidder_user_id")? {
            service::tell_user(
                &mut tx,
                &b,
                now,
                "mail.reminder_subject",
                "mail.reminder_body",
            )
            .await?;
        }
        if let (Some(phone), Some("sms")) =
            (row::os(a, "phone")?, row::os(a, "safe_channel")?.as_deref())
        {
            let when = crate::web::fmt::local_datetime(row::i(a, "starts_at")?);
            notify::enqueue_sms(
                &mut tx,
                now,
                &phone,
                &i18n::t(Lang::Da, "sms.person_reminder").replace("{n}", &when),
            )
            .await?;
        }
        t.reminders += 1;
    }
    // Escalation: a consented request close to its deadline, or a new request nobody has
    // called back (urgent: 15 minutes; otherwise 4 hours).
    let late = sqlx::query(
        "SELECT r.id, r.org_id, o.duty_phone FROM requests r JOIN organisations o ON o.id = r.org_id \
         WHERE r.escalated_at IS NULL AND r.status IN ('new','contacted','consented','matching','offered') AND \
         ((r.deadline_at IS NOT NULL AND r.deadline_at - $1 < $2) OR \
          (r.status = 'new' AND r.urgent = 1 AND r.created_at < $1 - $3) OR \
          (r.status = 'new' AND r.created_at < $1 - $4)) LIMIT 100",
    )
    .bind(now)
    .bind(ESCALATE_BEFORE_US)
    .bind(15 * MINUTE_US)
    .bind(4 * HOUR_US)
    .fetch_all(&mut *tx)
    .await?;
    for r in &late {
        let id = row::s(r, "id")?;
        let org = row::s(r, "org_id")?;
        let claimed = sqlx::query(
            "UPDATE requests SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL",
        )
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        crate::intake::service::tell_coordinators(
            &mut tx,
            &org,
            now,
            "mail.escalation_subject",
            "mail.escalation_body",
        )
        .await?;
        if let Some(phone) = row::os(r, "duty_phone")? {
            notify::enqueue_sms(
                &mut tx,
                now,
                &phone,
                i18n::t(Lang::Da, "mail.escalation_subject"),
            )
            .await?;
        }
        intake_store::insert_event(
            &mut tx,
            intake_store::Event {
                org: &org,
                request: &id,
                at: now,
                actor_user_id: None,
                actor_label: "system",
                kind: "escalated",
                detail: None,
            },
        )
        .await?;
        t.escalations += 1;
    }
    tx.commit().await?;
    if t != Tick::default() {
        state.outbox_wake.notify_one();
    }
    // Qualifications about to expire, and bisiddere whose have (SPEC C10).
    crate::volunteers::service::warn_expiring(state).await?;
    Ok(t)
}
