//! Sign-in use cases: password, second factor (enrolment and verification), logout,
//! password reset by e-mail link, password change, organisation switch. Each writes its
//! audit row in the same transaction as its change.

use super::{
    password,
    session::{self, SessionInfo, STAGE_ENROL, STAGE_FULL, STAGE_TOTP},
    store as auth_store, totp,
};
use crate::{
    audit::{self, AuditAction, Entry},
    clock::MINUTE_US,
    error::{AppError, AppResult},
    notify,
    state::AppState,
    web::i18n::{self, Lang},
};
use secrecy::{ExposeSecret, SecretString};
use std::net::IpAddr;

/// Where a correct password leads.
#[derive(Debug)]
pub enum NextStep {
    /// Set up the second factor first.
    Enrol,
    /// Enter the code from the authenticator app.
    Code,
    /// Signed in.
    Done,
}

/// A new session to send to the browser, and where to go next.
pub struct Started {
    pub cookie: String,
    pub next: NextStep,
}

const LOGIN_FAILED: &str = "login.failed";

fn limit(state: &AppState, ip: IpAddr) -> AppResult<()> {
    if state.login_limiter.allow(ip, state.clock.now()) {
        Ok(())
    } else {
        Err(AppError::TooManyRequests)
    }
}

fn needs_second_factor(state: &AppState, actor: &crate::policy::Actor) -> bool {
    state.config.require_totp && actor.needs_second_factor()
}

pub async fn login(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    pw: SecretString,
    old_session: Option<String>,
) -> AppResult<Started> {
    limit(state, ip)?;
    if email.is_empty() || pw.expose_secret().is_empty() {
        return Err(AppError::invalid("email", LOGIN_FAILED));
    }
    let now = state.clock.now_us();
    let user = {
        let mut conn = state.db.pool.acquire().await?;
        auth_store::user_by_email(&mut conn, email).await?
    };
    // Verify outside the write transaction: hashing takes tens of milliseconds.
    let ok = password::verify(pw, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let mut tx = state.db.begin().await?;
    let Some(user) = user.filter(|u| !u.disabled) else {
        audit::record(
            &mut tx,
            now,
            AuditAction::LoginFailed,
            Entry::by("anonymous").denied(),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::invalid("email", LOGIN_FAILED));
    };
    let who = Entry {
        actor_user_id: Some(&user.id),
        actor_label: "user",
        ..Default::default()
    };
    if user.locked_until > now {
        audit::record(&mut tx, now, AuditAction::LoginLocked, who.denied()).await?;
        tx.commit().await?;
        return Err(AppError::invalid("email", LOGIN_FAILED));
    }
    if !ok {
        let lock_until = now + state.config.soft_lock_for.as_micros() as i64;
        let locked = auth_store::record_failure(
            &mut tx,
            &user.id,
            state.config.soft_lock_after as i64,
            lock_until,
        )
        .await?;
        audit::record(&mut tx, now, AuditAction::LoginFailed, who.clone().denied()).await?;
        if locked {
            audit::record(&mut tx, now, AuditAction::LoginLocked, who.denied()).await?;
        }
        tx.commit().await?;
        return Err(AppError::invalid("email", LOGIN_FAILED));
    }
    auth_store::clear_failures(&mut tx, &user.id).await?;
    // A new session id at every sign-in: whatever session the browser had is ended.
    if let Some(old_hash) = &old_session {
        auth_store::delete_session(&mut tx, old_hash).await?;
    }
    let (actor, _) = session::actor_for(&mut tx, &user, None).await?;
    let (stage, next) = if !needs_second_factor(state, &actor) {
        (STAGE_FULL, NextStep::Done)
    } else if user.totp_secret_enc.is_some() {
        (STAGE_TOTP, NextStep::Code)
    } else {
        (STAGE_ENROL, NextStep::Enrol)
    };
    let cookie = session::create(&mut tx, &user.id, stage, actor.org_id.as_deref(), now).await?;
    if matches!(next, NextStep::Done) {
        audit::record(
            &mut tx,
            now,
            AuditAction::LoginSucceeded,
            Entry::by_user(&user.id, actor.org_id.as_deref()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Started { cookie, next })
}

/// What the enrolment page shows: the secret as text and as a QR code.
pub struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

pub async fn enrolment(state: &AppState, pending: &SessionInfo) -> AppResult<Enrolment> {
    if pending.stage != STAGE_ENROL {
        return Err(AppError::Unauthenticated);
    }
    let mut tx = state.db.begin().await?;
    let user = auth_store::user_by_id(&mut tx, &pending.actor.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let secret = match &user.totp_pending_enc {
        Some(enc) => state
            .crypto
            .decrypt("users", "totp_pending_enc", &user.id, enc)?,
        None => {
            let s = totp::new_secret();
            let enc = state
                .crypto
                .encrypt("users", "totp_pending_enc", &user.id, &s);
            auth_store::set_totp_pending(&mut tx, &user.id, &enc).await?;
            s
        }
    };
    tx.commit().await?;
    let uri = totp::provisioning_uri(&secret, &user.email)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("bad TOTP secret")))?;
    let qr_svg = totp::qr_svg(&uri).unwrap_or_default();
    Ok(Enrolment { secret, qr_svg })
}

/// Checks the code for the pending session (enrolment or sign-in) and, if right, replaces
/// the half session with a full one.
pub async fn second_factor(
    state: &AppState,
    ip: IpAddr,
    pending: &SessionInfo,
    code: &str,
) -> AppResult<String> {
    limit(state, ip)?;
    let now = state.clock.now_us();
    let unix = state.clock.now().as_second().max(0) as u64;
    let mut tx = state.db.begin().await?;
    let user = auth_store::user_by_id(&mut tx, &pending.actor.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let enrolling = pending.stage == STAGE_ENROL;
    let (column, enc) = if enrolling {
        ("totp_pending_enc", user.totp_pending_enc.clone())
    } else {
        ("totp_secret_enc", user.totp_secret_enc.clone())
    };
    // No secret yet (the enrolment page was never opened): simply a wrong code.
    let enc = enc.ok_or(AppError::invalid("code", "totp.wrong"))?;
    let secret = state.crypto.decrypt("users", column, &user.id, &enc)?;
    let who = Entry {
        actor_user_id: Some(&user.id),
        actor_label: "user",
        ..Default::default()
    };
    let step = totp::matching_step(&secret, code, unix);
    let fresh = match step {
        Some(s) if enrolling => {
            let active = state
                .crypto
                .encrypt("users", "totp_secret_enc", &user.id, &secret);
            auth_store::confirm_totp(&mut tx, &user.id, &active, s).await?;
            audit::record(&mut tx, now, AuditAction::SecondFactorEnrolled, who.clone()).await?;
            true
        }
        Some(s) => auth_store::consume_totp_step(&mut tx, &user.id, s).await?,
        None => false,
    };
    if !fresh {
        let lock_until = now + state.config.soft_lock_for.as_micros() as i64;
        auth_store::record_failure(
            &mut tx,
            &user.id,
            state.config.soft_lock_after as i64,
            lock_until,
        )
        .await?;
        audit::record(&mut tx, now, AuditAction::SecondFactorFailed, who.denied()).await?;
        tx.commit().await?;
        let key = if step.is_some() {
            "totp.used"
        } else {
            "totp.wrong"
        };
        return Err(AppError::invalid("code", key));
    }
    auth_store::clear_failures(&mut tx, &user.id).await?;
    auth_store::delete_session(&mut tx, &pending.id_hash).await?;
    let org = pending.actor.org_id.as_deref();
    let cookie = session::create(&mut tx, &user.id, STAGE_FULL, org, now).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::LoginSucceeded,
        Entry::by_user(&user.id, org),
    )
    .await?;
    tx.commit().await?;
    Ok(cookie)
}

pub async fn logout(state: &AppState, s: &SessionInfo) -> AppResult<()> {
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    auth_store::delete_session(&mut tx, &s.id_hash).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::Logout,
        Entry::by_user(&s.actor.user_id, s.actor.org_id.as_deref()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a single-use reset link if the address belongs to an active user. The answer is
/// the same either way, so the form does not reveal who has an account.
pub async fn forgot_password(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    lang: Lang,
) -> AppResult<()> {
    limit(state, ip)?;
    if !email.contains('@') {
        return Err(AppError::invalid("email", "field.email_invalid"));
    }
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let Some(user) = auth_store::user_by_email(&mut tx, email)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(());
    };
    let token = session::random_token();
    auth_store::insert_reset(
        &mut tx,
        &session::hash_token(&token),
        &user.id,
        now,
        now + 30 * MINUTE_US,
    )
    .await?;
    let link = format!("{}/password/reset/{token}", state.config.public_url);
    let body = i18n::t(lang, "mail.reset_body").replace("{link}", &link);
    notify::enqueue_email(
        &mut tx,
        now,
        &user.email,
        i18n::t(lang, "mail.reset_subject"),
        &body,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::PasswordResetRequested,
        Entry {
            actor_user_id: Some(&user.id),
            actor_label: "anonymous",
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

pub async fn reset_link_usable(state: &AppState, token: &str) -> AppResult<bool> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(
        auth_store::reset_is_usable(&mut conn, &session::hash_token(token), state.clock.now_us())
            .await?,
    )
}

fn check_new_password(new: &SecretString, repeat: &SecretString, inputs: &[&str]) -> AppResult<()> {
    if new.expose_secret() != repeat.expose_secret() {
        return Err(AppError::invalid("password_repeat", "password.mismatch"));
    }
    password::check_rule(new.expose_secret(), inputs)
}

/// Uses a reset link: sets the new password and ends every session of that user.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new: SecretString,
    repeat: SecretString,
) -> AppResult<()> {
    check_new_password(&new, &repeat, &[])?;
    let hash = password::hash(new).await?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let Some(user_id) =
        auth_store::consume_reset(&mut tx, &session::hash_token(token), now).await?
    else {
        return Err(AppError::BadRequest("password.reset_link_invalid"));
    };
    auth_store::set_password(&mut tx, &user_id, &hash).await?;
    auth_store::delete_user_sessions(&mut tx, &user_id).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::PasswordResetCompleted,
        Entry {
            actor_user_id: Some(&user_id),
            actor_label: "user",
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the password of the signed-in user, ends all their sessions and starts a new
/// one for this browser. Returns the new session cookie.
pub async fn change_password(
    state: &AppState,
    s: &SessionInfo,
    current: SecretString,
    new: SecretString,
    repeat: SecretString,
) -> AppResult<String> {
    let user = {
        let mut conn = state.db.pool.acquire().await?;
        auth_store::user_by_id(&mut conn, &s.actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?
    };
    if !password::verify(current, Some(user.password_hash.clone())).await? {
        return Err(AppError::invalid(
            "current_password",
            "password.current_wrong",
        ));
    }
    check_new_password(&new, &repeat, &[&user.email, &user.name])?;
    let hash = password::hash(new).await?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    auth_store::set_password(&mut tx, &user.id, &hash).await?;
    auth_store::delete_user_sessions(&mut tx, &user.id).await?;
    let cookie = session::create(
        &mut tx,
        &user.id,
        STAGE_FULL,
        s.actor.org_id.as_deref(),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::PasswordChanged,
        Entry::by_user(&user.id, s.actor.org_id.as_deref()),
    )
    .await?;
    tx.commit().await?;
    Ok(cookie)
}

/// Makes another of the user's organisations the current one.
pub async fn switch_org(state: &AppState, s: &SessionInfo, org_id: &str) -> AppResult<()> {
    if !s.orgs.iter().any(|(id, _)| id == org_id) {
        return Err(AppError::NotFound);
    }
    let mut conn = state.db.pool.acquire().await?;
    auth_store::set_session_org(&mut conn, &s.id_hash, org_id).await?;
    Ok(())
}
