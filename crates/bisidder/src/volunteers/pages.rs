use super::{
    domain::{Record, Standing, ITEMS},
    service::{self, Application, Overview},
};
use crate::{
    auth::extract::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    web::{
        form::{FormData, FormState},
        Ctx, Html,
    },
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Template)]
#[template(path = "volunteers/apply.html")]
pub struct ApplyPage {
    ctx: Ctx,
    slug: String,
    f: FormState,
    heard: &'static [&'static str],
    done: bool,
}

pub async fn apply_form(ctx: Ctx, Path(slug): Path<String>) -> AppResult<Html<ApplyPage>> {
    Ok(Html(ApplyPage {
        ctx,
        slug,
        f: FormState::default(),
        heard: crate::intake::domain::HEARD_OF,
        done: false,
    }))
}

pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match service::apply(&state, &slug, &form).await {
        Ok(()) => Ok(Html(ApplyPage {
            ctx,
            slug,
            f: FormState::default(),
            heard: crate::intake::domain::HEARD_OF,
            done: true,
        })
        .into_response()),
        Err(e @ AppError::Invalid(_)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(ApplyPage {
                ctx,
                slug,
                f: FormState::new(form, Some(e))?,
                heard: crate::intake::domain::HEARD_OF,
                done: false,
            }),
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "volunteers/overview.html")]
pub struct OverviewPage {
    ctx: Ctx,
    o: Overview,
    items: [&'static str; 6],
    kommuner: Vec<(&'static str, &'static str)>,
    error: Option<&'static str>,
    can_configure: bool,
}

impl OverviewPage {
    fn when(&self, at: &i64) -> String {
        crate::web::fmt::local_datetime(*at)
    }

    fn required(&self, item: &str) -> bool {
        self.o.required.iter().any(|r| r == item)
    }

    fn missing(&self, s: &Standing) -> String {
        s.missing
            .iter()
            .map(|m| self.ctx.tk("qualification", m))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn until(&self, s: &Standing) -> String {
        s.qualified_until.map(|d| d.to_string()).unwrap_or_default()
    }
}

async fn overview_page(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    error: Option<&'static str>,
) -> AppResult<OverviewPage> {
    let o = service::overview(state, u.actor()).await?;
    let org = u.actor().org_id.clone().unwrap_or_default();
    let can_configure = crate::policy::can(
        u.actor(),
        crate::policy::Action::ConfigureVolunteering,
        crate::policy::Target::Org(&org),
    );
    Ok(OverviewPage {
        ctx,
        o,
        items: ITEMS,
        kommuner: crate::web::view::kommuner(),
        error,
        can_configure,
    })
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<OverviewPage>> {
    Ok(Html(overview_page(&state, ctx, &u, None).await?))
}

async fn back_to_overview(
    state: &AppState,
    ctx: Ctx,
    u: &CurrentUser,
    r: AppResult<()>,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to("/volunteers").into_response()),
        Err(AppError::Invalid(f)) => {
            let key = f.first().map(|f| f.message);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(overview_page(state, ctx, u, key).await?),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn requirements(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    let r = service::set_requirements(&state, u.actor(), &form).await;
    back_to_overview(&state, ctx, &u, r).await
}

pub async fn ambassador(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    let r = service::add_ambassador(&state, u.actor(), &form).await;
    back_to_overview(&state, ctx, &u, r).await
}

pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::add_record(&state, u.actor(), &id, &form).await;
    back_to_overview(&state, ctx, &u, r).await
}

#[derive(Template)]
#[template(path = "volunteers/application.html")]
pub struct ApplicationPage {
    ctx: Ctx,
    a: Application,
    f: FormState,
}

pub async fn application(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<ApplicationPage>> {
    let a = service::application(&state, u.actor(), &id).await?;
    Ok(Html(ApplicationPage {
        ctx,
        a,
        f: FormState::default(),
    }))
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match service::decide(&state, u.actor(), &id, &form).await {
        Ok(()) => Ok(Redirect::to("/volunteers").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let a = service::application(&state, u.actor(), &id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(ApplicationPage {
                    ctx,
                    a,
                    f: FormState::new(form, Some(e))?,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "volunteers/onboarding.html")]
pub struct OnboardingPage {
    ctx: Ctx,
    s: Standing,
    records: Vec<Record>,
}

impl OnboardingPage {
    fn done(&self, item: &str) -> bool {
        self.records.iter().any(|r| r.kind == item)
    }
}

pub async fn onboarding(
    State(state): State<AppState>,
    ctx: Ctx,
    u: CurrentUser,
) -> AppResult<Html<OnboardingPage>> {
    let (s, records) = service::own(&state, u.actor()).await?;
    Ok(Html(OnboardingPage { ctx, s, records }))
}

pub async fn ack_guidelines(State(state): State<AppState>, u: CurrentUser) -> AppResult<Response> {
    service::acknowledge(&state, u.actor(), "guidelines").await?;
    Ok(Redirect::to("/me/onboarding").into_response())
}

pub async fn ack_confidentiality(
    State(state): State<AppState>,
    u: CurrentUser,
) -> AppResult<Response> {
    service::acknowledge(&state, u.actor(), "confidentiality").await?;
    Ok(Redirect::to("/me/onboarding").into_response())
}
