//! Which figures each role sees on its start page. Only counts: a start page shows no
//! personal data, so it writes no audit row.

use super::store::{self, Caseload, OrgFigures, OrgSummary};
use crate::{
    error::AppResult,
    policy::{can, Action, Actor, Target},
    state::AppState,
};

#[derive(Default)]
pub struct StartData {
    pub org: Option<OrgFigures>,
    pub coordination: bool,
    pub caseload: Option<Caseload>,
    pub own_requests: Option<(i64, i64)>,
    /// Disclosure-controlled yearly counts for analysts: (year, shown value).
    pub aggregates: Option<Vec<(String, String)>>,
    pub platform: Option<Vec<OrgSummary>>,
}

/// Counts below this are shown as "<3" to roles that see aggregates only (SPEC C8).
pub const DISCLOSURE_THRESHOLD: i64 = 3;

pub fn disclose(n: i64) -> String {
    if n > 0 && n < DISCLOSURE_THRESHOLD {
        format!("<{DISCLOSURE_THRESHOLD}")
    } else {
        n.to_string()
    }
}

pub async fn start(state: &AppState, actor: &Actor) -> AppResult<StartData> {
    let mut data = StartData::default();
    let year = state
        .clock
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Copenhagen").unwrap_or(jiff::tz::TimeZone::UTC))
        .year();
    let year_start = format!("{year:04}-01-01");
    let mut conn = state.db.pool.acquire().await?;
    if can(actor, Action::ViewPlatform, Target::Platform) {
        data.platform = Some(store::all_orgs(&mut conn).await?);
    }
    let Some(org) = actor.org_id.as_deref() else {
        return Ok(data);
    };
    let target = Target::Org(org);
    if can(actor, Action::ViewOrgOverview, target) || can(actor, Action::ViewCoordination, target) {
        data.org = Some(store::org_figures(&mut conn, org, &year_start).await?);
        data.coordination = can(actor, Action::ViewCoordination, target);
    }
    if can(actor, Action::ViewOwnCaseload, target) {
        data.caseload = Some(store::caseload(&mut conn, org, &actor.user_id, &year_start).await?);
    }
    if can(actor, Action::ViewOwnRequests, target) {
        data.own_requests = Some(store::own_requests(&mut conn, org, &actor.user_id).await?);
    }
    if can(actor, Action::ViewAggregates, target) {
        let per_year = store::cases_per_year(&mut conn, org, &year_start).await?;
        data.aggregates = Some(
            per_year
                .into_iter()
                .map(|(y, n)| (y, disclose(n)))
                .collect(),
        );
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::disclose;

    #[test]
    fn one_and_two_are_hidden_zero_and_three_are_shown() {
        assert_eq!(disclose(0), "0");
        assert_eq!(disclose(1), "<3");
        assert_eq!(disclose(2), "<3");
        assert_eq!(disclose(3), "3");
    }
}
