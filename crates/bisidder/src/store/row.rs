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
