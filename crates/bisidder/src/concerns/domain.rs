//! Reports of concern (underretninger), pure: the CPR number parser, the report form's
//! validation, and the acknowledgement deadline (6 working days).

pub use crate::stats::domain::CATEGORIES;
use crate::{
    cases::workdays,
    error::{AppError, FieldError},
    web::form::FormData,
};
use jiff::civil::Date;

/// How a report was sent to the municipality.
pub const SENT_HOW: &[&str] = &["secure_mail", "digital_post", "web_form", "phone", "letter"];

/// Professional reporters should get an acknowledgement within this many working days.
pub const ACK_WORKING_DAYS: u32 = 6;

/// The day by which the municipality should have acknowledged a report sent on `sent`.
pub fn ack_due(sent: Date) -> Date {
    workdays::add_working_days(sent, ACK_WORKING_DAYS)
}

/// A parsed CPR number: the birth date it encodes. The number itself is only ever stored
/// encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpr {
    pub digits: String,
    pub birth_date: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CprError {
    Format,
    Date,
    Checksum,
}

/// Since 1 October 2007 CPR numbers are also issued that fail the modulus-11 check, so
/// the check is made only for birth dates before then (all numbers of people born earlier
/// were issued with it, except a few numbers issued later — a known limitation).
const MOD11_UNTIL: (i16, i8, i8) = (2007, 10, 1);

/// Parses `DDMMYY-SSSS` or `DDMMYYSSSS` (spaces allowed): the date must exist, with the
/// century read from the seventh digit as the CPR office defines it.
pub fn parse_cpr(input: &str) -> Result<Cpr, CprError> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(CprError::Format);
    }
    let d: Vec<i32> = digits.bytes().map(|b| i32::from(b - b'0')).collect();
    let day = d[0] * 10 + d[1];
    let month = d[2] * 10 + d[3];
    let yy = d[4] * 10 + d[5];
    let century = match (d[6], yy) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (5..=8, 0..=57) => 2000,
        (5..=8, _) => 1800,
        _ => return Err(CprError::Format),
    };
    let birth_date =
        Date::new((century + yy) as i16, month as i8, day as i8).map_err(|_| CprError::Date)?;
    let (y, m, dd) = MOD11_UNTIL;
    if birth_date < Date::new(y, m, dd).unwrap_or_default() {
        let weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: i32 = d.iter().zip(weights).map(|(a, w)| a * w).sum();
        if sum % 11 != 0 {
            return Err(CprError::Checksum);
        }
    }
    Ok(Cpr { digits, birth_date })
}

/// A validated report, ready to store.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub child_name: String,
    pub child_birth_date: Date,
    pub cpr: Option<String>,
    pub kommune_code: String,
    pub categories: Vec<String>,
    pub description: String,
    pub acute: bool,
}

fn err(field: &'static str, message: &'static str) -> FieldError {
    FieldError { field, message }
}

/// Validates the report form; `today` keeps birth dates from lying in the future.
pub fn validate(form: &FormData, today: Date) -> Result<NewReport, AppError> {
    let mut e = Vec::new();
    let child_name = form.get("child_name").to_string();
    if child_name.is_empty() {
        e.push(err("child_name", "intake.err_required"));
    } else if child_name.chars().count() > 100 {
        e.push(err("child_name", "intake.err_too_long"));
    }
    let birth = match form.get("child_birth_date") {
        "" => {
            e.push(err("child_birth_date", "intake.err_required"));
            None
        }
        s => match s.parse::<Date>() {
            Ok(d) if d <= today && d.year() > today.year() - 110 => Some(d),
            _ => {
                e.push(err("child_birth_date", "report.err_birth_date"));
                None
            }
        },
    };
    let cpr = match form.get("cpr") {
        "" => None,
        s => match parse_cpr(s) {
            Ok(c) if birth.is_some_and(|b| b != c.birth_date) => {
                e.push(err("cpr", "report.err_cpr_birth_date"));
                None
            }
            Ok(c) => Some(c.digits),
            Err(CprError::Format) => {
                e.push(err("cpr", "report.err_cpr_format"));
                None
            }
            Err(CprError::Date) => {
                e.push(err("cpr", "report.err_cpr_date"));
                None
            }
            Err(CprError::Checksum) => {
                e.push(err("cpr", "report.err_cpr_checksum"));
                None
            }
        },
    };
    let kommune_code = form.get("kommune").to_string();
    if geo::kommune(&kommune_code).is_none() {
        e.push(err("kommune", "intake.err_choose"));
    }
    let mut categories: Vec<String> = form
        .0
        .iter()
        .filter(|(k, _)| k == "category")
        .map(|(_, v)| v.trim().to_string())
        .collect();
    categories.sort();
    categories.dedup();
    if categories.is_empty() || categories.iter().any(|c| !CATEGORIES.contains(&c.as_str())) {
        e.push(err("category", "report.err_categories"));
    }
    let description = form.get("description").to_string();
    if description.is_empty() {
        e.push(err("description", "intake.err_required"));
    } else if description.chars().count() > 10_000 {
        e.push(err("description", "intake.err_too_long"));
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    Ok(NewReport {
        child_name,
        child_birth_date: birth.unwrap_or_default(),
        cpr,
        kommune_code,
        categories,
        description,
        acute: form.get("acute") == "1",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn cpr_numbers_are_read_with_their_century_and_checked() {
        // 070761-4285: the standard modulus-11 example (born 7 July 1961).
        let c = parse_cpr("070761-4285").unwrap();
        assert_eq!(c.birth_date, date(1961, 7, 7));
        assert_eq!(c.digits, "0707614285");
        assert_eq!(parse_cpr("070761-4286"), Err(CprError::Checksum));
        // Born 2012: seventh digit 4 with year 12 → 2000s; no modulus-11 check since 2007.
        assert_eq!(
            parse_cpr("010312-4001").unwrap().birth_date,
            date(2012, 3, 1)
        );
        assert_eq!(
            parse_cpr("1503105001").unwrap().birth_date,
            date(2010, 3, 15)
        );
        // Seventh digit 5–8 with year 58–99 → 1800s (checked: fails modulus 11 here).
        assert_eq!(parse_cpr("010199-5000"), Err(CprError::Checksum));
        assert_eq!(parse_cpr("310212-4000"), Err(CprError::Date));
        assert_eq!(
            parse_cpr("290216-4000").unwrap().birth_date,
            date(2016, 2, 29)
        );
        assert_eq!(parse_cpr("12345"), Err(CprError::Format));
        assert_eq!(parse_cpr("01011a-4000"), Err(CprError::Format));
    }

    #[test]
    fn the_acknowledgement_is_due_six_working_days_after_sending() {
        assert_eq!(ack_due(date(2026, 4, 1)), date(2026, 4, 14));
        assert_eq!(ack_due(date(2026, 12, 21)), date(2027, 1, 4));
    }

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_report_form_is_checked_field_by_field() {
        let today = date(2026, 3, 2);
        let ok = validate(
            &form(&[
                ("child_name", "Emma Jensen"),
                ("child_birth_date", "2012-03-01"),
                ("cpr", "010312-4001"),
                ("kommune", "0101"),
                ("category", "mistrivsel"),
                ("category", "fysisk_vold"),
                ("category", "mistrivsel"),
                ("description", "Beskrivelse"),
                ("acute", "1"),
            ]),
            today,
        )
        .unwrap();
        assert_eq!(ok.categories, ["fysisk_vold", "mistrivsel"]);
        assert!(ok.acute);
        let Err(AppError::Invalid(fields)) = validate(
            &form(&[
                ("child_birth_date", "2013-01-01"),
                ("cpr", "010312-4001"),
                ("kommune", "9999"),
                ("category", "noget"),
            ]),
            today,
        ) else {
            panic!("invalid form accepted")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field).collect();
        assert_eq!(
            names,
            ["child_name", "cpr", "kommune", "category", "description"]
        );
        assert_eq!(fields[1].message, "report.err_cpr_birth_date");
    }
}
