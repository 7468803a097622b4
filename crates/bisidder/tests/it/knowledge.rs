//! The knowledge base: public, plain-language guides in Danish and English.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;

on_both!(
    the_guides_are_public_in_danish_and_english,
    |app: TestApp| async move {
        let mut c = app.client();
        let index = c.get("/viden").await;
        assert_eq!(index.status, StatusCode::OK);
        for slug in ["rettigheder", "sagsbehandler", "fagpersoner", "rollen"] {
            assert!(
                index.body.contains(&format!("href=\"/viden/{slug}\"")),
                "{slug}"
            );
            let page = c.get(&format!("/viden/{slug}")).await;
            assert_eq!(page.status, StatusCode::OK, "{slug}");
            assert!(page.text("h1").is_some_and(|t| t.len() > 10), "{slug}");
        }
        let rights = c.get("/viden/rettigheder").await;
        assert_eq!(
            rights.text("h1").unwrap(),
            "Dine rettigheder, når du skal til møde"
        );
        assert!(rights.body.contains("116 111"));
        // The role's limits are spelled out: not an adviser, not a representative.
        let role = c.get("/viden/rollen").await;
        assert!(
            role.body.contains("ikke rådgiver") && role.body.contains("ikke partsrepræsentant")
        );
        // In English after switching language.
        c.post(
            "/lang",
            &[("lang", "en"), ("return_to", "/viden/rettigheder")],
        )
        .await;
        let en = c.get("/viden/rettigheder").await;
        assert_eq!(
            en.text("h1").unwrap(),
            "Your rights when you go to a meeting"
        );
    }
);
