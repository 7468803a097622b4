//! "Min sag" (SPEC C7): the person's own view of their case, opened with a private link and
//! a one-time code, without an account. domain.rs holds the sign-in rules, lix.rs the
//! readability check every child-facing text must pass, letters.rs the børnebreve.

pub mod domain;
pub mod letters;
pub mod lix;
pub mod pages;
pub mod service;
pub mod store;

use crate::state::AppState;
use axum::{
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/minsag", get(pages::home))
        .route("/minsag/breve", get(pages::letters_page))
        .route("/minsag/opslag", get(pages::lookups))
        .route("/minsag/feedback", post(pages::feedback))
        .route("/minsag/logout", post(pages::logout))
        .route("/minsag/{token}", get(pages::landing))
        .route("/minsag/{token}/code", post(pages::send_code))
        .route("/minsag/{token}/verify", post(pages::verify))
        .route("/intake/{id}/minsag", post(pages::send_link))
        .route("/org/feedback", get(pages::feedback_list))
        .route("/me/requests/{id}/brev", get(pages::letters_of_request))
        .route(
            "/me/cases/{id}/brev",
            get(pages::write_letter_page).post(pages::write_letter),
        )
}
