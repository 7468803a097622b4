//! The national directory of bisidder schemes (SPEC C9): public search and profiles (no
//! account, no JavaScript), the survey's analytics, open-data export, claims and profiles
//! of schemes, the 2018 listings, and referral of requests between schemes.
//! Value lists and the import record are documented in README.md beside this file.

pub mod analytics;
pub mod api;
pub mod domain;
pub mod listings;
mod pages;
pub mod profile;
pub mod referral;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bisiddere", get(pages::search))
        .route("/bisiddere/analyse", get(pages::analytics))
        .route("/bisiddere/{id}", get(pages::profile))
        .route("/directory.json", get(api::export_json))
        .route("/directory.csv", get(api::export_csv))
        .route("/api/v1/directory/search", get(api::search))
        .route("/api/v1/directory/analytics", get(api::analytics))
        .route("/org/scheme", get(pages::own).post(pages::save_own))
        .route("/org/scheme/claim", post(pages::claim))
        .route("/platform/directory", get(pages::claims))
        .route("/platform/directory/{id}/decide", post(pages::decide))
        .route("/intake/{id}/refer", post(pages::refer))
        .route("/referrals/{id}/outcome", post(pages::outcome))
}
