//! Extractors that say who is asking. Handlers take one of these; none decides access.

use super::{
    session::{self, SessionInfo, STAGE_FULL},
    store as auth_store,
};
use crate::{
    audit::{self, AuditAction, Entry},
    error::AppError,
    policy::Actor,
    state::AppState,
};
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts},
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A fully signed-in browser session.
pub struct CurrentUser(pub SessionInfo);

impl CurrentUser {
    pub fn actor(&self) -> &Actor {
        &self.0.actor
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<SessionInfo>() {
            Some(s) if s.stage == STAGE_FULL => Ok(CurrentUser(s.clone())),
            _ => Err(AppError::Unauthenticated),
        }
    }
}

/// A session that has passed the password but not yet the second factor.
pub struct PendingLogin(pub SessionInfo);

impl FromRequestParts<AppState> for PendingLogin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<SessionInfo>() {
            Some(s) if s.stage != STAGE_FULL => Ok(PendingLogin(s.clone())),
            _ => Err(AppError::Unauthenticated),
        }
    }
}

/// The TCP peer address. Forwarding headers are deliberately ignored (see ratelimit.rs).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(ip))
    }
}

/// An integration calling `/api/v1` with `Authorization: Bearer <token>`.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::Unauthenticated)?;
        let now = state.clock.now_us();
        let hash = session::hash_token(token);
        let mut tx = state.db.begin().await?;
        let Some(owner) = auth_store::token_by_hash(&mut tx, &hash, now).await? else {
            audit::record(
                &mut tx,
                now,
                AuditAction::TokenRejected,
                Entry::by("api_token").denied(),
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        };
        let user = auth_store::user_by_id(&mut tx, &owner.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let (mut actor, _) = session::actor_for(&mut tx, &user, Some(&owner.org_id)).await?;
        tx.commit().await?;
        if actor.org_id.as_deref() != Some(owner.org_id.as_str()) {
            // The user no longer belongs to the token's organisation.
            return Err(AppError::Unauthenticated);
        }
        actor.via_token = true;
        Ok(ApiActor(actor))
    }
}
