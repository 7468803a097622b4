//! Authentication: passwords, second factor, sessions, API tokens, rate limits.

pub mod admin;
pub mod extract;
mod pages;
pub mod password;
pub mod ratelimit;
pub mod service;
pub mod session;
pub mod store;
pub mod totp;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/login/totp", get(pages::code_form).post(pages::code))
        .route(
            "/login/totp/enrol",
            get(pages::enrol_form).post(pages::enrol),
        )
        .route("/logout", post(pages::logout))
        .route(
            "/password/forgot",
            get(pages::forgot_form).post(pages::forgot),
        )
        .route(
            "/password/reset/{token}",
            get(pages::reset_form).post(pages::reset),
        )
        .route(
            "/account/password",
            get(pages::change_form).post(pages::change),
        )
        .route("/org/switch", post(pages::switch_org))
}
