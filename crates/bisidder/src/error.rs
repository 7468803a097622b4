//! Error policy — read this before adding an error.
//!
//! * A handler returns `AppResult<T>`. Every failure becomes an [`AppError`], which renders
//!   itself as an accessible HTML error page for browsers and as JSON
//!   (`{"error": code, "message": text}`) for `/api/…` and for clients that ask for JSON.
//! * Messages shown to users are i18n keys (`error.*`), translated at render time, never
//!   raw internal text. Internal errors are logged with a random reference that the page
//!   shows, so a user can quote it; the log line carries no personal data.
//! * A user who may not see a record gets `NotFound`, exactly as if it did not exist
//!   (need to know: existence itself can be personal data). `Forbidden` is used only where
//!   the resource is not personal (e.g. an admin page).
//! * Validation failures carry the field and an i18n key; forms re-render with them and
//!   nothing is stored.

use axum::http::StatusCode;

/// A field-level validation problem: which field, and an i18n key saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("missing or wrong CSRF token or Origin")]
    Csrf,
    #[error("too many requests")]
    TooManyRequests,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: &'static str, message: &'static str) -> Self {
        AppError::Invalid(vec![FieldError { field, message }])
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code for the JSON form.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many_requests",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The i18n key of the user-facing message.
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "error.unauthenticated",
            AppError::Forbidden => "error.forbidden",
            AppError::Csrf => "error.csrf",
            AppError::NotFound => "error.not_found",
            AppError::BadRequest(k) | AppError::Conflict(k) => k,
            AppError::Invalid(_) => "error.invalid",
            AppError::TooManyRequests => "error.too_many_requests",
            AppError::PayloadTooLarge => "error.payload_too_large",
            AppError::Unavailable => "error.unavailable",
            AppError::Internal(_) => "error.internal",
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// Turns a unique-constraint violation into a user-facing conflict; other errors stay internal.
pub fn on_unique_violation(e: sqlx::Error, message: &'static str) -> AppError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => AppError::Conflict(message),
        _ => AppError::Internal(e.into()),
    }
}
