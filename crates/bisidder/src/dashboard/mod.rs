//! The start page: each role's overview of its organisation, from live data.

mod pages;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{routing::get, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/start", get(pages::start))
}
