//! The intake flows in the JSON API: caseworkers' and helplines' requests, the
//! coordinator's queue and consent call.

use super::{domain::Status, service, store::RequestRow};
use crate::{
    auth::extract::ApiActor,
    error::AppResult,
    state::AppState,
    web::form::{FormData, JsonBody},
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: String,
}

/// New request for a bisidder. Fields as the web form: `first_name`, `age` or
/// `birth_date` (YYYY-MM-DD), `gender`, `phone`/`email`, `safe_channel` (sms|call|email),
/// `safe_times`, `postcode` or `kommune` (4-digit code), `authority` (SPEC §6),
/// `meeting_date` + `meeting_time` (Danish local time), `meeting_mode`, `place_text`,
/// `purpose`, `urgent`, `unannounced`, `wished_gender`, `wished_language`, `channel`
/// ("caseworker" or "helpline").
#[utoipa::path(post, path = "/api/v1/requests", tag = "intake", security(("bearer" = [])),
    request_body(content = Object, description = "The request's fields"),
    responses((status = 201, body = Created), (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing token"), (status = 403, description = "Not a requester or coordinator"),
        (status = 422, description = "Invalid fields, each named with a message")))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<Created>)> {
    let form = FormData::from_json(&body)?;
    let channel = if form.get("channel") == "helpline" {
        "helpline"
    } else {
        "caseworker"
    };
    let c = service::submit_as_user(&state, &a, &form, channel).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: c.id,
            reference: c.reference,
            status: "new".into(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RequestOut {
    pub id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: String,
    pub first_name: String,
    pub authority: String,
    pub meeting_at: Option<String>,
    pub urgent: bool,
    pub unannounced: bool,
    pub deadline_at: Option<String>,
    /// First name only (SPEC principle 3).
    pub bisidder: Option<String>,
}

fn iso(us: Option<i64>) -> Option<String> {
    us.and_then(|u| jiff::Timestamp::from_microsecond(u).ok())
        .map(|t| t.to_string())
}

impl From<&RequestRow> for RequestOut {
    fn from(r: &RequestRow) -> Self {
        RequestOut {
            id: r.id.clone(),
            reference: r.reference.clone(),
            status: r.status.as_str().into(),
            first_name: r.first_name.clone(),
            authority: r.authority.clone(),
            meeting_at: iso(r.meeting_at),
            urgent: r.urgent,
            unannounced: r.unannounced,
            deadline_at: iso(r.deadline_at),
            bisidder: r
                .bisidder_name
                .as_deref()
                .and_then(|n| n.split_whitespace().next())
                .map(str::to_string),
        }
    }
}

/// The caller's own requests (requesters) with status and bisidder's first name.
#[utoipa::path(get, path = "/api/v1/requests", tag = "intake", security(("bearer" = [])),
    responses((status = 200, body = [RequestOut]), (status = 401, description = "Missing token"), (status = 403, description = "Not a requester")))]
pub async fn mine(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> AppResult<Json<Vec<RequestOut>>> {
    Ok(Json(
        service::my_requests(&state, &a)
            .await?
            .iter()
            .map(RequestOut::from)
            .collect(),
    ))
}

/// The coordinator's intake queue, most urgent first.
#[utoipa::path(get, path = "/api/v1/intake", tag = "intake", security(("bearer" = [])),
    responses((status = 200, body = [RequestOut]), (status = 401, description = "Missing token"), (status = 403, description = "Not a coordinator")))]
pub async fn queue(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> AppResult<Json<Vec<RequestOut>>> {
    Ok(Json(
        service::queue(&state, &a)
            .await?
            .iter()
            .map(RequestOut::from)
            .collect(),
    ))
}

/// One request (coordinators of its organisation).
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "intake", security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = RequestOut), (status = 404, description = "No such request in your organisation")))]
pub async fn one(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<RequestOut>> {
    Ok(Json(RequestOut::from(
        &service::detail(&state, &a, &id).await?.request,
    )))
}

/// The consent call: `spoke_with_person` (bool), `method` (phone|sms|in_person|video),
/// `answer` (yes|no), `note`.
#[utoipa::path(post, path = "/api/v1/requests/{id}/consent", tag = "intake", security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")), request_body(content = Object),
    responses((status = 200, body = RequestOut), (status = 404, description = "No such request"), (status = 409, description = "Not in a state that takes consent"), (status = 422, description = "Invalid fields")))]
pub async fn consent(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<RequestOut>> {
    let form = FormData::from_json(&body)?;
    let status: Status = service::record_consent(&state, &a, &id, &form).await?;
    let mut out = RequestOut::from(&service::detail(&state, &a, &id).await?.request);
    out.status = status.as_str().into();
    Ok(Json(out))
}
