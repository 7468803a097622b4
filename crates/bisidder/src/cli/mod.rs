//! The `bisidder` command line. Each subcommand is a thin wrapper over a library function.

use crate::{
    auth::admin::{self, CreateUser},
    clock::Clock,
    config::Config,
    policy::Role,
    store::{backup, Db},
};
use anyhow::{anyhow, bail, Context};
use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "bisidder",
    version,
    about = "Bisidder — bisidder services for Danish organisations"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (configuration from the environment; see README).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Run with a realistic demo dataset (loaded into an empty database) and print demo logins.
    Demo(DemoArgs),
    /// Manage user accounts and roles.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage API tokens for integrations.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Print an organisation's annual figures (SPEC §5) as JSON, exact (the operator's view).
    Report {
        /// Organisation id, slug or import id.
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i16,
    },
    /// Import an organisation's history (SPEC §7), all or nothing: one JSON Lines file, or
    /// the CSV templates (persons, cases, reports; download them at /stats) with --org.
    Import {
        /// With CSV files: the organisation they belong to (id, slug or import id).
        #[arg(long)]
        org: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write an organisation's persons, cases and reports of concern to FILE in the import
    /// format (SPEC §7), which `import` reads back. No names, notes or contact details.
    Export {
        /// Organisation id, slug or import id.
        #[arg(long)]
        org: String,
        file: PathBuf,
    },
    /// Write a consistent online backup of the whole database to FILE.
    Backup { file: PathBuf },
    /// Restore FILE (from `backup`) into an empty database.
    Restore { file: PathBuf },
    /// Field-encryption keys.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Check the database's integrity and the audit chain.
    Check,
    /// Remove personal data of closed cases whose retention ran out (the server also does
    /// this on its own); prints how many cases.
    Purge,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Keep the second factor required (as in production) instead of switching it off.
    #[arg(long)]
    pub require_totp: bool,
    /// Load the demo data and exit without serving.
    #[arg(long)]
    pub load_only: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create a user. Without --password a strong password is generated and printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, env = "BISIDDER_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Organisation slug for --role.
        #[arg(long)]
        org: Option<String>,
        /// Role in --org; repeat for several.
        #[arg(long = "role", value_parser = parse_role)]
        roles: Vec<Role>,
        #[arg(long)]
        platform_admin: bool,
    },
    /// Set a new password and end the user's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, env = "BISIDDER_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Grant a role in an organisation.
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Revoke a role (ends the user's sessions).
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Disable an account (ends its sessions and API tokens' use).
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Create a token acting as USER in ORG. The token is printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
    },
    /// Revoke a token by its id.
    Revoke { id: String },
}

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// Add a new active key and re-encrypt every encrypted field with it.
    Rotate,
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Recompute the hash chain and report the first row that does not fit.
    Verify,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {s:?}; one of: {}", all.join(", "))
    })
}

fn init_logging() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_env("BISIDDER_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_writer(std::io::stderr)
        .try_init();
}

fn generated_password() -> String {
    // 24 characters from a 62-symbol alphabet: ~143 bits.
    use rand::Rng;
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..24)
        .map(|_| A[rng.gen_range(0..A.len())] as char)
        .collect()
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_logging();
    let config = Config::from_env()?;
    let clock = Clock::system();
    let now = clock.now_us();
    match cli.command {
        Command::Serve => {
            let state = crate::open(&config, clock).await?;
            crate::serve(state, |addr| tracing::info!(%addr, "listening")).await
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            db.verify_durability().await?;
            db.migrate().await?;
            println!("database is at schema {}", Db::schema_version());
            Ok(())
        }
        Command::Demo(args) => crate::demo::run(config, args).await,
        Command::User(cmd) => user(config, now, cmd).await,
        Command::Token(cmd) => {
            let db = open_db(&config).await?;
            match cmd {
                TokenCmd::Create { email, org, name } => {
                    let (id, token) = admin::create_token(&db, now, &email, &org, &name).await?;
                    println!("token id: {id}\ntoken (shown once, store it safely): {token}");
                }
                TokenCmd::Revoke { id } => {
                    if !admin::revoke_token(&db, now, &id)
                        .await
                        .map_err(|e| anyhow!("{e}"))?
                    {
                        bail!("no active token with id {id}");
                    }
                    println!("token {id} revoked");
                }
            }
            Ok(())
        }
        Command::Report { org, year } => {
            let state = crate::open(&config, clock).await?;
            let id = crate::stats::service::org_id(&state, &org)
                .await
                .map_err(|_| anyhow!("no organisation {org:?}"))?;
            let figures = crate::stats::service::compute(&state, &id, &org, year)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!("{}", serde_json::to_string_pretty(&figures)?);
            Ok(())
        }
        Command::Import { org, files } => {
            let db = open_db(&config).await?;
            let mut texts = Vec::new();
            for file in &files {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                texts.push((name, text));
            }
            let csv = files
                .iter()
                .any(|f| f.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")));
            let s = match (csv, org, texts.as_slice()) {
                (true, Some(org), _) => crate::import::import_csv(&db, &org, &texts, now).await?,
                (true, None, _) => bail!("CSV files need --org <organisation>"),
                (false, _, [(_, text)]) => crate::import::import(&db, text, now).await?,
                (false, _, _) => bail!("give one JSON Lines file, or CSV files with --org"),
            };
            println!(
                "imported {}: {} new, {} changed, {} unchanged",
                texts
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                s.inserted,
                s.updated,
                s.unchanged
            );
            Ok(())
        }
        Command::Export { org, file } => {
            let state = crate::open(&config, clock).await?;
            let id = crate::stats::service::org_id(&state, &org)
                .await
                .map_err(|_| anyhow!("no organisation {org:?}"))?;
            let mut conn = state.db.pool.acquire().await?;
            let text = crate::import::export::export(&mut conn, &id)
                .await?
                .ok_or_else(|| anyhow!("no organisation {org:?}"))?;
            drop(conn);
            let mut tx = state.db.begin().await?;
            crate::audit::record(
                &mut tx,
                now,
                crate::audit::AuditAction::OrgExported,
                crate::audit::Entry {
                    org_id: Some(&id),
                    ..crate::audit::Entry::by("cli")
                }
                .resource("organisation", &id),
            )
            .await?;
            tx.commit().await?;
            std::fs::write(&file, &text)
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "exported {} lines to {}",
                text.lines().count(),
                file.display()
            );
            Ok(())
        }
        Command::Backup { file } => {
            let db = open_db(&config).await?;
            let s = backup::backup(&db, &file, now).await?;
            println!(
                "backup written to {}: {} rows from {} tables",
                file.display(),
                s.rows,
                s.tables
            );
            Ok(())
        }
        Command::Restore { file } => {
            let db = open_db(&config).await?;
            let ledger = config.data_dir.join(crate::privacy::retention::LEDGER_FILE);
            let s = backup::restore_with_ledger(&db, &file, Some(&ledger), now).await?;
            println!("restored {} rows from {}", s.rows, file.display());
            Ok(())
        }
        Command::Keys(KeysCmd::Rotate) => {
            let db = open_db(&config).await?;
            let (id, n) = crate::crypto::rotate(&db, &config.data_dir).await?;
            let mut tx = db.begin().await?;
            crate::audit::record(
                &mut tx,
                now,
                crate::audit::AuditAction::KeysRotated,
                crate::audit::Entry::by("cli").detail(&id),
            )
            .await?;
            tx.commit().await?;
            println!("new active key {id}; {n} values re-encrypted");
            Ok(())
        }
        Command::Audit(AuditCmd::Verify) => {
            let db = open_db(&config).await?;
            let mut conn = db.pool.acquire().await?;
            match crate::audit::verify(&mut conn).await? {
                crate::audit::Verdict::Intact { rows } => {
                    println!("audit log intact: {rows} rows");
                    Ok(())
                }
                crate::audit::Verdict::Broken { seq, why } => {
                    bail!("audit log broken at row {seq}: {why}")
                }
            }
        }
        Command::Purge => {
            let db = open_db(&config).await?;
            let ledger = config.data_dir.join(crate::privacy::retention::LEDGER_FILE);
            let n = crate::privacy::retention::run(&db, clock.now(), Some(&ledger)).await?;
            println!("personal data removed from {n} closed cases");
            Ok(())
        }
        Command::Check => {
            let db = open_db(&config).await?;
            db.integrity_check().await?;
            let mut conn = db.pool.acquire().await?;
            match crate::audit::verify(&mut conn).await? {
                crate::audit::Verdict::Intact { rows } => {
                    println!("database ok; audit log intact ({rows} rows)")
                }
                crate::audit::Verdict::Broken { seq, why } => {
                    bail!("audit log broken at row {seq}: {why}")
                }
            }
            Ok(())
        }
    }
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await?;
    db.verify_durability().await?;
    db.migrate().await?;
    Ok(db)
}

async fn user(config: Config, now: i64, cmd: UserCmd) -> anyhow::Result<()> {
    let db = open_db(&config).await?;
    match cmd {
        UserCmd::Create {
            email,
            name,
            password,
            org,
            roles,
            platform_admin,
        } => {
            if !roles.is_empty() && org.is_none() {
                bail!("--role needs --org");
            }
            let mut grants = Vec::new();
            if let Some(slug) = &org {
                let org_id = admin::org_id_by_slug(&db, slug).await?;
                grants = roles.iter().map(|r| (org_id.clone(), *r)).collect();
            }
            let generated = password.is_none();
            let pw = password.unwrap_or_else(generated_password);
            admin::create_user(
                &db,
                now,
                CreateUser {
                    email: &email,
                    name: &name,
                    password: SecretString::from(pw.clone()),
                    platform_admin,
                    grants,
                },
            )
            .await
            .context("user not created")?;
            println!("user {email} created");
            if generated {
                println!("password (shown once): {pw}");
            }
        }
        UserCmd::ResetPassword { email, password } => {
            let generated = password.is_none();
            let pw = password.unwrap_or_else(generated_password);
            admin::reset_password(&db, now, &email, SecretString::from(pw.clone())).await?;
            println!("password of {email} reset; their sessions ended");
            if generated {
                println!("password (shown once): {pw}");
            }
        }
        UserCmd::Grant { email, org, role } => {
            let changed = admin::set_role(&db, now, &email, &org, role, true).await?;
            println!(
                "{}",
                if changed {
                    "role granted"
                } else {
                    "role was already granted"
                }
            );
        }
        UserCmd::Revoke { email, org, role } => {
            let changed = admin::set_role(&db, now, &email, &org, role, false).await?;
            println!(
                "{}",
                if changed {
                    "role revoked; sessions ended"
                } else {
                    "the user did not have that role"
                }
            );
        }
        UserCmd::Disable { email } => {
            admin::disable(&db, now, &email).await?;
            println!("{email} disabled; sessions ended");
        }
    }
    Ok(())
}
