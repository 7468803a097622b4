//! Filling a scheme profile from the organisation admin's form or from an import record
//! (SPEC §7 `{"type":"scheme",…}`), with the same value lists (domain.rs).

use super::{domain, store::Scheme};
use crate::{
    error::{AppError, AppResult, FieldError},
    web::form::FormData,
};
use serde_json::Value;

fn all_of(form: &FormData, name: &str) -> Vec<String> {
    form.0
        .iter()
        .filter(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Kommuner given as codes or names, separated by commas.
pub fn kommuner_of(text: &str) -> Result<Vec<String>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            geo::kommune(s)
                .or_else(|| geo::kommune_by_name(s))
                .map(|k| k.code.to_string())
                .ok_or_else(|| s.to_string())
        })
        .collect()
}

/// Sets the scheme's base point from its town, else its kommune's seat.
pub fn place(s: &mut Scheme) {
    let point = s
        .base_town
        .as_deref()
        .and_then(geo::town_by_name)
        .map(|t| t.point())
        .or_else(|| {
            s.kommune_code
                .as_deref()
                .and_then(geo::kommune)
                .map(|k| k.point())
        });
    s.lat = point.map(|p| p.lat);
    s.lon = point.map(|p| p.lon);
}

/// Applies the profile form; every problem is named by its field, nothing is changed then.
pub fn apply_form(s: &mut Scheme, form: &FormData) -> AppResult<()> {
    let mut errs: Vec<FieldError> = Vec::new();
    let mut err =
        |field: &'static str, message: &'static str| errs.push(FieldError { field, message });
    let mut n = s.clone();
    n.name = form.get("name").trim().to_string();
    if n.name.is_empty() || n.name.chars().count() > 200 {
        err("name", "directory.err_name");
    }
    let kind = form.get("kind");
    if !domain::KINDS.contains(&kind) {
        err("kind", "directory.err_choose");
    }
    n.kind = Some(kind.to_string());
    let lists: [(&'static str, &[&str], &mut Vec<String>, bool); 6] = [
        (
            "target_groups",
            domain::TARGET_GROUPS,
            &mut n.target_groups,
            true,
        ),
        (
            "requirements",
            domain::REQUIREMENTS,
            &mut n.requirements,
            true,
        ),
        (
            "meeting_types",
            domain::MEETING_TYPES,
            &mut n.meeting_types,
            true,
        ),
        ("training", domain::TRAINING, &mut n.training, false),
        ("support", domain::SUPPORT, &mut n.support, false),
        (
            "turn_away_reasons",
            crate::intake::domain::REJECTION_REASONS,
            &mut n.turn_away_reasons,
            false,
        ),
    ];
    for (field, values, target, required) in lists {
        let got = all_of(form, field);
        if got.iter().any(|v| !values.contains(&v.as_str())) || (required && got.is_empty()) {
            err(field, "directory.err_choose");
        }
        *target = got;
    }
    n.coverage_national = form.get("coverage") == "national";
    n.coverage_regions = all_of(form, "regions");
    if n.coverage_regions
        .iter()
        .any(|r| !domain::REGIONS.contains(&r.as_str()))
    {
        err("regions", "directory.err_choose");
    }
    match kommuner_of(form.get("kommuner")) {
        Ok(k) => n.coverage_kommuner = k,
        Err(_) => err("kommuner", "directory.err_kommune"),
    }
    n.coverage_towns = Vec::new();
    for t in form
        .get("towns")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match geo::town_by_name(t) {
            Some(town) => n.coverage_towns.push(town.name.to_string()),
            None => err("towns", "directory.err_town"),
        }
    }
    if n.coverage().is_empty() {
        err("kommuner", "directory.err_area");
    }
    n.base_town = None;
    n.kommune_code = None;
    if let Some(t) = opt(form.get("base_town")) {
        match geo::town_by_name(&t) {
            Some(town) => {
                n.base_town = Some(town.name.to_string());
                n.kommune_code = Some(town.kommune_code.to_string());
            }
            None => err("base_town", "directory.err_town"),
        }
    }
    if n.kommune_code.is_none() {
        if let [only] = n.coverage_kommuner.as_slice() {
            n.kommune_code = Some(only.clone());
        }
    }
    let int = |name: &str| -> Result<Option<i64>, ()> {
        match form.get(name).trim() {
            "" => Ok(None),
            v => v
                .parse::<i64>()
                .ok()
                .filter(|x| (0..=100_000).contains(x))
                .map(Some)
                .ok_or(()),
        }
    };
    let num = |name: &str| -> Result<Option<f64>, ()> {
        match form.get(name).trim().replace(',', ".").as_str() {
            "" => Ok(None),
            v => v
                .parse::<f64>()
                .ok()
                .filter(|x| (0.0..=10_000.0).contains(x))
                .map(Some)
                .ok_or(()),
        }
    };
    match int("bisiddere") {
        Ok(v) => n.bisiddere = v,
        Err(()) => err("bisiddere", "directory.err_number"),
    }
    match int("capacity_per_week") {
        Ok(v) => n.capacity_per_week = v,
        Err(()) => err("capacity_per_week", "directory.err_number"),
    }
    match num("tasks_per_week") {
        Ok(v) => n.tasks_per_week = v,
        Err(()) => err("tasks_per_week", "directory.err_number"),
    }
    match num("open_hours_per_week") {
        Ok(v) => n.open_hours_per_week = v,
        Err(()) => err("open_hours_per_week", "directory.err_number"),
    }
    for (field, target) in [
        ("opening_hours", &mut n.opening_hours),
        ("request_channels", &mut n.request_channels),
        ("contact_phone", &mut n.contact_phone),
        ("contact_email", &mut n.contact_email),
        ("website", &mut n.website),
    ] {
        *target = opt(form.get(field));
        if target.as_ref().is_some_and(|t| t.chars().count() > 500) {
            err(field, "directory.err_too_long");
        }
    }
    n.turns_away = opt(form.get("turns_away"));
    if n.turns_away
        .as_deref()
        .is_some_and(|t| !domain::TURNS_AWAY.contains(&t))
    {
        err("turns_away", "directory.err_choose");
    }
    n.meets_demand = opt(form.get("meets_demand"));
    if n.meets_demand
        .as_deref()
        .is_some_and(|t| !domain::MEETS_DEMAND.contains(&t))
    {
        err("meets_demand", "directory.err_choose");
    }
    n.gives_advice = form.get("gives_advice") == "1";
    n.at_capacity = form.get("at_capacity") == "1";
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    n.profiled = true;
    place(&mut n);
    *s = n;
    Ok(())
}

fn strings(v: &Value, field: &str, allowed: &[&str]) -> Result<Vec<String>, String> {
    match &v[field] {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| match i.as_str() {
                Some(s) if allowed.contains(&s) => Ok(s.to_string()),
                _ => Err(format!("{field}: {i} is not one of {}", allowed.join(", "))),
            })
            .collect(),
        other => Err(format!("{field}: expected a list, got {other}")),
    }
}

fn one(v: &Value, field: &str, allowed: &[&str]) -> Result<Option<String>, String> {
    match &v[field] {
        Value::Null => Ok(None),
        Value::String(s) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        other => Err(format!(
            "{field}: {other} is not one of {}",
            allowed.join(", ")
        )),
    }
}

/// Every field a `scheme` import record may have.
pub const RECORD_FIELDS: &[&str] = &[
    "type",
    "id",
    "org",
    "name",
    "kind",
    "town",
    "coverage",
    "target_groups",
    "requirements",
    "meeting_types",
    "training",
    "support",
    "bisiddere",
    "tasks_per_week",
    "capacity_per_week",
    "open_hours_per_week",
    "opening_hours",
    "request_channels",
    "contact_phone",
    "contact_email",
    "website",
    "gives_advice",
    "at_capacity",
    "turns_away",
    "turn_away_reasons",
    "meets_demand",
];

/// Applies an import record (already known to be an object with `type` = `scheme`).
/// Every field the record lacks is cleared, so importing a file again gives the same
/// profile. The record's answers make the profile complete.
pub fn apply_record(s: &mut Scheme, v: &Value) -> Result<(), String> {
    let name = v["name"].as_str().map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Err("name: missing".into());
    }
    s.name = name.to_string();
    s.kind = Some(one(v, "kind", domain::KINDS)?.ok_or("kind: missing")?);
    let cov = &v["coverage"];
    if !cov.is_object() {
        return Err("coverage: expected {\"kommuner\": [...]}, {\"regions\": [...]} or {\"national\": true}".into());
    }
    s.coverage_national = cov["national"].as_bool().unwrap_or(false);
    let codes = |field: &str, ok: &dyn Fn(&str) -> bool| -> Result<Vec<String>, String> {
        match &cov[field] {
            Value::Null => Ok(Vec::new()),
            Value::Array(a) => a
                .iter()
                .map(|c| match c.as_str() {
                    Some(c) if ok(c) => Ok(c.to_string()),
                    _ => Err(format!("coverage.{field}: unknown code {c}")),
                })
                .collect(),
            other => Err(format!("coverage.{field}: expected a list, got {other}")),
        }
    };
    s.coverage_regions = codes("regions", &|c| domain::REGIONS.contains(&c))?;
    s.coverage_kommuner = codes("kommuner", &|c| {
        geo::kommune(c).is_some_and(|k| k.code == c)
    })?;
    s.coverage_towns = codes("towns", &|c| geo::town_by_name(c).is_some())?;
    if s.coverage().is_empty() {
        return Err("coverage: no area".into());
    }
    s.target_groups = strings(v, "target_groups", domain::TARGET_GROUPS)?;
    s.requirements = strings(v, "requirements", domain::REQUIREMENTS)?;
    s.meeting_types = strings(v, "meeting_types", domain::MEETING_TYPES)?;
    if s.meeting_types.is_empty() {
        return Err("meeting_types: missing".into());
    }
    if s.target_groups.is_empty() {
        s.target_groups = vec!["everyone".into()];
    }
    s.training = strings(v, "training", domain::TRAINING)?;
    s.support = strings(v, "support", domain::SUPPORT)?;
    s.turn_away_reasons = strings(
        v,
        "turn_away_reasons",
        crate::intake::domain::REJECTION_REASONS,
    )?;
    s.turns_away = one(v, "turns_away", domain::TURNS_AWAY)?;
    s.meets_demand = one(v, "meets_demand", domain::MEETS_DEMAND)?;
    let count = |f: &str| -> Result<Option<i64>, String> {
        match &v[f] {
            Value::Null => Ok(None),
            x => x
                .as_i64()
                .filter(|n| *n >= 0)
                .map(Some)
                .ok_or(format!("{f}: expected a whole number ≥ 0")),
        }
    };
    let number = |f: &str| -> Result<Option<f64>, String> {
        match &v[f] {
            Value::Null => Ok(None),
            x => x
                .as_f64()
                .filter(|n| *n >= 0.0)
                .map(Some)
                .ok_or(format!("{f}: expected a number ≥ 0")),
        }
    };
    s.bisiddere = count("bisiddere")?;
    s.capacity_per_week = count("capacity_per_week")?;
    s.tasks_per_week = number("tasks_per_week")?;
    s.open_hours_per_week = number("open_hours_per_week")?;
    let text = |f: &str| {
        v[f].as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    s.opening_hours = text("opening_hours");
    s.request_channels = text("request_channels");
    s.contact_phone = text("contact_phone");
    s.contact_email = text("contact_email");
    s.website = text("website");
    s.gives_advice = v["gives_advice"].as_bool().unwrap_or(false);
    s.at_capacity = v["at_capacity"].as_bool().unwrap_or(false);
    s.base_town = None;
    s.kommune_code = None;
    if let Some(t) = text("town") {
        let town = geo::town_by_name(&t).ok_or(format!("town: unknown town {t:?}"))?;
        s.base_town = Some(town.name.to_string());
        s.kommune_code = Some(town.kommune_code.to_string());
    } else if let [only] = s.coverage_kommuner.as_slice() {
        s.kommune_code = Some(only.clone());
    }
    s.profiled = true;
    place(s);
    Ok(())
}
