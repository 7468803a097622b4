//! HTML handlers for reports of concern.

use super::{domain, service};
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
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Template)]
#[template(path = "concerns/form.html")]
pub struct FormPage {
    ctx: Ctx,
    case_id: String,
    f: FormState,
    kommuner: Vec<(&'static str, &'static str)>,
    categories: &'static [&'static str],
}

impl FormPage {
    fn checked(&self, category: &str) -> bool {
        self.f
            .values
            .0
            .iter()
            .any(|(k, v)| k == "category" && v == category)
    }
}

fn form_page(ctx: Ctx, case_id: &str, f: FormState) -> FormPage {
    FormPage {
        ctx,
        case_id: case_id.to_string(),
        f,
        kommuner: crate::web::view::kommuner(),
        categories: &domain::CATEGORIES,
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<FormPage>> {
    let c = service::case_for_new(&state, u.actor(), &id).await?;
    // The form starts from what the case knows about the child.
    let name = match &c.last_name {
        Some(l) => format!("{} {l}", c.first_name),
        None => c.first_name.clone(),
    };
    let values = FormData(vec![
        ("child_name".into(), name),
        (
            "child_birth_date".into(),
            c.birth_date.clone().unwrap_or_default(),
        ),
        ("kommune".into(), c.kommune_code.clone().unwrap_or_default()),
    ]);
    Ok(Html(form_page(ctx, &id, FormState::new(values, None)?)))
}

pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match service::file(&state, u.actor(), &id, &form).await {
        Ok(report) => Ok(Redirect::to(&format!("/reports/{report}")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            // The CPR number is never echoed back into the page.
            let mut values = form;
            values.0.retain(|(k, _)| k != "cpr");
            let page = form_page(ctx, &id, FormState::new(values, Some(e))?);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "concerns/detail.html")]
pub struct DetailPage {
    ctx: Ctx,
    d: service::ReportDetail,
    kommune: String,
    sent_how: &'static [&'static str],
    today: String,
    error: Option<&'static str>,
}

async fn detail_page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    id: &str,
    error: Option<&'static str>,
) -> AppResult<DetailPage> {
    let d = service::get(state, u.actor(), id, false).await?;
    Ok(DetailPage {
        kommune: crate::web::view::kommune(&d.report.kommune_code),
        ctx,
        d,
        sent_how: domain::SENT_HOW,
        today: state
            .clock
            .now()
            .to_zoned(crate::web::fmt::copenhagen())
            .date()
            .to_string(),
        error,
    })
}

pub async fn view(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<DetailPage>> {
    Ok(Html(detail_page(&state, ctx, &u, &id, None).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let (status, key) = match service::update(&state, u.actor(), &id, &form).await {
        Ok(()) => return Ok(Redirect::to(&format!("/reports/{id}")).into_response()),
        Err(AppError::Invalid(f)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            f.first().map(|f| f.message).unwrap_or("error.invalid"),
        ),
        Err(AppError::Conflict(k)) => (StatusCode::CONFLICT, k),
        Err(e) => return Err(e),
    };
    Ok((
        status,
        Html(detail_page(&state, ctx, &u, &id, Some(key)).await?),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "concerns/letter.html")]
pub struct LetterPage {
    ctx: Ctx,
    d: service::ReportDetail,
    kommune: String,
    org_name: String,
    author: String,
    today: String,
}

pub async fn letter(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<LetterPage>> {
    let d = service::get(&state, u.actor(), &id, true).await?;
    let org_name = ctx
        .user
        .as_ref()
        .and_then(|n| n.org_name.clone())
        .unwrap_or_default();
    Ok(Html(LetterPage {
        kommune: crate::web::view::kommune(&d.report.kommune_code),
        author: u.actor().name.clone(),
        org_name,
        today: state
            .clock
            .now()
            .to_zoned(crate::web::fmt::copenhagen())
            .date()
            .to_string(),
        ctx,
        d,
    }))
}
