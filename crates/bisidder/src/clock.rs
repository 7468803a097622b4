//! The one source of "now". Production reads the system clock; tests move a fixed clock
//! to exercise timeouts and expiries without sleeping.

use jiff::Timestamp;
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    /// A clock that stands still at `at` until moved with [`Clock::advance`].
    pub fn fixed(at: Timestamp) -> Self {
        Clock {
            fixed: Some(Arc::new(AtomicI64::new(at.as_microsecond()))),
        }
    }

    pub fn now(&self) -> Timestamp {
        match &self.fixed {
            None => Timestamp::now(),
            Some(us) => Timestamp::from_microsecond(us.load(Ordering::SeqCst))
                .unwrap_or(Timestamp::UNIX_EPOCH),
        }
    }

    /// Microseconds since the Unix epoch — how instants are stored in the database.
    pub fn now_us(&self) -> i64 {
        self.now().as_microsecond()
    }

    /// Moves a fixed clock forward; no effect on the system clock.
    pub fn advance(&self, by: std::time::Duration) {
        if let Some(us) = &self.fixed {
            us.fetch_add(by.as_micros() as i64, Ordering::SeqCst);
        }
    }
}

pub const SECOND_US: i64 = 1_000_000;
pub const MINUTE_US: i64 = 60 * SECOND_US;
pub const HOUR_US: i64 = 60 * MINUTE_US;
