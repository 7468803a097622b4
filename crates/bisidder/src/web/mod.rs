//! The web shell: page context, templates, errors, i18n, cookies, CSRF, security headers,
//! static assets, and the public pages (front page, language switch).

pub mod cookies;
pub mod csrf;
pub mod ctx;
pub mod fmt;
pub mod form;
pub mod headers;
pub mod i18n;
mod pages;
pub mod render;
mod static_files;
pub mod view;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub use ctx::Ctx;
pub use form::FormDataExt;
pub use render::Html;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::front))
        .route("/lang", post(pages::switch_lang))
        .route("/static/{*path}", get(static_files::serve))
}
