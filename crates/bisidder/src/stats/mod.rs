//! Statistics and the annual report (SPEC C8, §5).

pub mod api;
pub mod charts;
pub mod disclosure;
pub mod domain;
pub mod export;
pub mod operational;
mod pages;
pub mod published;
pub mod report;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{routing::get, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/stats/annual", get(api::annual))
        .route("/stats", get(pages::annual))
        .route("/stats/export.csv", get(pages::csv))
        .route("/stats/export.xlsx", get(pages::xlsx))
}
