//! Privacy pages: retention settings (org admin), a person's data export as a page, a JSON
//! download and an API call (coordinator, org admin), and break-glass access (coordinator).

use super::{export::PersonData, retention, service};
use crate::{
    auth::extract::{ApiActor, CurrentUser},
    error::{AppError, AppResult},
    state::AppState,
    web::{form::FormData, Ctx, Html},
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Json,
};

#[derive(Template)]
#[template(path = "privacy/retention.html")]
pub struct RetentionPage {
    pub ctx: Ctx,
    pub s: retention::Settings,
    pub error: Option<&'static str>,
    pub saved: bool,
}

pub async fn retention_page(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> AppResult<Response> {
    let s = service::settings(&state, u.actor()).await?;
    let saved = q.as_deref() == Some("saved=1");
    Ok(Html(RetentionPage {
        ctx,
        s,
        error: None,
        saved,
    })
    .into_response())
}

pub async fn save_retention(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    match service::save_settings(&state, u.actor(), &form).await {
        Ok(()) => Ok(Redirect::to("/org/retention?saved=1").into_response()),
        Err(AppError::Invalid(f)) => {
            let s = service::settings(&state, u.actor()).await?;
            let error = f.first().map(|f| f.message);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(RetentionPage {
                    ctx,
                    s,
                    error,
                    saved: false,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "privacy/export.html")]
pub struct ExportPage {
    pub ctx: Ctx,
    pub data: PersonData,
    /// Shown after break-glass access instead of the access-request wording.
    pub exceptional: bool,
}

impl ExportPage {
    fn value(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => "–".into(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

pub async fn export_page(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let data = service::export(&state, u.actor(), &id).await?;
    Ok(Html(ExportPage {
        ctx,
        data,
        exceptional: false,
    })
    .into_response())
}

pub async fn export_json(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let data = service::export(&state, u.actor(), &id).await?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"data-export.json\"",
        )],
        Json(data.to_json()),
    )
        .into_response())
}

/// A person's complete data: every row about them in every table, encrypted fields
/// decrypted (an access request, SPEC C11). Audited.
#[utoipa::path(get, path = "/api/v1/persons/{id}/export", tag = "privacy", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "Table name → rows"), (status = 404, description = "No such person for you")))]
pub async fn export_api(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(service::export(&state, &a, &id).await?.to_json()))
}

#[derive(Template)]
#[template(path = "privacy/break_glass_log.html")]
pub struct BreakGlassLogPage {
    pub ctx: Ctx,
    pub rows: Vec<service::BreakGlassRow>,
}

pub async fn break_glass_log(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Response> {
    let rows = service::break_glass_log(&state, u.actor()).await?;
    Ok(Html(BreakGlassLogPage { ctx, rows }).into_response())
}

#[derive(Template)]
#[template(path = "privacy/break_glass.html")]
pub struct BreakGlassPage {
    pub ctx: Ctx,
    pub case_id: String,
    pub error: Option<&'static str>,
}

pub async fn break_glass_form(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    service::break_glass_target(&state, u.actor(), &id).await?;
    Ok(Html(BreakGlassPage {
        ctx,
        case_id: id,
        error: None,
    })
    .into_response())
}

pub async fn break_glass(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match service::break_glass(&state, u.actor(), &id, form.get("reason")).await {
        Ok(data) => Ok(Html(ExportPage {
            ctx,
            data,
            exceptional: true,
        })
        .into_response()),
        Err(AppError::Invalid(f)) => {
            let error = f.first().map(|f| f.message);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(BreakGlassPage {
                    ctx,
                    case_id: id,
                    error,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
