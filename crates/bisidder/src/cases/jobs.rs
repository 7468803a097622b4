//! Time-driven reminders of case work, run by the background worker with the other jobs;
//! each reminder is claimed with a conditional update so it goes out once, also with
//! several instances:
//! * a complaint deadline within [`domain::COMPLAINT_REMIND_DAYS`] days → the case's
//!   bisidder;
//! * a report of concern still unacknowledged after its 6 working days → the bisidder who
//!   filed it.
//!
//! The messages are neutral ("sign in to see it"): no names, no case details.

use super::domain;
use crate::{scheduling::service::tell_user, state::AppState, store::row};
use jiff::ToSpan;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub complaint_reminders: usize,
    pub ack_reminders: usize,
}

pub async fn tick(state: &AppState) -> anyhow::Result<Tick> {
    let mut t = Tick::default();
    let now = state.clock.now_us();
    let today = state
        .clock
        .now()
        .to_zoned(crate::web::fmt::copenhagen())
        .date();
    let horizon = today.checked_add(domain::COMPLAINT_REMIND_DAYS.days())?;
    let mut tx = state.db.begin().await?;
    let due = sqlx::query(
        "SELECT d.id, c.bisidder_user_id FROM case_decisions d JOIN cases c ON c.id = d.case_id \
         WHERE d.reminded_at IS NULL AND d.deadline_on IS NOT NULL AND d.deadline_on >= $1 AND d.deadline_on <= $2 \
         AND c.closed_on IS NULL LIMIT 100",
    )
    .bind(today.to_string())
    .bind(horizon.to_string())
    .fetch_all(&mut *tx)
    .await?;
    for d in &due {
        let claimed = sqlx::query(
            "UPDATE case_decisions SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(now)
        .bind(row::s(d, "id")?)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        if let Some(b) = row::os(d, "bisidder_user_id")? {
            tell_user(
                &mut tx,
                &b,
                now,
                "mail.complaint_subject",
                "mail.complaint_body",
            )
            .await?;
        }
        t.complaint_reminders += 1;
    }
    let late = sqlx::query(
        "SELECT id, created_by_user_id FROM reports_of_concern WHERE acknowledged_on IS NULL AND ack_reminded_at IS NULL \
         AND ack_due_on IS NOT NULL AND ack_due_on < $1 LIMIT 100",
    )
    .bind(today.to_string())
    .fetch_all(&mut *tx)
    .await?;
    for r in &late {
        let claimed = sqlx::query(
            "UPDATE reports_of_concern SET ack_reminded_at = $1 WHERE id = $2 AND ack_reminded_at IS NULL",
        )
        .bind(now)
        .bind(row::s(r, "id")?)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        if let Some(b) = row::os(r, "created_by_user_id")? {
            tell_user(&mut tx, &b, now, "mail.ack_subject", "mail.ack_body").await?;
        }
        t.ack_reminders += 1;
    }
    tx.commit().await?;
    if t != Tick::default() {
        state.outbox_wake.notify_one();
    }
    Ok(t)
}
