//! Bisidder: the platform on which Danish organisations run their bisidder services.
//! See docs/ARCHITECTURE.md for the map; [`build_app`] is where the pieces meet.

pub mod api;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod cli;
pub mod clock;
pub mod concerns;
pub mod config;
pub mod crypto;
pub mod dashboard;
pub mod demo;
pub mod directory;
pub mod error;
pub mod geo_ref;
pub mod import;
pub mod intake;
pub mod knowledge;
pub mod minsag;
pub mod notify;
pub mod ops;
pub mod orgs;
pub mod people;
pub mod policy;
pub mod privacy;
pub mod routes;
pub mod scheduling;
pub mod state;
pub mod stats;
pub mod store;
pub mod volunteers;
pub mod web;

use axum::{middleware, Router};
use state::AppState;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, limit::RequestBodyLimitLayer,
    timeout::TimeoutLayer, trace::TraceLayer,
};

/// The whole HTTP application. Layers, outermost first: tracing, panic catcher, security
/// headers, error rendering, timeout, body limit, compression, metrics, CSRF, session.
pub fn build_app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    ops::prometheus();
    Router::new()
        .merge(web::routes())
        .merge(auth::routes())
        .merge(dashboard::routes())
        .merge(orgs::routes())
        .merge(intake::routes())
        .merge(scheduling::routes())
        .merge(people::routes())
        .merge(calendar::routes())
        .merge(cases::routes())
        .merge(concerns::routes())
        .merge(stats::routes())
        .merge(knowledge::routes())
        .merge(volunteers::routes())
        .merge(minsag::routes())
        .merge(privacy::routes())
        .merge(directory::routes())
        .merge(ops::routes())
        .merge(api::routes())
        .fallback(|| async { error::AppError::NotFound })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session::load,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::csrf::guard,
        ))
        .layer(middleware::from_fn(ops::track))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::render::render_errors,
        ))
        .layer(middleware::from_fn(web::headers::security_headers))
        .layer(CatchPanicLayer::new())
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // Route pattern only: concrete paths can hold tokens or ids.
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                tracing::info_span!("request", method = %req.method(), route = %route)
            }),
        )
        .with_state(state)
}

/// Opens the database, checks durability, runs migrations, and loads the field keys.
pub async fn open(config: &config::Config, clock: clock::Clock) -> anyhow::Result<AppState> {
    let db = store::Db::connect(&config.database_url).await?;
    db.verify_durability().await?;
    db.migrate().await?;
    let crypto = crypto::FieldCrypto::load_or_create(&config.data_dir)?;
    Ok(AppState::new(db, config.clone(), crypto, clock))
}

/// Serves until SIGINT/SIGTERM, then finishes in-flight requests and stops the workers.
pub async fn serve(
    state: AppState,
    on_ready: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.bind).await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(notify::worker::run(state.clone(), stop_rx));
    let app = build_app(state.clone());
    on_ready(addr);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(notify::worker::stop_grace(&state), worker).await;
    state.db.pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
