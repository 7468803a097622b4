//! The annual-report page and its CSV and XLSX downloads.

use super::{export, report::Report, report::Row, service};
use crate::{
    auth::extract::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    web::{Ctx, Html},
};
use askama::Template;
use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<String>,
}

fn year_of(state: &AppState, q: &YearQuery) -> AppResult<i16> {
    match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => y
            .parse::<i16>()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
            .ok_or_else(|| AppError::invalid("year", "stats.err_year")),
        None => Ok(jiff::Timestamp::from_microsecond(state.clock.now_us())
            .map(|t| t.to_zoned(crate::web::fmt::copenhagen()).year())
            .unwrap_or(2026)),
    }
}

#[derive(Template)]
#[template(path = "stats/annual.html")]
pub struct AnnualPage {
    ctx: Ctx,
    r: Report,
    years: Vec<i16>,
    /// The organisation's slug when the user may move its data in and out (admins).
    import_slug: Option<String>,
}

impl AnnualPage {
    fn v(&self, row: &Row) -> String {
        row.text(self.ctx.lang)
    }

    fn cell(&self, v: &serde_json::Value) -> String {
        super::report::fmt_value(v, super::report::Unit::Count, self.ctx.lang)
    }

    fn chart_of(&self, section: &usize, key: &str) -> bool {
        self.r.sections.get(*section).is_some_and(|s| s.key == key)
    }

    fn selected(&self, y: &i16) -> bool {
        *y == self.r.year
    }
}

pub async fn annual(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Query(q): Query<YearQuery>,
) -> AppResult<Html<AnnualPage>> {
    let year = year_of(&state, &q)?;
    let (r, years) = service::report(&state, u.actor(), year, ctx.lang, false).await?;
    let import_slug = service::import_slug(&state, u.actor()).await?;
    Ok(Html(AnnualPage {
        ctx,
        r,
        years,
        import_slug,
    }))
}

fn download(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(&state, &q)?;
    let (r, _) = service::report(&state, u.actor(), year, ctx.lang, true).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        format!("bisidder-{year}.csv"),
        export::csv(&r, ctx.lang).into_bytes(),
    ))
}

pub async fn xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(&state, &q)?;
    let (r, _) = service::report(&state, u.actor(), year, ctx.lang, true).await?;
    let body = export::xlsx(&r, ctx.lang).map_err(AppError::internal)?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("bisidder-{year}.xlsx"),
        body,
    ))
}
