//! Danish working days, for deadlines counted in working days (a municipality's
//! acknowledgement of a report of concern: 6 working days) and for deadlines that end on a
//! day the authorities are closed (moved to the next working day).
//!
//! Not working days: Saturdays, Sundays, the public holidays (helligdage) — New Year's
//! Day, Maundy Thursday, Good Friday, Easter Sunday and Monday, Great Prayer Day (until
//! 2023; abolished from 2024), Ascension Day, Whit Sunday and Monday, Christmas Day and
//! Boxing Day — and the days public administration is customarily closed: Constitution
//! Day (5 June), Christmas Eve and New Year's Eve.

use jiff::civil::{Date, Weekday};

/// Easter Sunday of `year` (Gregorian computus, Anonymous/Meeus algorithm).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).unwrap_or_default()
}

/// Is `d` a public holiday or a customary closing day (see the module docs)?
pub fn is_holiday(d: Date) -> bool {
    let fixed = matches!(
        (d.month(), d.day()),
        (1, 1) | (6, 5) | (12, 24) | (12, 25) | (12, 26) | (12, 31)
    );
    if fixed {
        return true;
    }
    let easter = easter_sunday(d.year());
    let offset = (d - easter).get_days();
    match offset {
        -3 | -2 | 0 | 1 | 39 | 49 | 50 => true,
        // Store bededag, the fourth Friday after Easter, was a holiday until 2023.
        26 => d.year() <= 2023,
        _ => false,
    }
}

pub fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_holiday(d)
}

/// The `n`th working day after `from` (`from` itself not counted).
pub fn add_working_days(from: Date, n: u32) -> Date {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.tomorrow().unwrap_or(d);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// `d` if it is a working day, else the next working day (a deadline that ends on a
/// closed day runs to the next working day).
pub fn next_working_day_from(d: Date) -> Date {
    let mut d = d;
    while !is_working_day(d) {
        d = d.tomorrow().unwrap_or(d);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_dates_match_the_almanac() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn holidays_of_2026() {
        for d in [
            date(2026, 1, 1),
            date(2026, 4, 2),  // skærtorsdag
            date(2026, 4, 3),  // langfredag
            date(2026, 4, 6),  // 2. påskedag
            date(2026, 5, 14), // Kristi himmelfartsdag
            date(2026, 5, 25), // 2. pinsedag
            date(2026, 6, 5),  // grundlovsdag
            date(2026, 12, 24),
            date(2026, 12, 25),
            date(2026, 12, 31),
        ] {
            assert!(!is_working_day(d), "{d}");
        }
        // Store bededag 2026 (1 May) is an ordinary Friday since 2024; in 2023 it was not.
        assert!(is_working_day(date(2026, 5, 1)));
        assert!(!is_working_day(date(2023, 5, 5)));
        assert!(is_working_day(date(2026, 4, 7)));
    }

    #[test]
    fn six_working_days_across_easter_and_christmas() {
        // Sent Wednesday 1 April 2026: 2, 3 and 6 April are holidays, 4–5 a weekend, so
        // the six days are 7, 8, 9, 10, 13 and 14 April.
        assert_eq!(add_working_days(date(2026, 4, 1), 6), date(2026, 4, 14));
        // Sent Monday 21 December 2026: 22, 23, 28, 29, 30 December and 4 January.
        assert_eq!(add_working_days(date(2026, 12, 21), 6), date(2027, 1, 4));
        // An ordinary week: Monday 9 March → Tuesday 17 March.
        assert_eq!(add_working_days(date(2026, 3, 9), 6), date(2026, 3, 17));
    }

    #[test]
    fn a_deadline_on_a_closed_day_runs_to_the_next_working_day() {
        assert_eq!(next_working_day_from(date(2026, 4, 6)), date(2026, 4, 7));
        assert_eq!(next_working_day_from(date(2026, 3, 7)), date(2026, 3, 9));
        assert_eq!(next_working_day_from(date(2026, 3, 10)), date(2026, 3, 10));
    }
}
