//! Formatting instants for people: Europe/Copenhagen civil time.

use jiff::{tz::TimeZone, Timestamp};

pub fn copenhagen() -> TimeZone {
    TimeZone::get("Europe/Copenhagen").unwrap_or(TimeZone::UTC)
}

/// `2026-03-29 02:30` in Danish local time (DST-aware).
pub fn local_datetime(us: i64) -> String {
    match Timestamp::from_microsecond(us) {
        Ok(ts) => ts
            .to_zoned(copenhagen())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// `14:30` in Danish local time.
pub fn local_time(us: i64) -> String {
    match Timestamp::from_microsecond(us) {
        Ok(ts) => ts.to_zoned(copenhagen()).strftime("%H:%M").to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summer_and_winter_time() {
        // 2026-03-29 01:30 UTC is 03:30 summer time; 2026-01-15 12:00 UTC is 13:00.
        let s: Timestamp = "2026-03-29T01:30:00Z".parse().unwrap();
        assert_eq!(local_datetime(s.as_microsecond()), "2026-03-29 03:30");
        let w: Timestamp = "2026-01-15T12:00:00Z".parse().unwrap();
        assert_eq!(local_datetime(w.as_microsecond()), "2026-01-15 13:00");
    }
}
