//! The annual figures by API and CLI: exact for the organisation's coordinators,
//! disclosure-controlled for analysts.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::{auth::admin, policy::Role};

const HISTORY: &str = r#"{"type":"organisation","id":"hist","name":"Historik","kind":"professional_children"}
{"type":"person","id":"p1","org":"hist","gender":"girl","birth_date":"2007-03-02","kommune":"0101"}
{"type":"person","id":"p2","org":"hist","gender":"boy","birth_date":"2010-11-30","kommune":"0751"}
{"type":"case","id":"c1","org":"hist","person":"p1","authority":"familieretshuset","opened_on":"2020-02-03","closed_on":"2020-05-01"}
{"type":"case","id":"c2","org":"hist","person":"p2","authority":"kommune","opened_on":"2020-12-31"}
{"type":"report_of_concern","id":"u1","case":"c1","sent_on":"2020-03-01","categories":["fysisk_vold","konflikt_i_hjemmet"]}
"#;

async fn get(c: &mut Client, token: &str, path: &str) -> Resp {
    c.send(
        axum::http::Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

on_both!(
    annual_figures_are_exact_for_coordinators_and_protected_for_analysts,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        bisidder::import::import(&app.state.db, HISTORY, now)
            .await
            .unwrap();
        let org: String =
            sqlx::query_scalar("SELECT id FROM organisations WHERE source_id = 'hist'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        let coordinator = app
            .user_in("Stat Koordinator", &[Role::Coordinator], &org)
            .await;
        let analyst = app.user_in("Stat Analytiker", &[Role::Analyst], &org).await;
        let tc = admin::create_token(&app.state.db, now, &coordinator, "hist", "s")
            .await
            .unwrap()
            .1;
        let ta = admin::create_token(&app.state.db, now, &analyst, "hist", "s")
            .await
            .unwrap()
            .1;
        let mut c = app.client();
        let exact = get(&mut c, &tc, "/api/v1/stats/annual?org=hist&year=2020").await;
        assert_eq!(exact.status, StatusCode::OK, "{}", exact.body);
        let v = exact.json();
        // Worked out from the file: two cases opened in 2020, one at Familieretshuset, one at
        // the kommune (opened 31 December, still open); nothing before 2020.
        assert_eq!(
            v["new_cases"],
            serde_json::json!({"total": 2, "kommune": 1, "familieretshuset": 1, "other": 0})
        );
        assert_eq!(
            (
                v["active_cases"].as_i64(),
                v["carried_over"].as_i64(),
                v["cumulative"].as_i64()
            ),
            (Some(2), Some(0), Some(2))
        );
        assert_eq!(v["persons_with_new_case"], 2);
        assert!(
            v["growth_pct"]["total"].is_null(),
            "no cases in 2019: growth is null"
        );
        // One report, sent 1 March 2020 about a girl born 2 March 2007: she was 12.
        let r = &v["reports_of_concern"];
        assert_eq!(r["total"], 1);
        assert_eq!(r["gender_pct"]["girl"], 100.0);
        assert_eq!(r["age_band_pct"]["10-12"], 100.0);
        assert_eq!(r["mean_age"], 12.0);
        assert_eq!(r["category_pct"]["fysisk_vold"], 100.0);
        assert_eq!(
            r["category_pct"].as_object().unwrap().len(),
            15,
            "one key per problem category"
        );
        // The analyst sees no count of one or two persons.
        let protected = get(&mut c, &ta, "/api/v1/stats/annual?org=hist&year=2020")
            .await
            .json();
        // Small counts are "<3"; where even "<3" would give a count away (1 + 1 = a total of
        // 2), every hidden cell gets the same neutral "*".
        for cell in [
            &protected["new_cases"]["kommune"],
            &protected["new_cases"]["total"],
            &protected["reports_of_concern"]["total"],
            &protected["reports_of_concern"]["gender_pct"]["girl"],
        ] {
            assert!(*cell == "<3" || *cell == "*", "{cell}");
        }
        assert_eq!(
            protected["new_cases"]["other"], 0,
            "a zero describes nobody and is shown"
        );
        let text = protected.to_string();
        assert!(
            !text.contains(":1,")
                && !text.contains(":2,")
                && !text.contains(":1}")
                && !text.contains(":2}"),
            "{text}"
        );
        // Another organisation's figures are not found; a bad year is explained.
        let other = get(
            &mut c,
            &tc,
            &format!("/api/v1/stats/annual?org={}&year=2020", app.other_org_id),
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let bad = get(&mut c, &tc, "/api/v1/stats/annual?org=hist&year=tjuetjue").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The CLI prints the same exact figures.
        let cli = bisidder::stats::service::compute(&app.state, &org, "hist", 2020)
            .await
            .unwrap();
        assert_eq!(serde_json::to_value(&cli).unwrap(), v);
    }
);
