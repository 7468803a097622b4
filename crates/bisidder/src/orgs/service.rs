use super::store::{self, StaffMember};
use crate::{
    audit::{self, AuditAction, AuditRow, Entry},
    error::AppResult,
    notify::{self, Message},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
};

fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

/// The staff list is colleagues' personal data (names, e-mail): audited.
pub async fn staff(state: &AppState, actor: &Actor) -> AppResult<Vec<StaffMember>> {
    let org = org_of(actor);
    ensure(actor, Action::ListOrgUsers, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let list = store::staff(&mut tx, org).await?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::OrgUsersViewed,
        Entry::by_user(&actor.user_id, Some(org)),
    )
    .await?;
    tx.commit().await?;
    Ok(list)
}

pub async fn audit_log(state: &AppState, actor: &Actor) -> AppResult<Vec<AuditRow>> {
    let org = org_of(actor);
    ensure(actor, Action::ViewOrgAudit, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let rows = audit::list_for_org(&mut tx, org, 200).await?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::OrgAuditViewed,
        Entry::by_user(&actor.user_id, Some(org)),
    )
    .await?;
    tx.commit().await?;
    Ok(rows)
}

/// The organisation's persons, cases and reports of concern in the import format
/// (SPEC §7). Personal data (birth dates by kommune): organisation admins only, audited.
pub async fn export(state: &AppState, actor: &Actor) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::ExportOrgData, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let text = crate::import::export::export(&mut tx, org)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::OrgExported,
        Entry::by_user(&actor.user_id, Some(org)).resource("organisation", org),
    )
    .await?;
    tx.commit().await?;
    Ok(text)
}

/// One of the CSV import templates, by file name.
pub fn template(
    _state: &AppState,
    actor: &Actor,
    file: &str,
) -> AppResult<(&'static str, &'static str)> {
    ensure(actor, Action::ExportOrgData, Target::Org(org_of(actor)))?;
    crate::import::csv::TEMPLATES
        .iter()
        .find(|(name, _)| *name == file)
        .copied()
        .ok_or(crate::error::AppError::NotFound)
}

/// Messages in the outbox: shown to platform admins so a test or demo installation without
/// SMTP can see what would have been sent.
pub async fn dev_mailbox(state: &AppState, actor: &Actor) -> AppResult<Vec<Message>> {
    ensure(actor, Action::ViewPlatform, Target::Platform)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(notify::recent(&mut conn, 50).await?)
}
