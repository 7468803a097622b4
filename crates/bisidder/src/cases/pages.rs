//! HTML handlers for case work: parse, call one service function, render.

use super::{
    domain,
    service::{self, CaseView, Viewer},
};
use crate::{
    auth::extract::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    web::{form::FormData, i18n::Lang, Ctx, Html},
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Template)]
#[template(path = "cases/list.html")]
pub struct ListPage {
    ctx: Ctx,
    rows: Vec<super::store::CaseRow>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<ListPage>> {
    let rows = service::list(&state, u.actor()).await?;
    Ok(Html(ListPage { ctx, rows }))
}

/// An appointment as the case page shows it.
pub struct ApptView {
    pub a: super::store::CaseAppointment,
    pub hours: String,
    pub km: String,
    pub past: bool,
}

#[derive(Template)]
#[template(path = "cases/detail.html")]
pub struct CasePage {
    ctx: Ctx,
    v: CaseView,
    appts: Vec<ApptView>,
    error: Option<&'static str>,
    authorities: &'static [&'static str],
    close_reasons: &'static [&'static str],
    handover_reasons: &'static [&'static str],
    inquiry_from: &'static [&'static str],
    inquiry_channels: &'static [&'static str],
    today: String,
}

impl CasePage {
    fn full(&self) -> bool {
        self.v.viewer != Viewer::Logistics
    }
    fn coordinator(&self) -> bool {
        self.v.viewer == Viewer::Coordinator
    }
    fn logistics(&self) -> bool {
        self.v.viewer == Viewer::Logistics
    }
    fn open(&self) -> bool {
        self.v.case.closed_on.is_none()
    }
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    id: &str,
    error: Option<&'static str>,
) -> AppResult<CasePage> {
    let v = service::view(state, u.actor(), id).await?;
    let now = state.clock.now_us();
    let danish = ctx.lang == Lang::Da;
    let appts = v
        .appointments
        .iter()
        .map(|a| ApptView {
            hours: a
                .worked_minutes
                .map(|m| domain::hours_text(m, danish))
                .unwrap_or_default(),
            km: a.mileage_km.map(|k| k.to_string()).unwrap_or_default(),
            past: a.starts_at <= now,
            a: a.clone(),
        })
        .collect();
    let today = state
        .clock
        .now()
        .to_zoned(crate::web::fmt::copenhagen())
        .date()
        .to_string();
    Ok(CasePage {
        ctx,
        v,
        appts,
        error,
        authorities: crate::intake::domain::AUTHORITIES,
        close_reasons: domain::CLOSE_REASONS,
        handover_reasons: domain::HANDOVER_REASONS,
        inquiry_from: domain::INQUIRY_FROM,
        inquiry_channels: domain::INQUIRY_CHANNELS,
        today,
    })
}

pub async fn view(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<CasePage>> {
    Ok(Html(page(&state, ctx, &u, &id, None).await?))
}

/// After a change on the case page: back to it (at `anchor`), or the page again with the
/// problem and a status that says what went wrong.
async fn after(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    id: &str,
    anchor: &str,
    result: AppResult<()>,
) -> AppResult<Response> {
    let (status, key) = match result {
        Ok(()) => return Ok(Redirect::to(&format!("/cases/{id}#{anchor}")).into_response()),
        Err(AppError::Invalid(f)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            f.first().map(|f| f.message).unwrap_or("error.invalid"),
        ),
        Err(AppError::Conflict(k)) => (StatusCode::CONFLICT, k),
        Err(e) => return Err(e),
    };
    Ok((status, Html(page(state, ctx, u, id, Some(key)).await?)).into_response())
}

pub async fn add_note(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let shared = form.get("shared") == "1";
    let r = service::add_note(&state, u.actor(), &id, form.raw("body"), shared).await;
    after(&state, ctx, &u, &id, "notes", r.map(|_| ())).await
}

pub async fn decision(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::record_decision(&state, u.actor(), &id, &form).await;
    after(&state, ctx, &u, &id, "decisions", r.map(|_| ())).await
}

pub async fn exclusion(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::record_exclusion(&state, u.actor(), &id, &form).await;
    after(&state, ctx, &u, &id, "exclusions", r).await
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::close(&state, u.actor(), &id, form.get("reason")).await;
    after(&state, ctx, &u, &id, "timeline", r).await
}

pub async fn handover(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::hand_over(&state, u.actor(), &id, form.get("to"), form.get("reason")).await;
    after(&state, ctx, &u, &id, "appointments", r.map(|_| ())).await
}

pub async fn log_inquiry(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::log_inquiry(&state, u.actor(), &id, &form).await;
    after(&state, ctx, &u, &id, "inquiries", r.map(|_| ())).await
}

pub async fn answer_inquiry(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let case = service::answer_inquiry(&state, u.actor(), &id, form.raw("answer")).await?;
    Ok(Redirect::to(&format!("/cases/{case}#inquiries")).into_response())
}

pub async fn outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match service::appointment_outcome(&state, u.actor(), &id, &form).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{case}#appointments")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let case = service::case_of_appointment(&state, u.actor(), &id).await?;
            after(&state, ctx, &u, &case, "appointments", Err(e)).await
        }
        Err(e) => Err(e),
    }
}
