//! The access matrix (SPEC §8, issue 8): generated from `routes::ROUTES` and the policy,
//! not written by hand. Every route and API operation is sent by every role (and an
//! anonymous visitor) against REAL records: the actor's own record, another bisidder's
//! record in the same organisation (need to know) and another organisation's record.
//!
//! Expectations come from `policy::role_can` and the route's Access rule:
//! * not allowed by role → 403, exactly as for an id that does not exist;
//! * allowed by role but another's record → 404 (never 403: existence is not revealed)
//!   and exactly one audit row with outcome `denied` for the refused lookup;
//! * allowed → 2xx/3xx (reads of one's own records; changes by those allowed are left
//!   to the flow tests, which check their content).
//!
//! Refused changes change nothing: every table but the audit log and sessions is the same
//! after the walk as before it. The OpenAPI document is cross-checked against ROUTES.

use crate::{
    helpers::*,
    minsag::{assigned_case, CHILD},
    on_both,
    routes::{call, concrete},
    snapshot::{diff, snapshot},
};
use axum::http::StatusCode;
use bisidder::{
    policy::{role_can, Role},
    routes::{Access, RouteSpec, ROUTES},
};

/// Whose record an `{id}` points to, seen from the actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Whose {
    /// The actor's own organisation, and (for a bisidder) their own case.
    Own,
    /// The same organisation, but another bisidder's case.
    OtherBisidder,
    /// Another organisation's record.
    OtherOrg,
}

struct Records {
    request: String,
    case: String,
    person: String,
    appointment: String,
    report: String,
    inquiry: String,
    availability: String,
    absence: String,
    offer: String,
    application: Option<String>,
    bisidder_user: String,
}

impl Records {
    /// The real record a route's `{id}` names, if the fixture has one, and whether it
    /// belongs to one bisidder (so need-to-know applies to other bisiddere).
    fn id_for(&self, path: &str) -> Option<(String, bool)> {
        let p = path;
        let one = |s: &String, owned: bool| Some((s.clone(), owned));
        if p.starts_with("/cases/{id}")
            || p.starts_with("/api/v1/cases/{id}")
            || p.starts_with("/me/cases/{id}")
            || p.starts_with("/privacy/cases/{id}")
        {
            return one(&self.case, true);
        }
        if p.starts_with("/appointments/{id}") || p.starts_with("/api/v1/appointments/{id}") {
            return one(&self.appointment, true);
        }
        if p.starts_with("/reports/{id}") || p.starts_with("/api/v1/reports/{id}") {
            return one(&self.report, true);
        }
        if p.ends_with("/standby") || p.starts_with("/me/requests/{id}") {
            return one(&self.request, true);
        }
        if p.starts_with("/intake/{id}") || p.starts_with("/api/v1/requests/{id}") {
            return one(&self.request, false);
        }
        if p.starts_with("/inquiries/{id}") {
            return one(&self.inquiry, false);
        }
        if p.starts_with("/persons/{id}") || p.starts_with("/api/v1/persons/{id}") {
            return one(&self.person, false);
        }
        if p.starts_with("/me/availability/{id}") {
            return one(&self.availability, true);
        }
        if p.starts_with("/me/absences/{id}") {
            return one(&self.absence, true);
        }
        if p.starts_with("/me/offers/{id}") || p.starts_with("/api/v1/offers/{id}") {
            return one(&self.offer, true);
        }
        if p.starts_with("/volunteers/people/{id}") {
            return one(&self.bisidder_user, false);
        }
        if p.starts_with("/volunteers/applications/{id}") {
            return self.application.clone().map(|a| (a, false));
        }
        None
    }
}

struct Actor {
    label: String,
    role: Role,
    client: Client,
    token: String,
    /// In the organisation that owns the records.
    home: bool,
    /// The bisidder the fixture's case is assigned to.
    assigned: bool,
}

async fn token_for(app: &TestApp, email: &str, slug: &str) -> String {
    bisidder::auth::admin::create_token(
        &app.state.db,
        app.state.clock.now_us(),
        email,
        slug,
        "matrix",
    )
    .await
    .unwrap()
    .1
}

async fn denied_rows(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
        .await
}

fn ok(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

fn with_id(r: &RouteSpec, id: &str) -> RouteSpec {
    // A leaked &'static str per record route: a few hundred bytes per test run.
    let path: &'static str = Box::leak(r.path.replace("{id}", id).into_boxed_str());
    RouteSpec {
        method: r.method,
        path,
        access: r.access,
    }
}

on_both!(
    access_matrix_over_every_route_role_and_ownership,
    |app: TestApp| async move {
        let mut s = assigned_case(&app).await;
        let pool = &app.state.db.pool;
        let appointment: String =
            sqlx::query_scalar("SELECT id FROM appointments WHERE request_id = $1 LIMIT 1")
                .bind(&s.request)
                .fetch_one(pool)
                .await
                .unwrap();
        let (birte, availability): (String, String) = sqlx::query_as(
            "SELECT user_id, id FROM availability WHERE user_id = (SELECT bisidder_user_id FROM cases WHERE id = $1) LIMIT 1",
        )
        .bind(&s.case)
        .fetch_one(pool)
        .await
        .unwrap();
        // A report of concern and a network inquiry, through the real forms.
        let r = s
            .bisidder
            .post(
                &format!("/cases/{}/reports", s.case),
                &[
                    ("child_name", "Zorvakinda Jensen"),
                    ("child_birth_date", "2014-03-01"),
                    ("kommune", "0751"),
                    ("category", "psykisk_vold"),
                    ("description", "Matrixbekymring"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let report: String =
            sqlx::query_scalar("SELECT id FROM reports_of_concern WHERE case_id = $1")
                .bind(&s.case)
                .fetch_one(pool)
                .await
                .unwrap();
        let mut senior = app.signed_in("Sif Senior", &[Role::SeniorConsultant]).await;
        let r = senior
            .post(
                &format!("/cases/{}/inquiries", s.case),
                &[
                    ("from_role", "parent"),
                    ("from_name", "Far"),
                    ("channel", "phone"),
                    ("question", "Hvornår er mødet?"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}",
            r.text("[role=alert]").unwrap_or_default()
        );
        let inquiry: String =
            sqlx::query_scalar("SELECT id FROM network_inquiries WHERE case_id = $1")
                .bind(&s.case)
                .fetch_one(pool)
                .await
                .unwrap();
        let mut public = app.client();
        public
            .post(
                "/o/bv/bliv-bisidder",
                &[
                    ("name", "Vera Frivillig"),
                    ("email", "vera@frivillig.dk"),
                    ("town", "Aarhus"),
                    ("motivation", "Jeg vil gerne hjælpe"),
                    ("heard_of", "friend"),
                ],
            )
            .await;
        let application: Option<String> =
            sqlx::query_scalar("SELECT id FROM volunteer_applications LIMIT 1")
                .fetch_optional(pool)
                .await
                .unwrap();
        assert!(
            application.is_some(),
            "the volunteer application fixture was stored"
        );
        // Birte's absence through her form; an offer to her (pending, as the offer round
        // leaves it) written directly, since her request is already assigned.
        let r = s
            .bisidder
            .post(
                "/me/absences",
                &[
                    ("from", "2026-05-04"),
                    ("to", "2026-05-05"),
                    ("note", "ferie"),
                ],
            )
            .await;
        assert!(r.status.is_redirection(), "absence: {}", r.status);
        let absence: String = sqlx::query_scalar("SELECT id FROM absences WHERE user_id = $1")
            .bind(&birte)
            .fetch_one(pool)
            .await
            .unwrap();
        let offer = ulid::Ulid::new().to_string();
        sqlx::query("INSERT INTO offers (id, org_id, request_id, bisidder_user_id, strategy, rank, status, created_at) VALUES ($1, $2, $3, $4, 'sequential', 1, 'pending', 0)")
            .bind(&offer)
            .bind(&app.org_id)
            .bind(&s.request)
            .bind(&birte)
            .execute(pool)
            .await
            .unwrap();
        let rec = Records {
            request: s.request.clone(),
            case: s.case.clone(),
            person: s.person.clone(),
            appointment,
            report,
            inquiry,
            availability,
            absence,
            offer,
            application,
            bisidder_user: birte,
        };

        // Every role in the records' organisation and in another one; the assigned
        // bisidder; an anonymous visitor.
        let mut actors = Vec::new();
        for (home, org) in [
            (true, app.org_id.clone()),
            (false, app.other_org_id.clone()),
        ] {
            for role in Role::ALL {
                if role == Role::PlatformAdmin && !home {
                    continue; // a platform admin belongs to no organisation
                }
                let label = format!(
                    "{} {}",
                    if home { "Hjem" } else { "Ude" },
                    role.as_str().replace('_', " ")
                );
                let email = app.user_in(&label, &[role], &org).await;
                let mut c = app.client();
                c.login(&email, PASSWORD).await;
                let token = if role == Role::PlatformAdmin {
                    String::new()
                } else {
                    token_for(&app, &email, if home { "bv" } else { "odense" }).await
                };
                actors.push(Actor {
                    label,
                    role,
                    client: c,
                    token,
                    home,
                    assigned: false,
                });
            }
        }
        let token = token_for(&app, &s.bisidder_email, "bv").await;
        actors.push(Actor {
            label: "assigned bisidder".into(),
            role: Role::Bisidder,
            client: std::mem::replace(&mut s.bisidder, app.client()),
            token,
            home: true,
            assigned: true,
        });
        let mut anonymous = app.client();

        let before = snapshot(&app.state.db).await;
        let mut cells = 0usize;
        let mut refused_lookups = 0usize;
        let mut problems: Vec<String> = Vec::new();
        let mut own_reads = 0usize;
        for r in ROUTES {
            if r.path == "/logout" || r.path == "/minsag/logout" {
                continue; // ends the walker's session; routes.rs walks it
            }
            let real = rec.id_for(r.path);
            let record_route = matches!(r.access, Access::Record(_) | Access::TokenRecord(_));
            if record_route && real.is_none() {
                // No fixture for this record kind: the nonexistent-id walk in routes.rs
                // covers it; counted there, not here.
                continue;
            }
            let spec = match &real {
                Some((id, _)) => with_id(r, id),
                None => *r,
            };
            // Anonymous visitors.
            let anon = call(&mut anonymous, &spec, None).await;
            match r.access {
                Access::Public => assert!(
                    anon.status.as_u16() < 500,
                    "{} {}: {}",
                    r.method,
                    r.path,
                    anon.status
                ),
                Access::Token(_) | Access::TokenRecord(_) | Access::Person => {
                    assert_eq!(
                        anon.status,
                        StatusCode::UNAUTHORIZED,
                        "anonymous {} {}",
                        r.method,
                        r.path
                    )
                }
                _ => assert_eq!(
                    anon.location(),
                    "/login",
                    "anonymous {} {}",
                    r.method,
                    r.path
                ),
            }
            cells += 1;
            for a in actors.iter_mut() {
                let action = match r.access {
                    Access::Allowed(x)
                    | Access::Record(x)
                    | Access::Token(x)
                    | Access::TokenRecord(x) => x,
                    _ => continue, // public, sign-in and Min sag pages: routes.rs
                };
                let api = matches!(r.access, Access::Token(_) | Access::TokenRecord(_));
                if api && a.token.is_empty() {
                    continue;
                }
                let bearer = api.then_some(a.token.as_str());
                let whose = match (&real, a.home) {
                    (_, false) => Whose::OtherOrg,
                    (Some((_, true)), true) if a.role == Role::Bisidder && !a.assigned => {
                        Whose::OtherBisidder
                    }
                    _ => Whose::Own,
                };
                let allowed = role_can(a.role, action);
                if whose == Whose::Own && allowed && r.method != "GET" {
                    continue; // a change by someone allowed: the flow tests check it
                }
                if !record_route && !a.home && allowed && r.method != "GET" {
                    continue; // a change in the actor's own (other) organisation
                }
                let label = format!("{} {} as {} ({whose:?})", r.method, r.path, a.label);
                let denied_before = denied_rows(&app).await;
                let resp = call(&mut a.client, &spec, bearer).await;
                cells += 1;
                if !a.home && concrete(r.path).contains("org=bv") {
                    // Names another organisation in its query (aggregates, no personal
                    // data): not found, whatever the role.
                    if resp.status != StatusCode::NOT_FOUND {
                        problems.push(format!("{label}: {} not 404", resp.status));
                    }
                    continue;
                }
                if !allowed {
                    if resp.status != StatusCode::FORBIDDEN {
                        problems.push(format!("{label}: {} not 403", resp.status));
                    }
                    if record_route {
                        // Indistinguishable from an id that does not exist.
                        let ghost = call(
                            &mut a.client,
                            &with_id(r, "01HZZZZZZZZZZZZZZZZZZZZZZZ"),
                            bearer,
                        )
                        .await;
                        if ghost.status != resp.status {
                            problems.push(format!(
                                "{label}: {} but {} for a missing id",
                                resp.status, ghost.status
                            ));
                        }
                    }
                    continue;
                }
                match (record_route, whose) {
                    (true, Whose::OtherOrg | Whose::OtherBisidder) => {
                        if resp.status != StatusCode::NOT_FOUND {
                            problems.push(format!("{label}: {} not 404", resp.status));
                            continue;
                        }
                        assert!(
                            !resp.body.contains(CHILD),
                            "{label}: the 404 shows the child"
                        );
                        let audited = denied_rows(&app).await - denied_before;
                        if audited != 1 {
                            problems.push(format!(
                                "{label}: {audited} audit rows for the refused lookup, not 1"
                            ));
                        }
                        refused_lookups += 1;
                    }
                    _ => {
                        if !ok(resp.status) {
                            problems.push(format!(
                                "{label}: {} {}",
                                resp.status,
                                resp.body.chars().take(200).collect::<String>()
                            ));
                        }
                        assert_ne!(resp.location(), "/login", "{label}");
                        // The right content: a record page shows that record.
                        if let (true, Some((id, _))) = (resp.status == StatusCode::OK, &real) {
                            // A record page names it (its id, the child, the bisidder); a
                            // collection under it (notes, reports, timeline, candidates) is
                            // a JSON list of what this actor may see, possibly empty.
                            let collection = ["/notes", "/reports", "/timeline", "/candidates"]
                                .iter()
                                .any(|c| r.path.ends_with(c));
                            let shows = resp.body.contains(id.as_str())
                                || resp.body.contains(CHILD)
                                || resp.body.contains("Birte")
                                || (collection
                                    && serde_json::from_str::<serde_json::Value>(&resp.body)
                                        .is_ok());
                            if !shows {
                                problems.push(format!("{label}: 200 without the record"));
                            }
                            own_reads += 1;
                        }
                    }
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} cells off the policy:\n{}",
            problems.len(),
            problems.join("\n")
        );
        let after = snapshot(&app.state.db).await;
        let changed = diff(&before, &after, &["audit_log", "audit_head", "sessions"]);
        assert!(
            changed.is_empty(),
            "refused requests changed data: {changed:#?}"
        );
        // Last, the changes to one's own records by those allowed, with an empty form or
        // body: let through to validation (or done), never refused. They change data, so
        // they come after the snapshot comparison.
        let mut own_changes = 0usize;
        for r in ROUTES.iter().filter(|r| r.method != "GET") {
            let (Access::Record(action) | Access::TokenRecord(action)) = r.access else {
                continue;
            };
            let Some((id, owned)) = rec.id_for(r.path) else {
                continue;
            };
            let spec = with_id(r, &id);
            for a in actors
                .iter_mut()
                .filter(|a| a.home && role_can(a.role, action))
            {
                if owned && a.role == Role::Bisidder && !a.assigned {
                    continue;
                }
                let api = matches!(r.access, Access::TokenRecord(_));
                if api && a.token.is_empty() {
                    continue;
                }
                let resp = call(&mut a.client, &spec, api.then_some(a.token.as_str())).await;
                cells += 1;
                own_changes += 1;
                let label = format!("{} {} as {} (own record)", r.method, r.path, a.label);
                if matches!(
                    resp.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ) || resp.status.is_server_error()
                    || resp.location() == "/login"
                {
                    problems.push(format!("{label}: {} {}", resp.status, resp.location()));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} changes of one's own record refused:\n{}",
            problems.len(),
            problems.join("\n")
        );
        eprintln!(
            "MATRIX: {cells} cells ({} routes × {} actors + anonymous; {refused_lookups} refused lookups of another's record, each 404 + one audit row; {own_reads} reads of one's own record showing it; {own_changes} changes of one's own record let through) on {:?}",
            ROUTES.len(),
            actors.len(),
            app.backend
        );
        assert!(
            refused_lookups >= 40,
            "only {refused_lookups} refused lookups: is the fixture broken?"
        );
    }
);

// Every operation in /api/openapi.json is a route in ROUTES (so the matrix walks it), and
// every API route in ROUTES is documented.
on_both!(
    openapi_and_route_table_list_the_same_operations,
    |app: TestApp| async move {
        let doc = app.client().get("/api/openapi.json").await.json();
        let norm = |p: &str| {
            let mut out = String::new();
            let mut in_param = false;
            for ch in p.chars() {
                match ch {
                    '{' => {
                        in_param = true;
                        out.push_str("{id}");
                    }
                    '}' => in_param = false,
                    _ if in_param => {}
                    c => out.push(c),
                }
            }
            out
        };
        let mut documented = Vec::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                let m = method.to_uppercase();
                if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&m.as_str()) {
                    continue;
                }
                documented.push((m, norm(path)));
            }
        }
        let mut missing_from_routes = Vec::new();
        for (m, p) in &documented {
            if !ROUTES.iter().any(|r| r.method == m && norm(r.path) == *p) {
                missing_from_routes.push(format!("{m} {p}"));
            }
        }
        assert!(
            missing_from_routes.is_empty(),
            "documented but not in ROUTES: {missing_from_routes:?}"
        );
        let mut undocumented = Vec::new();
        for r in ROUTES.iter().filter(|r| r.path.starts_with("/api/v1/")) {
            if !documented
                .iter()
                .any(|(m, p)| m == r.method && *p == norm(r.path))
            {
                undocumented.push(format!("{} {}", r.method, r.path));
            }
        }
        assert!(
            undocumented.is_empty(),
            "API routes missing from /api/openapi.json: {undocumented:?}"
        );
        eprintln!(
            "SECURITY: openapi {} operations, all in ROUTES",
            documented.len()
        );
    }
);
