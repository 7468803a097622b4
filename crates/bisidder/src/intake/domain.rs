//! Requests (henvendelser): statuses and their allowed transitions (SPEC C2), and the
//! validation of a new request. Pure; tested below.

use crate::error::{AppError, FieldError};
use crate::web::form::FormData;
use jiff::{civil::Date, Timestamp};

/// A request's status. The happy path is new → contacted → consented → matching →
/// offered → assigned; it can also end declined (by the person), rejected (by the
/// scheme), referred (to another scheme) or withdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    New,
    Contacted,
    Consented,
    Matching,
    Offered,
    Assigned,
    Declined,
    Rejected,
    Referred,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::New,
        Status::Contacted,
        Status::Consented,
        Status::Matching,
        Status::Offered,
        Status::Assigned,
        Status::Declined,
        Status::Rejected,
        Status::Referred,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Contacted => "contacted",
            Status::Consented => "consented",
            Status::Matching => "matching",
            Status::Offered => "offered",
            Status::Assigned => "assigned",
            Status::Declined => "declined",
            Status::Rejected => "rejected",
            Status::Referred => "referred",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still waiting for a bisidder.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::New
                | Status::Contacted
                | Status::Consented
                | Status::Matching
                | Status::Offered
        )
    }

    /// Matching is allowed only after the person's own consent (SPEC principle 1).
    pub fn has_consent(self) -> bool {
        matches!(
            self,
            Status::Consented | Status::Matching | Status::Offered | Status::Assigned
        )
    }

    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        match (self, next) {
            (New, Contacted) | (New | Contacted, Consented) => true,
            (New | Contacted, Declined) => true,
            (Consented | Matching, Matching | Offered | Assigned) => true,
            (Offered, Assigned | Matching) => true,
            (s, Rejected | Referred) if s.is_open() => true,
            (s, Withdrawn) if s.is_open() || s == Assigned => true,
            _ => false,
        }
    }
}

/// Who contacted us.
pub const CONTACT_ROLES: &[&str] = &[
    "self",
    "for_child",
    "professional",
    "helpline",
    "coordinator_phone",
    "caseworker",
];
/// SPEC §6 authority codes.
pub const AUTHORITIES: &[&str] = &[
    "kommune",
    "familieretshuset",
    "familieretten",
    "ankestyrelsen",
    "ungdomskriminalitetsnaevnet",
    "boern_og_unge_udvalget",
    "retten",
    "jobcenter",
    "ydelse",
    "sundhed",
    "misbrugsbehandling",
    "bolig",
    "politi",
    "anden",
];
pub const GENDERS: &[&str] = &["girl", "boy", "woman", "man", "other", "unknown"];
pub const SAFE_CHANNELS: &[&str] = &["sms", "call", "email"];
pub const MEETING_MODES: &[&str] = &["in_person", "video", "phone"];
pub const REJECTION_REASONS: &[&str] = &[
    "short_notice",
    "not_target_group",
    "outside_area",
    "meeting_type_out_of_scope",
    "no_capacity",
    "other",
];
pub const HEARD_OF: &[&str] = &[
    "",
    "internet",
    "school",
    "caseworker",
    "helpline",
    "friend",
    "ambassador",
    "other",
];

/// A validated new request, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRequest {
    pub contact_role: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_org: Option<String>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub birth_date: Option<Date>,
    pub age: Option<u8>,
    pub gender: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_channel: Option<String>,
    pub safe_times: Option<String>,
    pub language: Option<String>,
    pub needs_interpreter: bool,
    pub kommune_code: String,
    pub postcode: Option<String>,
    pub authority: String,
    pub purpose: Option<String>,
    pub meeting_at: Option<Timestamp>,
    pub meeting_mode: String,
    pub place_text: Option<String>,
    pub urgent: bool,
    pub unannounced: bool,
    pub wished_gender: Option<String>,
    pub wished_language: Option<String>,
    pub heard_of: Option<String>,
}

fn opt(form: &FormData, name: &str) -> Option<String> {
    let v = form.get(name);
    (!v.is_empty()).then(|| v.to_string())
}

fn one_of(
    form: &FormData,
    name: &'static str,
    allowed: &[&str],
    errors: &mut Vec<FieldError>,
) -> String {
    let v = form.get(name);
    if !allowed.contains(&v) {
        errors.push(FieldError {
            field: name,
            message: "intake.err_choose",
        });
    }
    v.to_string()
}

fn phone_ok(p: &str) -> bool {
    let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
    let allowed = p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    allowed && (8..=15).contains(&digits.len())
}

/// Parses "YYYY-MM-DD" + "HH:MM" as Danish local time (DST-aware).
pub fn local_timestamp(date: &str, time: &str) -> Option<Timestamp> {
    let d: Date = date.parse().ok()?;
    let (h, m) = time.split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    let dt = d.to_datetime(jiff::civil::Time::new(h, m, 0, 0).ok()?);
    dt.to_zoned(crate::web::fmt::copenhagen())
        .ok()
        .map(|z| z.timestamp())
}

/// A date a meeting or absence can have: from a year before `now` to five years after it.
/// Further out is a typing slip (or 9999-12-31), and would only fill lists and plans.
pub fn plausible(ts: Timestamp, now: Timestamp) -> bool {
    let year = jiff::SignedDuration::from_hours(24 * 366);
    ts > now - year && ts < now + year * 5
}

/// Validates the request form. `now` keeps meeting times from lying in the past and birth
/// dates from lying in the future. Text fields are capped so one field cannot fill a page.
pub fn validate(
    form: &FormData,
    contact_role: &str,
    now: Timestamp,
) -> Result<NewRequest, AppError> {
    let mut e = Vec::new();
    if !CONTACT_ROLES.contains(&contact_role) {
        e.push(FieldError {
            field: "contact_role",
            message: "intake.err_choose",
        });
    }
    let first_name = form.get("first_name").to_string();
    if first_name.is_empty() {
        e.push(FieldError {
            field: "first_name",
            message: "intake.err_first_name",
        });
    }
    for (field, max) in [
        ("first_name", 60),
        ("last_name", 80),
        ("purpose", 1000),
        ("place_text", 200),
        ("safe_times", 200),
        ("contact_name", 100),
        ("contact_org", 150),
        ("contact_email", 200),
        ("language", 50),
        ("wished_language", 50),
    ] {
        if form.get(field).chars().count() > max {
            e.push(FieldError {
                field,
                message: "intake.err_too_long",
            });
        }
    }
    let today = now.to_zoned(crate::web::fmt::copenhagen()).date();
    let birth_date = match form.get("birth_date") {
        "" => None,
        s => match s.parse::<Date>() {
            Ok(d) if d <= today && d.year() > today.year() - 110 => Some(d),
            _ => {
                e.push(FieldError {
                    field: "birth_date",
                    message: "intake.err_birth_date",
                });
                None
            }
        },
    };
    let age = match form.get("age") {
        "" => None,
        s => match s.parse::<u8>() {
            Ok(a) if a <= 110 => Some(a),
            _ => {
                e.push(FieldError {
                    field: "age",
                    message: "intake.err_age",
                });
                None
            }
        },
    };
    let gender = match form.get("gender") {
        "" => "unknown".to_string(),
        _ => one_of(form, "gender", GENDERS, &mut e),
    };
    let phone = opt(form, "phone");
    let email = opt(form, "email");
    if phone.as_deref().is_some_and(|p| !phone_ok(p)) {
        e.push(FieldError {
            field: "phone",
            message: "intake.err_phone",
        });
    }
    if email
        .as_deref()
        .is_some_and(|m| !m.contains('@') || m.len() > 200)
    {
        e.push(FieldError {
            field: "email",
            message: "field.email_invalid",
        });
    }
    let contact_phone = opt(form, "contact_phone");
    let contact_email = opt(form, "contact_email");
    if contact_phone.as_deref().is_some_and(|p| !phone_ok(p)) {
        e.push(FieldError {
            field: "contact_phone",
            message: "intake.err_phone",
        });
    }
    let reachable =
        phone.is_some() || email.is_some() || contact_phone.is_some() || contact_email.is_some();
    if !reachable {
        e.push(FieldError {
            field: "phone",
            message: "intake.err_reachable",
        });
    }
    let safe_channel = match form.get("safe_channel") {
        "" => None,
        _ => Some(one_of(form, "safe_channel", SAFE_CHANNELS, &mut e)),
    };
    // The kommune: a code, or found from the postcode.
    let postcode = opt(form, "postcode");
    let kommune_code = match (
        form.get("kommune"),
        postcode.as_deref().and_then(geo::postcode),
    ) {
        (k, _) if geo::kommune(k).is_some() => geo::kommune(k)
            .map(|k| k.code.to_string())
            .unwrap_or_default(),
        ("", Some(p)) => p
            .kommune_codes
            .first()
            .map(|c| c.to_string())
            .unwrap_or_default(),
        _ => {
            e.push(FieldError {
                field: "kommune",
                message: "intake.err_kommune",
            });
            String::new()
        }
    };
    if postcode.is_some() && postcode.as_deref().and_then(geo::postcode).is_none() {
        e.push(FieldError {
            field: "postcode",
            message: "intake.err_postcode",
        });
    }
    let authority = one_of(form, "authority", AUTHORITIES, &mut e);
    let meeting_at = match (form.get("meeting_date"), form.get("meeting_time")) {
        ("", "") => None,
        (d, t) => match local_timestamp(d, t).filter(|ts| plausible(*ts, now)) {
            Some(ts) if ts > now => Some(ts),
            Some(_) => {
                e.push(FieldError {
                    field: "meeting_date",
                    message: "intake.err_meeting_past",
                });
                None
            }
            None => {
                e.push(FieldError {
                    field: "meeting_date",
                    message: "intake.err_meeting_time",
                });
                None
            }
        },
    };
    let meeting_mode = match form.get("meeting_mode") {
        "" => "in_person".to_string(),
        _ => one_of(form, "meeting_mode", MEETING_MODES, &mut e),
    };
    let unannounced = form.get("unannounced") == "1";
    if unannounced && meeting_at.is_none() {
        e.push(FieldError {
            field: "meeting_date",
            message: "intake.err_unannounced_time",
        });
    }
    let wished_gender = match form.get("wished_gender") {
        "" => None,
        _ => Some(one_of(form, "wished_gender", &["woman", "man"], &mut e)),
    };
    let heard_of = opt(form, "heard_of");
    if heard_of.as_deref().is_some_and(|h| !HEARD_OF.contains(&h)) {
        e.push(FieldError {
            field: "heard_of",
            message: "intake.err_choose",
        });
    }
    if form.get("consent_contact") != "1"
        && !matches!(contact_role, "coordinator_phone" | "caseworker")
    {
        e.push(FieldError {
            field: "consent_contact",
            message: "intake.err_consent_contact",
        });
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    Ok(NewRequest {
        contact_role: contact_role.to_string(),
        contact_name: opt(form, "contact_name"),
        contact_phone,
        contact_email,
        contact_org: opt(form, "contact_org"),
        first_name,
        last_name: opt(form, "last_name"),
        birth_date,
        age,
        gender,
        phone,
        email,
        safe_channel,
        safe_times: opt(form, "safe_times"),
        language: opt(form, "language"),
        needs_interpreter: form.get("needs_interpreter") == "1",
        kommune_code,
        postcode,
        authority,
        purpose: opt(form, "purpose"),
        meeting_at,
        meeting_mode,
        place_text: opt(form, "place_text"),
        urgent: form.get("urgent") == "1" || unannounced,
        unannounced,
        wished_gender,
        wished_language: opt(form, "wished_language"),
        heard_of,
    })
}

/// When a bisidder must be in place: 24 hours after consent for normal requests; before
/// the formøde for urgent and unannounced ones (SPEC C3).
pub fn deadline(
    consent_at: Timestamp,
    urgent: bool,
    formoede_start: Option<Timestamp>,
) -> Timestamp {
    let normal = consent_at + jiff::SignedDuration::from_hours(24);
    match (urgent, formoede_start) {
        (true, Some(f)) => f.min(normal),
        (false, Some(f)) => f.min(normal),
        _ => normal,
    }
}

/// A short reference the person can quote on the phone (no personal data in it).
pub fn new_ref() -> String {
    use rand::Rng;
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let s: String = (0..6)
        .map(|_| A[rng.gen_range(0..A.len())] as char)
        .collect();
    format!("H-{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn now() -> Timestamp {
        "2026-03-02T09:00:00Z".parse().unwrap()
    }

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("first_name", "Emma"),
            ("age", "13"),
            ("gender", "girl"),
            ("phone", "20 30 40 50"),
            ("safe_channel", "sms"),
            ("safe_times", "efter skole"),
            ("postcode", "8000"),
            ("authority", "kommune"),
            ("meeting_date", "2026-03-10"),
            ("meeting_time", "10:00"),
            ("consent_contact", "1"),
        ]
    }

    #[test]
    fn a_complete_form_is_accepted_and_the_kommune_found_from_the_postcode() {
        let r = validate(&form(&good()), "self", now()).unwrap();
        assert_eq!(r.kommune_code, "0751");
        assert_eq!(r.first_name, "Emma");
        // 10:00 in Copenhagen on 10 March (winter time) is 09:00 UTC.
        assert_eq!(r.meeting_at.unwrap().to_string(), "2026-03-10T09:00:00Z");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let f = form(&[
            ("first_name", ""),
            ("phone", "12"),
            ("authority", "slottet"),
            ("meeting_date", "2026-01-01"),
            ("meeting_time", "10:00"),
        ]);
        let Err(AppError::Invalid(errors)) = validate(&f, "self", now()) else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        for f in [
            "first_name",
            "phone",
            "authority",
            "meeting_date",
            "kommune",
            "consent_contact",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn a_way_to_reach_the_person_is_required() {
        let mut f = good();
        f.retain(|(k, _)| *k != "phone");
        let Err(AppError::Invalid(errors)) = validate(&form(&f), "self", now()) else {
            panic!()
        };
        assert!(errors.iter().any(|e| e.message == "intake.err_reachable"));
    }

    #[test]
    fn unannounced_conversations_are_urgent_and_need_a_time() {
        let mut f = good();
        f.push(("unannounced", "1"));
        assert!(validate(&form(&f), "caseworker", now()).unwrap().urgent);
        f.retain(|(k, _)| !k.starts_with("meeting_"));
        assert!(validate(&form(&f), "caseworker", now()).is_err());
    }

    #[test]
    fn status_transitions_follow_the_spec() {
        use Status::*;
        assert!(New.can_become(Consented));
        assert!(!New.can_become(Assigned), "no matching before consent");
        assert!(!Contacted.can_become(Offered));
        assert!(Consented.can_become(Assigned));
        assert!(
            Offered.can_become(Matching),
            "all offers declined: back to matching"
        );
        assert!(Assigned.can_become(Withdrawn));
        assert!(!Declined.can_become(Consented));
        assert!(!Withdrawn.can_become(Withdrawn));
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn deadline_is_24_hours_or_the_formoede_whichever_is_first() {
        let c: Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        assert_eq!(deadline(c, false, None).to_string(), "2026-03-03T09:00:00Z");
        let f: Timestamp = "2026-03-02T13:00:00Z".parse().unwrap();
        assert_eq!(deadline(c, true, Some(f)), f);
    }

    #[test]
    fn local_time_handles_daylight_saving() {
        assert_eq!(
            local_timestamp("2026-03-29", "10:00").unwrap().to_string(),
            "2026-03-29T08:00:00Z"
        );
        assert_eq!(
            local_timestamp("2026-10-25", "10:00").unwrap().to_string(),
            "2026-10-25T09:00:00Z"
        );
        assert!(local_timestamp("2026-02-30", "10:00").is_none());
        assert!(local_timestamp("2026-03-01", "25:00").is_none());
    }
}
