//! HTML handlers for intake.

use super::{domain::Status, service, store::RequestRow};
use crate::{
    auth::extract::CurrentUser,
    error::{AppError, AppResult},
    scheduling,
    state::AppState,
    web::{
        form::{FormData, FormState},
        Ctx, Html,
    },
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "intake/choose.html")]
pub struct ChoosePage {
    ctx: Ctx,
    orgs: Vec<(String, String)>,
}

pub async fn choose_scheme(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<ChoosePage>> {
    let orgs: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, name FROM organisations ORDER BY name")
            .fetch_all(&state.db.pool)
            .await?;
    Ok(Html(ChoosePage { ctx, orgs }))
}

#[derive(Deserialize)]
pub struct ForWhom {
    #[serde(rename = "for", default)]
    for_whom: String,
}

#[derive(Template)]
#[template(path = "intake/request_form.html")]
pub struct RequestForm {
    ctx: Ctx,
    action: String,
    role: String,
    f: FormState,
    kommuner: Vec<(&'static str, &'static str)>,
    authorities: &'static [&'static str],
    staff: bool,
}

fn form_page(ctx: Ctx, action: String, role: &str, f: FormState, staff: bool) -> RequestForm {
    RequestForm {
        ctx,
        action,
        role: role.to_string(),
        f,
        kommuner: crate::web::view::kommuner(),
        authorities: super::domain::AUTHORITIES,
        staff,
    }
}

#[derive(Template)]
#[template(path = "intake/receipt.html")]
pub struct Receipt {
    ctx: Ctx,
    reference: String,
}

pub async fn public_form(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<ForWhom>) -> Response {
    let role = match q.for_whom.as_str() {
        "for_child" | "professional" | "helpline" => q.for_whom.as_str(),
        _ => "self",
    };
    Html(form_page(
        ctx,
        format!("/o/{slug}/anmod?for={role}"),
        role,
        FormState::default(),
        false,
    ))
    .into_response()
}

pub async fn public_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<ForWhom>,
    form: FormData,
) -> AppResult<Response> {
    let role = if q.for_whom.is_empty() {
        "self"
    } else {
        q.for_whom.as_str()
    };
    match service::submit_public(&state, &slug, role, &form).await {
        Ok(created) => Ok(Html(Receipt {
            ctx,
            reference: created.reference,
        })
        .into_response()),
        Err(e) => {
            let f = FormState::new(form, Some(e))?;
            let page = form_page(ctx, format!("/o/{slug}/anmod?for={role}"), role, f, false);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
    }
}

pub async fn phone_form(ctx: Ctx, u: CurrentUser) -> AppResult<Response> {
    crate::policy::ensure(
        u.actor(),
        crate::policy::Action::RecordPhoneRequest,
        crate::policy::Target::Org(u.actor().org_id.as_deref().unwrap_or("")),
    )?;
    Ok(Html(form_page(
        ctx,
        "/intake/new".into(),
        "coordinator_phone",
        FormState::default(),
        true,
    ))
    .into_response())
}

#[allow(clippy::too_many_arguments)]
async fn staff_submit(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    form: FormData,
    channel: &str,
    action: &str,
    role: &str,
    done: &str,
) -> AppResult<Response> {
    match service::submit_as_user(state, u.actor(), &form, channel).await {
        Ok(created) => Ok(Redirect::to(&done.replace("{id}", &created.id)).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let page = form_page(
                ctx,
                action.into(),
                role,
                FormState::new(form, Some(e))?,
                true,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn phone_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    staff_submit(
        &state,
        ctx,
        &u,
        form,
        "phone",
        "/intake/new",
        "coordinator_phone",
        "/intake/{id}",
    )
    .await
}

pub async fn caseworker_form(ctx: Ctx, u: CurrentUser) -> AppResult<Response> {
    crate::policy::ensure(
        u.actor(),
        crate::policy::Action::SubmitRequest,
        crate::policy::Target::Org(u.actor().org_id.as_deref().unwrap_or("")),
    )?;
    Ok(Html(form_page(
        ctx,
        "/requests/new".into(),
        "caseworker",
        FormState::default(),
        true,
    ))
    .into_response())
}

pub async fn caseworker_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    staff_submit(
        &state,
        ctx,
        &u,
        form,
        "caseworker",
        "/requests/new",
        "caseworker",
        "/requests",
    )
    .await
}

#[derive(Template)]
#[template(path = "intake/queue.html")]
pub struct QueuePage {
    ctx: Ctx,
    rows: Vec<RequestRow>,
    now: i64,
}

impl QueuePage {
    /// Minutes left until the deadline (negative when missed); None before consent.
    fn minutes_left(&self, r: &RequestRow) -> Option<i64> {
        r.deadline_at.map(|d| (d - self.now) / 60_000_000)
    }
    fn near_deadline(&self, r: &RequestRow) -> bool {
        self.minutes_left(r).is_some_and(|m| m < 120)
    }
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<QueuePage>> {
    let rows = service::queue(&state, u.actor()).await?;
    Ok(Html(QueuePage {
        ctx,
        rows,
        now: state.clock.now_us(),
    }))
}

#[derive(Template)]
#[template(path = "intake/detail.html")]
pub struct DetailPage {
    ctx: Ctx,
    r: RequestRow,
    events: Vec<super::store::EventRow>,
    candidates: Vec<scheduling::service::CandidateView>,
    appointments: Vec<scheduling::store::Appointment>,
    offers: Vec<scheduling::store::Offer>,
    /// Schemes to refer to, and the referrals made (directory module).
    suggestions: Vec<crate::directory::service::Found>,
    referrals: Vec<crate::directory::referral::Referral>,
    error: Option<&'static str>,
}

impl DetailPage {
    fn open(&self) -> bool {
        self.r.status.is_open()
    }
    fn can_match(&self) -> bool {
        self.r.status.has_consent() && self.r.status != Status::Assigned
    }
    /// An unannounced conversation may be staffed before the child is asked.
    fn standby_open(&self) -> bool {
        self.r.unannounced && matches!(self.r.status, Status::New | Status::Contacted)
    }
}

pub async fn detail_page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    id: &str,
    error: Option<&'static str>,
) -> AppResult<DetailPage> {
    let d = service::detail(state, u.actor(), id).await?;
    let standby =
        d.request.unannounced && matches!(d.request.status, Status::New | Status::Contacted);
    let candidates =
        if (d.request.status.has_consent() && d.request.status != Status::Assigned) || standby {
            scheduling::service::candidates(state, u.actor(), &d.request).await?
        } else {
            Vec::new()
        };
    let mut conn = state.db.pool.acquire().await?;
    let appointments = scheduling::store::for_request(&mut conn, id).await?;
    let offers = scheduling::store::offers_for_request(&mut conn, id).await?;
    let referrals = crate::directory::referral::of_request(&mut conn, id).await?;
    drop(conn);
    let suggestions = if d.request.status.is_open() || d.request.status == Status::Rejected {
        crate::directory::referral::suggestions(state, &d.request).await?
    } else {
        Vec::new()
    };
    Ok(DetailPage {
        ctx,
        r: d.request,
        events: d.events,
        candidates,
        appointments,
        offers,
        suggestions,
        referrals,
        error,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<DetailPage>> {
    Ok(Html(detail_page(&state, ctx, &u, &id, None).await?))
}

/// After a change on the request page: back to it, or the page again with the problem.
pub async fn after_change(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    id: &str,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/intake/{id}")).into_response()),
        Err(AppError::Invalid(f)) => {
            let key = f.first().map(|f| f.message).unwrap_or("error.invalid");
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(detail_page(state, ctx, u, id, Some(key)).await?),
            )
                .into_response())
        }
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            Html(detail_page(state, ctx, u, id, Some(k)).await?),
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

pub async fn consent(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let result = service::record_consent(&state, u.actor(), &id, &form)
        .await
        .map(|_| ());
    after_change(&state, ctx, &u, &id, result).await
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let to = match form.get("to") {
        "withdrawn" => Status::Withdrawn,
        _ => Status::Rejected,
    };
    let result = service::close(&state, u.actor(), &id, to, form.get("reason")).await;
    after_change(&state, ctx, &u, &id, result).await
}

#[derive(Template)]
#[template(path = "intake/mine.html")]
pub struct MinePage {
    ctx: Ctx,
    rows: Vec<RequestRow>,
}

pub async fn my_requests(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<MinePage>> {
    let rows = service::my_requests(&state, u.actor()).await?;
    Ok(Html(MinePage { ctx, rows }))
}
