//! Intake (SPEC C2): the public form, consent before matching, duplicates, caseworker and
//! helpline requests by form and API, phone intake, the requester's limited view.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::policy::Role;

on_both!(
    a_child_asks_on_the_public_form_and_the_coordinators_are_told_without_details,
    |app: TestApp| async move {
        let coordinator_email = app.user("Sofie Koordinator", &[Role::Coordinator]).await;
        let mut child = app.client();
        let form = child.get("/o/bv/anmod?for=self").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.attr("input[name=safe_times]", "name").is_some(),
            "safe contact times are asked"
        );
        assert!(
            form.attr("script[src]", "src")
                .is_some_and(|s| s.starts_with("/static/")),
            "no inline script"
        );
        let r = child_request(&mut child, "Emma", "8000", "2026-03-04", "10:00").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let reference = r.text("[data-testid=request-ref]").unwrap();
        assert!(reference.starts_with("H-"));
        let id = app.newest_request().await;
        assert_eq!(app.request_status(&id).await, "new");
        // The person's kommune came from the postcode; the meeting's place too.
        let (kommune, lat): (String, Option<f64>) =
            sqlx::query_as("SELECT kommune_code, lat FROM requests WHERE id = $1")
                .bind(&id)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(kommune, "0751");
        assert!(lat.is_some());
        // The coordinator gets a message with no personal data in it.
        let (subject, body): (String, String) =
            sqlx::query_as("SELECT subject, body FROM outbox WHERE recipient = $1")
                .bind(&coordinator_email)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        for text in [&subject, &body] {
            assert!(
                !text.contains("Emma") && !text.contains("8000") && !text.contains("kommune"),
                "{text}"
            );
        }
        // It is in the queue, with the request's clock waiting for the call.
        let mut c = app.client();
        c.login(&coordinator_email, PASSWORD).await;
        let queue = c.get("/intake").await;
        assert!(queue.text("[data-testid=queue]").unwrap().contains("Emma"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'intake.queue_viewed'")
                .await,
            1
        );
    }
);

on_both!(
    a_bad_form_is_explained_field_by_field_and_nothing_is_stored,
    |app: TestApp| async move {
        let mut child = app.client();
        let r = child
            .post(
                "/o/bv/anmod?for=self",
                &[
                    ("first_name", ""),
                    ("phone", "12"),
                    ("postcode", "0000"),
                    ("meeting_date", "2026-02-01"),
                    ("meeting_time", "10:00"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let alert = r.text("[role=alert]").unwrap();
        for msg in [
            "Skriv et fornavn",
            "8 til 15 cifre",
            "Postnummeret findes ikke",
            "Mødet skal ligge i fremtiden",
            "Sæt kryds",
        ] {
            assert!(alert.contains(msg), "missing {msg:?} in {alert}");
        }
        assert_eq!(
            r.attr("input[name=phone]", "value").as_deref(),
            Some("12"),
            "what was typed is kept"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM requests").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM persons").await, 0);
        assert_eq!(
            child.get("/o/no-such-scheme/anmod").await.status,
            StatusCode::OK,
            "the form shows"
        );
        let r = child_request(&mut child, "Emma", "8000", "2026-03-04", "10:00").await;
        assert_eq!(r.status, StatusCode::OK);
        let mut other = app.client();
        let r = other
            .post("/o/no-such-scheme/anmod?for=self", &[("first_name", "Ida")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "an unknown scheme is not found"
        );
    }
);

on_both!(
    no_matching_before_the_persons_own_yes,
    |app: TestApp| async move {
        let (bisidder, _) = app.bisidder("Anne Aarhus", "Aarhus", "children").await;
        let mut coordinator = app
            .signed_in("Mette Koordinator", &[Role::Coordinator])
            .await;
        let mut child = app.client();
        child_request(&mut child, "Ida", "8000", "2026-03-04", "10:00").await;
        let id = app.newest_request().await;
        let page = coordinator.get(&format!("/intake/{id}")).await;
        assert!(
            page.text("[data-testid=candidates]").is_none(),
            "no candidates before consent"
        );
        let r = coordinator
            .post(&format!("/intake/{id}/assign"), &[("bisidder", &bisidder)])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r
            .text("[role=alert]")
            .unwrap()
            .contains("ikke selv sagt ja"));
        // Talking with a parent is only a contact, not consent.
        coordinator
            .post(
                &format!("/intake/{id}/consent"),
                &[("method", "phone"), ("answer", "yes")],
            )
            .await;
        assert_eq!(app.request_status(&id).await, "contacted");
        consent(&mut coordinator, &id).await;
        assert_eq!(app.request_status(&id).await, "consented");
        // The deadline: 24 hours after consent, or the formøde if that comes first (here: the
        // meeting is 2026-03-04 09:00 UTC, formøde at 08:00 UTC; consent at 09:00 UTC on 03-02).
        let deadline: i64 = sqlx::query_scalar("SELECT deadline_at FROM requests WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let consent_at = app.state.clock.now_us();
        assert_eq!(deadline, consent_at + 24 * 3_600_000_000);
        let page = coordinator.get(&format!("/intake/{id}")).await;
        let list = page.text("[data-testid=candidates]").unwrap();
        assert!(
            list.contains("Anne Aarhus") && list.contains("min transport"),
            "{list}"
        );
        let timeline = page.text("[data-testid=timeline]").unwrap();
        assert!(
            timeline.contains("Personen sagde ja") && timeline.contains("Mette Koordinator"),
            "{timeline}"
        );
    }
);

on_both!(
    a_child_who_says_no_closes_the_request,
    |app: TestApp| async move {
        let mut coordinator = app.signed_in("Pia Koordinator", &[Role::Coordinator]).await;
        let mut child = app.client();
        child_request(&mut child, "Noah", "5000", "2026-03-05", "13:00").await;
        let id = app.newest_request().await;
        coordinator
            .post(
                &format!("/intake/{id}/consent"),
                &[
                    ("spoke_with_person", "1"),
                    ("method", "phone"),
                    ("answer", "no"),
                ],
            )
            .await;
        assert_eq!(app.request_status(&id).await, "declined");
        let r = coordinator
            .post(
                &format!("/intake/{id}/consent"),
                &[
                    ("spoke_with_person", "1"),
                    ("method", "phone"),
                    ("answer", "yes"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "a declined request stays closed"
        );
    }
);

on_both!(
    a_known_person_is_flagged_and_their_bisidder_comes_first,
    |app: TestApp| async move {
        let (near, _) = app.bisidder("Nær Bisidder", "Aarhus", "children").await;
        let (earlier, _) = app
            .bisidder("Tidligere Bisidder", "Silkeborg", "children")
            .await;
        let mut coordinator = app.signed_in("Lis Koordinator", &[Role::Coordinator]).await;
        let mut child = app.client();
        child_request(&mut child, "Alma", "8000", "2026-03-04", "10:00").await;
        let first = app.newest_request().await;
        consent(&mut coordinator, &first).await;
        coordinator
            .post(
                &format!("/intake/{first}/assign"),
                &[("bisidder", &earlier)],
            )
            .await;
        assert_eq!(app.request_status(&first).await, "assigned");
        // A new request from the same child a week later.
        child_request(&mut child, "Alma", "8000", "2026-03-11", "10:00").await;
        let second = app.newest_request().await;
        let page = coordinator.get(&format!("/intake/{second}")).await;
        assert!(page.body.contains("Ligner en sag, vi allerede kender"));
        consent(&mut coordinator, &second).await;
        let page = coordinator.get(&format!("/intake/{second}")).await;
        let first_candidate = page.text("[data-testid=candidates] li").unwrap();
        assert!(
            first_candidate.contains("Tidligere Bisidder") && first_candidate.contains("før"),
            "continuity first: {first_candidate}"
        );
        let _ = near;
    }
);

on_both!(
    a_caseworker_books_an_unannounced_conversation_and_sees_only_logistics,
    |app: TestApp| async move {
        let (bisidder, _) = app.bisidder("Hanne Hansen", "Odense", "children").await;
        let mut caseworker = app.signed_in("Karen Rådgiver", &[Role::Requester]).await;
        let mut coordinator = app
            .signed_in("Sara Koordinator", &[Role::Coordinator])
            .await;
        let form = caseworker.get("/requests/new").await;
        assert!(
            form.text("details.protocol")
                .unwrap()
                .contains("forbereder sig alene med barnet"),
            "the six steps are shown"
        );
        let r = caseworker
            .post(
                "/requests/new",
                &[
                    ("first_name", "Oscar"),
                    ("age", "11"),
                    ("gender", "boy"),
                    ("contact_phone", "70 20 30 40"),
                    ("postcode", "5000"),
                    ("authority", "kommune"),
                    ("meeting_date", "2026-03-02"),
                    ("meeting_time", "15:00"),
                    ("unannounced", "1"),
                    ("place_text", "Oscars skole"),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            "/requests",
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let id = app.newest_request().await;
        let (urgent, unannounced): (i64, i64) =
            sqlx::query_as("SELECT urgent, unannounced FROM requests WHERE id = $1")
                .bind(&id)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!((urgent, unannounced), (1, 1));
        consent(&mut coordinator, &id).await;
        // Urgent and the same day: the deadline is the formøde (an hour before 15:00 local,
        // i.e. 13:00 UTC), well before 24 hours after consent.
        let deadline: i64 = sqlx::query_scalar("SELECT deadline_at FROM requests WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(
            deadline,
            "2026-03-02T13:00:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_microsecond()
        );
        coordinator
            .post(&format!("/intake/{id}/assign"), &[("bisidder", &bisidder)])
            .await;
        let mine = caseworker.get("/requests").await;
        let row = mine.text("[data-testid=my-requests] tbody tr").unwrap();
        assert!(
            row.contains("Bisidder fundet") && row.contains("Hanne") && !row.contains("Hansen"),
            "first name only: {row}"
        );
    }
);

on_both!(
    helpline_and_caseworker_requests_arrive_by_api,
    |app: TestApp| async move {
        let email = app
            .user("BørneTelefonen Integration", &[Role::Requester])
            .await;
        let (_, token) = bisidder::auth::admin::create_token(
            &app.state.db,
            app.state.clock.now_us(),
            &email,
            "bv",
            "helpline",
        )
        .await
        .unwrap();
        let mut c = app.client();
        let post = |body: &str| {
            axum::http::Request::post("/api/v1/requests")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap()
        };
        let r = c.send(post(r#"{"channel":"helpline","consent_contact":true,"first_name":"Liva","age":12,"phone":"20304050","safe_channel":"sms","kommune":"0101","authority":"familieretshuset","purpose":"Samvær","meeting_date":"2026-03-09","meeting_time":"09:30"}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["status"], "new");
        let channel: String = sqlx::query_scalar("SELECT channel FROM requests WHERE id = $1")
            .bind(r.json()["id"].as_str().unwrap())
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(channel, "helpline");
        let r = c.send(post(r#"{"first_name":"","kommune":"9999"}"#)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert!(
            fields.iter().any(|f| f == "first_name") && fields.iter().any(|f| f == "kommune"),
            "{fields:?}"
        );
        assert!(r.json()["fields"][0]["message"].as_str().unwrap().len() > 5);
        let r = c.send(post("{not json")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["message"], "Indholdet er ikke gyldig JSON.");
        let mine = c
            .send(
                axum::http::Request::get("/api/v1/requests")
                    .header("authorization", format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(mine.json().as_array().unwrap().len(), 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM requests").await,
            1,
            "bad requests stored nothing"
        );
    }
);

on_both!(
    a_coordinator_records_a_phone_request,
    |app: TestApp| async move {
        let mut coordinator = app.signed_in("Bo Telefon", &[Role::Coordinator]).await;
        let r = coordinator
            .post(
                "/intake/new",
                &[
                    ("first_name", "Viktor"),
                    ("age", "15"),
                    ("phone", "30405060"),
                    ("postcode", "9000"),
                    ("authority", "kommune"),
                    ("meeting_date", "2026-03-06"),
                    ("meeting_time", "11:00"),
                ],
            )
            .await;
        let id = app.newest_request().await;
        assert_eq!(r.location(), format!("/intake/{id}"));
        let channel: String = sqlx::query_scalar("SELECT channel FROM requests WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(channel, "phone");
    }
);

on_both!(
    the_unannounced_protocol_books_a_standby_and_the_childs_no_releases_it,
    |app: TestApp| async move {
        let (b, _) = app.bisidder("Klar Bisidder", "Odense", "children").await;
        let mut caseworker = app.signed_in("Rådgiver Uanmeldt", &[Role::Requester]).await;
        let mut coordinator = app
            .signed_in("Koordinator Uanmeldt", &[Role::Coordinator])
            .await;
        for (first, time) in [("Theo", "10:00"), ("Luna", "14:00")] {
            let fields = [
                ("first_name", first),
                ("age", "10"),
                ("contact_phone", "70 20 30 40"),
                ("postcode", "5000"),
                ("authority", "kommune"),
                ("meeting_date", "2026-03-03"),
                ("meeting_time", time),
                ("unannounced", "1"),
                ("place_text", "Skolen"),
            ];
            let r = caseworker.post("/requests/new", &fields).await;
            assert_eq!(r.location(), "/requests");
        }
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM requests ORDER BY meeting_at")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
        // Step 1: the bisidder is booked to stand by before anyone has asked the child.
        for id in &ids {
            let r = coordinator
                .post(&format!("/intake/{id}/assign"), &[("bisidder", &b)])
                .await;
            assert_eq!(
                r.location(),
                format!("/intake/{id}"),
                "{}",
                r.text("[role=alert]").unwrap_or_default()
            );
        }
        // Steps 2–5: Theo says yes on the spot: consent recorded in person, bisidder joins.
        coordinator
            .post(&format!("/intake/{}/standby", ids[0]), &[("answer", "yes")])
            .await;
        let (status, method): (String, String) =
            sqlx::query_as("SELECT status, consent_method FROM requests WHERE id = $1")
                .bind(&ids[0])
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(
            (status.as_str(), method.as_str()),
            ("assigned", "in_person")
        );
        // Step 6: Luna says no: the booking is released and recorded as such.
        coordinator
            .post(&format!("/intake/{}/standby", ids[1]), &[("answer", "no")])
            .await;
        assert_eq!(app.request_status(&ids[1]).await, "declined");
        let planned = app
            .count(&format!(
                "SELECT COUNT(*) FROM appointments WHERE request_id = '{}' AND status = 'planned'",
                ids[1]
            ))
            .await;
        assert_eq!(planned, 0);
        let page = coordinator.get(&format!("/intake/{}", ids[1])).await;
        assert!(page
            .text("[data-testid=timeline]")
            .unwrap()
            .contains("bookingen er frigivet"));
        // An ordinary request still needs consent before a booking.
        let mut child = app.client();
        child_request(&mut child, "Ida", "5000", "2026-03-05", "10:00").await;
        let ordinary = app.newest_request().await;
        let r = coordinator
            .post(&format!("/intake/{ordinary}/assign"), &[("bisidder", &b)])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
    }
);
