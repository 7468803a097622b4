//! Small helpers for reading `AnyRow`s, so store modules stay short.

use sqlx::{any::AnyRow, Row};

pub fn s(row: &AnyRow, col: &str) -> sqlx::Result<String> {
    row.try_get(col)
}

pub fn os(row: &AnyRow, col: &str) -> sqlx::Result<Option<String>> {
    row.try_get(col)
}

pub fn i(row: &AnyRow, col: &str) -> sqlx::Result<i64> {
    row.try_get(col)
}

pub fn oi(row: &AnyRow, col: &str) -> sqlx::Result<Option<i64>> {
    row.try_get(col)
}

pub fn b(row: &AnyRow, col: &str) -> sqlx::Result<bool> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}

pub fn f(row: &AnyRow, col: &str) -> sqlx::Result<f64> {
    row.try_get(col)
}

/// Binds an optional float. sqlx 0.8's `Any` driver sends a NULL `f64` to PostgreSQL as
/// float4 (its Real/Double null mappings are swapped), after which the connection's cached
/// statement rejects a later non-NULL float8 ("incorrect binary data format"). A NULL `f32`
/// is sent as float8, so that is how a missing `f64` is bound. SQLite stores NULL either way.
pub fn bind_f64<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    v: Option<f64>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match v {
        Some(x) => q.bind(x),
        None => q.bind(None::<f32>),
    }
}
