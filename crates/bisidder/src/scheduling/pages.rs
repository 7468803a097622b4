//! HTML handlers: assigning and offering from the request page, the batch, a bisidder's
//! offers, and adjusting an appointment.

use super::{service, store};
use crate::{
    auth::extract::CurrentUser,
    error::{AppError, AppResult},
    intake::domain::local_timestamp,
    policy::{ensure, Action, Target},
    state::AppState,
    web::{form::FormData, Ctx, Html},
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let result = service::assign(&state, u.actor(), &id, form.get("bisidder")).await;
    crate::intake::after_change(&state, ctx, &u, &id, result).await
}

pub async fn offer(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let result = service::offer(&state, u.actor(), &id, form.get("strategy"))
        .await
        .map(|_| ());
    crate::intake::after_change(&state, ctx, &u, &id, result).await
}

/// The unannounced conversation's outcome, from the request page (coordinator) or the
/// bisidder's calendar.
pub async fn standby(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    service::standby_outcome(&state, u.actor(), &id, form.get("answer")).await?;
    let back = if u.actor().has(crate::policy::Role::Coordinator) {
        format!("/intake/{id}")
    } else {
        "/me/calendar".to_string()
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "scheduling/batch.html")]
pub struct BatchPage {
    ctx: Ctx,
    b: service::BatchView,
}

pub async fn assign_all(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<BatchPage>> {
    let b = service::assign_all(&state, u.actor()).await?;
    Ok(Html(BatchPage { ctx, b }))
}

pub struct OfferView {
    pub offer: store::Offer,
    pub first_name: String,
    pub age: Option<i64>,
    pub authority: String,
    pub meeting_at: Option<i64>,
    pub kommune: String,
    pub place: String,
    pub urgent: bool,
}

#[derive(Template)]
#[template(path = "scheduling/offers.html")]
pub struct OffersPage {
    ctx: Ctx,
    offers: Vec<OfferView>,
    error: Option<&'static str>,
}

async fn offers_page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    error: Option<&'static str>,
) -> AppResult<OffersPage> {
    let offers = service::my_offers(state, u.actor()).await?;
    let offers = offers
        .into_iter()
        .map(|(offer, r)| OfferView {
            first_name: r.first_name,
            age: r.age,
            authority: r.authority,
            meeting_at: r.meeting_at,
            kommune: crate::web::view::kommune(&r.kommune_code),
            place: r.place_text.unwrap_or_default(),
            urgent: r.urgent,
            offer,
        })
        .collect();
    Ok(OffersPage { ctx, offers, error })
}

pub async fn my_offers(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<OffersPage>> {
    Ok(Html(offers_page(&state, ctx, &u, None).await?))
}

async fn answer(
    state: AppState,
    ctx: Ctx,
    u: CurrentUser,
    id: String,
    accept: bool,
) -> AppResult<Response> {
    match service::answer_offer(&state, u.actor(), &id, accept).await {
        Ok(()) if accept => Ok(Redirect::to("/me/calendar").into_response()),
        Ok(()) => Ok(Redirect::to("/me/offers").into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            Html(offers_page(&state, ctx, &u, Some(k)).await?),
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

pub async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    answer(state, ctx, u, id, true).await
}

pub async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    answer(state, ctx, u, id, false).await
}

#[derive(Template)]
#[template(path = "scheduling/edit.html")]
pub struct EditPage {
    ctx: Ctx,
    a: store::Appointment,
    date: String,
    start: String,
    end: String,
    error: Option<&'static str>,
}

fn split_local(us: i64) -> (String, String) {
    let s = crate::web::fmt::local_datetime(us);
    let (d, t) = s.split_once(' ').unwrap_or(("", ""));
    (d.to_string(), t.to_string())
}

async fn edit_page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    id: &str,
    error: Option<&'static str>,
) -> AppResult<EditPage> {
    let a = u.actor();
    let org = a.org_id.as_deref().unwrap_or("");
    ensure(a, Action::AdjustAppointments, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let coordinator = a.has(crate::policy::Role::Coordinator);
    let appt = match store::get_appointment(&mut conn, org, id).await? {
        Some(x) if coordinator || x.bisidder_user_id.as_deref() == Some(a.user_id.as_str()) => x,
        _ => {
            drop(conn);
            return Err(crate::audit::refused(state, a, "appointment", id).await);
        }
    };
    let (date, start) = split_local(appt.starts_at);
    let (_, end) = split_local(appt.ends_at);
    Ok(EditPage {
        ctx,
        a: appt,
        date,
        start,
        end,
        error,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<EditPage>> {
    Ok(Html(edit_page(&state, ctx, &u, &id, None).await?))
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let cancel = form.get("cancel") == "1";
    let times = match (
        local_timestamp(form.get("date"), form.get("start")),
        local_timestamp(form.get("date"), form.get("end")),
    ) {
        (Some(s), Some(e)) => Some((s.as_microsecond(), e.as_microsecond())),
        _ => None,
    };
    let place = Some(form.get("place")).filter(|p| !p.is_empty());
    let result = service::adjust_appointment(&state, u.actor(), &id, times, place, cancel).await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/appointments/{id}/edit")).into_response()),
        Err(AppError::Invalid(f)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(edit_page(&state, ctx, &u, &id, f.first().map(|f| f.message)).await?),
        )
            .into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            Html(edit_page(&state, ctx, &u, &id, Some(k)).await?),
        )
            .into_response()),
        Err(e) => Err(e),
    }
}
