//! CSRF protection for every state change made with a browser session: the request must
//! come from our own origin (Origin header, or Referer when a browser leaves Origin out)
//! and carry the CSRF token — a form field `csrf` or an `X-CSRF-Token` header (htmx) —
//! equal to the token cookie (double submit). `/api/` routes accept bearer tokens only,
//! never cookies, so they are outside this check.

use super::cookies;
use crate::{auth::session::random_token, error::AppError, state::AppState};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use subtle::ConstantTimeEq;

#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// POST, PUT, PATCH and DELETE: the methods our routes change state with. Any other
/// method (TRACE, CONNECT, …) reaches the router, which answers 405 with `Allow`.
pub fn is_state_changing(m: &Method) -> bool {
    matches!(
        *m,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Same-origin check: Origin must equal ours; without Origin, the Referer must start with it.
pub fn origin_ok(headers: &HeaderMap, ours: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return origin == ours;
    }
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|r| r == ours || r.starts_with(&format!("{ours}/")))
}

fn submitted_token(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(h) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return Some(h.to_string());
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    form_urlencoded_pairs(body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies();
    let existing = cookies::get(req.headers(), cookies::CSRF, secure);
    let mut req = req;
    // A method no route answers at this path (PUT /readyz) changes nothing: the router
    // says 405 (or 404) with `Allow`, rather than this guard a misleading 403.
    if is_state_changing(req.method())
        && !req.uri().path().starts_with("/api/")
        && crate::routes::exists(req.method().as_str(), req.uri().path())
    {
        if !origin_ok(req.headers(), state.config.public_origin()) {
            return AppError::Csrf.into_response();
        }
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => return AppError::PayloadTooLarge.into_response(),
        };
        let ok = match (&existing, submitted_token(&parts.headers, &bytes)) {
            (Some(cookie), Some(sent)) => bool::from(cookie.as_bytes().ct_eq(sent.as_bytes())),
            _ => false,
        };
        if !ok {
            return AppError::Csrf.into_response();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    let token = existing.clone().unwrap_or_else(random_token);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut resp = next.run(req).await;
    if existing.is_none() {
        resp.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::CSRF, &token, secure, None),
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_methods_a_route_answers_need_the_csrf_check() {
        use crate::routes::exists;
        assert!(exists("POST", "/login"));
        assert!(exists("POST", "/o/demo-bv/anmod"));
        assert!(exists("GET", "/static/vendor/dkfds/css/dkfds.min.css"));
        assert!(!exists("PUT", "/readyz"));
        assert!(!exists("POST", "/directory.csv"));
        assert!(!exists("POST", "/o//anmod"));
        assert!(!is_state_changing(&Method::TRACE));
    }
    use axum::http::HeaderValue;

    #[test]
    fn origin_must_match_exactly() {
        let ours = "https://bisidder.example.dk";
        let mut h = HeaderMap::new();
        assert!(!origin_ok(&h, ours), "no Origin and no Referer is refused");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://bisidder.example.dk"),
        );
        assert!(origin_ok(&h, ours));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://bisidder.example.dk.evil.com"),
        );
        assert!(!origin_ok(&h, ours));
        let mut h = HeaderMap::new();
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://bisidder.example.dk.evil.com/x"),
        );
        assert!(!origin_ok(&h, ours));
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://bisidder.example.dk/login"),
        );
        assert!(origin_ok(&h, ours));
    }
}
