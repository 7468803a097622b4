//! Security bars of SPEC §8 as adversarial tests (issue 8): the canary scan, a randomised
//! audit sequence (exactly one row per read or change, written in the same transaction,
//! tampering detected at the row), and the authentication points not covered in auth.rs
//! (hash parameters read from the database, breached passwords, a 64-character password
//! used to sign in, headers on every authenticated page, no state-changing GET).
//!
//! Each test prints a `SECURITY:` line with its figures. `BISIDDER_SECURITY_LONG=1` runs
//! ten times as many audit steps; `BISIDDER_SECURITY_SEED=<n>` replays a sequence.

use crate::{
    helpers::*,
    minsag::{assigned_case, open_min_sag, send_link, Setup, CHILD, PHONE},
    on_both,
    routes::concrete,
    snapshot::{diff, snapshot},
};
use axum::http::StatusCode;
use bisidder::{
    audit::Verdict,
    policy::{role_can, Role},
    routes::{Access, ROUTES},
    store::Backend as DbBackend,
};

const NOTE: &str = "Notekanarie7Q3";
const SHARED: &str = "Delekanarie5X1";
const REPORT: &str = "Rapportkanarie2W8";
const EXCLUSION: &str = "Udelukkanarie4K6";
const MOTIVATION: &str = "Motivkanarie8P2";
const CPR: &str = "010312-4001";
const CPR_DIGITS: &str = "0103124001";

/// Canaries in encrypted fields: they must never be readable at rest.
const ENCRYPTED: &[&str] = &[NOTE, SHARED, REPORT, EXCLUSION, MOTIVATION, CPR, CPR_DIGITS];

/// Puts the canaries in through the real forms: a private note, a note shared with the
/// coordinator, a report of concern with CPR, an exclusion's reason.
async fn with_canaries(s: &mut Setup) -> String {
    let case = s.case.clone();
    for (body, shared) in [(NOTE, false), (SHARED, true)] {
        let mut f = vec![("body", body)];
        if shared {
            f.push(("shared", "1"));
        }
        let r = s.bisidder.post(&format!("/cases/{case}/notes"), &f).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "note: {}", r.body);
    }
    let r = s
        .bisidder
        .post(
            &format!("/cases/{case}/reports"),
            &[
                ("child_name", &format!("{CHILD} Jensen")),
                ("child_birth_date", "2012-03-01"),
                ("cpr", CPR),
                ("kommune", "0751"),
                ("category", "psykisk_vold"),
                ("description", REPORT),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "report: {}",
        r.text("[role=alert]").unwrap_or_default()
    );
    let report = r.location().trim_start_matches("/reports/").to_string();
    let r = s
        .bisidder
        .post(
            &format!("/cases/{case}/exclusions"),
            &[("occurred_on", "2026-03-02"), ("reason", EXCLUSION)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "exclusion: {}", r.body);
    report
}

/// A volunteer's application through the public form, its motivation a canary; returns
/// the application's id.
async fn volunteer_canary(app: &TestApp) -> String {
    let r = app
        .client()
        .post(
            "/o/bv/bliv-bisidder",
            &[
                ("name", "Vera Frivillig"),
                ("email", "vera.frivillig@example.org"),
                ("town", "Vejle"),
                ("motivation", MOTIVATION),
                ("heard_of", "friend"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        r.text("[role=alert]").unwrap_or_default()
    );
    sqlx::query_scalar("SELECT id FROM volunteer_applications")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

fn holds<'a>(text: &str, canaries: &[&'a str]) -> Vec<&'a str> {
    let lower = text.to_lowercase();
    canaries
        .iter()
        .filter(|c| lower.contains(&c.to_lowercase()))
        .copied()
        .collect()
}

/// Every GET route with its ids filled in by each of the given real ids (routes without an
/// id once).
fn get_paths(ids: &[&str]) -> Vec<(String, Access)> {
    let mut out = Vec::new();
    for r in ROUTES.iter().filter(|r| r.method == "GET") {
        if r.path.contains("{id}") {
            for id in ids {
                out.push((concrete(&r.path.replace("{id}", id)), r.access));
            }
        } else {
            out.push((concrete(r.path), r.access));
        }
    }
    out
}

/// The whole raw database as bytes: SQLite's file and write-ahead log; PostgreSQL's
/// `pg_dump` of the test database (or, without pg_dump, every column of every table as
/// text, undecrypted).
async fn raw_database(app: &TestApp) -> Vec<u8> {
    match app.backend {
        Backend::Sqlite => {
            let mut out = Vec::new();
            for f in ["test.db", "test.db-wal"] {
                if let Ok(b) = std::fs::read(app.dir.path().join(f)) {
                    out.extend(b);
                }
            }
            assert!(out.len() > 10_000, "the SQLite file was read");
            out
        }
        Backend::Postgres => {
            let name: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
            let admin = std::env::var("TEST_DATABASE_URL").unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            let dumped = std::process::Command::new("pg_dump")
                .arg("--data-only")
                .arg(url)
                .output();
            if let Ok(o) = dumped {
                if o.status.success() && o.stdout.len() > 1000 {
                    eprintln!(
                        "raw database: pg_dump --data-only, {} bytes",
                        o.stdout.len()
                    );
                    return o.stdout;
                }
                eprintln!(
                    "pg_dump failed ({}); reading every text column instead",
                    String::from_utf8_lossy(&o.stderr)
                        .lines()
                        .next()
                        .unwrap_or("")
                );
            }
            use sqlx::Row;
            let mut out = Vec::new();
            for t in bisidder::store::backup::TABLES {
                let rows = sqlx::query(&format!("SELECT * FROM {t}"))
                    .fetch_all(&app.state.db.pool)
                    .await
                    .unwrap();
                for r in rows {
                    for i in 0..sqlx::Row::len(&r) {
                        if let Ok(Some(v)) = r.try_get::<Option<String>, _>(i) {
                            out.extend(v.into_bytes());
                            out.push(b'\n');
                        }
                    }
                }
            }
            out
        }
    }
}

on_both!(
    canaries_never_leak_to_those_without_need_to_know_logs_urls_messages_or_disk,
    |app: TestApp| async move {
        let logs = global_logs();
        let mut s = assigned_case(&app).await;
        let report = with_canaries(&mut s).await;
        let application = volunteer_canary(&app).await;
        // The Min sag link by SMS (an outgoing message to scan), and the child's session.
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;

        // Those who may see them do (so the scan below can fail).
        let case_page = s.coordinator.get(&format!("/cases/{}", s.case)).await;
        assert!(
            case_page.body.contains(SHARED),
            "the coordinator reads the shared note"
        );
        assert!(!case_page.body.contains(NOTE), "but not the private one");
        let rpage = s.coordinator.get(&format!("/reports/{report}")).await;
        assert!(
            rpage.body.contains(REPORT),
            "the coordinator reads the report"
        );
        let own = s.bisidder.get(&format!("/cases/{}", s.case)).await;
        assert!(own.body.contains(NOTE) && own.body.contains(EXCLUSION));
        let vpage = s
            .coordinator
            .get(&format!("/volunteers/applications/{application}"))
            .await;
        assert!(
            vpage.body.contains(MOTIVATION),
            "the coordinator screens the application"
        );

        let ids = [
            s.case.as_str(),
            s.request.as_str(),
            s.person.as_str(),
            report.as_str(),
            application.as_str(),
        ];
        let paths = get_paths(&ids);
        let sensitive_all: Vec<&str> = ENCRYPTED.to_vec();
        let mut personal = sensitive_all.clone();
        personal.extend([CHILD, PHONE, "Zorva-tider"]);

        // Who must not see them: senior consultant (logistics only: no notes, reports,
        // exclusions, CPR), requester, analyst, and the public, on every page and API.
        let mut viewers: Vec<(&str, Client, String, Vec<&str>)> = Vec::new();
        for (name, role) in [
            ("Scan Senior", Role::SeniorConsultant),
            ("Scan Rekvirent", Role::Requester),
            ("Scan Analytiker", Role::Analyst),
        ] {
            let email = app.user(name, &[role]).await;
            let mut c = app.client();
            c.login(&email, PASSWORD).await;
            let token = bisidder::auth::admin::create_token(
                &app.state.db,
                app.state.clock.now_us(),
                &email,
                "bv",
                "scan",
            )
            .await
            .unwrap()
            .1;
            let forbidden = if role == Role::SeniorConsultant {
                sensitive_all.clone()
            } else {
                personal.clone()
            };
            viewers.push((name, c, token, forbidden));
        }
        viewers.push(("public", app.client(), String::new(), personal.clone()));

        let mut responses = 0usize;
        let mut leaks = Vec::new();
        for (name, c, token, forbidden) in viewers.iter_mut() {
            for (path, access) in &paths {
                let api = matches!(access, Access::Token(_) | Access::TokenRecord(_));
                let resp = if api && !token.is_empty() {
                    let req = axum::http::Request::get(path.as_str())
                        .header("authorization", format!("Bearer {token}"))
                        .body(axum::body::Body::empty())
                        .unwrap();
                    c.send(req).await
                } else {
                    c.get(path).await
                };
                responses += 1;
                let mut text = resp.body.clone();
                for (k, v) in resp.headers.iter() {
                    text.push_str(&format!("\n{k}: {}", v.to_str().unwrap_or("")));
                }
                let found = holds(&text, forbidden);
                if !found.is_empty() {
                    leaks.push(format!("{name} GET {path} shows {found:?}"));
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "canaries shown without need to know: {leaks:#?}"
        );

        // URLs the app generates (links, form targets, redirects) for those who may see.
        let mut urls = 0usize;
        for c in [&mut s.coordinator, &mut s.bisidder] {
            for (path, _) in &paths {
                let resp = c.get(path).await;
                responses += 1;
                let mut found_urls = vec![resp.location().to_string()];
                if resp
                    .headers
                    .get("content-type")
                    .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"))
                {
                    let doc = resp.doc();
                    let sel = scraper::Selector::parse("[href], [action], [src]").unwrap();
                    for e in doc.select(&sel) {
                        for a in ["href", "action", "src"] {
                            if let Some(u) = e.value().attr(a) {
                                found_urls.push(u.to_string());
                            }
                        }
                    }
                    // Page titles are URLs' cousins: browser history, bookmarks.
                    if let Some(t) = resp.text("title") {
                        found_urls.push(t);
                    }
                }
                for u in found_urls {
                    urls += 1;
                    let found = holds(&u, &personal);
                    assert!(
                        found.is_empty(),
                        "GET {path}: URL or title {u} holds {found:?}"
                    );
                }
            }
        }

        // Outgoing e-mail and SMS (the outbox is what the workers send, verbatim).
        let messages: Vec<(String, String, String)> =
            sqlx::query_as("SELECT channel, subject, body FROM outbox")
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();
        assert!(!messages.is_empty(), "the Min sag SMS was queued");
        for (channel, subject, body) in &messages {
            let found = holds(&format!("{subject}\n{body}"), &personal);
            assert!(
                found.is_empty(),
                "{channel} message holds {found:?}: {body}"
            );
        }

        // Every log line the test binary has written so far.
        let log = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
        let log_lines = log.lines().count();
        let found = holds(&log, &personal);
        assert!(found.is_empty(), "the log holds {found:?}");

        // The raw database: encrypted fields are not readable at rest.
        let raw = raw_database(&app).await;
        let raw_text = String::from_utf8_lossy(&raw);
        let found = holds(&raw_text, ENCRYPTED);
        assert!(
            found.is_empty(),
            "the raw database holds {found:?} in plain text"
        );
        assert!(
            raw_text.contains(CHILD),
            "the raw scan reads real data (names are stored for search, by design)"
        );
        eprintln!(
            "SECURITY: canaries {} × {responses} responses (4 viewers without need to know + 2 with), {urls} URLs/titles, {} messages, {log_lines} log lines, raw database {} bytes on {:?}: 0 leaks",
            personal.len(),
            messages.len(),
            raw.len(),
            app.backend
        );
    }
);

/// A small, seeded generator (no extra dependency): xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

async fn max_seq(app: &TestApp) -> i64 {
    app.count("SELECT COALESCE(MAX(seq), 0) FROM audit_log")
        .await
}

/// (action, outcome, resource id, detail) of the rows after `seq`.
async fn rows_after(
    app: &TestApp,
    seq: i64,
) -> Vec<(String, String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT action, outcome, resource_id, detail FROM audit_log WHERE seq > $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

async fn set_audit_insert_failing(app: &TestApp, failing: bool) {
    let pool = &app.state.db.pool;
    let stmts: &[&str] = match (app.state.db.backend, failing) {
        (DbBackend::Sqlite, true) => &["CREATE TRIGGER audit_full BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END"],
        (DbBackend::Sqlite, false) => &["DROP TRIGGER audit_full"],
        (DbBackend::Postgres, true) => &[
            "CREATE FUNCTION audit_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER audit_full BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_full()",
        ],
        (DbBackend::Postgres, false) => &["DROP TRIGGER audit_full ON audit_log", "DROP FUNCTION audit_full()"],
    };
    for s in stmts {
        sqlx::query(s).execute(pool).await.unwrap();
    }
}

on_both!(
    a_random_sequence_of_reads_and_changes_writes_exactly_one_audit_row_each,
    |app: TestApp| async move {
        let seed: u64 = std::env::var("BISIDDER_SECURITY_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        let steps = if std::env::var("BISIDDER_SECURITY_LONG").is_ok_and(|v| v == "1") {
            400
        } else {
            40
        };
        eprintln!("SECURITY: audit sequence seed {seed} ({steps} steps; replay with BISIDDER_SECURITY_SEED={seed})");
        let mut rng = Rng(seed);
        let mut s = assigned_case(&app).await;
        let report = with_canaries(&mut s).await;
        let mut senior = app.signed_in("Seq Senior", &[Role::SeniorConsultant]).await;
        let mut admin = app.signed_in("Seq Admin", &[Role::OrgAdmin]).await;
        let bisidder_token = bisidder::auth::admin::create_token(
            &app.state.db,
            app.state.clock.now_us(),
            &s.bisidder_email,
            "bv",
            "seq",
        )
        .await
        .unwrap()
        .1;
        let (case, request, person) = (s.case.clone(), s.request.clone(), s.person.clone());
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        let mut written = Vec::new();
        for step in 0..steps {
            let op = rng.below(10);
            let deleted: String;
            let before = max_seq(&app).await;
            // (who, what, expected action, expected resource id)
            let (label, resp, action, resource): (&str, Resp, &str, &str) = match op {
                0 => (
                    "coordinator reads the request",
                    s.coordinator.get(&format!("/intake/{request}")).await,
                    "request.viewed",
                    request.as_str(),
                ),
                1 => (
                    "coordinator reads the case",
                    s.coordinator.get(&format!("/cases/{case}")).await,
                    "case.viewed",
                    case.as_str(),
                ),
                2 => (
                    "bisidder reads own case",
                    s.bisidder.get(&format!("/cases/{case}")).await,
                    "case.viewed",
                    case.as_str(),
                ),
                3 => {
                    let body = format!("Note nummer {step}");
                    (
                        "bisidder writes a note",
                        s.bisidder
                            .post(&format!("/cases/{case}/notes"), &[("body", &body)])
                            .await,
                        "case.note_written",
                        case.as_str(),
                    )
                }
                4 => (
                    "coordinator exports the person",
                    s.coordinator
                        .get(&format!("/persons/{person}/export.json"))
                        .await,
                    "person.exported",
                    person.as_str(),
                ),
                5 => (
                    "senior reads logistics",
                    senior.get(&format!("/cases/{case}")).await,
                    "case.viewed",
                    case.as_str(),
                ),
                6 => {
                    let req = axum::http::Request::get(format!("/api/v1/cases/{case}/notes"))
                        .header("authorization", format!("Bearer {bisidder_token}"))
                        .body(axum::body::Body::empty())
                        .unwrap();
                    (
                        "bisidder reads notes by API",
                        s.bisidder.send(req).await,
                        "case.notes_read",
                        case.as_str(),
                    )
                }
                7 => (
                    "coordinator reads the report",
                    s.coordinator.get(&format!("/reports/{report}")).await,
                    "report.viewed",
                    report.as_str(),
                ),
                8 => (
                    "admin exports the organisation",
                    admin.get("/org/export.jsonl").await,
                    "org.exported",
                    "",
                ),
                _ => {
                    // A deletion of personal data: the bisidder removes an availability slot.
                    let slot: Option<String> = sqlx::query_scalar("SELECT a.id FROM availability a JOIN users u ON u.id = a.user_id WHERE u.email = $1 LIMIT 1")
                        .bind(&s.bisidder_email)
                        .fetch_optional(&app.state.db.pool)
                        .await
                        .unwrap();
                    match slot {
                        Some(slot) => {
                            let resp = s
                                .bisidder
                                .post(&format!("/me/availability/{slot}/delete"), &[])
                                .await;
                            deleted = slot;
                            (
                                "bisidder deletes an availability slot",
                                resp,
                                "profile.changed",
                                deleted.as_str(),
                            )
                        }
                        // All gone: a change that adds one.
                        None => (
                            "bisidder adds an availability slot",
                            s.bisidder
                                .post(
                                    "/me/availability",
                                    &[("weekday", "wed"), ("from", "09:00"), ("to", "15:00")],
                                )
                                .await,
                            "profile.changed",
                            "",
                        ),
                    }
                }
            };
            assert!(
                resp.status.is_success() || resp.status.is_redirection(),
                "step {step} ({label}): {} {}",
                resp.status,
                resp.body.chars().take(300).collect::<String>()
            );
            // Queried right after the response: the row is there already.
            let rows = rows_after(&app, before).await;
            assert_eq!(
                rows.len(),
                1,
                "step {step} ({label}, seed {seed}): {rows:?}"
            );
            assert_eq!(rows[0].0, action, "step {step} ({label}, seed {seed})");
            assert_eq!(rows[0].1, "ok");
            if !resource.is_empty() {
                // The record itself, or (a report of concern, read on its case) the case as
                // resource and the report in the detail.
                assert!(
                    rows[0].2.as_deref() == Some(resource)
                        || rows[0].3.as_deref() == Some(resource),
                    "step {step} ({label}): {:?} names not {resource}",
                    rows[0]
                );
            }
            written.push(before + 1);
            *counts.entry(label).or_default() += 1;
        }

        // Same transaction: when the audit row cannot be written, neither read nor change
        // happens.
        set_audit_insert_failing(&app, true).await;
        let notes_before = app.count("SELECT COUNT(*) FROM case_notes").await;
        let r = s
            .bisidder
            .post(
                &format!("/cases/{case}/notes"),
                &[("body", "Skal ikke gemmes")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "a change without its audit row fails"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM case_notes").await,
            notes_before,
            "and changes nothing"
        );
        let r = s.coordinator.get(&format!("/reports/{report}")).await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "no read without its audit row"
        );
        assert!(!r.body.contains(REPORT), "the report is not shown");
        let r = s
            .coordinator
            .get(&format!("/persons/{person}/export.json"))
            .await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "no export without its audit row"
        );
        set_audit_insert_failing(&app, false).await;
        let r = s
            .bisidder
            .post(
                &format!("/cases/{case}/notes"),
                &[("body", "Nu gemmes den")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // The person's own access report shows who looked (by role), when and why.
        let token = send_link(&app, &mut s).await;
        let mut child = app.client();
        open_min_sag(&app, &mut child, &token).await;
        let looked = child.get("/minsag/opslag").await;
        let list = looked.text("[data-testid=lookups]").unwrap_or_default();
        let items = looked
            .doc()
            .select(&scraper::Selector::parse("[data-testid=lookups] li").unwrap())
            .count() as i64;
        let subject_rows = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE subject_person_id = '{person}' AND outcome = 'ok' AND actor_label IN ('user', 'api_token')"
            ))
            .await;
        assert_eq!(items, subject_rows.min(200), "one line per lookup: {list}");
        assert!(list.contains("2026"), "lookups carry their date: {list}");
        assert!(
            list.contains("Arbejdede med din sag"),
            "and their purpose: {list}"
        );
        if counts.contains_key("coordinator exports the person") {
            assert!(list.contains("Lavede en kopi af alt om dig"), "{list}");
        }
        if counts.contains_key("senior reads logistics") {
            assert!(list.contains("En rådgiver"), "by role: {list}");
        }
        assert!(
            !list.contains("Seq Senior") && !list.contains("Kirsten"),
            "never by name"
        );

        // Tampering with one random row of the sequence is found at that row.
        let victim = written[rng.below(written.len())];
        let mut conn = app.state.db.pool.acquire().await.unwrap();
        match app.state.db.backend {
            DbBackend::Sqlite => {
                sqlx::query("DROP TRIGGER audit_log_no_update")
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
            DbBackend::Postgres => {
                sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
        }
        sqlx::query("UPDATE audit_log SET resource_id = 'someone-else' WHERE seq = $1")
            .bind(victim)
            .execute(&mut *conn)
            .await
            .unwrap();
        let verdict = bisidder::audit::verify(&mut conn).await.unwrap();
        assert_eq!(
            verdict,
            Verdict::Broken {
                seq: victim,
                why: "row content changed"
            }
        );
        eprintln!(
            "SECURITY: audit {steps} random steps (seed {seed}) → {} rows, exactly one each: {counts:?}; failing audit insert refused change, read and export; tamper at seq {victim} detected on {:?}",
            written.len(),
            app.backend
        );
    }
);

on_both!(
    password_hash_parameters_breached_passwords_and_a_64_character_sign_in,
    |app: TestApp| async move {
        let email = app.user("Hash Tjek", &[Role::Analyst]).await;
        let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        // $argon2id$v=19$m=19456,t=2,p=1$salt$hash
        let parts: Vec<&str> = stored.split('$').collect();
        assert_eq!(parts[1], "argon2id", "{stored}");
        let params: std::collections::HashMap<&str, u32> = parts[3]
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k, v.parse().unwrap()))
            .collect();
        assert!(params["m"] >= 19456, "memory {} KiB", params["m"]);
        assert!(params["t"] >= 2, "iterations {}", params["t"]);
        assert!(parts[4].len() >= 16, "a salt of at least 16 bytes");

        let mut c = app.client();
        c.login(&email, PASSWORD).await;
        let breached = crate::security::breached_sample();
        let mut refused = 0;
        for pw in &breached {
            let r = c
                .post(
                    "/account/password",
                    &[
                        ("current_password", PASSWORD),
                        ("password", pw),
                        ("password_repeat", pw),
                    ],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "breached password {pw:?} accepted"
            );
            refused += 1;
        }
        let long = "Syv små grønne frøer hoppede over åen ved Silkeborg i regnvejr!!";
        assert_eq!(long.chars().count(), 64);
        let r = c
            .post(
                "/account/password",
                &[
                    ("current_password", PASSWORD),
                    ("password", long),
                    ("password_repeat", long),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let mut fresh = app.client();
        fresh.secrets = c.secrets.clone();
        fresh.login(&email, long).await;
        assert_eq!(
            fresh.get("/start").await.status,
            StatusCode::OK,
            "signed in with 64 characters"
        );
        eprintln!("SECURITY: hash argon2id m={} t={} p={}; {refused} breached passwords refused; 64-character sign-in ok on {:?}", params["m"], params["t"], params["p"], app.backend);
    }
);

/// Passwords of 12+ characters from the public breach corpora (the top of
/// SecLists' `Passwords/Common-Credentials/10-million-password-list-top-100000.txt`
/// and rockyou), which pass a length-only rule.
pub fn breached_sample() -> Vec<&'static str> {
    include_str!("data/breached-12plus.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

on_both!(
    no_get_changes_data_and_every_authenticated_page_has_the_security_headers,
    |app: TestApp| async move {
        let s = assigned_case(&app).await;
        let ids = [s.case.as_str(), s.request.as_str(), s.person.as_str()];
        let mut walkers = vec![
            ("assigned bisidder", s.bisidder),
            ("coordinator", s.coordinator),
        ];
        for role in Role::ALL {
            let name = format!("Get {}", role.as_str().replace('_', " "));
            walkers.push((role.as_str(), app.signed_in(&name, &[role]).await));
        }
        walkers.push(("public", app.client()));
        let paths = get_paths(&ids);
        let before = snapshot(&app.state.db).await;
        let mut gets = 0usize;
        let mut pages = 0usize;
        for (who, c) in walkers.iter_mut() {
            for (path, access) in &paths {
                let r = c.get(path).await;
                gets += 1;
                let h = |n: &str| {
                    r.headers
                        .get(n)
                        .map(|v| v.to_str().unwrap_or("").to_string())
                        .unwrap_or_default()
                };
                let authenticated = !matches!(access, Access::Public) && *who != "public";
                if !authenticated || r.status.is_redirection() {
                    continue;
                }
                pages += 1;
                let label = format!("GET {path} as {who}");
                let csp = h("content-security-policy");
                assert!(
                    csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
                    "{label}: CSP {csp:?}"
                );
                assert_eq!(h("x-content-type-options"), "nosniff", "{label}");
                assert!(
                    h("strict-transport-security").contains("max-age="),
                    "{label}"
                );
                assert!(
                    !h("referrer-policy").is_empty() && h("referrer-policy") != "unsafe-url",
                    "{label}"
                );
                assert!(
                    h("cache-control").contains("no-store"),
                    "{label}: cache-control {:?}",
                    h("cache-control")
                );
                if h("content-type").starts_with("text/html") {
                    let doc = r.doc();
                    let sel = scraper::Selector::parse("script:not([src])").unwrap();
                    let inline: Vec<_> = doc
                        .select(&sel)
                        .filter(|e| !e.inner_html().trim().is_empty())
                        .collect();
                    assert!(inline.is_empty(), "{label}: inline script");
                }
            }
        }
        let after = snapshot(&app.state.db).await;
        let changed = diff(&before, &after, &["audit_log", "audit_head"]);
        assert!(
            changed.is_empty(),
            "GET requests changed data: {changed:#?}"
        );
        let _ = role_can;
        eprintln!(
            "SECURITY: no state-changing GET: {gets} GETs by {} walkers, every table but the audit log unchanged; headers on {pages} authenticated responses on {:?}",
            walkers.len(),
            app.backend
        );
    }
);
