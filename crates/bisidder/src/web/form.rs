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

/// A form being (re)shown: the values typed so far and the problems found, so the page
/// keeps what the person wrote and says next to each field what is wrong.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    pub values: FormData,
    pub errors: Vec<crate::error::FieldError>,
}

impl FormState {
    pub fn new(
        values: FormData,
        error: Option<crate::error::AppError>,
    ) -> Result<Self, crate::error::AppError> {
        let errors = match error {
            None => Vec::new(),
            Some(crate::error::AppError::Invalid(f)) => f,
            Some(other) => return Err(other),
        };
        Ok(FormState { values, errors })
    }

    pub fn v(&self, name: &str) -> &str {
        self.values.get(name)
    }

    pub fn is(&self, name: &str, value: &str) -> bool {
        self.values.get(name) == value
    }

    /// Like [`FormState::is`], counting an empty field as `default`.
    pub fn is_or(&self, name: &str, value: &str, default: &str) -> bool {
        match self.values.get(name) {
            "" => value == default,
            v => v == value,
        }
    }

    /// The i18n key of the problem with `name`, if any.
    pub fn err(&self, name: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

impl FormData {
    /// A JSON object as form fields (strings as they are, numbers as text, true as "1",
    /// lists as repeated fields), so the API shares the forms' validation and messages.
    pub fn from_json(v: &serde_json::Value) -> Result<FormData, crate::error::AppError> {
        let obj = v
            .as_object()
            .ok_or(crate::error::AppError::BadRequest("error.bad_json"))?;
        let mut out = Vec::new();
        for (k, v) in obj {
            let mut push = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => out.push((k.clone(), s.clone())),
                serde_json::Value::Bool(true) => out.push((k.clone(), "1".into())),
                serde_json::Value::Bool(false) | serde_json::Value::Null => {}
                other => out.push((k.clone(), other.to_string())),
            };
            match v {
                serde_json::Value::Array(items) => items.iter().for_each(&mut push),
                other => push(other),
            }
        }
        Ok(FormData(out))
    }
}

/// A JSON request body. Malformed JSON or a wrong content type is answered with a clear
/// 400 in the caller's language instead of the framework's English text.
pub struct JsonBody(pub serde_json::Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = crate::error::AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Err(crate::error::AppError::BadRequest("error.need_json"));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| crate::error::AppError::PayloadTooLarge)?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|_| crate::error::AppError::BadRequest("error.bad_json"))
    }
}
