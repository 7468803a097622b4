//! Fixed-window rate limit per peer address for sign-in, second factor and password reset.
//! Keyed on the TCP peer address only: X-Forwarded-For and similar headers are never read,
//! so forging them gains nothing. (In memory per instance: an attacker spreading over two
//! instances gets at most twice the budget, and the per-account soft lock in the database
//! still applies.)

use jiff::Timestamp;
use std::{collections::HashMap, net::IpAddr, sync::Mutex, time::Duration};

pub struct RateLimiter {
    limit: u32,
    window_us: i64,
    buckets: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window_us: window.as_micros() as i64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt from `ip` at `now`; false when the budget for the window is spent.
    pub fn allow(&self, ip: IpAddr, now: Timestamp) -> bool {
        let now = now.as_microsecond();
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        if buckets.len() > 100_000 {
            let window = self.window_us;
            buckets.retain(|_, (start, _)| now - *start < window);
        }
        let entry = buckets.entry(ip).or_insert((now, 0));
        if now - entry.0 >= self.window_us {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_budget_and_it_refills() {
        let l = RateLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Timestamp::from_second(1_000_000).unwrap();
        assert!((0..3).all(|_| l.allow(a, t0)));
        assert!(!l.allow(a, t0));
        assert!(l.allow(b, t0));
        let later = Timestamp::from_second(1_000_061).unwrap();
        assert!(l.allow(a, later));
    }
}
