//! Which figures each role sees on its start page. Only counts: a start page shows no
//! personal data, so it writes no audit row.

use super::store::{self, Caseload, OrgFigures, OrgSummary};
use crate::{
    error::AppResult,
    policy::{can, Action, Actor, Target},
    state::AppState,
    store::Conn,
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
        let per_year = cases_per_year(state, &mut conn, org, &year_start).await?;
        data.aggregates = Some(
            per_year
                .into_iter()
                .map(|(y, n)| (y, disclose(n)))
                .collect(),
        );
    }
    Ok(data)
}

/// How long an organisation's earlier years' case counts are reused.
const PAST_YEARS_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// New cases per calendar year, oldest first. Earlier years change only by an import of
/// history or a retention deletion, while counting them reads every case the organisation
/// ever had (1.2 s at a million cases, bench/WEB.md): they are counted at most once a
/// minute per server (`AppState::past_years`); the current year on every call.
async fn cases_per_year(
    state: &AppState,
    conn: &mut Conn,
    org: &str,
    year_start: &str,
) -> AppResult<Vec<(String, i64)>> {
    let cached = state
        .past_years
        .lock()
        .ok()
        .and_then(|c| c.get(org).cloned())
        .filter(|(at, start, _)| at.elapsed() < PAST_YEARS_TTL && start == year_start)
        .map(|(_, _, v)| v);
    let mut years = match cached {
        Some(v) => v,
        None => {
            let v = store::cases_per_year_before(conn, org, year_start).await?;
            if let Ok(mut c) = state.past_years.lock() {
                let entry = (std::time::Instant::now(), year_start.to_string(), v.clone());
                c.insert(org.to_string(), entry);
            }
            v
        }
    };
    let current = store::cases_since(conn, org, year_start).await?;
    if current > 0 {
        years.push((year_start.chars().take(4).collect(), current));
    }
    Ok(years)
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
