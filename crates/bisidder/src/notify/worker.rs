//! The delivery worker: claims due messages with a lease, sends them, records the result.

use super::{Message, STATUS_DEV, STATUS_FAILED, STATUS_PENDING, STATUS_SENDING, STATUS_SENT};
use crate::{clock::SECOND_US, state::AppState, store::row};
use anyhow::Context;
use lettre::{
    message::header::ContentType, AsyncSmtpTransport, AsyncTransport, Message as Mail,
    Tokio1Executor,
};
use secrecy::ExposeSecret;
use std::time::Duration;

/// Messages looked at per round; a full round is followed by another at once.
const BATCH: i64 = 20;
const MAX_ATTEMPTS: i64 = 8;

/// How often the scheduled jobs (offer expiry, reminders, escalation, case reminders,
/// referral follow-up) run. A wake-up after a write delivers the outbox only: running
/// every job after every write made each write pay for scans of the whole database.
const JOBS_EVERY: Duration = Duration::from_secs(5);

/// Runs until `shutdown` resolves: delivers due messages whenever woken and every 5 s,
/// runs the scheduled jobs every `JOBS_EVERY`, and the retention purge every jobs round while
/// it finds cases past their cutoff, else after `config.retention_check` (default 10 min).
/// On shutdown a send in progress finishes and is recorded; nothing further is claimed, so
/// a graceful stop neither sends a message twice nor leaves one leased.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut jobs_at = tokio::time::Instant::now();
    let mut retention_at = jobs_at;
    loop {
        let now = tokio::time::Instant::now();
        if now >= jobs_at {
            jobs_at = now + JOBS_EVERY;
            if let Err(e) = crate::scheduling::jobs::tick(&state).await {
                tracing::warn!(error = %format!("{e:#}"), "scheduled jobs failed");
            }
            if now >= retention_at {
                match crate::privacy::retention::tick(&state).await {
                    Ok(0) => retention_at = now + state.config.retention_check,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "retention purge failed"),
                }
            }
            if let Err(e) = crate::cases::jobs::tick(&state).await {
                tracing::warn!(error = %format!("{e:#}"), "case reminders failed");
            }
            if let Err(e) = crate::directory::referral::tick(&state).await {
                tracing::warn!(error = %format!("{e:#}"), "referral follow-up failed");
            }
        }
        loop {
            match deliver_round(&state, Some(&shutdown)).await {
                Ok(round) if round.full && !*shutdown.borrow() => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "outbox delivery round failed");
                    break;
                }
            }
        }
        if *shutdown.borrow() {
            return;
        }
        tokio::select! {
            _ = state.outbox_wake.notified() => {}
            _ = tokio::time::sleep_until(jobs_at) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Claims and delivers every due message once. Returns how many were delivered.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    Ok(deliver_round(state, None).await?.delivered)
}

struct Round {
    delivered: usize,
    /// As many messages were due as one round takes: there may be more.
    full: bool,
}

/// One round: reads up to [`BATCH`] due messages, then claims and sends them one at a
/// time, so each lease starts when its own send starts and covers only that send (a batch
/// leased at once could see its last messages' lease run out behind a slow relay, and
/// another instance send them as well). Stops claiming once `stop` is set.
async fn deliver_round(
    state: &AppState,
    stop: Option<&tokio::sync::watch::Receiver<bool>>,
) -> anyhow::Result<Round> {
    let lease_us = i64::try_from(state.config.outbox_lease.as_micros()).unwrap_or(i64::MAX);
    let rows = sqlx::query(
        "SELECT id, channel, recipient, subject, body, status, attempts, created_at FROM outbox \
         WHERE status IN ($1, $2) AND next_attempt_at <= $3 ORDER BY created_at, id LIMIT $4",
    )
    .bind(STATUS_PENDING)
    .bind(STATUS_SENDING)
    .bind(state.clock.now_us())
    .bind(BATCH)
    .fetch_all(&state.db.pool)
    .await?;
    let full = rows.len() as i64 == BATCH;
    let mut delivered = 0;
    for r in &rows {
        if stop.is_some_and(|s| *s.borrow()) {
            break;
        }
        let id = row::s(r, "id")?;
        let now = state.clock.now_us();
        // The conditional update is the claim: another instance that read the same row
        // finds next_attempt_at moved and claims nothing.
        let done = sqlx::query(
            "UPDATE outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2 \
             WHERE id = $3 AND next_attempt_at <= $4 AND status IN ($5, $1)",
        )
        .bind(STATUS_SENDING)
        .bind(now.saturating_add(lease_us))
        .bind(&id)
        .bind(now)
        .bind(STATUS_PENDING)
        .execute(&state.db.pool)
        .await?;
        if done.rows_affected() != 1 {
            continue;
        }
        let m = Message {
            id,
            channel: row::s(r, "channel")?,
            recipient: row::s(r, "recipient")?,
            subject: row::s(r, "subject")?,
            body: row::s(r, "body")?,
            status: STATUS_SENDING.into(),
            attempts: row::i(r, "attempts")? + 1,
            created_at: row::i(r, "created_at")?,
        };
        let result = send(state, &m).await;
        let now = state.clock.now_us();
        let (status, next, err) = match &result {
            Ok(dev) => (if *dev { STATUS_DEV } else { STATUS_SENT }, now, None),
            Err(e) if m.attempts >= MAX_ATTEMPTS => (STATUS_FAILED, now, Some(format!("{e:#}"))),
            Err(e) => (
                STATUS_PENDING,
                now + backoff_us(m.attempts),
                Some(format!("{e:#}")),
            ),
        };
        sqlx::query("UPDATE outbox SET status = $1, next_attempt_at = $2, sent_at = $3, last_error = $4 WHERE id = $5")
            .bind(status)
            .bind(next)
            .bind(result.is_ok().then_some(now))
            .bind(err)
            .bind(&m.id)
            .execute(&state.db.pool)
            .await?;
        if result.is_ok() {
            delivered += 1;
            metrics::counter!("bisidder_outbox_delivered_total", "channel" => m.channel.clone())
                .increment(1);
        } else {
            metrics::counter!("bisidder_outbox_failed_attempts_total").increment(1);
        }
    }
    Ok(Round { delivered, full })
}

/// 30 s, 1 min, 2 min, … capped at 1 hour.
fn backoff_us(attempts: i64) -> i64 {
    let secs = 30i64.saturating_mul(1 << (attempts - 1).clamp(0, 10));
    secs.min(3600) * SECOND_US
}

/// Sends one message. Ok(true) means it went to the development mailbox.
async fn send(state: &AppState, m: &Message) -> anyhow::Result<bool> {
    if m.channel == "sms" {
        return send_sms(state, m).await;
    }
    let Some(url) = &state.config.smtp_url else {
        return Ok(true);
    };
    let mail = Mail::builder()
        .from(
            state
                .config
                .mail_from
                .parse()
                .context("BISIDDER_MAIL_FROM is not an address")?,
        )
        .to(m.recipient.parse().context("recipient is not an address")?)
        .subject(&m.subject)
        // The outbox id: a retry after a crash mid-send carries the same Message-ID, so
        // the receiving side can tell it is the same message.
        .message_id(Some(message_id(&m.id, &state.config.public_url)))
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())?;
    let (host, port) = smtp_host_port(url.expose_secret())?;
    let transport: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(send_timeout(state)))
            .build();
    transport.send(mail).await.context("SMTP delivery failed")?;
    Ok(false)
}

/// `<outbox id@host of the public URL>`.
fn message_id(id: &str, public_url: &str) -> String {
    let host = public_url
        .split("://")
        .nth(1)
        .unwrap_or(public_url)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("bisidder.invalid");
    format!("<{id}@{host}>")
}

/// A send gives up well within its lease (20 s at most), so no other worker can claim a
/// message while it is still being sent.
fn send_timeout(state: &AppState) -> Duration {
    (state.config.outbox_lease / 2).min(Duration::from_secs(20))
}

/// How long a stopping server waits for the worker: the send in progress may take its
/// whole timeout, and its result must be recorded, or the message would be sent again
/// after its lease.
pub fn stop_grace(state: &AppState) -> Duration {
    send_timeout(state) + Duration::from_secs(5)
}

/// SMS through the configured HTTP gateway: `POST {"to": …, "text": …}` as JSON with an
/// optional bearer token. Without a gateway the message stays in the development mailbox.
async fn send_sms(state: &AppState, m: &Message) -> anyhow::Result<bool> {
    let Some(url) = &state.config.sms_url else {
        return Ok(true);
    };
    let client = reqwest::Client::builder()
        .timeout(send_timeout(state))
        .build()?;
    let mut req = client
        .post(url.as_str())
        .json(&serde_json::json!({"to": m.recipient, "text": m.body, "id": m.id}));
    if let Some(token) = &state.config.sms_token {
        req = req.bearer_auth(token.expose_secret());
    }
    let resp = req.send().await.context("SMS gateway unreachable")?;
    if !resp.status().is_success() {
        anyhow::bail!("SMS gateway answered {}", resp.status());
    }
    Ok(false)
}

/// `smtp://host[:port]`: a relay on the local network (e.g. postfix), which handles TLS
/// and authentication towards the outside world.
fn smtp_host_port(url: &str) -> anyhow::Result<(String, u16)> {
    let rest = url
        .strip_prefix("smtp://")
        .context("BISIDDER_SMTP_URL must look like smtp://host:port (a local relay)")?;
    let rest = rest.trim_end_matches('/');
    match rest.rsplit_once(':') {
        Some((h, p)) => Ok((
            h.to_string(),
            p.parse().context("BISIDDER_SMTP_URL: bad port")?,
        )),
        None => Ok((rest.to_string(), 25)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn smtp_url_is_parsed() {
        use super::smtp_host_port;
        assert_eq!(
            smtp_host_port("smtp://127.0.0.1:2525").unwrap(),
            ("127.0.0.1".into(), 2525)
        );
        assert_eq!(
            smtp_host_port("smtp://relay.local").unwrap(),
            ("relay.local".into(), 25)
        );
        assert!(smtp_host_port("http://x").is_err());
    }

    #[test]
    fn the_message_id_is_the_outbox_id_at_the_public_host() {
        use super::message_id;
        assert_eq!(
            message_id("01J0ABC", "https://bisidder.example.dk/app/"),
            "<01J0ABC@bisidder.example.dk>"
        );
        assert_eq!(
            message_id("01J0ABC", "http://127.0.0.1:8080"),
            "<01J0ABC@127.0.0.1>"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        use super::*;
        assert_eq!(backoff_us(1), 30 * SECOND_US);
        assert_eq!(backoff_us(2), 60 * SECOND_US);
        assert_eq!(backoff_us(20), 3600 * SECOND_US);
    }
}
