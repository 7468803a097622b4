//! Privacy and the data lifecycle (SPEC C11): retention removes every trace of a person
//! while statistics stay the same, restoring an older backup re-applies the removal, a
//! person's complete data export, and break-glass access.

use crate::{
    helpers::*,
    minsag::{assigned_case, open_min_sag, send_link, Setup, CHILD},
    on_both,
};
use axum::http::StatusCode;
use bisidder::{policy::Role, privacy::retention, store::backup};
use std::time::Duration;

const NOTE: &str = "Notekanarie-4471";
const REPORT: &str = "Rapportkanarie-9032";
const LETTER: &str = "Brevkanarie-5518";
const CPR: &str = "0101121234";
const EMAIL: &str = "zorvakinda@kanarie.dk";
const LAST: &str = "Kanariesen";
const REASON: &str = "Bisidderen er syg, og barnet har ringet om mødet i morgen";

/// Canary data in every personal field of the person's case: names, contact, CPR, a
/// private note, a report of concern, a letter, request free text, safe times.
async fn with_canaries(app: &TestApp, s: &mut Setup) {
    let pool = &app.state.db.pool;
    let c = &app.state.crypto;
    sqlx::query("UPDATE persons SET last_name = $1, email = $2, cpr_enc = $3, birth_date = '2014-05-20' WHERE id = $4")
        .bind(LAST)
        .bind(EMAIL)
        .bind(c.encrypt("persons", "cpr_enc", &s.person, CPR))
        .bind(&s.person)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE requests SET purpose = 'Formaalkanarie', consent_note = 'Samtykkekanarie', contact_name = 'Kontaktkanarie' WHERE id = $1")
        .bind(&s.request)
        .execute(pool)
        .await
        .unwrap();
    let bisidder: String = sqlx::query_scalar("SELECT bisidder_user_id FROM cases WHERE id = $1")
        .bind(&s.case)
        .fetch_one(pool)
        .await
        .unwrap();
    let note = ulid::Ulid::new().to_string();
    sqlx::query("INSERT INTO case_notes (id, org_id, case_id, author_user_id, shared_with_coordinator, body_enc, created_at) VALUES ($1, $2, $3, $4, 0, $5, 0)")
        .bind(&note)
        .bind(&app.org_id)
        .bind(&s.case)
        .bind(&bisidder)
        .bind(c.encrypt("case_notes", "body_enc", &note, NOTE))
        .execute(pool)
        .await
        .unwrap();
    let report = ulid::Ulid::new().to_string();
    sqlx::query("INSERT INTO reports_of_concern (id, org_id, case_id, kommune_code, sent_on, acute, description_enc, created_by_user_id, created_at) VALUES ($1, $2, $3, '0751', '2026-03-03', 0, $4, $5, 0)")
        .bind(&report)
        .bind(&app.org_id)
        .bind(&s.case)
        .bind(c.encrypt("reports_of_concern", "description_enc", &report, REPORT))
        .bind(&bisidder)
        .execute(pool)
        .await
        .unwrap();
    // Case work (issue 4 part A): the child named in the report, an exclusion's reason,
    // a network inquiry from a named parent.
    sqlx::query("UPDATE reports_of_concern SET child_name = $1, child_birth_date = '2012-01-01', cpr_enc = $2, followup_enc = $3 WHERE id = $4")
        .bind(format!("{CHILD} {LAST}"))
        .bind(c.encrypt("reports_of_concern", "cpr_enc", &report, CPR))
        .bind(c.encrypt("reports_of_concern", "followup_enc", &report, "Opfolgningskanarie"))
        .bind(&report)
        .execute(pool)
        .await
        .unwrap();
    let exclusion = ulid::Ulid::new().to_string();
    sqlx::query("INSERT INTO case_exclusions (id, org_id, case_id, occurred_on, reason_enc, created_at) VALUES ($1, $2, $3, '2026-03-03', $4, 0)")
        .bind(&exclusion)
        .bind(&app.org_id)
        .bind(&s.case)
        .bind(c.encrypt("case_exclusions", "reason_enc", &exclusion, "Udelukkelseskanarie"))
        .execute(pool)
        .await
        .unwrap();
    let inquiry = ulid::Ulid::new().to_string();
    sqlx::query("INSERT INTO network_inquiries (id, org_id, case_id, from_role, from_name, channel, question_enc, created_at) VALUES ($1, $2, $3, 'parent', $4, 'phone', $5, 0)")
        .bind(&inquiry)
        .bind(&app.org_id)
        .bind(&s.case)
        .bind(format!("Forælder {LAST}"))
        .bind(c.encrypt("network_inquiries", "question_enc", &inquiry, "Henvendelseskanarie"))
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO report_categories (report_id, category) VALUES ($1, 'neglect')")
        .bind(&report)
        .execute(pool)
        .await
        .unwrap();
    // The letter through the bisidder's own page, after the eftermøde.
    app.state.clock.advance(Duration::from_secs(3 * 24 * 3600));
    s.sign_in_again().await;
    let r = s
        .bisidder
        .post(&format!("/me/cases/{}/brev", s.case), &[("letter", LETTER)])
        .await;
    assert_eq!(r.location(), format!("/me/cases/{}/brev", s.case));
}

fn canaries(phone: &str) -> Vec<String> {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    [
        CHILD,
        LAST,
        EMAIL,
        CPR,
        NOTE,
        REPORT,
        LETTER,
        "Formaalkanarie",
        "Samtykkekanarie",
        "Kontaktkanarie",
        "Zorva-tider",
        "Opfolgningskanarie",
        "Udelukkelseskanarie",
        "Henvendelseskanarie",
        phone,
    ]
    .iter()
    .map(|s| s.to_lowercase())
    .chain(std::iter::once(digits))
    .collect()
}

/// Every text column of every backed-up table, with `_enc` values decrypted where they
/// still decrypt: (table.column, value) pairs that hold a canary.
async fn traces(
    db: &bisidder::store::Db,
    crypto: &bisidder::crypto::FieldCrypto,
    canaries: &[String],
) -> Vec<String> {
    use sqlx::{Column, Row};
    let mut found = Vec::new();
    for table in backup::TABLES {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&db.pool)
            .await
            .unwrap();
        for r in &rows {
            let id: Option<String> = r.try_get("id").ok();
            for (i, c) in r.columns().iter().enumerate() {
                let Ok(Some(v)) = r.try_get::<Option<String>, _>(i) else {
                    continue;
                };
                let mut text = v.clone();
                if c.name().ends_with("_enc") {
                    let row_id = id
                        .clone()
                        .or_else(|| r.try_get::<String, _>("user_id").ok())
                        .unwrap_or_default();
                    if let Ok(plain) = crypto.decrypt(table, c.name(), &row_id, &v) {
                        text = plain;
                    }
                }
                let lower = text.to_lowercase();
                for k in canaries {
                    if lower.contains(k.as_str()) {
                        found.push(format!("{table}.{} holds {k}", c.name()));
                    }
                }
            }
        }
    }
    found
}

async fn annual(app: &TestApp) -> String {
    let a = bisidder::stats::service::compute(&app.state, &app.org_id, "bv", 2026)
        .await
        .unwrap();
    format!("{a:?}")
}

on_both!(
    retention_removes_every_trace_keeps_statistics_and_a_restore_reapplies_it,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        with_canaries(&app, &mut s).await;
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;
        let phone: String = sqlx::query_scalar("SELECT phone FROM persons WHERE id = $1")
            .bind(&s.person)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let canaries = canaries(&phone);
        let before = traces(&app.state.db, &app.state.crypto, &canaries).await;
        for must in [
            "persons.first_name",
            "case_notes.body_enc",
            "reports_of_concern.description_enc",
            "letters.body_enc",
            "persons.cpr_enc",
            "outbox.recipient",
        ] {
            assert!(
                before.iter().any(|t| t.starts_with(must)),
                "the canary is not in {must}: {before:?}"
            );
        }
        sqlx::query("UPDATE cases SET closed_on = '2026-03-05' WHERE id = $1")
            .bind(&s.case)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let stats_before = annual(&app).await;
        let old_backup = app.dir.path().join("before-purge.jsonl");
        backup::backup(&app.state.db, &old_backup, app.state.clock.now_us())
            .await
            .unwrap();

        // Not yet: 24 months (the default) have not passed.
        app.state
            .clock
            .advance(Duration::from_secs(700 * 24 * 3600));
        assert_eq!(retention::tick(&app.state).await.unwrap(), 0);
        app.state.clock.advance(Duration::from_secs(40 * 24 * 3600));
        assert_eq!(retention::tick(&app.state).await.unwrap(), 1);
        assert_eq!(retention::tick(&app.state).await.unwrap(), 0, "once");
        let after = traces(&app.state.db, &app.state.crypto, &canaries).await;
        assert!(
            after.is_empty(),
            "personal data left after the purge: {after:?}"
        );
        assert_eq!(
            annual(&app).await,
            stats_before,
            "statistics survive the anonymisation"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM minsag_links").await, 0);
        assert_eq!(child.get("/minsag").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'data.purged' AND actor_label = 'system'").await,
            1
        );

        // Restoring the older backup brings the data back only until the ledger is applied.
        let ledger = app.state.config.data_dir.join(retention::LEDGER_FILE);
        let plain_dir = tempfile::tempdir().unwrap();
        let plain =
            bisidder::store::Db::connect(&database_url(app.backend, plain_dir.path()).await)
                .await
                .unwrap();
        plain.migrate().await.unwrap();
        backup::restore(&plain, &old_backup).await.unwrap();
        assert!(
            !traces(&plain, &app.state.crypto, &canaries)
                .await
                .is_empty(),
            "control: the old backup holds the data"
        );

        let dir = tempfile::tempdir().unwrap();
        let db = bisidder::store::Db::connect(&database_url(app.backend, dir.path()).await)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        backup::restore_with_ledger(&db, &old_backup, Some(&ledger), app.state.clock.now_us())
            .await
            .unwrap();
        let restored = traces(&db, &app.state.crypto, &canaries).await;
        assert!(
            restored.is_empty(),
            "the restore brought back: {restored:?}"
        );
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(matches!(
            bisidder::audit::verify(&mut conn).await.unwrap(),
            bisidder::audit::Verdict::Intact { .. }
        ));
        let reapplied: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'data.purge_reapplied'",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(reapplied, 1);
    }
);

on_both!(
    an_org_admin_sets_retention_and_delete_mode_removes_the_case,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        with_canaries(&app, &mut s).await;
        let mut admin = app.signed_in("Agnete Admin", &[Role::OrgAdmin]).await;
        let page = admin.get("/org/retention").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.attr("#months", "value").unwrap(), "24");
        let bad = admin
            .post("/org/retention", &[("months", "0"), ("mode", "delete")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad = admin
            .post("/org/retention", &[("months", "6"), ("mode", "shred")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin
            .post("/org/retention", &[("months", "6"), ("mode", "delete")])
            .await;
        assert_eq!(r.location(), "/org/retention?saved=1");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.changed'")
                .await,
            1
        );
        assert_eq!(
            s.coordinator.get("/org/retention").await.status,
            StatusCode::FORBIDDEN
        );

        sqlx::query("UPDATE cases SET closed_on = '2026-03-05' WHERE id = $1")
            .bind(&s.case)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        app.state
            .clock
            .advance(Duration::from_secs(200 * 24 * 3600));
        assert_eq!(retention::tick(&app.state).await.unwrap(), 1);
        for (table, col, id) in [
            ("cases", "id", &s.case),
            ("persons", "id", &s.person),
            ("requests", "id", &s.request),
        ] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE {col} = '{id}'"
                ))
                .await,
                0,
                "{table}"
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM reports_of_concern").await,
            0
        );
        let phone = crate::minsag::PHONE;
        let left = traces(&app.state.db, &app.state.crypto, &canaries(phone)).await;
        assert!(left.is_empty(), "{left:?}");
    }
);

on_both!(
    a_persons_data_export_holds_everything_and_is_audited,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        with_canaries(&app, &mut s).await;
        let path = format!("/persons/{}/export.json", s.person);
        let r = s.coordinator.get(&path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment"));
        let body = r.body.to_lowercase();
        let phone: String = sqlx::query_scalar("SELECT phone FROM persons WHERE id = $1")
            .bind(&s.person)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        // (The digits-only form of the phone number is for scans, not a stored value.)
        for k in canaries(&phone)
            .into_iter()
            .filter(|k| !k.chars().all(|c| c.is_ascii_digit()))
        {
            assert!(body.contains(&k), "the export lacks {k}");
        }
        let json = r.json();
        assert_eq!(
            json["persons"][0]["cpr"], CPR,
            "decrypted, under its plain name"
        );
        assert!(json["letters"][0]["body"]
            .as_str()
            .unwrap()
            .contains(LETTER));
        assert!(json["minsag_links"].as_array().is_some());
        assert!(
            !r.body.contains("token_hash"),
            "system secrets are left out"
        );
        let page = s
            .coordinator
            .get(&format!("/persons/{}/export", s.person))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(NOTE));
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'person.exported' AND subject_person_id = '{}' AND outcome = 'ok'", s.person)).await,
            2
        );
        // Not for bisiddere; another organisation's coordinator gets 404, audited.
        assert_eq!(s.bisidder.get(&path).await.status, StatusCode::FORBIDDEN);
        let far = app
            .user_in(
                "Fjern Koordinator",
                &[Role::Coordinator],
                &app.other_org_id.clone(),
            )
            .await;
        let mut far_c = app.client();
        far_c.login(&far, PASSWORD).await;
        assert_eq!(far_c.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'person.exported' AND outcome = 'denied'").await,
            1
        );
        // The same through the API with a coordinator's token.
        let email = app.user("Api Koordinator", &[Role::Coordinator]).await;
        let (_, token) = bisidder::auth::admin::create_token(
            &app.state.db,
            app.state.clock.now_us(),
            &email,
            "bv",
            "export",
        )
        .await
        .unwrap();
        let mut api = app.client();
        let req = axum::http::Request::get(format!("/api/v1/persons/{}/export", s.person))
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let r = api.send(req).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(REPORT));
        // Nothing personal in the audit rows the exports wrote.
        let audit = traces(&app.state.db, &app.state.crypto, &canaries(&phone)).await;
        assert!(
            audit.iter().all(|t| !t.starts_with("audit_log")),
            "{audit:?}"
        );
    }
);

on_both!(
    break_glass_needs_a_reason_is_flagged_and_the_person_sees_it,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        with_canaries(&app, &mut s).await;
        let path = format!("/privacy/cases/{}/break-glass", s.case);
        assert_eq!(s.coordinator.get(&path).await.status, StatusCode::OK);
        let short = s.coordinator.post(&path, &[("reason", "fordi")]).await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("SELECT COUNT(*) FROM break_glass").await, 0);
        let r = s.coordinator.post(&path, &[("reason", REASON)]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(NOTE), "the private note is shown");
        assert_eq!(s.bisidder.get(&path).await.status, StatusCode::FORBIDDEN);
        // The reason is kept encrypted, never in the audit log.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM break_glass WHERE reason_enc LIKE 'enc1:%'")
                .await,
            1
        );
        let in_audit = traces(
            &app.state.db,
            &app.state.crypto,
            &["syg, og barnet".to_string()],
        )
        .await;
        assert_eq!(
            in_audit,
            vec!["break_glass.reason_enc holds syg, og barnet".to_string()]
        );
        // Flagged on the organisation's audit page.
        let mut admin = app.signed_in("Agnete Admin", &[Role::OrgAdmin]).await;
        let audit = admin.get("/org/audit").await;
        assert!(audit.text("[data-testid=break-glass-flag]").is_some());
        let log = admin.get("/org/break-glass").await;
        let rows = log.text("[data-testid=break-glass-rows]").unwrap();
        assert!(
            rows.contains("syg, og barnet") && rows.contains("Kirsten Koordinator"),
            "{rows}"
        );
        assert_eq!(
            s.coordinator.get("/org/break-glass").await.status,
            StatusCode::FORBIDDEN
        );
        // And the person sees it in "who has looked".
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;
        let looked = child.get("/minsag/opslag").await;
        assert!(looked
            .text(".lookup-exceptional")
            .unwrap()
            .contains("god grund"));
        // Another organisation's coordinator: 404, audited.
        let far = app
            .user_in(
                "Fjern Koordinator",
                &[Role::Coordinator],
                &app.other_org_id.clone(),
            )
            .await;
        let mut far_c = app.client();
        far_c.login(&far, PASSWORD).await;
        assert_eq!(
            far_c.post(&path, &[("reason", REASON)]).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.break_glass' AND outcome = 'denied'").await,
            1
        );
    }
);

on_both!(
    links_and_codes_are_the_only_things_in_the_persons_messages,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        with_canaries(&app, &mut s).await;
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;
        let bodies: Vec<(String, String)> = sqlx::query_as("SELECT subject, body FROM outbox")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
        for (subject, body) in &bodies {
            let text = format!("{subject} {body}").to_lowercase();
            for k in [CHILD, LAST, NOTE, REPORT, LETTER, CPR] {
                assert!(
                    !text.contains(&k.to_lowercase()),
                    "a message holds {k}: {text}"
                );
            }
        }
        // Another coordinator's organisation cannot send this person a link.
        let far = app
            .user_in(
                "Fjern Koordinator",
                &[Role::Coordinator],
                &app.other_org_id.clone(),
            )
            .await;
        let mut far_c = app.client();
        far_c.login(&far, PASSWORD).await;
        let r = far_c
            .post(&format!("/intake/{}/minsag", s.request), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'minsag.link_sent' AND outcome = 'denied'").await,
            1
        );
    }
);
