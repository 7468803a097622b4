//! The demo dataset: realistic volumes, every role shown real figures.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;

on_both!(
    demo_loads_realistic_data_and_every_role_sees_its_figures,
    |app: TestApp| async move {
        let now = app.state.clock.now();
        let logins = bisidder::demo::load(&app.state.db, &app.state.crypto, now)
            .await
            .unwrap();
        assert_eq!(
            app.count("SELECT COUNT(*) FROM organisations WHERE slug LIKE 'demo-%'")
                .await,
            4
        );
        let bv: String = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = 'demo-bv'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let q = |sql: &str| sql.replace("$ORG", &bv);
        assert_eq!(app.count(&q("SELECT COUNT(*) FROM bisidder_profiles WHERE org_id = '$ORG' AND status = 'active'")).await, 30);
        // Three years of cases at the model organisation's volumes (SPEC §1: 674–916 a year).
        let per_year: Vec<(String, i64)> = sqlx::query_as(&q("SELECT SUBSTR(opened_on, 1, 4), COUNT(*) FROM cases WHERE org_id = '$ORG' GROUP BY SUBSTR(opened_on, 1, 4) ORDER BY 1"))
        .fetch_all(&app.state.db.pool).await.unwrap();
        assert_eq!(per_year.len(), 3, "{per_year:?}");
        for (y, n) in &per_year[..2] {
            assert!((600..=950).contains(n), "{y}: {n} cases");
        }
        let reports = app.count(&q("SELECT COUNT(*) FROM reports_of_concern WHERE org_id = '$ORG' AND sent_on LIKE '2025%'")).await;
        assert!(
            (150..=260).contains(&reports),
            "2025 reports of concern: {reports}"
        );
        // Live activity: open requests at several stages.
        let stages = app.count(&q("SELECT COUNT(DISTINCT status) FROM requests WHERE org_id = '$ORG' AND status <> 'assigned'")).await;
        assert!(stages >= 4);
        // Loading again changes nothing.
        let cases = app.count("SELECT COUNT(*) FROM cases").await;
        bisidder::demo::load(&app.state.db, &app.state.crypto, now)
            .await
            .unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases);

        // Each printed login signs in and its start page shows figures from the data.
        let open_cases = app
            .count(&q(
                "SELECT COUNT(*) FROM cases WHERE org_id = '$ORG' AND closed_on IS NULL",
            ))
            .await;
        for login in &logins {
            let mut c = app.client();
            c.login(&login.email, bisidder::demo::DEMO_PASSWORD).await;
            let start = c.get("/start").await;
            assert_eq!(start.status, StatusCode::OK, "{}", login.email);
            match login.role_label {
                "coordinator" | "org_admin" => {
                    assert_eq!(
                        start.text("[data-testid=open-cases]").unwrap(),
                        open_cases.to_string(),
                        "{}",
                        login.email
                    );
                    assert_eq!(
                        start.text("[data-testid=active-bisiddere]").as_deref(),
                        Some("30")
                    );
                }
                "bisidder" => {
                    let own = app.count(&q("SELECT COUNT(*) FROM cases c JOIN users u ON u.id = c.bisidder_user_id WHERE u.email = 'bisidder01@demo.bisidder.dk' AND c.closed_on IS NULL")).await;
                    assert_eq!(
                        start.text("[data-testid=own-open-cases]").unwrap(),
                        own.to_string()
                    );
                }
                "requester" => assert!(start.text("[data-testid=own-open-requests]").is_some()),
                "analyst" => assert!(start.text("table").unwrap().contains("2025")),
                "platform_admin" => {
                    let orgs = app.count("SELECT COUNT(*) FROM organisations").await;
                    assert!(
                        start.body.contains(&format!("{orgs} organisationer")),
                        "{}",
                        start.body
                    );
                }
                _ => assert!(start.text("[data-testid=org-name]").is_some()),
            }
        }
    }
);
