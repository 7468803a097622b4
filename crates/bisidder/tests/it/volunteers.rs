//! Bisidder management (SPEC C10): applying, screening and approval, the required
//! qualifications before a first case, expiry warnings and enforcement in matching.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::policy::Role;
use std::time::Duration;

async fn profile_status(app: &TestApp, email: &str) -> (String, Option<String>) {
    sqlx::query_as(
        "SELECT p.status, p.qualified_until FROM bisidder_profiles p JOIN users u ON u.id = p.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
}

on_both!(
    a_volunteer_applies_is_screened_and_gets_cases_only_while_qualified,
    |app: TestApp| async move {
        let admin = app
            .user_in("Leder Lise", &[Role::OrgAdmin], &app.org_id)
            .await;
        let coordinator = app.signed_in("Koordinator Kim", &[Role::Coordinator]).await;
        let mut coordinator = coordinator;
        let mut ad = app.client();
        ad.login(&admin, PASSWORD).await;
        // The organisation requires an internal course, the signed undertaking and a
        // børneattest. Coordinators cannot change that.
        let set = ad
            .post(
                "/volunteers/requirements",
                &[
                    ("item", "internal_course"),
                    ("item", "confidentiality"),
                    ("item", "boerneattest"),
                ],
            )
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        let denied = coordinator
            .post("/volunteers/requirements", &[("item", "shadowing")])
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);

        // A bad application is explained in Danish and stores nothing.
        let mut public = app.client();
        let bad = public
            .post(
                "/o/bv/bliv-bisidder",
                &[
                    ("name", "Vera Frivillig"),
                    ("email", "vera"),
                    ("town", "Atlantis"),
                    ("heard_of", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("Skriv en dansk by, vi kender"),
            "{}",
            bad.body
        );
        let none: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM volunteer_applications")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(none, 0);
        let ok = public
            .post(
                "/o/bv/bliv-bisidder",
                &[
                    ("name", "Vera Frivillig"),
                    ("email", "vera.frivillig@example.org"),
                    ("town", "Vejle"),
                    ("motivation", "Jeg har selv haft brug for en bisidder"),
                    ("heard_of", "friend"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        // The motivation is personal: encrypted at rest.
        let (id, enc): (String, String) =
            sqlx::query_as("SELECT id, motivation_enc FROM volunteer_applications")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert!(!enc.contains("bisidder"));

        // The coordinator sees it; another organisation's coordinator does not (404, audited).
        let list = coordinator.get("/volunteers").await;
        assert!(list.body.contains("Vera Frivillig"));
        let detail = coordinator
            .get(&format!("/volunteers/applications/{id}"))
            .await;
        assert!(detail
            .body
            .contains("Jeg har selv haft brug for en bisidder"));
        let other = app
            .user_in("Anden Koordinator", &[Role::Coordinator], &app.other_org_id)
            .await;
        let mut oc = app.client();
        oc.login(&other, PASSWORD).await;
        let hidden = oc.get(&format!("/volunteers/applications/{id}")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        let denied_rows: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'volunteer.viewed' AND outcome = 'denied' AND resource_id = $1",
        )
        .bind(&id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(denied_rows, 1);

        // Screening needs both scores; then approval makes an account in training.
        let missing = coordinator
            .post(
                &format!("/volunteers/applications/{id}"),
                &[("experience", "4"), ("decision", "approve")],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        let approve = coordinator
            .post(
                &format!("/volunteers/applications/{id}"),
                &[
                    ("experience", "4"),
                    ("communication", "5"),
                    ("note", "God samtale"),
                    ("decision", "approve"),
                ],
            )
            .await;
        assert_eq!(approve.status, StatusCode::SEE_OTHER, "{}", approve.body);
        let email = "vera.frivillig@example.org";
        assert_eq!(profile_status(&app, email).await.0, "training");
        let mail: String = sqlx::query_scalar("SELECT body FROM outbox WHERE recipient = $1")
            .bind(email)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let link = mail
            .split_whitespace()
            .find(|w| w.contains("/password/reset/"))
            .unwrap();
        let path = &link[link.find("/password/").unwrap()..];
        // Deciding twice is refused.
        let again = coordinator
            .post(
                &format!("/volunteers/applications/{id}"),
                &[
                    ("experience", "1"),
                    ("communication", "1"),
                    ("decision", "decline"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // Vera chooses her password, signs in and sees what she lacks; she signs the
        // undertaking herself.
        let mut vera = app.client();
        let new_password = "en lang sætning om frivillige bisiddere";
        let set = vera
            .post(
                path,
                &[
                    ("password", new_password),
                    ("password_repeat", new_password),
                ],
            )
            .await;
        assert!(
            set.status.is_redirection() || set.status == StatusCode::OK,
            "{}",
            set.body
        );
        vera.login(email, new_password).await;
        let page = vera.get("/me/onboarding").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Børneattest") && page.body.contains("Internt kursus"));
        vera.post("/me/onboarding/confidentiality", &[]).await;
        assert_eq!(profile_status(&app, email).await.0, "training");

        // The coordinator records the course and a børneattest that expires in 20 days.
        let user: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let records = format!("/volunteers/people/{user}/records");
        let bad_expiry = coordinator
            .post(
                &records,
                &[
                    ("kind", "boerneattest"),
                    ("done_on", "2026-02-01"),
                    ("expires_on", "2025-01-01"),
                ],
            )
            .await;
        assert_eq!(bad_expiry.status, StatusCode::UNPROCESSABLE_ENTITY);
        coordinator
            .post(
                &records,
                &[("kind", "internal_course"), ("done_on", "2026-02-20")],
            )
            .await;
        coordinator
            .post(
                &records,
                &[
                    ("kind", "boerneattest"),
                    ("done_on", "2024-03-22"),
                    ("expires_on", "2026-03-22"),
                ],
            )
            .await;
        assert_eq!(
            profile_status(&app, email).await,
            ("active".to_string(), Some("2026-03-22".to_string()))
        );
        // The tick warns her once, 30 days ahead (today is 2 March).
        bisidder::scheduling::jobs::tick(&app.state).await.unwrap();
        bisidder::scheduling::jobs::tick(&app.state).await.unwrap();
        let warnings: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND subject = 'Noget udløber snart'",
        )
        .bind(email)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(warnings, 1);
        // After the expiry she is out of matching until renewed.
        app.state.clock.advance(Duration::from_secs(21 * 24 * 3600));
        bisidder::scheduling::jobs::tick(&app.state).await.unwrap();
        assert_eq!(profile_status(&app, email).await.0, "training");
    }
);
