//! Min sag (SPEC C7): a child opens their case with the private link and a one-time SMS
//! code; codes expire, are single use and rate-limited; links stop working after closing;
//! børnebreve; anonymous feedback; and every child-facing page has LIX ≤ 30.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::{minsag::lix, policy::Role};
use std::time::Duration;

pub const CHILD: &str = "Zorvakinda";
pub const PHONE: &str = "29 87 65 43";

pub struct Setup {
    pub coordinator: Client,
    pub coordinator_email: String,
    pub bisidder_email: String,
    pub bisidder: Client,
    pub request: String,
    pub case: String,
    pub person: String,
}

/// A child's request (canary first name and phone), consented and assigned to Birte.
pub async fn assigned_case(app: &TestApp) -> Setup {
    let (b, b_email) = app.bisidder("Birte Bisidder", "Aarhus", "children").await;
    let mut bisidder = app.client();
    bisidder.login(&b_email, PASSWORD).await;
    let coordinator_email = app.user("Kirsten Koordinator", &[Role::Coordinator]).await;
    let mut coordinator = app.client();
    coordinator.login(&coordinator_email, PASSWORD).await;
    let mut child = app.client();
    let r = child
        .post(
            "/o/bv/anmod?for=self",
            &[
                ("first_name", CHILD),
                ("age", "12"),
                ("gender", "girl"),
                ("phone", PHONE),
                ("safe_channel", "sms"),
                ("safe_times", "Zorva-tider efter skole"),
                ("postcode", "8000"),
                ("authority", "kommune"),
                ("meeting_date", "2026-03-04"),
                ("meeting_time", "10:00"),
                ("consent_contact", "1"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        r.text("[role=alert]").unwrap_or_default()
    );
    let request = app.newest_request().await;
    consent(&mut coordinator, &request).await;
    let r = coordinator
        .post(&format!("/intake/{request}/assign"), &[("bisidder", &b)])
        .await;
    assert_eq!(r.location(), format!("/intake/{request}"));
    let (case, person): (String, String) =
        sqlx::query_as("SELECT id, person_id FROM cases WHERE request_id = $1")
            .bind(&request)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    Setup {
        coordinator,
        coordinator_email,
        bisidder_email: b_email,
        bisidder,
        request,
        case,
        person,
    }
}

impl Setup {
    /// Signs the staff in again after the test clock jumped past their session's idle limit.
    pub async fn sign_in_again(&mut self) {
        let (c, b) = (self.coordinator_email.clone(), self.bisidder_email.clone());
        self.coordinator.jar.retain(|k, _| k.contains("csrf"));
        self.bisidder.jar.retain(|k, _| k.contains("csrf"));
        self.coordinator.login(&c, PASSWORD).await;
        self.bisidder.login(&b, PASSWORD).await;
    }
}

/// The newest outbox message to the child's phone.
pub async fn last_sms(app: &TestApp) -> String {
    let phone: String = sqlx::query_scalar("SELECT phone FROM persons WHERE first_name = $1")
        .bind(CHILD)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    sqlx::query_scalar("SELECT body FROM outbox WHERE recipient = $1 AND channel = 'sms' ORDER BY created_at DESC, id DESC LIMIT 1")
        .bind(phone)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

/// The coordinator sends the link; returns the token from the SMS.
pub async fn send_link(app: &TestApp, s: &mut Setup) -> String {
    let r = s
        .coordinator
        .post(&format!("/intake/{}/minsag", s.request), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sms = last_sms(app).await;
    let url = sms
        .split_whitespace()
        .find(|w| w.contains("/minsag/"))
        .expect("the SMS holds the link");
    assert!(url.starts_with(&format!("{PUBLIC_URL}/minsag/")), "{url}");
    assert!(!sms.contains(CHILD), "the SMS is neutral: {sms}");
    url.rsplit('/').next().unwrap().to_string()
}

/// Asks for a code and returns it as the SMS gave it.
pub async fn ask_code(app: &TestApp, child: &mut Client, token: &str) -> String {
    let r = child.post(&format!("/minsag/{token}/code"), &[]).await;
    assert_eq!(
        r.location(),
        format!("/minsag/{token}?sent=1"),
        "{}",
        r.body
    );
    let sms = last_sms(app).await;
    let code: String = sms.chars().filter(|c| c.is_ascii_digit()).take(6).collect();
    assert_eq!(code.len(), 6, "{sms}");
    code
}

/// Link + code → a Min sag session for `child`.
pub async fn open_min_sag(app: &TestApp, child: &mut Client, token: &str) {
    let code = ask_code(app, child, token).await;
    let r = child
        .post(&format!("/minsag/{token}/verify"), &[("code", &code)])
        .await;
    assert_eq!(
        r.location(),
        "/minsag",
        "{}",
        r.text("[role=alert]").unwrap_or_default()
    );
    assert!(r
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-bisidder_minsag=")
            && c.contains("HttpOnly")
            && c.contains("Secure")));
}

on_both!(
    a_child_opens_min_sag_with_the_link_and_a_code_and_sees_bisidder_meetings_and_rights,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        let token = send_link(&app, &mut s).await;
        assert_eq!(token.len(), 43, "256 random bits");
        let stored: String = sqlx::query_scalar("SELECT token_hash FROM minsag_links")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_ne!(stored, token, "only the hash is stored");

        let mut child = app.client();
        let landing = child.get(&format!("/minsag/{token}")).await;
        assert_eq!(landing.status, StatusCode::OK);
        assert_eq!(landing.text("title").unwrap(), "Min side");
        let exit = landing.attr("[data-quick-exit]", "href").unwrap();
        assert_eq!(exit, "https://www.dr.dk");
        open_min_sag(&app, &mut child, &token).await;

        let page = child.get("/minsag").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.text("title").unwrap(),
            "Min side",
            "nothing sensitive in the title"
        );
        assert!(page.attr("[data-quick-exit]", "href").is_some());
        assert_eq!(
            page.text("[data-testid=bisidder-name] strong").unwrap(),
            "Birte"
        );
        let next = page.text("[data-testid=next-meetings]").unwrap();
        assert!(
            next.contains("Før mødet") && next.contains("Efter mødet"),
            "{next}"
        );
        let rights = page.text("[data-testid=rights]").unwrap();
        assert!(
            rights.contains("pause") && rights.contains("klage"),
            "{rights}"
        );
        assert!(page.body.contains("116 111"));
        assert!(
            !page.body.contains("Bisidder Birte") && !page.body.contains("Birte Bisidder"),
            "first name only"
        );

        // No personal data in any URL the pages link or post to.
        for r in [&landing, &page] {
            let doc = r.doc();
            let sel = scraper::Selector::parse("[href], [action]").unwrap();
            for e in doc.select(&sel) {
                let url = e
                    .value()
                    .attr("href")
                    .or(e.value().attr("action"))
                    .unwrap_or("");
                assert!(!url.contains(CHILD) && !url.contains("87 65"), "{url}");
            }
        }

        // Who has looked: staff by role, never by name.
        let looked = child.get("/minsag/opslag").await;
        let list = looked.text("[data-testid=lookups]").unwrap();
        assert!(list.contains("En der styrer sager"), "{list}");
        assert!(!looked.body.contains("Kirsten"), "no staff names");

        // A staff session is not a person session, and vice versa.
        assert_eq!(
            s.coordinator.get("/minsag").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(child.get("/start").await.location(), "/login");

        // Signing out ends the session and leaves for the neutral site.
        let out = child.post("/minsag/logout", &[]).await;
        assert_eq!(out.location(), "https://www.dr.dk");
        assert_eq!(child.get("/minsag").await.status, StatusCode::UNAUTHORIZED);

        // A person who gave English as their language gets English messages.
        sqlx::query("UPDATE persons SET language = 'en' WHERE id = $1")
            .bind(&s.person)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        send_link(&app, &mut s).await;
        assert!(last_sms(&app).await.starts_with("Hi. Here is the link"));
    }
);

on_both!(
    one_time_codes_expire_cannot_be_replayed_and_are_rate_limited,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        let verify = format!("/minsag/{token}/verify");

        // Expiry: a code is worth nothing after ten minutes.
        let code = ask_code(&app, &mut child, &token).await;
        // While the code is live the link shows the code form (e.g. after a language switch).
        let again = child.get(&format!("/minsag/{token}")).await;
        assert!(again.attr("[data-testid=code-form]", "action").is_some());
        app.state.clock.advance(Duration::from_secs(11 * 60));
        let r = child.post(&verify, &[("code", &code)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text("[role=alert]").unwrap().contains("for gammel"));

        // Single use: the right code works once; the same code again is refused.
        let code = ask_code(&app, &mut child, &token).await;
        let r = child.post(&verify, &[("code", &code)]).await;
        assert_eq!(r.location(), "/minsag");
        let mut other = app.client();
        let replay = other.post(&verify, &[("code", &code)]).await;
        assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(other.get("/minsag").await.status == StatusCode::UNAUTHORIZED);

        // Per link: three codes an hour.
        ask_code(&app, &mut child, &token).await;
        let r = child.post(&format!("/minsag/{token}/code"), &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.text("[role=alert]").unwrap().contains("tre koder"));

        // Five wrong codes lock the link, even for the right code afterwards.
        app.state.clock.advance(Duration::from_secs(61 * 60));
        let code = ask_code(&app, &mut child, &token).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        // The expired code and the replay above were wrong tries too: three more to go.
        for _ in 0..3 {
            let r = child.post(&verify, &[("code", wrong)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = child.post(&verify, &[("code", wrong)]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let r = child.post(&verify, &[("code", &code)]).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "locked: the right code does not help"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'minsag.code_refused' AND outcome = 'denied'").await,
            6
        );
        // The lock ends after half an hour.
        app.state.clock.advance(Duration::from_secs(31 * 60));
        open_min_sag(&app, &mut child, &token).await;

        // Per peer address: guessing links from one address is cut off.
        let mut guesser = app.client();
        let mut statuses = Vec::new();
        for i in 0..25 {
            let r = guesser.post(&format!("/minsag/guess-{i}/code"), &[]).await;
            statuses.push(r.status);
        }
        assert_eq!(statuses[0], StatusCode::NOT_FOUND);
        assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
        // Codes are stored hashed only.
        let stored = app
            .count(&format!(
                "SELECT COUNT(*) FROM minsag_links WHERE code_hash = '{code}'"
            ))
            .await;
        assert_eq!(stored, 0);
    }
);

on_both!(
    a_min_sag_link_stops_working_after_the_case_closed_and_when_replaced,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        // Without a safe channel the coordinator is told, and nothing is sent.
        sqlx::query("UPDATE persons SET phone = NULL WHERE id = $1")
            .bind(&s.person)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let r = s
            .coordinator
            .post(&format!("/intake/{}/minsag", s.request), &[])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text("[role=alert]").unwrap().contains("kan ikke sendes"));
        assert_eq!(app.count("SELECT COUNT(*) FROM minsag_links").await, 0);
        sqlx::query("UPDATE persons SET phone = $1 WHERE id = $2")
            .bind(PHONE)
            .bind(&s.person)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let old = send_link(&app, &mut s).await;
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        assert_eq!(
            child.get(&format!("/minsag/{old}")).await.status,
            StatusCode::NOT_FOUND,
            "a new link replaces the old"
        );
        open_min_sag(&app, &mut child, &token).await;
        // The case closes today: the link keeps working for the configured 30 days.
        sqlx::query("UPDATE cases SET closed_on = '2026-03-02' WHERE id = $1")
            .bind(&s.case)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(child.get("/minsag").await.status, StatusCode::OK);
        app.state.clock.advance(Duration::from_secs(29 * 24 * 3600));
        assert_eq!(
            child.get(&format!("/minsag/{token}")).await.status,
            StatusCode::OK
        );
        app.state.clock.advance(Duration::from_secs(2 * 24 * 3600));
        let gone = child.get(&format!("/minsag/{token}")).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(gone.text("h1").unwrap().contains("virker ikke"));
        assert!(
            gone.attr("[data-quick-exit]", "href").is_some(),
            "quick exit on error pages too"
        );
        let r = child.post(&format!("/minsag/{token}/code"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

on_both!(
    a_live_session_ends_when_the_link_closes,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;
        sqlx::query("UPDATE cases SET closed_on = '2026-01-01' WHERE id = $1")
            .bind(&s.case)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(child.get("/minsag").await.status, StatusCode::UNAUTHORIZED);
    }
);

on_both!(
    only_the_assigned_bisidder_writes_letters_after_the_eftermoede_and_the_child_reads_them,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        let path = format!("/me/cases/{}/brev", s.case);
        // The bisidder's calendar leads to the letters of the case.
        let cal = s.bisidder.get("/me/calendar").await;
        let via = cal
            .attr("[data-testid=write-letter]", "href")
            .expect("a letter link at the eftermøde");
        assert_eq!(s.bisidder.get(&via).await.location(), path);
        let letter = "Kære Zorvakinda-brev. Vi talte om din skole.";
        let early = s.bisidder.post(&path, &[("letter", letter)]).await;
        assert_eq!(
            early.status,
            StatusCode::BAD_REQUEST,
            "not before the eftermøde"
        );
        // Another bisidder, and a bisidder of another organisation, get 404 (audited).
        let (_, other_email) = app.bisidder("Ole Anden", "Aarhus", "children").await;
        let mut other = app.client();
        other.login(&other_email, PASSWORD).await;
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.post(&path, &[("letter", letter)]).await.status,
            StatusCode::NOT_FOUND
        );
        let far = app
            .user_in(
                "Fjern Bisidder",
                &[Role::Bisidder],
                &app.other_org_id.clone(),
            )
            .await;
        let mut far_c = app.client();
        far_c.login(&far, PASSWORD).await;
        assert_eq!(far_c.get(&path).await.status, StatusCode::NOT_FOUND);
        assert!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('letter.viewed', 'letter.written') AND outcome = 'denied'").await >= 3
        );
        // After the eftermøde (2026-03-04 11:30–12:00 Danish time).
        app.state.clock.advance(Duration::from_secs(3 * 24 * 3600));
        s.sign_in_again().await;
        let r = s.bisidder.post(&path, &[("letter", letter)]).await;
        assert_eq!(r.location(), path);
        assert_eq!(
            s.bisidder.post(&path, &[("letter", "  ")]).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let raw = app
            .count("SELECT COUNT(*) FROM letters WHERE body_enc LIKE 'enc1:%'")
            .await;
        assert_eq!(raw, 1, "encrypted at rest");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM letters WHERE body_enc LIKE '%Zorvakinda%'")
                .await,
            0
        );

        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;
        let home = child.get("/minsag").await;
        assert!(home.attr("[data-testid=letters-link]", "href").is_some());
        let letters = child.get("/minsag/breve").await;
        assert_eq!(letters.text("[data-testid=letter-body]").unwrap(), letter);
        assert!(
            letters.body.contains("/static/app.css"),
            "print styles come with the page"
        );
    }
);

on_both!(
    feedback_after_closing_is_anonymous_and_given_once,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;
        assert!(
            child
                .get("/minsag")
                .await
                .attr("[data-testid=feedback-form]", "action")
                .is_none(),
            "only after closing"
        );
        sqlx::query("UPDATE cases SET closed_on = '2026-03-02' WHERE id = $1")
            .bind(&s.case)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        assert!(child
            .get("/minsag")
            .await
            .attr("[data-testid=feedback-form]", "action")
            .is_some());
        let bad = child.post("/minsag/feedback", &[("helped", "maybe")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = child
            .post(
                "/minsag/feedback",
                &[
                    ("helped", "yes"),
                    ("quote", "Det var rart"),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/minsag");
        child.post("/minsag/feedback", &[("helped", "no")]).await;
        assert_eq!(app.count("SELECT COUNT(*) FROM feedback").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM feedback WHERE quote_consent = 1 AND helped = 'yes'")
                .await,
            1
        );
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'feedback.given' AND subject_person_id IS NULL AND resource_id IS NULL AND org_id = '{}'", app.org_id)).await,
            1,
            "the audit row does not tie the feedback to the case"
        );
        // The organisation sees the counts and only the quotes given with consent.
        sqlx::query("INSERT INTO feedback (id, org_id, month, helped, quote, quote_consent) VALUES ('f2', $1, '2026-03', 'no', 'Hemmeligt citat', 0)")
            .bind(&app.org_id)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        s.sign_in_again().await;
        let page = s.coordinator.get("/org/feedback").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page
            .text("[data-testid=feedback-quotes]")
            .unwrap()
            .contains("Det var rart"));
        assert!(!page.body.contains("Hemmeligt"), "no quote without consent");
        assert!(page
            .text("[data-testid=feedback-counts]")
            .unwrap()
            .contains("Nej: 1"));
        assert_eq!(
            s.bisidder.get("/org/feedback").await.status,
            StatusCode::FORBIDDEN
        );
    }
);

// Every child-facing page, in Danish and English, has LIX ≤ 30 (SPEC C7). The figures
// are printed (run with --nocapture to see them).
on_both!(
    every_child_facing_page_has_lix_at_most_30_in_danish_and_english,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        let token = send_link(&app, &mut s).await;
        let mut worst: f64 = 0.0;
        for lang in ["da", "en"] {
            let mut child = app.client();
            child
                .post("/lang", &[("lang", lang), ("return_to", "/")])
                .await;
            let mut pages: Vec<(String, String)> = Vec::new();
            let mut add = |name: &str, body: String| pages.push((name.to_string(), body));
            add("landing", child.get(&format!("/minsag/{token}")).await.body);
            add("no session", child.get("/minsag").await.body);
            add("link gone", child.get("/minsag/not-a-link").await.body);
            let code = ask_code(&app, &mut child, &token).await;
            add(
                "code sent",
                child.get(&format!("/minsag/{token}?sent=1")).await.body,
            );
            let wrong = if code == "000000" { "111111" } else { "000000" };
            add(
                "wrong code",
                child
                    .post(&format!("/minsag/{token}/verify"), &[("code", wrong)])
                    .await
                    .body,
            );
            let r = child
                .post(&format!("/minsag/{token}/verify"), &[("code", &code)])
                .await;
            assert_eq!(r.location(), "/minsag");
            add("home (open case)", child.get("/minsag").await.body);
            add("letters (none)", child.get("/minsag/breve").await.body);
            add("who has looked", child.get("/minsag/opslag").await.body);
            sqlx::query("UPDATE cases SET closed_on = '2026-03-06' WHERE id = $1")
                .bind(&s.case)
                .execute(&app.state.db.pool)
                .await
                .unwrap();
            let home = child.get("/minsag").await.body;
            assert!(home.contains("feedback-form"));
            add("home (closed, feedback)", home);
            sqlx::query("UPDATE cases SET closed_on = NULL WHERE id = $1")
                .bind(&s.case)
                .execute(&app.state.db.pool)
                .await
                .unwrap();
            // Messages the child gets.
            let l = bisidder::web::i18n::Lang::parse(lang).unwrap();
            add(
                "SMS: link",
                bisidder::web::i18n::t(l, "minsag.link_message").replace("{url}", ""),
            );
            add(
                "SMS: code",
                bisidder::web::i18n::t(l, "minsag.code_message").replace("{code}", "123456"),
            );
            for (name, body) in &pages {
                let text = if body.contains("<html") {
                    lix::page_text(body)
                } else {
                    body.clone()
                };
                let score = lix::lix(&text);
                eprintln!("LIX {lang} {name}: {score:.1}");
                assert!(
                    score <= 30.0,
                    "LIX {score:.1} > 30 on {name} ({lang}):\n{text}"
                );
                worst = worst.max(score);
            }
            // The kinds of meeting explained on the home page, each checked on its own too.
            for k in ["formoede", "moede", "eftermoede"] {
                let t = bisidder::web::i18n::t(l, &format!("minsag.what.{k}"));
                assert!(
                    lix::lix(t) <= 30.0,
                    "{lang} minsag.what.{k}: {}",
                    lix::lix(t)
                );
            }
        }
        eprintln!("LIX worst child-facing page: {worst:.1}");
    }
);

// SPEC §8: the person's data, their link and their code never reach the logs.
on_both!(
    the_persons_data_link_and_code_never_reach_the_logs,
    |app: TestApp| async move {
        let logs = global_logs();
        let start = logs.0.lock().unwrap().len();
        let mut s = assigned_case(&app).await;
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        let code = ask_code(&app, &mut child, &token).await;
        let r = child
            .post(&format!("/minsag/{token}/verify"), &[("code", &code)])
            .await;
        assert_eq!(r.location(), "/minsag");
        assert_eq!(child.get("/minsag").await.status, StatusCode::OK);
        let export = s
            .coordinator
            .get(&format!("/persons/{}/export.json", s.person))
            .await;
        assert!(export.body.contains(CHILD));
        let text = String::from_utf8_lossy(&logs.0.lock().unwrap()[start..]).into_owned();
        assert!(text.lines().count() > 20, "the logs were captured: {text}");
        let digits: String = PHONE.chars().filter(|c| c.is_ascii_digit()).collect();
        for secret in [CHILD, PHONE, digits.as_str(), token.as_str(), "Zorva-tider"] {
            assert!(!text.contains(secret), "the logs hold {secret}");
        }
        // The code as a number of its own (not inside a longer run of digits, such as a
        // duration that happens to contain the same six digits).
        let bytes = text.as_bytes();
        let standalone = text.match_indices(code.as_str()).any(|(i, _)| {
            let before = i.checked_sub(1).is_some_and(|j| bytes[j].is_ascii_digit());
            let after = bytes.get(i + 6).is_some_and(|b| b.is_ascii_digit());
            !before && !after
        });
        assert!(!standalone, "the logs hold the one-time code");
    }
);
