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

/// Whether `year`'s old closed cases are kept in `stats_history_cache`.
async fn kept(app: &TestApp, org: &str, year: i16) -> bool {
    count(
        app,
        "SELECT COUNT(*) FROM stats_history_cache WHERE org_id = $1 AND closed_before = $2",
        &[org, &format!("{year}-01-01")],
    )
    .await
        == 1
}

/// Every year's history from a fresh row-by-row reading.
async fn fresh_histories(app: &TestApp, org: &str, years: &[i16]) -> Vec<Vec<domain::YearCases>> {
    let mut out = Vec::new();
    for &year in years {
        out.push(domain::case_history(&by_rows(app, org, year).await.0, year));
    }
    out
}

/// The report twice for each year — the first builds (or reads) the kept history, the
/// second reads it — against a fresh row-by-row reading: the history, the exact figures,
/// what an analyst gets after disclosure control, and the coordinator's exact report
/// (which takes the old cases' number from the kept groups when they are there).
async fn same_as_rows(app: &TestApp, org: &str, years: &[i16], after: &str) {
    for &year in years {
        let (cases, reports) = by_rows(app, org, year).await;
        let fresh = service::Figures {
            annual: domain::annual("st1", year, &cases, &reports),
            counts: domain::report_counts(year, &reports),
            history: domain::case_history(&cases, year),
        };
        for pass in ["first", "second"] {
            let got = service::figures(&app.state, org, "st1", year)
                .await
                .unwrap();
            assert_eq!(got.history, fresh.history, "{after}: {year}, {pass} report");
            assert_eq!(got.annual, fresh.annual, "{after}: {year}, {pass} report");
            assert_eq!(
                got.protected(service::THRESHOLD),
                fresh.protected(service::THRESHOLD),
                "{after}: {year}, {pass} report"
            );
            assert!(kept(app, org, year).await, "{after}: {year} kept");
            let exact = service::compute(&app.state, org, "st1", year)
                .await
                .unwrap();
            assert_eq!(exact, fresh.annual, "{after}: {year}, {pass} exact report");
        }
    }
}

async fn exec(app: &TestApp, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(&app.state.db.pool).await.unwrap();
}

async fn id_where(app: &TestApp, sql: &str, org: &str) -> String {
    sqlx::query_scalar(sql)
        .bind(org)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

/// A case of `org` by condition (the smallest id, so the test is deterministic).
async fn case_where(app: &TestApp, org: &str, cond: &str) -> String {
    id_where(
        app,
        &format!("SELECT MIN(id) FROM cases WHERE org_id = $1 AND {cond}"),
        org,
    )
    .await
}

/// Exactly the years in `gone` are no longer kept.
async fn dropped(app: &TestApp, org: &str, years: &[i16], gone: &[i16], after: &str) {
    for &year in years {
        assert_eq!(
            kept(app, org, year).await,
            !gone.contains(&year),
            "{after}: is {year} kept?"
        );
    }
}

on_both!(
    kept_history_is_dropped_by_every_write_that_could_change_it,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        let db = &app.state.db;
        for seed in [1, 2] {
            let text = history(seed).replace("\"st\"", &format!("\"st{seed}\""));
            bisidder::import::import(db, &text, now).await.unwrap();
        }
        let org_sql = "SELECT id FROM organisations WHERE source_id = $1";
        let (org, other) = (
            id_where(&app, org_sql, "st1").await,
            id_where(&app, org_sql, "st2").await,
        );
        // Years whose old closed cases differ, and 2027, after today (2 March 2026), which
        // today's closing of a case enters.
        let years = [2018, 2020, 2022, 2024, 2027];
        assert!(!kept(&app, &org, 2022).await);
        same_as_rows(&app, &org, &years, "the first reports").await;
        let first = fresh_histories(&app, &org, &years).await;
        // Writes that cannot change any old closed case leave every year kept: a new open
        // case (as a request's acceptance opens one), a change of bisidder or of reason.
        let open = case_where(&app, &org, "closed_on IS NULL AND opened_on < '2026-01-01'").await;
        let person: String = sqlx::query_scalar("SELECT person_id FROM cases WHERE id = $1")
            .bind(&open)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        exec(
            &app,
            "INSERT INTO cases (id, org_id, person_id, authority, opened_on, created_at) VALUES ('new-open', $1, $2, 'kommune', '2026-03-02', 0)",
            &[&org, &person],
        )
        .await;
        exec(
            &app,
            "UPDATE cases SET close_reason = 'x', bisidder_user_id = NULL WHERE org_id = $1",
            &[&org],
        )
        .await;
        dropped(
            &app,
            &org,
            &years,
            &[],
            "an open case and columns the figures do not read",
        )
        .await;
        same_as_rows(&app, &org, &years, "an open case").await;

        // Closing a case today (cases::store::close, what the case page does) enters
        // 2027's old closed cases only.
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(
            bisidder::cases::store::close(&mut conn, &open, "2026-03-02", "done")
                .await
                .unwrap()
        );
        drop(conn);
        dropped(&app, &org, &years, &[2027], "closing a case").await;
        same_as_rows(&app, &org, &years, "closing a case").await;

        // Import: a new case of 2016 closed in 2018 (insert), and a case closed in 2017
        // now closed in 2021 (update).
        let moved = case_where(
            &app,
            &org,
            "closed_on LIKE '2017-%' AND opened_on < '2016-01-01'",
        )
        .await;
        let source: String = sqlx::query_scalar("SELECT source_id FROM cases WHERE id = $1")
            .bind(&moved)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let mut text = String::new();
        for line in history(1).replace("\"st\"", "\"st1\"").lines() {
            if line.contains(&format!("\"id\":\"{source}\"")) {
                let at = line.find("\"closed_on\":\"").unwrap() + 13;
                text.push_str(&format!("{}2021-06-30{}", &line[..at], &line[at + 10..]));
            } else {
                text.push_str(line);
            }
            text.push('\n');
        }
        text.push_str(r#"{"type":"case","id":"c-late","org":"st1","person":"p0","authority":"retten","opened_on":"2016-05-05","closed_on":"2018-02-02"}"#);
        let s = bisidder::import::import(db, &text, now).await.unwrap();
        // Updated: that case, and the case closed above, which the file has open.
        assert_eq!((s.inserted, s.updated), (1, 2), "{s:?}");
        dropped(
            &app,
            &org,
            &years,
            &[2018, 2020, 2022, 2024, 2027],
            "an import",
        )
        .await;
        same_as_rows(&app, &org, &years, "an import").await;

        // Reopening a case closed in 2019, and other corrections by hand: each column the
        // groups read, and a case moved in from another organisation.
        let reopened = case_where(&app, &org, "closed_on LIKE '2019-%'").await;
        exec(
            &app,
            "UPDATE cases SET closed_on = NULL WHERE id = $1",
            &[&reopened],
        )
        .await;
        dropped(&app, &org, &years, &[2020, 2022, 2024, 2027], "reopening").await;
        same_as_rows(&app, &org, &years, "reopening").await;
        let fixed = case_where(
            &app,
            &org,
            "closed_on LIKE '2020-%' AND opened_on < '2019-01-01'",
        )
        .await;
        exec(
            &app,
            "UPDATE cases SET authority = 'familieretshuset', opened_on = '2015-01-01' WHERE id = $1",
            &[&fixed],
        )
        .await;
        dropped(
            &app,
            &org,
            &years,
            &[2022, 2024, 2027],
            "a corrected authority and opening",
        )
        .await;
        same_as_rows(&app, &org, &years, "a corrected authority").await;
        let from_other: String = sqlx::query_scalar(
            "SELECT MIN(id) FROM cases WHERE org_id = $1 AND closed_on LIKE '2021-%' AND opened_on < '2020-01-01'",
        )
        .bind(&other)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        same_as_rows(&app, &other, &[2024], "before the move").await;
        exec(
            &app,
            "UPDATE cases SET org_id = $1, source_id = 'moved' WHERE id = $2",
            &[&org, &from_other],
        )
        .await;
        dropped(&app, &org, &years, &[2022, 2024, 2027], "a case moved in").await;
        assert!(!kept(&app, &other, 2024).await, "moved out of the other");
        same_as_rows(&app, &org, &years, "a case moved in").await;
        same_as_rows(&app, &other, &[2024], "a case moved out").await;

        // Retention in delete mode removes the cases closed more than 60 months ago.
        exec(
            &app,
            "UPDATE organisations SET retention_mode = 'delete', retention_months = 60 WHERE id = $1",
            &[&org],
        )
        .await;
        let purged = bisidder::privacy::retention::run(
            db,
            jiff::Timestamp::from_microsecond(now).unwrap(),
            None,
        )
        .await
        .unwrap();
        assert!(purged > 0);
        dropped(
            &app,
            &org,
            &years,
            &[2018, 2020, 2022, 2024, 2027],
            "a retention purge",
        )
        .await;
        same_as_rows(&app, &org, &years, "a retention purge").await;
        // Every step above changed the history it should have.
        assert_ne!(fresh_histories(&app, &org, &years).await, first);

        // A restored backup has no kept history (it is not backed up) and builds the same.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("backup.jsonl");
        bisidder::store::backup::backup(db, &file, now)
            .await
            .unwrap();
        let empty = tempfile::tempdir().unwrap();
        let restored = bisidder::store::Db::connect(&database_url(app.backend, empty.path()).await)
            .await
            .unwrap();
        restored.migrate().await.unwrap();
        bisidder::store::backup::restore(&restored, &file)
            .await
            .unwrap();
        let kept_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stats_history_cache")
            .fetch_one(&restored.pool)
            .await
            .unwrap();
        assert_eq!(kept_rows, 0);
        let want = fresh_histories(&app, &org, &years).await;
        for (year, want) in years.iter().zip(want) {
            for pass in ["first", "second"] {
                let groups = store::old_case_groups_cached(&restored, &org, *year, now)
                    .await
                    .unwrap();
                let mut conn = restored.pool.acquire().await.unwrap();
                let cases = store::recent_cases(&mut conn, &org, *year).await.unwrap();
                assert_eq!(
                    domain::case_history_with_groups(&cases, &groups, *year),
                    want,
                    "restored, {year}, {pass}"
                );
            }
        }
    }
);
