//! Matching and offers in the JSON API.

use super::{service, store};
use crate::{
    auth::extract::ApiActor,
    error::AppResult,
    intake::service as intake_service,
    policy::{ensure, Action, Target},
    state::AppState,
    web::form::{FormData, JsonBody},
};
use axum::{
    extract::{Path, State},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct CandidateOut {
    pub bisidder_id: String,
    pub name: String,
    pub town: String,
    /// The reasons in words, in Danish.
    pub reasons: Vec<String>,
}

/// Ranked candidates for a consented request.
#[utoipa::path(get, path = "/api/v1/requests/{id}/candidates", tag = "matching", security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = [CandidateOut]), (status = 404, description = "No such request")))]
pub async fn candidates(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<CandidateOut>>> {
    let r = intake_service::detail(&state, &a, &id).await?.request;
    let list = if r.status.has_consent() {
        service::candidates(&state, &a, &r).await?
    } else {
        Vec::new()
    };
    let t = |k: &str, v: &str| crate::web::i18n::t(crate::web::i18n::Lang::Da, k).replace("{n}", v);
    Ok(Json(
        list.into_iter()
            .map(|c| CandidateOut {
                reasons: c.reasons.iter().map(|r| t(r.key, &r.value)).collect(),
                bisidder_id: c.user_id,
                name: c.name,
                town: c.town,
            })
            .collect(),
    ))
}

/// Assigns a bisidder directly: `{"bisidder_id": "…"}`.
#[utoipa::path(post, path = "/api/v1/requests/{id}/assign", tag = "matching", security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")), request_body(content = Object),
    responses((status = 200, body = crate::intake::api::RequestOut), (status = 404, description = "No such request"), (status = 409, description = "Double-booked, no consent, or already assigned")))]
pub async fn assign(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<crate::intake::api::RequestOut>> {
    let form = FormData::from_json(&body)?;
    service::assign(&state, &a, &id, form.get("bisidder_id")).await?;
    Ok(Json(
        (&intake_service::detail(&state, &a, &id).await?.request).into(),
    ))
}

/// How a request is offered.
#[derive(Serialize, ToSchema)]
pub struct OfferIn {
    #[schema(value_type = String, pattern = "^(sequential|broadcast)$")]
    pub strategy: String,
}

/// Offers the request: `{"strategy": "sequential" | "broadcast"}`.
#[utoipa::path(post, path = "/api/v1/requests/{id}/offers", tag = "matching", security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")), request_body(content = OfferIn),
    responses((status = 200, body = crate::intake::api::RequestOut), (status = 409, description = "No candidates or not consented")))]
pub async fn offer(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<crate::intake::api::RequestOut>> {
    let form = FormData::from_json(&body)?;
    service::offer(&state, &a, &id, form.get("strategy")).await?;
    Ok(Json(
        (&intake_service::detail(&state, &a, &id).await?.request).into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct OfferOut {
    pub id: String,
    pub request_id: String,
    pub strategy: String,
    pub status: String,
    pub expires_at: Option<String>,
}

/// The calling bisidder's open offers.
#[utoipa::path(get, path = "/api/v1/me/offers", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = [OfferOut]), (status = 403, description = "Not a bisidder")))]
pub async fn my_offers(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> AppResult<Json<Vec<OfferOut>>> {
    ensure(
        &a,
        Action::AnswerOwnOffers,
        Target::Org(a.org_id.as_deref().unwrap_or("")),
    )?;
    let mut conn = state.db.pool.acquire().await?;
    let offers = store::pending_offers_for(&mut conn, &a.user_id).await?;
    Ok(Json(
        offers
            .into_iter()
            .map(|o| OfferOut {
                expires_at: o
                    .expires_at
                    .and_then(|u| jiff::Timestamp::from_microsecond(u).ok())
                    .map(|t| t.to_string()),
                id: o.id,
                request_id: o.request_id,
                strategy: o.strategy,
                status: o.status,
            })
            .collect(),
    ))
}

/// Accepts an offer (the first acceptance of a broadcast wins).
#[utoipa::path(post, path = "/api/v1/offers/{id}/accept", tag = "matching", security(("bearer" = [])),
    params(("id" = String, Path, description = "Offer id")),
    responses((status = 204, description = "Accepted and booked"), (status = 404, description = "Not your offer"), (status = 409, description = "Taken, expired or double-booked")))]
pub async fn accept(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<axum::http::StatusCode> {
    service::answer_offer(&state, &a, &id, true).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Declines an offer.
#[utoipa::path(post, path = "/api/v1/offers/{id}/decline", tag = "matching", security(("bearer" = [])),
    params(("id" = String, Path, description = "Offer id")),
    responses((status = 204, description = "Declined"), (status = 404, description = "Not your offer"), (status = 409, description = "No longer open")))]
pub async fn decline(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<axum::http::StatusCode> {
    service::answer_offer(&state, &a, &id, false).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AppointmentOut {
    pub id: String,
    pub request_id: String,
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: Option<String>,
    pub status: String,
}

/// The calling bisidder's appointments from yesterday on.
#[utoipa::path(get, path = "/api/v1/me/appointments", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = [AppointmentOut]), (status = 403, description = "Not a bisidder")))]
pub async fn my_appointments(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> AppResult<Json<Vec<AppointmentOut>>> {
    ensure(
        &a,
        Action::AnswerOwnOffers,
        Target::Org(a.org_id.as_deref().unwrap_or("")),
    )?;
    let mut conn = state.db.pool.acquire().await?;
    let iso = |u: i64| {
        jiff::Timestamp::from_microsecond(u)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    let list =
        store::for_bisidder(&mut conn, &a.user_id, state.clock.now_us() - 86_400_000_000).await?;
    Ok(Json(
        list.into_iter()
            .map(|x| AppointmentOut {
                starts_at: iso(x.starts_at),
                ends_at: iso(x.ends_at),
                id: x.id,
                request_id: x.request_id,
                kind: x.kind,
                place: x.place_text,
                status: x.status,
            })
            .collect(),
    ))
}

/// Moves or cancels an appointment: `{"date": "YYYY-MM-DD", "start": "HH:MM", "end": "HH:MM",
/// "place": "…"}` in Danish local time, or `{"cancel": true}`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}", tag = "matching", security(("bearer" = [])),
    params(("id" = String, Path, description = "Appointment id")), request_body(content = Object),
    responses((status = 204, description = "Changed"), (status = 404, description = "Not an appointment you may change"),
        (status = 409, description = "Would double-book the bisidder"), (status = 422, description = "Invalid times")))]
pub async fn adjust(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<axum::http::StatusCode> {
    let form = FormData::from_json(&body)?;
    let local = crate::intake::domain::local_timestamp;
    let times = match (
        local(form.get("date"), form.get("start")),
        local(form.get("date"), form.get("end")),
    ) {
        (Some(s), Some(e)) => Some((s.as_microsecond(), e.as_microsecond())),
        _ => None,
    };
    let place = Some(form.get("place")).filter(|p| !p.is_empty());
    service::adjust_appointment(&state, &a, &id, times, place, form.get("cancel") == "1").await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The child's answer after an unannounced conversation.
#[derive(Serialize, ToSchema)]
pub struct StandbyIn {
    #[schema(value_type = String, pattern = "^(yes|no)$")]
    pub answer: String,
}

/// The unannounced conversation's outcome: `{"answer": "yes" | "no"}`.
#[utoipa::path(post, path = "/api/v1/requests/{id}/standby", tag = "matching", security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")), request_body(content = StandbyIn),
    responses((status = 204, description = "Recorded"), (status = 404, description = "No such request"), (status = 409, description = "Not a standby awaiting the child's answer")))]
pub async fn standby(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<axum::http::StatusCode> {
    let form = FormData::from_json(&body)?;
    service::standby_outcome(&state, &a, &id, form.get("answer")).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct BatchOut {
    pub assigned: usize,
    pub total_travel_minutes: u64,
    pub continuity_kept: usize,
    /// Requests left without a bisidder: pairs of [request id, reason (i18n key)].
    #[schema(value_type = Vec<Vec<String>>)]
    pub unassigned: Vec<(String, String)>,
}

/// "Assign all open requests" with the batch optimiser.
#[utoipa::path(post, path = "/api/v1/intake/assign-all", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = BatchOut), (status = 403, description = "Not a coordinator")))]
pub async fn assign_all(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> AppResult<Json<BatchOut>> {
    let b = service::assign_all(&state, &a).await?;
    let unassigned = b
        .rows
        .iter()
        .filter_map(|r| r.why_not.map(|w| (r.request_id.clone(), w.to_string())))
        .collect();
    Ok(Json(BatchOut {
        assigned: b.assigned,
        total_travel_minutes: b.total_travel_minutes,
        continuity_kept: b.continuity_kept,
        unassigned,
    }))
}
