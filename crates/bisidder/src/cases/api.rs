//! Case work in the JSON API: the calling bisidder's cases (coordinators: the
//! organisation's; senior consultants: logistics), a case, its timeline, notes, and
//! marking an appointment held or cancelled. Same service functions as the pages.

use super::service::{self, Viewer};
use crate::{
    auth::extract::ApiActor,
    error::AppResult,
    state::AppState,
    web::{
        form::{FormData, JsonBody},
        i18n::{self, Lang},
    },
};
use axum::{
    extract::{Path, State},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

fn iso(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    pub id: String,
    pub first_name: String,
    pub authority: String,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub close_reason: Option<String>,
    /// The bisidder's name (first name only for senior consultants).
    pub bisidder: Option<String>,
}

impl From<&super::store::CaseRow> for CaseOut {
    fn from(c: &super::store::CaseRow) -> Self {
        CaseOut {
            id: c.id.clone(),
            first_name: c.first_name.clone(),
            authority: c.authority.clone(),
            opened_on: c.opened_on.clone(),
            closed_on: c.closed_on.clone(),
            close_reason: c.close_reason.clone(),
            bisidder: c.bisidder_name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseAppointmentOut {
    pub id: String,
    /// formoede, moede, eftermoede or followup.
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: Option<String>,
    /// planned, held or cancelled.
    pub status: String,
    pub worked_minutes: Option<i64>,
    pub mileage_km: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetailOut {
    pub case: CaseOut,
    /// "full" for the case's bisidder and coordinators, "logistics" for senior consultants.
    pub view: String,
    pub appointments: Vec<CaseAppointmentOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineOut {
    pub at: String,
    pub actor: String,
    /// What happened, in Danish.
    pub what: String,
    pub detail: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    pub id: String,
    pub author: String,
    pub own: bool,
    pub shared_with_coordinator: bool,
    pub body: String,
    pub created_at: String,
}

/// The caller's cases: a bisidder's own; coordinators' and senior consultants' the
/// organisation's.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = [CaseOut]), (status = 403, description = "Role without case access")))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> AppResult<Json<Vec<CaseOut>>> {
    let rows = service::list(&state, &a).await?;
    Ok(Json(rows.iter().map(CaseOut::from).collect()))
}

/// One case with its appointments.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = CaseDetailOut), (status = 404, description = "No such case, or not yours")))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<CaseDetailOut>> {
    let v = service::view(&state, &a, &id).await?;
    Ok(Json(CaseDetailOut {
        case: CaseOut::from(&v.case),
        view: if v.viewer == Viewer::Logistics {
            "logistics"
        } else {
            "full"
        }
        .into(),
        appointments: v
            .appointments
            .iter()
            .map(|x| CaseAppointmentOut {
                id: x.id.clone(),
                kind: x.kind.clone(),
                starts_at: iso(x.starts_at),
                ends_at: iso(x.ends_at),
                place: x.place_text.clone(),
                status: x.status.clone(),
                worked_minutes: x.worked_minutes,
                mileage_km: x.mileage_km,
            })
            .collect(),
    }))
}

/// The case's timeline, as much as the caller may see (notes only those they may read).
#[utoipa::path(get, path = "/api/v1/cases/{id}/timeline", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = [TimelineOut]), (status = 404, description = "No such case, or not yours")))]
pub async fn timeline(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<TimelineOut>>> {
    let v = service::view(&state, &a, &id).await?;
    Ok(Json(
        v.timeline
            .into_iter()
            .map(|t| TimelineOut {
                at: iso(t.at),
                actor: t.actor,
                what: i18n::t(Lang::Da, &t.key).to_string(),
                detail: t
                    .detail_key
                    .map(|k| i18n::t(Lang::Da, &k).to_string())
                    .or(t.text),
            })
            .collect(),
    ))
}

fn note_out(n: service::NoteView) -> NoteOut {
    NoteOut {
        created_at: iso(n.created_at),
        id: n.id,
        author: n.author,
        own: n.own,
        shared_with_coordinator: n.shared,
        body: n.body,
    }
}

/// The notes the caller may read: their own, and for coordinators the shared ones.
#[utoipa::path(get, path = "/api/v1/cases/{id}/notes", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = [NoteOut]), (status = 404, description = "No such case, or not yours")))]
pub async fn notes(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<NoteOut>>> {
    let notes = service::notes(&state, &a, &id).await?;
    Ok(Json(notes.into_iter().map(note_out).collect()))
}

/// A note's body as the API reads it (documentation: the form validation reads the fields).
#[derive(Serialize, ToSchema)]
pub struct NoteIn {
    /// The note, at least one visible character.
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    pub body: String,
    pub shared_with_coordinator: Option<bool>,
}

/// Writes a note: `{"body": "…", "shared_with_coordinator": false}`. Encrypted at rest.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")), request_body(content = NoteIn),
    responses((status = 200, body = [NoteOut]), (status = 404, description = "No such case, or not yours"), (status = 422, description = "Empty or too long")))]
pub async fn add_note(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<Vec<NoteOut>>> {
    // The fields as NoteIn declares them: a string body, a boolean flag (schemathesis
    // found `{"shared_with_coordinator": {}}` taken as "not shared").
    let typed = body.get("body").is_none_or(serde_json::Value::is_string)
        && body
            .get("shared_with_coordinator")
            .is_none_or(|v| v.is_boolean() || v.is_null());
    if !typed {
        return Err(crate::error::AppError::BadRequest("error.bad_json"));
    }
    let form = FormData::from_json(&body)?;
    let shared = form.get("shared_with_coordinator") == "1";
    service::add_note(&state, &a, &id, form.raw("body"), shared).await?;
    let notes = service::notes(&state, &a, &id).await?;
    Ok(Json(notes.into_iter().map(note_out).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct OutcomeOut {
    pub case_id: String,
}

/// Marks an appointment held (`{"outcome": "held", "hours": "2,5", "km": "14"}`) or
/// cancelled (`{"outcome": "cancelled"}`).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/outcome", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Appointment id")), request_body(content = Object),
    responses((status = 200, body = OutcomeOut), (status = 404, description = "No such appointment, or not yours"), (status = 409, description = "Already recorded, or not started yet"), (status = 422, description = "Bad hours or kilometres")))]
pub async fn outcome(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<OutcomeOut>> {
    let form = FormData::from_json(&body)?;
    let case_id = service::appointment_outcome(&state, &a, &id, &form).await?;
    Ok(Json(OutcomeOut { case_id }))
}
