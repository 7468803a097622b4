//! The directory as JSON (public, no token: it holds no personal data): the search, the
//! survey's analytics, and the open-data export (JSON and CSV).

use super::{
    service::{self, Found, SearchParams},
    store::Scheme,
};
use crate::{error::AppResult, state::AppState};
use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};

/// "A bisidder for a meeting about X in Y": the schemes that can help, those taking
/// requests first, then nearest first.
#[utoipa::path(get, path = "/api/v1/directory/search", tag = "directory", params(SearchParams),
    responses((status = 200, description = "Matching schemes, best first", body = [Found]),
        (status = 422, description = "Unknown kommune, town, meeting type or group")))]
pub async fn search(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
) -> AppResult<Json<Vec<Found>>> {
    Ok(Json(service::search(&state, &p).await?))
}

/// The survey's figures over every scheme with a completed profile (SPEC C9): size
/// categories and weighted (1/3/20) and unweighted shares in whole percents.
#[utoipa::path(get, path = "/api/v1/directory/analytics", tag = "directory",
    responses((status = 200, description = "`{\"schemes\", \"unprofiled\", \"size\", \"kind_pct\": {\"weighted\", \"unweighted\"}, …}`")))]
pub async fn analytics(State(state): State<AppState>) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(service::analytics(&state).await?))
}

/// Every scheme, listings included (open data).
#[utoipa::path(get, path = "/directory.json", tag = "directory",
    responses((status = 200, description = "Every scheme", body = [Scheme])))]
pub async fn export_json(State(state): State<AppState>) -> AppResult<Json<Vec<Scheme>>> {
    Ok(Json(service::all(&state).await?))
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "name",
    "kind",
    "verified",
    "profiled",
    "base_town",
    "kommune_code",
    "coverage_national",
    "coverage_regions",
    "coverage_kommuner",
    "coverage_towns",
    "target_groups",
    "requirements",
    "meeting_types",
    "training",
    "support",
    "bisiddere",
    "tasks_per_week",
    "capacity_per_week",
    "opening_hours",
    "request_channels",
    "contact_phone",
    "contact_email",
    "website",
    "gives_advice",
    "at_capacity",
];

fn field(s: &str) -> String {
    // Formula characters are neutralised so a spreadsheet never runs a cell.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Every scheme as CSV, one line each; lists joined with `|`.
pub fn csv(schemes: &[Scheme]) -> String {
    let mut out = CSV_COLUMNS.join(",") + "\r\n";
    for s in schemes {
        let v = serde_json::to_value(s).unwrap_or_default();
        let cells: Vec<String> = CSV_COLUMNS
            .iter()
            .map(|c| match &v[*c] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(x) => field(x),
                serde_json::Value::Array(a) => field(
                    &a.iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join("|"),
                ),
                other => field(&other.to_string()),
            })
            .collect();
        out += &cells.join(",");
        out += "\r\n";
    }
    out
}

#[utoipa::path(get, path = "/directory.csv", tag = "directory",
    responses((status = 200, description = "Every scheme as CSV", content_type = "text/csv")))]
pub async fn export_csv(State(state): State<AppState>) -> AppResult<Response> {
    let body = csv(&service::all(&state).await?);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bisidderordninger.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
