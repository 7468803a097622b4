//! Ten years of national data for one organisation, deterministic by seed: persons on the
//! real kommuner (weighted by their number of postcodes, a proxy for population), children
//! and adults, persons with several cases, cases spanning years, reports of concern with
//! one to four problem categories. Written with multi-row INSERTs in large transactions,
//! the same SQL on SQLite and PostgreSQL.

use bisidder::store::{Backend, Db};
use jiff::civil::Date;
use rand::{distributions::WeightedIndex, prelude::*, rngs::StdRng};
use ulid::Ulid;

pub const FIRST_YEAR: i16 = 2016;
pub const LAST_YEAR: i16 = 2025;
/// The organisation's slug (and import id) in the generated data.
pub const ORG: &str = "national";

/// Every civil date from 1 January 1925 on, by day number, so that date arithmetic is
/// index arithmetic and every date is formatted once.
struct Calendar {
    dates: Vec<Date>,
    text: Vec<String>,
}

impl Calendar {
    fn new() -> Self {
        let mut d = Date::constant(1925, 1, 1);
        let (mut dates, mut text) = (Vec::new(), Vec::new());
        while d.year() <= LAST_YEAR + 1 {
            dates.push(d);
            text.push(d.to_string());
            d = d.tomorrow().expect("in range");
        }
        Calendar { dates, text }
    }

    fn day(&self, date: Date) -> usize {
        (date - self.dates[0]).get_days() as usize
    }

    fn jan1(&self, year: i16) -> usize {
        self.day(Date::constant(year, 1, 1))
    }
}

pub struct Person {
    id: String,
    gender: &'static str,
    birth: Option<usize>,
    kommune: &'static str,
    child: bool,
}

pub struct Case {
    id: String,
    person: u32,
    authority: &'static str,
    opened: usize,
    closed: Option<usize>,
}

pub struct Report {
    id: String,
    case: u32,
    sent: Option<usize>,
    categories: Vec<&'static str>,
}

pub struct Data {
    cal: Calendar,
    pub persons: Vec<Person>,
    pub cases: Vec<Case>,
    pub reports: Vec<Report>,
}

impl Data {
    pub fn categories(&self) -> usize {
        self.reports.iter().map(|r| r.categories.len()).sum()
    }
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let w = WeightedIndex::new(items.iter().map(|(_, w)| *w)).expect("weights");
    items[w.sample(rng)].0
}

/// A log-normal number of days with the given median.
fn lognormal(rng: &mut StdRng, median: f64, sigma: f64) -> f64 {
    let (u1, u2): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen());
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    median * (sigma * z).exp()
}

fn ulid(rng: &mut StdRng, cal: &Calendar, day: usize) -> String {
    let ms = cal.dates[day]
        .to_zoned(jiff::tz::TimeZone::UTC)
        .expect("in range")
        .timestamp()
        .as_millisecond()
        .max(0) as u64;
    Ulid::from_parts(ms, rng.gen::<u128>()).to_string()
}

const CHILD_AUTHORITIES: [(&str, u32); 10] = [
    ("kommune", 50),
    ("familieretshuset", 25),
    ("familieretten", 4),
    ("ankestyrelsen", 4),
    ("boern_og_unge_udvalget", 5),
    ("ungdomskriminalitetsnaevnet", 3),
    ("retten", 2),
    ("politi", 3),
    ("sundhed", 2),
    ("anden", 2),
];
const ADULT_AUTHORITIES: [(&str, u32); 12] = [
    ("kommune", 25),
    ("jobcenter", 24),
    ("ydelse", 12),
    ("sundhed", 9),
    ("misbrugsbehandling", 6),
    ("bolig", 6),
    ("politi", 5),
    ("retten", 4),
    ("familieretshuset", 4),
    ("ankestyrelsen", 3),
    ("familieretten", 1),
    ("anden", 1),
];
const CHILD_GENDERS: [(&str, u32); 4] = [("girl", 54), ("boy", 44), ("other", 1), ("unknown", 1)];
const ADULT_GENDERS: [(&str, u32); 4] = [("woman", 58), ("man", 40), ("other", 1), ("unknown", 1)];
/// Age of a child at the first case, 0–17, weighted towards the early teens.
const CHILD_AGES: [(i64, u32); 18] = [
    (0, 1),
    (1, 1),
    (2, 1),
    (3, 2),
    (4, 2),
    (5, 2),
    (6, 3),
    (7, 3),
    (8, 4),
    (9, 5),
    (10, 7),
    (11, 9),
    (12, 11),
    (13, 13),
    (14, 13),
    (15, 11),
    (16, 8),
    (17, 5),
];
const CATEGORIES: [(&str, u32); 15] = [
    ("mistrivsel", 30),
    ("konflikt_i_hjemmet", 20),
    ("fysisk_vold", 10),
    ("psykisk_vold", 12),
    ("seksuelle_overgreb", 5),
    ("digitale_overgreb", 4),
    ("omsorgssvigt", 10),
    ("foraeldres_misbrug", 8),
    ("foraeldres_psykiske_sygdom", 7),
    ("selvskade", 6),
    ("selvmordstanker", 5),
    ("spiseforstyrrelse", 3),
    ("eget_misbrug", 3),
    ("kriminalitet", 3),
    ("andet", 4),
];

/// `n_cases` cases over FIRST_YEAR..=LAST_YEAR (6 % more each year, fewer in July and
/// December) and `n_reports` reports of concern on children's cases.
pub fn generate(seed: u64, n_cases: usize, n_reports: usize) -> Data {
    let mut rng = StdRng::seed_from_u64(seed);
    let cal = Calendar::new();
    let kommuner: Vec<(&'static str, u32)> = geo::kommuner()
        .iter()
        .map(|k| (k.code, k.postcodes().count().max(1) as u32))
        .collect();
    let kommune_w = WeightedIndex::new(kommuner.iter().map(|k| k.1)).expect("weights");
    let years = (LAST_YEAR - FIRST_YEAR + 1) as usize;
    let growth: Vec<f64> = (0..years).map(|i| 1.06f64.powi(i as i32)).collect();
    let sum: f64 = growth.iter().sum();
    let end = cal.day(Date::constant(LAST_YEAR, 12, 31));
    let mut persons: Vec<Person> = Vec::new();
    let mut cases: Vec<Case> = Vec::with_capacity(n_cases);
    let mut made = 0;
    for (i, g) in growth.iter().enumerate() {
        let year = FIRST_YEAR + i as i16;
        let n = if i + 1 == years {
            n_cases - made
        } else {
            (n_cases as f64 * g / sum).round() as usize
        };
        made += n;
        let (start, len) = (cal.jan1(year), cal.jan1(year + 1) - cal.jan1(year));
        let mut days: Vec<usize> = Vec::with_capacity(n);
        while days.len() < n {
            let d = start + rng.gen_range(0..len);
            let keep = match cal.dates[d].month() {
                7 => 0.5,
                12 => 0.7,
                _ => 1.0,
            };
            if rng.gen::<f64>() < keep {
                days.push(d);
            }
        }
        days.sort_unstable();
        for opened in days {
            // About a third of the cases are a returning person's (one seen recently).
            let person = if !persons.is_empty() && rng.gen::<f64>() < 0.35 {
                let window = persons.len().min(60_000);
                persons.len() - 1 - rng.gen_range(0..window)
            } else {
                let child = rng.gen::<f64>() < 0.7;
                let (gender, birth) = if child {
                    let age = pick(&mut rng, &CHILD_AGES);
                    (
                        pick(&mut rng, &CHILD_GENDERS),
                        opened.checked_sub((age * 365 + rng.gen_range(0..365)) as usize),
                    )
                } else {
                    let age = rng.gen_range(18..85);
                    (
                        pick(&mut rng, &ADULT_GENDERS),
                        opened.checked_sub((age * 365 + rng.gen_range(0..365)) as usize),
                    )
                };
                // A few records came without a birth date.
                let birth = birth.filter(|_| rng.gen::<f64>() >= 0.02);
                persons.push(Person {
                    id: ulid(&mut rng, &cal, opened),
                    gender,
                    birth,
                    kommune: kommuner[kommune_w.sample(&mut rng)].0,
                    child,
                });
                persons.len() - 1
            };
            let child = persons[person].child;
            let authority = if child {
                pick(&mut rng, &CHILD_AUTHORITIES)
            } else {
                pick(&mut rng, &ADULT_AUTHORITIES)
            };
            let days = lognormal(&mut rng, if child { 120.0 } else { 60.0 }, 0.9).min(1800.0);
            let closed = opened + days as usize;
            // Closed after the data ends, or (1 %) never closed in the old system: open.
            let closed = (closed <= end && rng.gen::<f64>() >= 0.01).then_some(closed);
            cases.push(Case {
                id: ulid(&mut rng, &cal, opened),
                person: person as u32,
                authority,
                opened,
                closed,
            });
        }
    }
    // Reports of concern are about children: cases of persons under 18 when opened.
    let child_cases: Vec<u32> = (0..cases.len() as u32)
        .filter(|&c| {
            let case = &cases[c as usize];
            let p = &persons[case.person as usize];
            p.child && p.birth.is_none_or(|b| case.opened - b < 18 * 365)
        })
        .collect();
    let counts = [(1usize, 45u32), (2, 30), (3, 17), (4, 8)];
    let mut reports: Vec<Report> = (0..n_reports)
        .map(|_| {
            let case = child_cases[rng.gen_range(0..child_cases.len())];
            let c = &cases[case as usize];
            let span = c.closed.unwrap_or(end).min(end) - c.opened;
            let sent = c.opened + rng.gen_range(0..=span.min(365));
            let n = pick(&mut rng, &counts);
            let mut categories: Vec<&'static str> = Vec::with_capacity(n);
            while categories.len() < n {
                let k = pick(&mut rng, &CATEGORIES);
                if !categories.contains(&k) {
                    categories.push(k);
                }
            }
            Report {
                id: String::new(),
                case,
                // A few reports were registered without their sent date.
                sent: (rng.gen::<f64>() >= 0.01).then_some(sent),
                categories,
            }
        })
        .collect();
    reports.sort_by_key(|r| r.sent.unwrap_or(cases[r.case as usize].opened));
    for r in &mut reports {
        r.id = ulid(
            &mut rng,
            &cal,
            r.sent.unwrap_or(cases[r.case as usize].opened),
        );
    }
    Data {
        cal,
        persons,
        cases,
        reports,
    }
}

/// Rows per INSERT statement: a few thousand parameters, under both databases' limits.
const ROWS_PER_STATEMENT: usize = 500;
/// SQLite: sqlx looks each `$n` up by name (`sqlite3_bind_parameter_name`, a scan of the
/// statement's parameters), so binding costs the square of a statement's parameters:
/// `perf` put 72 % of the load there with 500 rows (4,000 parameters) a statement.
const SQLITE_ROWS_PER_STATEMENT: usize = 40;
/// Rows per transaction.
const ROWS_PER_TX: usize = 100_000;

fn insert_sql(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::from(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * cols + c + 1));
        }
        sql.push(')');
    }
    sql
}

type Q<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Inserts `n` rows, binding row `i` with `bind`.
async fn insert_all(
    db: &Db,
    head: &str,
    cols: usize,
    n: usize,
    bind: impl for<'q> Fn(Q<'q>, usize) -> Q<'q>,
) -> anyhow::Result<()> {
    let per_statement = match db.backend {
        Backend::Sqlite => SQLITE_ROWS_PER_STATEMENT,
        Backend::Postgres => ROWS_PER_STATEMENT,
    };
    let full = insert_sql(head, cols, per_statement);
    let t = std::time::Instant::now();
    let mut done = 0;
    while done < n {
        let mut tx = db.begin().await?;
        let tx_end = (done + ROWS_PER_TX).min(n);
        while done < tx_end {
            let rows = (tx_end - done).min(per_statement);
            let last;
            let sql = if rows == per_statement {
                &full
            } else {
                last = insert_sql(head, cols, rows);
                &last
            };
            let mut q = sqlx::query(sql);
            for i in done..done + rows {
                q = bind(q, i);
            }
            q.execute(&mut *tx).await?;
            done += rows;
        }
        tx.commit().await?;
    }
    let table = head.split_whitespace().nth(2).unwrap_or(head);
    eprintln!("  {table}: {n} rows in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Writes the organisation and every generated row, then refreshes the planner's
/// statistics (as autovacuum / `PRAGMA optimize` would after a large import).
pub async fn load(db: &Db, data: &Data, now_us: i64) -> anyhow::Result<String> {
    let org = Ulid::from_parts(0, 1).to_string();
    sqlx::query("INSERT INTO organisations (id, slug, name, kind, source_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&org)
        .bind(ORG)
        .bind("Landsdækkende bisidderordning")
        .bind("professional_children")
        .bind(ORG)
        .bind(now_us)
        .execute(&db.pool)
        .await?;
    let cal = &data.cal;
    insert_all(
        db,
        "INSERT INTO persons (id, org_id, source_id, first_name, gender, birth_date, kommune_code, created_at)",
        8,
        data.persons.len(),
        |q, i| {
            let p = &data.persons[i];
            q.bind(p.id.clone())
                .bind(org.clone())
                .bind(format!("p{i}"))
                .bind("")
                .bind(p.gender)
                .bind(p.birth.map(|d| cal.text[d].clone()))
                .bind(p.kommune)
                .bind(now_us)
        },
    )
    .await?;
    insert_all(
        db,
        "INSERT INTO cases (id, org_id, source_id, person_id, authority, opened_on, closed_on, created_at)",
        8,
        data.cases.len(),
        |q, i| {
            let c = &data.cases[i];
            q.bind(c.id.clone())
                .bind(org.clone())
                .bind(format!("c{i}"))
                .bind(data.persons[c.person as usize].id.clone())
                .bind(c.authority)
                .bind(cal.text[c.opened].clone())
                .bind(c.closed.map(|d| cal.text[d].clone()))
                .bind(now_us)
        },
    )
    .await?;
    insert_all(
        db,
        "INSERT INTO reports_of_concern (id, org_id, source_id, case_id, kommune_code, sent_on, created_at)",
        7,
        data.reports.len(),
        |q, i| {
            let r = &data.reports[i];
            let c = &data.cases[r.case as usize];
            q.bind(r.id.clone())
                .bind(org.clone())
                .bind(format!("u{i}"))
                .bind(c.id.clone())
                .bind(data.persons[c.person as usize].kommune)
                .bind(r.sent.map(|d| cal.text[d].clone()))
                .bind(now_us)
        },
    )
    .await?;
    let cats: Vec<(&str, &str)> = data
        .reports
        .iter()
        .flat_map(|r| r.categories.iter().map(|k| (r.id.as_str(), *k)))
        .collect();
    insert_all(
        db,
        "INSERT INTO report_categories (report_id, category)",
        2,
        cats.len(),
        |q, i| q.bind(cats[i].0.to_string()).bind(cats[i].1),
    )
    .await?;
    let t = std::time::Instant::now();
    match db.backend {
        Backend::Sqlite => {
            sqlx::query("ANALYZE").execute(&db.pool).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&db.pool)
                .await?;
        }
        Backend::Postgres => {
            sqlx::query("VACUUM ANALYZE").execute(&db.pool).await?;
        }
    }
    eprintln!("  analyze: {:.1} s", t.elapsed().as_secs_f64());
    Ok(org)
}
