//! A bisidder's profile, availability and absences in the JSON API (same fields and
//! messages as the web forms).

use super::service;
use crate::{
    auth::extract::ApiActor,
    error::AppResult,
    state::AppState,
    web::form::{FormData, JsonBody},
};
use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProfileOut {
    pub town: String,
    pub max_travel_minutes: i64,
    pub areas: Vec<String>,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
    pub gender: Option<String>,
    pub max_open_cases: i64,
    pub max_hours_per_week: i64,
    /// Weekly slots as minutes after Monday 00:00 Danish time: (start, end).
    #[schema(value_type = Vec<Vec<i64>>)]
    pub availability: Vec<(i64, i64)>,
}

/// The calling bisidder's profile.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "people", security(("bearer" = [])),
    responses((status = 200, body = ProfileOut), (status = 403, description = "Not a bisidder")))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> AppResult<Json<ProfileOut>> {
    let p = service::load(&state, &a).await?;
    let list = |s: &str| {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(Json(ProfileOut {
        areas: list(&p.areas),
        languages: list(&p.languages),
        availability: p.slots.iter().map(|(_, s, e)| (*s, *e)).collect(),
        town: p.town,
        max_travel_minutes: p.max_travel_minutes,
        skills: p.skills,
        gender: Some(p.gender).filter(|g| !g.is_empty()),
        max_open_cases: p.max_open_cases,
        max_hours_per_week: p.max_hours_per_week,
    }))
}

/// Saves the profile: `town`, `max_travel_minutes`, `areas` (kommune codes), `skills`,
/// `languages` ("da, en"), `gender`, `phone`, `max_open_cases`, `max_hours_per_week`.
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "people", security(("bearer" = [])), request_body(content = Object),
    responses((status = 204, description = "Saved"), (status = 422, description = "Invalid fields")))]
pub async fn put(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    JsonBody(body): JsonBody,
) -> AppResult<StatusCode> {
    service::save(&state, &a, &FormData::from_json(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a weekly slot: `{"weekday": "mon".."sun", "from": "HH:MM", "to": "HH:MM"}`.
#[utoipa::path(post, path = "/api/v1/me/availability", tag = "people", security(("bearer" = [])), request_body(content = Object),
    responses((status = 204, description = "Added"), (status = 422, description = "Invalid fields")))]
pub async fn add_slot(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    JsonBody(body): JsonBody,
) -> AppResult<StatusCode> {
    service::add_slot(&state, &a, &FormData::from_json(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an absence: `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "note": "…"}` (whole days).
#[utoipa::path(post, path = "/api/v1/me/absences", tag = "people", security(("bearer" = [])), request_body(content = Object),
    responses((status = 204, description = "Added"), (status = 422, description = "Invalid fields")))]
pub async fn add_absence(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    JsonBody(body): JsonBody,
) -> AppResult<StatusCode> {
    service::add_absence(&state, &a, &FormData::from_json(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
