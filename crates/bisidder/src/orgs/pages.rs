use super::{service, store::StaffMember};
use crate::{
    audit::AuditRow,
    auth::extract::CurrentUser,
    dashboard::store::OrgSummary,
    error::AppResult,
    notify::Message,
    state::AppState,
    web::{Ctx, Html},
};
use askama::Template;
use axum::extract::State;

#[derive(Template)]
#[template(path = "orgs/users.html")]
pub struct UsersPage {
    ctx: Ctx,
    staff: Vec<StaffMember>,
}

pub async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<UsersPage>> {
    let staff = service::staff(&state, u.actor()).await?;
    Ok(Html(UsersPage { ctx, staff }))
}

#[derive(Template)]
#[template(path = "orgs/audit.html")]
pub struct AuditPage {
    ctx: Ctx,
    rows: Vec<AuditRow>,
}

impl AuditPage {
    fn when(&self, at: &i64) -> String {
        crate::web::fmt::local_datetime(*at)
    }
}

pub async fn audit(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<AuditPage>> {
    let rows = service::audit_log(&state, u.actor()).await?;
    Ok(Html(AuditPage { ctx, rows }))
}

#[derive(Template)]
#[template(path = "orgs/platform.html")]
pub struct PlatformPage {
    ctx: Ctx,
    orgs: Vec<OrgSummary>,
    mail: Vec<Message>,
}

impl PlatformPage {
    fn when(&self, at: &i64) -> String {
        crate::web::fmt::local_datetime(*at)
    }
}

pub async fn platform(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<PlatformPage>> {
    let mail = service::dev_mailbox(&state, u.actor()).await?;
    let orgs = crate::dashboard::service::start(&state, u.actor())
        .await?
        .platform
        .unwrap_or_default();
    Ok(Html(PlatformPage { ctx, orgs, mail }))
}

pub async fn export(
    State(state): State<AppState>,
    u: CurrentUser,
) -> AppResult<axum::response::Response> {
    use axum::{http::header, response::IntoResponse};
    let text = service::export(&state, u.actor()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bisidder-export.jsonl\"",
            ),
        ],
        text,
    )
        .into_response())
}

/// A CSV import template (no data: a header and an example row).
pub async fn template_persons(
    state: State<AppState>,
    u: CurrentUser,
) -> AppResult<axum::response::Response> {
    template(state, u, crate::import::csv::TEMPLATES[0].0).await
}

pub async fn template_cases(
    state: State<AppState>,
    u: CurrentUser,
) -> AppResult<axum::response::Response> {
    template(state, u, crate::import::csv::TEMPLATES[1].0).await
}

pub async fn template_reports(
    state: State<AppState>,
    u: CurrentUser,
) -> AppResult<axum::response::Response> {
    template(state, u, crate::import::csv::TEMPLATES[2].0).await
}

async fn template(
    State(state): State<AppState>,
    u: CurrentUser,
    file: &str,
) -> AppResult<axum::response::Response> {
    use axum::{http::header, response::IntoResponse};
    let (name, text) = service::template(&state, u.actor(), file)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response())
}
