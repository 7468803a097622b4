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
