//! `FormData`: a lenient form extractor. It never rejects a well-formed body for missing
//! or extra fields, so services can check access first and then report missing or invalid
//! fields in the user's language (axum's `Form` would answer in English before that).

use crate::{error::AppError, state::AppState};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use secrecy::SecretString;

#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The trimmed value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The untrimmed value (passwords may start or end with a space).
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn secret(&self, name: &str) -> SecretString {
        SecretString::from(self.raw(name).to_string())
    }
}

impl FromRequest<AppState> for FormData {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        if std::str::from_utf8(&bytes).is_err() {
            return Err(AppError::BadRequest("error.bad_encoding"));
        }
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(FormData)
            .map_err(|_| AppError::BadRequest("error.bad_form"))
    }
}

/// Return paths taken from forms are local paths only, never another site.
pub trait FormDataExt {
    fn safe_return_path(&self, name: &str) -> String;
}

impl FormDataExt for FormData {
    fn safe_return_path(&self, name: &str) -> String {
        let p = self.get(name);
        if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.contains("://") {
            p.to_string()
        } else {
            "/".to_string()
        }
    }
}
