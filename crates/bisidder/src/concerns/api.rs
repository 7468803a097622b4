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

#[derive(Serialize, ToSchema)]
pub struct ReportDetailOut {
    pub report: ReportOut,
    pub case_id: String,
    pub description: String,
    pub follow_up: Option<String>,
    /// Whether a CPR number was given (the number itself is not sent out by the API).
    pub cpr_given: bool,
    /// Sent, not acknowledged, and past the 6 working days.
    pub acknowledgement_overdue: bool,
}

fn detail_out(d: service::ReportDetail) -> ReportDetailOut {
    ReportDetailOut {
        case_id: d.case.id,
        description: d.description,
        follow_up: d.followup,
        cpr_given: d.cpr.is_some(),
        acknowledgement_overdue: d.ack_overdue,
        report: ReportOut {
            id: d.report.id,
            kommune: d.report.kommune_code,
            categories: d.report.categories,
            acute: d.report.acute,
            sent_on: d.report.sent_on,
            sent_how: d.report.sent_how,
            ack_due_on: d.report.ack_due_on,
            acknowledged_on: d.report.acknowledged_on,
        },
    }
}

/// One report, for the bisidder who filed it or a coordinator.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path, description = "Report id")),
    responses((status = 200, body = ReportDetailOut), (status = 404, description = "No such report, or not yours")))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<ReportDetailOut>> {
    Ok(Json(detail_out(
        service::get(&state, &a, &id, false).await?,
    )))
}

/// A later step of a report: `{"step": "sent", "sent_on": "2026-03-02", "sent_how":
/// "secure_mail"}`, `{"step": "ack", "acknowledged_on": "…"}` or `{"step": "followup",
/// "followup": "…"}`.
#[utoipa::path(post, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path, description = "Report id")), request_body(content = Object),
    responses((status = 200, body = ReportDetailOut), (status = 404, description = "No such report, or not yours"), (status = 409, description = "Not sent yet"), (status = 422, description = "Invalid fields")))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<ReportDetailOut>> {
    let form = FormData::from_json(&body)?;
    service::update(&state, &a, &id, &form).await?;
    Ok(Json(detail_out(
        service::get(&state, &a, &id, false).await?,
    )))
}
