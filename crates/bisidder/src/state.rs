//! Shared application state handed to every handler.

use crate::{
    auth::ratelimit::RateLimiter, clock::Clock, config::Config, crypto::FieldCrypto, store::Db,
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub crypto: FieldCrypto,
    pub clock: Clock,
    pub login_limiter: Arc<RateLimiter>,
    /// Min sag code requests and tries per peer address.
    pub minsag_limiter: Arc<RateLimiter>,
    /// Wakes the outbox worker after a commit that enqueued a message.
    pub outbox_wake: Arc<Notify>,
    /// The dashboard's earlier years' case counts per organisation, with when they were
    /// counted and the year they end before (`dashboard::service`).
    pub past_years: Arc<Mutex<HashMap<String, PastYears>>>,
}

pub type PastYears = (std::time::Instant, String, Vec<(String, i64)>);

impl AppState {
    pub fn new(db: Db, config: Config, crypto: FieldCrypto, clock: Clock) -> Self {
        let limiter = RateLimiter::new(config.login_attempts_per_window, config.login_window);
        AppState {
            db,
            config: Arc::new(config),
            crypto,
            clock,
            login_limiter: Arc::new(limiter),
            minsag_limiter: Arc::new(RateLimiter::new(
                crate::minsag::domain::ATTEMPTS_PER_ADDRESS,
                crate::minsag::domain::ADDRESS_WINDOW,
            )),
            outbox_wake: Arc::new(Notify::new()),
            past_years: Arc::default(),
        }
    }
}
