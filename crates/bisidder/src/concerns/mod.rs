//! Reports of concern (underretninger, SPEC C6): filed by the bisidder from the case;
//! CPR number checked and encrypted, description encrypted; the acute path; how and when
//! it was sent; the municipality's acknowledgement with a reminder after 6 working days;
//! follow-up; and a printable letter for the organisation's secure channel.

pub mod api;
pub mod domain;
mod pages;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/reports/new", get(pages::new_form))
        .route("/cases/{id}/reports", post(pages::file))
        .route("/reports/{id}", get(pages::view).post(pages::update))
        .route("/reports/{id}/letter", get(pages::letter))
}
