//! The rules of Min sag sign-in, pure: codes, their lifetime and limits, and when a link
//! stops working. Service code applies them inside transactions.

use crate::clock::MINUTE_US;
use jiff::civil::Date;
use rand::Rng;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// A code works for this long after it was sent.
pub const CODE_TTL_US: i64 = 10 * MINUTE_US;
/// Wrong codes in a row before the link is locked for [`LOCK_US`].
pub const MAX_WRONG_CODES: i64 = 5;
pub const LOCK_US: i64 = 30 * MINUTE_US;
/// Codes that may be sent for one link per [`SEND_WINDOW_US`].
pub const MAX_CODES_PER_WINDOW: i64 = 3;
pub const SEND_WINDOW_US: i64 = 60 * MINUTE_US;
/// Code requests and tries from one peer address per window (all links together).
pub const ATTEMPTS_PER_ADDRESS: u32 = 20;
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(15 * 60);
/// A person's session lasts this long from the code, however active.
pub const SESSION_US: i64 = 30 * MINUTE_US;

/// A fresh six-digit code, uniformly drawn.
pub fn new_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

/// What is stored for a code: bound to its link, so a hash from one link is useless on another.
pub fn code_hash(link_id: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{link_id}:{code}").as_bytes()))
}

/// Accepts what people type: spaces and dashes are ignored; exactly six digits remain.
pub fn normalise_code(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// A link works while the case is open and for `days_after` days after the closing day.
pub fn link_open(closed_on: Option<Date>, today: Date, days_after: i64) -> bool {
    match closed_on {
        None => true,
        Some(closed) => match closed.checked_add(jiff::Span::new().days(days_after)) {
            Ok(last) => today <= last,
            Err(_) => false,
        },
    }
}

/// Whether the code send budget allows another code at `now`; returns the new
/// (window start, codes sent) when it does.
pub fn may_send(window_start: i64, sent: i64, now: i64) -> Option<(i64, i64)> {
    if now - window_start >= SEND_WINDOW_US {
        Some((now, 1))
    } else if sent < MAX_CODES_PER_WINDOW {
        Some((window_start, sent + 1))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_typing_is_forgiving() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert_eq!(normalise_code(&c).as_deref(), Some(c.as_str()));
        }
        assert_eq!(normalise_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(normalise_code("123-456").as_deref(), Some("123456"));
        assert_eq!(normalise_code("12345"), None);
        assert_eq!(normalise_code("12345a"), None);
    }

    #[test]
    fn a_code_hash_belongs_to_its_link() {
        assert_ne!(code_hash("a", "123456"), code_hash("b", "123456"));
        assert_eq!(code_hash("a", "123456"), code_hash("a", "123456"));
    }

    #[test]
    fn links_close_the_configured_days_after_the_case() {
        let closed: Date = "2026-03-01".parse().unwrap();
        assert!(link_open(None, closed, 0));
        assert!(link_open(Some(closed), "2026-03-31".parse().unwrap(), 30));
        assert!(!link_open(Some(closed), "2026-04-01".parse().unwrap(), 30));
        assert!(!link_open(Some(closed), "2026-03-02".parse().unwrap(), 0));
    }

    #[test]
    fn three_codes_an_hour_per_link() {
        let mut w = (0, 0);
        for _ in 0..3 {
            w = may_send(w.0, w.1, 10).unwrap();
        }
        assert_eq!(may_send(w.0, w.1, 20), None);
        assert_eq!(
            may_send(w.0, w.1, 10 + SEND_WINDOW_US),
            Some((10 + SEND_WINDOW_US, 1))
        );
    }
}
