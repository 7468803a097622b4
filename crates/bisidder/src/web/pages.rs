//! Public pages: the front page in plain language, and the language switch.

use super::{render::lang_cookie, Ctx, FormDataExt, Html};
use crate::{state::AppState, web::form::FormData, web::i18n::Lang};
use askama::Template;
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Template)]
#[template(path = "web/front.html")]
pub struct FrontPage {
    pub ctx: Ctx,
}

pub async fn front(ctx: Ctx) -> Html<FrontPage> {
    Html(FrontPage { ctx })
}

/// Switches between Danish and English and returns to the page the user was on.
pub async fn switch_lang(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Response {
    let lang = Lang::parse(form.get("lang")).unwrap_or(ctx.lang.other());
    let back = form.safe_return_path("return_to");
    let mut resp = Redirect::to(&back).into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, lang_cookie(&state, lang));
    resp
}
