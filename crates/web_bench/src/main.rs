//! The web benchmark's helper (SPEC §8 "Web", issue 7), run by `bench/web.sh`; see
//! bench/WEB.md. Subcommands:
//!
//! * `seed`: a database created by the normal start-up (`bisidder::open`), the demo
//!   dataset (`bisidder demo`'s), its history cloned up to `--requests` requests
//!   (`scale.rs`), fresh offers for the accept-offer measurement, API tokens; prints JSON.
//! * `signin`: signs a user in over HTTP like a browser (password, then TOTP enrolment or
//!   code, CSRF double-submit); prints the `Cookie` header value.
//! * `ceiling`: the ceiling servers — a bare axum handler (`/bare`) and one `SELECT`
//!   through the app's own pool (`/one`) on the same database.
//! * `accept`: an open-loop fixed-rate generator for POST /api/v1/offers/{id}/accept (a
//!   fresh offer per request, which oha cannot do); latency from the intended send time.

mod scale;

use anyhow::{bail, Context};
use bisidder::{clock::Clock, config::Config};
use clap::{Parser, Subcommand};
use std::{collections::BTreeMap, path::PathBuf, time::Duration};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    Seed {
        #[arg(long)]
        db: String,
        #[arg(long)]
        data_dir: PathBuf,
        /// Requests in all (the demo's history is cloned, shifted back in time, to reach it).
        #[arg(long, default_value_t = 10_000)]
        requests: usize,
    },
    /// Pending offers for the demo bisidder (one is accepted per accept-offer request);
    /// prints their ids, one a line.
    Offers {
        #[arg(long)]
        db: String,
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        n: usize,
    },
    Signin {
        #[arg(long)]
        url: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
    Ceiling {
        #[arg(long)]
        db: String,
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        bind: std::net::SocketAddr,
    },
    Accept {
        #[arg(long)]
        url: String,
        #[arg(long)]
        token: String,
        /// A file with one offer id per line.
        #[arg(long)]
        offers: PathBuf,
        #[arg(long)]
        rate: f64,
        #[arg(long)]
        duration: f64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Seed {
            db,
            data_dir,
            requests,
        } => {
            let config = Config {
                database_url: db,
                data_dir,
                ..Config::default()
            };
            let state = bisidder::open(&config, Clock::system()).await?;
            let out = scale::seed(&state, requests).await?;
            println!("{}", serde_json::to_string(&out)?);
            state.db.pool.close().await;
            Ok(())
        }
        Cmd::Offers { db, data_dir, n } => {
            let config = Config {
                database_url: db,
                data_dir,
                ..Config::default()
            };
            let state = bisidder::open(&config, Clock::system()).await?;
            for id in scale::offers(&state, n).await? {
                println!("{id}");
            }
            state.db.pool.close().await;
            Ok(())
        }
        Cmd::Signin {
            url,
            email,
            password,
        } => {
            println!("{}", signin(&url, &email, &password).await?);
            Ok(())
        }
        Cmd::Ceiling { db, data_dir, bind } => ceiling(db, data_dir, bind).await,
        Cmd::Accept {
            url,
            token,
            offers,
            rate,
            duration,
        } => accept(&url, &token, &offers, rate, duration).await,
    }
}

/// A browser's sign-in: GET / for the CSRF cookie, POST /login, then the second factor
/// (enrolling on first sign-in, as every TOTP-required role does). Returns the Cookie header.
async fn signin(url: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let cookie = |jar: &BTreeMap<String, String>| {
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let keep = |jar: &mut BTreeMap<String, String>, r: &reqwest::Response| {
        for c in r.headers().get_all(reqwest::header::SET_COOKIE) {
            let c = c.to_str().unwrap_or_default();
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if c.contains("Max-Age=0") {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_string(), v.to_string());
                }
            }
        }
    };
    let csrf = |jar: &BTreeMap<String, String>| {
        jar.iter()
            .find(|(k, _)| k.ends_with("bisidder_csrf"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let r = client.get(format!("{url}/login")).send().await?;
    keep(&mut jar, &r);
    let post = |path: &str, fields: Vec<(&str, String)>, jar: &BTreeMap<String, String>| {
        let mut all = vec![("csrf", csrf(jar))];
        all.extend(fields);
        client
            .post(format!("{url}{path}"))
            .header("origin", url)
            .header("cookie", cookie(jar))
            .form(&all)
    };
    let r = post(
        "/login",
        vec![("email", email.into()), ("password", password.into())],
        &jar,
    )
    .send()
    .await?;
    keep(&mut jar, &r);
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (path, secret) = match location.as_str() {
        "/login/totp/enrol" => {
            let page = client
                .get(format!("{url}/login/totp/enrol"))
                .header("cookie", cookie(&jar))
                .send()
                .await?
                .text()
                .await?;
            let at = page
                .find("data-testid=\"totp-secret\"")
                .context("no TOTP secret on the enrolment page")?;
            let rest = &page[at..];
            let start = rest.find('>').context("secret")? + 1;
            let end = rest[start..].find('<').context("secret")?;
            let secret: String = rest[start..start + end]
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            ("/login/totp/enrol", secret)
        }
        other => bail!(
            "sign-in of {email}: unexpected answer {} → {other:?}",
            r.status()
        ),
    };
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let code = bisidder::auth::totp::code_at(&secret, unix).context("TOTP code")?;
    let r = post(path, vec![("code", code)], &jar).send().await?;
    keep(&mut jar, &r);
    let to = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    if to != "/start" {
        bail!("second factor of {email} refused: {} → {to:?}", r.status());
    }
    Ok(cookie(&jar))
}

/// The ceiling: what axum alone and one query through the app's pool cost on this machine.
async fn ceiling(db: String, data_dir: PathBuf, bind: std::net::SocketAddr) -> anyhow::Result<()> {
    use axum::{extract::State, routing::get, Router};
    let config = Config {
        database_url: db,
        data_dir,
        ..Config::default()
    };
    let state = bisidder::open(&config, Clock::system()).await?;
    async fn one(State(db): State<bisidder::store::Db>) -> Result<String, String> {
        sqlx::query_scalar::<_, String>("SELECT name FROM organisations WHERE slug = $1")
            .bind("demo-bv")
            .fetch_optional(&db.pool)
            .await
            .map(|n| n.unwrap_or_default())
            .map_err(|e| e.to_string())
    }
    let app = Router::new()
        .route("/bare", get(|| async { "ok" }))
        .route("/one", get(one))
        .with_state(state.db.clone());
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// Open loop: request i is due at start + i/rate and its latency runs from then, so a
/// slow server cannot slow the generator down (no coordinated omission).
async fn accept(
    url: &str,
    token: &str,
    offers: &std::path::Path,
    rate: f64,
    duration: f64,
) -> anyhow::Result<()> {
    let ids: Vec<String> = std::fs::read_to_string(offers)?
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let n = ((rate * duration) as usize).min(ids.len());
    if n < (rate * duration) as usize {
        eprintln!(
            "only {} fresh offers for {} requests",
            ids.len(),
            rate * duration
        );
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(n);
    for (i, id) in ids.into_iter().take(n).enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let req = client
            .post(format!("{url}/api/v1/offers/{id}/accept"))
            .bearer_auth(token);
        tasks.push(tokio::spawn(async move {
            let ok = match req.send().await {
                Ok(r) => r.status().is_success() || r.status().is_redirection(),
                Err(_) => false,
            };
            (due.elapsed().as_secs_f64() * 1000.0, ok)
        }));
    }
    let mut lat = Vec::with_capacity(n);
    let mut errors = 0usize;
    for t in tasks {
        let (ms, ok) = t.await?;
        lat.push(ms);
        errors += usize::from(!ok);
    }
    lat.sort_by(f64::total_cmp);
    let q = |p: f64| {
        if lat.is_empty() {
            return f64::NAN;
        }
        lat[((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1]
    };
    println!(
        "{}",
        serde_json::json!({
            "requests": lat.len(), "errors": errors,
            "p50_ms": q(0.50), "p99_ms": q(0.99), "p999_ms": q(0.999),
        })
    );
    Ok(())
}
