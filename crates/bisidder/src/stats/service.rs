//! The annual report's figures (SPEC §5) for one organisation and year, for the roles
//! that see aggregates. Coordinators and organisation admins see exact figures of their
//! own organisation; analysts (and every exported or public figure) see them after
//! disclosure control: a count of 1 or 2 is shown as "<3", with secondary suppression so
//! a hidden count cannot be recovered from a total.

use super::{domain, store};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Role, Target},
    state::AppState,
};
use serde_json::{json, Value};

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

/// Exact figures, as SPEC §5's JSON. No access check: for the CLI operator and tests.
pub async fn compute(
    state: &AppState,
    org_id: &str,
    label: &str,
    year: i16,
) -> AppResult<domain::Annual> {
    if !(1990..=2100).contains(&year) {
        return Err(AppError::invalid("year", "stats.err_year"));
    }
    let mut conn = state.db.pool.acquire().await?;
    let cases = store::cases(&mut conn, org_id, &format!("{year:04}-12-31")).await?;
    let reports = store::reports(
        &mut conn,
        org_id,
        &format!("{:04}-01-01", year - 1),
        &format!("{year:04}-12-31"),
    )
    .await?;
    Ok(domain::annual(label, year, &cases, &reports))
}

/// The figures a user may see: exact for their own organisation's coordinators and
/// admins, disclosure-controlled for analysts. Audited (an aggregate read, no person).
pub async fn annual(state: &AppState, actor: &Actor, org: &str, year: i16) -> AppResult<Value> {
    let id = org_id(state, org).await?;
    ensure(actor, Action::ViewAggregates, Target::Org(&id))?;
    let figures = compute(state, &id, org, year).await?;
    let mut v = serde_json::to_value(&figures).map_err(AppError::internal)?;
    let exact = actor.has(Role::OrgAdmin) || actor.has(Role::Coordinator);
    if !exact {
        protect(&mut v, THRESHOLD);
    }
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

/// A published cell: the count, "<3" for a small one, "*" for one hidden only so that a
/// small one cannot be worked out (or for every hidden cell when even "<3" would tell).
fn cell(c: &domain::Cell, uniform: bool, threshold: i64) -> Value {
    match c {
        domain::Cell::Shown(n) => json!(n),
        domain::Cell::Small if !uniform => json!(format!("<{threshold}")),
        domain::Cell::Small | domain::Cell::Hidden => json!("*"),
    }
}

/// Disclosure control over the published figures: the venue breakdown with its total, and
/// every other count; percentages of reports are withheld when the report count is small.
pub fn protect(v: &mut Value, threshold: i64) {
    let venues = ["kommune", "familieretshuset", "other"];
    let counts: Vec<i64> = venues
        .iter()
        .map(|k| v["new_cases"][k].as_i64().unwrap_or(0))
        .collect();
    let p = domain::protect_vector(&counts, threshold);
    for (k, c) in venues.iter().zip(&p.cells) {
        v["new_cases"][*k] = cell(c, p.uniform_marker, threshold);
    }
    v["new_cases"]["total"] = cell(&p.total, p.uniform_marker, threshold);
    for key in [
        "active_cases",
        "carried_over",
        "cumulative",
        "persons_with_new_case",
    ] {
        if let Some(n) = v[key].as_i64() {
            if (1..threshold).contains(&n) {
                v[key] = json!(format!("<{threshold}"));
            }
        }
    }
    let reports = v["reports_of_concern"]["total"].as_i64().unwrap_or(0);
    if (1..threshold).contains(&reports) {
        v["reports_of_concern"]["total"] = json!(format!("<{threshold}"));
    }
    // A share of a small group can reveal single children: shares are shown only when
    // each underlying count is 0 or at least the threshold.
    for group in ["gender_pct", "age_band_pct", "category_pct"] {
        if let Some(obj) = v["reports_of_concern"][group].as_object_mut() {
            for (_, pct) in obj.iter_mut() {
                let count = (pct.as_f64().unwrap_or(0.0) * reports as f64 / 100.0).round() as i64;
                if (1..threshold).contains(&count) {
                    *pct = json!(format!("<{threshold}"));
                }
            }
        }
    }
    if (1..threshold).contains(&reports) {
        v["reports_of_concern"]["mean_age"] = Value::Null;
    }
}
