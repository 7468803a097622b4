//! Matching, offers and scheduling (SPEC C3, C4): assignment creates the three
//! appointments, nobody is double-booked (also under concurrency and across two server
//! instances), offers pass on when declined or unanswered, reminders and escalations go
//! out, calendars parse in a real iCalendar parser.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::{policy::Role, scheduling::jobs};
use std::time::Duration;

async fn consented_request(
    app: &TestApp,
    coordinator: &mut Client,
    name: &str,
    postcode: &str,
    date: &str,
    time: &str,
) -> String {
    let mut child = app.client();
    let r = child_request(&mut child, name, postcode, date, time).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        r.text("[role=alert]").unwrap_or_default()
    );
    let id = app.newest_request().await;
    consent(coordinator, &id).await;
    id
}

on_both!(
    assigning_creates_the_case_and_three_appointments_and_tells_the_bisidder_neutrally,
    |app: TestApp| async move {
        let (b, b_email) = app.bisidder("Anne Aarhus", "Aarhus", "children").await;
        let mut coordinator = app.signed_in("Koordinator A", &[Role::Coordinator]).await;
        let id = consented_request(
            &app,
            &mut coordinator,
            "Emma",
            "8000",
            "2026-03-04",
            "10:00",
        )
        .await;
        let r = coordinator
            .post(&format!("/intake/{id}/assign"), &[("bisidder", &b)])
            .await;
        assert_eq!(
            r.location(),
            format!("/intake/{id}"),
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        assert_eq!(app.request_status(&id).await, "assigned");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM cases WHERE request_id = '{id}' AND bisidder_user_id = '{b}'"
            ))
            .await,
            1
        );
        let kinds: Vec<(String, i64, i64)> = sqlx::query_as("SELECT kind, starts_at, ends_at FROM appointments WHERE request_id = $1 ORDER BY starts_at").bind(&id).fetch_all(&app.state.db.pool).await.unwrap();
        let meeting = "2026-03-04T09:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_microsecond();
        assert_eq!(
            kinds.iter().map(|k| k.0.as_str()).collect::<Vec<_>>(),
            ["formoede", "moede", "eftermoede"]
        );
        assert!(
            kinds[0].2 <= meeting && kinds[1].1 == meeting && kinds[2].1 >= kinds[1].2,
            "formøde before, eftermøde after: {kinds:?}"
        );
        // The bisidder is told by e-mail and SMS, without who or what.
        let msgs: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT channel, subject, body FROM outbox WHERE recipient IN ($1, '+4520000000')",
        )
        .bind(&b_email)
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        assert!(
            msgs.iter().any(|m| m.0 == "email") && msgs.iter().any(|m| m.0 == "sms"),
            "{msgs:?}"
        );
        for (_, s, body) in &msgs {
            assert!(
                !s.contains("Emma") && !body.contains("Emma") && !body.contains("8000"),
                "{s} {body}"
            );
        }
        // The bisidder sees the three appointments in their calendar.
        let mut bc = app.client();
        bc.login(&b_email, PASSWORD).await;
        let cal = bc.get("/me/calendar").await;
        let text = cal.text("[data-testid=calendar]").unwrap();
        assert!(
            text.contains("Formøde") && text.contains("Møde") && text.contains("Eftermøde"),
            "{text}"
        );
        assert!(text.contains("2026-03-04 10:00"), "local time: {text}");
    }
);

on_both!(
    a_bisidder_is_never_double_booked_not_even_with_travel_between,
    |app: TestApp| async move {
        let (b, _) = app.bisidder("Solo Bisidder", "Aarhus", "children").await;
        let mut coordinator = app.signed_in("Koordinator B", &[Role::Coordinator]).await;
        let first =
            consented_request(&app, &mut coordinator, "Ida", "8000", "2026-03-04", "10:00").await;
        // Same morning in Aalborg (1½ hours away) right after: too close for the journey.
        let second = consented_request(
            &app,
            &mut coordinator,
            "Karla",
            "9000",
            "2026-03-04",
            "13:00",
        )
        .await;
        coordinator
            .post(&format!("/intake/{first}/assign"), &[("bisidder", &b)])
            .await;
        let r = coordinator
            .post(&format!("/intake/{second}/assign"), &[("bisidder", &b)])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text("[role=alert]").unwrap().contains("allerede optaget"));
        assert_eq!(app.request_status(&second).await, "consented");
        // And the ranked candidates no longer include them for the clashing request.
        let page = coordinator.get(&format!("/intake/{second}")).await;
        assert!(page
            .text("[data-testid=candidates]")
            .is_none_or(|t| !t.contains("Solo Bisidder")));
    }
);

on_both!(
    two_coordinators_assigning_at_once_book_the_bisidder_only_once,
    |app: TestApp| async move {
        let (b, _) = app
            .bisidder("Efterspurgt Bisidder", "Odense", "children")
            .await;
        let mut c1 = app.signed_in("Koordinator Et", &[Role::Coordinator]).await;
        let mut c2 = app.signed_in("Koordinator To", &[Role::Coordinator]).await;
        let r1 = consented_request(&app, &mut c1, "Freja", "5000", "2026-03-05", "10:00").await;
        let r2 = consented_request(&app, &mut c2, "Alberte", "5000", "2026-03-05", "10:30").await;
        let (p1, p2) = (
            format!("/intake/{r1}/assign"),
            format!("/intake/{r2}/assign"),
        );
        let fields = [("bisidder", b.as_str())];
        let (a, bb) = tokio::join!(c1.post(&p1, &fields), c2.post(&p2, &fields));
        let ok = [&a, &bb]
            .iter()
            .filter(|r| r.status == StatusCode::SEE_OTHER)
            .count();
        assert_eq!(
            ok, 1,
            "exactly one booking wins: {} / {}",
            a.status, bb.status
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM cases WHERE bisidder_user_id = '{b}'"
            ))
            .await,
            1
        );
    }
);

/// Two server instances (two pools, two app states) on one PostgreSQL database, each
/// assigning the same bisidder to overlapping requests many times at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_instances_on_one_postgresql_never_double_book() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let app = TestApp::new(Backend::Postgres).await;
    let url = app.state.config.database_url.clone();
    let second = bisidder::open(&app.state.config, app.state.clock.clone())
        .await
        .unwrap();
    assert_eq!(second.config.database_url, url);
    let (b, _) = app.bisidder("Delt Bisidder", "Roskilde", "children").await;
    let mut coordinator = app.signed_in("Koordinator Tre", &[Role::Coordinator]).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            consented_request(
                &app,
                &mut coordinator,
                &format!("Barn{i}"),
                "4000",
                "2026-03-06",
                "10:00",
            )
            .await,
        );
    }
    let coordinator_id: String =
        sqlx::query_scalar("SELECT user_id FROM memberships WHERE role = 'coordinator' LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let actor = bisidder::policy::Actor {
        user_id: coordinator_id,
        name: "K".into(),
        org_id: Some(app.org_id.clone()),
        roles: vec![Role::Coordinator],
        via_token: false,
    };
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let state = if i % 2 == 0 {
            app.state.clone()
        } else {
            second.clone()
        };
        let (actor, id, b) = (actor.clone(), id.clone(), b.clone());
        tasks.push(tokio::spawn(async move {
            bisidder::scheduling::service::assign(&state, &actor, &id, &b)
                .await
                .is_ok()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += t.await.unwrap() as usize;
    }
    assert_eq!(
        won, 1,
        "six overlapping assignments across two instances: exactly one booking"
    );
    let booked = app.count(&format!("SELECT COUNT(*) FROM appointments WHERE bisidder_user_id = '{b}' AND status = 'planned'")).await;
    assert_eq!(booked, 3);
}

on_both!(
    sequential_offers_pass_on_when_declined_or_unanswered_and_acceptance_books,
    |app: TestApp| async move {
        let (_, e1) = app.bisidder("Første Bisidder", "Aarhus", "children").await;
        let (_, e2) = app
            .bisidder("Anden Bisidder", "Skanderborg", "children")
            .await;
        let (b3, e3) = app
            .bisidder("Tredje Bisidder", "Silkeborg", "children")
            .await;
        let mut coordinator = app
            .signed_in("Koordinator Fire", &[Role::Coordinator])
            .await;
        let id = consented_request(
            &app,
            &mut coordinator,
            "Clara",
            "8000",
            "2026-03-04",
            "10:00",
        )
        .await;
        let r = coordinator
            .post(
                &format!("/intake/{id}/offer"),
                &[("strategy", "sequential")],
            )
            .await;
        assert_eq!(
            r.location(),
            format!("/intake/{id}"),
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        assert_eq!(app.request_status(&id).await, "offered");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM offers WHERE status = 'pending'")
                .await,
            1
        );
        // The nearest (Aarhus) gets it first and declines on their phone.
        let mut first = app.client();
        first.login(&e1, PASSWORD).await;
        let offers = first.get("/me/offers").await;
        let offer_id = offers.attr("form[action$='/decline']", "action").unwrap();
        let r = first.post(&offer_id, &[]).await;
        assert_eq!(r.location(), "/me/offers");
        // The second does not answer in time: after the time limit the third is asked.
        let mut second = app.client();
        second.login(&e2, PASSWORD).await;
        assert!(second
            .get("/me/offers")
            .await
            .text("[data-testid=offers]")
            .unwrap()
            .contains("Clara"));
        app.state.clock.advance(Duration::from_secs(3 * 3600));
        let t = jobs::tick(&app.state).await.unwrap();
        assert_eq!(t.offers_expired, 1);
        let mut third = app.client();
        third.login(&e3, PASSWORD).await;
        let page = third.get("/me/offers").await;
        let accept = page.attr("form[action$='/accept']", "action").unwrap();
        let r = third.post(&accept, &[]).await;
        assert_eq!(r.location(), "/me/calendar");
        assert_eq!(app.request_status(&id).await, "assigned");
        let assigned: String =
            sqlx::query_scalar("SELECT bisidder_user_id FROM requests WHERE id = $1")
                .bind(&id)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(assigned, b3);
        // The second bisidder's expired offer cannot be accepted afterwards.
        let late = second.get("/me/offers").await;
        assert!(late.attr("form[action$='/accept']", "action").is_none());
    }
);

on_both!(
    a_broadcast_goes_to_the_first_who_accepts,
    |app: TestApp| async move {
        let mut emails = Vec::new();
        for (n, t) in [
            ("B Et", "Odense"),
            ("B To", "Nyborg"),
            ("B Tre", "Middelfart"),
        ] {
            emails.push(app.bisidder(n, t, "children").await.1);
        }
        let mut coordinator = app.signed_in("Koordinator Fem", &[Role::Coordinator]).await;
        let id = consented_request(
            &app,
            &mut coordinator,
            "Asta",
            "5000",
            "2026-03-05",
            "14:00",
        )
        .await;
        coordinator
            .post(&format!("/intake/{id}/offer"), &[("strategy", "broadcast")])
            .await;
        assert_eq!(
            app.count("SELECT COUNT(*) FROM offers WHERE status = 'pending'")
                .await,
            3
        );
        let mut clients = Vec::new();
        for e in &emails {
            let mut c = app.client();
            c.login(e, PASSWORD).await;
            let action = c
                .get("/me/offers")
                .await
                .attr("form[action$='/accept']", "action")
                .unwrap();
            clients.push((c, action));
        }
        let (mut c0, a0) = clients.remove(0);
        let (mut c1, a1) = clients.remove(0);
        let (r0, r1) = tokio::join!(c0.post(&a0, &[]), c1.post(&a1, &[]));
        let winners = [&r0, &r1]
            .iter()
            .filter(|r| r.location() == "/me/calendar")
            .count();
        assert_eq!(winners, 1, "{} {}", r0.status, r1.status);
        let loser = if r0.location() == "/me/calendar" {
            &r1
        } else {
            &r0
        };
        assert_eq!(loser.status, StatusCode::CONFLICT);
        assert!(loser
            .text("[role=alert]")
            .unwrap()
            .contains("ikke længere åbent"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM offers WHERE status = 'pending'")
                .await,
            0,
            "the others are withdrawn"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, 1);
    }
);

on_both!(
    assign_all_uses_the_batch_optimiser_without_double_booking,
    |app: TestApp| async move {
        for (n, t) in [
            ("Batch Aarhus", "Aarhus"),
            ("Batch Odense", "Odense"),
            ("Batch København", "København"),
        ] {
            app.bisidder(n, t, "children").await;
        }
        let mut coordinator = app
            .signed_in("Koordinator Seks", &[Role::Coordinator])
            .await;
        let mut ids = Vec::new();
        for (name, pc) in [
            ("Et", "8000"),
            ("To", "5000"),
            ("Tre", "2100"),
            ("Fire", "8200"),
        ] {
            ids.push(
                consented_request(&app, &mut coordinator, name, pc, "2026-03-04", "10:00").await,
            );
        }
        let r = coordinator.post("/intake/assign-all", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        let summary = r.text("[data-testid=batch-summary]").unwrap();
        assert!(
            summary.starts_with("3 tildelt"),
            "three bisiddere, four overlapping meetings: {summary}"
        );
        assert!(
            r.body.contains("Ingen ledig bisidder opfylder kravene"),
            "the fourth says why"
        );
        // Every assignment went to the bisidder in the meeting's own town.
        let pairs: Vec<(String, String)> = sqlx::query_as("SELECT r.postcode, p.town FROM requests r JOIN bisidder_profiles p ON p.user_id = r.bisidder_user_id WHERE r.status = 'assigned'").fetch_all(&app.state.db.pool).await.unwrap();
        assert_eq!(pairs.len(), 3);
        let per_bisidder = app.count("SELECT COUNT(*) FROM (SELECT bisidder_user_id FROM requests WHERE status = 'assigned' GROUP BY bisidder_user_id HAVING COUNT(*) > 1) x").await;
        assert_eq!(per_bisidder, 0, "nobody booked twice for the same hour");
    }
);

on_both!(
    moving_an_appointment_keeps_the_bisidder_and_refuses_clashes,
    |app: TestApp| async move {
        let (b, b_email) = app.bisidder("Flyt Bisidder", "Aarhus", "children").await;
        let mut coordinator = app.signed_in("Koordinator Syv", &[Role::Coordinator]).await;
        let one =
            consented_request(&app, &mut coordinator, "Liv", "8000", "2026-03-04", "10:00").await;
        let two = consented_request(
            &app,
            &mut coordinator,
            "Vera",
            "8000",
            "2026-03-04",
            "14:00",
        )
        .await;
        coordinator
            .post(&format!("/intake/{one}/assign"), &[("bisidder", &b)])
            .await;
        coordinator
            .post(&format!("/intake/{two}/assign"), &[("bisidder", &b)])
            .await;
        let moede: String = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE request_id = $1 AND kind = 'moede'",
        )
        .bind(&one)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        let mut bc = app.client();
        bc.login(&b_email, PASSWORD).await;
        let r = bc
            .post(
                &format!("/appointments/{moede}/edit"),
                &[
                    ("date", "2026-03-04"),
                    ("start", "10:30"),
                    ("end", "12:00"),
                    ("place", "Rådhuset, lokale 2"),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            format!("/appointments/{moede}/edit"),
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let (seq, who): (i64, String) =
            sqlx::query_as("SELECT sequence, bisidder_user_id FROM appointments WHERE id = $1")
                .bind(&moede)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(
            (seq, who.as_str()),
            (1, b.as_str()),
            "same bisidder, new sequence for calendars"
        );
        let r = bc
            .post(
                &format!("/appointments/{moede}/edit"),
                &[("date", "2026-03-04"), ("start", "13:30"), ("end", "15:00")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "would clash with the 14:00 meeting"
        );
        let r = bc
            .post(
                &format!("/appointments/{moede}/edit"),
                &[("date", "2026-03-04"), ("start", "12:00"), ("end", "11:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Another bisidder cannot touch it.
        let (_, other) = app.bisidder("Anden Flyt", "Odense", "children").await;
        let mut oc = app.client();
        oc.login(&other, PASSWORD).await;
        assert_eq!(
            oc.get(&format!("/appointments/{moede}/edit")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

on_both!(
    reminders_and_escalations_go_out_once_and_reveal_nothing,
    |app: TestApp| async move {
        let (b, b_email) = app.bisidder("Husk Bisidder", "Aarhus", "children").await;
        sqlx::query("UPDATE organisations SET duty_phone = '+4570000000' WHERE id = $1")
            .bind(&app.org_id)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let mut coordinator = app
            .signed_in("Koordinator Otte", &[Role::Coordinator])
            .await;
        let assigned = consented_request(
            &app,
            &mut coordinator,
            "Sofia",
            "8000",
            "2026-03-04",
            "10:00",
        )
        .await;
        coordinator
            .post(&format!("/intake/{assigned}/assign"), &[("bisidder", &b)])
            .await;
        let waiting = consented_request(
            &app,
            &mut coordinator,
            "Maja",
            "8000",
            "2026-03-03",
            "12:00",
        )
        .await;
        // Nothing is due yet.
        assert_eq!(jobs::tick(&app.state).await.unwrap(), jobs::Tick::default());
        // About 2026-03-03 10:45 UTC: the waiting request's deadline (its formøde, 10:00 UTC)
        // is passing — escalate; all three of Sofia's appointments (from 08:00 UTC on 03-04)
        // are within 24 hours — remind.
        app.state
            .clock
            .advance(Duration::from_secs(25 * 3600 + 45 * 60));
        let t = jobs::tick(&app.state).await.unwrap();
        assert_eq!(t.escalations, 1);
        assert_eq!(t.reminders, 3, "formøde, møde and eftermøde");
        assert_eq!(
            jobs::tick(&app.state).await.unwrap(),
            jobs::Tick::default(),
            "each goes out once"
        );
        let duty: Vec<String> =
            sqlx::query_scalar("SELECT body FROM outbox WHERE recipient = '+4570000000'")
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(duty.len(), 1);
        let person_sms: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM outbox WHERE channel = 'sms' AND recipient = '20 30 40 50'",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(person_sms.len(), 3, "the child chose SMS: reminded by SMS");
        // The person's phone may be seen by others: nothing says what it is about.
        for text in &person_sms {
            for secret in [
                "Sofia",
                "Maja",
                "bisidder",
                "Bisidder",
                "kommune",
                "underretning",
            ] {
                assert!(!text.contains(secret), "{text:?} reveals {secret}");
            }
        }
        // Staff messages name no person either.
        for text in &duty {
            assert!(!text.contains("Sofia") && !text.contains("Maja"), "{text}");
        }
        let bisidder_mail = app.count(&format!("SELECT COUNT(*) FROM outbox WHERE recipient = '{b_email}' AND subject LIKE 'Påmindelse%'")).await;
        assert_eq!(bisidder_mail, 3);
        // (A day has passed: the coordinator signs in again.)
        let mut coordinator = app
            .signed_in("Koordinator Otte Igen", &[Role::Coordinator])
            .await;
        let queue = coordinator.get("/intake").await;
        assert!(
            queue.body.contains("deadline-near"),
            "the queue shows the clock in red"
        );
        let _ = waiting;
    }
);

on_both!(
    calendars_are_valid_icalendar_in_danish_time,
    |app: TestApp| async move {
        let (b, b_email) = app
            .bisidder("Kalender Bisidder", "København", "children")
            .await;
        let mut coordinator = app.signed_in("Koordinator Ni", &[Role::Coordinator]).await;
        // A meeting on the day summer time starts (29 March 2026) at 10:00 local.
        let id = consented_request(
            &app,
            &mut coordinator,
            "Nora",
            "2100",
            "2026-03-29",
            "10:00",
        )
        .await;
        coordinator
            .post(&format!("/intake/{id}/assign"), &[("bisidder", &b)])
            .await;
        let mut bc = app.client();
        bc.login(&b_email, PASSWORD).await;
        let page = bc.post("/me/calendar/feed", &[]).await;
        let url = page.text("[data-testid=feed-url]").unwrap();
        let path = url.strip_prefix(PUBLIC_URL).unwrap().to_string();
        let mut anyone = app.client();
        let feed = anyone.get(&path).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        assert!(
            !feed.body.contains("Nora"),
            "no personal data in a synced calendar"
        );
        let file = app.dir.path().join("feed.ics");
        std::fs::write(&file, &feed.body).unwrap();
        check_ical(
            &file,
            3,
            &["2026-03-29T09:00", "2026-03-29T10:00", "2026-03-29T11:30"],
        );
        // Revoking stops the address.
        bc.post("/me/calendar/feed/revoke", &[]).await;
        assert_eq!(anyone.get(&path).await.status, StatusCode::NOT_FOUND);
    }
);

/// Checks an .ics file with PyPI's `icalendar` (scripts/check_ical.py); the test script
/// installs it. Without it (a developer's machine), only outside CI, the check is skipped.
fn check_ical(file: &std::path::Path, events: usize, local_starts: &[&str]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".cache/venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must check calendars with the real parser (.cache/venv)"
        );
        eprintln!("skipping icalendar check: no .cache/venv");
        return;
    }
    let out = std::process::Command::new(python)
        .arg(root.join("scripts/check_ical.py"))
        .arg(file)
        .arg("--expect-events")
        .arg(events.to_string())
        .arg("--expect-local")
        .args(local_starts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check_ical: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

on_both!(
    sms_goes_through_the_http_gateway,
    |app: TestApp| async move {
        // A real HTTP server on loopback standing in for the operator's SMS gateway.
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
        let store = received.clone();
        let gateway = axum::Router::new().route(
            "/sms",
            axum::routing::post(move |axum::Json(v): axum::Json<serde_json::Value>| {
                let store = store.clone();
                async move {
                    store.lock().unwrap().push(v);
                    "queued"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, gateway).await.unwrap() });
        let app2 = TestApp::with(app.backend, |c| {
            c.sms_url = Some(format!("http://{addr}/sms"));
        })
        .await;
        let (b, _) = app2.bisidder("Sms Bisidder", "Aarhus", "children").await;
        let mut coordinator = app2.signed_in("Koordinator Ti", &[Role::Coordinator]).await;
        let id = consented_request(
            &app2,
            &mut coordinator,
            "Ella",
            "8000",
            "2026-03-04",
            "10:00",
        )
        .await;
        coordinator
            .post(&format!("/intake/{id}/assign"), &[("bisidder", &b)])
            .await;
        bisidder::notify::worker::deliver_due(&app2.state)
            .await
            .unwrap();
        let got = received.lock().unwrap().clone();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["to"], "+4520000000");
        assert!(!got[0]["text"].as_str().unwrap().contains("Ella"));
        // Delivered once: another round sends nothing again.
        bisidder::notify::worker::deliver_due(&app2.state)
            .await
            .unwrap();
        assert_eq!(received.lock().unwrap().len(), 1);
        drop(app);
    }
);

on_both!(
    a_bisidder_keeps_their_profile_availability_and_absences,
    |app: TestApp| async move {
        let email = app.user("Ny Bisidder", &[Role::Bisidder]).await;
        let mut c = app.client();
        c.login(&email, PASSWORD).await;
        let page = c.get("/me/profile").await;
        assert!(page.body.contains("Udfyld din profil"));
        let r = c
            .post(
                "/me/profile",
                &[
                    ("town", "Vejle"),
                    ("max_travel_minutes", "60"),
                    ("areas", "0630"),
                    ("skills", "children"),
                    ("languages", "da, en"),
                    ("max_open_cases", "4"),
                    ("max_hours_per_week", "8"),
                    ("phone", "22334455"),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            "/me/profile",
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let r = c
            .post(
                "/me/profile",
                &[
                    ("town", "Atlantis"),
                    ("max_travel_minutes", "60"),
                    ("max_open_cases", "4"),
                    ("max_hours_per_week", "8"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text("[role=alert]").unwrap().contains("Byen findes ikke"));
        c.post(
            "/me/availability",
            &[("weekday", "wed"), ("from", "09:00"), ("to", "15:00")],
        )
        .await;
        let r = c
            .post(
                "/me/availability",
                &[("weekday", "wed"), ("from", "15:00"), ("to", "09:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Available Wednesday 4 March in Vejle's kommune; a coordinator sees them as a candidate…
        let mut coordinator = app
            .signed_in("Koordinator Elleve", &[Role::Coordinator])
            .await;
        let id = consented_request(
            &app,
            &mut coordinator,
            "Anna",
            "7100",
            "2026-03-04",
            "11:00",
        )
        .await;
        assert!(coordinator
            .get(&format!("/intake/{id}"))
            .await
            .text("[data-testid=candidates]")
            .unwrap()
            .contains("Ny Bisidder"));
        // …until they register an absence that day.
        c.post(
            "/me/absences",
            &[
                ("from", "2026-03-04"),
                ("to", "2026-03-04"),
                ("note", "ferie"),
            ],
        )
        .await;
        assert!(coordinator
            .get(&format!("/intake/{id}"))
            .await
            .text("[data-testid=candidates]")
            .is_none());
        let profile = c.get("/me/profile").await;
        assert!(profile.body.contains("ferie") && profile.body.contains("Onsdag"));
    }
);

on_both!(
    the_outbox_retries_with_backoff_and_never_sends_twice_across_a_restart,
    |app: TestApp| async move {
        // A gateway that fails its first call, then accepts.
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = calls.clone();
        let gateway = axum::Router::new().route(
            "/sms",
            axum::routing::post(move || {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if n == 0 {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, gateway).await.unwrap() });
        let config_sms = format!("http://{addr}/sms");
        let app = TestApp::with(app.backend, |c| c.sms_url = Some(config_sms.clone())).await;
        let now = app.state.clock.now_us();
        let mut conn = app.state.db.pool.acquire().await.unwrap();
        bisidder::notify::enqueue_sms(
            &mut conn,
            now,
            "+4511111111",
            "Påmindelse: du har en aftale.",
        )
        .await
        .unwrap();
        drop(conn);
        use bisidder::notify::worker::deliver_due;
        assert_eq!(
            deliver_due(&app.state).await.unwrap(),
            0,
            "the gateway failed"
        );
        let (status, attempts): (String, i64) =
            sqlx::query_as("SELECT status, attempts FROM outbox")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!((status.as_str(), attempts), ("pending", 1));
        assert_eq!(
            deliver_due(&app.state).await.unwrap(),
            0,
            "not before the backoff"
        );
        app.state.clock.advance(Duration::from_secs(31));
        // A restarted instance (new pool, same database) picks it up and sends it once.
        let restarted = bisidder::open(&app.state.config, app.state.clock.clone())
            .await
            .unwrap();
        assert_eq!(deliver_due(&restarted).await.unwrap(), 1);
        assert_eq!(deliver_due(&restarted).await.unwrap(), 0);
        assert_eq!(
            deliver_due(&app.state).await.unwrap(),
            0,
            "the other instance does not send it again"
        );
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        // A message an instance claimed just before it died is sent after the claim's lease.
        let mut conn = app.state.db.pool.acquire().await.unwrap();
        bisidder::notify::enqueue_sms(
            &mut conn,
            app.state.clock.now_us(),
            "+4522222222",
            "Påmindelse: du har en aftale.",
        )
        .await
        .unwrap();
        drop(conn);
        sqlx::query("UPDATE outbox SET status = 'sending', attempts = 1, next_attempt_at = $1 WHERE recipient = '+4522222222'")
        .bind(app.state.clock.now_us() + 120_000_000)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(
            deliver_due(&restarted).await.unwrap(),
            0,
            "still leased to the dead instance"
        );
        app.state.clock.advance(Duration::from_secs(121));
        assert_eq!(deliver_due(&restarted).await.unwrap(), 1);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
);
