//! Statistics and the annual report (SPEC C8, §5).

pub mod api;
pub mod disclosure;
pub mod domain;
pub mod published;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{routing::get, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/stats/annual", get(api::annual))
}
