//! HTML handlers for signing in and out and managing one's password.

use super::{
    extract::{ClientIp, CurrentUser, PendingLogin},
    service::{self, NextStep},
    session::{self, SessionInfo},
};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
    web::{form::FormData, Ctx, FormDataExt, Html},
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension,
};

/// Redirect that also sets the new session cookie.
fn redirect_with_session(state: &AppState, to: &str, cookie: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::set_cookie(state, cookie));
    r
}

/// The message key of a validation error, for re-rendering a form; other errors pass on.
fn form_error(e: AppError) -> Result<&'static str, AppError> {
    match e {
        AppError::Invalid(f) => Ok(f.first().map(|f| f.message).unwrap_or("error.invalid")),
        AppError::BadRequest(k) => Ok(k),
        other => Err(other),
    }
}

fn unprocessable<T: Template>(page: T) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response()
}

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    ctx: Ctx,
    email: String,
    error: Option<&'static str>,
}

pub async fn login_form(ctx: Ctx, session: Option<Extension<SessionInfo>>) -> Response {
    if session.is_some_and(|s| s.stage == session::STAGE_FULL) {
        return Redirect::to("/start").into_response();
    }
    Html(LoginPage {
        ctx,
        email: String::new(),
        error: None,
    })
    .into_response()
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    old: Option<Extension<SessionInfo>>,
    form: FormData,
) -> AppResult<Response> {
    let old = old.map(|s| s.id_hash.clone());
    let email = form.get("email").to_string();
    match service::login(&state, ip, &email, form.secret("password"), old).await {
        Ok(started) => {
            let to = match started.next {
                NextStep::Enrol => "/login/totp/enrol",
                NextStep::Code => "/login/totp",
                NextStep::Done => "/start",
            };
            Ok(redirect_with_session(&state, to, &started.cookie))
        }
        Err(e) => Ok(unprocessable(LoginPage {
            ctx,
            email,
            error: Some(form_error(e)?),
        })),
    }
}

#[derive(Template)]
#[template(path = "auth/code.html")]
pub struct CodePage {
    ctx: Ctx,
    error: Option<&'static str>,
}

pub async fn code_form(ctx: Ctx, PendingLogin(p): PendingLogin) -> Response {
    if p.stage == session::STAGE_ENROL {
        return Redirect::to("/login/totp/enrol").into_response();
    }
    Html(CodePage { ctx, error: None }).into_response()
}

pub async fn code(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    PendingLogin(p): PendingLogin,
    form: FormData,
) -> AppResult<Response> {
    match service::second_factor(&state, ip, &p, form.get("code")).await {
        Ok(cookie) => Ok(redirect_with_session(&state, "/start", &cookie)),
        Err(e) => Ok(unprocessable(CodePage {
            ctx,
            error: Some(form_error(e)?),
        })),
    }
}

#[derive(Template)]
#[template(path = "auth/enrol.html")]
pub struct EnrolPage {
    ctx: Ctx,
    secret: String,
    qr_data_uri: String,
    error: Option<&'static str>,
}

async fn enrol_page(
    state: &AppState,
    ctx: Ctx,
    p: &SessionInfo,
    error: Option<&'static str>,
) -> AppResult<EnrolPage> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let e = service::enrolment(state, p).await?;
    let qr_data_uri = format!("data:image/svg+xml;base64,{}", STANDARD.encode(e.qr_svg));
    Ok(EnrolPage {
        ctx,
        secret: e.secret,
        qr_data_uri,
        error,
    })
}

pub async fn enrol_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PendingLogin(p): PendingLogin,
) -> AppResult<Html<EnrolPage>> {
    Ok(Html(enrol_page(&state, ctx, &p, None).await?))
}

pub async fn enrol(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    PendingLogin(p): PendingLogin,
    form: FormData,
) -> AppResult<Response> {
    match service::second_factor(&state, ip, &p, form.get("code")).await {
        Ok(cookie) => Ok(redirect_with_session(&state, "/start", &cookie)),
        Err(e) => {
            let key = form_error(e)?;
            Ok(unprocessable(enrol_page(&state, ctx, &p, Some(key)).await?))
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    session: Option<Extension<SessionInfo>>,
) -> AppResult<Response> {
    if let Some(Extension(s)) = session {
        service::logout(&state, &s).await?;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::clear_cookie(&state));
    Ok(r)
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
pub struct ForgotPage {
    ctx: Ctx,
    sent: bool,
    error: Option<&'static str>,
}

pub async fn forgot_form(ctx: Ctx) -> Html<ForgotPage> {
    Html(ForgotPage {
        ctx,
        sent: false,
        error: None,
    })
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> AppResult<Response> {
    match service::forgot_password(&state, ip, form.get("email"), ctx.lang).await {
        Ok(()) => Ok(Html(ForgotPage {
            ctx,
            sent: true,
            error: None,
        })
        .into_response()),
        Err(e) => Ok(unprocessable(ForgotPage {
            ctx,
            sent: false,
            error: Some(form_error(e)?),
        })),
    }
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
pub struct ResetPage {
    ctx: Ctx,
    usable: bool,
    error: Option<&'static str>,
}

pub async fn reset_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Html<ResetPage>> {
    let usable = service::reset_link_usable(&state, &token).await?;
    Ok(Html(ResetPage {
        ctx,
        usable,
        error: None,
    }))
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match service::reset_password(
        &state,
        &token,
        form.secret("password"),
        form.secret("password_repeat"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/login?reset=1").into_response()),
        Err(e) => Ok(unprocessable(ResetPage {
            ctx,
            usable: true,
            error: Some(form_error(e)?),
        })),
    }
}

#[derive(Template)]
#[template(path = "auth/change.html")]
pub struct ChangePage {
    ctx: Ctx,
    done: bool,
    error: Option<&'static str>,
}

pub async fn change_form(ctx: Ctx, _u: CurrentUser) -> Html<ChangePage> {
    Html(ChangePage {
        ctx,
        done: false,
        error: None,
    })
}

pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    let result = service::change_password(
        &state,
        &u.0,
        form.secret("current_password"),
        form.secret("password"),
        form.secret("password_repeat"),
    )
    .await;
    match result {
        Ok(cookie) => {
            let mut r = Html(ChangePage {
                ctx,
                done: true,
                error: None,
            })
            .into_response();
            r.headers_mut()
                .append(header::SET_COOKIE, session::set_cookie(&state, &cookie));
            Ok(r)
        }
        Err(e) => Ok(unprocessable(ChangePage {
            ctx,
            done: false,
            error: Some(form_error(e)?),
        })),
    }
}

pub async fn switch_org(
    State(state): State<AppState>,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    service::switch_org(&state, &u.0, form.get("org")).await?;
    Ok(Redirect::to(&form.safe_return_path("return_to")).into_response())
}
