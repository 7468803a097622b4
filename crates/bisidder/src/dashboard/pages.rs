use super::service::{self, StartData};
use crate::{
    auth::extract::CurrentUser,
    error::AppResult,
    state::AppState,
    web::{Ctx, Html},
};
use askama::Template;
use axum::extract::State;

#[derive(Template)]
#[template(path = "dashboard/start.html")]
pub struct StartPage {
    ctx: Ctx,
    data: StartData,
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<StartPage>> {
    let data = service::start(&state, u.actor()).await?;
    Ok(Html(StartPage { ctx, data }))
}
