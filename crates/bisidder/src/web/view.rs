//! Small formatting helpers templates call (askama passes arguments by reference).

use crate::web::fmt;

pub fn when(us: &i64) -> String {
    fmt::local_datetime(*us)
}

pub fn when_opt(us: &Option<i64>) -> String {
    us.map(fmt::local_datetime).unwrap_or_default()
}

pub fn time(us: &i64) -> String {
    fmt::local_time(*us)
}

pub fn kommune(code: &Option<String>) -> String {
    code.as_deref()
        .and_then(geo::kommune)
        .map(|k| k.name.to_string())
        .unwrap_or_default()
}

/// Every kommune as (code, name), by name.
pub fn kommuner() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = geo::kommuner().iter().map(|k| (k.code, k.name)).collect();
    v.sort_by(|a, b| a.1.cmp(b.1));
    v
}
