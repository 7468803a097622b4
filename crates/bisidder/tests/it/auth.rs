//! Signing in and out: passwords, the second factor, sessions, locks and limits (SPEC §8).

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::policy::Role;
use std::time::Duration;

on_both!(
    coordinator_signs_in_with_second_factor_and_sees_the_start_page,
    |app: TestApp| async move {
        let email = app.user("Sofie Lund", &[Role::Coordinator]).await;
        let mut c = app.client();
        let r = c
            .post("/login", &[("email", &email), ("password", PASSWORD)])
            .await;
        assert_eq!(
            r.location(),
            "/login/totp/enrol",
            "a coordinator must set up the second factor first"
        );
        // Before the second factor, no page with data opens.
        assert_eq!(c.get("/start").await.location(), "/login");
        c.login(&email, PASSWORD).await;
        let start = c.get("/start").await;
        assert_eq!(start.status, StatusCode::OK);
        assert_eq!(
            start.text("[data-testid=org-name]").as_deref(),
            Some("Børns Vilkår")
        );
        assert!(start.text("h1").is_some());
        // The secret is stored encrypted, never as text.
        let stored: String =
            sqlx::query_scalar("SELECT totp_secret_enc FROM users WHERE email = $1")
                .bind(&email)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert!(stored.starts_with("enc1:") && !stored.contains(&c.secret(&email)));
    }
);

on_both!(analyst_needs_no_second_factor, |app: TestApp| async move {
    let email = app.user("Ali Analytiker", &[Role::Analyst]).await;
    let mut c = app.client();
    let r = c
        .post("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.location(), "/start");
});

on_both!(a_used_code_cannot_be_replayed, |app: TestApp| async move {
    let email = app.user("Mette Koordinator", &[Role::Coordinator]).await;
    let mut first = app.client();
    first.login(&email, PASSWORD).await;
    let secret = first.secret(&email);
    // Sign in again in another browser in the same 30-second step with the same code.
    let code_used = first.code(&secret);
    let mut second = app.client();
    let r = second
        .post("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.location(), "/login/totp");
    let r = second.post("/login/totp", &[("code", &code_used)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text("[role=alert]").unwrap().contains("allerede brugt"),
        "{}",
        r.body
    );
    // The next step's code works.
    app.state.clock.advance(Duration::from_secs(30));
    let r = second
        .post("/login/totp", &[("code", &second.code(&secret))])
        .await;
    assert_eq!(r.location(), "/start");
    let failures = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'login.second_factor_failed'")
        .await;
    assert_eq!(failures, 1);
});

on_both!(
    wrong_password_is_refused_in_danish_and_audited,
    |app: TestApp| async move {
        let email = app.user("Karen Holm", &[Role::Bisidder]).await;
        let mut c = app.client();
        let r = c
            .post(
                "/login",
                &[("email", &email), ("password", "forkert forkert forkert")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text("[role=alert]").unwrap().contains("forkert"));
        assert!(c.session_cookie().is_none());
        let r = c
            .post(
                "/login",
                &[
                    ("email", "ingen@test.dk"),
                    ("password", "forkert forkert forkert"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown users get the same answer"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed'")
                .await,
            2
        );
    }
);

on_both!(
    five_wrong_passwords_lock_the_account_for_a_while,
    |app: TestApp| async move {
        let email = app.user("Lars Lås", &[Role::Analyst]).await;
        for i in 0..5 {
            let mut c = app.client();
            c.ip = format!("198.51.100.{i}").parse().unwrap();
            c.post(
                "/login",
                &[("email", &email), ("password", "helt forkert kodeord")],
            )
            .await;
        }
        let mut c = app.client();
        let r = c
            .post("/login", &[("email", &email), ("password", PASSWORD)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "locked: even the right password is refused"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login.locked'")
                .await,
            2
        );
        app.state.clock.advance(Duration::from_secs(16 * 60));
        let r = c
            .post("/login", &[("email", &email), ("password", PASSWORD)])
            .await;
        assert_eq!(r.location(), "/start", "the lock lifts after 15 minutes");
    }
);

on_both!(
    sign_in_is_rate_limited_per_peer_address_not_per_forwarded_header,
    |app: TestApp| async move {
        let mut c = app.client();
        for _ in 0..10 {
            let r = c
                .post(
                    "/login",
                    &[
                        ("email", "x@test.dk"),
                        ("password", "forkert forkert forkert"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = c
            .post(
                "/login",
                &[
                    ("email", "x@test.dk"),
                    ("password", "forkert forkert forkert"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("For mange forsøg"));
        // A forged X-Forwarded-For does not give a new budget.
        let csrf = c.csrf();
        let req = axum::http::Request::post("/login")
            .header("origin", PUBLIC_URL)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", "203.0.113.99")
            .body(axum::body::Body::from(format!(
                "csrf={csrf}&email=x%40test.dk&password=forkert+forkert"
            )))
            .unwrap();
        assert_eq!(c.send(req).await.status, StatusCode::TOO_MANY_REQUESTS);
        // Another peer address is not affected.
        let mut other = app.client();
        other.ip = "192.0.2.77".parse().unwrap();
        let r = other
            .post(
                "/login",
                &[
                    ("email", "x@test.dk"),
                    ("password", "forkert forkert forkert"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

on_both!(
    session_id_changes_at_sign_in_and_logout_ends_it,
    |app: TestApp| async move {
        let email = app.user("Pia Dahl", &[Role::Analyst]).await;
        let mut c = app.client();
        c.login(&email, PASSWORD).await;
        let first = c.session_cookie().unwrap();
        c.login(&email, PASSWORD).await;
        let second = c.session_cookie().unwrap();
        assert_ne!(first, second, "a new session id at every sign-in");
        // The first session no longer works.
        let mut old = app.client();
        old.jar.insert(session_name(), first);
        assert_eq!(old.get("/start").await.location(), "/login");
        // Logout ends the session on the server, not only in the browser.
        let r = c.post("/logout", &[]).await;
        assert_eq!(r.location(), "/");
        let mut replay = app.client();
        replay.jar.insert(session_name(), second);
        assert_eq!(replay.get("/start").await.location(), "/login");
    }
);

fn session_name() -> String {
    "__Host-bisidder".into()
}

on_both!(
    idle_and_absolute_timeouts_end_sessions,
    |app: TestApp| async move {
        let email = app.user("Tina Tid", &[Role::Analyst]).await;
        let mut c = app.client();
        c.login(&email, PASSWORD).await;
        app.state.clock.advance(Duration::from_secs(29 * 60));
        assert_eq!(
            c.get("/start").await.status,
            StatusCode::OK,
            "29 minutes idle is fine"
        );
        app.state.clock.advance(Duration::from_secs(31 * 60));
        assert_eq!(
            c.get("/start").await.location(),
            "/login",
            "31 minutes idle ends the session"
        );

        c.login(&email, PASSWORD).await;
        for _ in 0..((12 * 60) / 20) {
            app.state.clock.advance(Duration::from_secs(20 * 60));
            if c.get("/start").await.status != StatusCode::OK {
                break;
            }
        }
        assert_eq!(
            c.get("/start").await.location(),
            "/login",
            "no session outlives 12 hours"
        );
    }
);

on_both!(
    password_change_ends_every_other_session,
    |app: TestApp| async move {
        let email = app.user("Helle Skift", &[Role::Analyst]).await;
        let mut here = app.client();
        here.login(&email, PASSWORD).await;
        let mut elsewhere = app.client();
        elsewhere.login(&email, PASSWORD).await;
        let new = "en helt ny og lang sætning om Aalborg";
        let r = here
            .post(
                "/account/password",
                &[
                    ("current_password", PASSWORD),
                    ("password", new),
                    ("password_repeat", new),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            here.get("/start").await.status,
            StatusCode::OK,
            "this browser stays signed in"
        );
        assert_eq!(
            elsewhere.get("/start").await.location(),
            "/login",
            "the other browser is signed out"
        );
        let mut fresh = app.client();
        fresh.login(&email, new).await;
    }
);

on_both!(
    weak_new_passwords_are_refused_with_the_reason,
    |app: TestApp| async move {
        let mut c = app.signed_in("Bo Svag", &[Role::Analyst]).await;
        for (pw, expect) in [
            ("kort", "mindst 12"),
            ("password1234", "for nem"),
            ("qwertyuiopasdf", "for nem"),
        ] {
            let r = c
                .post(
                    "/account/password",
                    &[
                        ("current_password", PASSWORD),
                        ("password", pw),
                        ("password_repeat", pw),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                r.text("[role=alert]").unwrap().contains(expect),
                "{pw}: {:?}",
                r.text("[role=alert]")
            );
        }
        let long = "Syv små grønne frøer hoppede over åen ved Silkeborg i regnvejr!!";
        assert_eq!(long.chars().count(), 64);
        let r = c
            .post(
                "/account/password",
                &[
                    ("current_password", PASSWORD),
                    ("password", long),
                    ("password_repeat", long),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "a 64-character passphrase is accepted"
        );
    }
);

on_both!(
    revoking_a_role_or_disabling_ends_sessions,
    |app: TestApp| async move {
        let email = app.user("Kim Rolle", &[Role::Coordinator]).await;
        let mut c = app.client();
        c.login(&email, PASSWORD).await;
        bisidder::auth::admin::set_role(
            &app.state.db,
            app.state.clock.now_us(),
            &email,
            "bv",
            Role::Coordinator,
            false,
        )
        .await
        .unwrap();
        assert_eq!(c.get("/start").await.location(), "/login");
        let email2 = app.user("Jan Slut", &[Role::Analyst]).await;
        let mut c2 = app.client();
        c2.login(&email2, PASSWORD).await;
        bisidder::auth::admin::disable(&app.state.db, app.state.clock.now_us(), &email2)
            .await
            .unwrap();
        assert_eq!(c2.get("/start").await.location(), "/login");
        let r = c2
            .post("/login", &[("email", &email2), ("password", PASSWORD)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a disabled user cannot sign in"
        );
    }
);

on_both!(
    session_and_csrf_cookies_carry_the_host_prefix_and_flags,
    |app: TestApp| async move {
        let email = app.user("Line Cookie", &[Role::Analyst]).await;
        let mut c = app.client();
        let csrf_cookie = c
            .get("/login")
            .await
            .set_cookies()
            .into_iter()
            .find(|s| s.contains("csrf"))
            .unwrap();
        let r = c
            .post("/login", &[("email", &email), ("password", PASSWORD)])
            .await;
        let session = r
            .set_cookies()
            .into_iter()
            .find(|s| s.starts_with("__Host-bisidder="))
            .unwrap();
        for cookie in [session, csrf_cookie] {
            assert!(cookie.starts_with("__Host-"), "{cookie}");
            for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
                assert!(cookie.contains(flag), "{cookie} lacks {flag}");
            }
            assert!(!cookie.contains("Domain"), "{cookie}");
        }
    }
);

on_both!(
    state_changes_need_the_csrf_token_and_our_origin,
    |app: TestApp| async move {
        let email = app.user("Rikke Form", &[Role::Analyst]).await;
        let mut c = app.client();
        c.get("/login").await;
        let csrf = c.csrf();
        let post = |origin: Option<&str>, token: &str| {
            let mut b = axum::http::Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded");
            if let Some(o) = origin {
                b = b.header("origin", o);
            }
            b.body(axum::body::Body::from(format!(
                "csrf={token}&email={}&password={}",
                email.replace('@', "%40"),
                PASSWORD.replace(' ', "+")
            )))
            .unwrap()
        };
        let r = c.send(post(Some(PUBLIC_URL), "forkert")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Formularen er udløbet"));
        let r = c.send(post(Some("https://evil.example"), &csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c.send(post(None, &csrf)).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "no Origin and no Referer is refused"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions").await,
            0,
            "nothing happened"
        );
        let r = c.send(post(Some(PUBLIC_URL), &csrf)).await;
        assert_eq!(r.location(), "/start");
    }
);
