//! Whether a bisidder may take cases (SPEC C10): the organisation names the qualifications
//! it requires before a first case; each record has a date done and maybe an expiry date.
//! Pure.

use jiff::civil::Date;

/// Qualifications an organisation can require, in display order.
pub const ITEMS: [&str; 6] = [
    "external_course",
    "internal_course",
    "shadowing",
    "guidelines",
    "confidentiality",
    "boerneattest",
];

/// Record kinds: the items plus supervision (sparring), which is recorded but never required.
pub const KINDS: [&str; 7] = [
    "external_course",
    "internal_course",
    "shadowing",
    "guidelines",
    "confidentiality",
    "boerneattest",
    "supervision",
];

/// Days before an expiry that the bisidder and coordinators are warned.
pub const WARN_DAYS: i32 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: String,
    pub done_on: Date,
    pub expires_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Required items with no valid record today.
    pub missing: Vec<&'static str>,
    /// The first expiry among the required items' valid records: after it, no new offers.
    pub qualified_until: Option<Date>,
    /// Required items whose valid record expires within `WARN_DAYS`.
    pub expiring: Vec<(&'static str, Date)>,
}

impl Standing {
    pub fn qualified(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The standing of one bisidder on `today`. For each required item the record that stays
/// valid longest counts; a record counts from the day it was done through its expiry day.
pub fn standing(required: &[String], records: &[Record], today: Date) -> Standing {
    let mut s = Standing {
        missing: Vec::new(),
        qualified_until: None,
        expiring: Vec::new(),
    };
    for item in ITEMS.iter().filter(|i| required.iter().any(|r| r == *i)) {
        let valid = records
            .iter()
            .filter(|r| r.kind == *item && r.done_on <= today)
            .filter(|r| r.expires_on.is_none_or(|e| e >= today))
            .map(|r| r.expires_on)
            // None (never expires) is the longest.
            .max_by_key(|e| e.map_or((1, Date::MAX), |d| (0, d)));
        match valid {
            None => s.missing.push(item),
            Some(None) => {}
            Some(Some(until)) => {
                s.qualified_until = Some(s.qualified_until.map_or(until, |q| q.min(until)));
                if until <= today.saturating_add(jiff::Span::new().days(WARN_DAYS)) {
                    s.expiring.push((item, until));
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rec(kind: &str, done: Date, expires: Option<Date>) -> Record {
        Record {
            kind: kind.into(),
            done_on: done,
            expires_on: expires,
        }
    }

    #[test]
    fn a_bisidder_is_qualified_only_with_every_required_item_valid_today() {
        let today = date(2026, 11, 22);
        let required: Vec<String> = ["internal_course", "confidentiality", "boerneattest"]
            .map(String::from)
            .to_vec();
        let mut records = vec![
            rec("internal_course", date(2026, 1, 10), None),
            rec("confidentiality", date(2026, 1, 10), None),
            rec("supervision", date(2026, 6, 1), None),
        ];
        let s = standing(&required, &records, today);
        assert_eq!(s.missing, vec!["boerneattest"]);
        assert!(!s.qualified());
        // A børneattest valid until 10 December: qualified until then, and warned now.
        records.push(rec(
            "boerneattest",
            date(2024, 12, 10),
            Some(date(2026, 12, 10)),
        ));
        let s = standing(&required, &records, today);
        assert!(s.qualified());
        assert_eq!(s.qualified_until, Some(date(2026, 12, 10)));
        assert_eq!(s.expiring, vec![("boerneattest", date(2026, 12, 10))]);
        // A newer one counts instead; the old one no longer limits anything.
        records.push(rec(
            "boerneattest",
            date(2026, 11, 1),
            Some(date(2028, 11, 1)),
        ));
        let s = standing(&required, &records, today);
        assert_eq!(s.qualified_until, Some(date(2028, 11, 1)));
        assert!(s.expiring.is_empty());
        // Valid through its expiry day, not the day after.
        let last = standing(&required, &records, date(2028, 11, 1));
        assert!(last.qualified());
        let after = standing(&required, &records, date(2028, 11, 2));
        assert_eq!(after.missing, vec!["boerneattest"]);
        // A record dated in the future does not count yet; nothing required: qualified.
        let future = standing(
            &["shadowing".to_string()],
            &[rec("shadowing", date(2026, 12, 1), None)],
            today,
        );
        assert_eq!(future.missing, vec!["shadowing"]);
        assert!(standing(&[], &[], today).qualified());
    }
}
