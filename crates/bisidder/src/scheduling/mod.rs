//! Matching and scheduling: candidates, assignment, offers, the three appointments,
//! reminders and escalation.

pub mod api;
pub mod jobs;
mod pages;
pub mod pool;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/intake/{id}/assign", post(pages::assign))
        .route("/intake/{id}/offer", post(pages::offer))
        .route("/intake/{id}/standby", post(pages::standby))
        .route("/intake/assign-all", post(pages::assign_all))
        .route("/me/offers", get(pages::my_offers))
        .route("/me/offers/{id}/accept", post(pages::accept))
        .route("/me/offers/{id}/decline", post(pages::decline))
        .route(
            "/appointments/{id}/edit",
            get(pages::edit_form).post(pages::edit),
        )
}
