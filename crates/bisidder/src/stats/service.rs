//! The annual report's figures (SPEC §5) for one organisation and year, for the roles
//! that see aggregates. Coordinators and organisation admins see exact figures of their
//! own organisation; analysts (and every exported or public figure) see them after
//! disclosure control: a count of 1 or 2 is shown as "<3", with secondary suppression so
//! a hidden count cannot be recovered from a total.

use super::{domain, operational, published, report, store};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Role, Target},
    state::AppState,
};
use serde_json::Value;

pub const THRESHOLD: i64 = 3;

/// The organisation's internal id from its id, slug or import id.
pub async fn org_id(state: &AppState, org: &str) -> AppResult<String> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM organisations WHERE id = $1 OR slug = $1 OR source_id = $1 LIMIT 1",
    )
    .bind(org)
    .fetch_optional(&state.db.pool)
    .await?;
    id.ok_or(AppError::NotFound)
}

/// Everything the figures of one year are computed from.
pub struct Figures {
    pub annual: domain::Annual,
    pub counts: domain::ReportCounts,
    pub history: Vec<domain::YearCases>,
}

impl Figures {
    /// The published (disclosure-controlled) JSON.
    pub fn protected(&self, threshold: i64) -> Value {
        published::annual(&self.annual, &self.counts, &self.history, threshold)
    }
}

/// Exact figures, as SPEC §5's JSON. No access check: for the CLI operator and tests.
pub async fn compute(
    state: &AppState,
    org_id: &str,
    label: &str,
    year: i16,
) -> AppResult<domain::Annual> {
    Ok(load(state, org_id, label, year, false).await?.annual)
}

/// The figures with what disclosure control needs (every year's history). No access check.
pub async fn figures(state: &AppState, org_id: &str, label: &str, year: i16) -> AppResult<Figures> {
    load(state, org_id, label, year, true).await
}

/// Without `history`, a long history's old closed cases are only counted (one index
/// scan), which is all the exact figures need; `Figures::history` is then empty.
async fn load(
    state: &AppState,
    org_id: &str,
    label: &str,
    year: i16,
    history: bool,
) -> AppResult<Figures> {
    if !(1990..=2100).contains(&year) {
        return Err(AppError::invalid("year", "stats.err_year"));
    }
    let groups = if history {
        // Kept per organisation and year once built (see `store::old_case_groups_cached`).
        Some(store::old_case_groups_cached(&state.db, org_id, year, state.clock.now_us()).await?)
    } else {
        None
    };
    let mut conn = state.db.pool.acquire().await?;
    let cases = store::recent_cases(&mut conn, org_id, year).await?;
    let groups = match groups {
        Some(groups) => groups,
        None => {
            // Counted as one group: `annual` reads only their number (for the cumulative),
            // from the kept groups when they are there, else by an index-only count.
            let count = match store::cached_case_groups(&mut conn, org_id, year).await? {
                Some(groups) => groups.iter().map(|g| g.count).sum(),
                None => store::old_case_count(&mut conn, org_id, year).await?,
            };
            vec![domain::CaseGroup {
                opened_year: year - 2,
                closed_year: year - 1,
                authority: String::new(),
                count,
            }]
        }
    };
    // Every report figure is of the year itself.
    let reports = store::reports(
        &mut conn,
        org_id,
        &format!("{year:04}-01-01"),
        &format!("{year:04}-12-31"),
    )
    .await?;
    Ok(Figures {
        annual: domain::annual_with_groups(label, year, &cases, &groups, &reports),
        counts: domain::report_counts(year, &reports),
        history: if history {
            domain::case_history_with_groups(&cases, &groups, year)
        } else {
            Vec::new()
        },
    })
}

/// The figures a user may see: exact for their own organisation's coordinators and
/// admins, disclosure-controlled for analysts. Audited (an aggregate read, no person).
pub async fn annual(state: &AppState, actor: &Actor, org: &str, year: i16) -> AppResult<Value> {
    let id = org_id(state, org).await?;
    ensure(actor, Action::ViewAggregates, Target::Org(&id))?;
    let exact = actor.has(Role::OrgAdmin) || actor.has(Role::Coordinator);
    let figures = load(state, &id, org, year, !exact).await?;
    let v = if exact {
        serde_json::to_value(&figures.annual).map_err(AppError::internal)?
    } else {
        figures.protected(THRESHOLD)
    };
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::StatsViewed,
        Entry::by_user(&actor.user_id, Some(&id)).detail(&year.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// The annual-report page or export of the actor's organisation: exact on the page for its
/// coordinators and admins; disclosure-controlled for analysts and in every export.
/// Audited: viewing as `stats.viewed`, downloading as `stats.exported`.
pub async fn report(
    state: &AppState,
    actor: &Actor,
    year: i16,
    lang: crate::web::i18n::Lang,
    export: bool,
) -> AppResult<(report::Report, Vec<i16>)> {
    let org = actor.org_id.clone().unwrap_or_default();
    ensure(actor, Action::ViewAggregates, Target::Org(&org))?;
    let figures = figures(state, &org, &org, year).await?;
    let op = {
        let mut conn = state.db.pool.acquire().await?;
        operational::load(&mut conn, &org, year).await?
    };
    let exact = !export && (actor.has(Role::OrgAdmin) || actor.has(Role::Coordinator));
    let report = report::build(&figures, &op, exact, THRESHOLD, lang);
    let this_year = jiff::Timestamp::from_microsecond(state.clock.now_us())
        .map(|t| t.to_zoned(crate::web::fmt::copenhagen()).year())
        .unwrap_or(year);
    let first = figures
        .history
        .first()
        .map_or(this_year, |y| y.year.min(this_year));
    let years = (first..=this_year.max(year)).rev().collect();
    let mut tx = state.db.begin().await?;
    let action = if export {
        AuditAction::StatsExported
    } else {
        AuditAction::StatsViewed
    };
    audit::record(
        &mut tx,
        state.clock.now_us(),
        action,
        Entry::by_user(&actor.user_id, Some(&org)).detail(&year.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok((report, years))
}

/// The organisation's slug for the export link and the CSV import command, for those who
/// may move its data in and out (organisation admins); `None` for everyone else.
pub async fn import_slug(state: &AppState, actor: &Actor) -> AppResult<Option<String>> {
    let org = actor.org_id.as_deref().unwrap_or("");
    if !crate::policy::can(actor, Action::ExportOrgData, Target::Org(org)) {
        return Ok(None);
    }
    let mut conn = state.db.pool.acquire().await?;
    Ok(store::org_slug(&mut conn, org).await?)
}
