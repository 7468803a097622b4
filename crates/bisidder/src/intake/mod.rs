//! Intake (henvendelser): the public request form, caseworker bookings (incl. the
//! unannounced protocol), phone intake, the coordinator's queue and the consent call.

pub mod api;
pub mod domain;
pub(crate) mod pages;

pub use pages::after_change;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/anmod", get(pages::choose_scheme))
        .route(
            "/o/{slug}/anmod",
            get(pages::public_form).post(pages::public_submit),
        )
        .route("/intake", get(pages::queue))
        .route(
            "/intake/new",
            get(pages::phone_form).post(pages::phone_submit),
        )
        .route("/intake/{id}", get(pages::detail))
        .route("/intake/{id}/consent", post(pages::consent))
        .route("/intake/{id}/close", post(pages::close))
        .route("/requests", get(pages::my_requests))
        .route(
            "/requests/new",
            get(pages::caseworker_form).post(pages::caseworker_submit),
        )
}
