//! The annual-report benchmark (SPEC §8 "Reports"): ten years of generated national data
//! (by default 1,000,000 cases and 200,000 reports of concern) loaded into a fresh SQLite
//! file and/or a fresh PostgreSQL database, then the annual report of the latest year
//! timed through `stats::service::annual` — the code behind `GET /api/v1/stats/annual`
//! (organisation lookup, access check, loading, figures, audit row). Prints a markdown
//! table. Run it with `bench/annual.sh`; see bench/README.md.

mod gen;

use anyhow::{bail, Context};
use bisidder::{
    clock::Clock,
    config::Config,
    policy::{Actor, Role},
    stats::{domain, service, store},
    store::Backend,
};
use clap::Parser;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// Cases over the ten years.
    #[arg(long, default_value_t = 1_000_000)]
    cases: usize,
    /// Reports of concern over the ten years.
    #[arg(long, default_value_t = 200_000)]
    reports: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed runs of the annual report per backend.
    #[arg(long, default_value_t = 7)]
    runs: usize,
    /// A SQLite file to create (an existing one is replaced).
    #[arg(long)]
    sqlite: Option<std::path::PathBuf>,
    /// A PostgreSQL server URL (a role that may CREATE DATABASE); a fresh database is
    /// created on it and dropped afterwards.
    #[arg(long)]
    postgres: Option<String>,
    /// Keep the PostgreSQL database afterwards.
    #[arg(long)]
    keep: bool,
    /// Also write the results (markdown) to this file.
    #[arg(long)]
    markdown: Option<std::path::PathBuf>,
    /// Time databases loaded by an earlier run (with --keep) instead: --sqlite names the
    /// file and --postgres the database itself; nothing is generated or loaded.
    #[arg(long)]
    existing: bool,
}

/// One path's timings: the first request (with nothing kept: after the load, or after
/// the kept history was dropped) and the `--runs` requests after it.
struct Timed {
    cold: Duration,
    runs: Vec<Duration>,
    /// CPU time per run: this process plus the database server's backends (PostgreSQL
    /// runs on this machine); unlike wall time, hardly changed by other work.
    cpu: Vec<Duration>,
}

impl Timed {
    fn median(&self) -> Duration {
        median(&self.runs)
    }
    fn max(&self) -> Duration {
        self.runs.iter().copied().max().unwrap_or_default()
    }
}

fn median(v: &[Duration]) -> Duration {
    let mut sorted = v.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

struct Row {
    backend: &'static str,
    load: Option<Duration>,
    size_bytes: i64,
    /// The coordinator's report: exact figures.
    exact: Timed,
    /// The analyst's report: disclosure-controlled, with every year's history.
    protected: Timed,
    /// recent cases / old cases counted / old cases grouped (built) / kept groups read /
    /// reports / figures
    phases: [Duration; 6],
    figures: String,
    /// The machine's 1-minute load average when the timing ended.
    loadavg: String,
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.sqlite.is_none() && args.postgres.is_none() {
        bail!("give --sqlite FILE and/or --postgres URL");
    }
    if args.existing {
        let mut rows = Vec::new();
        if let Some(path) = &args.sqlite {
            rows.push(run(&args, None, &format!("sqlite://{}", path.display())).await?);
        }
        if let Some(url) = &args.postgres {
            rows.push(run(&args, None, url).await?);
        }
        let head = format!(
            "Annual report {} on existing databases; {} timed runs each, release build.\n",
            gen::LAST_YEAR,
            args.runs
        );
        return table(&args, &head, &rows);
    }
    let t = Instant::now();
    let data = gen::generate(args.seed, args.cases, args.reports);
    let generated = t.elapsed();
    eprintln!(
        "generated {} persons, {} cases, {} reports of concern, {} categories in {:.1} s",
        data.persons.len(),
        data.cases.len(),
        data.reports.len(),
        data.categories(),
        generated.as_secs_f64()
    );
    let mut rows = Vec::new();
    if let Some(path) = &args.sqlite {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        rows.push(run(&args, Some(&data), &format!("sqlite://{}", path.display())).await?);
    }
    if let Some(server) = &args.postgres {
        sqlx::any::install_default_drivers();
        let name = format!("bench_annual_{}", std::process::id());
        let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(server)
            .await
            .context("cannot connect to the PostgreSQL server")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        let base = server.rsplit_once('/').map_or(server.as_str(), |b| b.0);
        let result = run(&args, Some(&data), &format!("{base}/{name}")).await;
        if !args.keep {
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
        }
        rows.push(result?);
    }
    if rows.len() == 2 && rows[0].figures != rows[1].figures {
        bail!(
            "the backends disagree:\n{}\n{}",
            rows[0].figures,
            rows[1].figures
        );
    }
    let head = format!(
        "Annual report {} over {}–{}: {} cases, {} reports of concern ({} categories), {} persons; \
         generated in {:.1} s; {} timed runs each, release build.\n",
        gen::LAST_YEAR,
        gen::FIRST_YEAR,
        gen::LAST_YEAR,
        data.cases.len(),
        data.reports.len(),
        data.categories(),
        data.persons.len(),
        generated.as_secs_f64(),
        args.runs
    );
    table(&args, &head, &rows)
}

fn table(args: &Args, head: &str, rows: &[Row]) -> anyhow::Result<()> {
    use std::fmt::Write;
    let mut out = String::from(head);
    out.push_str(
        "\n| backend | load (insert + analyze) | database size | coordinator (exact): first | then, median | max | CPU, median | \
         analyst (protected, with history): first | then, median | max | CPU, median | load average |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        writeln!(
            out,
            "| {} | {} | {:.0} MB | {} | **{}** | {} | {} | {} | **{}** | {} | {} | {} |",
            r.backend,
            r.load
                .map_or("–".into(), |d| format!("{:.0} s", d.as_secs_f64())),
            r.size_bytes as f64 / 1e6,
            ms(r.exact.cold),
            ms(r.exact.median()),
            ms(r.exact.max()),
            ms(median(&r.exact.cpu)),
            ms(r.protected.cold),
            ms(r.protected.median()),
            ms(r.protected.max()),
            ms(median(&r.protected.cpu)),
            r.loadavg,
        )?;
    }
    out.push_str(
        "\nWhere the time goes, phase by phase (once, after the timed runs):\n\n\
         | backend | recent cases | old cases counted | old cases grouped (building the kept history) | kept history read | reports of the year | figures |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let p = r.phases.map(ms);
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.backend, p[0], p[1], p[2], p[3], p[4], p[5]
        )?;
    }
    if rows.len() == 2 {
        out.push_str("\nBoth backends gave the same figures, exact and protected.\n");
    }
    print!("{out}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &out).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(r) = rows.first() {
        eprintln!("figures: {}", r.figures);
    }
    Ok(())
}

async fn run(args: &Args, data: Option<&gen::Data>, url: &str) -> anyhow::Result<Row> {
    let dir = tempfile::tempdir()?;
    let config = Config {
        database_url: url.to_string(),
        data_dir: dir.path().join("data"),
        ..Config::default()
    };
    let state = bisidder::open(&config, Clock::system()).await?;
    let backend = match state.db.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let (org, load) = match data {
        Some(data) => {
            let t = Instant::now();
            let org = gen::load(&state.db, data, state.clock.now_us()).await?;
            eprintln!("{backend}: loaded in {:.1} s", t.elapsed().as_secs_f64());
            (org, Some(t.elapsed()))
        }
        None => (
            service::org_id(&state, gen::ORG)
                .await
                .map_err(|e| anyhow::anyhow!("no generated organisation: {e}"))?,
            None,
        ),
    };
    let size_bytes: i64 = match state.db.backend {
        Backend::Sqlite => {
            sqlx::query_scalar(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            )
            .fetch_one(&state.db.pool)
            .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar("SELECT pg_database_size(current_database())::BIGINT")
                .fetch_one(&state.db.pool)
                .await?
        }
    };
    let actor = |role: Role| Actor {
        user_id: "bench".into(),
        name: "Benchmark".into(),
        org_id: Some(org.clone()),
        roles: vec![role],
        via_token: true,
    };
    let (coordinator, analyst) = (actor(Role::Coordinator), actor(Role::Analyst));
    let year = gen::LAST_YEAR;
    // Nothing kept: the first requests build it (a fresh load has none; --existing drops it).
    sqlx::query("DELETE FROM stats_history_cache")
        .execute(&state.db.pool)
        .await?;
    let once = |actor: &Actor| {
        let state = &state;
        let actor = actor.clone();
        async move {
            let server = server_pids(&state.db).await?;
            let c = cpu_ticks("self") + server.iter().map(|p| cpu_ticks(p)).sum::<u64>();
            let t = Instant::now();
            let v = service::annual(state, &actor, gen::ORG, year)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let wall = t.elapsed();
            let server = server_pids(&state.db).await?;
            let c = (cpu_ticks("self") + server.iter().map(|p| cpu_ticks(p)).sum::<u64>())
                .saturating_sub(c);
            anyhow::Ok((wall, Duration::from_millis(c * 10), v.to_string()))
        }
    };
    let (exact_cold, _, exact_first) = once(&coordinator).await?;
    let (protected_cold, _, protected_first) = once(&analyst).await?;
    let mut exact = Timed {
        cold: exact_cold,
        runs: Vec::new(),
        cpu: Vec::new(),
    };
    let mut protected = Timed {
        cold: protected_cold,
        runs: Vec::new(),
        cpu: Vec::new(),
    };
    for _ in 0..args.runs {
        for (actor, timed, first) in [
            (&coordinator, &mut exact, &exact_first),
            (&analyst, &mut protected, &protected_first),
        ] {
            let (wall, cpu, v) = once(actor).await?;
            if v != *first {
                bail!("{backend}: a later report differs from the first:\n{first}\n{v}");
            }
            timed.runs.push(wall);
            timed.cpu.push(cpu);
        }
    }
    // Where the time goes, measured once more phase by phase.
    let mut conn = state.db.pool.acquire().await?;
    let t = Instant::now();
    let cases = store::recent_cases(&mut conn, &org, year).await?;
    let t_cases = t.elapsed();
    let t = Instant::now();
    std::hint::black_box(store::old_case_count(&mut conn, &org, year).await?);
    let t_count = t.elapsed();
    let t = Instant::now();
    let groups = store::old_case_groups(&mut conn, &org, year).await?;
    let t_groups = t.elapsed();
    let t = Instant::now();
    let kept = store::cached_case_groups(&mut conn, &org, year).await?;
    let t_kept = t.elapsed();
    if kept.as_ref() != Some(&groups) {
        bail!("{backend}: the kept history is not what grouping the cases gives");
    }
    let t = Instant::now();
    let reports = store::reports(
        &mut conn,
        &org,
        &format!("{year}-01-01"),
        &format!("{year}-12-31"),
    )
    .await?;
    let t_reports = t.elapsed();
    let t = Instant::now();
    let a = domain::annual_with_groups(gen::ORG, year, &cases, &groups, &reports);
    std::hint::black_box(domain::case_history_with_groups(&cases, &groups, year));
    let t_figures = t.elapsed();
    std::hint::black_box(a);
    drop(conn);
    state.db.pool.close().await;
    let loadavg = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().map(str::to_owned))
        .unwrap_or_default();
    Ok(Row {
        backend,
        load,
        size_bytes,
        exact,
        protected,
        phases: [t_cases, t_count, t_groups, t_kept, t_reports, t_figures],
        figures: format!("{exact_first}\n{protected_first}"),
        loadavg,
    })
}

/// User + system CPU time of a process in clock ticks (1/100 s), from /proc.
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 12th, stime 13th.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    tick(11) + tick(12)
}

/// The PostgreSQL backends serving this database (none for SQLite).
async fn server_pids(db: &bisidder::store::Db) -> anyhow::Result<Vec<String>> {
    if db.backend == Backend::Sqlite {
        return Ok(Vec::new());
    }
    let pids: Vec<i32> =
        sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            .fetch_all(&db.pool)
            .await?;
    Ok(pids.iter().map(i32::to_string).collect())
}
