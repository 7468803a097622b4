//! Organisations and their staff: the staff list, the organisation's audit log, and the
//! platform admin's overview (organisations and the development mailbox).

mod pages;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{routing::get, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/users", get(pages::users))
        .route("/org/audit", get(pages::audit))
        .route("/org/export.jsonl", get(pages::export))
        .route("/org/templates/persons.csv", get(pages::template_persons))
        .route("/org/templates/cases.csv", get(pages::template_cases))
        .route("/org/templates/reports.csv", get(pages::template_reports))
        .route("/platform", get(pages::platform))
}
