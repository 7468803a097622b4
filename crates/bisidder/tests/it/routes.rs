//! The route walk: every role (and anonymous visitors, and a half-signed-in browser) sent to
//! every route in bisidder::routes::ROUTES; the answer must match the policy module.
//! A second test makes sure no route in the source is missing from that table.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::{
    policy::{role_can, Role},
    routes::{Access, RouteSpec, ROUTES},
};

/// A path with its parameters filled in: ids that do not exist, the test org's slug.
pub fn concrete(path: &str) -> String {
    path.replace("{token}", "no-such-token")
        .replace("{*path}", "app.css")
        .replace("{id}", "01HZZZZZZZZZZZZZZZZZZZZZZZ")
        .replace("{slug}", "bv")
        .replace("{file}", "no-such-token.ics")
        + if path == "/api/v1/stats/annual" {
            "?org=bv&year=2025"
        } else {
            ""
        }
}

pub async fn call(c: &mut Client, r: &RouteSpec, bearer: Option<&str>) -> Resp {
    let path = concrete(r.path);
    if let Some(token) = bearer {
        let mut b = axum::http::Request::builder()
            .method(r.method)
            .uri(&path)
            .header("authorization", format!("Bearer {token}"));
        let body = if r.method != "GET" {
            b = b.header("content-type", "application/json");
            axum::body::Body::from("{}")
        } else {
            axum::body::Body::empty()
        };
        return c.send(b.body(body).unwrap()).await;
    }
    match r.method {
        "GET" => c.get(&path).await,
        "POST" => c.post(&path, &[]).await,
        "PUT" => {
            let csrf = c.csrf();
            let req = axum::http::Request::put(&path)
                .header("origin", PUBLIC_URL)
                .header("x-csrf-token", csrf)
                .body(axum::body::Body::empty())
                .unwrap();
            c.send(req).await
        }
        m => panic!("route table has method {m}; teach the walk to send it"),
    }
}

fn denied(resp: &Resp) -> bool {
    matches!(
        resp.status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ) || resp.location() == "/login"
}

on_both!(
    every_role_meets_the_policy_on_every_route,
    |app: TestApp| async move {
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

        let mut signed_in = Vec::new();
        for role in Role::ALL {
            let name = format!("Walk {}", role.as_str().replace('_', " "));
            let email = app.user(&name, &[role]).await;
            let mut c = app.client();
            c.ip = format!("10.9.0.{}", signed_in.len() + 1).parse().unwrap();
            c.login(&email, PASSWORD).await;
            let (_, token) = if role == Role::PlatformAdmin {
                (String::new(), String::new())
            } else {
                bisidder::auth::admin::create_token(
                    &app.state.db,
                    app.state.clock.now_us(),
                    &email,
                    "bv",
                    "walk",
                )
                .await
                .unwrap()
            };
            signed_in.push((role, c, token));
        }

        let mut checked = 0;
        for r in ROUTES {
            // Logging out ends the walker's session; it is walked last, below.
            if r.path == "/logout" {
                continue;
            }
            let anon = call(&mut anonymous, r, None).await;
            let half = call(&mut pending, r, None).await;
            match r.access {
                Access::Public => {
                    assert!(
                        !denied(&anon),
                        "{} {} denied to anonymous: {}",
                        r.method,
                        r.path,
                        anon.status
                    );
                }
                Access::PendingLogin => {
                    assert!(denied(&anon), "{} {} open to anonymous", r.method, r.path);
                    assert!(
                        !denied(&half),
                        "{} {} denied to a half-signed-in browser: {}",
                        r.method,
                        r.path,
                        half.status
                    );
                }
                Access::SignedIn | Access::Allowed(_) | Access::Record(_) => {
                    assert_eq!(
                        anon.location(),
                        "/login",
                        "{} {} must send anonymous visitors to sign in",
                        r.method,
                        r.path
                    );
                    assert_eq!(
                        half.location(),
                        "/login",
                        "{} {} must not open before the second factor",
                        r.method,
                        r.path
                    );
                }
                Access::Person => {
                    for resp in [&anon, &half] {
                        assert_eq!(
                            resp.status,
                            StatusCode::UNAUTHORIZED,
                            "{} {} without a Min sag session",
                            r.method,
                            r.path
                        );
                        assert_eq!(
                            resp.location(),
                            "",
                            "a person is never sent to staff sign-in"
                        );
                    }
                }
                Access::Token(_) | Access::TokenRecord(_) => {
                    assert_eq!(
                        anon.status,
                        StatusCode::UNAUTHORIZED,
                        "{} {}",
                        r.method,
                        r.path
                    );
                    assert_eq!(anon.json()["error"], "unauthenticated");
                }
            }
            for (role, c, token) in signed_in.iter_mut() {
                let resp = call(c, r, None).await;
                let label = format!("{} {} as {}", r.method, r.path, role.as_str());
                match r.access {
                    Access::Public | Access::SignedIn => {
                        assert!(!denied(&resp), "{label}: {}", resp.status)
                    }
                    // A staff session is not a Min sag session.
                    Access::Person => assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{label}"),
                    Access::PendingLogin => assert!(
                        denied(&resp),
                        "{label}: a fully signed-in user has no half sign-in"
                    ),
                    Access::Allowed(action) => {
                        if !role_can(*role, action) {
                            assert_eq!(resp.status, StatusCode::FORBIDDEN, "{label}");
                        } else if r.method == "GET" {
                            assert_eq!(resp.status, StatusCode::OK, "{label}");
                        } else {
                            assert!(!denied(&resp), "{label}: {}", resp.status);
                        }
                    }
                    Access::Record(action) => {
                        let expected = if role_can(*role, action) {
                            StatusCode::NOT_FOUND
                        } else {
                            StatusCode::FORBIDDEN
                        };
                        assert_eq!(resp.status, expected, "{label}");
                    }
                    Access::Token(action) | Access::TokenRecord(action) => {
                        assert_eq!(
                            resp.status,
                            StatusCode::UNAUTHORIZED,
                            "{label}: a browser session is not an API token"
                        );
                        if !token.is_empty() {
                            let with_token = call(c, r, Some(token)).await;
                            let status = with_token.status;
                            match (r.access, role_can(*role, action)) {
                                (_, false) => {
                                    assert_eq!(status, StatusCode::FORBIDDEN, "{label} with token")
                                }
                                (Access::TokenRecord(_), true) => {
                                    assert_eq!(status, StatusCode::NOT_FOUND, "{label} with token")
                                }
                                _ if r.method == "GET" => {
                                    assert_eq!(status, StatusCode::OK, "{label} with token")
                                }
                                _ => assert!(
                                    !matches!(
                                        status,
                                        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                                    ),
                                    "{label} with token: {status}"
                                ),
                            }
                        }
                    }
                }
                checked += 1;
            }
        }
        assert!(checked >= ROUTES.len() * 6);
        let logout = ROUTES.iter().find(|r| r.path == "/logout").unwrap();
        for (role, c, _) in signed_in.iter_mut() {
            let resp = call(c, logout, None).await;
            assert_eq!(resp.location(), "/", "logout as {}", role.as_str());
            assert_eq!(c.get("/start").await.location(), "/login");
        }
    }
);

/// Every `.route("…", …)` in the source must be in ROUTES with the same methods, so a new
/// route cannot escape the walk above.
#[test]
fn route_table_lists_every_route_in_the_source() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    visit(&root, &mut found);
    assert!(
        found.len() >= 10,
        "found only {} routes; is the scan broken?",
        found.len()
    );
    for (path, methods) in &found {
        for m in methods {
            assert!(
                ROUTES.iter().any(|r| r.path == path && r.method == *m),
                "{m} {path} is routed in the source but missing from routes::ROUTES"
            );
        }
    }
    for r in ROUTES {
        assert!(
            found
                .iter()
                .any(|(p, ms)| p == r.path && ms.contains(&r.method.to_string())),
            "{} {} is in ROUTES but not routed",
            r.method,
            r.path
        );
    }
}

fn visit(dir: &std::path::Path, out: &mut Vec<(String, Vec<String>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            visit(&p, out);
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, _) in text.match_indices(".route(") {
            // The argument list of this .route( … ), however rustfmt wrapped it.
            let args = &text[i + 7..];
            let mut depth = 1;
            let end = args
                .char_indices()
                .find(|(_, ch)| {
                    match ch {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(j, _)| j)
                .unwrap();
            let call = &args[..end];
            let Some(q) = call.trim_start().strip_prefix('"') else {
                continue;
            };
            let path = &q[..q.find('"').unwrap()];
            let mut methods = Vec::new();
            for (needle, m) in [
                ("get(", "GET"),
                ("post(", "POST"),
                ("put(", "PUT"),
                ("delete(", "DELETE"),
                ("patch(", "PATCH"),
            ] {
                if call.contains(needle) {
                    methods.push(m.to_string());
                }
            }
            out.push((path.to_string(), methods));
        }
    }
}
