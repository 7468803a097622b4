use super::service;
use crate::{
    auth::extract::ApiActor,
    error::{AppError, AppResult},
    state::AppState,
};
use axum::{
    extract::{Query, State},
    Json,
};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AnnualQuery {
    /// The organisation: its id, slug or import id.
    #[param(min_length = 1)]
    pub org: String,
    /// Calendar year, 1990–2100.
    #[param(value_type = i32, minimum = 1990, maximum = 2100)]
    pub year: String,
}

/// The annual figures of SPEC §5 for one organisation and year. Analysts get
/// disclosure-controlled numbers ("<3").
#[utoipa::path(get, path = "/api/v1/stats/annual", tag = "statistics", security(("bearer" = [])), params(AnnualQuery),
    responses((status = 200, description = "The figures, shaped as SPEC §5"), (status = 404, description = "No such organisation for you"),
        (status = 422, description = "Bad year")))]
pub async fn annual(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<AnnualQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let year: i16 = q
        .year
        .parse()
        .map_err(|_| AppError::invalid("year", "stats.err_year"))?;
    Ok(Json(service::annual(&state, &a, &q.org, year).await?))
}
