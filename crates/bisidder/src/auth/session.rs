//! Server-side sessions. The cookie carries 256 random bits; the database keeps only their
//! SHA-256, so a database dump cannot be replayed as a cookie. A session is in one of three
//! stages: `enrol` (password correct, second factor must be set up), `totp` (password
//! correct, code expected) and `full`. Every stage change issues a new id. Sessions end at
//! logout, password change, disabling or role removal, after `session_idle` without use and
//! `session_absolute` after sign-in.

use super::store as auth_store;
use crate::{
    clock::MINUTE_US,
    policy::{Actor, Role},
    state::AppState,
    store::Conn,
    web::cookies,
};
use axum::{
    extract::{Request, State},
    http::HeaderValue,
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64URL, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const STAGE_ENROL: &str = "enrol";
pub const STAGE_TOTP: &str = "totp";
pub const STAGE_FULL: &str = "full";

/// The signed-in (or half signed-in) session of this request, put into request extensions
/// by [`load`].
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub id_hash: String,
    pub stage: String,
    pub actor: Actor,
    /// Every organisation the user belongs to: (id, name).
    pub orgs: Vec<(String, String)>,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    B64URL.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a session and returns the cookie value to send.
pub async fn create(
    conn: &mut Conn,
    user_id: &str,
    stage: &str,
    org_id: Option<&str>,
    now: i64,
) -> sqlx::Result<String> {
    let token = random_token();
    auth_store::insert_session(conn, &hash_token(&token), user_id, stage, org_id, now).await?;
    Ok(token)
}

pub fn set_cookie(state: &AppState, token: &str) -> HeaderValue {
    cookies::set(cookies::SESSION, token, state.config.secure_cookies(), None)
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    cookies::clear(cookies::SESSION, state.config.secure_cookies())
}

/// Builds the actor for `user_id` acting in `preferred_org` (or their first organisation).
pub async fn actor_for(
    conn: &mut Conn,
    user: &auth_store::UserRow,
    preferred_org: Option<&str>,
) -> sqlx::Result<(Actor, Vec<(String, String)>)> {
    let memberships = auth_store::memberships(conn, &user.id).await?;
    let mut orgs: Vec<(String, String)> = Vec::new();
    for m in &memberships {
        if !orgs.iter().any(|(id, _)| id == &m.org_id) {
            orgs.push((m.org_id.clone(), m.org_name.clone()));
        }
    }
    let org_id = preferred_org
        .filter(|o| orgs.iter().any(|(id, _)| id == o))
        .map(str::to_string)
        .or_else(|| orgs.first().map(|(id, _)| id.clone()));
    let mut roles: Vec<Role> = memberships
        .iter()
        .filter(|m| Some(&m.org_id) == org_id.as_ref())
        .map(|m| m.role)
        .collect();
    if user.is_platform_admin {
        roles.push(Role::PlatformAdmin);
    }
    roles.sort();
    roles.dedup();
    let actor = Actor {
        user_id: user.id.clone(),
        name: user.name.clone(),
        org_id,
        roles,
        via_token: false,
    };
    Ok((actor, orgs))
}

/// Middleware: resolves the session cookie (if any) into a [`SessionInfo`] extension.
/// Expired sessions are deleted and the cookie cleared.
pub async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies();
    let Some(token) = cookies::get(req.headers(), cookies::SESSION, secure) else {
        return next.run(req).await;
    };
    let id_hash = hash_token(&token);
    match resolve(&state, &id_hash).await {
        Ok(Some(info)) => {
            req.extensions_mut().insert(info);
            next.run(req).await
        }
        Ok(None) => {
            let mut resp = next.run(req).await;
            resp.headers_mut()
                .append(axum::http::header::SET_COOKIE, clear_cookie(&state));
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            crate::error::AppError::Unavailable.into_response_plain()
        }
    }
}

async fn resolve(state: &AppState, id_hash: &str) -> anyhow::Result<Option<SessionInfo>> {
    let now = state.clock.now_us();
    let cfg = &state.config;
    let mut conn = state.db.pool.acquire().await?;
    let Some(s) = auth_store::session(&mut conn, id_hash).await? else {
        return Ok(None);
    };
    let idle = cfg.session_idle.as_micros() as i64;
    let absolute = cfg.session_absolute.as_micros() as i64;
    // Half-finished sign-ins may wait at most 10 minutes for their second factor.
    let stage_limit = if s.stage == STAGE_FULL {
        absolute
    } else {
        10 * MINUTE_US
    };
    let user = auth_store::user_by_id(&mut conn, &s.user_id).await?;
    let expired = now - s.last_seen_at > idle || now - s.created_at > stage_limit;
    let Some(user) = user.filter(|u| !u.disabled && !expired) else {
        auth_store::delete_session(&mut conn, id_hash).await?;
        return Ok(None);
    };
    if now - s.last_seen_at > MINUTE_US {
        auth_store::touch_session(&mut conn, id_hash, now).await?;
    }
    let (actor, orgs) = actor_for(&mut conn, &user, s.org_id.as_deref()).await?;
    Ok(Some(SessionInfo {
        id_hash: id_hash.to_string(),
        stage: s.stage,
        actor,
        orgs,
    }))
}
