//! Reliability across processes (SPEC §8, issue 8): the real server binary, several
//! instances on one database, restarted and killed while they work.
//!
//! * Two `serve` processes on one PostgreSQL: coordinators assign overlapping requests to
//!   the same bisiddere through both at once; never a double booking.
//! * The outbox across restarts: both instances deliver to an SMTP server in this test
//!   while messages are enqueued and either instance is stopped (SIGTERM: exactly once) or
//!   killed (SIGKILL: none lost; a repeat is only a message in flight at the kill, with the
//!   same Message-ID).
//! * An online backup under 100 writers restores every write acknowledged before it
//!   started, passes the checks, and a purge made after it is re-applied on restore.
//!
//! Each prints a `RELIABILITY:` line with its figures. Short runs are part of every test
//! run; `BISIDDER_RELIABILITY_LONG=1` makes them larger and longer, and
//! `BISIDDER_RELIABILITY_SEED=n` replays one run's random choices.

use crate::{
    helpers::{self, Backend, TestApp},
    server::{free_port, log_tail, terminate, ServerEnv},
};
use bisidder::{auth::admin, policy::Role, store};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::{
    collections::{HashMap, HashSet},
    net::SocketAddr,
    process::Child,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn long() -> bool {
    std::env::var("BISIDDER_RELIABILITY_LONG").is_ok_and(|v| v == "1")
}

fn rng(test: &str) -> StdRng {
    let seed = std::env::var("BISIDDER_RELIABILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen::<u64>());
    eprintln!("-- {test}: BISIDDER_RELIABILITY_SEED={seed}");
    StdRng::seed_from_u64(seed)
}

/// A day 30 days ahead (the server's real clock decides what is in the past).
fn day(offset: i64) -> String {
    use jiff::ToSpan;
    jiff::Zoned::now()
        .date()
        .checked_add((30 + offset).days())
        .unwrap()
        .to_string()
}

/// An instance of the server on `app`'s database and data directory (the same field key).
fn instance(app: &TestApp, name: &str) -> ServerEnv {
    ServerEnv {
        database_url: app.state.config.database_url.clone(),
        data_dir: app.state.config.data_dir.clone(),
        port: free_port(),
        log: app.dir.path().join(format!("{name}.log")),
    }
}

async fn token(app: &TestApp, email: &str) -> String {
    let now = app.state.clock.now_us();
    admin::create_token(&app.state.db, now, email, "bv", "reliability")
        .await
        .unwrap()
        .1
}

async fn call(
    client: &reqwest::Client,
    url: String,
    token: &str,
    body: Value,
) -> reqwest::Result<(StatusCode, String)> {
    let r = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = r.status();
    Ok((status, r.text().await?))
}

/// A consented request made through the API; returns its id.
async fn consented_request(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    first_name: &str,
    phone: String,
    date: &str,
    time: &str,
) -> String {
    let (status, body) = call(
        client,
        format!("{base}/api/v1/requests"),
        token,
        json!({"first_name": first_name, "age": "14", "contact_phone": phone, "postcode": "8000",
               "authority": "kommune", "meeting_date": date, "meeting_time": time}),
    )
    .await
    .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = call(
        client,
        format!("{base}/api/v1/requests/{id}/consent"),
        token,
        json!({"spoke_with_person": true, "method": "phone", "answer": "yes"}),
    )
    .await
    .unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

async fn start(env: &ServerEnv, vars: &[(&str, &str)]) -> Child {
    let mut child = env.spawn_with(vars);
    env.wait_ready(&mut child).await;
    child
}

fn kill(child: &mut Child) {
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

// ---- 1. no double booking across two processes ------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgresql_never_double_book() {
    if !helpers::backends().contains(&Backend::Postgres) {
        eprintln!("-- skipped: needs TEST_DATABASE_URL");
        return;
    }
    let started = Instant::now();
    let mut rng = rng("double booking");
    let (n_requests, n_bisiddere, n_coordinators) = if long() { (150, 8, 24) } else { (24, 3, 8) };
    let app = TestApp::new(Backend::Postgres).await;
    let mut bisiddere = Vec::new();
    for i in 0..n_bisiddere {
        bisiddere.push(
            app.bisidder(&format!("Delt Bisidder {i}"), "Aarhus", "children")
                .await
                .0,
        );
    }
    let mut tokens = Vec::new();
    for i in 0..n_coordinators {
        let email = app
            .user(&format!("Koordinator {i}"), &[Role::Coordinator])
            .await;
        tokens.push(token(&app, &email).await);
    }
    app.state.db.pool.close().await;
    let (a, b) = (instance(&app, "a"), instance(&app, "b"));
    let mut server_a = start(&a, &[]).await;
    let mut server_b = start(&b, &[]).await;
    let bases = [a.base(), b.base()];

    // Meetings at overlapping times on two days: 09:00, 10:00 and 10:30 overlap each other
    // (with the meetings before and after), as do 13:00 and 14:00.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut requests = Vec::new();
    for i in 0..n_requests {
        let time = ["09:00", "10:00", "10:30", "13:00", "14:00"][i % 5];
        let date = day((i / 5 % 2) as i64);
        requests.push(
            consented_request(
                &client,
                &bases[i % 2],
                &tokens[0],
                "Mads",
                format!("6{:07}", i),
                &date,
                time,
            )
            .await,
        );
    }

    // Every coordinator goes through the requests (nearly in the same order, so they
    // collide), assigning each to one of the bisiddere at random, alternating instances.
    let mut plans = Vec::new();
    for c in 0..n_coordinators {
        let mut order = requests.clone();
        order.rotate_left(c % 3);
        if c % 4 == 3 {
            order.shuffle(&mut rng);
        }
        let plan: Vec<(String, String, usize)> = order
            .into_iter()
            .enumerate()
            .map(|(k, r)| (r, bisiddere.choose(&mut rng).unwrap().clone(), (c + k) % 2))
            .collect();
        plans.push(plan);
    }
    let ok = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let conflicts = Arc::new(AtomicU64::new(0));
    let unexpected = Arc::new(Mutex::new(Vec::<String>::new()));
    let conflict_example = Arc::new(Mutex::new(None::<String>));
    let tasks: Vec<_> = plans
        .into_iter()
        .zip(tokens.clone())
        .map(|(plan, token)| {
            let (client, bases) = (client.clone(), bases.clone());
            let (ok, conflicts, unexpected, example) = (
                ok.clone(),
                conflicts.clone(),
                unexpected.clone(),
                conflict_example.clone(),
            );
            tokio::spawn(async move {
                for (request, bisidder, via) in plan {
                    let url = format!("{}/api/v1/requests/{request}/assign", bases[via]);
                    match call(&client, url, &token, json!({"bisidder_id": bisidder})).await {
                        Ok((StatusCode::OK, _)) => ok.lock().unwrap().push((request, bisidder)),
                        Ok((StatusCode::CONFLICT, body)) => {
                            let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                            let message = v["error"]["message"]
                                .as_str()
                                .or(v["message"].as_str())
                                .or(v["error"].as_str())
                                .unwrap_or("");
                            if message.is_empty() {
                                unexpected
                                    .lock()
                                    .unwrap()
                                    .push(format!("409 without a message: {body}"));
                            }
                            example.lock().unwrap().get_or_insert(body);
                            conflicts.fetch_add(1, Relaxed);
                        }
                        Ok((status, body)) => {
                            unexpected.lock().unwrap().push(format!("{status}: {body}"))
                        }
                        Err(e) => unexpected.lock().unwrap().push(format!("{e}")),
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    kill(&mut server_a);
    kill(&mut server_b);
    let ok = ok.lock().unwrap().clone();
    let unexpected = unexpected.lock().unwrap().clone();

    let db = store::Db::connect(&a.database_url).await.unwrap();
    let appointments: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT bisidder_user_id, request_id, starts_at, ends_at FROM appointments \
         WHERE status = 'planned' AND bisidder_user_id IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut double_booked = Vec::new();
    for (i, x) in appointments.iter().enumerate() {
        for y in &appointments[i + 1..] {
            if x.0 == y.0 && x.1 != y.1 && x.2 < y.3 && y.2 < x.3 {
                double_booked.push(format!("{} has {} and {}", x.0, x.1, y.1));
            }
        }
    }
    let twice: Vec<String> = sqlx::query_scalar(
        "SELECT request_id FROM cases GROUP BY request_id HAVING COUNT(*) > 1 \
         UNION SELECT request_id FROM appointments WHERE status = 'planned' \
         GROUP BY request_id HAVING COUNT(DISTINCT bisidder_user_id) > 1 OR COUNT(*) > 3",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let assigned: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT id, bisidder_user_id FROM requests WHERE status = 'assigned'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    db.pool.close().await;
    let missing: Vec<&(String, String)> = ok
        .iter()
        .filter(|(r, b)| assigned.get(r) != Some(b))
        .collect();
    let acked_requests: HashSet<&String> = ok.iter().map(|(r, _)| r).collect();
    let attempts: usize = n_requests * n_coordinators;
    eprintln!(
        "RELIABILITY: double booking, 2 processes on PostgreSQL: coordinators {n_coordinators}, \
         bisiddere {n_bisiddere}, requests {n_requests}, assignments attempted {attempts}, \
         succeeded {}, refused 409 {}, other answers {}, requests assigned in the database {}, \
         double bookings {}, requests booked twice {}, acknowledged but missing {}; {:.1} s",
        ok.len(),
        conflicts.load(Relaxed),
        unexpected.len(),
        assigned.len(),
        double_booked.len(),
        twice.len(),
        missing.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(example) = conflict_example.lock().unwrap().clone() {
        eprintln!("-- a refusal: {example}");
    }
    assert!(
        unexpected.is_empty(),
        "answers other than 200/409: {:?}\n{}",
        &unexpected[..unexpected.len().min(5)],
        log_tail(&a.log)
    );
    assert!(
        double_booked.is_empty(),
        "double bookings: {double_booked:?}"
    );
    assert!(twice.is_empty(), "requests booked twice: {twice:?}");
    assert!(
        missing.is_empty(),
        "acknowledged but not stored: {missing:?}"
    );
    assert_eq!(
        acked_requests.len(),
        ok.len(),
        "a request acknowledged twice"
    );
    assert_eq!(ok.len(), assigned.len());
    assert_eq!(ok.len() + conflicts.load(Relaxed) as usize, attempts);
    assert!(
        ok.len() >= n_bisiddere * 2,
        "too few bookings to prove anything"
    );
}

// ---- 2. the outbox across restarts ------------------------------------------------------

/// One message as the SMTP server in this test received it.
struct Received {
    key: String,
    message_id: String,
    at: Instant,
}

/// A small real SMTP server (RFC 5321 without extensions) that keeps what it receives.
/// Each message is answered `250` after `delay`, so a sender can be stopped mid-send.
async fn smtp_sink(delay: Duration) -> (SocketAddr, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let inbox = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(smtp_session(socket, inbox.clone(), delay));
        }
    });
    (addr, got)
}

async fn smtp_session(
    socket: tokio::net::TcpStream,
    inbox: Arc<Mutex<Vec<Received>>>,
    delay: Duration,
) -> std::io::Result<()> {
    let (r, mut w) = socket.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let cmd = String::from_utf8_lossy(&line)
            .trim_end()
            .to_ascii_uppercase();
        let reply: &[u8] = if cmd.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if cmd.starts_with("HELO") {
            b"250 sink\r\n"
        } else if ["MAIL", "RCPT", "RSET", "NOOP"]
            .iter()
            .any(|c| cmd.starts_with(c))
        {
            b"250 OK\r\n"
        } else if cmd.starts_with("DATA") {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_until(b'\n', &mut line).await? == 0 {
                    return Ok(()); // the sender went away mid-message: nothing received
                }
                if line == b".\r\n" || line == b".\n" {
                    break;
                }
                data.push_str(&String::from_utf8_lossy(&line));
            }
            let header = |name: &str| {
                data.lines()
                    .take_while(|l| !l.is_empty())
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                    })
                    .unwrap_or_default()
            };
            let (key, message_id) = (header("Subject"), header("Message-ID"));
            tokio::time::sleep(delay).await;
            w.write_all(b"250 OK queued\r\n").await?;
            inbox.lock().unwrap().push(Received {
                key,
                message_id,
                at: Instant::now(),
            });
            continue;
        } else if cmd.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        w.write_all(reply).await?;
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Stop {
    /// SIGTERM, as an orchestrator stops a service.
    Graceful,
    /// SIGKILL.
    Kill,
}

async fn outbox_run(backend: Backend, stop: Stop) {
    let started = Instant::now();
    let mut rng = rng(&format!("outbox {backend:?} {stop:?}"));
    let (messages, restarts) = if long() { (3000, 30) } else { (300, 4) };
    let lease_s = 3;
    let app = TestApp::new(backend).await;
    app.state.db.pool.close().await;
    let (sink, inbox) = smtp_sink(Duration::from_millis(5)).await;
    let smtp_url = format!("smtp://{sink}");
    let lease = lease_s.to_string();
    let vars = [
        ("BISIDDER_SMTP_URL", smtp_url.as_str()),
        ("BISIDDER_OUTBOX_LEASE_SECONDS", lease.as_str()),
    ];
    let envs = [instance(&app, "a"), instance(&app, "b")];
    let mut servers = vec![start(&envs[0], &vars).await, start(&envs[1], &vars).await];

    // The messages are enqueued through the outbox's own function, as every flow does, in
    // batches while both instances deliver and are restarted.
    let db = store::Db::connect(&envs[0].database_url).await.unwrap();
    let enqueuer = {
        let db = db.clone();
        tokio::spawn(async move {
            for batch in 0..messages / 10 {
                let mut tx = db.begin().await.unwrap();
                for k in 0..10 {
                    let n = batch * 10 + k;
                    bisidder::notify::enqueue_email(
                        &mut tx,
                        jiff::Timestamp::now().as_microsecond(),
                        &format!("modtager{n}@test.dk"),
                        &format!("REL-{n:06}"),
                        "Du har en ny besked. Log ind for at se den.",
                    )
                    .await
                    .unwrap();
                }
                tx.commit().await.unwrap();
                tokio::time::sleep(Duration::from_millis(if long() { 50 } else { 60 })).await;
            }
        })
    };
    let mut stops = Vec::new();
    for i in 0..restarts {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(150..900))).await;
        let which = i % 2;
        match stop {
            Stop::Graceful => terminate(&mut servers[which], &envs[which].log).await,
            Stop::Kill => kill(&mut servers[which]),
        }
        stops.push(Instant::now());
        servers[which] = start(&envs[which], &vars).await;
    }
    enqueuer.await.unwrap();

    // Delivery goes on until everything has arrived; a message still missing when nothing
    // has arrived for a lease and a few poll intervals is lost.
    let (mut seen, mut progress) = (0, Instant::now());
    let all = loop {
        let keys: HashSet<String> = inbox
            .lock()
            .unwrap()
            .iter()
            .map(|m| m.key.clone())
            .collect();
        if keys.len() > seen {
            (seen, progress) = (keys.len(), Instant::now());
        }
        if keys.len() >= messages || progress.elapsed() > Duration::from_secs(lease_s + 20) {
            break keys.len();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // A little longer, so a late repeat would be seen.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for s in &mut servers {
        kill(s);
    }
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT subject, status, attempts FROM outbox")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    db.pool.close().await;

    let inbox = inbox.lock().unwrap();
    let mut copies: HashMap<&str, Vec<&Received>> = HashMap::new();
    for m in inbox.iter() {
        copies.entry(m.key.as_str()).or_default().push(m);
    }
    let lost: Vec<String> = (0..messages)
        .map(|n| format!("REL-{n:06}"))
        .filter(|k| !copies.contains_key(k.as_str()))
        .collect();
    let duplicated: Vec<(&str, &Vec<&Received>)> = copies
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| (*k, v))
        .collect();
    let not_sent: Vec<&(String, String, i64)> = rows.iter().filter(|r| r.1 != "sent").collect();
    let retried = rows.iter().filter(|r| r.2 > 1).count();
    eprintln!(
        "RELIABILITY: outbox, 2 processes on {backend:?}, {stop:?} restarts {restarts}: \
         messages enqueued {messages}, delivered {all}, received in all {}, lost {}, \
         duplicated {}, retried after a lease {retried}, not marked sent {}; {:.1} s",
        inbox.len(),
        lost.len(),
        duplicated.len(),
        not_sent.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(rows.len(), messages);
    assert!(lost.is_empty(), "lost: {:?}", &lost[..lost.len().min(10)]);
    assert!(
        not_sent.is_empty(),
        "left unsent or leased: {:?}",
        &not_sent[..not_sent.len().min(10)]
    );
    for m in inbox.iter() {
        assert!(
            m.message_id.starts_with('<') && m.message_id.ends_with("@127.0.0.1>"),
            "Message-ID {:?}",
            m.message_id
        );
    }
    match stop {
        Stop::Graceful => assert!(
            duplicated.is_empty(),
            "sent twice across a graceful restart: {:?}",
            duplicated.iter().map(|d| d.0).collect::<Vec<_>>()
        ),
        Stop::Kill => {
            for (key, v) in &duplicated {
                assert!(
                    v.iter().all(|m| m.message_id == v[0].message_id),
                    "{key}: the copies carry different Message-IDs"
                );
                // In flight at a kill: a kill falls between the first copy and the next.
                assert!(
                    stops
                        .iter()
                        .any(|k| v[0].at <= *k + Duration::from_millis(100) && *k <= v[1].at),
                    "{key} was sent twice without a kill in between"
                );
            }
            assert!(
                duplicated.len() <= restarts,
                "more repeats than kills: {}",
                duplicated.len()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_delivers_exactly_once_across_graceful_restarts_of_two_instances() {
    for backend in helpers::backends() {
        outbox_run(backend, Stop::Graceful).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_loses_nothing_when_either_instance_is_killed() {
    for backend in helpers::backends() {
        outbox_run(backend, Stop::Kill).await;
    }
}

/// A slow relay: each message takes longer than a lease divided by the batch. Two
/// instances deliver; none of the messages may arrive twice (a lease must cover its own
/// send, not wait behind the sends before it).
async fn slow_relay_run(backend: Backend) {
    let messages = 16;
    let app = TestApp::new(backend).await;
    app.state.db.pool.close().await;
    let (sink, inbox) = smtp_sink(Duration::from_millis(400)).await;
    let smtp_url = format!("smtp://{sink}");
    let vars = [
        ("BISIDDER_SMTP_URL", smtp_url.as_str()),
        ("BISIDDER_OUTBOX_LEASE_SECONDS", "2"),
    ];
    let envs = [instance(&app, "a"), instance(&app, "b")];
    let db = store::Db::connect(&envs[0].database_url).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for n in 0..messages {
        bisidder::notify::enqueue_email(
            &mut tx,
            jiff::Timestamp::now().as_microsecond(),
            &format!("langsom{n}@test.dk"),
            &format!("SLOW-{n:03}"),
            "Du har en ny besked. Log ind for at se den.",
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut servers = vec![start(&envs[0], &vars).await, start(&envs[1], &vars).await];
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if sent == messages || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Long enough for a lease to run out and an instance to poll again.
    tokio::time::sleep(Duration::from_secs(6)).await;
    for s in &mut servers {
        kill(s);
    }
    db.pool.close().await;
    let inbox = inbox.lock().unwrap();
    let keys: HashSet<&str> = inbox.iter().map(|m| m.key.as_str()).collect();
    eprintln!(
        "RELIABILITY: outbox behind a slow relay (0.4 s a message, 2 s lease), 2 processes on \
         {backend:?}: messages {messages}, delivered {}, received in all {}",
        keys.len(),
        inbox.len()
    );
    assert_eq!(keys.len() as i64, messages, "every message arrives");
    assert_eq!(inbox.len() as i64, messages, "and each only once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_behind_a_slow_relay_never_sends_a_message_twice() {
    for backend in helpers::backends() {
        slow_relay_run(backend).await;
    }
}

/// SIGTERM while a slow relay takes 12 s to accept a message: the server waits for the
/// send and records it before it exits, so the message is neither left leased nor sent
/// again after the lease.
async fn stop_mid_send_run(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.state.db.pool.close().await;
    let (sink, inbox) = smtp_sink(Duration::from_secs(12)).await;
    let smtp_url = format!("smtp://{sink}");
    let vars = [
        ("BISIDDER_SMTP_URL", smtp_url.as_str()),
        ("BISIDDER_OUTBOX_LEASE_SECONDS", "60"),
    ];
    let env = instance(&app, "server");
    let db = store::Db::connect(&env.database_url).await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    bisidder::notify::enqueue_email(
        &mut conn,
        jiff::Timestamp::now().as_microsecond(),
        "langsom@test.dk",
        "MIDSEND-1",
        "Du har en ny besked. Log ind for at se den.",
    )
    .await
    .unwrap();
    drop(conn);
    let mut server = start(&env, &vars).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let sending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sending'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        if sending == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the message was not taken");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stopping = Instant::now();
    terminate(&mut server, &env.log).await;
    let took = stopping.elapsed();
    let status: String = sqlx::query_scalar("SELECT status FROM outbox")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;
    let received = inbox.lock().unwrap().len();
    eprintln!(
        "RELIABILITY: SIGTERM during a 12 s send on {backend:?}: stopped after {:.1} s, \
         message {status}, received {received}",
        took.as_secs_f64()
    );
    assert_eq!(received, 1);
    assert_eq!(status, "sent", "the stopping server recorded the send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_finishes_and_records_the_send_in_progress() {
    for backend in helpers::backends() {
        stop_mid_send_run(backend).await;
    }
}

// ---- 3. online backup under load ----------------------------------------------------------

#[derive(Default)]
struct Writes {
    attempted: AtomicU64,
    server_errors: AtomicU64,
    acked: Mutex<Vec<String>>,
}

/// One of the writers: posts requests until told to stop, keeping each acknowledged id
/// (a 201 whose body with the id arrived in full) the moment it arrives.
async fn writer(n: usize, base: String, token: String, stop: Arc<AtomicBool>, w: Arc<Writes>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let date = day(0);
    let mut i = 0u32;
    while !stop.load(Relaxed) {
        i += 1;
        w.attempted.fetch_add(1, Relaxed);
        let body = json!({"first_name": "Mads", "age": "14",
            "contact_phone": format!("7{:03}{:04}", n, i % 10_000), "postcode": "8000",
            "authority": "kommune", "meeting_date": date, "meeting_time": "10:00"});
        match call(&client, format!("{base}/api/v1/requests"), &token, body).await {
            Ok((StatusCode::CREATED, text)) => {
                let v: Value = serde_json::from_str(&text).unwrap();
                w.acked
                    .lock()
                    .unwrap()
                    .push(v["id"].as_str().unwrap().to_string());
            }
            Ok((status, text)) => {
                assert!(!status.is_client_error(), "refused: {status} {text}");
                w.server_errors.fetch_add(1, Relaxed);
            }
            Err(_) => {
                w.server_errors.fetch_add(1, Relaxed);
            }
        }
    }
}

/// `bisidder check` on `env`'s database passes.
fn check(env: &ServerEnv) -> String {
    let out = env.command(&["check"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("database ok"),
        "bisidder check: {text}"
    );
    text.trim().to_string()
}

/// Restores `file` with the CLI into a new database beside `live` (same data directory,
/// so the purge ledger); returns the restored database's environment.
async fn restore(
    backend: Backend,
    live: &ServerEnv,
    dir: &std::path::Path,
    file: &str,
) -> ServerEnv {
    std::fs::create_dir_all(dir).unwrap();
    let env = ServerEnv {
        database_url: helpers::database_url(backend, dir).await,
        data_dir: live.data_dir.clone(),
        port: free_port(),
        log: dir.join("restore.log"),
    };
    let out = env.command(&["restore", file]).output().unwrap();
    assert!(
        out.status.success(),
        "bisidder restore: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

async fn ids(env: &ServerEnv, sql: &str) -> HashSet<String> {
    let db = store::Db::connect(&env.database_url).await.unwrap();
    let out = sqlx::query_scalar(sql)
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    db.pool.close().await;
    out
}

const NAMES: [&str; 6] = [
    "Zorvaka", "Zorvakb", "Zorvakc", "Zorvakd", "Zorvake", "Zorvakf",
];

async fn backup_run(backend: Backend) {
    let started = Instant::now();
    let writers = 100;
    let before_backup = if long() { 3000 } else { 300 };
    let app = TestApp::new(backend).await;
    let requester = app.user("Backup Rådgiver", &[Role::Requester]).await;
    let coordinator = app.user("Backup Koordinator", &[Role::Coordinator]).await;
    let (bisidder, _) = app.bisidder("Backup Bisidder", "Aarhus", "children").await;
    let (writer_token, coordinator_token) = (
        token(&app, &requester).await,
        token(&app, &coordinator).await,
    );
    app.state.db.pool.close().await;
    let env = instance(&app, "server");
    // The retention purge looks again every second (default: 10 minutes after a pass that
    // found nothing), so the purges made after the backup happen within the test.
    let mut server = start(&env, &[("BISIDDER_RETENTION_CHECK_SECONDS", "1")]).await;
    let base = env.base();

    // Six people with a case each (made through the API), three of whom are purged after
    // the backup.
    let client = reqwest::Client::new();
    let mut cases = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let id = consented_request(
            &client,
            &base,
            &coordinator_token,
            name,
            format!("5{:07}", i),
            &day(i as i64 + 2),
            "10:00",
        )
        .await;
        let (status, body) = call(
            &client,
            format!("{base}/api/v1/requests/{id}/assign"),
            &coordinator_token,
            json!({"bisidder_id": bisidder}),
        )
        .await
        .unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        cases.push(id);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(Writes::default());
    let tasks: Vec<_> = (0..writers)
        .map(|n| {
            tokio::spawn(writer(
                n,
                base.clone(),
                writer_token.clone(),
                stop.clone(),
                writes.clone(),
            ))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while writes.acked.lock().unwrap().len() < before_backup {
        assert!(Instant::now() < deadline, "{}", log_tail(&env.log));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Everything acknowledged up to here must be in the backup.
    let acked_before: Vec<String> = writes.acked.lock().unwrap().clone();
    let file = app.dir.path().join("online.backup");
    let file_s = file.display().to_string();
    let backup_started = Instant::now();
    let out = {
        let mut c = env.command(&["backup", &file_s]);
        tokio::task::spawn_blocking(move || c.output().unwrap())
            .await
            .unwrap()
    };
    let backup_took = backup_started.elapsed();
    let acked_during = writes.acked.lock().unwrap().len() - acked_before.len();
    assert!(
        out.status.success(),
        "bisidder backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let acked_all = writes.acked.lock().unwrap().len();

    // Restore 1: every write acknowledged before the backup started, and the checks pass.
    let first = restore(backend, &env, &app.dir.path().join("restore1"), &file_s).await;
    let check_1 = check(&first);
    let restored = ids(&first, "SELECT id FROM requests").await;
    let lost: Vec<&String> = acked_before
        .iter()
        .filter(|id| !restored.contains(*id))
        .collect();
    let names_1 = ids(
        &first,
        "SELECT first_name FROM persons WHERE first_name LIKE 'Zorvak%'",
    )
    .await;

    // After the backup, three cases reach the end of their retention (closed long ago) and
    // the running server's retention job purges them, writing the purge ledger.
    let live = store::Db::connect(&env.database_url).await.unwrap();
    for r in &cases[..3] {
        sqlx::query("UPDATE cases SET closed_on = '2020-01-02' WHERE request_id = $1")
            .bind(r)
            .execute(&live.pool)
            .await
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let purged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purges")
            .fetch_one(&live.pool)
            .await
            .unwrap();
        if purged == 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server purged {purged} of 3 cases"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    live.pool.close().await;
    terminate(&mut server, &env.log).await;

    // Restore 2 of the same backup: the purges are applied again.
    let second = restore(backend, &env, &app.dir.path().join("restore2"), &file_s).await;
    let check_2 = check(&second);
    let names_2 = ids(
        &second,
        "SELECT first_name FROM persons WHERE first_name LIKE 'Zorvak%'",
    )
    .await;
    let restored_2 = ids(&second, "SELECT id FROM requests").await;
    let reapplied = ids(
        &second,
        "SELECT id FROM audit_log WHERE action = 'data.purge_reapplied'",
    )
    .await;
    eprintln!(
        "RELIABILITY: online backup on {backend:?}: writers {writers}, attempted {}, \
         acknowledged {acked_all} ({} before the backup started, {acked_during} while it ran), \
         server errors {}, backup took {:.2} s, requests in the restore {}, acknowledged before \
         the backup but lost {}; purged after the backup 3, people back after the second \
         restore {}; restore 1: {check_1}; restore 2: {check_2}; {:.1} s",
        writes.attempted.load(Relaxed),
        acked_before.len(),
        writes.server_errors.load(Relaxed),
        backup_took.as_secs_f64(),
        restored.len(),
        lost.len(),
        NAMES[..3].iter().filter(|n| names_2.contains(**n)).count(),
        started.elapsed().as_secs_f64()
    );
    assert!(lost.is_empty(), "lost: {:?}", &lost[..lost.len().min(5)]);
    assert_eq!(
        writes.server_errors.load(Relaxed),
        0,
        "{}",
        log_tail(&env.log)
    );
    assert_eq!(names_1.len(), 6, "the first restore holds all six people");
    for name in &NAMES[..3] {
        assert!(!names_2.contains(*name), "{name} is back after the restore");
    }
    for name in &NAMES[3..] {
        assert!(names_2.contains(*name), "{name} (not purged) is missing");
    }
    assert_eq!(restored_2, restored, "the purge anonymises; requests stay");
    assert_eq!(
        reapplied.len(),
        1,
        "the restore records the re-applied purges"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_backup_under_100_writers_restores_every_acknowledged_write_and_later_purges() {
    for backend in helpers::backends() {
        backup_run(backend).await;
    }
}
