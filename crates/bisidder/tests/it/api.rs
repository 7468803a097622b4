//! The JSON API's authentication and its OpenAPI document.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::{auth::admin, policy::Role};

async fn get_with(c: &mut Client, path: &str, token: &str) -> Resp {
    c.send(
        axum::http::Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

on_both!(
    tokens_authenticate_until_revoked_and_are_stored_hashed,
    |app: TestApp| async move {
        let email = app.user("Api Bruger", &[Role::Coordinator]).await;
        let now = app.state.clock.now_us();
        let (id, token) = admin::create_token(&app.state.db, now, &email, "bv", "helpline")
            .await
            .unwrap();
        let mut c = app.client();
        let me = get_with(&mut c, "/api/v1/me", &token).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.json()["roles"], serde_json::json!(["coordinator"]));
        assert_eq!(me.json()["org_id"], app.org_id.as_str());
        let stored = app
            .count(&format!(
                "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{token}'"
            ))
            .await;
        assert_eq!(stored, 0, "the token itself is never stored");
        let k = get_with(&mut c, "/api/v1/kommuner", &token).await;
        assert_eq!(k.json().as_array().unwrap().len(), 98);
        assert!(k
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "0101"
                && x["name"] == "København"
                && x["region_code"] == "1084"));
        admin::revoke_token(&app.state.db, now, &id).await.unwrap();
        let r = get_with(&mut c, "/api/v1/me", &token).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'token.rejected'")
                .await,
            1
        );
        // A token for an organisation the user does not belong to cannot be made.
        assert!(
            admin::create_token(&app.state.db, now, &email, "odense", "x")
                .await
                .is_err()
        );
    }
);

on_both!(
    openapi_document_describes_the_api,
    |app: TestApp| async move {
        let mut c = app.client();
        let doc = c.get("/api/openapi.json").await.json();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/api/v1/me", "/api/v1/kommuner", "/healthz", "/readyz"] {
            assert!(
                doc["paths"][path]["get"].is_object(),
                "{path} missing from the OpenAPI document"
            );
        }
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }
);

async fn call(c: &mut Client, method: &str, path: &str, token: &str, body: Option<&str>) -> Resp {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    c.send(
        b.body(axum::body::Body::from(body.unwrap_or("").to_string()))
            .unwrap(),
    )
    .await
}

on_both!(the_whole_flow_works_by_api, |app: TestApp| async move {
    let now = app.state.clock.now_us();
    let (_, b_email) = app.bisidder("Api Bisidder", "Aarhus", "children").await;
    let coordinator = app.user("Api Koordinator", &[Role::Coordinator]).await;
    let caseworker = app.user("Api Rådgiver", &[Role::Requester]).await;
    let token = |email: String| {
        let db = app.state.db.clone();
        async move {
            admin::create_token(&db, now, &email, "bv", "api")
                .await
                .unwrap()
                .1
        }
    };
    let (tc, tr, tb) = (
        token(coordinator).await,
        token(caseworker).await,
        token(b_email).await,
    );
    let mut c = app.client();
    let created = call(&mut c, "POST", "/api/v1/requests", &tr, Some(r#"{"first_name":"Mads","age":"14","contact_phone":"70203040","postcode":"8000","authority":"kommune","meeting_date":"2026-03-04","meeting_time":"10:00"}"#)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let queue = call(&mut c, "GET", "/api/v1/intake", &tc, None).await;
    assert_eq!(queue.json()[0]["id"], id.as_str());
    let consent = call(
        &mut c,
        "POST",
        &format!("/api/v1/requests/{id}/consent"),
        &tc,
        Some(r#"{"spoke_with_person":true,"method":"phone","answer":"yes"}"#),
    )
    .await;
    assert_eq!(consent.json()["status"], "consented", "{}", consent.body);
    assert!(consent.json()["deadline_at"].is_string());
    let candidates = call(
        &mut c,
        "GET",
        &format!("/api/v1/requests/{id}/candidates"),
        &tc,
        None,
    )
    .await;
    assert_eq!(candidates.json()[0]["name"], "Api Bisidder");
    assert!(candidates.json()[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().contains("min transport")));
    let offered = call(
        &mut c,
        "POST",
        &format!("/api/v1/requests/{id}/offers"),
        &tc,
        Some(r#"{"strategy":"sequential"}"#),
    )
    .await;
    assert_eq!(offered.json()["status"], "offered");
    let offers = call(&mut c, "GET", "/api/v1/me/offers", &tb, None).await;
    let offer = offers.json()[0]["id"].as_str().unwrap().to_string();
    // Another role cannot answer it; a second acceptance after the first finds it gone.
    assert_eq!(
        call(
            &mut c,
            "POST",
            &format!("/api/v1/offers/{offer}/accept"),
            &tc,
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &mut c,
            "POST",
            &format!("/api/v1/offers/{offer}/accept"),
            &tb,
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(
            &mut c,
            "POST",
            &format!("/api/v1/offers/{offer}/accept"),
            &tb,
            None
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let appts = call(&mut c, "GET", "/api/v1/me/appointments", &tb, None).await;
    let list = appts.json();
    let kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["formoede", "moede", "eftermoede"]);
    let mine = call(&mut c, "GET", "/api/v1/requests", &tr, None).await;
    assert_eq!(mine.json()[0]["status"], "assigned");
    assert_eq!(
        mine.json()[0]["bisidder"],
        "Api",
        "the requester sees the first name only"
    );
    // Another organisation's coordinator finds nothing.
    let other = app
        .user_in(
            "Fremmed Koordinator",
            &[Role::Coordinator],
            &app.other_org_id.clone(),
        )
        .await;
    let to = admin::create_token(&app.state.db, now, &other, "odense", "x")
        .await
        .unwrap()
        .1;
    assert_eq!(
        call(&mut c, "GET", &format!("/api/v1/requests/{id}"), &to, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let denied = app
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'request.viewed' AND outcome = 'denied'",
        )
        .await;
    assert_eq!(
        denied, 1,
        "the attempt on another organisation's record is audited"
    );
});

on_both!(
    a_bisidder_keeps_profile_and_moves_appointments_by_api,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        let (b, b_email) = app.bisidder("Api Profil", "Aarhus", "children").await;
        let tb = admin::create_token(&app.state.db, now, &b_email, "bv", "app")
            .await
            .unwrap()
            .1;
        let mut c = app.client();
        let r = call(&mut c, "PUT", "/api/v1/me/profile", &tb, Some(r#"{"town":"Randers","max_travel_minutes":45,"areas":["0730"],"skills":["children","court"],"languages":"da, en","max_open_cases":3,"max_hours_per_week":6}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let p = call(&mut c, "GET", "/api/v1/me/profile", &tb, None)
            .await
            .json();
        assert_eq!(p["town"], "Randers");
        assert_eq!(p["areas"], serde_json::json!(["0730"]));
        assert_eq!(p["skills"], serde_json::json!(["children", "court"]));
        let r = call(
            &mut c,
            "PUT",
            "/api/v1/me/profile",
            &tb,
            Some(r#"{"town":"Randers","max_travel_minutes":"mange"}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "max_travel_minutes"));
        let r = call(
            &mut c,
            "POST",
            "/api/v1/me/availability",
            &tb,
            Some(r#"{"weekday":"fri","from":"08:00","to":"12:00"}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        // A booked appointment moved by the bisidder through the API.
        let mut coordinator = app
            .signed_in("Api Koordinator To", &[Role::Coordinator])
            .await;
        let mut child = app.client();
        child_request(&mut child, "Malthe", "8900", "2026-03-06", "10:00").await;
        let id = app.newest_request().await;
        consent(&mut coordinator, &id).await;
        coordinator
            .post(&format!("/intake/{id}/assign"), &[("bisidder", &b)])
            .await;
        let appt: String = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE request_id = $1 AND kind = 'eftermoede'",
        )
        .bind(&id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        let r = call(
            &mut c,
            "POST",
            &format!("/api/v1/appointments/{appt}"),
            &tb,
            Some(r#"{"date":"2026-03-06","start":"12:00","end":"12:45"}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = call(
            &mut c,
            "POST",
            &format!("/api/v1/appointments/{appt}"),
            &tb,
            Some(r#"{"date":"2026-03-06","start":"12:45","end":"12:00"}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);
