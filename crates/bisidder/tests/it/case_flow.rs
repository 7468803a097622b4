//! A case from assignment to closing (SPEC C5, C6) through the pages a bisidder and a
//! coordinator use: appointments held with hours and mileage, notes, a report of concern
//! with the acute path and its letter, the change of bisidder, and the deadlines and
//! reminders with worked-out dates.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::{cases::jobs, policy::Role};
use std::time::Duration;

/// A child's request for a meeting in Aarhus on 4 March 2026 at 10:00, consented and
/// assigned to `bisidder` by `coordinator`. Returns the case id.
async fn assigned_case(
    app: &TestApp,
    coordinator: &mut Client,
    bisidder: &str,
    name: &str,
) -> String {
    let mut child = app.client();
    let r = child_request(&mut child, name, "8000", "2026-03-04", "10:00").await;
    assert_eq!(r.status, StatusCode::OK);
    let request = app.newest_request().await;
    consent(coordinator, &request).await;
    let r = coordinator
        .post(
            &format!("/intake/{request}/assign"),
            &[("bisidder", bisidder)],
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/intake/{request}"),
        "{}",
        r.text("[role=alert]").unwrap_or_default()
    );
    sqlx::query_scalar("SELECT id FROM cases WHERE request_id = $1")
        .bind(&request)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

/// Moves the case's appointments `hours` into the past, as if the meeting day had come.
async fn meeting_was_held(app: &TestApp, case: &str) {
    let shift = 2 * 86_400_000_000i64 + 3_600_000_000;
    sqlx::query("UPDATE appointments SET starts_at = starts_at - $1, ends_at = ends_at - $1 WHERE case_id = $2")
        .bind(shift)
        .bind(case)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
}

on_both!(
    a_bisidder_works_a_case_and_files_a_report_of_concern,
    |app: TestApp| async move {
        let (b, b_email) = app.bisidder("Anne Aarhus", "Aarhus", "children").await;
        let mut coordinator = app.signed_in("Koordinator C", &[Role::Coordinator]).await;
        let case = assigned_case(&app, &mut coordinator, &b, "Emma").await;
        let mut anne = app.client();
        anne.login(&b_email, PASSWORD).await;
        let list = anne.get("/cases").await;
        assert!(list.text("[data-testid=cases]").unwrap().contains("Emma"));

        // Not yet held: the meeting lies ahead.
        let page = anne.get(&format!("/cases/{case}")).await;
        assert!(page.body.contains("data-testid=\"appt-moede\""));
        let moede: String =
            sqlx::query_scalar("SELECT id FROM appointments WHERE case_id = $1 AND kind = 'moede'")
                .bind(&case)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        let early = anne
            .post(
                &format!("/appointments/{moede}/outcome"),
                &[("outcome", "held"), ("hours", "2"), ("km", "3")],
            )
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT);

        meeting_was_held(&app, &case).await;
        let bad = anne
            .post(
                &format!("/appointments/{moede}/outcome"),
                &[("outcome", "held"), ("hours", "mange"), ("km", "3")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.text("[role=alert]").unwrap().contains("antal timer"),
            "the case page again, with the problem"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM appointments WHERE id = '{moede}' AND status = 'planned'"
            ))
            .await,
            1,
            "nothing stored"
        );
        let held = anne
            .post(
                &format!("/appointments/{moede}/outcome"),
                &[("outcome", "held"), ("hours", "2,5"), ("km", "14")],
            )
            .await;
        assert_eq!(held.location(), format!("/cases/{case}#appointments"));
        let (minutes, km): (i64, i64) =
            sqlx::query_as("SELECT worked_minutes, mileage_km FROM appointments WHERE id = $1")
                .bind(&moede)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!((minutes, km), (150, 14));
        let again = anne
            .post(
                &format!("/appointments/{moede}/outcome"),
                &[("outcome", "cancelled")],
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::CONFLICT,
            "an outcome is recorded once"
        );

        let note = "Emma var nervøs før mødet";
        anne.post(&format!("/cases/{case}/notes"), &[("body", note)])
            .await;
        let page = anne.get(&format!("/cases/{case}")).await;
        assert_eq!(
            page.text("[data-testid=appt-moede] [data-testid=appt-hours]")
                .unwrap(),
            "2,5 timer, 14 km"
        );
        let timeline = page.text("[data-testid=timeline]").unwrap();
        for expected in [
            "Henvendelse modtaget",
            "Bisidder tildelt",
            "Aftale afholdt: Møde",
            note,
        ] {
            assert!(timeline.contains(expected), "{expected} in {timeline}");
        }
        let stored: String =
            sqlx::query_scalar("SELECT body_enc FROM case_notes WHERE case_id = $1")
                .bind(&case)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert!(
            stored.starts_with("enc1:") && !stored.contains("nervøs"),
            "notes are encrypted at rest"
        );
        // The coordinator does not see a private note.
        let cpage = coordinator.get(&format!("/cases/{case}")).await;
        assert!(!cpage.body.contains(note));

        // A report of concern: a wrong CPR is refused, not echoed, nothing stored.
        let form = anne.get(&format!("/cases/{case}/reports/new")).await;
        assert_eq!(form.attr("#child_name", "value").as_deref(), Some("Emma"));
        assert_eq!(
            form.attr("#kommune option[selected]", "value").as_deref(),
            Some("0751")
        );
        let fields = [
            ("child_name", "Emma Jensen"),
            ("child_birth_date", "2012-03-01"),
            ("kommune", "0751"),
            ("category", "konflikt_i_hjemmet"),
            ("category", "psykisk_vold"),
            ("description", "Emma fortalte om råb derhjemme"),
            ("acute", "1"),
        ];
        let mut wrong = fields.to_vec();
        wrong.push(("cpr", "010312-4000"));
        wrong.retain(|(k, _)| *k != "child_birth_date");
        wrong.push(("child_birth_date", "2012-03-02"));
        let r = anne.post(&format!("/cases/{case}/reports"), &wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .text("[role=alert]")
            .unwrap()
            .contains("passer ikke med fødselsdatoen"));
        assert!(!r.body.contains("0103124000") && !r.body.contains("010312-4000"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM reports_of_concern").await,
            0
        );
        let mut right = fields.to_vec();
        right.push(("cpr", "010312-4001"));
        let r = anne.post(&format!("/cases/{case}/reports"), &right).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let report = anne.get(r.location()).await;
        let acute = report
            .text("[data-testid=acute-help]")
            .expect("acute help shown at once");
        assert!(acute.contains("112") && acute.contains("Aarhus"), "{acute}");
        assert_eq!(
            report.text("[data-testid=report-description]").unwrap(),
            "Emma fortalte om råb derhjemme"
        );
        let cats: Vec<String> =
            sqlx::query_scalar("SELECT category FROM report_categories ORDER BY category")
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(cats, ["konflikt_i_hjemmet", "psykisk_vold"]);
        let report_id = r.location().trim_start_matches("/reports/").to_string();
        let r = anne
            .post(
                &format!("/reports/{report_id}"),
                &[
                    ("step", "sent"),
                    ("sent_on", "2026-03-02"),
                    ("sent_how", "secure_mail"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Sent Monday 2 March 2026: six working days → Tuesday 10 March.
        let report = anne.get(&format!("/reports/{report_id}")).await;
        assert_eq!(report.text("[data-testid=ack-due]").unwrap(), "2026-03-10");
        let letter = anne.get(&format!("/reports/{report_id}/letter")).await;
        assert_eq!(letter.status, StatusCode::OK);
        assert!(
            letter.body.contains("Emma fortalte om råb derhjemme")
                && letter.body.contains("0103124001")
        );
        assert!(letter.body.contains("Børns Vilkår") && letter.body.contains("Aarhus"));
        let title = letter.text("title").unwrap();
        assert!(!title.contains("Emma"), "no names in page titles: {title}");

        // Closing cancels what is still planned and shows the reason.
        let r = anne
            .post(&format!("/cases/{case}/close"), &[("reason", "completed")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = anne.get(&format!("/cases/{case}")).await;
        assert!(page
            .text("[data-testid=case-status]")
            .unwrap()
            .starts_with("Lukket"));
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM appointments WHERE case_id = '{case}' AND status = 'planned'"
            ))
            .await,
            0
        );
    }
);

on_both!(
    a_change_of_bisidder_hides_private_notes_and_moves_or_cancels_appointments,
    |app: TestApp| async move {
        let (a, a_email) = app.bisidder("Anne Aarhus", "Aarhus", "children").await;
        let (b, b_email) = app.bisidder("Bent Aarhus", "Aarhus", "children").await;
        let mut coordinator = app.signed_in("Koordinator D", &[Role::Coordinator]).await;
        let case = assigned_case(&app, &mut coordinator, &a, "Freja").await;
        let mut anne = app.client();
        anne.login(&a_email, PASSWORD).await;
        anne.post(&format!("/cases/{case}/notes"), &[("body", "Kun til Anne")])
            .await;
        anne.post(
            &format!("/cases/{case}/notes"),
            &[("body", "Til koordinatoren"), ("shared", "1")],
        )
        .await;
        // Bent is already booked for the møde's hour elsewhere: that one cannot move.
        let other = crate::cases::seed_case(&app, &app.org_id, &b, "Ida").await;
        let moede: (i64, i64) = sqlx::query_as(
            "SELECT starts_at, ends_at FROM appointments WHERE case_id = $1 AND kind = 'moede'",
        )
        .bind(&case)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        // Same place as the møde, so only the overlap counts (no journey between).
        sqlx::query("UPDATE appointments SET starts_at = $1, ends_at = $2, lat = (SELECT lat FROM appointments WHERE case_id = $4 AND kind = 'moede'), \
             lon = (SELECT lon FROM appointments WHERE case_id = $4 AND kind = 'moede'), landmass = (SELECT landmass FROM appointments WHERE case_id = $4 AND kind = 'moede') WHERE id = $3")
            .bind(moede.0).bind(moede.1).bind(&other.appt).bind(&case)
            .execute(&app.state.db.pool).await.unwrap();

        let r = coordinator
            .post(
                &format!("/cases/{case}/handover"),
                &[("to", &b), ("reason", "bisidder_unavailable")],
            )
            .await;
        assert_eq!(
            r.location(),
            format!("/cases/{case}#appointments"),
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT kind, bisidder_user_id, status FROM appointments WHERE case_id = $1 ORDER BY starts_at")
            .bind(&case).fetch_all(&app.state.db.pool).await.unwrap();
        assert_eq!(
            rows[0],
            ("formoede".into(), Some(b.clone()), "planned".into())
        );
        assert_eq!(rows[1].0, "moede");
        assert_eq!(
            rows[1].2, "cancelled",
            "the clashing møde is cancelled, not double-booked"
        );
        assert_eq!(
            rows[2],
            ("eftermoede".into(), Some(b.clone()), "planned".into())
        );

        let mut bent = app.client();
        bent.login(&b_email, PASSWORD).await;
        let page = bent.get(&format!("/cases/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("Kun til Anne") && !page.body.contains("Til koordinatoren"),
            "the new bisidder reads none of the previous one's notes"
        );
        assert!(page
            .text("[data-testid=timeline]")
            .unwrap()
            .contains("Skift af bisidder: Bisidderen kan ikke længere"));
        let api_notes = {
            let (_, token) = bisidder::auth::admin::create_token(
                &app.state.db,
                app.state.clock.now_us(),
                &b_email,
                "bv",
                "t",
            )
            .await
            .unwrap();
            bent.send(
                axum::http::Request::get(format!("/api/v1/cases/{case}/notes"))
                    .header("authorization", format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
        };
        assert_eq!(api_notes.json(), serde_json::json!([]));
        let cpage = coordinator.get(&format!("/cases/{case}")).await;
        assert!(cpage.body.contains("Til koordinatoren") && !cpage.body.contains("Kun til Anne"));
        // The previous bisidder no longer has the case: not found, and audited.
        let denied_before = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE actor_user_id = '{a}' AND outcome = 'denied'"
            ))
            .await;
        assert_eq!(
            anne.get(&format!("/cases/{case}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE actor_user_id = '{a}' AND outcome = 'denied'"
            ))
            .await,
            denied_before + 1
        );

        // The child is told by text message (her safe channel), with the reason, in words
        // that do not say what the service is about.
        let sms: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM outbox WHERE channel = 'sms' AND body LIKE '%Bent%'",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(sms.len(), 1, "{sms:?}");
        assert!(sms[0].contains("kan ikke længere"), "{}", sms[0]);
        for word in ["bisidder", "Bisidder", "Anne", "kommune", "underretning"] {
            assert!(!sms[0].contains(word), "{word} in {}", sms[0]);
        }
    }
);

on_both!(
    complaint_deadlines_and_missing_acknowledgements_are_reminded_once,
    |app: TestApp| async move {
        let (b, b_email) = app.bisidder("Anne Aarhus", "Aarhus", "children").await;
        let mut coordinator = app.signed_in("Koordinator E", &[Role::Coordinator]).await;
        let case = assigned_case(&app, &mut coordinator, &b, "Gry").await;
        let mut anne = app.client();
        anne.login(&b_email, PASSWORD).await;
        // Received Friday 20 February 2026 → four weeks → Friday 20 March: no reminder yet
        // on 2 March. Received 9 February → Monday 9 March: within the week before.
        for received in ["2026-02-20", "2026-02-09"] {
            let r = anne
                .post(
                    &format!("/cases/{case}/decisions"),
                    &[
                        ("authority", "kommune"),
                        ("kind", "social_service"),
                        ("received_on", received),
                    ],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "{}",
                r.text("[role=alert]").unwrap_or_default()
            );
        }
        let r = anne
            .post(
                &format!("/cases/{case}/decisions"),
                &[
                    ("authority", "kommune"),
                    ("kind", "social_service"),
                    ("received_on", "2026-03-03"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a decision cannot be received tomorrow"
        );
        let page = anne.get(&format!("/cases/{case}")).await;
        let deadlines: Vec<String> = page
            .doc()
            .select(&scraper::Selector::parse("[data-testid=complaint-deadline]").unwrap())
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(deadlines, ["2026-03-09", "2026-03-20"]);

        // A report sent Friday 20 February: 23–27 February and 2 March are the six working
        // days, so on 2 March it is not yet late.
        let r = anne
            .post(
                &format!("/cases/{case}/reports"),
                &[
                    ("child_name", "Gry"),
                    ("child_birth_date", "2013-05-05"),
                    ("kommune", "0751"),
                    ("category", "mistrivsel"),
                    ("description", "Bekymring"),
                ],
            )
            .await;
        let report = r.location().trim_start_matches("/reports/").to_string();
        anne.post(
            &format!("/reports/{report}"),
            &[
                ("step", "sent"),
                ("sent_on", "2026-02-20"),
                ("sent_how", "digital_post"),
            ],
        )
        .await;
        let due: String =
            sqlx::query_scalar("SELECT ack_due_on FROM reports_of_concern WHERE id = $1")
                .bind(&report)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(due, "2026-03-02");

        let before: i64 = app
            .count(&format!(
                "SELECT COUNT(*) FROM outbox WHERE recipient = '{b_email}'"
            ))
            .await;
        let t = jobs::tick(&app.state).await.unwrap();
        assert_eq!((t.complaint_reminders, t.ack_reminders), (1, 0));
        let mails: Vec<(String, String)> = sqlx::query_as("SELECT subject, body FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1")
            .bind(&b_email).fetch_all(&app.state.db.pool).await.unwrap();
        assert!(
            mails[0].0.contains("klagefrist") && !mails[0].1.contains("Gry"),
            "{mails:?}"
        );
        assert_eq!(
            jobs::tick(&app.state).await.unwrap(),
            jobs::Tick::default(),
            "no second reminder"
        );

        // Next day, 3 March: the acknowledgement is late.
        app.state.clock.advance(Duration::from_secs(24 * 3600));
        let t = jobs::tick(&app.state).await.unwrap();
        assert_eq!((t.complaint_reminders, t.ack_reminders), (0, 1));
        assert_eq!(jobs::tick(&app.state).await.unwrap(), jobs::Tick::default());
        let after: i64 = app
            .count(&format!(
                "SELECT COUNT(*) FROM outbox WHERE recipient = '{b_email}'"
            ))
            .await;
        assert_eq!(after, before + 2);
        // Once acknowledged, the report page no longer warns.
        let mut anne = app.client();
        anne.login(&b_email, PASSWORD).await;
        let page = anne.get(&format!("/reports/{report}")).await;
        assert!(page.text("[data-testid=ack-overdue]").is_some());
        anne.post(
            &format!("/reports/{report}"),
            &[("step", "ack"), ("acknowledged_on", "2026-03-03")],
        )
        .await;
        let page = anne.get(&format!("/reports/{report}")).await;
        assert!(page.text("[data-testid=ack-overdue]").is_none());
    }
);

on_both!(
    a_senior_consultant_handles_network_inquiries_without_seeing_the_bisidders_work,
    |app: TestApp| async move {
        let (b, b_email) = app.bisidder("Anne Aarhus", "Aarhus", "children").await;
        let mut coordinator = app.signed_in("Koordinator F", &[Role::Coordinator]).await;
        let case = assigned_case(&app, &mut coordinator, &b, "Hanna").await;
        let mut anne = app.client();
        anne.login(&b_email, PASSWORD).await;
        anne.post(
            &format!("/cases/{case}/notes"),
            &[("body", "Hanna er bange for far"), ("shared", "1")],
        )
        .await;
        let r = anne
            .post(
                &format!("/cases/{case}/exclusions"),
                &[
                    ("occurred_on", "2026-03-02"),
                    ("reason", "Samtale om faderens forhold"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let stored: String = sqlx::query_scalar("SELECT reason_enc FROM case_exclusions")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert!(stored.starts_with("enc1:") && !stored.contains("faderens"));
        assert!(anne
            .get(&format!("/cases/{case}"))
            .await
            .text("[data-testid=exclusions]")
            .unwrap()
            .contains("Samtale om faderens forhold"));

        let mut senior = app
            .signed_in("Senior Konsulent", &[Role::SeniorConsultant])
            .await;
        assert!(senior
            .get("/cases")
            .await
            .text("[data-testid=cases]")
            .unwrap()
            .contains("Hanna"));
        let r = senior
            .post(
                &format!("/cases/{case}/inquiries"),
                &[
                    ("from_role", "school"),
                    ("from_name", "Lærer Jens"),
                    ("channel", "phone"),
                    ("question", "Hvornår er mødet på skolen?"),
                ],
            )
            .await;
        assert_eq!(r.location(), format!("/cases/{case}#inquiries"));
        let page = senior.get(&format!("/cases/{case}")).await;
        let inquiries = page.text("[data-testid=inquiries]").unwrap();
        assert!(
            inquiries.contains("Skole") && inquiries.contains("Hvornår er mødet på skolen?"),
            "{inquiries}"
        );
        let inquiry: String = sqlx::query_scalar("SELECT id FROM network_inquiries")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let r = senior
            .post(
                &format!("/inquiries/{inquiry}/answer"),
                &[("answer", "Mødet er onsdag kl. 10")],
            )
            .await;
        assert_eq!(r.location(), format!("/cases/{case}#inquiries"));
        let page = senior.get(&format!("/cases/{case}")).await;
        assert!(page
            .text("[data-testid=inquiries]")
            .unwrap()
            .contains("Mødet er onsdag kl. 10"));
        // Logistics: when and where, the bisidder's first name; nothing of the work itself.
        assert!(page.text("[data-testid=case-bisidder]").unwrap() == "Anne");
        assert!(page
            .text("[data-testid=case-appointments]")
            .unwrap()
            .contains("2026-03-04 10:00"));
        for hidden in ["bange for far", "faderens", "Udelukkelse"] {
            assert!(
                !page.body.contains(hidden),
                "{hidden} shown to the senior consultant"
            );
        }
        for section in ["#notes", "#reports", "#decisions", "#exclusions"] {
            assert!(
                page.text(section).is_none(),
                "{section} shown to the senior consultant"
            );
        }
        assert!(page
            .text("[data-testid=timeline]")
            .unwrap()
            .contains("Netværkshenvendelse besvaret"));
        // The bisidder sees that an inquiry came, not what it said; the coordinator reads it.
        let page = anne.get(&format!("/cases/{case}")).await;
        assert!(page
            .text("[data-testid=timeline]")
            .unwrap()
            .contains("Netværkshenvendelse"));
        assert!(!page.body.contains("Hvornår er mødet på skolen?"));
        let page = coordinator.get(&format!("/cases/{case}")).await;
        assert!(page.body.contains("Hvornår er mødet på skolen?"));
    }
);
