//! The national directory (SPEC C9): search on hand-built profiles whose right answers are
//! worked out below, the analytics with known weighted and unweighted shares, the import
//! of scheme records, claims, and referral between schemes.

use crate::helpers::TestApp;
use crate::on_both;
use bisidder::{import::import, policy::Role};

/// Six schemes around Odense, Svendborg and Aalborg (see each test for the answers).
const SCHEMES: &str = r#"{"type":"scheme","id":"odense","name":"Odense Alle","kind":"volunteer_network","town":"Odense","coverage":{"kommuner":["0461"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["all"],"bisiddere":12,"tasks_per_week":7}
{"type":"scheme","id":"fyn","name":"Syd Børn","kind":"professional_children","town":"Svendborg","coverage":{"regions":["1083"]},"target_groups":["children_young"],"requirements":["none"],"meeting_types":["children","benefits"]}
{"type":"scheme","id":"national","name":"Landsdækkende Sundhed","kind":"user_organisation","coverage":{"national":true},"target_groups":["everyone"],"requirements":["free_membership"],"meeting_types":["health"]}
{"type":"scheme","id":"full","name":"Odense Fuld","kind":"drop_in","town":"Odense","coverage":{"kommuner":["0461"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["all"],"at_capacity":true}
{"type":"scheme","id":"aalborg","name":"Aalborg Alle","kind":"volunteer_network","town":"Aalborg","coverage":{"kommuner":["0851"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["all"]}
{"type":"scheme","id":"members","name":"Fyn Job","kind":"advice","town":"Odense","coverage":{"kommuner":["0461","0479"]},"target_groups":["everyone"],"requirements":["known_by_org"],"meeting_types":["employment"]}
"#;

async fn load(app: &TestApp, text: &str) {
    import(&app.state.db, text, app.state.clock.now_us())
        .await
        .unwrap();
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

on_both!(
    search_finds_the_schemes_that_cover_place_meeting_and_group,
    |app: TestApp| async move {
        load(&app, SCHEMES).await;
        let mut c = app.client();
        let cases: &[(&str, &[&str])] = &[
            // Odense, a meeting about children: the kommune's own scheme (all meetings, 0 km),
            // the region's children's scheme (Svendborg, ~40 km), the full one last. Not the
            // national health scheme, not Aalborg, not the employment scheme.
            (
                "kommune=0461&meeting_type=children",
                &["Odense Alle", "Syd Børn", "Odense Fuld"],
            ),
            // Health, for an adult: the national scheme has no base, so it comes after the
            // nearby one; the region's children's scheme serves children only.
            (
                "kommune=0461&meeting_type=health&group=adults",
                &["Odense Alle", "Landsdækkende Sundhed", "Odense Fuld"],
            ),
            // Without requirements: the national scheme asks for membership.
            (
                "kommune=0461&meeting_type=health&group=adults&no_requirements=1",
                &["Odense Alle", "Odense Fuld"],
            ),
            // Svendborg (a town) is kommune 0479: only the employment scheme covers it by kommune.
            ("town=Svendborg&meeting_type=employment", &["Fyn Job"]),
            // A child in Svendborg about benefits: the region covers it.
            (
                "town=Svendborg&meeting_type=benefits&group=children_young",
                &["Syd Børn"],
            ),
            // Aalborg, housing: only the Aalborg scheme.
            ("kommune=0851&meeting_type=housing", &["Aalborg Alle"]),
            // Esbjerg (region 1083), health: the national scheme only.
            (
                "kommune=0561&meeting_type=health",
                &["Landsdækkende Sundhed"],
            ),
        ];
        for (q, want) in cases {
            let r = c.get(&format!("/api/v1/directory/search?{q}")).await;
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            assert_eq!(names(&r.json()), *want, "{q}");
            // The page gives the same schemes in the same order, without JavaScript.
            let page = c.get(&format!("/bisiddere?{q}")).await;
            assert_eq!(page.status, 200);
            let doc = page.doc();
            let sel = scraper::Selector::parse("[data-testid=results] h3").unwrap();
            let shown: Vec<String> = doc
                .select(&sel)
                .map(|e| e.text().collect::<String>().trim().to_string())
                .collect();
            assert_eq!(shown, *want, "page {q}");
        }
        // At capacity is marked (and sorted last, above).
        let page = c.get("/bisiddere?kommune=0461&meeting_type=children").await;
        assert_eq!(
            page.doc()
                .select(&scraper::Selector::parse("[data-testid=at-capacity]").unwrap())
                .count(),
            1
        );
        // Distances: Svendborg is 30–50 km from Odense.
        let r = c
            .get("/api/v1/directory/search?kommune=0461&meeting_type=children")
            .await;
        let km = r.json()[1]["distance_km"].as_i64().unwrap();
        assert!((30..=50).contains(&km), "{km}");
        // A place we do not know: a clear message, 422.
        let r = c.get("/bisiddere?town=Atlantis").await;
        assert_eq!(r.status, 422);
        assert!(r.text("[role=alert]").unwrap().contains("by"));
        let r = c.get("/api/v1/directory/search?kommune=9999").await;
        assert_eq!(r.status, 422);
    }
);

on_both!(
    the_2018_listings_are_present_unverified_and_without_contact_details,
    |app: TestApp| async move {
        let mut c = app.client();
        let r = c.get("/directory.json").await;
        assert_eq!(r.status, 200);
        let all = r.json();
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), 92);
        for s in all {
            assert_eq!(s["verified"], false);
            assert_eq!(s["profiled"], false);
            assert!(
                s["contact_phone"].is_null()
                    && s["contact_email"].is_null()
                    && s["website"].is_null()
            );
        }
        let odense = all
            .iter()
            .find(|s| s["name"] == "Bisiddergruppen Odense")
            .unwrap();
        assert_eq!(odense["kommune_code"], "0461");
        assert_eq!(odense["kind"], "volunteer_network");
        // Listings without a profile never answer a search.
        let r = c.get("/api/v1/directory/search?kommune=0461").await;
        assert_eq!(r.json().as_array().unwrap().len(), 0);
        // CSV: a header and one line per scheme; the page lists them all.
        let csv = c.get("/directory.csv").await;
        assert!(csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert_eq!(csv.body.lines().count(), 93);
        let page = c.get("/bisiddere").await;
        assert!(page.body.contains("Baglandet i Ålborg"));
        let id = odense["id"].as_str().unwrap();
        let p = c.get(&format!("/bisiddere/{id}")).await;
        assert_eq!(p.status, 200);
        assert!(p.body.contains("Bisiddergruppen Odense"));
        assert_eq!(c.get("/bisiddere/nope").await.status, 404);
        // Migrating again adds nothing.
        app.state.db.migrate().await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM schemes").await, 92);
    }
);

/// Five profiles whose sizes and shares are worked out by hand:
/// A small (1 bisidder, 0.5/week, 1 kommune), B medium (5, 3/week, 4 kommuner),
/// C large (12, 7/week, whole country), D medium because all three disagree (1 → small,
/// 3/week → medium, region Nordjylland = 11 kommuner → large), E small by two of three
/// (2 → small, 0.2/week → small, Hovedstaden = 29 kommuner → large).
/// Weights 1 + 3 + 20 + 3 + 1 = 28.
const SURVEY: &str = r#"{"type":"scheme","id":"A","name":"A","kind":"volunteer_network","bisiddere":1,"tasks_per_week":0.5,"coverage":{"kommuner":["0461"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["all"],"turns_away":"never"}
{"type":"scheme","id":"B","name":"B","kind":"volunteer_network","bisiddere":5,"tasks_per_week":3,"coverage":{"kommuner":["0461","0479","0430","0440"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["children","employment"],"turns_away":"rarely","turn_away_reasons":["no_capacity"]}
{"type":"scheme","id":"C","name":"C","kind":"advice","bisiddere":12,"tasks_per_week":7,"coverage":{"national":true},"target_groups":["everyone"],"requirements":["free_membership"],"meeting_types":["benefits"],"turns_away":"often","turn_away_reasons":["no_capacity","outside_area"]}
{"type":"scheme","id":"D","name":"D","kind":"drop_in","bisiddere":1,"tasks_per_week":3,"coverage":{"regions":["1081"]},"target_groups":["everyone"],"requirements":["known_by_org"],"meeting_types":["housing"],"turns_away":"sometimes","turn_away_reasons":["short_notice"]}
{"type":"scheme","id":"E","name":"E","kind":"citizens_adviser","bisiddere":2,"tasks_per_week":0.2,"coverage":{"regions":["1084"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["all"],"turns_away":"never"}
"#;

on_both!(
    analytics_give_the_survey_figures_weighted_and_unweighted,
    |app: TestApp| async move {
        load(&app, SURVEY).await;
        let mut c = app.client();
        let a = c.get("/api/v1/directory/analytics").await.json();
        assert_eq!(a["schemes"], 5);
        assert_eq!(a["unprofiled"], 92, "the 2018 listings have no profile");
        assert_eq!(
            a["size"],
            serde_json::json!({"small": 2, "medium": 2, "large": 1})
        );
        // Kinds: volunteer A+B = 4/28 = 14.3 % → 14 weighted, 2/5 = 40 unweighted;
        // advice C = 20/28 = 71.4 → 71, 20; drop-in D = 3/28 = 10.7 → 11, 20;
        // citizens' adviser E = 1/28 = 3.6 → 4, 20.
        let k = &a["kind_pct"];
        assert_eq!(k["weighted"]["volunteer_network"], 14);
        assert_eq!(k["weighted"]["advice"], 71);
        assert_eq!(k["weighted"]["drop_in"], 11);
        assert_eq!(k["weighted"]["citizens_adviser"], 4);
        assert_eq!(k["weighted"]["other"], 0);
        assert_eq!(k["unweighted"]["volunteer_network"], 40);
        assert_eq!(k["unweighted"]["advice"], 20);
        // Requirements: none = A, B, E = 5/28 = 17.9 → 18, 60.
        assert_eq!(a["requirements_pct"]["weighted"]["none"], 18);
        assert_eq!(a["requirements_pct"]["unweighted"]["none"], 60);
        // Reasons, over the three that turn people away (B, C, D: weight 26):
        // no capacity B+C = 23/26 = 88.5 → 88, 2/3 → 67; outside area 20/26 → 77, 33;
        // short notice 3/26 = 11.5 → 12, 33.
        let r = &a["turn_away_reasons_pct"];
        assert_eq!(r["weighted"]["no_capacity"], 88);
        assert_eq!(r["unweighted"]["no_capacity"], 67);
        assert_eq!(r["weighted"]["outside_area"], 77);
        assert_eq!(r["unweighted"]["outside_area"], 33);
        assert_eq!(r["weighted"]["short_notice"], 12);
        assert_eq!(a["turns_away_pct"]["unweighted"]["never"], 40);
        // Meeting types ("all" counts for each): employment A, B, E = 5/28 → 18, 60;
        // benefits A, C, E = 22/28 = 78.6 → 79, 60; housing A, D, E = 5/28 → 18, 60.
        let m = &a["meeting_types_pct"];
        assert_eq!(m["weighted"]["employment"], 18);
        assert_eq!(m["weighted"]["benefits"], 79);
        assert_eq!(m["unweighted"]["benefits"], 60);
        assert_eq!(m["weighted"]["housing"], 18);
        // Geography: Syddanmark (1083) A, B, C = 24/28 = 85.7 → 86, 60; Nordjylland (1081)
        // C, D = 23/28 → 82, 40; Hovedstaden (1084) C, E = 21/28 → 75, 40.
        let g = &a["region_pct"];
        assert_eq!(g["weighted"]["1083"], 86);
        assert_eq!(g["unweighted"]["1083"], 60);
        assert_eq!(g["weighted"]["1081"], 82);
        assert_eq!(g["weighted"]["1084"], 75);
        assert_eq!(g["unweighted"]["1084"], 40);
        // The page shows the same.
        let page = c.get("/bisiddere/analyse").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.text("[data-testid=schemes]").unwrap(), "5");
    }
);

on_both!(
    scheme_import_is_all_or_nothing_and_a_reimport_changes_nothing,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        let first = import(&app.state.db, SCHEMES, now).await.unwrap();
        assert_eq!(first.inserted, 6);
        let again = import(&app.state.db, SCHEMES, now).await.unwrap();
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 6));
        let changed = SCHEMES.replace("\"bisiddere\":12", "\"bisiddere\":13");
        let third = import(&app.state.db, &changed, now).await.unwrap();
        assert_eq!((third.inserted, third.updated, third.unchanged), (0, 1, 5));
        // A bad line: nothing from the file is stored, and the line is named.
        let bad = r#"{"type":"scheme","id":"new","name":"Ny","kind":"volunteer_network","coverage":{"national":true},"meeting_types":["all"]}
{"type":"scheme","id":"x","name":"X","kind":"spaceship","coverage":{"national":true},"meeting_types":["all"]}
"#;
        let err = import(&app.state.db, bad, now)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && err.contains("kind"), "{err}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM schemes WHERE source_id = 'new'")
                .await,
            0
        );
        let unknown_kommune = SCHEMES.replace("\"0851\"", "\"0999\"");
        assert!(import(&app.state.db, &unknown_kommune, now).await.is_err());
    }
);

on_both!(
    an_org_admin_claims_a_listing_and_a_platform_admin_verifies_it,
    |app: TestApp| async move {
        let listing: String =
            sqlx::query_scalar("SELECT id FROM schemes WHERE name = 'Bisiddergruppen Odense'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        let mut admin = app.signed_in("Olga Admin", &[Role::OrgAdmin]).await;
        let r = admin.get("/org/scheme").await;
        assert_eq!(r.status, 200);
        let r = admin
            .post("/org/scheme/claim", &[("scheme", &listing)])
            .await;
        assert_eq!(r.location(), "/org/scheme");
        // A second claim of the same listing by another organisation is refused.
        let other_admin_email = app
            .user_in("Otto Admin", &[Role::OrgAdmin], &app.other_org_id.clone())
            .await;
        let mut other = app.client();
        other
            .login(&other_admin_email, crate::helpers::PASSWORD)
            .await;
        let r = other
            .post("/org/scheme/claim", &[("scheme", &listing)])
            .await;
        assert_eq!(r.status, 409);
        // Complete the profile; bad input names the field and stores nothing.
        let r = admin
            .post(
                "/org/scheme",
                &[
                    ("name", "Bisiddergruppen Odense"),
                    ("kind", "volunteer_network"),
                    ("kommuner", "Odense, Atlantis"),
                    ("meeting_types", "all"),
                    ("target_groups", "everyone"),
                    ("requirements", "none"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM schemes WHERE profiled = 1")
                .await,
            0
        );
        let r = admin
            .post(
                "/org/scheme",
                &[
                    ("name", "Bisiddergruppen Odense"),
                    ("kind", "volunteer_network"),
                    ("base_town", "Odense"),
                    ("kommuner", "Odense, Nyborg"),
                    ("meeting_types", "all"),
                    ("target_groups", "everyone"),
                    ("requirements", "none"),
                    ("bisiddere", "12"),
                    ("contact_phone", "66 11 22 33"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // Not yet verified: the coordinator of the platform queue decides.
        let mut pa = app.signed_in("Pia Platform", &[Role::PlatformAdmin]).await;
        let q = pa.get("/platform/directory").await;
        assert!(q.body.contains("Bisiddergruppen Odense"));
        let r = pa
            .post(
                &format!("/platform/directory/{listing}/decide"),
                &[("decision", "verify")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
        app.count("SELECT COUNT(*) FROM schemes WHERE verified = 1 AND claim_status = 'verified' AND profiled = 1").await,
        1
    );
        assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('scheme.claimed', 'scheme.profile_saved', 'scheme.claim_decided')").await,
        3
    );
        // Now it answers searches in Nyborg (0450).
        let r = app
            .client()
            .get("/api/v1/directory/search?kommune=0450")
            .await;
        assert_eq!(names(&r.json()), ["Bisiddergruppen Odense"]);
        // Others may not decide claims.
        let r = admin
            .post(
                &format!("/platform/directory/{listing}/decide"),
                &[("decision", "verify")],
            )
            .await;
        assert_eq!(r.status, 403);
    }
);

/// Schemes a children's request in Odense (kommune 0461, authority `kommune` → meeting
/// type children, a 13-year-old → children and young people) can be referred to: the
/// Odense organisation on the platform (nearest), a regional children's scheme that is
/// not on the platform; not the one at capacity, not the employment-only one, not the
/// sending organisation's own scheme.
const REFERRAL_SCHEMES: &str = r#"{"type":"scheme","id":"odense-on-platform","org":"odense","name":"Bisiddergruppen Odense (platform)","kind":"volunteer_network","town":"Odense","coverage":{"kommuner":["0461"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["all"]}
{"type":"scheme","id":"fyn-children","name":"Fyns Børnebisiddere","kind":"professional_children","town":"Svendborg","coverage":{"regions":["1083"]},"target_groups":["children_young"],"requirements":["none"],"meeting_types":["children"],"contact_phone":"62 00 00 00"}
{"type":"scheme","id":"full","name":"Fuld Ordning","kind":"drop_in","town":"Odense","coverage":{"kommuner":["0461"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["all"],"at_capacity":true}
{"type":"scheme","id":"jobs","name":"Jobbisidderne","kind":"advice","town":"Odense","coverage":{"kommuner":["0461"]},"target_groups":["everyone"],"requirements":["none"],"meeting_types":["employment"]}
{"type":"scheme","id":"own","org":"bv","name":"Egen Ordning","kind":"professional_children","coverage":{"national":true},"target_groups":["children_young"],"requirements":["none"],"meeting_types":["all"]}
"#;

on_both!(
    a_rejected_request_is_referred_with_consent_tracked_and_escalated,
    |app: TestApp| async move {
        use crate::helpers::{child_request, consent};
        use std::time::Duration;
        sqlx::query("UPDATE organisations SET source_id = slug")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        load(&app, REFERRAL_SCHEMES).await;
        let mut coord = app
            .signed_in("Carla Koordinator", &[Role::Coordinator])
            .await;
        let mut public = app.client();
        child_request(&mut public, "Maja", "5000", "2026-03-10", "10:00").await;
        let id = app.newest_request().await;
        // The suggestions, nearest first; none at capacity, out of scope or our own.
        let page = coord.get(&format!("/intake/{id}")).await;
        let doc = page.doc();
        let sel = scraper::Selector::parse("[data-testid=refer-form] label[for^=scheme-]").unwrap();
        let offered: Vec<String> = doc
            .select(&sel)
            .map(|e| e.text().collect::<String>())
            .collect();
        assert_eq!(offered.len(), 2, "{offered:?}");
        assert!(offered[0].starts_with("Bisiddergruppen Odense (platform)"));
        assert!(offered[1].starts_with("Fyns Børnebisiddere"));
        let odense: String =
            sqlx::query_scalar("SELECT id FROM schemes WHERE source_id = 'odense-on-platform'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        // Without the person's consent nothing happens.
        let r = coord
            .post(
                &format!("/intake/{id}/refer"),
                &[("scheme", &odense), ("reason", "no_capacity")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(app.request_status(&id).await, "new");
        assert_eq!(app.count("SELECT COUNT(*) FROM referrals").await, 0);
        // With it: referred here, a new request (channel referral) in Odense's intake.
        let r = coord
            .post(
                &format!("/intake/{id}/refer"),
                &[
                    ("scheme", &odense),
                    ("reason", "no_capacity"),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.location(), format!("/intake/{id}"), "{}", r.body);
        assert_eq!(app.request_status(&id).await, "referred");
        let (to_req, to_org, first, phone): (String, String, String, Option<String>) = sqlx::query_as(
        "SELECT r.id, r.org_id, p.first_name, p.phone FROM requests r JOIN persons p ON p.id = r.person_id WHERE r.channel = 'referral'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
        assert_eq!(to_org, app.other_org_id);
        assert_eq!(
            (first.as_str(), phone.as_deref()),
            ("Maja", Some("20 30 40 50"))
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'referral.made'")
                .await,
            1
        );
        let page = coord.get(&format!("/intake/{id}")).await;
        assert_eq!(
            page.text("[data-testid=referral-status]").unwrap(),
            "Venter på svar"
        );
        // Odense's coordinator sees it, talks with Maja, and she says yes: accepted.
        let odense_email = app
            .user_in(
                "Ole Odense",
                &[Role::Coordinator],
                &app.other_org_id.clone(),
            )
            .await;
        let mut oc = app.client();
        oc.login(&odense_email, crate::helpers::PASSWORD).await;
        assert!(oc.get("/intake").await.body.contains("Maja"));
        // Another organisation's request cannot be referred by them: 404, audited.
        let r = oc
            .post(
                &format!("/intake/{id}/refer"),
                &[("scheme", &odense), ("reason", "other"), ("consent", "1")],
            )
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'referral.made' AND outcome <> 'ok'"
            )
            .await,
            1
        );
        consent(&mut oc, &to_req).await;
        let t = bisidder::directory::referral::tick(&app.state)
            .await
            .unwrap();
        assert_eq!((t.answered, t.escalated), (1, 0));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM referrals WHERE status = 'accepted'")
                .await,
            1
        );

        // A second request goes to the scheme that is not on the platform: recorded with
        // its public contact for the coordinator to pass on, and escalated after 2 working
        // days (Monday 09:00 → Wednesday 09:00) without an answer.
        child_request(&mut public, "Noah", "5000", "2026-03-12", "10:00").await;
        let id2 = app.newest_request().await;
        let fyn: String =
            sqlx::query_scalar("SELECT id FROM schemes WHERE source_id = 'fyn-children'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        let r = coord
            .post(
                &format!("/intake/{id2}/refer"),
                &[
                    ("scheme", &fyn),
                    ("reason", "short_notice"),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.location(), format!("/intake/{id2}"));
        let page = coord.get(&format!("/intake/{id2}")).await;
        assert!(
            page.body.contains("62 00 00 00"),
            "the scheme's public contact is shown"
        );
        app.state.clock.advance(Duration::from_secs(47 * 3600));
        let t = bisidder::directory::referral::tick(&app.state)
            .await
            .unwrap();
        assert_eq!(t.escalated, 0, "Wednesday 08:00 is before the deadline");
        app.state.clock.advance(Duration::from_secs(2 * 3600));
        let t = bisidder::directory::referral::tick(&app.state)
            .await
            .unwrap();
        assert_eq!(t.escalated, 1);
        let t = bisidder::directory::referral::tick(&app.state)
            .await
            .unwrap();
        assert_eq!(t.escalated, 0, "escalated once");
        let coord_email = app
        .count("SELECT COUNT(*) FROM outbox WHERE subject = 'Bisidder: en henvisning mangler svar' AND recipient LIKE 'carla.koordinator%'")
        .await;
        assert_eq!(coord_email, 1);
        // The coordinator records the scheme's answer.
        let rid: String = sqlx::query_scalar("SELECT id FROM referrals WHERE scheme_id = $1")
            .bind(&fyn)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        // (Two days later the coordinator signs in again.)
        let mut coord = app.client();
        coord
            .login(
                &format!("carla.koordinator.{:?}@test.dk", app.backend).to_lowercase(),
                crate::helpers::PASSWORD,
            )
            .await;
        let r = coord
            .post(
                &format!("/referrals/{rid}/outcome"),
                &[("outcome", "declined")],
            )
            .await;
        assert_eq!(r.location(), format!("/intake/{id2}"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM referrals WHERE status = 'declined'")
                .await,
            1
        );
        // A request rejected outright still names the schemes that can help.
        child_request(&mut public, "Liv", "5000", "2026-03-20", "10:00").await;
        let id3 = app.newest_request().await;
        let r = coord
            .post(
                &format!("/intake/{id3}/close"),
                &[("to", "rejected"), ("reason", "no_capacity")],
            )
            .await;
        assert_eq!(r.location(), format!("/intake/{id3}"));
        let page = coord.get(&format!("/intake/{id3}")).await;
        let elsewhere = page.text("[data-testid=elsewhere]").unwrap();
        assert!(
            elsewhere.contains("Bisiddergruppen Odense (platform)")
                && elsewhere.contains("Fyns Børnebisiddere"),
            "{elsewhere}"
        );
        assert!(!elsewhere.contains("Fuld Ordning"));
        // Not the receiving side's to record, nor anyone else's.
        let mut oc = app.client();
        oc.login(&odense_email, crate::helpers::PASSWORD).await;
        let r = oc
            .post(
                &format!("/referrals/{rid}/outcome"),
                &[("outcome", "accepted")],
            )
            .await;
        assert_eq!(r.status, 404);
    }
);

on_both!(
    analytics_use_the_platforms_own_rejections_where_it_has_them,
    |app: TestApp| async move {
        use crate::helpers::child_request;
        sqlx::query("UPDATE organisations SET source_id = slug")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        // Self-reported: never turns anyone away.
        load(
        &app,
        r#"{"type":"scheme","id":"bv-scheme","org":"bv","name":"BV","kind":"professional_children","coverage":{"national":true},"target_groups":["children_young"],"requirements":["none"],"meeting_types":["children"],"bisiddere":30,"tasks_per_week":12,"turns_away":"never"}
"#,
    )
    .await;
        let mut c = app.client();
        let a = c.get("/api/v1/directory/analytics").await.json();
        assert_eq!(a["turns_away_pct"]["unweighted"]["never"], 100);
        // On the platform it rejected one of its two requests as outside its area: often
        // (half), for that reason — the measured figures replace the self-reported ones.
        let mut coord = app
            .signed_in("Carla Koordinator", &[Role::Coordinator])
            .await;
        child_request(&mut c, "Ea", "5000", "2026-03-10", "10:00").await;
        child_request(&mut c, "Bo", "5000", "2026-03-11", "10:00").await;
        let id = app.newest_request().await;
        let r = coord
            .post(
                &format!("/intake/{id}/close"),
                &[("to", "rejected"), ("reason", "outside_area")],
            )
            .await;
        assert_eq!(r.location(), format!("/intake/{id}"));
        let a = c.get("/api/v1/directory/analytics").await.json();
        assert_eq!(a["turns_away_pct"]["unweighted"]["often"], 100);
        assert_eq!(
            a["turn_away_reasons_pct"]["unweighted"]["outside_area"],
            100
        );
        assert_eq!(a["turn_away_reasons_pct"]["unweighted"]["no_capacity"], 0);
        // Two requests in a year is 2/52 a week: small by tasks, but 30 bisiddere and the
        // whole country make it large by two of three.
        assert_eq!(a["size"]["large"], 1);
    }
);
