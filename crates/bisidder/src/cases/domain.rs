//! Case work rules, pure: the codes a case uses, the complaint deadline, and reading hours
//! and mileage as people type them.

use super::workdays;
use jiff::{civil::Date, ToSpan};

/// Why a case was closed.
pub const CLOSE_REASONS: &[&str] = &[
    "completed",
    "person_withdrew",
    "no_longer_needed",
    "referred",
    "no_contact",
    "other",
];

/// Why a case moved to another bisidder (the person is told this, in neutral words).
pub const HANDOVER_REASONS: &[&str] = &[
    "bisidder_unavailable",
    "bisidder_stopped",
    "person_wish",
    "conflict_of_interest",
    "other",
];

/// Kinds of decision; only social-service decisions (Barnets Lov, Serviceloven) have the
/// fixed 4-week complaint deadline the platform computes.
pub const DECISION_KINDS: &[&str] = &["social_service", "other"];

/// Who asked in a network inquiry, and how.
pub const INQUIRY_FROM: &[&str] = &["parent", "school", "caseworker", "other_adult"];
pub const INQUIRY_CHANNELS: &[&str] = &["phone", "email", "letter", "in_person"];

/// How many days before a complaint deadline the bisidder is reminded.
pub const COMPLAINT_REMIND_DAYS: i64 = 7;

/// The last day to complain: 4 weeks after the decision was received for social-service
/// decisions, moved to the next working day when that day is a weekend or holiday.
pub fn complaint_deadline(kind: &str, received: Date) -> Option<Date> {
    if kind != "social_service" {
        return None;
    }
    let four_weeks = received.checked_add(28.days()).ok()?;
    Some(workdays::next_working_day_from(four_weeks))
}

/// The day from which the bisidder is reminded of a deadline.
pub fn remind_from(deadline: Date) -> Date {
    deadline
        .checked_sub(COMPLAINT_REMIND_DAYS.days())
        .unwrap_or(deadline)
}

pub fn parse_date(s: &str) -> Option<Date> {
    s.trim().parse().ok()
}

/// Hours as typed ("2", "2,5", "1.75") in whole minutes; `None` for anything else or more
/// than a day.
pub fn parse_hours(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() || s.starts_with('-') {
        return None;
    }
    let h: f64 = s.parse().ok()?;
    (h.is_finite() && (0.0..=24.0).contains(&h)).then(|| (h * 60.0).round() as i64)
}

/// Kilometres as typed, whole kilometres (0–2000); empty means 0.
pub fn parse_km(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    let km: i64 = s
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|k| k.is_finite())?
        .round() as i64;
    (0..=2000).contains(&km).then_some(km)
}

/// Minutes as hours for people: 150 → "2,5" (Danish) / "2.5".
pub fn hours_text(minutes: i64, danish: bool) -> String {
    let h = minutes as f64 / 60.0;
    let s = format!("{h:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if danish {
        s.replace('.', ",")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn complaint_deadline_is_four_weeks_from_receipt() {
        // Received Monday 2 March 2026 → Monday 30 March 2026.
        assert_eq!(
            complaint_deadline("social_service", date(2026, 3, 2)),
            Some(date(2026, 3, 30))
        );
        // Received 9 March 2026: four weeks is Easter Monday, so Tuesday 7 April.
        assert_eq!(
            complaint_deadline("social_service", date(2026, 3, 9)),
            Some(date(2026, 4, 7))
        );
        // Received 28 November 2026: four weeks is Saturday 26 December → Monday 28th.
        assert_eq!(
            complaint_deadline("social_service", date(2026, 11, 28)),
            Some(date(2026, 12, 28))
        );
        assert_eq!(complaint_deadline("other", date(2026, 3, 2)), None);
        assert_eq!(remind_from(date(2026, 3, 30)), date(2026, 3, 23));
    }

    #[test]
    fn hours_and_kilometres_as_typed() {
        assert_eq!(parse_hours("2,5"), Some(150));
        assert_eq!(parse_hours("1.75"), Some(105));
        assert_eq!(parse_hours("3"), Some(180));
        assert_eq!(parse_hours("-1"), None);
        assert_eq!(parse_hours("25"), None);
        assert_eq!(parse_hours("to"), None);
        assert_eq!(parse_hours(""), None);
        assert_eq!(parse_km(""), Some(0));
        assert_eq!(parse_km("42"), Some(42));
        assert_eq!(parse_km("12,6"), Some(13));
        assert_eq!(parse_km("-3"), None);
        assert_eq!(hours_text(150, true), "2,5");
        assert_eq!(hours_text(180, false), "3");
    }
}
