//! Min sag use cases: a coordinator sends the private link; the person asks for a code,
//! types it, and sees their case; afterwards they may give anonymous feedback.
//!
//! Every step that reads or changes the person's data writes its audit row in the same
//! transaction. Audit rows hold ids and codes only, never names, numbers or codes typed.

use super::{domain, store};
use crate::{
    audit::{self, AuditAction, Entry},
    auth::session::{hash_token, random_token},
    error::{AppError, AppResult},
    notify,
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::Tx,
    web::{
        fmt::copenhagen,
        i18n::{self, Lang},
    },
};
use std::net::IpAddr;

fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

/// Messages to the person in English when they gave English as their language, else Danish.
fn message_lang(code: Option<&str>) -> Lang {
    code.and_then(Lang::parse).unwrap_or(Lang::Da)
}

fn person_entry<'a>(link: &'a store::Link) -> Entry<'a> {
    Entry {
        org_id: Some(&link.org_id),
        subject_person_id: Some(&link.person_id),
        ..Entry::by("person")
    }
    .resource("case", &link.case_id)
}

/// Sends (again) the person of the request's case their private link, by their safe
/// channel. Earlier links stop working.
pub async fn send_link(state: &AppState, actor: &Actor, request: &str) -> AppResult<()> {
    let org = org_of(actor);
    ensure(actor, Action::SendMinsagLink, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let Some((case, person)) = store::case_of_request(&mut tx, org, request).await? else {
        audit::record(
            &mut tx,
            now,
            AuditAction::MinsagLinkSent,
            Entry::by_user(&actor.user_id, Some(org))
                .resource("request", request)
                .denied(),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound);
    };
    let Some((channel, to, lang)) = store::safe_contact(&mut tx, &person).await? else {
        return Err(AppError::Conflict("minsag.staff_no_channel"));
    };
    let token = random_token();
    let link = store::replace_link(
        &mut tx,
        org,
        &case,
        &person,
        &hash_token(&token),
        &actor.user_id,
        now,
    )
    .await?;
    let url = format!("{}/minsag/{token}", state.config.public_url);
    let text = i18n::t(message_lang(lang.as_deref()), "minsag.link_message").replace("{url}", &url);
    if channel == "email" {
        notify::enqueue_email(
            &mut tx,
            now,
            &to,
            i18n::t(message_lang(lang.as_deref()), "minsag.link_subject"),
            &text,
        )
        .await?;
    } else {
        notify::enqueue_sms(&mut tx, now, &to, &text).await?;
    }
    let entry = Entry {
        subject_person_id: Some(&person),
        ..Entry::by_user(&actor.user_id, Some(org))
    };
    audit::record(
        &mut tx,
        now,
        AuditAction::MinsagLinkSent,
        entry.resource("minsag_link", &link).detail(&channel),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// The link behind `token` if it still works at `now`.
async fn live_link(state: &AppState, tx: &mut Tx, token: &str) -> AppResult<store::Link> {
    let link = store::link_by_token_hash(tx, &hash_token(token))
        .await?
        .ok_or(AppError::NotFound)?;
    check_open(state, &link)?;
    Ok(link)
}

fn check_open(state: &AppState, link: &store::Link) -> AppResult<()> {
    let today = state.clock.now().to_zoned(copenhagen()).date();
    let closed = link.closed_on.as_deref().and_then(|d| d.parse().ok());
    if link.revoked_at.is_some()
        || !domain::link_open(closed, today, state.config.minsag_days_after_close)
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Whether the link works (the landing page), and whether a code sent for it is still
/// live (then the page shows the code form); nothing is changed.
pub async fn check_link(state: &AppState, token: &str) -> AppResult<bool> {
    let mut tx = state.db.begin().await?;
    let link = live_link(state, &mut tx, token).await?;
    tx.commit().await?;
    let now = state.clock.now_us();
    Ok(link.code_hash.is_some() && link.code_expires_at.is_some_and(|e| e > now))
}

/// Why a code was not sent or not accepted, as an i18n key.
pub type Refusal = &'static str;

/// Sends a fresh one-time code to the person's safe channel.
pub async fn send_code(
    state: &AppState,
    ip: IpAddr,
    token: &str,
) -> AppResult<Result<(), Refusal>> {
    if !state.minsag_limiter.allow(ip, state.clock.now()) {
        return Err(AppError::TooManyRequests);
    }
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let link = live_link(state, &mut tx, token).await?;
    if link.locked_until > now {
        return Ok(Err("minsag.locked"));
    }
    let Some(window) = domain::may_send(link.codes_window_start, link.codes_sent, now) else {
        return Ok(Err("minsag.too_many_codes"));
    };
    let Some((channel, to, lang)) = store::safe_contact(&mut tx, &link.person_id).await? else {
        return Ok(Err("minsag.no_safe_channel"));
    };
    let code = domain::new_code();
    store::set_code(
        &mut tx,
        &link.id,
        &domain::code_hash(&link.id, &code),
        now + domain::CODE_TTL_US,
        window,
    )
    .await?;
    let text =
        i18n::t(message_lang(lang.as_deref()), "minsag.code_message").replace("{code}", &code);
    if channel == "email" {
        notify::enqueue_email(
            &mut tx,
            now,
            &to,
            i18n::t(message_lang(lang.as_deref()), "minsag.code_subject"),
            &text,
        )
        .await?;
    } else {
        notify::enqueue_sms(&mut tx, now, &to, &text).await?;
    }
    audit::record(
        &mut tx,
        now,
        AuditAction::MinsagCodeSent,
        person_entry(&link),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Ok(()))
}

/// Checks a typed code. On success the code is used up and a person session starts;
/// returns the cookie value.
pub async fn verify_code(
    state: &AppState,
    ip: IpAddr,
    token: &str,
    typed: &str,
) -> AppResult<Result<String, Refusal>> {
    if !state.minsag_limiter.allow(ip, state.clock.now()) {
        return Err(AppError::TooManyRequests);
    }
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let link = live_link(state, &mut tx, token).await?;
    if link.locked_until > now {
        return Ok(Err("minsag.locked"));
    }
    let Some(code) = domain::normalise_code(typed) else {
        return Ok(Err("minsag.code_format"));
    };
    let hash = domain::code_hash(&link.id, &code);
    let live = link.code_expires_at.is_some_and(|e| e > now);
    let matches = live
        && link
            .code_hash
            .as_deref()
            .is_some_and(|h| subtle::ConstantTimeEq::ct_eq(h.as_bytes(), hash.as_bytes()).into());
    if !matches || !store::consume_code(&mut tx, &link.id, &hash).await? {
        let lock =
            (link.wrong_codes + 1 >= domain::MAX_WRONG_CODES).then_some(now + domain::LOCK_US);
        store::wrong_code(&mut tx, &link.id, lock).await?;
        audit::record(
            &mut tx,
            now,
            AuditAction::MinsagCodeRefused,
            person_entry(&link).denied(),
        )
        .await?;
        tx.commit().await?;
        return Ok(Err(if lock.is_some() {
            "minsag.locked"
        } else if live {
            "minsag.code_wrong"
        } else {
            "minsag.code_expired"
        }));
    }
    let session = random_token();
    store::insert_session(
        &mut tx,
        &hash_token(&session),
        &link.id,
        now,
        now + domain::SESSION_US,
    )
    .await?;
    audit::record(&mut tx, now, AuditAction::MinsagOpened, person_entry(&link)).await?;
    tx.commit().await?;
    Ok(Ok(session))
}

/// The person behind a Min sag session cookie, while the session and the link both work.
pub async fn person(state: &AppState, cookie: Option<&str>) -> AppResult<Option<store::Link>> {
    let Some(cookie) = cookie else {
        return Ok(None);
    };
    let now = state.clock.now_us();
    let mut conn = state.db.pool.acquire().await?;
    let Some(link_id) = store::session_link(&mut conn, &hash_token(cookie), now).await? else {
        return Ok(None);
    };
    let Some(link) = store::link_by_id(&mut conn, &link_id).await? else {
        return Ok(None);
    };
    Ok(check_open(state, &link).is_ok().then_some(link))
}

pub async fn end_session(state: &AppState, cookie: &str) -> AppResult<()> {
    let mut conn = state.db.pool.acquire().await?;
    store::end_session(&mut conn, &hash_token(cookie)).await?;
    Ok(())
}

pub struct View {
    pub case: store::CaseView,
    pub upcoming: Vec<store::Meeting>,
    pub past: Vec<store::Meeting>,
    pub letters: usize,
    pub closed: bool,
    pub feedback_open: bool,
}

/// The person's own view of their case (audited as the person reading it).
pub async fn view(state: &AppState, link: &store::Link) -> AppResult<View> {
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let case = store::case_view(&mut tx, &link.case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (upcoming, past): (Vec<_>, Vec<_>) = store::meetings(&mut tx, &link.case_id)
        .await?
        .into_iter()
        .filter(|m| m.status != "cancelled")
        .partition(|m| m.starts_at > now);
    let letters = super::letters::count(&mut tx, &link.case_id).await?;
    audit::record(&mut tx, now, AuditAction::MinsagViewed, person_entry(link)).await?;
    tx.commit().await?;
    let closed = case.closed_on.is_some();
    Ok(View {
        closed,
        feedback_open: closed && link.feedback_given_at.is_none(),
        case,
        upcoming,
        past,
        letters,
    })
}

/// One line of "who has looked at my case": when, the staff role (never a name), and the
/// purpose as an i18n key.
pub struct Lookup {
    pub at: i64,
    pub role: Option<String>,
    pub purpose: &'static str,
    pub exceptional: bool,
}

pub fn purpose_key(action: &str) -> &'static str {
    use AuditAction as A;
    let is = |a: A| a.as_str() == action;
    if is(A::BreakGlass) {
        "lookup.break_glass"
    } else if is(A::PersonExported) {
        "lookup.export"
    } else if is(A::RequestViewed) || is(A::CandidatesViewed) {
        "lookup.request"
    } else if is(A::MinsagLinkSent) {
        "lookup.link"
    } else if is(A::LetterWritten) || is(A::LettersViewed) {
        "lookup.letter"
    } else if is(A::BisidderAssigned) || is(A::OffersMade) || is(A::OfferAnswered) {
        "lookup.match"
    } else {
        "lookup.case"
    }
}

pub async fn lookups(state: &AppState, link: &store::Link) -> AppResult<Vec<Lookup>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(store::lookups(&mut conn, &link.person_id)
        .await?
        .into_iter()
        .map(|(at, action, role)| Lookup {
            at,
            role,
            exceptional: action == AuditAction::BreakGlass.as_str(),
            purpose: purpose_key(&action),
        })
        .collect())
}

pub const HELPED: &[&str] = &["yes", "some", "no"];

/// The organisation's feedback: how many answered each way, and the quotes the children
/// allowed to be shown (quotes without consent are never shown, only counted).
pub struct FeedbackSummary {
    pub counts: Vec<(&'static str, i64)>,
    pub quotes: Vec<(String, String)>,
    pub withheld: i64,
}

pub async fn feedback_summary(state: &AppState, actor: &Actor) -> AppResult<FeedbackSummary> {
    let org = org_of(actor);
    ensure(actor, Action::ViewOrgOverview, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let mut counts = Vec::new();
    for h in HELPED {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE org_id = $1 AND helped = $2")
                .bind(org)
                .bind(*h)
                .fetch_one(&mut *conn)
                .await?;
        counts.push((*h, n));
    }
    let quotes: Vec<(String, String)> = sqlx::query_as(
        "SELECT month, quote FROM feedback WHERE org_id = $1 AND quote_consent = 1 AND quote IS NOT NULL ORDER BY month DESC, id DESC LIMIT 200",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    let withheld: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback WHERE org_id = $1 AND quote_consent = 0 AND quote IS NOT NULL",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await?;
    Ok(FeedbackSummary {
        counts,
        quotes,
        withheld,
    })
}

/// Anonymous feedback after closing: stored without the case or person, once per link.
pub async fn feedback(
    state: &AppState,
    link: &store::Link,
    helped: &str,
    quote: &str,
    consent: bool,
) -> AppResult<()> {
    if link.closed_on.is_none() {
        return Err(AppError::NotFound);
    }
    if !HELPED.contains(&helped) {
        return Err(AppError::invalid("helped", "minsag.feedback_choose"));
    }
    if quote.chars().count() > 1000 {
        return Err(AppError::invalid("quote", "minsag.feedback_too_long"));
    }
    let now = state.clock.now();
    let month = now.to_zoned(copenhagen()).strftime("%Y-%m").to_string();
    let mut tx = state.db.begin().await?;
    if store::mark_feedback(&mut tx, &link.id, now.as_microsecond()).await? {
        let quote = (!quote.is_empty()).then_some(quote);
        store::insert_feedback(
            &mut tx,
            &link.org_id,
            &month,
            helped,
            quote,
            consent && quote.is_some(),
        )
        .await?;
        // The audit row names only the organisation: the feedback is anonymous.
        audit::record(
            &mut tx,
            now.as_microsecond(),
            AuditAction::FeedbackGiven,
            Entry {
                org_id: Some(&link.org_id),
                ..Entry::by("person")
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
