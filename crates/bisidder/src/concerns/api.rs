//! Reports of concern in the JSON API: list a case's reports and file one.

use super::service;
use crate::{
    auth::extract::ApiActor,
    cases::service as case_service,
    error::AppResult,
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
pub struct ReportOut {
    pub id: String,
    pub kommune: Option<String>,
    pub categories: Vec<String>,
    pub acute: bool,
    pub sent_on: Option<String>,
    pub sent_how: Option<String>,
    /// The day the municipality's acknowledgement is due (6 working days after sending).
    pub ack_due_on: Option<String>,
    pub acknowledged_on: Option<String>,
}

/// The case's reports the caller may see (a bisidder: those they filed; coordinators: all).
#[utoipa::path(get, path = "/api/v1/cases/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = [ReportOut]), (status = 404, description = "No such case, or not yours")))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<ReportOut>>> {
    // Senior consultants may open a case's logistics, but reports are not theirs.
    crate::policy::ensure(
        &a,
        crate::policy::Action::WorkCase,
        crate::policy::Target::Org(case_service::org_of(&a)),
    )?;
    let v = case_service::view(&state, &a, &id).await?;
    Ok(Json(
        v.reports
            .into_iter()
            .map(|r| ReportOut {
                id: r.id,
                kommune: r.kommune_code,
                categories: r.categories,
                acute: r.acute,
                sent_on: r.sent_on,
                sent_how: r.sent_how,
                ack_due_on: r.ack_due_on,
                acknowledged_on: r.acknowledged_on,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct FiledOut {
    pub id: String,
}

/// Files a report: `{"child_name", "child_birth_date", "cpr" (optional), "kommune",
/// "category": [...], "description", "acute": bool}`. The same checks as the form.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")), request_body(content = Object),
    responses((status = 200, body = FiledOut), (status = 404, description = "No such case, or not yours"), (status = 422, description = "Invalid fields")))]
pub async fn file(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<FiledOut>> {
    let form = FormData::from_json(&body)?;
    let id = service::file(&state, &a, &id, &form).await?;
    Ok(Json(FiledOut { id }))
}
