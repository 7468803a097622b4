//! The statistics store packs its records (see stats/store.rs) and leaves out what no
//! figure reads; these tests prove the figures are the ones a plain row-by-row reading of
//! every case and report gives, on a history built to hit every boundary, and the counts
//! those figures are made of agree with SQL counts.

use crate::{helpers::*, on_both};
use bisidder::stats::{
    domain::{self, CaseRec, ReportRec},
    service, store,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::Row;

const AUTHORITIES: [&str; 6] = [
    "kommune",
    "familieretshuset",
    "familieretten",
    "retten",
    "jobcenter",
    "politi",
];
const GENDERS: [&str; 6] = ["girl", "boy", "woman", "man", "other", "unknown"];

/// Dates as day numbers from 1 January 2000.
fn day(n: i64) -> String {
    let d = jiff::civil::date(2000, 1, 1)
        .checked_add(jiff::Span::new().days(n))
        .unwrap();
    d.to_string()
}

/// A history over 2015–2022 with cases closed on 31 December and 1 January, still open,
/// opened on 1 January and 31 December, persons with several cases, reports without
/// categories, with several, without a sent date, and persons without a birth date.
fn history(seed: u64) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut lines = vec![
        r#"{"type":"organisation","id":"st","name":"Statistik","kind":"professional_children"}"#
            .to_string(),
    ];
    let start = jiff::civil::date(2015, 1, 1)
        .since(jiff::civil::date(2000, 1, 1))
        .unwrap()
        .get_days() as i64;
    for p in 0..80 {
        let gender = GENDERS[rng.gen_range(0..GENDERS.len())];
        let birth = if rng.gen_bool(0.1) {
            String::new()
        } else {
            format!(r#","birth_date":"{}""#, day(start - rng.gen_range(0..8000)))
        };
        lines.push(format!(
            r#"{{"type":"person","id":"p{p}","org":"st","gender":"{gender}"{birth}}}"#
        ));
    }
    let boundaries = ["12-31", "01-01", "01-02", "12-30"];
    for c in 0..300 {
        let person = rng.gen_range(0..80);
        let authority = AUTHORITIES[rng.gen_range(0..AUTHORITIES.len())];
        let (opened, closed) = if c % 5 == 0 {
            // On a year's edge: opened and closed on 30/31 December, 1/2 January.
            let y = rng.gen_range(2015..=2022);
            let o = format!("{y}-{}", boundaries[rng.gen_range(0..4)]);
            let cy = y + rng.gen_range(0..=2);
            let cl = format!("{cy}-{}", boundaries[rng.gen_range(0..4)]);
            let closed = (cl >= o && !rng.gen_bool(0.2)).then_some(cl);
            (o, closed)
        } else {
            let o = start + rng.gen_range(0..8 * 365);
            let closed = (!rng.gen_bool(0.15)).then(|| day(o + rng.gen_range(0..900)));
            (day(o), closed)
        };
        let closed = closed.map_or(String::new(), |d| format!(r#","closed_on":"{d}""#));
        lines.push(format!(
            r#"{{"type":"case","id":"c{c}","org":"st","person":"p{person}","authority":"{authority}","opened_on":"{opened}"{closed}}}"#
        ));
    }
    let cats = domain::CATEGORIES;
    for r in 0..160 {
        let case = rng.gen_range(0..300);
        let sent = if rng.gen_bool(0.05) {
            String::new()
        } else {
            format!(r#","sent_on":"{}""#, day(start + rng.gen_range(0..8 * 365)))
        };
        let n = rng.gen_range(0..=4);
        let mut picked: Vec<String> = (0..n)
            .map(|_| format!("\"{}\"", cats[rng.gen_range(0..cats.len())]))
            .collect();
        picked.dedup();
        lines.push(format!(
            r#"{{"type":"report_of_concern","id":"u{r}","case":"c{case}"{sent},"categories":[{}]}}"#,
            picked.join(",")
        ));
    }
    lines.join("\n")
}

/// The plain way: every column of every row, one row at a time.
async fn by_rows(app: &TestApp, org: &str, year: i16) -> (Vec<CaseRec>, Vec<ReportRec>) {
    let pool = &app.state.db.pool;
    let date = |s: Option<String>| s.and_then(|s| s.parse().ok());
    let mut cases = Vec::new();
    for r in sqlx::query(
        "SELECT id, person_id, authority, opened_on, closed_on FROM cases WHERE org_id = $1 AND opened_on <= $2",
    )
    .bind(org)
    .bind(format!("{year}-12-31"))
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let Some(opened_on) = date(r.get("opened_on")) else {
            continue;
        };
        cases.push(CaseRec {
            id: r.get("id"),
            person_id: r.get("person_id"),
            authority: r.get("authority"),
            opened_on,
            closed_on: date(r.get("closed_on")),
        });
    }
    let mut reports = Vec::new();
    for r in sqlx::query(
        "SELECT r.id, r.case_id, r.sent_on, p.gender, p.birth_date FROM reports_of_concern r \
         JOIN cases c ON c.id = r.case_id JOIN persons p ON p.id = c.person_id \
         WHERE r.org_id = $1 AND r.sent_on >= $2 AND r.sent_on <= $3",
    )
    .bind(org)
    .bind(format!("{}-01-01", year - 1))
    .bind(format!("{year}-12-31"))
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let id: String = r.get("id");
        let mut categories: Vec<String> =
            sqlx::query_scalar("SELECT category FROM report_categories WHERE report_id = $1")
                .bind(&id)
                .fetch_all(pool)
                .await
                .unwrap();
        categories.sort();
        reports.push(ReportRec {
            id,
            case_id: r.get("case_id"),
            sent_on: date(r.get("sent_on")),
            gender: r.get("gender"),
            birth_date: date(r.get("birth_date")),
            categories,
        });
    }
    (cases, reports)
}

async fn count(app: &TestApp, sql: &str, binds: &[&str]) -> i64 {
    let mut q = sqlx::query_scalar(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_one(&app.state.db.pool).await.unwrap()
}

on_both!(
    packed_statistics_give_the_figures_of_a_row_by_row_reading,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        for seed in [1, 2] {
            let text = history(seed).replace("\"st\"", &format!("\"st{seed}\""));
            bisidder::import::import(&app.state.db, &text, now)
                .await
                .unwrap();
        }
        let org: String =
            sqlx::query_scalar("SELECT id FROM organisations WHERE source_id = 'st1'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        // A closing date the old system left malformed: no date, so the case is open.
        sqlx::query(
            "UPDATE cases SET closed_on = 'ukendt' WHERE id = (SELECT MIN(id) FROM cases WHERE org_id = $1 AND opened_on < '2017-01-01')",
        )
        .bind(&org)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
        for year in 2014..=2023 {
            let (cases, reports) = by_rows(&app, &org, year).await;
            let want = domain::annual("st1", year, &cases, &reports);
            let got = service::compute(&app.state, &org, "st1", year)
                .await
                .unwrap();
            assert_eq!(got, want, "{year}");
            // Old closed cases come counted in groups; every year's history (which
            // disclosure control and the chart read) is the same as from every row.
            let figures = service::figures(&app.state, &org, "st1", year)
                .await
                .unwrap();
            assert_eq!(
                figures.history,
                domain::case_history(&cases, year),
                "{year}"
            );
            assert_eq!(figures.annual, want, "{year}: grouped and counted agree");

            // Reports come whole: the same records as row by row.
            let mut conn = app.state.db.pool.acquire().await.unwrap();
            let mut packed = store::reports(
                &mut conn,
                &org,
                &format!("{}-01-01", year - 1),
                &format!("{year}-12-31"),
            )
            .await
            .unwrap();
            for r in &mut packed {
                r.categories.sort();
            }
            packed.sort_by(|a, b| a.id.cmp(&b.id));
            let mut plain = reports.clone();
            plain.sort_by(|a, b| a.id.cmp(&b.id));
            assert_eq!(packed, plain, "{year}");
            // Every case up to the year is there, with its dates.
            let mut dates: Vec<_> = store::cases(&mut conn, &org, &format!("{year}-12-31"))
                .await
                .unwrap()
                .iter()
                .map(|c| (c.opened_on, c.closed_on))
                .collect();
            let mut plain: Vec<_> = cases.iter().map(|c| (c.opened_on, c.closed_on)).collect();
            dates.sort();
            plain.sort();
            assert_eq!(dates, plain, "{year}");

            // And the counts agree with SQL's.
            let (jan1, dec31) = (format!("{year}-01-01"), format!("{year}-12-31"));
            let new = count(
                &app,
                "SELECT COUNT(*) FROM cases WHERE org_id = $1 AND opened_on >= $2 AND opened_on <= $3",
                &[&org, &jan1, &dec31],
            )
            .await;
            let cumulative = count(
                &app,
                "SELECT COUNT(*) FROM cases WHERE org_id = $1 AND opened_on <= $2",
                &[&org, &dec31],
            )
            .await;
            let active = count(
                &app,
                "SELECT COUNT(*) FROM cases WHERE org_id = $1 AND opened_on <= $3 \
                 AND (closed_on IS NULL OR closed_on >= $2 OR closed_on = 'ukendt')",
                &[&org, &jan1, &dec31],
            )
            .await;
            let sent = count(
                &app,
                "SELECT COUNT(*) FROM reports_of_concern WHERE org_id = $1 AND sent_on >= $2 AND sent_on <= $3",
                &[&org, &jan1, &dec31],
            )
            .await;
            assert_eq!(
                (
                    got.new_cases.total,
                    got.cumulative,
                    got.active_cases,
                    got.reports_of_concern.total
                ),
                (new, cumulative, active, sent),
                "{year}"
            );
        }
        // The history is not trivial: every kind of case the figures tell apart is there.
        let got = service::compute(&app.state, &org, "st1", 2020)
            .await
            .unwrap();
        assert!(got.carried_over > 0 && got.cumulative > got.active_cases);
        assert!(got.reports_of_concern.total > 5);
    }
);
