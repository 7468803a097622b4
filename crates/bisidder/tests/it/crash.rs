//! Crash safety (SPEC §8 Reliability), with the real server binary: 100 writers post
//! requests through the JSON API while the server is killed with SIGKILL at random moments
//! and restarted on the same database. Afterwards every write the server acknowledged is in
//! the database and `bisidder check` passes (SQLite integrity and foreign keys, the audit
//! hash chain). Start-up refuses settings that could lose an acknowledged write.
//!
//! The short run (3 kills per backend) is part of every test run. `BISIDDER_CRASH_LONG=1`
//! makes it 25 kills with longer stretches of writing between them; `BISIDDER_CRASH_SEED=n`
//! replays one run's kill moments.

use crate::helpers::{self, TestApp};
use crate::server::{free_port, log_tail, ServerEnv};
use bisidder::{auth::admin, policy::Role, store};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::{
    collections::HashSet,
    path::Path,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

const WRITERS: usize = 100;

#[derive(Default)]
struct Tally {
    attempted: AtomicU64,
    acknowledged: AtomicU64,
    /// Connection refused or cut, timeouts: expected while the server is down.
    failed: AtomicU64,
    server_errors: AtomicU64,
    /// A 4xx other than a timeout: the writers' request is wrong, the run proves nothing.
    rejected: Mutex<Option<String>>,
}

/// One writer: posts requests until told to stop; returns the ids the server acknowledged
/// (a 201 whose body with the id arrived in full).
async fn writer(
    n: usize,
    base: String,
    token: String,
    meeting_date: String,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
) -> Vec<String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = format!("{base}/api/v1/requests");
    let mut acked = Vec::new();
    let mut i = 0u32;
    while !stop.load(Relaxed) {
        i += 1;
        let body = serde_json::json!({
            "first_name": "Mads",
            "age": "14",
            "contact_phone": format!("7{:03}{:04}", n, i % 10_000),
            "postcode": "8000",
            "authority": "kommune",
            "meeting_date": meeting_date,
            "meeting_time": "10:00",
        });
        tally.attempted.fetch_add(1, Relaxed);
        match client
            .post(&url)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        {
            Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                match r.json::<serde_json::Value>().await {
                    Ok(v) => {
                        acked.push(v["id"].as_str().expect("an id").to_string());
                        tally.acknowledged.fetch_add(1, Relaxed);
                    }
                    Err(_) => {
                        tally.failed.fetch_add(1, Relaxed);
                    }
                }
            }
            Ok(r) => {
                let status = r.status();
                if status.is_client_error()
                    && status != reqwest::StatusCode::REQUEST_TIMEOUT
                    && status != reqwest::StatusCode::TOO_MANY_REQUESTS
                {
                    let text = r.text().await.unwrap_or_default();
                    tally
                        .rejected
                        .lock()
                        .unwrap()
                        .get_or_insert(format!("{status}: {text}"));
                } else if status.is_server_error() {
                    tally.server_errors.fetch_add(1, Relaxed);
                } else {
                    tally.failed.fetch_add(1, Relaxed);
                }
            }
            Err(_) => {
                tally.failed.fetch_add(1, Relaxed);
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }
    acked
}

/// Waits until the writers have had `n` more writes acknowledged, so every kill lands
/// while writes are going through.
async fn acknowledged_more(tally: &Tally, env: &ServerEnv, n: u64) {
    let target = tally.acknowledged.load(Relaxed) + n;
    let deadline = Instant::now() + Duration::from_secs(60);
    while tally.acknowledged.load(Relaxed) < target {
        let rejected = tally.rejected.lock().unwrap().clone();
        assert!(
            rejected.is_none(),
            "the server refused a writer's request: {rejected:?}"
        );
        assert!(
            Instant::now() < deadline,
            "no writes were acknowledged for 60 s:\n{}",
            log_tail(&env.log)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn crash_run(backend: helpers::Backend, kills: usize, pause_ms: std::ops::Range<u64>) {
    let seed = std::env::var("BISIDDER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen::<u64>());
    let mut rng = StdRng::seed_from_u64(seed);
    eprintln!("-- crash run on {backend:?}: {kills} kills, BISIDDER_CRASH_SEED={seed}");

    // The organisation, a requester and an API token, made with the library; then the
    // library lets go of the database and the server binary takes over.
    let app = TestApp::new(backend).await;
    let email = app.user("Crash Rådgiver", &[Role::Requester]).await;
    let now = app.state.clock.now_us();
    let (_, token) = admin::create_token(&app.state.db, now, &email, "bv", "crash")
        .await
        .unwrap();
    app.state.db.pool.close().await;
    let env = ServerEnv {
        database_url: app.state.config.database_url.clone(),
        data_dir: app.state.config.data_dir.clone(),
        port: free_port(),
        log: app.dir.path().join("server.log"),
    };
    let meeting_date = {
        use jiff::ToSpan;
        jiff::Zoned::now()
            .date()
            .checked_add(30.days())
            .unwrap()
            .to_string()
    };

    let mut server = env.spawn();
    env.wait_ready(&mut server).await;
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| {
            tokio::spawn(writer(
                n,
                env.base(),
                token.clone(),
                meeting_date.clone(),
                stop.clone(),
                tally.clone(),
            ))
        })
        .collect();

    let mut survived = 0;
    for _ in 0..kills {
        acknowledged_more(&tally, &env, 20).await;
        tokio::time::sleep(Duration::from_millis(rng.gen_range(pause_ms.clone()))).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        server = env.spawn();
        env.wait_ready(&mut server).await;
        survived += 1;
    }
    // Writes after the last restart, then one more kill with writes in flight: the
    // database is checked as a crash leaves it.
    acknowledged_more(&tally, &env, 20).await;
    tokio::time::sleep(Duration::from_millis(rng.gen_range(pause_ms.clone()))).await;
    server.kill().unwrap();
    server.wait().unwrap();
    stop.store(true, Relaxed);
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }

    let rejected = tally.rejected.lock().unwrap().clone();
    assert!(
        rejected.is_none(),
        "the server refused a writer's request: {rejected:?}"
    );
    let out = env.command(&["check"]).output().unwrap();
    let check = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && check.contains("database ok"),
        "bisidder check after the crashes: {check}"
    );
    let db = store::Db::connect(&env.database_url).await.unwrap();
    db.integrity_check().await.unwrap();
    let present: HashSet<String> = sqlx::query_scalar("SELECT id FROM requests")
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    // The audit row is written in the request's own transaction: a crash keeps both or
    // neither.
    let audited: HashSet<String> =
        sqlx::query_scalar("SELECT resource_id FROM audit_log WHERE action = 'request.created'")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    db.pool.close().await;
    assert_eq!(
        present, audited,
        "every stored request, and only those, has its request.created audit row"
    );
    let unique: HashSet<&String> = acked.iter().collect();
    assert_eq!(unique.len(), acked.len(), "an id was acknowledged twice");
    let lost: Vec<&String> = acked.iter().filter(|id| !present.contains(*id)).collect();
    eprintln!(
        "-- crash run on {backend:?}: writers {WRITERS}, attempted {}, acknowledged {}, \
         lost {}, failed (server down) {}, server errors {}, kills survived {survived} \
         (+1 before the check), rows in the database {}; {}",
        tally.attempted.load(Relaxed),
        acked.len(),
        lost.len(),
        tally.failed.load(Relaxed),
        tally.server_errors.load(Relaxed),
        present.len(),
        check.trim()
    );
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {:?} (BISIDDER_CRASH_SEED={seed})",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    assert_eq!(survived, kills);
    assert!(acked.len() as u64 >= 20 * (kills as u64 + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_100_writers_loses_no_acknowledged_write() {
    let long = std::env::var("BISIDDER_CRASH_LONG").is_ok_and(|v| v == "1");
    let (kills, pause) = if long { (25, 200..3000) } else { (3, 100..800) };
    for backend in helpers::backends() {
        crash_run(backend, kills, pause.clone()).await;
    }
}

/// A SQLite pool whose connections were opened with `pragmas` instead of the safe ones.
async fn sqlite_with(dir: &Path, pragmas: &'static str) -> store::Db {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                conn.execute(pragmas).await?;
                Ok(())
            })
        })
        .connect(&format!("sqlite://{}/unsafe.db?mode=rwc", dir.display()))
        .await
        .unwrap();
    store::Db {
        pool,
        backend: store::Backend::Sqlite,
    }
}

#[tokio::test]
async fn start_up_refuses_settings_that_could_lose_an_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    for (pragmas, why) in [
        (
            "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
            "journal_mode is delete",
        ),
        (
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            "synchronous is 1",
        ),
        (
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;",
            "synchronous is 0",
        ),
    ] {
        let db = sqlite_with(dir.path(), pragmas).await;
        let err = db.verify_durability().await.unwrap_err().to_string();
        assert!(err.contains(why), "{pragmas}: {err}");
        db.pool.close().await;
    }
    let safe = store::Db::connect(&format!("sqlite://{}/safe.db", dir.path().display()))
        .await
        .unwrap();
    safe.verify_durability().await.unwrap();

    // PostgreSQL: a connection option that turns synchronous_commit off stops the real
    // server at start-up with a message that names the setting.
    if helpers::backends().contains(&helpers::Backend::Postgres) {
        let url = helpers::database_url(helpers::Backend::Postgres, dir.path()).await;
        let env = ServerEnv {
            database_url: format!("{url}?options=-c%20synchronous_commit%3Doff"),
            data_dir: dir.path().join("data"),
            port: free_port(),
            log: dir.path().join("server.log"),
        };
        let mut server = env.spawn();
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(s) = server.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                server.kill().unwrap();
                panic!("the server started with synchronous_commit off");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let log = log_tail(&env.log);
        assert!(!status.success());
        assert!(
            log.contains("synchronous_commit is off"),
            "the refusal names the setting: {log}"
        );
    }
}
