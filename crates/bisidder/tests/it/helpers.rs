//! TestApp: a fresh database per test on SQLite and (when TEST_DATABASE_URL names a
//! PostgreSQL server, as scripts/test.sh arranges) on PostgreSQL too; an in-process client
//! with a cookie jar that sends CSRF tokens and Origin like a browser; users per role.

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, Method, Request, StatusCode},
    Router,
};
use bisidder::{
    auth::admin::{self, CreateUser},
    clock::Clock,
    config::Config,
    orgs::store::{insert_org, NewOrg},
    policy::Role,
    state::AppState,
};
use http_body_util::BodyExt;
use secrecy::SecretString;
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tower::ServiceExt;

pub const PASSWORD: &str = "lange ord på en tirsdag i Vejle";
pub const PUBLIC_URL: &str = "https://bisidder.test";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL when TEST_DATABASE_URL is set. In CI it must be set.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        v.push(Backend::Postgres);
    } else if std::env::var("CI").is_ok_and(|c| c == "true") {
        panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL half of the suite would be skipped");
    }
    v
}

pub struct TestApp {
    pub backend: Backend,
    pub state: AppState,
    pub router: Router,
    pub dir: tempfile::TempDir,
    pub org_id: String,
    pub other_org_id: String,
    /// TOTP secrets of users who enrolled, by e-mail, shared by this app's clients.
    pub secrets: Arc<Mutex<HashMap<String, String>>>,
}

/// Runs a scenario on every backend, each with a fresh database.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::helpers::backends() {
                let app = $crate::helpers::TestApp::new(backend).await;
                eprintln!("-- {} on {:?}", stringify!($name), backend);
                ($body)(app).await;
            }
        }
    };
}

pub async fn database_url(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}/test.db", dir.display()),
        Backend::Postgres => {
            let admin = std::env::var("TEST_DATABASE_URL").unwrap();
            sqlx::any::install_default_drivers();
            let name = format!("t_{}", ulid::Ulid::new().to_string().to_lowercase());
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin.rsplit_once('/').unwrap().0;
            format!("{base}/{name}")
        }
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::with(backend, |_| {}).await
    }

    pub async fn with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            database_url: database_url(backend, dir.path()).await,
            public_url: PUBLIC_URL.into(),
            data_dir: dir.path().join("data"),
            ..Config::default()
        };
        if let Ok(addr) = std::env::var("TEST_SMTP_ADDR") {
            config.smtp_url = Some(SecretString::from(format!("smtp://{addr}")));
        }
        adjust(&mut config);
        let clock = Clock::fixed("2026-03-02T09:00:00Z".parse().unwrap());
        let state = bisidder::open(&config, clock).await.unwrap();
        let now = state.clock.now_us();
        let mut conn = state.db.pool.acquire().await.unwrap();
        let org_id = insert_org(
            &mut conn,
            NewOrg {
                slug: "bv",
                name: "Børns Vilkår",
                kind: "professional_children",
                kommune_code: Some("0101"),
            },
            now,
        )
        .await
        .unwrap();
        let other_org_id = insert_org(
            &mut conn,
            NewOrg {
                slug: "odense",
                name: "Bisiddergruppen Odense",
                kind: "volunteer_network",
                kommune_code: Some("0461"),
            },
            now,
        )
        .await
        .unwrap();
        drop(conn);
        let router = bisidder::build_app(state.clone());
        TestApp {
            backend,
            state,
            router,
            dir,
            org_id,
            other_org_id,
            secrets: Arc::default(),
        }
    }

    pub fn client(&self) -> Client {
        // Each client is its own peer address, as separate browsers are, so the per-address
        // sign-in limit does not couple unrelated clients of one test.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let ip = std::net::Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8).into();
        Client {
            router: self.router.clone(),
            jar: HashMap::new(),
            ip,
            clock: self.state.clock.clone(),
            secrets: self.secrets.clone(),
        }
    }

    /// Creates a user with `roles` in the test organisation; returns the e-mail.
    pub async fn user(&self, name: &str, roles: &[Role]) -> String {
        self.user_in(name, roles, &self.org_id.clone()).await
    }

    pub async fn user_in(&self, name: &str, roles: &[Role], org: &str) -> String {
        // Unique per backend, so mails in the shared SMTP sink never mix between runs.
        let email = format!(
            "{}.{:?}@test.dk",
            name.to_lowercase().replace(' ', "."),
            self.backend
        )
        .to_lowercase();
        let platform_admin = roles.contains(&Role::PlatformAdmin);
        let grants = roles
            .iter()
            .filter(|r| **r != Role::PlatformAdmin)
            .map(|r| (org.to_string(), *r))
            .collect();
        admin::create_user(
            &self.state.db,
            self.state.clock.now_us(),
            CreateUser {
                email: &email,
                name,
                password: SecretString::from(PASSWORD),
                platform_admin,
                grants,
            },
        )
        .await
        .unwrap();
        email
    }

    /// A client signed in (password and second factor) as a new user with `roles`.
    pub async fn signed_in(&self, name: &str, roles: &[Role]) -> Client {
        let email = self.user(name, roles).await;
        let mut c = self.client();
        c.login(&email, PASSWORD).await;
        c
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap()
    }
}

pub struct Client {
    pub router: Router,
    pub jar: HashMap<String, String>,
    pub ip: std::net::IpAddr,
    pub clock: Clock,
    pub secrets: Arc<Mutex<HashMap<String, String>>>,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (for binary downloads).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn doc(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// Text of the first element matching `css`, whitespace-collapsed.
    pub fn text(&self, css: &str) -> Option<String> {
        let sel = scraper::Selector::parse(css).unwrap();
        self.doc().select(&sel).next().map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let sel = scraper::Selector::parse(css).unwrap();
        self.doc()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_string))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

impl Client {
    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(self.ip, 40000)));
        if !self.jar.is_empty() {
            let cookie = self
                .jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for c in headers.get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_string(), value.to_string());
            }
        }
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub fn csrf(&self) -> String {
        self.jar
            .iter()
            .find(|(k, _)| k.ends_with("bisidder_csrf"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// A form POST as a browser sends it: our Origin and the CSRF token from the cookie.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if self.csrf().is_empty() {
            self.get("/").await;
        }
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).unwrap();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::ORIGIN, PUBLIC_URL)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Password, then the second factor (enrolling on first sign-in). Moves the test clock
    /// to the next 30-second step first, so a new code is never a replay.
    pub async fn login(&mut self, email: &str, password: &str) {
        let r = self
            .post("/login", &[("email", email), ("password", password)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {email} failed: {}",
            r.text("[role=alert]").unwrap_or_default()
        );
        match r.location() {
            "/start" => {}
            "/login/totp/enrol" => {
                let page = self.get("/login/totp/enrol").await;
                let secret = page
                    .text("[data-testid=totp-secret]")
                    .expect("enrolment page shows the secret");
                self.submit_code("/login/totp/enrol", &secret).await;
                self.secrets
                    .lock()
                    .unwrap()
                    .insert(email.to_string(), secret);
            }
            "/login/totp" => {
                let secret = self.secret(email);
                self.submit_code("/login/totp", &secret).await;
            }
            other => panic!("unexpected redirect after password: {other}"),
        }
    }

    pub async fn submit_code(&mut self, path: &str, secret: &str) {
        self.clock.advance(std::time::Duration::from_secs(30));
        let code = self.code(secret);
        let r = self.post(path, &[("code", &code)]).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "code refused: {}",
            r.text("[role=alert]").unwrap_or_default()
        );
        assert_eq!(r.location(), "/start");
    }

    pub fn code(&self, secret: &str) -> String {
        let unix = self.clock.now().as_second() as u64;
        bisidder::auth::totp::code_at(secret, unix).unwrap()
    }

    pub fn secret(&self, email: &str) -> String {
        self.secrets
            .lock()
            .unwrap()
            .get(email)
            .cloned()
            .expect("the user enrolled earlier in this test")
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.jar
            .iter()
            .find(|(k, _)| k.ends_with("bisidder") && !k.contains("csrf") && !k.contains("lang"))
            .map(|(_, v)| v.clone())
    }
}

impl TestApp {
    /// A bisidder in the test organisation living in `town`, available every day 07–22,
    /// trained for `skills`. Returns (user id, e-mail).
    pub async fn bisidder(&self, name: &str, town: &str, skills: &str) -> (String, String) {
        let email = self.user(name, &[Role::Bisidder]).await;
        let id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        let t = geo::town_by_name(town).unwrap_or_else(|| panic!("no town {town}"));
        sqlx::query(
            "INSERT INTO bisidder_profiles (user_id, org_id, status, town, kommune_code, lat, lon, max_travel_minutes, max_open_cases, \
             max_hours_per_week, languages, skills, phone, created_at) VALUES ($1, $2, 'active', $3, $4, $5, $6, 120, 10, 30, 'da', $7, '+4520000000', 0)",
        )
        .bind(&id)
        .bind(&self.org_id)
        .bind(t.name)
        .bind(t.kommune_code)
        .bind(t.lat)
        .bind(t.lon)
        .bind(skills)
        .execute(&self.state.db.pool)
        .await
        .unwrap();
        for day in 0..7i64 {
            sqlx::query("INSERT INTO availability (id, user_id, org_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(ulid::Ulid::new().to_string())
                .bind(&id)
                .bind(&self.org_id)
                .bind(day)
                .bind(day * 1440 + 7 * 60)
                .bind(day * 1440 + 22 * 60)
                .execute(&self.state.db.pool)
                .await
                .unwrap();
        }
        (id, email)
    }

    pub async fn request_status(&self, id: &str) -> String {
        sqlx::query_scalar("SELECT status FROM requests WHERE id = $1")
            .bind(id)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap()
    }

    /// The id of the newest request.
    pub async fn newest_request(&self) -> String {
        sqlx::query_scalar("SELECT id FROM requests ORDER BY created_at DESC, id DESC LIMIT 1")
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap()
    }
}

/// A child's request through the public form, for a meeting in `postcode` on `date` at
/// `time` (Danish time).
pub async fn child_request(
    c: &mut Client,
    first_name: &str,
    postcode: &str,
    date: &str,
    time: &str,
) -> Resp {
    c.post(
        "/o/bv/anmod?for=self",
        &[
            ("first_name", first_name),
            ("age", "13"),
            ("gender", "girl"),
            ("phone", "20 30 40 50"),
            ("safe_channel", "sms"),
            ("safe_times", "efter skole"),
            ("postcode", postcode),
            ("authority", "kommune"),
            ("meeting_date", date),
            ("meeting_time", time),
            ("consent_contact", "1"),
        ],
    )
    .await
}

/// Logs the child's own yes on the request page.
pub async fn consent(coordinator: &mut Client, id: &str) {
    let r = coordinator
        .post(
            &format!("/intake/{id}/consent"),
            &[
                ("spoke_with_person", "1"),
                ("method", "phone"),
                ("answer", "yes"),
            ],
        )
        .await;
    assert_eq!(
        r.location(),
        format!("/intake/{id}"),
        "consent not recorded: {}",
        r.text("[role=alert]").unwrap_or_default()
    );
}

/// A log buffer the app's tracing output goes to (one for the whole test binary).
#[derive(Clone, Default)]
pub struct LogBuf(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The whole test binary's log output from the first call on (a scoped subscriber would
/// miss events whose callsites other threads registered first). Debug level for the app
/// and its HTTP layers; sqlx only from warnings on, to keep the buffer small.
pub fn global_logs() -> LogBuf {
    static LOGS: std::sync::OnceLock<LogBuf> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = LogBuf::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,sqlx=warn,hyper=info",
            ))
            .with_writer(move || writer.clone())
            .finish();
        // Another test may have installed one first; then this one stays unused.
        let _ = tracing::subscriber::set_global_default(subscriber);
        logs
    })
    .clone()
}
