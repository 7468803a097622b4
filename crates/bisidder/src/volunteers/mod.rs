//! Bisidder management (SPEC C10): applications, screening, required qualifications,
//! training/supervision/certificate records, the bisidder's own undertakings, expiry
//! warnings, municipal ambassadors. See service.rs.

pub mod domain;
mod pages;
pub mod service;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/o/{slug}/bliv-bisidder",
            get(pages::apply_form).post(pages::apply),
        )
        .route("/volunteers", get(pages::overview))
        .route("/volunteers/requirements", post(pages::requirements))
        .route("/volunteers/ambassadors", post(pages::ambassador))
        .route(
            "/volunteers/applications/{id}",
            get(pages::application).post(pages::decide),
        )
        .route("/volunteers/people/{id}/records", post(pages::record))
        .route("/me/onboarding", get(pages::onboarding))
        .route("/me/onboarding/guidelines", post(pages::ack_guidelines))
        .route(
            "/me/onboarding/confidentiality",
            post(pages::ack_confidentiality),
        )
}
