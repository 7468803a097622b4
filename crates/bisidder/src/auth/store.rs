//! SQL for users, memberships, sessions, password resets and API tokens. No access
//! decisions here: callers (auth::service) have already decided.

use crate::policy::Role;
use crate::store::{row, Conn};
use sqlx::any::AnyRow;

#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub totp_secret_enc: Option<String>,
    pub totp_pending_enc: Option<String>,
    pub totp_last_step: i64,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub disabled: bool,
    pub is_platform_admin: bool,
}

const USER_COLS: &str = "id, email, name, password_hash, totp_secret_enc, totp_pending_enc, \
    totp_last_step, failed_logins, locked_until, disabled, is_platform_admin";

fn user(r: &AnyRow) -> sqlx::Result<UserRow> {
    Ok(UserRow {
        id: row::s(r, "id")?,
        email: row::s(r, "email")?,
        name: row::s(r, "name")?,
        password_hash: row::s(r, "password_hash")?,
        totp_secret_enc: row::os(r, "totp_secret_enc")?,
        totp_pending_enc: row::os(r, "totp_pending_enc")?,
        totp_last_step: row::i(r, "totp_last_step")?,
        failed_logins: row::i(r, "failed_logins")?,
        locked_until: row::i(r, "locked_until")?,
        disabled: row::b(r, "disabled")?,
        is_platform_admin: row::b(r, "is_platform_admin")?,
    })
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn user_by_email(conn: &mut Conn, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query(&format!("SELECT {USER_COLS} FROM users WHERE email = $1"))
        .bind(normalise_email(email))
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(user)
        .transpose()
}

pub async fn user_by_id(conn: &mut Conn, id: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query(&format!("SELECT {USER_COLS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(user)
        .transpose()
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub is_platform_admin: bool,
    pub now: i64,
}

pub async fn insert_user(conn: &mut Conn, u: NewUser<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, is_platform_admin, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(u.id)
    .bind(normalise_email(u.email))
    .bind(u.name)
    .bind(u.password_hash)
    .bind(u.is_platform_admin as i64)
    .bind(u.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_password(conn: &mut Conn, user_id: &str, hash: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0 WHERE id = $2",
    )
    .bind(hash)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts a failed attempt; locks the account until `lock_until` once `limit` is reached.
/// Returns true when this attempt locked it.
pub async fn record_failure(
    conn: &mut Conn,
    user_id: &str,
    limit: i64,
    lock_until: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    let n = row::i(&r, "failed_logins")?;
    if n >= limit {
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(lock_until)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        return Ok(true);
    }
    Ok(false)
}

pub async fn clear_failures(conn: &mut Conn, user_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_disabled(conn: &mut Conn, user_id: &str, disabled: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(disabled as i64)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_totp_pending(conn: &mut Conn, user_id: &str, enc: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET totp_pending_enc = $1 WHERE id = $2")
        .bind(enc)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes the pending secret the active one, consuming `step`.
pub async fn confirm_totp(
    conn: &mut Conn,
    user_id: &str,
    enc: &str,
    step: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET totp_secret_enc = $1, totp_pending_enc = NULL, totp_last_step = $2 WHERE id = $3",
    )
    .bind(enc)
    .bind(step)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Consumes a TOTP step; false when that step (or a later one) was already used — a replay.
pub async fn consume_totp_step(conn: &mut Conn, user_id: &str, step: i64) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
            .bind(step)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

// ---- memberships ----

#[derive(Clone, Debug)]
pub struct Membership {
    pub org_id: String,
    pub org_slug: String,
    pub org_name: String,
    pub role: Role,
}

pub async fn memberships(conn: &mut Conn, user_id: &str) -> sqlx::Result<Vec<Membership>> {
    let rows = sqlx::query(
        "SELECT m.org_id, o.slug, o.name, m.role FROM memberships m \
         JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name, m.role",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        if let Some(role) = Role::parse(&row::s(r, "role")?) {
            out.push(Membership {
                org_id: row::s(r, "org_id")?,
                org_slug: row::s(r, "slug")?,
                org_name: row::s(r, "name")?,
                role,
            });
        }
    }
    Ok(out)
}

pub async fn grant(
    conn: &mut Conn,
    user_id: &str,
    org_id: &str,
    role: Role,
    now: i64,
) -> sqlx::Result<bool> {
    let exists =
        sqlx::query("SELECT 1 FROM memberships WHERE user_id = $1 AND org_id = $2 AND role = $3")
            .bind(user_id)
            .bind(org_id)
            .bind(role.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(org_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

pub async fn revoke(
    conn: &mut Conn,
    user_id: &str,
    org_id: &str,
    role: Role,
) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2 AND role = $3")
        .bind(user_id)
        .bind(org_id)
        .bind(role.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

// ---- sessions ----

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub user_id: String,
    pub stage: String,
    pub org_id: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert_session(
    conn: &mut Conn,
    id_hash: &str,
    user_id: &str,
    stage: &str,
    org_id: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, stage, org_id, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(stage)
    .bind(org_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn session(conn: &mut Conn, id_hash: &str) -> sqlx::Result<Option<SessionRow>> {
    let r = sqlx::query(
        "SELECT user_id, stage, org_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(SessionRow {
            user_id: row::s(&r, "user_id")?,
            stage: row::s(&r, "stage")?,
            org_id: row::os(&r, "org_id")?,
            created_at: row::i(&r, "created_at")?,
            last_seen_at: row::i(&r, "last_seen_at")?,
        })
    })
    .transpose()
}

pub async fn touch_session(conn: &mut Conn, id_hash: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_session_org(conn: &mut Conn, id_hash: &str, org_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET org_id = $1 WHERE id_hash = $2")
        .bind(org_id)
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut Conn, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete_user_sessions(conn: &mut Conn, user_id: &str) -> sqlx::Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected())
}

// ---- password resets ----

pub async fn insert_reset(
    conn: &mut Conn,
    token_hash: &str,
    user_id: &str,
    now: i64,
    expires: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Marks an unused, unexpired reset token used and returns its user; None otherwise.
pub async fn consume_reset(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let r = sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
         AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| row::s(&r, "user_id")).transpose()
}

pub async fn reset_is_usable(conn: &mut Conn, token_hash: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("SELECT 1 FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(r.is_some())
}

// ---- API tokens ----

pub struct TokenOwner {
    pub token_id: String,
    pub user_id: String,
    pub org_id: String,
}

pub async fn insert_token(
    conn: &mut Conn,
    id: &str,
    user_id: &str,
    org_id: &str,
    name: &str,
    hash: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, org_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(org_id)
    .bind(name)
    .bind(hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn token_by_hash(
    conn: &mut Conn,
    hash: &str,
    now: i64,
) -> sqlx::Result<Option<TokenOwner>> {
    let r = sqlx::query(
        "SELECT t.id, t.user_id, t.org_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
         AND u.disabled = 0",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    r.map(|r| {
        Ok(TokenOwner {
            token_id: row::s(&r, "id")?,
            user_id: row::s(&r, "user_id")?,
            org_id: row::s(&r, "org_id")?,
        })
    })
    .transpose()
}

pub async fn revoke_token(conn: &mut Conn, id: &str, now: i64) -> sqlx::Result<bool> {
    let r =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    Ok(r.rows_affected() == 1)
}
