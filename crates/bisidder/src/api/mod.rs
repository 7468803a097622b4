//! The JSON API under `/api/v1` (bearer tokens only) and its OpenAPI document at
//! `/api/openapi.json`. Later modules add their operations to [`ApiDoc`].

use crate::{
    auth::extract::ApiActor,
    error::AppResult,
    policy::{ensure, Action, Role, Target},
    state::AppState,
};
use axum::{
    routing::{get, post},
    Json, Router,
};
use serde::Serialize;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi, ToSchema,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Bisidder API", description = "JSON API of Bisidder. Authenticate with `Authorization: Bearer <token>` (create tokens with `bisidder token create`)."),
    paths(me, kommuner, crate::ops::healthz, crate::ops::readyz,
        crate::intake::api::create, crate::intake::api::mine, crate::intake::api::queue, crate::intake::api::one, crate::intake::api::consent,
        crate::scheduling::api::candidates, crate::scheduling::api::assign, crate::scheduling::api::offer, crate::scheduling::api::my_offers,
        crate::scheduling::api::accept, crate::scheduling::api::decline, crate::scheduling::api::my_appointments,
        crate::scheduling::api::adjust, crate::scheduling::api::standby, crate::scheduling::api::assign_all,
        crate::people::api::get, crate::people::api::put, crate::people::api::add_slot, crate::people::api::add_absence,
        crate::stats::api::annual, crate::privacy::pages::export_api,
        crate::cases::api::list, crate::cases::api::get, crate::cases::api::timeline, crate::cases::api::notes,
        crate::cases::api::add_note, crate::cases::api::outcome, crate::concerns::api::list, crate::concerns::api::file,
        crate::concerns::api::get, crate::concerns::api::update,
        crate::directory::api::search, crate::directory::api::analytics, crate::directory::api::export_json, crate::directory::api::export_csv),
    components(schemas(Me, KommuneOut, Role, crate::intake::api::Created, crate::intake::api::RequestOut,
        crate::scheduling::api::CandidateOut, crate::scheduling::api::OfferOut, crate::scheduling::api::AppointmentOut, crate::scheduling::api::BatchOut, crate::people::api::ProfileOut,
        crate::cases::api::CaseOut, crate::cases::api::CaseAppointmentOut, crate::cases::api::CaseDetailOut, crate::cases::api::TimelineOut,
        crate::cases::api::NoteOut, crate::cases::api::NoteIn, crate::scheduling::api::OfferIn, crate::scheduling::api::StandbyIn, crate::cases::api::OutcomeOut, crate::concerns::api::ReportOut, crate::concerns::api::FiledOut, crate::concerns::api::ReportDetailOut,
        crate::directory::service::Found, crate::directory::store::Scheme)),
    modifiers(&BearerAuth, &CommonResponses),
    tags((name = "account"), (name = "reference"), (name = "intake"), (name = "matching"), (name = "people"), (name = "statistics"), (name = "privacy"), (name = "cases"), (name = "reports"), (name = "directory"), (name = "ops"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The answers every operation can give besides its own, so a client (and schemathesis'
/// status-code check) knows them: 400 for a malformed request (bad JSON, wrong content
/// type, a parameter of the wrong type), 401/403 where a token is needed, 404 where a path
/// names a record, 413 and 422 where a body or query is read.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{path::ParameterIn, ResponseBuilder};
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let params = op.parameters.as_deref().unwrap_or_default();
                let in_path = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                let in_query = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let body = op.request_body.is_some();
                let mut add = |code: &str, text: &str| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| ResponseBuilder::new().description(text).build().into());
                };
                if path.starts_with("/api/") {
                    add("400", "Malformed request: bad JSON, wrong content type or a parameter of the wrong type");
                }
                if secured {
                    add("401", "Missing, invalid or revoked bearer token");
                    add("403", "The token's roles may not do this");
                }
                if in_path {
                    add("404", "No such record, or not yours");
                }
                if body {
                    add("413", "The body is too large");
                }
                if body || in_query {
                    add(
                        "422",
                        "Invalid fields, named with a message in the caller's language",
                    );
                }
            }
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/kommuner", get(kommuner))
        .route(
            "/api/v1/requests",
            get(crate::intake::api::mine).post(crate::intake::api::create),
        )
        .route("/api/v1/intake", get(crate::intake::api::queue))
        .route("/api/v1/requests/{id}", get(crate::intake::api::one))
        .route(
            "/api/v1/requests/{id}/consent",
            post(crate::intake::api::consent),
        )
        .route(
            "/api/v1/requests/{id}/candidates",
            get(crate::scheduling::api::candidates),
        )
        .route(
            "/api/v1/requests/{id}/assign",
            post(crate::scheduling::api::assign),
        )
        .route(
            "/api/v1/requests/{id}/offers",
            post(crate::scheduling::api::offer),
        )
        .route("/api/v1/me/offers", get(crate::scheduling::api::my_offers))
        .route(
            "/api/v1/me/appointments",
            get(crate::scheduling::api::my_appointments),
        )
        .route(
            "/api/v1/offers/{id}/accept",
            post(crate::scheduling::api::accept),
        )
        .route(
            "/api/v1/offers/{id}/decline",
            post(crate::scheduling::api::decline),
        )
        .route(
            "/api/v1/appointments/{id}",
            post(crate::scheduling::api::adjust),
        )
        .route(
            "/api/v1/requests/{id}/standby",
            post(crate::scheduling::api::standby),
        )
        .route(
            "/api/v1/intake/assign-all",
            post(crate::scheduling::api::assign_all),
        )
        .route(
            "/api/v1/me/profile",
            get(crate::people::api::get).put(crate::people::api::put),
        )
        .route(
            "/api/v1/me/availability",
            post(crate::people::api::add_slot),
        )
        .route("/api/v1/me/absences", post(crate::people::api::add_absence))
        .route("/api/v1/cases", get(crate::cases::api::list))
        .route("/api/v1/cases/{id}", get(crate::cases::api::get))
        .route(
            "/api/v1/cases/{id}/timeline",
            get(crate::cases::api::timeline),
        )
        .route(
            "/api/v1/cases/{id}/notes",
            get(crate::cases::api::notes).post(crate::cases::api::add_note),
        )
        .route(
            "/api/v1/appointments/{id}/outcome",
            post(crate::cases::api::outcome),
        )
        .route(
            "/api/v1/cases/{id}/reports",
            get(crate::concerns::api::list).post(crate::concerns::api::file),
        )
        .route(
            "/api/v1/reports/{id}",
            get(crate::concerns::api::get).post(crate::concerns::api::update),
        )
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: String,
    pub name: String,
    pub org_id: Option<String>,
    pub roles: Vec<Role>,
}

/// Who the token belongs to and which roles it acts with.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, description = "Missing or invalid token")))]
pub async fn me(ApiActor(a): ApiActor) -> AppResult<Json<Me>> {
    ensure(&a, Action::ViewStart, Target::Platform)?;
    Ok(Json(Me {
        user_id: a.user_id,
        name: a.name,
        org_id: a.org_id,
        roles: a.roles,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct KommuneOut {
    /// Official four-digit kommune code.
    pub code: String,
    pub name: String,
    /// Official region code (1081–1085).
    pub region_code: String,
    pub region: String,
}

/// The 98 kommuner with their official codes and regions.
#[utoipa::path(get, path = "/api/v1/kommuner", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = [KommuneOut]), (status = 401, description = "Missing or invalid token")))]
pub async fn kommuner(ApiActor(a): ApiActor) -> AppResult<Json<Vec<KommuneOut>>> {
    ensure(&a, Action::ReadReference, Target::Platform)?;
    Ok(Json(crate::geo_ref::kommuner_out()))
}
