//! Account administration used by the CLI (`bisidder user …`, `bisidder token …`) and the
//! demo loader. These run as the operator of the installation, so they do not consult the
//! policy module, but every change is audited with actor "cli".

use super::{password, session, store as auth_store};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{on_unique_violation, AppError, AppResult},
    policy::Role,
    store::{new_id, row, Db},
};
use anyhow::anyhow;
use secrecy::{ExposeSecret, SecretString};

pub async fn org_id_by_slug(db: &Db, slug: &str) -> anyhow::Result<String> {
    let r = sqlx::query("SELECT id FROM organisations WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?;
    match r {
        Some(r) => Ok(row::s(&r, "id")?),
        None => Err(anyhow!("no organisation with slug {slug:?}")),
    }
}

async fn user_id(db: &Db, email: &str) -> anyhow::Result<String> {
    let mut conn = db.pool.acquire().await?;
    auth_store::user_by_email(&mut conn, email)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| anyhow!("no user with e-mail {email:?}"))
}

fn app_err(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(f) => anyhow!(
            "{}",
            f.iter()
                .map(|f| crate::web::i18n::t(crate::web::i18n::Lang::En, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        AppError::Conflict(k) => anyhow!("{}", crate::web::i18n::t(crate::web::i18n::Lang::En, k)),
        other => anyhow!("{other}"),
    }
}

pub struct CreateUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: SecretString,
    pub platform_admin: bool,
    pub grants: Vec<(String, Role)>,
}

pub async fn create_user(db: &Db, now: i64, u: CreateUser<'_>) -> anyhow::Result<String> {
    if !u.email.contains('@') {
        return Err(anyhow!("not an e-mail address: {:?}", u.email));
    }
    password::check_rule(u.password.expose_secret(), &[u.email, u.name]).map_err(app_err)?;
    let hash = password::hash(u.password).await.map_err(app_err)?;
    create_user_with_hash(
        db,
        now,
        &u.email.to_lowercase(),
        u.name,
        &hash,
        u.platform_admin,
        &u.grants,
    )
    .await
}

/// Creates a user from an existing hash (the demo hashes its one password once).
pub async fn create_user_with_hash(
    db: &Db,
    now: i64,
    email: &str,
    name: &str,
    hash: &str,
    platform_admin: bool,
    grants: &[(String, Role)],
) -> anyhow::Result<String> {
    let id = new_id();
    let mut tx = db.begin().await?;
    auth_store::insert_user(
        &mut tx,
        auth_store::NewUser {
            id: &id,
            email,
            name,
            password_hash: hash,
            is_platform_admin: platform_admin,
            now,
        },
    )
    .await
    .map_err(|e| app_err(on_unique_violation(e, "user.email_taken")))?;
    audit::record(
        &mut tx,
        now,
        AuditAction::UserCreated,
        Entry::by("cli").resource("user", &id),
    )
    .await?;
    for (org, role) in grants {
        auth_store::grant(&mut tx, &id, org, *role, now).await?;
        audit::record(
            &mut tx,
            now,
            AuditAction::RoleGranted,
            Entry {
                org_id: Some(org),
                ..Entry::by("cli")
            }
            .resource("user", &id)
            .detail(role.as_str()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn reset_password(
    db: &Db,
    now: i64,
    email: &str,
    pw: SecretString,
) -> anyhow::Result<()> {
    password::check_rule(pw.expose_secret(), &[email]).map_err(app_err)?;
    let id = user_id(db, email).await?;
    let hash = password::hash(pw).await.map_err(app_err)?;
    let mut tx = db.begin().await?;
    auth_store::set_password(&mut tx, &id, &hash).await?;
    auth_store::delete_user_sessions(&mut tx, &id).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::PasswordChanged,
        Entry::by("cli").resource("user", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Grants or revokes a role. Revoking ends every session of the user, so the change takes
/// effect at once.
pub async fn set_role(
    db: &Db,
    now: i64,
    email: &str,
    org_slug: &str,
    role: Role,
    grant: bool,
) -> anyhow::Result<bool> {
    let id = user_id(db, email).await?;
    let org = org_id_by_slug(db, org_slug).await?;
    let mut tx = db.begin().await?;
    let changed = if grant {
        auth_store::grant(&mut tx, &id, &org, role, now).await?
    } else {
        let done = auth_store::revoke(&mut tx, &id, &org, role).await?;
        auth_store::delete_user_sessions(&mut tx, &id).await?;
        done
    };
    let action = if grant {
        AuditAction::RoleGranted
    } else {
        AuditAction::RoleRevoked
    };
    audit::record(
        &mut tx,
        now,
        action,
        Entry {
            org_id: Some(&org),
            ..Entry::by("cli")
        }
        .resource("user", &id)
        .detail(role.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

pub async fn disable(db: &Db, now: i64, email: &str) -> anyhow::Result<()> {
    let id = user_id(db, email).await?;
    let mut tx = db.begin().await?;
    auth_store::set_disabled(&mut tx, &id, true).await?;
    auth_store::delete_user_sessions(&mut tx, &id).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::UserDisabled,
        Entry::by("cli").resource("user", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an API token for `email` acting in `org_slug`. The token is shown once; only
/// its SHA-256 is stored.
pub async fn create_token(
    db: &Db,
    now: i64,
    email: &str,
    org_slug: &str,
    name: &str,
) -> anyhow::Result<(String, String)> {
    let uid = user_id(db, email).await?;
    let org = org_id_by_slug(db, org_slug).await?;
    let token = format!("bsd_{}", session::random_token());
    let id = new_id();
    let mut tx = db.begin().await?;
    let member = auth_store::memberships(&mut tx, &uid)
        .await?
        .iter()
        .any(|m| m.org_id == org);
    if !member {
        return Err(anyhow!(
            "{email} has no role in {org_slug}; grant one first"
        ));
    }
    auth_store::insert_token(
        &mut tx,
        &id,
        &uid,
        &org,
        name,
        &session::hash_token(&token),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::TokenCreated,
        Entry {
            org_id: Some(&org),
            ..Entry::by("cli")
        }
        .resource("api_token", &id),
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

pub async fn revoke_token(db: &Db, now: i64, id: &str) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let done = auth_store::revoke_token(&mut tx, id, now).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::TokenRevoked,
        Entry::by("cli").resource("api_token", id),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}
