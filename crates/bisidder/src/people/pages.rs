use super::service::{self, Profile};
use crate::{
    auth::extract::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    web::{form::FormData, Ctx, Html},
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Template)]
#[template(path = "people/profile.html")]
pub struct ProfilePage {
    ctx: Ctx,
    p: Profile,
    kommuner: Vec<(&'static str, &'static str)>,
    error: Option<&'static str>,
}

impl ProfilePage {
    fn serves(&self, code: &str) -> bool {
        self.p.areas.split(',').any(|a| a == code)
    }
    fn gender_is(&self, g: &str) -> bool {
        self.p.gender == g
    }
    fn has_skill(&self, s: &str) -> bool {
        self.p.skills.iter().any(|x| x == s)
    }
    fn slot_time(&self, start: &i64, end: &i64) -> String {
        format!(
            "{:02}:{:02}–{:02}:{:02}",
            start % 1440 / 60,
            start % 60,
            end % 1440 / 60,
            end % 60
        )
    }
    fn day_key(&self, start: &i64) -> String {
        format!(
            "weekday.{}",
            service::WEEKDAYS
                .get((start / 1440) as usize)
                .unwrap_or(&"mon")
        )
    }
    fn date(&self, us: &i64) -> String {
        crate::web::fmt::local_datetime(*us)
            .split(' ')
            .next()
            .unwrap_or("")
            .to_string()
    }
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    error: Option<&'static str>,
) -> AppResult<ProfilePage> {
    let p = service::load(state, u.actor()).await?;
    Ok(ProfilePage {
        ctx,
        p,
        kommuner: crate::web::view::kommuner(),
        error,
    })
}

pub async fn profile(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<ProfilePage>> {
    Ok(Html(page(&state, ctx, &u, None).await?))
}

async fn done(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/me/profile").into_response()),
        Err(AppError::Invalid(f)) => {
            let key = f.first().map(|f| f.message);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(page(state, ctx, u, key).await?),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    let r = service::save(&state, u.actor(), &form).await;
    done(&state, ctx, &u, r).await
}

pub async fn add_slot(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    let r = service::add_slot(&state, u.actor(), &form).await;
    done(&state, ctx, &u, r).await
}

pub async fn delete_slot(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let r = service::delete_own(&state, u.actor(), "availability", &id).await;
    done(&state, ctx, &u, r).await
}

pub async fn add_absence(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    let r = service::add_absence(&state, u.actor(), &form).await;
    done(&state, ctx, &u, r).await
}

pub async fn delete_absence(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let r = service::delete_own(&state, u.actor(), "absences", &id).await;
    done(&state, ctx, &u, r).await
}
