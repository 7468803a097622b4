//! The database: one pool over sqlx's `Any` driver, SQLite by default and PostgreSQL when
//! `DATABASE_URL` says so. Every query is written once in SQL both dialects accept (`$1`
//! placeholders, TEXT ids, INTEGER/BIGINT microseconds, 0/1 booleans); only the schema
//! (migrations/sqlite, migrations/postgres) and the connection settings differ.
//!
//! Writes go through [`Db::begin`]: on SQLite that is `BEGIN IMMEDIATE`, so a transaction
//! that reads and then writes never fails half-way with SQLITE_BUSY; on PostgreSQL it is a
//! plain READ COMMITTED transaction and invariants are held by row locks taken with a
//! conditional `UPDATE … SET version = version + 1` (see STYLE.md).

pub mod backup;
pub mod row;

use anyhow::{bail, Context};
use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    AnyPool, Executor,
};
use std::time::Duration;

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
pub use sqlx::AnyConnection as Conn;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";
/// JIT compilation pays off only for long analytical queries; on ours (the longest is the
/// annual report's, bench/annual) compiling took 90–400 ms and saved less.
const POSTGRES_SETTINGS: &str = "SET jit = off";

impl Db {
    /// Opens the pool. A SQLite file (and its folder) is created if missing.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, sqlite_url(url)?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            bail!("DATABASE_URL must start with sqlite: or postgres://");
        };
        let max = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    conn.execute(match backend {
                        Backend::Sqlite => SQLITE_PRAGMAS,
                        Backend::Postgres => POSTGRES_SETTINGS,
                    })
                    .await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .context("cannot connect to the database")?;
        Ok(Db { pool, backend })
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Starts a read-only transaction that sees one consistent snapshot (used by backup).
    pub async fn begin_snapshot(&self) -> sqlx::Result<Tx> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&self.pool).await.context("migration failed")?;
        // The 2018 directory listings belong to every installation (SPEC C9).
        let now = jiff::Timestamp::now().as_microsecond();
        crate::directory::listings::ensure(self, now).await?;
        Ok(())
    }

    /// The newest migration applied, for backups and `/readyz`.
    pub fn schema_version() -> i64 {
        SQLITE_MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Refuses to run on settings that could lose an acknowledged write.
    pub async fn verify_durability(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        match self.backend {
            Backend::Sqlite => {
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut *conn)
                    .await?;
                let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut *conn)
                    .await?;
                let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                    .fetch_one(&mut *conn)
                    .await?;
                if mode.to_lowercase() != "wal" {
                    bail!("SQLite journal_mode is {mode}, expected wal");
                }
                if sync < 2 {
                    bail!("SQLite synchronous is {sync}, expected FULL (2) or EXTRA (3)");
                }
                if fk != 1 {
                    bail!("SQLite foreign_keys is off");
                }
            }
            Backend::Postgres => {
                for (setting, ok) in [
                    ("fsync", &["on"][..]),
                    (
                        "synchronous_commit",
                        &["on", "remote_apply", "remote_write"][..],
                    ),
                    ("full_page_writes", &["on"][..]),
                ] {
                    let v: String = sqlx::query_scalar(&format!("SHOW {setting}"))
                        .fetch_one(&mut *conn)
                        .await?;
                    if !ok.contains(&v.as_str()) {
                        bail!("PostgreSQL {setting} is {v}; Bisidder requires it on");
                    }
                }
            }
        }
        Ok(())
    }

    /// Integrity check: SQLite's own, and on both the audit chain is verified separately.
    pub async fn integrity_check(&self) -> anyhow::Result<()> {
        if self.backend == Backend::Sqlite {
            let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(&self.pool)
                .await?;
            if rows != ["ok"] {
                bail!("SQLite integrity check failed: {}", rows.join("; "));
            }
            let fk: Vec<sqlx::any::AnyRow> = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(&self.pool)
                .await?;
            if !fk.is_empty() {
                bail!("SQLite foreign key check found {} violations", fk.len());
            }
        }
        Ok(())
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// `sqlite://path` → an sqlx URL that creates the file, after creating its folder.
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" {
        bail!("an in-memory SQLite database would lose every write; give a file path");
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create folder {}", parent.display()))?;
        }
    }
    Ok(format!("sqlite://{path}?mode=rwc"))
}

/// A new ULID as text: sortable by creation time, safe in URLs.
pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}
