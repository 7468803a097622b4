//! Parsing and checking a history file (SPEC §7): one JSON object per line, `type` says
//! what it is. Every problem is reported with its line number; nothing is stored unless
//! the whole file is good.

use jiff::civil::Date;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Organisation {
        id: String,
        name: String,
        kind: String,
    },
    Person {
        id: String,
        org: String,
        gender: String,
        birth_date: Option<Date>,
        kommune: Option<String>,
    },
    Case {
        id: String,
        org: String,
        person: String,
        authority: String,
        opened_on: Date,
        closed_on: Option<Date>,
    },
    Report {
        id: String,
        case: String,
        sent_on: Option<Date>,
        categories: Vec<String>,
    },
    /// A directory profile (checked by `directory::profile::apply_record`); `org` is the
    /// source id of the organisation on the platform that runs the scheme, if any.
    Scheme {
        id: String,
        org: Option<String>,
        record: serde_json::Value,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

pub const ORG_KINDS: &[&str] = &[
    "volunteer_network",
    "drop_in",
    "advice",
    "citizens_adviser",
    "user_organisation",
    "professional_children",
    "other",
];
pub const GENDERS: &[&str] = &["girl", "boy", "woman", "man", "other", "unknown"];
pub const CATEGORIES: &[&str] = &[
    "mistrivsel",
    "konflikt_i_hjemmet",
    "fysisk_vold",
    "psykisk_vold",
    "seksuelle_overgreb",
    "digitale_overgreb",
    "omsorgssvigt",
    "foraeldres_misbrug",
    "foraeldres_psykiske_sygdom",
    "selvskade",
    "selvmordstanker",
    "spiseforstyrrelse",
    "eget_misbrug",
    "kriminalitet",
    "andet",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    name: Option<String>,
    #[serde(rename = "kind")]
    org_kind: Option<String>,
    org: Option<String>,
    gender: Option<String>,
    birth_date: Option<String>,
    kommune: Option<String>,
    person: Option<String>,
    authority: Option<String>,
    opened_on: Option<String>,
    closed_on: Option<String>,
    case: Option<String>,
    sent_on: Option<String>,
    categories: Option<Vec<String>>,
}

fn date(field: &str, v: Option<&str>) -> Result<Option<Date>, String> {
    match v {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| format!("{field} is not a date (YYYY-MM-DD): {s:?}")),
    }
}

fn need<'a>(field: &str, v: &'a Option<String>) -> Result<&'a str, String> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| format!("{field} is missing"))
}

fn parse_line(text: &str) -> Result<Record, String> {
    if let Ok(record) = serde_json::from_str::<serde_json::Value>(text) {
        if record["type"] == "scheme" {
            return scheme(record);
        }
    }
    let raw: Raw = serde_json::from_str(text).map_err(|e| format!("not a valid record: {e}"))?;
    if raw.id.trim().is_empty() || raw.id.len() > 200 {
        return Err("id is missing or longer than 200 characters".into());
    }
    match raw.kind.as_str() {
        "organisation" => {
            let kind = need("kind", &raw.org_kind)?;
            if !ORG_KINDS.contains(&kind) {
                return Err(format!(
                    "kind {kind:?} is not one of {}",
                    ORG_KINDS.join(", ")
                ));
            }
            Ok(Record::Organisation {
                id: raw.id,
                name: need("name", &raw.name)?.to_string(),
                kind: kind.to_string(),
            })
        }
        "person" => {
            let gender = raw.gender.as_deref().unwrap_or("unknown");
            if !GENDERS.contains(&gender) {
                return Err(format!(
                    "gender {gender:?} is not one of {}",
                    GENDERS.join(", ")
                ));
            }
            let kommune = match raw.kommune.as_deref() {
                None | Some("") => None,
                Some(k) => Some(
                    geo::kommune(k)
                        .filter(|_| k.len() == 4)
                        .ok_or_else(|| {
                            format!("kommune {k:?} is not an official four-digit kommune code")
                        })?
                        .code
                        .to_string(),
                ),
            };
            Ok(Record::Person {
                id: raw.id,
                org: need("org", &raw.org)?.to_string(),
                gender: gender.into(),
                birth_date: date("birth_date", raw.birth_date.as_deref())?,
                kommune,
            })
        }
        "case" => {
            let authority = need("authority", &raw.authority)?;
            if !crate::intake::domain::AUTHORITIES.contains(&authority) {
                return Err(format!("authority {authority:?} is not a code of SPEC §6"));
            }
            let opened_on =
                date("opened_on", raw.opened_on.as_deref())?.ok_or("opened_on is missing")?;
            let closed_on = date("closed_on", raw.closed_on.as_deref())?;
            if closed_on.is_some_and(|c| c < opened_on) {
                return Err("closed_on is before opened_on".into());
            }
            Ok(Record::Case {
                id: raw.id,
                org: need("org", &raw.org)?.to_string(),
                person: need("person", &raw.person)?.to_string(),
                authority: authority.into(),
                opened_on,
                closed_on,
            })
        }
        "report_of_concern" => {
            let categories = raw.categories.unwrap_or_default();
            if let Some(bad) = categories
                .iter()
                .find(|c| !CATEGORIES.contains(&c.as_str()))
            {
                return Err(format!(
                    "category {bad:?} is not a problem category of SPEC §6"
                ));
            }
            Ok(Record::Report {
                id: raw.id,
                case: need("case", &raw.case)?.to_string(),
                sent_on: date("sent_on", raw.sent_on.as_deref())?,
                categories,
            })
        }
        other => Err(format!("unknown type {other:?}")),
    }
}

/// A directory profile: the fields of SPEC §7 and the profile's public details.
fn scheme(record: serde_json::Value) -> Result<Record, String> {
    use crate::directory::{profile, service};
    let id = record["id"].as_str().unwrap_or("").trim().to_string();
    if id.is_empty() || id.len() > 200 {
        return Err("id is missing or longer than 200 characters".into());
    }
    if let Some(obj) = record.as_object() {
        if let Some(k) = obj
            .keys()
            .find(|k| !profile::RECORD_FIELDS.contains(&k.as_str()))
        {
            return Err(format!("unknown field {k:?} in a scheme"));
        }
    }
    profile::apply_record(&mut service::blank(""), &record)?;
    Ok(Record::Scheme {
        id,
        org: record["org"].as_str().map(str::to_string),
        record,
    })
}

/// Parses the whole file and checks references within it (`known_orgs` are organisation
/// source ids already in the database). Returns every record or every problem.
pub fn parse(text: &str, known_orgs: &HashSet<String>) -> Result<Vec<Record>, Vec<LineError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let (mut orgs, mut persons, mut cases) = (known_orgs.clone(), HashMap::new(), HashMap::new());
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let rec = match parse_line(line) {
            Ok(r) => r,
            Err(message) => {
                errors.push(LineError { line: n, message });
                continue;
            }
        };
        let (kind, id, problem) = match &rec {
            Record::Organisation { id, .. } => {
                orgs.insert(id.clone());
                ("organisation", id.clone(), None)
            }
            Record::Person { id, org, .. } => {
                persons.insert(id.clone(), org.clone());
                (
                    "person",
                    id.clone(),
                    (!orgs.contains(org)).then(|| {
                        format!("organisation {org:?} is not defined above or in the database")
                    }),
                )
            }
            Record::Case {
                id, org, person, ..
            } => {
                cases.insert(id.clone(), org.clone());
                let problem = if !orgs.contains(org) {
                    Some(format!(
                        "organisation {org:?} is not defined above or in the database"
                    ))
                } else {
                    match persons.get(person) {
                        None => Some(format!("person {person:?} is not defined above")),
                        Some(o) if o != org => {
                            Some(format!("person {person:?} belongs to another organisation"))
                        }
                        _ => None,
                    }
                };
                ("case", id.clone(), problem)
            }
            Record::Scheme { id, org, .. } => (
                "scheme",
                id.clone(),
                org.as_ref()
                    .filter(|o| !orgs.contains(*o))
                    .map(|o| format!("organisation {o:?} is not defined above or in the database")),
            ),
            Record::Report { id, case, .. } => (
                "report_of_concern",
                id.clone(),
                (!cases.contains_key(case)).then(|| format!("case {case:?} is not defined above")),
            ),
        };
        if let Some(message) = problem {
            errors.push(LineError { line: n, message });
            continue;
        }
        if !seen.insert((kind.to_string(), id.clone())) {
            errors.push(LineError {
                line: n,
                message: format!("{kind} {id:?} appears twice"),
            });
            continue;
        }
        out.push(rec);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"type":"organisation","id":"bv","name":"Børns Vilkår","kind":"professional_children"}
{"type":"person","id":"p1","org":"bv","gender":"girl","birth_date":"2007-03-02","kommune":"0101"}
{"type":"case","id":"c1","org":"bv","person":"p1","authority":"familieretshuset","opened_on":"2020-02-03","closed_on":"2020-05-01"}
{"type":"report_of_concern","id":"u1","case":"c1","sent_on":"2020-03-01","categories":["fysisk_vold","konflikt_i_hjemmet"]}
"#;

    #[test]
    fn the_spec_example_parses() {
        let recs = parse(GOOD, &HashSet::new()).unwrap();
        assert_eq!(recs.len(), 4);
        assert!(matches!(
            &recs[2],
            Record::Case {
                closed_on: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn every_bad_line_is_named() {
        let bad = r#"{"type":"organisation","id":"bv","name":"BV","kind":"professional_children"}
{"type":"person","id":"p1","org":"bv","gender":"pige","kommune":"0101"}
{"type":"person","id":"p2","org":"bv","kommune":"9999"}
{"type":"case","id":"c1","org":"bv","person":"p9","authority":"kommune","opened_on":"2020-02-03"}
{"type":"case","id":"c2","org":"xx","person":"p2","authority":"kommune","opened_on":"2020-02-03"}
{"type":"case","id":"c3","org":"bv","person":"p2","authority":"slottet","opened_on":"2020-02-03"}
{"type":"case","id":"c4","org":"bv","person":"p2","authority":"kommune","opened_on":"2020-02-03","closed_on":"2020-01-01"}
{"type":"report_of_concern","id":"u1","case":"c9","sent_on":"2020-03-01"}
{"type":"report_of_concern","id":"u2","case":"c4","categories":["vejret"]}
not json
{"type":"case","id":"c5","org":"bv","person":"p2","authority":"kommune","opened_on":"2020-02-30"}
"#;
        let errs = parse(bad, &HashSet::new()).unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "{errs:?}");
        assert!(errs[0].message.contains("gender"));
        assert!(errs[1].message.contains("kommune"));
        assert!(errs[10 - 1].message.contains("date"), "{}", errs[9].message);
    }

    #[test]
    fn duplicates_within_a_file_are_refused() {
        let dup = format!(
            "{GOOD}{}",
            r#"{"type":"person","id":"p1","org":"bv","gender":"girl"}"#
        );
        let errs = parse(&dup, &HashSet::new()).unwrap_err();
        assert_eq!(errs[0].line, 5);
    }
}
