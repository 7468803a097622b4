//! Privacy and the data lifecycle (SPEC C11): retention with a purge that restores
//! re-apply (retention.rs), a person's complete data export (export.rs), and exceptional
//! "break glass" access with a written reason (service.rs).

pub mod export;
pub mod pages;
pub mod retention;
pub mod service;

use crate::state::AppState;
use axum::{routing::get, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/org/retention",
            get(pages::retention_page).post(pages::save_retention),
        )
        .route("/org/break-glass", get(pages::break_glass_log))
        .route("/persons/{id}/export", get(pages::export_page))
        .route("/persons/{id}/export.json", get(pages::export_json))
        .route("/api/v1/persons/{id}/export", get(pages::export_api))
        .route(
            "/privacy/cases/{id}/break-glass",
            get(pages::break_glass_form).post(pages::break_glass),
        )
}
