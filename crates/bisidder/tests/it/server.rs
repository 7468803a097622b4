//! The real server binary as a child process, for the tests that kill, restart or run
//! several instances of it (crash.rs, reliability.rs).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// How the server is started, the same every time so a restart finds the same database
/// and the same field-encryption key.
pub struct ServerEnv {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub port: u16,
    pub log: PathBuf,
}

impl ServerEnv {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bisidder"));
        c.args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("BISIDDER_BIND", format!("127.0.0.1:{}", self.port))
            .env("BISIDDER_PUBLIC_URL", self.base())
            .env("BISIDDER_DATA_DIR", &self.data_dir)
            .env("BISIDDER_LOG", "warn")
            .env_remove("BISIDDER_CONFIG")
            .env_remove("BISIDDER_SMTP_URL")
            .env_remove("BISIDDER_SMS_URL");
        c
    }

    pub fn spawn(&self) -> Child {
        self.spawn_with(&[])
    }

    /// `serve` with extra environment (e.g. `BISIDDER_SMTP_URL`).
    pub fn spawn_with(&self, vars: &[(&str, &str)]) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut c = self.command(&["serve"]);
        for (k, v) in vars {
            c.env(k, v);
        }
        c.stdout(Stdio::null()).stderr(log).spawn().unwrap()
    }

    /// Waits until `/readyz` answers; a server that exits or never gets ready fails the test.
    pub async fn wait_ready(&self, child: &mut Child) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "the server exited ({status}) instead of starting:\n{}",
                    log_tail(&self.log)
                );
            }
            let ready = client
                .get(format!("{}/readyz", self.base()))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server was not ready within 60 s:\n{}",
                log_tail(&self.log)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Stops the server as an orchestrator does (SIGTERM) and waits for it to exit by itself;
/// it must exit successfully within 30 s.
pub async fn terminate(child: &mut Child, log: &Path) {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success(), "kill -TERM {pid}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "the server exited with {status} on SIGTERM:\n{}",
                log_tail(log)
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop within 30 s of SIGTERM:\n{}",
            log_tail(log)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.len().saturating_sub(4000);
    text.get(start..).unwrap_or(&text).to_string()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
