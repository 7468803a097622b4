//! Privacy use cases: retention settings, a person's data export (access request), and a
//! coordinator's exceptional "break glass" access, each audited in its own transaction.

use super::{export, retention};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{new_id, Tx},
    web::form::FormData,
};

fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

pub async fn settings(state: &AppState, actor: &Actor) -> AppResult<retention::Settings> {
    let org = org_of(actor);
    ensure(actor, Action::ManageRetention, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    retention::settings(&mut conn, org)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn save_settings(state: &AppState, actor: &Actor, form: &FormData) -> AppResult<()> {
    let org = org_of(actor);
    ensure(actor, Action::ManageRetention, Target::Org(org))?;
    let months = match form.get("months").parse::<i64>() {
        Ok(m) if (1..=retention::MAX_MONTHS).contains(&m) => m,
        _ => return Err(AppError::invalid("months", "retention.months_invalid")),
    };
    let mode = form.get("mode");
    if !retention::MODES.contains(&mode) {
        return Err(AppError::invalid("mode", "retention.mode_invalid"));
    }
    let s = retention::Settings {
        months,
        mode: mode.to_string(),
    };
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    retention::save_settings(&mut tx, org, &s).await?;
    let detail = format!("{months} {mode}");
    audit::record(
        &mut tx,
        now,
        AuditAction::RetentionChanged,
        Entry::by_user(&actor.user_id, Some(org)).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// NotFound, with its audit row, for a record outside the actor's organisation.
async fn not_found(
    mut tx: Tx,
    actor: &Actor,
    now: i64,
    action: AuditAction,
    kind: &str,
    id: &str,
) -> AppError {
    let org = org_of(actor);
    let written = audit::record(
        &mut tx,
        now,
        action,
        Entry::by_user(&actor.user_id, Some(org))
            .resource(kind, id)
            .denied(),
    )
    .await;
    match written {
        Ok(()) => match tx.commit().await {
            Ok(()) => AppError::NotFound,
            Err(e) => e.into(),
        },
        Err(e) => e.into(),
    }
}

/// Everything stored about a person of the actor's organisation (access request).
pub async fn export(
    state: &AppState,
    actor: &Actor,
    person: &str,
) -> AppResult<export::PersonData> {
    let org = org_of(actor);
    ensure(actor, Action::ExportPersonData, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let found: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM persons WHERE id = $1 AND org_id = $2")
            .bind(person)
            .bind(org)
            .fetch_one(&mut *tx)
            .await?;
    if found == 0 {
        return Err(not_found(
            tx,
            actor,
            now,
            AuditAction::PersonExported,
            "person",
            person,
        )
        .await);
    }
    let data = export::collect(&mut tx, &state.crypto, person).await?;
    let entry = Entry {
        subject_person_id: Some(person),
        ..Entry::by_user(&actor.user_id, Some(org))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::PersonExported,
        entry.resource("person", person),
    )
    .await?;
    tx.commit().await?;
    Ok(data)
}

pub struct BreakGlassRow {
    pub at: i64,
    pub user_name: String,
    pub case_id: String,
    pub reason: String,
}

/// Every break-glass access in the organisation with its reason, for the org admin's
/// review (audited as a read of the audit trail).
pub async fn break_glass_log(state: &AppState, actor: &Actor) -> AppResult<Vec<BreakGlassRow>> {
    let org = org_of(actor);
    ensure(actor, Action::ViewOrgAudit, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
        "SELECT b.id, b.created_at, u.name, b.case_id, b.reason_enc FROM break_glass b JOIN users u ON u.id = b.user_id \
         WHERE b.org_id = $1 ORDER BY b.created_at DESC LIMIT 500",
    )
    .bind(org)
    .fetch_all(&mut *tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, at, user_name, case_id, enc) in rows {
        let reason = state
            .crypto
            .decrypt("break_glass", "reason_enc", &id, &enc)?;
        out.push(BreakGlassRow {
            at,
            user_name,
            case_id,
            reason,
        });
    }
    let entry = Entry::by_user(&actor.user_id, Some(org)).detail("break_glass");
    audit::record(&mut tx, now, AuditAction::OrgAuditViewed, entry).await?;
    tx.commit().await?;
    Ok(out)
}

pub const MIN_REASON_CHARS: usize = 20;

/// The case's person, if the case is in the actor's organisation (NotFound, audited, if not).
pub async fn break_glass_target(state: &AppState, actor: &Actor, case: &str) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::BreakGlass, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let person: Option<String> =
        sqlx::query_scalar("SELECT person_id FROM cases WHERE id = $1 AND org_id = $2")
            .bind(case)
            .bind(org)
            .fetch_optional(&mut *tx)
            .await?;
    match person {
        Some(p) => {
            tx.commit().await?;
            Ok(p)
        }
        None => Err(not_found(tx, actor, now, AuditAction::BreakGlass, "case", case).await),
    }
}

/// Exceptional access to a whole case with a written reason: the reason is kept
/// (encrypted), the audit row is flagged, and the person sees it in Min sag.
pub async fn break_glass(
    state: &AppState,
    actor: &Actor,
    case: &str,
    reason: &str,
) -> AppResult<export::PersonData> {
    let org = org_of(actor);
    let person = break_glass_target(state, actor, case).await?;
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(AppError::invalid("reason", "breakglass.reason_short"));
    }
    let now = state.clock.now_us();
    let id = new_id();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO break_glass (id, org_id, case_id, user_id, reason_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(org)
        .bind(case)
        .bind(&actor.user_id)
        .bind(state.crypto.encrypt("break_glass", "reason_enc", &id, reason))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let data = export::collect(&mut tx, &state.crypto, &person).await?;
    let entry = Entry {
        subject_person_id: Some(&person),
        ..Entry::by_user(&actor.user_id, Some(org))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::BreakGlass,
        entry.resource("break_glass", &id).detail("exceptional"),
    )
    .await?;
    tx.commit().await?;
    Ok(data)
}
