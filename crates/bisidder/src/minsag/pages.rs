//! Min sag pages. Every person-facing page uses minsag/layout.html: a quick exit, no staff
//! navigation, and the same neutral title everywhere. Errors on these pages are shown in
//! that layout too, so the quick exit is always there.

use super::{letters, service, store::Link};
use crate::{
    auth::extract::{ClientIp, CurrentUser},
    error::AppError,
    state::AppState,
    web::{cookies, form::FormData, Ctx, Html},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

pub const COOKIE: &str = "bisidder_minsag";
/// Where the quick exit and signing out lead: a neutral news site.
pub const NEUTRAL_SITE: &str = "https://www.dr.dk";

/// A civil date in Danish time, for the person's pages.
pub fn day(us: &i64) -> String {
    jiff::Timestamp::from_microsecond(*us)
        .map(|t| t.to_zoned(crate::web::fmt::copenhagen()).date().to_string())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "minsag/message.html")]
pub struct MessagePage {
    pub ctx: Ctx,
    pub heading: &'static str,
    pub text: &'static str,
}

fn message(ctx: Ctx, status: StatusCode, heading: &'static str, text: &'static str) -> Response {
    (status, Html(MessagePage { ctx, heading, text })).into_response()
}

/// An error on a person's page, in the person's layout.
fn person_error(ctx: Ctx, e: AppError) -> Response {
    match e {
        AppError::NotFound => message(
            ctx,
            StatusCode::NOT_FOUND,
            "minsag.gone_heading",
            "minsag.gone_text",
        ),
        AppError::TooManyRequests => message(
            ctx,
            StatusCode::TOO_MANY_REQUESTS,
            "minsag.wait_heading",
            "minsag.locked",
        ),
        AppError::Invalid(f) => {
            let key = f
                .first()
                .map(|f| f.message)
                .unwrap_or("minsag.feedback_choose");
            message(
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "minsag.feedback",
                key,
            )
        }
        other => other.into_response(),
    }
}

#[derive(Template)]
#[template(path = "minsag/code.html")]
pub struct CodePage {
    pub ctx: Ctx,
    pub token: String,
    pub sent: bool,
    pub error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct Sent {
    sent: Option<String>,
}

pub async fn landing(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<Sent>,
) -> Response {
    match service::check_link(&state, &token).await {
        Ok(live_code) => Html(CodePage {
            ctx,
            token,
            sent: q.sent.is_some() || live_code,
            error: None,
        })
        .into_response(),
        Err(e) => person_error(ctx, e),
    }
}

fn refused(ctx: Ctx, token: String, sent: bool, key: &'static str) -> Response {
    let status = match key {
        "minsag.locked" | "minsag.too_many_codes" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    (
        status,
        Html(CodePage {
            ctx,
            token,
            sent,
            error: Some(key),
        }),
    )
        .into_response()
}

pub async fn send_code(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Response {
    match service::send_code(&state, ip, &token).await {
        Ok(Ok(())) => Redirect::to(&format!("/minsag/{token}?sent=1")).into_response(),
        Ok(Err(key)) => refused(ctx, token, false, key),
        Err(e) => person_error(ctx, e),
    }
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    form: FormData,
) -> Response {
    match service::verify_code(&state, ip, &token, form.get("code")).await {
        Ok(Ok(session)) => {
            let secure = state.config.secure_cookies();
            let age = super::domain::SESSION_US / 1_000_000;
            let cookie = cookies::set(COOKIE, &session, secure, Some(age));
            ([(header::SET_COOKIE, cookie)], Redirect::to("/minsag")).into_response()
        }
        Ok(Err(key)) => refused(ctx, token, key != "minsag.locked", key),
        Err(e) => person_error(ctx, e),
    }
}

/// The person of this request, or the page that asks them to open their link again.
async fn person(state: &AppState, headers: &HeaderMap, ctx: &Ctx) -> Result<Link, Response> {
    let cookie = cookies::get(headers, COOKIE, state.config.secure_cookies());
    match service::person(state, cookie.as_deref()).await {
        Ok(Some(link)) => Ok(link),
        Ok(None) => Err(message(
            ctx.clone(),
            StatusCode::UNAUTHORIZED,
            "minsag.again_heading",
            "minsag.again_text",
        )),
        Err(e) => Err(person_error(ctx.clone(), e)),
    }
}

#[derive(Template)]
#[template(path = "minsag/home.html")]
pub struct HomePage {
    pub ctx: Ctx,
    pub v: service::View,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    let link = match person(&state, &headers, &ctx).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    match service::view(&state, &link).await {
        Ok(v) => Html(HomePage { ctx, v }).into_response(),
        Err(e) => person_error(ctx, e),
    }
}

#[derive(Template)]
#[template(path = "minsag/letters.html")]
pub struct LettersPage {
    pub ctx: Ctx,
    pub letters: Vec<letters::Letter>,
}

pub async fn letters_page(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    let link = match person(&state, &headers, &ctx).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    match letters::for_person(&state, &link).await {
        Ok(letters) => Html(LettersPage { ctx, letters }).into_response(),
        Err(e) => person_error(ctx, e),
    }
}

#[derive(Template)]
#[template(path = "minsag/lookups.html")]
pub struct LookupsPage {
    pub ctx: Ctx,
    pub rows: Vec<service::Lookup>,
}

impl LookupsPage {
    fn role(&self, role: &Option<String>) -> &'static str {
        self.ctx
            .tk("lookup.role", role.as_deref().unwrap_or("staff"))
    }
}

pub async fn lookups(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    let link = match person(&state, &headers, &ctx).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    match service::lookups(&state, &link).await {
        Ok(rows) => Html(LookupsPage { ctx, rows }).into_response(),
        Err(e) => person_error(ctx, e),
    }
}

pub async fn feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let link = match person(&state, &headers, &ctx).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let consent = form.get("consent") == "1";
    match service::feedback(
        &state,
        &link,
        form.get("helped"),
        form.get("quote"),
        consent,
    )
    .await
    {
        Ok(()) => Redirect::to("/minsag").into_response(),
        Err(e) => person_error(ctx, e),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let secure = state.config.secure_cookies();
    if let Some(c) = cookies::get(&headers, COOKIE, secure) {
        if let Err(e) = service::end_session(&state, &c).await {
            return e.into_response();
        }
    }
    (
        [(header::SET_COOKIE, cookies::clear(COOKIE, secure))],
        Redirect::to(NEUTRAL_SITE),
    )
        .into_response()
}

// --- Staff side: the coordinator sends the link; the bisidder writes letters. ---

#[derive(Template)]
#[template(path = "minsag/feedback_list.html")]
pub struct FeedbackListPage {
    pub ctx: Ctx,
    pub f: service::FeedbackSummary,
}

pub async fn feedback_list(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> Result<Response, AppError> {
    let f = service::feedback_summary(&state, u.actor()).await?;
    Ok(Html(FeedbackListPage { ctx, f }).into_response())
}

pub async fn send_link(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let result = service::send_link(&state, u.actor(), &id).await;
    crate::intake::pages::after_change(&state, ctx, &u, &id, result).await
}

/// From the bisidder's calendar (which knows requests) to the letters of the case.
pub async fn letters_of_request(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let case = letters::case_of_request(&state, u.actor(), &id).await?;
    Ok(Redirect::to(&format!("/me/cases/{case}/brev")).into_response())
}

#[derive(Template)]
#[template(path = "minsag/write_letter.html")]
pub struct WriteLetterPage {
    pub ctx: Ctx,
    pub case: letters::OwnCase,
    pub error: Option<&'static str>,
}

pub async fn write_letter_page(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let case = letters::for_bisidder(&state, u.actor(), &id).await?;
    Ok(Html(WriteLetterPage {
        ctx,
        case,
        error: None,
    })
    .into_response())
}

pub async fn write_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    match letters::write(&state, u.actor(), &id, form.get("letter")).await {
        Ok(()) => Ok(Redirect::to(&format!("/me/cases/{id}/brev")).into_response()),
        Err(AppError::Invalid(f)) => {
            let case = letters::for_bisidder(&state, u.actor(), &id).await?;
            let error = f.first().map(|f| f.message);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(WriteLetterPage { ctx, case, error }),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
