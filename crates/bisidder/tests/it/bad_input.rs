//! Bad input everywhere (SPEC §8, issue 8): every POST/PUT route in routes::ROUTES gets an
//! oversized body, a malformed body (form or JSON) and invalid UTF-8, in Danish and in
//! English; representative forms and API calls get dates out of range, unknown codes and
//! over-long strings. Each must answer a clear 4xx whose message is in the user's language,
//! and no table may gain or lose a row (audit rows for denials aside).

use crate::{helpers::*, on_both};
use axum::{
    body::Body,
    http::{header, Request},
};
use bisidder::{
    policy::{role_can, Role},
    routes::{Access, RouteSpec, ROUTES},
    store::backup::TABLES,
    web::cookies,
};
use std::collections::{BTreeMap, HashSet};

const NO_ID: &str = "01HZZZZZZZZZZZZZZZZZZZZZZZ";

/// Routes whose fields are all optional (checkboxes, a choice whose absence means "new"),
/// so a body that decodes to nothing useful is an ordinary empty submission: they may take
/// the malformed form like any other. Invalid UTF-8 is still refused.
const NO_FIELDS: &[&str] = &["/lang", "/volunteers/requirements", "/org/scheme/claim"];

/// Buttons: routes that read no body at all (the request is the whole action), so any body
/// is ignored and only the oversized one (refused before any handler) applies.
const NO_BODY: &[&str] = &[
    "/logout",
    "/minsag/logout",
    "/intake/assign-all",
    "/api/v1/intake/assign-all",
    "/me/calendar/feed",
    "/me/calendar/feed/revoke",
    "/me/onboarding/guidelines",
    "/me/onboarding/confidentiality",
];

fn concrete(path: &str) -> String {
    path.replace("{token}", "no-such-token")
        .replace("{id}", NO_ID)
        .replace("{slug}", "bv")
}

/// Every text of one language file.
fn texts(lang: &str) -> HashSet<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("i18n/{lang}.json"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v.as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

struct Lang {
    code: &'static str,
    own: HashSet<String>,
    other: HashSet<String>,
}

fn langs() -> [Lang; 2] {
    let (da, en) = (texts("da"), texts("en"));
    [
        Lang {
            code: "da",
            own: da.clone(),
            other: en.clone(),
        },
        Lang {
            code: "en",
            own: en,
            other: da,
        },
    ]
}

fn head(s: &str) -> String {
    s.chars().take(400).collect()
}

/// A 4xx whose message (JSON `message` and field messages, or the page's alert) is a text
/// of the user's language; otherwise what is wrong.
fn clear(r: &Resp, lang: &Lang, label: &str) -> Result<(), String> {
    if !r.status.is_client_error() {
        return Err(format!(
            "{label}: answered {} (a clear 4xx expected): {}",
            r.status,
            head(&r.body)
        ));
    }
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        let j = r.json();
        let mut messages = vec![j["message"].as_str().unwrap_or("").to_string()];
        for f in j["fields"].as_array().into_iter().flatten() {
            messages.push(f["message"].as_str().unwrap_or("").to_string());
        }
        if let Some(m) = messages.iter().find(|m| !lang.own.contains(*m)) {
            return Err(format!(
                "{label}: message {m:?} is not a {} text: {}",
                lang.code,
                head(&r.body)
            ));
        }
        return Ok(());
    }
    if !ct.starts_with("text/html") {
        return Err(format!("{label}: content type {ct:?}: {}", head(&r.body)));
    }
    if r.attr("html", "lang").as_deref() != Some(lang.code) {
        return Err(format!("{label}: page not in {}", lang.code));
    }
    // Staff pages say it in an alert; Min sag's message pages are the message.
    let Some(alert) = r.text("[role=alert]").or_else(|| r.text("main")) else {
        return Err(format!(
            "{label}: no message on the page: {}",
            head(&r.body)
        ));
    };
    if !lang
        .own
        .iter()
        .any(|t| t.chars().count() >= 8 && !lang.other.contains(t) && alert.contains(t.as_str()))
    {
        return Err(format!("{label}: {alert:?} is not in {}", lang.code));
    }
    Ok(())
}

/// Rows per table, leaving out the audit log and the outbox (denials are audited).
async fn rows(app: &TestApp) -> BTreeMap<&'static str, i64> {
    let mut m = BTreeMap::new();
    for t in TABLES
        .iter()
        .filter(|t| !matches!(**t, "audit_log" | "outbox"))
    {
        m.insert(*t, app.count(&format!("SELECT COUNT(*) FROM {t}")).await);
    }
    m
}

fn changed(before: &BTreeMap<&str, i64>, after: &BTreeMap<&str, i64>) -> String {
    after
        .iter()
        .filter(|(t, n)| before.get(*t) != Some(n))
        .map(|(t, n)| format!("{t} {} -> {n}", before.get(t).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who sends a request: a browser client, with a bearer token for the API.
struct Caller<'a> {
    client: &'a mut Client,
    bearer: Option<&'a str>,
}

impl Caller<'_> {
    async fn send(
        &mut self,
        lang: &Lang,
        secure: bool,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let c = &mut *self.client;
        c.jar
            .insert(cookies::name(cookies::LANG, secure), lang.code.to_string());
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            // As every HTTP client sends it; the body limit refuses on it up front.
            .header(header::CONTENT_LENGTH, body.len());
        if let Some(token) = self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {token}"));
        } else {
            if c.csrf().is_empty() {
                c.get("/").await;
            }
            b = b
                .header(header::ORIGIN, PUBLIC_URL)
                .header("x-csrf-token", c.csrf());
        }
        c.send(b.body(Body::from(body)).unwrap()).await
    }
}

/// The generated bodies for one route: (name, content type, body).
fn bad_bodies(api: bool, max_body: usize) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut big = b"note=".to_vec();
    big.resize(max_body + 1, b'x');
    let mut big_json = b"{\"note\": \"".to_vec();
    big_json.resize(max_body + 1, b'x');
    big_json.extend_from_slice(b"\"}");
    if api {
        vec![
            ("oversized", "application/json", big_json),
            (
                "truncated JSON",
                "application/json",
                b"{\"first_name\": \"Emma\", \"age\":".to_vec(),
            ),
            ("JSON array", "application/json", b"[1, 2, 3]".to_vec()),
            ("not JSON", "text/plain", b"first_name=Emma".to_vec()),
            (
                "invalid UTF-8",
                "application/json",
                b"{\"first_name\": \"\xff\xfe\xfd\", \"note\": \"\xc3\x28\"}".to_vec(),
            ),
        ]
    } else {
        vec![
            ("oversized", "application/x-www-form-urlencoded", big),
            (
                "malformed form",
                "application/x-www-form-urlencoded",
                b"=&&%=%%&%zz=%E0%A4%A&first_name&{\"a\":1}".to_vec(),
            ),
            (
                "invalid UTF-8",
                "application/x-www-form-urlencoded",
                b"first_name=\xff\xfe\xfd&note=\xc3\x28&reason=ok".to_vec(),
            ),
        ]
    }
}

fn allowed(role: Role, access: Access) -> bool {
    match access {
        Access::SignedIn => true,
        Access::Allowed(a) | Access::Record(a) | Access::Token(a) | Access::TokenRecord(a) => {
            role_can(role, a)
        }
        _ => false,
    }
}

on_both!(
    every_write_route_refuses_bad_bodies_clearly_and_stores_nothing,
    |app: TestApp| async move {
        let secure = app.state.config.secure_cookies();
        let max_body = app.state.config.max_body_bytes;
        let langs = langs();
        let mut anonymous = app.client();
        let mut pending = app.client();
        let pending_email = app.user("Halv Vejs", &[Role::Coordinator]).await;
        let r = pending
            .post(
                "/login",
                &[("email", &pending_email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.location(), "/login/totp/enrol");
        let mut staff = Vec::new();
        for role in Role::ALL {
            let name = format!("Bad {}", role.as_str().replace('_', " "));
            let email = app.user(&name, &[role]).await;
            let mut c = app.client();
            c.login(&email, PASSWORD).await;
            let token = if role == Role::PlatformAdmin {
                String::new()
            } else {
                bisidder::auth::admin::create_token(
                    &app.state.db,
                    app.state.clock.now_us(),
                    &email,
                    "bv",
                    "bad input",
                )
                .await
                .unwrap()
                .1
            };
            staff.push((role, c, token));
        }

        let mut sent = 0;
        let mut failures: Vec<String> = Vec::new();
        for r in ROUTES.iter().filter(|r| r.method != "GET") {
            let RouteSpec {
                method,
                path,
                access,
            } = *r;
            let api = matches!(access, Access::Token(_) | Access::TokenRecord(_));
            let before = rows(&app).await;
            for (case, ct, body) in bad_bodies(api, max_body) {
                if (case == "malformed form" && NO_FIELDS.contains(&path))
                    || (case != "oversized" && NO_BODY.contains(&path))
                {
                    continue;
                }
                for lang in &langs {
                    let mut caller = match access {
                        Access::Public | Access::Person => Caller {
                            client: &mut anonymous,
                            bearer: None,
                        },
                        Access::PendingLogin => Caller {
                            client: &mut pending,
                            bearer: None,
                        },
                        _ => {
                            let (_, c, token) = staff
                                .iter_mut()
                                .find(|(role, _, token)| {
                                    allowed(*role, access) && (!api || !token.is_empty())
                                })
                                .unwrap_or_else(|| panic!("no role may use {method} {path}"));
                            Caller {
                                client: c,
                                bearer: api.then_some(token.as_str()),
                            }
                        }
                    };
                    let resp = caller
                        .send(lang, secure, method, &concrete(path), ct, body.clone())
                        .await;
                    sent += 1;
                    let label = format!("{method} {path} with {case} in {}", lang.code);
                    failures.extend(clear(&resp, lang, &label).err());
                }
            }
            let after = rows(&app).await;
            if after != before {
                failures.push(format!(
                    "{method} {path}: bad bodies changed stored rows: {}",
                    changed(&before, &after)
                ));
            }
        }
        eprintln!("bad bodies: {sent} requests");
        assert!(
            failures.is_empty(),
            "{} findings:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(sent > 300, "only {sent} requests: is the route table read?");
    }
);

/// One representative form or API call: who sends it, where, a valid body, and the bad
/// values each replacing (or adding) one field.
struct Scenario {
    path: String,
    api: bool,
    good: Vec<(&'static str, String)>,
    bad: Vec<(&'static str, String)>,
}

fn long(n: usize) -> String {
    "å".repeat(n)
}

fn request_scenario(path: &'static str, api: bool, for_self: bool) -> Scenario {
    let mut good: Vec<(&'static str, String)> = vec![
        ("first_name", "Emma".into()),
        ("age", "13".into()),
        ("gender", "girl".into()),
        ("phone", "20 30 40 50".into()),
        ("safe_channel", "sms".into()),
        ("postcode", "8000".into()),
        ("authority", "kommune".into()),
        ("meeting_date", "2026-03-10".into()),
        ("meeting_time", "10:00".into()),
        ("consent_contact", "1".into()),
    ];
    if !for_self {
        good.push(("contact_name", "Sagsbehandler Sørensen".into()));
        good.push(("contact_phone", "70 10 20 30".into()));
    }
    let mut bad = Vec::new();
    for d in [
        "0000-01-01",
        "9999-12-31",
        "2026-02-30",
        "2026-13-01",
        "i morgen",
    ] {
        bad.push(("meeting_date", d.to_string()));
        bad.push(("birth_date", d.to_string()));
    }
    bad.push(("meeting_time", "25:61".into()));
    for (field, value) in [
        ("authority", "slottet"),
        ("gender", "dragon"),
        ("kommune", "9999"),
        ("postcode", "0000"),
        ("safe_channel", "pigeon"),
        ("meeting_mode", "teleport"),
        ("wished_gender", "robot"),
        ("heard_of", "tv"),
        ("age", "-1"),
        ("age", "300"),
    ] {
        bad.push((field, value.into()));
    }
    for field in [
        "first_name",
        "last_name",
        "purpose",
        "place_text",
        "safe_times",
        "contact_name",
        "contact_org",
        "contact_email",
        "email",
        "phone",
        "language",
        "wished_language",
    ] {
        bad.push((field, long(100_000)));
    }
    Scenario {
        path: path.to_string(),
        api,
        good,
        bad,
    }
}

fn absence_scenario(path: &'static str, api: bool) -> Scenario {
    let mut bad = Vec::new();
    for (from, to) in [
        ("0000-01-01", "2026-03-12"),
        ("2026-03-10", "9999-12-31"),
        ("2026-02-30", "2026-03-12"),
        ("2026-03-10", "2026-13-01"),
        ("2026-03-12", "2026-03-10"),
        ("", ""),
    ] {
        bad.push(("from", from.to_string()));
        bad.push(("to", to.to_string()));
    }
    Scenario {
        path: path.to_string(),
        api,
        good: vec![("from", "2026-03-10".into()), ("to", "2026-03-12".into())],
        // Pairs: applied two at a time below.
        bad,
    }
}

fn profile_scenario(path: &'static str, api: bool) -> Scenario {
    let mut bad: Vec<(&'static str, String)> = vec![
        ("town", "Atlantis".into()),
        ("areas", "9999".into()),
        ("skills", "juggling".into()),
        ("gender", "dragon".into()),
        ("languages", "klingon".into()),
        ("max_travel_minutes", "-5".into()),
        ("max_open_cases", "100000000000000000000".into()),
        ("max_hours_per_week", "ti".into()),
    ];
    for field in ["town", "languages", "phone"] {
        bad.push((field, long(100_000)));
    }
    Scenario {
        path: path.to_string(),
        api,
        good: vec![
            ("town", "Aarhus".into()),
            ("max_travel_minutes", "60".into()),
            ("max_open_cases", "5".into()),
            ("max_hours_per_week", "10".into()),
            ("languages", "da".into()),
            ("phone", "20 30 40 50".into()),
        ],
        bad,
    }
}

fn application_scenario() -> Scenario {
    let mut bad: Vec<(&'static str, String)> = vec![
        ("town", "Atlantis".into()),
        ("heard_of", "tv".into()),
        ("email", "ikke en adresse".into()),
    ];
    for field in ["name", "email", "town", "motivation", "phone"] {
        bad.push((field, long(100_000)));
    }
    Scenario {
        path: "/o/bv/bliv-bisidder".into(),
        api: false,
        good: vec![
            ("name", "Vera Frivillig".into()),
            ("email", "vera@example.dk".into()),
            ("phone", "20 30 40 50".into()),
            ("town", "Aarhus".into()),
            ("motivation", "Jeg vil gerne hjælpe.".into()),
        ],
        bad,
    }
}

fn report_scenario(path: String, api: bool) -> Scenario {
    let mut bad: Vec<(&'static str, String)> = vec![
        ("category", "hekseri".into()),
        ("kommune", "9999".into()),
        ("cpr", "010312-40".into()),
        ("cpr", "020312-4001".into()),
        ("cpr", "320112-4001".into()),
    ];
    for d in ["0000-01-01", "9999-12-31", "2026-02-30"] {
        bad.push(("child_birth_date", d.into()));
    }
    for field in ["child_name", "description"] {
        bad.push((field, long(100_000)));
    }
    Scenario {
        path,
        api,
        good: vec![
            ("child_name", "Emma Jensen".into()),
            ("child_birth_date", "2012-03-01".into()),
            ("kommune", "0101".into()),
            ("category", "mistrivsel".into()),
            ("description", "Beskrivelse".into()),
        ],
        bad,
    }
}

fn record_scenario(path: String) -> Scenario {
    let mut bad: Vec<(&'static str, String)> = vec![("kind", "hekseri".into())];
    for d in ["0000-01-01", "9999-12-31", "2026-02-30", "2027-01-01"] {
        bad.push(("done_on", d.into()));
    }
    for d in ["9999-12-31", "2026-13-01", "2025-01-01"] {
        bad.push(("expires_on", d.into()));
    }
    bad.push(("note", long(100_000)));
    Scenario {
        path,
        api: false,
        good: vec![
            ("kind", "external_course".into()),
            ("done_on", "2026-02-01".into()),
            ("expires_on", "2028-02-01".into()),
        ],
        bad,
    }
}

fn encode(api: bool, fields: &[(&str, String)]) -> (&'static str, Vec<u8>) {
    if api {
        let obj: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
            .collect();
        (
            "application/json",
            serde_json::to_vec(&serde_json::Value::Object(obj)).unwrap(),
        )
    } else {
        (
            "application/x-www-form-urlencoded",
            serde_urlencoded::to_string(fields).unwrap().into_bytes(),
        )
    }
}

/// The valid body with `changes` replacing (or adding) fields.
fn with(
    good: &[(&'static str, String)],
    changes: &[(&'static str, String)],
) -> Vec<(&'static str, String)> {
    let mut out: Vec<_> = good
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    out.extend_from_slice(changes);
    out
}

on_both!(
    out_of_range_dates_unknown_codes_and_long_strings_are_refused_in_the_users_language,
    |app: TestApp| async move {
        let secure = app.state.config.secure_cookies();
        let langs = langs();
        let mut anonymous = app.client();
        let caseworker_email = app.user("Sara Sagsbehandler", &[Role::Requester]).await;
        let mut caseworker = app.client();
        caseworker.login(&caseworker_email, PASSWORD).await;
        let (_, caseworker_token) = bisidder::auth::admin::create_token(
            &app.state.db,
            app.state.clock.now_us(),
            &caseworker_email,
            "bv",
            "bad input",
        )
        .await
        .unwrap();
        let (bisidder_id, bisidder_email) = app.bisidder("Bo Bisidder", "Aarhus", "children").await;
        let org = app.org_id.clone();
        let mut coordinator = app
            .signed_in("Cille Koordinator", &[Role::Coordinator])
            .await;
        let case = crate::cases::seed_case(&app, &org, &bisidder_id, "Emma")
            .await
            .case;
        let mut bisidder = app.client();
        bisidder.login(&bisidder_email, PASSWORD).await;
        let (_, bisidder_token) = bisidder::auth::admin::create_token(
            &app.state.db,
            app.state.clock.now_us(),
            &bisidder_email,
            "bv",
            "bad input",
        )
        .await
        .unwrap();

        let scenarios = [
            (request_scenario("/o/bv/anmod?for=self", false, true), 0),
            (request_scenario("/requests/new", false, false), 1),
            (request_scenario("/api/v1/requests", true, false), 2),
            (absence_scenario("/me/absences", false), 3),
            (absence_scenario("/api/v1/me/absences", true), 4),
            (profile_scenario("/me/profile", false), 3),
            (profile_scenario("/api/v1/me/profile", true), 4),
            (application_scenario(), 0),
            (report_scenario(format!("/cases/{case}/reports"), false), 3),
            (
                report_scenario(format!("/api/v1/cases/{case}/reports"), true),
                4,
            ),
            (
                record_scenario(format!("/volunteers/people/{bisidder_id}/records")),
                5,
            ),
        ];
        let mut sent = 0;
        let mut failures: Vec<String> = Vec::new();
        for (s, who) in &scenarios {
            let method = if s.path == "/api/v1/me/profile" {
                "PUT"
            } else {
                "POST"
            };
            let pair = s.path.contains("absences");
            let changes: Vec<Vec<(&'static str, String)>> = if pair {
                s.bad.chunks(2).map(<[_]>::to_vec).collect()
            } else {
                s.bad.iter().map(|c| vec![c.clone()]).collect()
            };
            let before = rows(&app).await;
            for change in &changes {
                // Danish for every case, English for every third, to keep the run short.
                for lang in langs.iter().take(if sent % 3 == 0 { 2 } else { 1 }) {
                    let (ct, body) = encode(s.api, &with(&s.good, change));
                    let mut caller = match who {
                        0 => Caller {
                            client: &mut anonymous,
                            bearer: None,
                        },
                        1 => Caller {
                            client: &mut caseworker,
                            bearer: None,
                        },
                        2 => Caller {
                            client: &mut caseworker,
                            bearer: Some(caseworker_token.as_str()),
                        },
                        3 => Caller {
                            client: &mut bisidder,
                            bearer: None,
                        },
                        5 => Caller {
                            client: &mut coordinator,
                            bearer: None,
                        },
                        _ => Caller {
                            client: &mut bisidder,
                            bearer: Some(bisidder_token.as_str()),
                        },
                    };
                    let resp = caller.send(lang, secure, method, &s.path, ct, body).await;
                    sent += 1;
                    let shown: Vec<String> = change
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.chars().take(12).collect::<String>()))
                        .collect();
                    let label = format!("{method} {} with {shown:?} in {}", s.path, lang.code);
                    failures.extend(clear(&resp, lang, &label).err());
                }
            }
            let after = rows(&app).await;
            if after != before {
                failures.push(format!(
                    "{method} {}: bad values changed stored rows: {}",
                    s.path,
                    changed(&before, &after)
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} findings:\n{}",
            failures.len(),
            failures.join("\n")
        );
        // The valid bodies are accepted, so each refusal above was for the bad value.
        for (s, who) in &scenarios {
            let method = if s.path == "/api/v1/me/profile" {
                "PUT"
            } else {
                "POST"
            };
            let (ct, body) = encode(s.api, &s.good);
            let (client, bearer) = match who {
                0 => (&mut anonymous, None),
                1 => (&mut caseworker, None),
                2 => (&mut caseworker, Some(caseworker_token.as_str())),
                3 => (&mut bisidder, None),
                5 => (&mut coordinator, None),
                _ => (&mut bisidder, Some(bisidder_token.as_str())),
            };
            let resp = Caller { client, bearer }
                .send(&langs[0], secure, method, &s.path, ct, body)
                .await;
            assert!(
                resp.status.is_success() || resp.status.is_redirection(),
                "{method} {}: the valid body was refused: {} {}",
                s.path,
                resp.status,
                head(&resp.body)
            );
        }
        eprintln!("bad values: {sent} requests");
    }
);
