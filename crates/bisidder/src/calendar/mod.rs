//! Calendars: a bisidder's upcoming appointments, a `.ics` per appointment and a private,
//! revocable iCalendar feed (RFC 5545). Events carry no personal data — only the kind of
//! appointment, time and place — since calendars are synced to outside services.

pub mod ical;

use crate::{
    auth::{extract::CurrentUser, session},
    error::{AppError, AppResult},
    policy::{ensure, Action, Role, Target},
    scheduling::store::{self, Appointment},
    state::AppState,
    store::row,
    web::{i18n, Ctx, Html},
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/calendar", get(page))
        .route("/me/calendar/feed", post(new_feed))
        .route("/me/calendar/feed/revoke", post(revoke_feed))
        .route("/calendar/{file}", get(feed))
        .route("/appointments/{id}/ics", get(one))
}

fn event<'a>(a: &'a Appointment, summary: &'a str) -> ical::Event<'a> {
    ical::Event {
        uid: &a.id,
        sequence: a.sequence,
        starts_at: a.starts_at / 1_000_000,
        ends_at: a.ends_at / 1_000_000,
        summary,
        location: a.place_text.as_deref(),
        description: None,
        cancelled: a.status == "cancelled",
        updated_at: a.updated_at / 1_000_000,
    }
}

fn ics(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response()
}

fn summaries(appts: &[Appointment]) -> Vec<String> {
    appts
        .iter()
        .map(|a| i18n::t(i18n::Lang::Da, &format!("ical.{}", a.kind)).to_string())
        .collect()
}

#[derive(Template)]
#[template(path = "scheduling/calendar.html")]
pub struct CalendarPage {
    ctx: Ctx,
    appointments: Vec<Appointment>,
    feed_url: Option<String>,
    has_feed: bool,
}

async fn calendar_page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    feed_url: Option<String>,
) -> AppResult<CalendarPage> {
    let a = u.actor();
    ensure(
        a,
        Action::AnswerOwnOffers,
        Target::Org(a.org_id.as_deref().unwrap_or("")),
    )?;
    let mut conn = state.db.pool.acquire().await?;
    let appointments =
        store::for_bisidder(&mut conn, &a.user_id, state.clock.now_us() - 86_400_000_000).await?;
    let has_feed: Option<Option<String>> = sqlx::query_scalar(
        "SELECT calendar_token_hash FROM bisidder_profiles WHERE user_id = $1 AND org_id = $2",
    )
    .bind(&a.user_id)
    .bind(a.org_id.as_deref().unwrap_or(""))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(CalendarPage {
        ctx,
        appointments,
        feed_url,
        has_feed: has_feed.flatten().is_some(),
    })
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<CalendarPage>> {
    Ok(Html(calendar_page(&state, ctx, &u, None).await?))
}

/// Makes a new private feed address (the old one stops working) and shows it once.
async fn new_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<CalendarPage>> {
    let a = u.actor();
    let org = a.org_id.as_deref().unwrap_or("");
    ensure(a, Action::AnswerOwnOffers, Target::Org(org))?;
    let token = session::random_token();
    sqlx::query(
        "UPDATE bisidder_profiles SET calendar_token_hash = $1 WHERE user_id = $2 AND org_id = $3",
    )
    .bind(session::hash_token(&token))
    .bind(&a.user_id)
    .bind(org)
    .execute(&state.db.pool)
    .await?;
    let url = format!("{}/calendar/{token}.ics", state.config.public_url);
    Ok(Html(calendar_page(&state, ctx, &u, Some(url)).await?))
}

async fn revoke_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<CalendarPage>> {
    let a = u.actor();
    let org = a.org_id.as_deref().unwrap_or("");
    ensure(a, Action::AnswerOwnOffers, Target::Org(org))?;
    sqlx::query("UPDATE bisidder_profiles SET calendar_token_hash = NULL WHERE user_id = $1 AND org_id = $2").bind(&a.user_id).bind(org).execute(&state.db.pool).await?;
    Ok(Html(calendar_page(&state, ctx, &u, None).await?))
}

/// The private feed: whoever holds the address reads the appointments (no personal data).
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let mut conn = state.db.pool.acquire().await?;
    let owner = sqlx::query("SELECT user_id FROM bisidder_profiles WHERE calendar_token_hash = $1")
        .bind(session::hash_token(token))
        .fetch_optional(&mut *conn)
        .await?;
    let user = row::s(&owner.ok_or(AppError::NotFound)?, "user_id")?;
    let appts =
        store::for_bisidder(&mut conn, &user, state.clock.now_us() - 30 * 86_400_000_000).await?;
    let names = summaries(&appts);
    let events: Vec<_> = appts.iter().zip(&names).map(|(a, s)| event(a, s)).collect();
    Ok(ics(ical::calendar("Bisidder", &events)))
}

/// One appointment as a `.ics` file, for its bisidder or a coordinator.
async fn one(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let a = u.actor();
    let org = a.org_id.as_deref().unwrap_or("");
    ensure(a, Action::AdjustAppointments, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let appt = match store::get_appointment(&mut conn, org, &id).await? {
        Some(x)
            if a.has(Role::Coordinator)
                || x.bisidder_user_id.as_deref() == Some(a.user_id.as_str()) =>
        {
            x
        }
        _ => {
            drop(conn);
            return Err(crate::audit::refused(&state, a, "appointment", &id).await);
        }
    };
    let names = summaries(std::slice::from_ref(&appt));
    Ok(ics(ical::calendar("Bisidder", &[event(&appt, &names[0])])))
}
