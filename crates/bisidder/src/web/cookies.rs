//! Reading and writing the few cookies Bisidder uses: the session, the CSRF token and the
//! language choice. Over HTTPS they are `__Host-` cookies (Secure, Path=/, no Domain).

use axum::http::{header, HeaderMap, HeaderValue};

pub const SESSION: &str = "bisidder";
pub const CSRF: &str = "bisidder_csrf";
pub const LANG: &str = "bisidder_lang";

/// The cookie's name as sent: with the `__Host-` prefix when cookies are secure.
pub fn name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

pub fn get(headers: &HeaderMap, base: &str, secure: bool) -> Option<String> {
    let want = name(base, secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == want)
        .map(|(_, v)| v.to_string())
}

/// A Set-Cookie value. `http_only` is false only for nothing today; kept explicit.
pub fn set(base: &str, value: &str, secure: bool, max_age_secs: Option<i64>) -> HeaderValue {
    let mut c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        name(base, secure)
    );
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear(base: &str, secure: bool) -> HeaderValue {
    set(base, "", secure, Some(0))
}
