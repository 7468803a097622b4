//! Notifications through a durable outbox. A message is written in the same transaction as
//! the change that causes it; a worker delivers it after commit (SMTP, or the development
//! mailbox shown to platform admins when no SMTP server is configured). A message being
//! sent is leased for a while, so a crash mid-send retries it after the lease instead of
//! losing it; failures back off exponentially.

pub mod worker;

use crate::store::{new_id, row, Conn};

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_SENDING: &str = "sending";
pub const STATUS_SENT: &str = "sent";
pub const STATUS_DEV: &str = "dev";
pub const STATUS_FAILED: &str = "failed";

pub async fn enqueue_email(
    conn: &mut Conn,
    now: i64,
    to: &str,
    subject: &str,
    body: &str,
) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO outbox (id, channel, recipient, subject, body, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, 'email', $2, $3, $4, $5, 0, $6, $6)",
    )
    .bind(&id)
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(STATUS_PENDING)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// An SMS. The text must be neutral: a message preview can be read by others (SPEC C2).
pub async fn enqueue_sms(conn: &mut Conn, now: i64, to: &str, text: &str) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO outbox (id, channel, recipient, subject, body, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, 'sms', $2, '', $3, $4, 0, $5, $5)",
    )
    .bind(&id)
    .bind(to)
    .bind(text)
    .bind(STATUS_PENDING)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

#[derive(Clone, Debug)]
pub struct Message {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// The newest messages, for the development mailbox page.
pub async fn recent(conn: &mut Conn, limit: i64) -> sqlx::Result<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT id, channel, recipient, subject, body, status, attempts, created_at FROM outbox \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Message {
                id: row::s(r, "id")?,
                channel: row::s(r, "channel")?,
                recipient: row::s(r, "recipient")?,
                subject: row::s(r, "subject")?,
                body: row::s(r, "body")?,
                status: row::s(r, "status")?,
                attempts: row::i(r, "attempts")?,
                created_at: row::i(r, "created_at")?,
            })
        })
        .collect()
}
