//! HTML handlers of the directory: the public search and profiles, the analytics page,
//! the organisation's own profile (claim, complete) and the platform admin's claim queue.

use super::{
    domain,
    service::{self, Found, SearchParams},
    store::Scheme,
};
use crate::{
    auth::extract::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    web::{
        form::{FormData, FormState},
        Ctx, Html,
    },
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Template)]
#[template(path = "directory/search.html")]
pub struct SearchPage {
    ctx: Ctx,
    p: SearchParams,
    searched: bool,
    results: Vec<Found>,
    /// Every scheme A–Z when nothing was searched for.
    everyone: Vec<Scheme>,
    error: Option<(&'static str, &'static str)>,
    kommuner: Vec<(&'static str, &'static str)>,
    meeting_types: Vec<&'static str>,
    groups: &'static [&'static str],
}

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SearchParams>,
) -> AppResult<Response> {
    let searched = !p.is_empty();
    let (results, everyone, error) = if searched {
        match service::search(&state, &p).await {
            Ok(r) => (r, vec![], None),
            Err(AppError::Invalid(f)) => {
                let e = f.first().map(|e| (e.field, e.message));
                (vec![], vec![], e)
            }
            Err(e) => return Err(e),
        }
    } else {
        (vec![], service::all(&state).await?, None)
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = SearchPage {
        ctx,
        p,
        searched,
        results,
        everyone,
        error,
        kommuner: crate::web::view::kommuner(),
        meeting_types: domain::concrete_meeting_types().collect(),
        groups: domain::TARGET_GROUPS,
    };
    Ok((status, Html(page)).into_response())
}

#[derive(Template)]
#[template(path = "directory/profile.html")]
pub struct ProfilePage {
    ctx: Ctx,
    s: Scheme,
}

impl ProfilePage {
    fn kommuner(&self) -> Vec<&'static str> {
        self.s
            .coverage_kommuner
            .iter()
            .filter_map(|k| geo::kommune(k))
            .map(|k| k.name)
            .collect()
    }
    fn regions(&self) -> Vec<&'static str> {
        self.s
            .coverage_regions
            .iter()
            .filter_map(|r| geo::Region::from_code(r))
            .map(|r| r.name_da())
            .collect()
    }
}

pub async fn profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<ProfilePage>> {
    let s = service::public_profile(&state, &id).await?;
    Ok(Html(ProfilePage { ctx, s }))
}

/// One table of the analytics page: its key and (value, weighted %, unweighted %) rows.
type Section = (&'static str, Vec<(String, i64, i64)>);

#[derive(Template)]
#[template(path = "directory/analytics.html")]
pub struct AnalyticsPage {
    ctx: Ctx,
    a: serde_json::Value,
    sections: Vec<Section>,
}

pub async fn analytics(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<AnalyticsPage>> {
    let a = service::analytics(&state).await?;
    let mut sections = Vec::new();
    for key in [
        "kind_pct",
        "target_groups_pct",
        "requirements_pct",
        "turns_away_pct",
        "turn_away_reasons_pct",
        "meeting_types_pct",
        "training_pct",
        "support_pct",
        "region_pct",
        "national_pct",
    ] {
        let w = &a[key]["weighted"];
        let rows = w
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_i64().unwrap_or(0),
                            a[key]["unweighted"][k].as_i64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        sections.push((key, rows));
    }
    Ok(Html(AnalyticsPage { ctx, a, sections }))
}

#[derive(Template)]
#[template(path = "directory/own.html")]
pub struct OwnPage {
    ctx: Ctx,
    s: Option<Scheme>,
    /// Listings no organisation has claimed (id, name).
    unclaimed: Vec<(String, String)>,
    f: FormState,
    lists: Lists,
}

pub struct Lists {
    kinds: &'static [&'static str],
    groups: &'static [&'static str],
    requirements: &'static [&'static str],
    meeting_types: &'static [&'static str],
    training: &'static [&'static str],
    support: &'static [&'static str],
    turns_away: &'static [&'static str],
    meets_demand: &'static [&'static str],
    reasons: &'static [&'static str],
    regions: &'static [&'static str],
}

const LISTS: Lists = Lists {
    kinds: domain::KINDS,
    groups: domain::TARGET_GROUPS,
    requirements: domain::REQUIREMENTS,
    meeting_types: domain::MEETING_TYPES,
    training: domain::TRAINING,
    support: domain::SUPPORT,
    turns_away: domain::TURNS_AWAY,
    meets_demand: domain::MEETS_DEMAND,
    reasons: crate::intake::domain::REJECTION_REASONS,
    regions: domain::REGIONS,
};

impl OwnPage {
    /// Is `value` among the form's (or the stored profile's) answers for `field`?
    fn has(&self, field: &str, value: &str) -> bool {
        self.f
            .values
            .0
            .iter()
            .any(|(k, v)| k == field && v == value)
    }
}

/// The stored profile as form values, so the form shows what is saved.
fn values_of(s: &Scheme) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    let mut one = |k: &str, x: Option<String>| {
        if let Some(x) = x {
            v.push((k.to_string(), x));
        }
    };
    one("name", Some(s.name.clone()));
    one("kind", s.kind.clone());
    one("base_town", s.base_town.clone());
    one("kommuner", Some(s.coverage_kommuner.join(", ")));
    one("towns", Some(s.coverage_towns.join(", ")));
    one(
        "coverage",
        Some(
            if s.coverage_national {
                "national"
            } else {
                "area"
            }
            .into(),
        ),
    );
    one("bisiddere", s.bisiddere.map(|x| x.to_string()));
    one("tasks_per_week", s.tasks_per_week.map(|x| x.to_string()));
    one(
        "capacity_per_week",
        s.capacity_per_week.map(|x| x.to_string()),
    );
    one(
        "open_hours_per_week",
        s.open_hours_per_week.map(|x| x.to_string()),
    );
    one("opening_hours", s.opening_hours.clone());
    one("request_channels", s.request_channels.clone());
    one("contact_phone", s.contact_phone.clone());
    one("contact_email", s.contact_email.clone());
    one("website", s.website.clone());
    one("turns_away", s.turns_away.clone());
    one("meets_demand", s.meets_demand.clone());
    one("gives_advice", s.gives_advice.then(|| "1".into()));
    one("at_capacity", s.at_capacity.then(|| "1".into()));
    for (k, list) in [
        ("regions", &s.coverage_regions),
        ("target_groups", &s.target_groups),
        ("requirements", &s.requirements),
        ("meeting_types", &s.meeting_types),
        ("training", &s.training),
        ("support", &s.support),
        ("turn_away_reasons", &s.turn_away_reasons),
    ] {
        for x in list {
            v.push((k.to_string(), x.clone()));
        }
    }
    v
}

async fn own_page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    f: Option<FormState>,
) -> AppResult<OwnPage> {
    let s = service::own(state, u.actor()).await?;
    let unclaimed = if s.is_none() {
        service::all(state)
            .await?
            .into_iter()
            .filter(|x| x.org_id.is_none())
            .map(|x| (x.id, x.name))
            .collect()
    } else {
        vec![]
    };
    let f = match f {
        Some(f) => f,
        None => {
            let mut f = FormState::default();
            if let Some(s) = &s {
                f.values = FormData(values_of(s));
            }
            f
        }
    };
    Ok(OwnPage {
        ctx,
        s,
        unclaimed,
        f,
        lists: LISTS,
    })
}

pub async fn own(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<OwnPage>> {
    Ok(Html(own_page(&state, ctx, &u, None).await?))
}

pub async fn save_own(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    match service::save_profile(&state, u.actor(), &form).await {
        Ok(()) => Ok(Redirect::to("/org/scheme?saved=1").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let f = FormState::new(form, Some(e))?;
            let page = own_page(&state, ctx, &u, Some(f)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn claim(
    State(state): State<AppState>,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Redirect> {
    service::claim(&state, u.actor(), form.get("scheme")).await?;
    Ok(Redirect::to("/org/scheme"))
}

#[derive(Template)]
#[template(path = "directory/claims.html")]
pub struct ClaimsPage {
    ctx: Ctx,
    claims: Vec<(Scheme, String)>,
}

pub async fn claims(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<ClaimsPage>> {
    let claims = service::claims(&state, u.actor()).await?;
    Ok(Html(ClaimsPage { ctx, claims }))
}

pub async fn decide(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Redirect> {
    service::decide_claim(&state, u.actor(), &id, form.get("decision") == "verify").await?;
    Ok(Redirect::to("/platform/directory"))
}

/// Refers a request to another scheme (the request page shows the problem otherwise).
pub async fn refer(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let result = super::referral::refer(&state, u.actor(), &id, &form).await;
    crate::intake::after_change(&state, ctx, &u, &id, result).await
}

/// The sending coordinator records the answer of a scheme that is not on the platform.
pub async fn outcome(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Redirect> {
    let request =
        super::referral::record_outcome(&state, u.actor(), &id, form.get("outcome")).await?;
    Ok(Redirect::to(&format!("/intake/{request}")))
}
