//! Case work (SPEC C5): the case page with one timeline, appointments held or cancelled
//! (hours and mileage), encrypted notes, authorities' decisions with the complaint
//! deadline, exclusions from a meeting, closing, change of bisidder, and the network
//! inquiries that senior consultants handle. Reports of concern live in `concerns`.

pub mod api;
pub mod domain;
pub mod handover;
pub mod inquiries;
pub mod jobs;
mod pages;
pub mod service;
pub mod store;
pub mod work;
pub mod workdays;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(pages::list))
        .route("/cases/{id}", get(pages::view))
        .route("/cases/{id}/notes", post(pages::add_note))
        .route("/cases/{id}/decisions", post(pages::decision))
        .route("/cases/{id}/exclusions", post(pages::exclusion))
        .route("/cases/{id}/close", post(pages::close))
        .route("/cases/{id}/handover", post(pages::handover))
        .route("/cases/{id}/inquiries", post(pages::log_inquiry))
        .route("/inquiries/{id}/answer", post(pages::answer_inquiry))
        .route("/appointments/{id}/outcome", post(pages::outcome))
}
