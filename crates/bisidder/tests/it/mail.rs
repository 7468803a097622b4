//! Password reset by a single-use e-mail link, delivered through the outbox to a real SMTP
//! server (the aiosmtpd sink that scripts/test.sh starts) — or, without one, to the
//! development mailbox.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::policy::Role;

/// The newest message to `to`: from the SMTP sink's Maildir, or from the outbox table.
async fn last_mail_to(app: &TestApp, to: &str) -> String {
    let delivered = bisidder::notify::worker::deliver_due(&app.state)
        .await
        .unwrap();
    assert!(delivered >= 1, "the outbox delivered nothing");
    if let Ok(dir) = std::env::var("TEST_MAILDIR") {
        let mut newest: Option<(std::time::SystemTime, String)> = None;
        for sub in ["new", "cur"] {
            for e in std::fs::read_dir(format!("{dir}/{sub}"))
                .into_iter()
                .flatten()
                .flatten()
            {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                let modified = e.metadata().unwrap().modified().unwrap();
                if text.contains(to) && newest.as_ref().is_none_or(|(t, _)| modified >= *t) {
                    newest = Some((modified, text));
                }
            }
        }
        return newest
            .map(|(_, t)| decode_mail(&t))
            .unwrap_or_else(|| panic!("no mail to {to} in {dir}"));
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI must test mail against the SMTP sink (TEST_MAILDIR)"
    );
    sqlx::query_scalar(
        "SELECT body FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
}

/// Undoes quoted-printable soft line breaks and =XX escapes (lettre may use them).
fn decode_mail(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reset_path(mail: &str) -> String {
    let start = mail
        .find("/password/reset/")
        .expect("the mail holds a reset link");
    mail[start..].split_whitespace().next().unwrap().to_string()
}

on_both!(
    a_reset_link_by_mail_sets_a_new_password_once,
    |app: TestApp| async move {
        let email = app.user("Signe Glemsom", &[Role::Analyst]).await;
        let mut c = app.client();
        let r = c.post("/password/forgot", &[("email", &email)]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text("[role=status]").unwrap().contains("Hvis adressen"));
        let mail = last_mail_to(&app, &email).await;
        assert!(
            mail.contains(&format!("{PUBLIC_URL}/password/reset/")),
            "{mail}"
        );
        let path = reset_path(&mail);

        // An unknown address gets the same answer and no mail.
        let before = app.count("SELECT COUNT(*) FROM outbox").await;
        let r = c
            .post("/password/forgot", &[("email", "ukendt@test.dk")])
            .await;
        assert!(r.text("[role=status]").unwrap().contains("Hvis adressen"));
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, before);

        let mut signed_in = app.client();
        signed_in.login(&email, PASSWORD).await;
        let new = "nyt kodeord med mange ord fra Esbjerg";
        assert_eq!(c.get(&path).await.status, StatusCode::OK);
        let r = c
            .post(&path, &[("password", new), ("password_repeat", new)])
            .await;
        assert_eq!(r.location(), "/login?reset=1", "{}", r.body);
        assert_eq!(
            signed_in.get("/start").await.location(),
            "/login",
            "a reset ends existing sessions"
        );
        let mut again = app.client();
        again.login(&email, new).await;
        // Single use.
        let r = c
            .post(
                &path,
                &[
                    ("password", "endnu et nyt kodeord fra Ribe"),
                    ("password_repeat", "endnu et nyt kodeord fra Ribe"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(c
            .get(&path)
            .await
            .text("[role=alert]")
            .unwrap()
            .contains("udløbet"));
    }
);

on_both!(
    a_reset_link_expires_after_30_minutes,
    |app: TestApp| async move {
        let email = app.user("Ole Sen", &[Role::Analyst]).await;
        let mut c = app.client();
        c.post("/password/forgot", &[("email", &email)]).await;
        let path = reset_path(&last_mail_to(&app, &email).await);
        app.state
            .clock
            .advance(std::time::Duration::from_secs(31 * 60));
        let r = c
            .post(
                &path,
                &[
                    ("password", "nyt kodeord med mange ord fra Esbjerg"),
                    ("password_repeat", "nyt kodeord med mange ord fra Esbjerg"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut login = app.client();
        login.login(&email, PASSWORD).await;
    }
);
