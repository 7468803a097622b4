//! Turning results into responses: templates, and errors rendered in the user's language
//! as an accessible HTML page or as JSON for the API.

use super::{
    cookies,
    ctx::{lang_of, Ctx},
    i18n::{self, Lang},
};
use crate::{
    error::{AppError, FieldError},
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    Json,
};

/// Renders an askama template as an HTML response.
pub struct Html<T>(pub T);

impl<T: Template> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        match self.0.render() {
            Ok(body) => axum::response::Html(body).into_response(),
            Err(e) => AppError::internal(e).into_response(),
        }
    }
}

/// Carried on error responses until [`render_errors`] gives them a body.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub key: &'static str,
    pub fields: Vec<FieldError>,
    pub reference: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let reference = match &self {
            AppError::Internal(e) => {
                let reference = crate::store::new_id();
                // The error chain names queries and constraints, never submitted values.
                tracing::error!(reference = %reference, error = %format!("{e:#}"), "internal error");
                Some(reference)
            }
            _ => None,
        };
        let fields = match &self {
            AppError::Invalid(f) => f.clone(),
            _ => Vec::new(),
        };
        let mut resp = status.into_response();
        resp.extensions_mut().insert(ErrorInfo {
            code: self.code(),
            key: self.message_key(),
            fields,
            reference,
        });
        resp
    }
}

impl AppError {
    /// For middleware that runs outside the renderer's reach: same as into_response.
    pub fn into_response_plain(self) -> Response {
        self.into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    status: u16,
    title: &'static str,
    message: &'static str,
    fields: Vec<(&'static str, &'static str)>,
    reference: Option<String>,
}

fn wants_json(req: &Request) -> bool {
    if req.uri().path().starts_with("/api/") {
        return true;
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

/// Middleware: gives every error response a body in the user's language. Also catches bare
/// error statuses from the framework (unknown method, body too large, timeouts, rejected
/// extractors) so they too get a proper page.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts, state.config.secure_cookies());
    let path = parts.uri.path().to_string();
    let req = Request::from_parts(parts, body);
    let json = wants_json(&req);
    let resp = next.run(req).await;
    let status = resp.status();
    let info = match resp.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if (status.is_client_error() || status.is_server_error()) && is_bare(&resp) => {
            ErrorInfo {
                code: "error",
                key: key_for_status(status),
                fields: Vec::new(),
                reference: None,
            }
        }
        None => return resp,
    };
    if status == StatusCode::UNAUTHORIZED && !json {
        return Redirect::to("/login").into_response();
    }
    let mut out = if json {
        let fields: Vec<_> = info
            .fields
            .iter()
            .map(|f| serde_json::json!({"field": f.field, "message": i18n::t(lang, f.message)}))
            .collect();
        let mut body = serde_json::json!({"error": info.code, "message": i18n::t(lang, info.key)});
        if !fields.is_empty() {
            body["fields"] = serde_json::Value::Array(fields);
        }
        if let Some(r) = &info.reference {
            body["reference"] = serde_json::Value::String(r.clone());
        }
        (status, Json(body)).into_response()
    } else {
        let page = ErrorPage {
            ctx: Ctx {
                lang,
                csrf: String::new(),
                user: None,
                demo: state.config.demo,
                path,
            },
            status: status.as_u16(),
            title: i18n::t(lang, key_for_status(status)),
            message: i18n::t(lang, info.key),
            fields: info
                .fields
                .iter()
                .map(|f| {
                    (
                        i18n::t(lang, &format!("field.{}", f.field)),
                        i18n::t(lang, f.message),
                    )
                })
                .collect(),
            reference: info.reference.clone(),
        };
        (status, Html(page)).into_response()
    };
    if let Some(retry) = resp.headers().get(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, retry.clone());
    }
    for c in resp.headers().get_all(header::SET_COOKIE) {
        out.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    out
}

/// A framework response with no body of ours (plain text or empty).
fn is_bare(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"))
}

fn key_for_status(s: StatusCode) -> &'static str {
    match s.as_u16() {
        400 => "error.bad_request",
        401 => "error.unauthenticated",
        403 => "error.forbidden",
        404 => "error.not_found",
        405 => "error.method_not_allowed",
        408 => "error.timeout",
        409 => "error.conflict",
        413 => "error.payload_too_large",
        415 => "error.unsupported_media_type",
        422 => "error.invalid",
        429 => "error.too_many_requests",
        503 => "error.unavailable",
        _ if s.is_client_error() => "error.bad_request",
        _ => "error.internal",
    }
}

/// Sets the language cookie.
pub fn lang_cookie(state: &AppState, lang: Lang) -> HeaderValue {
    cookies::set(
        cookies::LANG,
        lang.code(),
        state.config.secure_cookies(),
        Some(365 * 24 * 3600),
    )
}
