//! The web shell: front page, language, error pages, security headers, bad input.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::policy::Role;

on_both!(
    front_page_explains_in_plain_danish_and_switches_to_english,
    |app: TestApp| async move {
        let mut c = app.client();
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.attr("html", "lang").as_deref(), Some("da"));
        assert!(r.text("main").unwrap().contains("Dine rettigheder"));
        assert!(r.attr("a[href=\"/login\"]", "href").is_some());
        let switch = c.post("/lang", &[("lang", "en"), ("return_to", "/")]).await;
        assert_eq!(switch.location(), "/");
        let r = c.get("/").await;
        assert_eq!(r.attr("html", "lang").as_deref(), Some("en"));
        assert!(r.text("main").unwrap().contains("Your rights"));
        // A return path to another site is not followed.
        let r = c
            .post(
                "/lang",
                &[("lang", "da"), ("return_to", "https://evil.example/")],
            )
            .await;
        assert_eq!(r.location(), "/");
    }
);

on_both!(
    every_role_start_page_is_in_both_languages,
    |app: TestApp| async move {
        for role in Role::ALL {
            let mut c = app
                .signed_in(
                    &format!("Sprog {}", role.as_str().replace('_', " ")),
                    &[role],
                )
                .await;
            let da = c.get("/start").await;
            assert_eq!(da.status, StatusCode::OK);
            assert_eq!(da.text("h1").as_deref(), Some("Overblik"));
            c.post("/lang", &[("lang", "en"), ("return_to", "/start")])
                .await;
            let en = c.get("/start").await;
            assert_eq!(en.text("h1").as_deref(), Some("Overview"));
            // No Danish UI words left in the English page's navigation.
            assert!(!en
                .text("nav")
                .unwrap_or_default()
                .contains("Skift adgangskode"));
        }
    }
);

on_both!(
    security_headers_are_on_every_page,
    |app: TestApp| async move {
        let mut c = app.signed_in("Header Tjek", &[Role::Coordinator]).await;
        for path in ["/", "/login", "/start", "/no-such-page"] {
            let r = c.get(path).await;
            let h = |n: &str| {
                r.headers
                    .get(n)
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default()
            };
            let csp = h("content-security-policy");
            assert!(
                csp.contains("frame-ancestors 'none'")
                    && csp.contains("script-src 'self'")
                    && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
            assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
            assert!(
                h("strict-transport-security").contains("max-age="),
                "{path}"
            );
            // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form
            // posts, which the CSRF Origin check must refuse.
            assert_eq!(h("referrer-policy"), "same-origin", "{path}");
            assert_eq!(h("cache-control"), "no-store", "{path}");
        }
        let css = c.get("/static/app.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css"));
        let dkfds = c.get("/static/vendor/dkfds/css/dkfds.min.css").await;
        assert_eq!(
            dkfds.status,
            StatusCode::OK,
            "the vendored design system is served"
        );
    }
);

on_both!(
    errors_are_pages_in_the_users_language_or_json_for_the_api,
    |app: TestApp| async move {
        let mut c = app.client();
        let r = c.get("/findes-ikke").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.text("h1").as_deref(), Some("Siden findes ikke."));
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        c.post("/lang", &[("lang", "en"), ("return_to", "/")]).await;
        let r = c.get("/findes-ikke").await;
        assert_eq!(r.text("h1").as_deref(), Some("The page does not exist."));
        let r = c.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"], "unauthenticated");
        // A method the route does not take gets a page, not a bare framework text.
        let r = c
            .send(
                axum::http::Request::delete("/login")
                    .header("origin", PUBLIC_URL)
                    .header("x-csrf-token", c.csrf())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(r.text("h1").is_some());
    }
);

on_both!(
    bad_input_gets_a_clear_answer_and_changes_nothing,
    |app: TestApp| async move {
        let mut c = app.client();
        c.get("/").await;
        let csrf = c.csrf();
        let sessions = app.count("SELECT COUNT(*) FROM sessions").await;
        // Invalid UTF-8 in a form.
        let mut body = format!("csrf={csrf}&email=").into_bytes();
        body.extend_from_slice(&[0xff, 0xfe]);
        let req = axum::http::Request::post("/login")
            .header("origin", PUBLIC_URL)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.text("main").unwrap().contains("ikke gyldig UTF-8"),
            "{}",
            r.body
        );
        // Oversized body.
        let big = format!("csrf={csrf}&email={}", "a".repeat(2 * 1024 * 1024));
        let req = axum::http::Request::post("/login")
            .header("origin", PUBLIC_URL)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(big))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.text("main").unwrap().contains("for stort"));
        // Empty fields.
        let r = c.post("/login", &[("email", ""), ("password", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text("[role=alert]").is_some());
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, sessions);
    }
);

on_both!(ops_endpoints_answer, |app: TestApp| async move {
    let mut c = app.client();
    assert_eq!(c.get("/healthz").await.body, "ok");
    let ready = c.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
    c.get("/").await;
    let metrics = c.get("/metrics").await;
    assert!(
        metrics.body.contains("bisidder_http_requests_total"),
        "{}",
        metrics.body
    );
    assert!(
        !metrics.body.contains("@test.dk"),
        "no personal data in metrics"
    );
});

on_both!(
    a_user_in_two_organisations_switches_between_them,
    |app: TestApp| async move {
        let email = app.user("To Steder", &[Role::Coordinator]).await;
        bisidder::auth::admin::set_role(
            &app.state.db,
            app.state.clock.now_us(),
            &email,
            "odense",
            Role::OrgAdmin,
            true,
        )
        .await
        .unwrap();
        let mut c = app.client();
        c.login(&email, PASSWORD).await;
        let start = c.get("/start").await;
        assert!(
            start.attr("select[name=org]", "name").is_some(),
            "the switch is offered"
        );
        let first = start.text("[data-testid=org-name]").unwrap();
        let target = if first == "Børns Vilkår" {
            app.other_org_id.clone()
        } else {
            app.org_id.clone()
        };
        let r = c
            .post("/org/switch", &[("org", &target), ("return_to", "/start")])
            .await;
        assert_eq!(r.location(), "/start");
        let after = c
            .get("/start")
            .await
            .text("[data-testid=org-name]")
            .unwrap();
        assert_ne!(after, first);
        // An organisation the user does not belong to is not found.
        let r = c
            .post(
                "/org/switch",
                &[
                    ("org", "01HXXXXXXXXXXXXXXXXXXXXXXX"),
                    ("return_to", "/start"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);
