//! Børnebreve: after the eftermøde the assigned bisidder writes a short letter to the child
//! about what was said and what happens next (SPEC C7). Letters are encrypted at rest and
//! shown, printable, in Min sag.

use super::store::Link;
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{new_id, row, Conn},
};

pub const MAX_CHARS: usize = 4000;

#[derive(Clone, Debug)]
pub struct Letter {
    pub id: String,
    pub created_at: i64,
    pub body: String,
}

pub async fn count(conn: &mut Conn, case: &str) -> sqlx::Result<usize> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM letters WHERE case_id = $1")
        .bind(case)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n as usize)
}

async fn load(state: &AppState, conn: &mut Conn, case: &str) -> AppResult<Vec<Letter>> {
    let rows = sqlx::query("SELECT id, body_enc, created_at FROM letters WHERE case_id = $1 ORDER BY created_at DESC, id DESC")
        .bind(case)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let id = row::s(r, "id")?;
            let body = state
                .crypto
                .decrypt("letters", "body_enc", &id, &row::s(r, "body_enc")?)?;
            Ok(Letter {
                id,
                created_at: row::i(r, "created_at")?,
                body,
            })
        })
        .collect()
}

/// The child's letters, read by the child in Min sag.
pub async fn for_person(state: &AppState, link: &Link) -> AppResult<Vec<Letter>> {
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let letters = load(state, &mut tx, &link.case_id).await?;
    let entry = Entry {
        org_id: Some(&link.org_id),
        subject_person_id: Some(&link.person_id),
        ..Entry::by("person")
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::LettersViewed,
        entry.resource("case", &link.case_id),
    )
    .await?;
    tx.commit().await?;
    Ok(letters)
}

pub struct OwnCase {
    pub case_id: String,
    pub person_id: String,
    /// The eftermøde has taken place, so a letter may be written.
    pub may_write: bool,
    pub letters: Vec<Letter>,
}

/// The bisidder's own case, or NotFound (audited) for anyone else's.
async fn own_case(
    state: &AppState,
    conn: &mut Conn,
    actor: &Actor,
    case: &str,
    action: AuditAction,
) -> AppResult<(String, bool)> {
    let org = actor.org_id.as_deref().unwrap_or("");
    let now = state.clock.now_us();
    let r = sqlx::query(
        "SELECT c.person_id, (SELECT COUNT(*) FROM appointments a WHERE a.request_id = c.request_id AND a.kind = 'eftermoede' \
         AND a.status <> 'cancelled' AND a.starts_at <= $1) AS after FROM cases c WHERE c.id = $2 AND c.org_id = $3 AND c.bisidder_user_id = $4",
    )
    .bind(now)
    .bind(case)
    .bind(org)
    .bind(&actor.user_id)
    .fetch_optional(&mut *conn)
    .await?;
    match r {
        Some(r) => Ok((row::s(&r, "person_id")?, row::i(&r, "after")? > 0)),
        None => {
            let mut tx = state.db.begin().await?;
            audit::record(
                &mut tx,
                now,
                action,
                Entry::by_user(&actor.user_id, Some(org))
                    .resource("case", case)
                    .denied(),
            )
            .await?;
            tx.commit().await?;
            Err(AppError::NotFound)
        }
    }
}

/// The bisidder's own case that a request became (the calendar links letters this way).
pub async fn case_of_request(state: &AppState, actor: &Actor, request: &str) -> AppResult<String> {
    let org = actor.org_id.as_deref().unwrap_or("");
    ensure(actor, Action::WriteLetters, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let case: Option<String> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE request_id = $1 AND org_id = $2 AND bisidder_user_id = $3 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(request)
    .bind(org)
    .bind(&actor.user_id)
    .fetch_optional(&mut *conn)
    .await?;
    match case {
        Some(c) => Ok(c),
        None => {
            let mut tx = state.db.begin().await?;
            let entry = Entry::by_user(&actor.user_id, Some(org)).resource("request", request);
            audit::record(
                &mut tx,
                state.clock.now_us(),
                AuditAction::LettersViewed,
                entry.denied(),
            )
            .await?;
            tx.commit().await?;
            Err(AppError::NotFound)
        }
    }
}

/// The letters of a bisidder's own case (audited read).
pub async fn for_bisidder(state: &AppState, actor: &Actor, case: &str) -> AppResult<OwnCase> {
    let org = actor.org_id.as_deref().unwrap_or("");
    ensure(actor, Action::WriteLetters, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let (person, may_write) =
        own_case(state, &mut conn, actor, case, AuditAction::LettersViewed).await?;
    drop(conn);
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let letters = load(state, &mut tx, case).await?;
    let entry = Entry {
        subject_person_id: Some(&person),
        ..Entry::by_user(&actor.user_id, Some(org))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::LettersViewed,
        entry.resource("case", case),
    )
    .await?;
    tx.commit().await?;
    Ok(OwnCase {
        case_id: case.to_string(),
        person_id: person,
        may_write,
        letters,
    })
}

/// Writes a letter to the child of the bisidder's own case, after the eftermøde.
pub async fn write(state: &AppState, actor: &Actor, case: &str, body: &str) -> AppResult<()> {
    let org = actor.org_id.as_deref().unwrap_or("");
    ensure(actor, Action::WriteLetters, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let (person, may_write) =
        own_case(state, &mut conn, actor, case, AuditAction::LetterWritten).await?;
    drop(conn);
    if !may_write {
        return Err(AppError::BadRequest("letter.not_yet"));
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("letter", "letter.empty"));
    }
    if body.chars().count() > MAX_CHARS {
        return Err(AppError::invalid("letter", "letter.too_long"));
    }
    let now = state.clock.now_us();
    let id = new_id();
    let enc = state.crypto.encrypt("letters", "body_enc", &id, body);
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO letters (id, org_id, case_id, author_user_id, body_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(org)
        .bind(case)
        .bind(&actor.user_id)
        .bind(&enc)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let entry = Entry {
        subject_person_id: Some(&person),
        ..Entry::by_user(&actor.user_id, Some(org))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::LetterWritten,
        entry.resource("letter", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
