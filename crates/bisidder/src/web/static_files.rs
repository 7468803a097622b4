//! Static assets (the vendored dkfds design system, htmx, our own CSS and JS) compiled into
//! the binary, so one file is the whole application.

use crate::error::AppError;
use axum::{
    extract::Path,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use include_dir::{include_dir, Dir};

static STATIC: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/static");

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "eot" => "application/vnd.ms-fontobject",
        "json" => "application/json",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn serve(Path(path): Path<String>) -> Result<Response, AppError> {
    if path.contains("..") {
        return Err(AppError::NotFound);
    }
    let file = STATIC.get_file(&path).ok_or(AppError::NotFound)?;
    let mut resp = file.contents().into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(&path)));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(resp)
}
