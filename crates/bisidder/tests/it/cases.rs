//! Case work and reports of concern (SPEC C5, C6): the access matrix of every new route
//! and API call (role × action × own/other record), canary text that must never reach the
//! wrong eyes, the change of bisidder, and the deadlines with worked-out dates.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::policy::{role_can, Action, Role};

/// Text placed in notes, report descriptions and the CPR field. It must never appear in
/// any response to senior consultants, requesters, analysts, admins or the public, nor in
/// the outbox, logs, URLs or a raw dump of the database.
const CANARY: &str = "KANARIE-93f1c";
const CPR: &str = "010312-4001";
const CPR_DIGITS: &str = "0103124001";

fn leaks(text: &str) -> bool {
    text.contains(CANARY) || text.contains(CPR) || text.contains(CPR_DIGITS)
}

pub struct Seeded {
    pub case: String,
    pub appt: String,
    pub appt2: String,
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

/// A case of `bisidder` in `org` with two appointments that have already started (one for
/// the page, one for the API), inserted directly: the flow that creates cases is tested in
/// matching_flow.rs and below.
pub async fn seed_case(app: &TestApp, org: &str, bisidder: &str, first_name: &str) -> Seeded {
    let db = &app.state.db.pool;
    let now = app.state.clock.now_us();
    let id = || ulid::Ulid::new().to_string();
    let (person, request, case) = (id(), id(), id());
    sqlx::query("INSERT INTO persons (id, org_id, first_name, last_name, birth_date, gender, kommune_code, phone, safe_channel, created_at) \
         VALUES ($1, $2, $3, 'Hansen', '2012-03-01', 'girl', '0101', '+4520304050', 'sms', $4)")
        .bind(&person).bind(org).bind(first_name).bind(now).execute(db).await.unwrap();
    sqlx::query("INSERT INTO requests (id, org_id, person_id, channel, status, authority, kommune_code, meeting_at, bisidder_user_id, ref, created_at) \
         VALUES ($1, $2, $3, 'web', 'assigned', 'kommune', '0101', $4, $5, $6, $4)")
        .bind(&request).bind(org).bind(&person).bind(now).bind(bisidder).bind(&request).execute(db).await.unwrap();
    sqlx::query("INSERT INTO cases (id, org_id, person_id, request_id, bisidder_user_id, authority, opened_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'kommune', '2026-02-20', $6)")
        .bind(&case).bind(org).bind(&person).bind(&request).bind(bisidder).bind(now).execute(db).await.unwrap();
    let mut appts = Vec::new();
    for (kind, start_h) in [("moede", 3), ("eftermoede", 2)] {
        let a = id();
        sqlx::query("INSERT INTO appointments (id, org_id, request_id, case_id, kind, starts_at, ends_at, place_text, bisidder_user_id, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'Rådhuset', $8, 'planned', $9, $9)")
            .bind(&a).bind(org).bind(&request).bind(&case).bind(kind)
            .bind(now - start_h * 3_600_000_000).bind(now - (start_h - 1) * 3_600_000_000)
            .bind(bisidder).bind(now).execute(db).await.unwrap();
        appts.push(a);
    }
    Seeded {
        case,
        appt: appts[0].clone(),
        appt2: appts[1].clone(),
    }
}

/// A report and an inquiry on `case` of another organisation, written directly.
async fn seed_report_and_inquiry(
    app: &TestApp,
    org: &str,
    case: &str,
    by: &str,
) -> (String, String) {
    let db = &app.state.db.pool;
    let now = app.state.clock.now_us();
    let report = ulid::Ulid::new().to_string();
    let desc = app
        .state
        .crypto
        .encrypt("reports_of_concern", "description_enc", &report, "andet");
    sqlx::query("INSERT INTO reports_of_concern (id, org_id, case_id, kommune_code, child_name, child_birth_date, description_enc, created_by_user_id, created_at) \
         VALUES ($1, $2, $3, '0461', 'Barn', '2012-03-01', $4, $5, $6)")
        .bind(&report).bind(org).bind(case).bind(&desc).bind(by).bind(now).execute(db).await.unwrap();
    let inquiry = ulid::Ulid::new().to_string();
    let q = app
        .state
        .crypto
        .encrypt("network_inquiries", "question_enc", &inquiry, "spørgsmål");
    sqlx::query("INSERT INTO network_inquiries (id, org_id, case_id, from_role, channel, question_enc, created_at) VALUES ($1, $2, $3, 'parent', 'phone', $4, $5)")
        .bind(&inquiry).bind(org).bind(case).bind(&q).bind(now).execute(db).await.unwrap();
    (report, inquiry)
}

#[derive(Clone, Debug)]
struct Targets {
    case: String,
    appt: String,
    appt2: String,
    report: String,
    inquiry: String,
    handover_case: String,
    close_case: String,
}

struct Step {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    action: Action,
    api: bool,
    body: &'static [(&'static str, &'static str)],
}

const REPORT_FORM: &[(&str, &str)] = &[
    ("child_name", "Emma Hansen"),
    ("child_birth_date", "2012-03-01"),
    ("kommune", "0101"),
    ("category", "mistrivsel"),
    ("description", "Matrix-beskrivelse"),
];

/// Every new route and API call that acts on one record, in an order that keeps the
/// shared records usable (handover and close act on records of their own, last).
const STEPS: &[Step] = &[
    Step {
        name: "case page",
        method: "GET",
        path: "/cases/{case}",
        action: Action::ViewCases,
        api: false,
        body: &[],
    },
    Step {
        name: "write note",
        method: "POST",
        path: "/cases/{case}/notes",
        action: Action::WorkCase,
        api: false,
        body: &[("body", "Matrixnote")],
    },
    Step {
        name: "appointment held",
        method: "POST",
        path: "/appointments/{appt}/outcome",
        action: Action::WorkCase,
        api: false,
        body: &[("outcome", "held"), ("hours", "1,5"), ("km", "12")],
    },
    Step {
        name: "record decision",
        method: "POST",
        path: "/cases/{case}/decisions",
        action: Action::WorkCase,
        api: false,
        body: &[
            ("authority", "kommune"),
            ("kind", "social_service"),
            ("received_on", "2026-02-27"),
        ],
    },
    Step {
        name: "record exclusion",
        method: "POST",
        path: "/cases/{case}/exclusions",
        action: Action::WorkCase,
        api: false,
        body: &[
            ("occurred_on", "2026-03-01"),
            ("reason", "Samtalen handlede om forældrene"),
        ],
    },
    Step {
        name: "log inquiry",
        method: "POST",
        path: "/cases/{case}/inquiries",
        action: Action::HandleInquiries,
        api: false,
        body: &[
            ("from_role", "parent"),
            ("channel", "phone"),
            ("question", "Hvornår er mødet?"),
        ],
    },
    Step {
        name: "answer inquiry",
        method: "POST",
        path: "/inquiries/{inquiry}/answer",
        action: Action::HandleInquiries,
        api: false,
        body: &[("answer", "Tak, vi vender tilbage")],
    },
    Step {
        name: "report form",
        method: "GET",
        path: "/cases/{case}/reports/new",
        action: Action::WorkCase,
        api: false,
        body: &[],
    },
    Step {
        name: "file report",
        method: "POST",
        path: "/cases/{case}/reports",
        action: Action::WorkCase,
        api: false,
        body: REPORT_FORM,
    },
    Step {
        name: "report page",
        method: "GET",
        path: "/reports/{report}",
        action: Action::WorkCase,
        api: false,
        body: &[],
    },
    Step {
        name: "report follow-up",
        method: "POST",
        path: "/reports/{report}",
        action: Action::WorkCase,
        api: false,
        body: &[("step", "followup"), ("followup", "Kommunen ringede")],
    },
    Step {
        name: "report letter",
        method: "GET",
        path: "/reports/{report}/letter",
        action: Action::WorkCase,
        api: false,
        body: &[],
    },
    Step {
        name: "API case",
        method: "GET",
        path: "/api/v1/cases/{case}",
        action: Action::ViewCases,
        api: true,
        body: &[],
    },
    Step {
        name: "API timeline",
        method: "GET",
        path: "/api/v1/cases/{case}/timeline",
        action: Action::ViewCases,
        api: true,
        body: &[],
    },
    Step {
        name: "API notes",
        method: "GET",
        path: "/api/v1/cases/{case}/notes",
        action: Action::WorkCase,
        api: true,
        body: &[],
    },
    Step {
        name: "API write note",
        method: "POST",
        path: "/api/v1/cases/{case}/notes",
        action: Action::WorkCase,
        api: true,
        body: &[("body", "API-note")],
    },
    Step {
        name: "API appointment held",
        method: "POST",
        path: "/api/v1/appointments/{appt2}/outcome",
        action: Action::WorkCase,
        api: true,
        body: &[("outcome", "held"), ("hours", "2"), ("km", "0")],
    },
    Step {
        name: "API reports",
        method: "GET",
        path: "/api/v1/cases/{case}/reports",
        action: Action::WorkCase,
        api: true,
        body: &[],
    },
    Step {
        name: "API file report",
        method: "POST",
        path: "/api/v1/cases/{case}/reports",
        action: Action::WorkCase,
        api: true,
        body: REPORT_FORM,
    },
    Step {
        name: "API report",
        method: "GET",
        path: "/api/v1/reports/{report}",
        action: Action::WorkCase,
        api: true,
        body: &[],
    },
    Step {
        name: "API report sent",
        method: "POST",
        path: "/api/v1/reports/{report}",
        action: Action::WorkCase,
        api: true,
        body: &[
            ("step", "sent"),
            ("sent_on", "2026-03-02"),
            ("sent_how", "secure_mail"),
        ],
    },
    Step {
        name: "change bisidder",
        method: "POST",
        path: "/cases/{handover_case}/handover",
        action: Action::ReassignCase,
        api: false,
        body: &[("to", "{to}"), ("reason", "bisidder_unavailable")],
    },
    Step {
        name: "close case",
        method: "POST",
        path: "/cases/{close_case}/close",
        action: Action::WorkCase,
        api: false,
        body: &[("reason", "completed")],
    },
];

fn fill(path: &str, t: &Targets) -> String {
    path.replace("{case}", &t.case)
        .replace("{appt}", &t.appt)
        .replace("{appt2}", &t.appt2)
        .replace("{report}", &t.report)
        .replace("{inquiry}", &t.inquiry)
        .replace("{handover_case}", &t.handover_case)
        .replace("{close_case}", &t.close_case)
}

async fn send(c: &mut Client, step: &Step, path: &str, token: &str, to: &str) -> Resp {
    let fields: Vec<(&str, &str)> = step
        .body
        .iter()
        .map(|(k, v)| (*k, if *v == "{to}" { to } else { *v }))
        .collect();
    if step.api {
        let mut b = axum::http::Request::builder()
            .method(step.method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"));
        let body = if step.method == "POST" {
            b = b.header("content-type", "application/json");
            let mut obj = serde_json::Map::new();
            for (k, v) in &fields {
                match obj.get_mut(*k) {
                    Some(serde_json::Value::Array(a)) => a.push((*v).into()),
                    Some(old) => *old = serde_json::json!([old.clone(), v]),
                    None => {
                        obj.insert(k.to_string(), (*v).into());
                    }
                }
            }
            axum::body::Body::from(serde_json::Value::Object(obj).to_string())
        } else {
            axum::body::Body::empty()
        };
        return c.send(b.body(body).unwrap()).await;
    }
    match step.method {
        "GET" => c.get(path).await,
        _ => c.post(path, &fields).await,
    }
}

struct Who {
    label: &'static str,
    role: Role,
    user: String,
    client: Client,
    token: String,
}

async fn denied_rows(app: &TestApp, user: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE actor_user_id = $1 AND outcome = 'denied'",
    )
    .bind(user)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
}

on_both!(
    every_role_meets_the_case_work_access_matrix_and_the_canary_never_leaks,
    |app: TestApp| async move {
        let logs = global_logs();
        let logs_from = logs.0.lock().unwrap().len();

        let (a_id, a_email) = app.bisidder("Anna Bisidder", "København", "children").await;
        let (b_id, b_email) = app.bisidder("Bo Bisidder", "København", "children").await;
        let other_b = app
            .user_in("Ole Odense", &[Role::Bisidder], &app.other_org_id.clone())
            .await;
        let other_b = user_id(&app, &other_b).await;

        // Records of the test organisation: A's case (with canary notes, a canary report
        // and an inquiry), B's case, and A's cases for the handover and closing steps.
        let own = seed_case(&app, &app.org_id, &a_id, "Emma").await;
        let handover = seed_case(&app, &app.org_id, &a_id, "Freja").await;
        let closing = seed_case(&app, &app.org_id, &a_id, "Gry").await;
        let colleague = seed_case(&app, &app.org_id, &b_id, "Ida").await;
        let other = seed_case(&app, &app.other_org_id, &other_b, "Karla").await;

        let mut anna = app.client();
        anna.login(&a_email, PASSWORD).await;
        let private = format!("Privat {CANARY} note");
        let r = anna
            .post(&format!("/cases/{}/notes", own.case), &[("body", &private)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let shared = format!("Delt {CANARY} note");
        anna.post(
            &format!("/cases/{}/notes", own.case),
            &[("body", &shared), ("shared", "1")],
        )
        .await;
        let description = format!("Barnet fortalte {CANARY}");
        let mut form: Vec<(&str, &str)> = REPORT_FORM
            .iter()
            .filter(|(k, _)| *k != "description")
            .copied()
            .collect();
        form.extend([
            ("description", description.as_str()),
            ("cpr", CPR),
            ("category", "fysisk_vold"),
        ]);
        let r = anna
            .post(&format!("/cases/{}/reports", own.case), &form)
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let own_report = r.location().trim_start_matches("/reports/").to_string();
        let page = anna.get(r.location()).await;
        assert!(
            page.body.contains(&description) && page.body.contains(CPR_DIGITS),
            "the author reads her report"
        );
        // B's case gets its own note, report and inquiry as a colleague's records.
        let mut bo = app.client();
        bo.login(&b_email, PASSWORD).await;
        let r = bo
            .post(&format!("/cases/{}/reports", colleague.case), REPORT_FORM)
            .await;
        let colleague_report = r.location().trim_start_matches("/reports/").to_string();
        let (_, colleague_inquiry) =
            seed_report_and_inquiry(&app, &app.org_id.clone(), &colleague.case, &b_id).await;
        let (_, own_inquiry) =
            seed_report_and_inquiry(&app, &app.org_id.clone(), &own.case, &a_id).await;
        let (other_report, other_inquiry) =
            seed_report_and_inquiry(&app, &app.other_org_id.clone(), &other.case, &other_b).await;

        let own_t = Targets {
            case: own.case.clone(),
            appt: own.appt.clone(),
            appt2: own.appt2.clone(),
            report: own_report.clone(),
            inquiry: own_inquiry,
            handover_case: handover.case.clone(),
            close_case: closing.case.clone(),
        };
        let colleague_t = Targets {
            case: colleague.case.clone(),
            appt: colleague.appt.clone(),
            appt2: colleague.appt2.clone(),
            report: colleague_report,
            inquiry: colleague_inquiry,
            handover_case: colleague.case.clone(),
            close_case: colleague.case.clone(),
        };
        let other_t = Targets {
            case: other.case.clone(),
            appt: other.appt.clone(),
            appt2: other.appt2.clone(),
            report: other_report,
            inquiry: other_inquiry,
            handover_case: other.case.clone(),
            close_case: other.case.clone(),
        };

        let mut people = Vec::new();
        for (label, role) in [
            ("bisidder", Role::Bisidder),
            ("coordinator", Role::Coordinator),
            ("senior_consultant", Role::SeniorConsultant),
            ("requester", Role::Requester),
            ("analyst", Role::Analyst),
            ("org_admin", Role::OrgAdmin),
        ] {
            let (user, email) = if role == Role::Bisidder {
                (a_id.clone(), a_email.clone())
            } else {
                let email = app.user(&format!("Matrix {label}"), &[role]).await;
                (user_id(&app, &email).await, email)
            };
            let mut client = app.client();
            client.login(&email, PASSWORD).await;
            let (_, token) = bisidder::auth::admin::create_token(
                &app.state.db,
                app.state.clock.now_us(),
                &email,
                "bv",
                "matrix",
            )
            .await
            .unwrap();
            people.push(Who {
                label,
                role,
                user,
                client,
                token,
            });
        }
        let mut public = app.client();

        let mut cells = 0;
        let mut locations = Vec::new();
        for step in STEPS {
            for who in people.iter_mut() {
                let mut records = vec![("own", &own_t), ("other organisation", &other_t)];
                if who.role == Role::Bisidder {
                    records.push(("colleague's", &colleague_t));
                }
                for (ownership, t) in records {
                    let path = fill(step.path, t);
                    let before = denied_rows(&app, &who.user).await;
                    let r = send(&mut who.client, step, &path, &who.token, &b_id).await;
                    let label = format!(
                        "{} as {} on {ownership} record: {} {}",
                        step.name, who.label, step.method, path
                    );
                    let allowed = role_can(who.role, step.action);
                    match (allowed, ownership) {
                        (false, _) => assert_eq!(r.status, StatusCode::FORBIDDEN, "{label}"),
                        (true, "own") => assert!(
                            !matches!(
                                r.status,
                                StatusCode::UNAUTHORIZED
                                    | StatusCode::FORBIDDEN
                                    | StatusCode::NOT_FOUND
                            ) && !r.status.is_server_error(),
                            "{label}: {} {}",
                            r.status,
                            r.body.chars().take(300).collect::<String>()
                        ),
                        (true, _) => {
                            assert_eq!(r.status, StatusCode::NOT_FOUND, "{label}");
                            assert_eq!(
                                denied_rows(&app, &who.user).await,
                                before + 1,
                                "{label}: the refused look is audited"
                            );
                        }
                    }
                    if matches!(
                        who.role,
                        Role::SeniorConsultant | Role::Requester | Role::Analyst | Role::OrgAdmin
                    ) {
                        assert!(!leaks(&r.body), "{label}: canary in the response");
                    }
                    if who.role == Role::Bisidder && ownership != "own" {
                        assert!(!leaks(&r.body), "{label}: canary in the response");
                    }
                    locations.push(r.location().to_string());
                    cells += 1;
                }
            }
            // Anonymous visitors are sent to sign in (pages) or refused (API).
            let path = fill(step.path, &own_t);
            let r = send(&mut public, step, &path, "", &b_id).await;
            assert!(
                matches!(
                    r.status,
                    StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ),
                "{}: {}",
                step.name,
                r.status
            );
            assert!(!leaks(&r.body));
        }
        let roles = 6;
        let ownerships = 2;
        eprintln!(
            "access matrix: {roles} roles × {} actions × {ownerships} ownerships (+ the bisidder on a colleague's case) = {cells} cells",
            STEPS.len()
        );
        assert_eq!(cells, STEPS.len() * (roles * ownerships + 1));

        // The case lists: nobody sees another organisation's case; a bisidder only their own.
        for who in people.iter_mut() {
            let r = who.client.get("/cases").await;
            let api = who
                .client
                .send(
                    axum::http::Request::get("/api/v1/cases")
                        .header("authorization", format!("Bearer {}", who.token))
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await;
            if role_can(who.role, Action::ViewCases) {
                assert_eq!(r.status, StatusCode::OK, "{}", who.label);
                assert!(
                    !r.body.contains("Karla") && !api.body.contains("Karla"),
                    "{}",
                    who.label
                );
                assert_eq!(
                    r.body.contains("Ida"),
                    who.role != Role::Bisidder,
                    "{}",
                    who.label
                );
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", who.label);
            }
            assert!(!leaks(&r.body) && !leaks(&api.body));
        }

        // The senior consultant sees the logistics but no notes; the coordinator the shared
        // note only; the author both.
        let sc = people
            .iter_mut()
            .find(|w| w.role == Role::SeniorConsultant)
            .unwrap();
        let page = sc.client.get(&format!("/cases/{}", own.case)).await;
        assert!(
            page.body.contains("Rådhuset") && page.body.contains("Anna"),
            "logistics"
        );
        assert!(
            !page.body.contains("Bisidder</dd>") && !page.body.contains("Hansen"),
            "first names only"
        );
        let coord = people
            .iter_mut()
            .find(|w| w.role == Role::Coordinator)
            .unwrap();
        let page = coord.client.get(&format!("/cases/{}", own.case)).await;
        assert!(page.body.contains(&shared) && !page.body.contains(&private));
        let page = anna.get(&format!("/cases/{}", own.case)).await;
        assert!(page.body.contains(&shared) && page.body.contains(&private));

        // Never in URLs, the outbox, the logs, or the stored data in clear text.
        for l in &locations {
            assert!(!leaks(l), "URL {l}");
        }
        let outbox: Vec<(String, String)> = sqlx::query_as("SELECT subject, body FROM outbox")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
        for (s, b) in &outbox {
            assert!(!leaks(s) && !leaks(b), "outbox: {s} {b}");
        }
        let captured = String::from_utf8_lossy(&logs.0.lock().unwrap()[logs_from..]).to_string();
        assert!(
            captured.len() > 1000,
            "the logs were captured ({} bytes)",
            captured.len()
        );
        assert!(!leaks(&captured), "canary in the logs");
        let dump = app.dir.path().join("dump.jsonl");
        bisidder::store::backup::backup(&app.state.db, &dump, app.state.clock.now_us())
            .await
            .unwrap();
        let raw = std::fs::read_to_string(&dump).unwrap();
        assert!(
            raw.contains(&own_report) && !leaks(&raw),
            "the raw dump holds only ciphertext"
        );
    }
);
