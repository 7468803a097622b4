//! A bisidder's own profile: where they travel from and how far, the kommuner they serve,
//! skills, languages, limits, weekly availability and absences (SPEC C10).

pub mod api;
mod pages;
pub mod service;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/profile", get(pages::profile).post(pages::save_profile))
        .route("/me/availability", post(pages::add_slot))
        .route("/me/availability/{id}/delete", post(pages::delete_slot))
        .route("/me/absences", post(pages::add_absence))
        .route("/me/absences/{id}/delete", post(pages::delete_absence))
}
