//! The annual figures by API and CLI: exact for the organisation's coordinators,
//! disclosure-controlled for analysts.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::{auth::admin, policy::Role};

const HISTORY: &str = r#"{"type":"organisation","id":"hist","name":"Historik","kind":"professional_children"}
{"type":"person","id":"p1","org":"hist","gender":"girl","birth_date":"2007-03-02","kommune":"0101"}
{"type":"person","id":"p2","org":"hist","gender":"boy","birth_date":"2010-11-30","kommune":"0751"}
{"type":"case","id":"c1","org":"hist","person":"p1","authority":"familieretshuset","opened_on":"2020-02-03","closed_on":"2020-05-01"}
{"type":"case","id":"c2","org":"hist","person":"p2","authority":"kommune","opened_on":"2020-12-31"}
{"type":"report_of_concern","id":"u1","case":"c1","sent_on":"2020-03-01","categories":["fysisk_vold","konflikt_i_hjemmet"]}
"#;

async fn get(c: &mut Client, token: &str, path: &str) -> Resp {
    c.send(
        axum::http::Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

on_both!(
    annual_figures_are_exact_for_coordinators_and_protected_for_analysts,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        bisidder::import::import(&app.state.db, HISTORY, now)
            .await
            .unwrap();
        let org: String =
            sqlx::query_scalar("SELECT id FROM organisations WHERE source_id = 'hist'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        let coordinator = app
            .user_in("Stat Koordinator", &[Role::Coordinator], &org)
            .await;
        let analyst = app.user_in("Stat Analytiker", &[Role::Analyst], &org).await;
        let tc = admin::create_token(&app.state.db, now, &coordinator, "hist", "s")
            .await
            .unwrap()
            .1;
        let ta = admin::create_token(&app.state.db, now, &analyst, "hist", "s")
            .await
            .unwrap()
            .1;
        let mut c = app.client();
        let exact = get(&mut c, &tc, "/api/v1/stats/annual?org=hist&year=2020").await;
        assert_eq!(exact.status, StatusCode::OK, "{}", exact.body);
        let v = exact.json();
        // Worked out from the file: two cases opened in 2020, one at Familieretshuset, one at
        // the kommune (opened 31 December, still open); nothing before 2020.
        assert_eq!(
            v["new_cases"],
            serde_json::json!({"total": 2, "kommune": 1, "familieretshuset": 1, "other": 0})
        );
        assert_eq!(
            (
                v["active_cases"].as_i64(),
                v["carried_over"].as_i64(),
                v["cumulative"].as_i64()
            ),
            (Some(2), Some(0), Some(2))
        );
        assert_eq!(v["persons_with_new_case"], 2);
        assert!(
            v["growth_pct"]["total"].is_null(),
            "no cases in 2019: growth is null"
        );
        // One report, sent 1 March 2020 about a girl born 2 March 2007: she was 12.
        let r = &v["reports_of_concern"];
        assert_eq!(r["total"], 1);
        assert_eq!(r["gender_pct"]["girl"], 100.0);
        assert_eq!(r["age_band_pct"]["10-12"], 100.0);
        assert_eq!(r["mean_age"], 12.0);
        assert_eq!(r["category_pct"]["fysisk_vold"], 100.0);
        assert_eq!(
            r["category_pct"].as_object().unwrap().len(),
            15,
            "one key per problem category"
        );
        // The analyst sees no count of one or two persons.
        let protected = get(&mut c, &ta, "/api/v1/stats/annual?org=hist&year=2020")
            .await
            .json();
        // Small counts are "<3"; where even "<3" would give a count away (1 + 1 = a total of
        // 2), every hidden cell gets the same neutral "*".
        for cell in [
            &protected["new_cases"]["kommune"],
            &protected["new_cases"]["total"],
            &protected["reports_of_concern"]["total"],
            &protected["reports_of_concern"]["gender_pct"]["girl"],
        ] {
            assert!(*cell == "<3" || *cell == "*", "{cell}");
        }
        assert_eq!(
            protected["new_cases"]["other"], 0,
            "a zero describes nobody and is shown"
        );
        let text = protected.to_string();
        assert!(
            !text.contains(":1,")
                && !text.contains(":2,")
                && !text.contains(":1}")
                && !text.contains(":2}"),
            "{text}"
        );
        // Another organisation's figures are not found; a bad year is explained.
        let other = get(
            &mut c,
            &tc,
            &format!("/api/v1/stats/annual?org={}&year=2020", app.other_org_id),
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let bad = get(&mut c, &tc, "/api/v1/stats/annual?org=hist&year=tjuetjue").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The CLI prints the same exact figures.
        let cli = bisidder::stats::service::compute(&app.state, &org, "hist", 2020)
            .await
            .unwrap();
        assert_eq!(serde_json::to_value(&cli).unwrap(), v);
    }
);

/// Reads an XLSX file with openpyxl (scripts/check_xlsx.py, installed by the test script)
/// as `{sheet: [[cell]]}`; `None` outside CI when the tool is missing.
fn read_xlsx(bytes: &[u8], dir: &std::path::Path) -> Option<serde_json::Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".cache/venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must read the XLSX with the real reader (.cache/venv)"
        );
        eprintln!("skipping openpyxl check: no .cache/venv");
        return None;
    }
    let file = dir.join("report.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new(python)
        .arg(root.join("scripts/check_xlsx.py"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// An organisation with enough cases that most figures are shown, and a few small ones.
fn bigger_history() -> String {
    let mut s = String::from(
        r#"{"type":"organisation","id":"big","name":"Stor ordning","kind":"professional_children"}"#,
    );
    s.push('\n');
    // 2024: 10 kommune cases. 2025: 20 kommune, 5 Familieretshuset, 1 other (ankestyrelsen
    // is kommune; jobcenter is other). Reports in 2025: 8 girls, 1 boy.
    let mut n = 0;
    let mut case = |s: &mut String, year: i32, authority: &str| {
        n += 1;
        s.push_str(&format!(
            r#"{{"type":"person","id":"p{n}","org":"big","gender":"{}","birth_date":"2012-06-01","kommune":"0461"}}"#,
            if n % 9 == 0 { "boy" } else { "girl" }
        ));
        s.push('\n');
        s.push_str(&format!(
            r#"{{"type":"case","id":"c{n}","org":"big","person":"p{n}","authority":"{authority}","opened_on":"{year}-04-0{}","closed_on":"{year}-10-01"}}"#,
            1 + n % 8
        ));
        s.push('\n');
        n
    };
    for _ in 0..10 {
        case(&mut s, 2024, "kommune");
    }
    let mut in_2025 = Vec::new();
    for _ in 0..20 {
        in_2025.push(case(&mut s, 2025, "kommune"));
    }
    for _ in 0..5 {
        in_2025.push(case(&mut s, 2025, "familieretshuset"));
    }
    in_2025.push(case(&mut s, 2025, "jobcenter"));
    for (i, c) in in_2025.iter().take(9).enumerate() {
        s.push_str(&format!(
            r#"{{"type":"report_of_concern","id":"u{i}","case":"c{c}","sent_on":"2025-05-05","categories":["mistrivsel"]}}"#
        ));
        s.push('\n');
    }
    s
}

on_both!(
    the_annual_report_page_shows_exact_figures_to_staff_and_exports_only_protected_ones,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        let history = bigger_history();
        bisidder::import::import(&app.state.db, &history, now)
            .await
            .unwrap();
        let org: String =
            sqlx::query_scalar("SELECT id FROM organisations WHERE source_id = 'big'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        let coord = app
            .user_in("Rapport Koordinator", &[Role::Coordinator], &org)
            .await;
        let analyst = app
            .user_in("Rapport Analytiker", &[Role::Analyst], &org)
            .await;
        let admin_user = app.user_in("Rapport Admin", &[Role::OrgAdmin], &org).await;
        let mut c = app.client();
        c.login(&coord, PASSWORD).await;
        let page = c.get("/stats?year=2025").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let cell = |p: &Resp, key: &str| {
            p.text(&format!("tr[data-key=\"{key}\"] td"))
                .unwrap_or_else(|| panic!("no row {key}"))
        };
        // Worked out from the file: 26 new cases in 2025 (20 kommune, 5 Familieretshuset,
        // 1 other), 36 in total since 2024, growth (26 − 10) / 10 = 160 %.
        assert_eq!(cell(&page, "new_cases.total"), "26");
        assert_eq!(
            cell(&page, "new_cases.other"),
            "1",
            "staff see exact figures"
        );
        assert_eq!(cell(&page, "cumulative"), "36");
        assert_eq!(cell(&page, "growth_pct.total"), "160,0 %");
        // Nine reports: eight girls (88.9 %), one boy (11.1 %), Danish decimal comma.
        assert_eq!(cell(&page, "reports_of_concern.total"), "9");
        assert_eq!(cell(&page, "reports_of_concern.gender_pct.girl"), "88,9 %");
        // Charts are images with a title and description, each with its table.
        let doc = page.doc();
        let svg = scraper::Selector::parse("figure svg[role=img] title").unwrap();
        let titles: Vec<String> = doc.select(&svg).map(|e| e.text().collect()).collect();
        assert_eq!(titles.len(), 4, "{titles:?}");
        assert!(titles.contains(&"Nye sager pr. år efter mødested".to_string()));
        assert!(page.text("#table-history").unwrap().contains("2024"));
        // The history table gives every year since the first.
        assert!(page.body.contains("<th scope=\"row\">2024</th>"));
        // A print stylesheet makes the report clean on paper.
        let css = c.get("/static/app.css").await;
        assert!(css.body.contains("@media print"));

        // The analyst sees the same page, protected: the lone "other" case is "<3" and the
        // next smallest venue (5) is hidden with it.
        let mut a = app.client();
        a.login(&analyst, PASSWORD).await;
        let protected = a.get("/stats?year=2025").await;
        assert_eq!(cell(&protected, "new_cases.other"), "<3");
        assert_eq!(cell(&protected, "new_cases.familieretshuset"), "*");
        assert_eq!(cell(&protected, "reports_of_concern.gender_pct.boy"), "<3");
        assert_eq!(cell(&protected, "reports_of_concern.gender_pct.girl"), "*");

        // Exports are protected whoever downloads them; CSV in Danish uses ";" and a BOM.
        let csv = c.get("/stats/export.csv?year=2025").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("bisidder-2025.csv"));
        assert!(csv.body.starts_with('\u{feff}'));
        let line = |key: &str| {
            csv.body
                .lines()
                .find(|l| l.split(';').nth(1) == Some(key))
                .unwrap_or_else(|| panic!("no {key} in {}", csv.body))
                .to_owned()
        };
        assert!(
            line("new_cases.other").ends_with(";<3"),
            "{}",
            line("new_cases.other")
        );
        assert!(line("new_cases.total").ends_with(";26"));
        assert!(line("reports_of_concern.gender_pct.girl").ends_with(";*"));
        assert!(line("history.2024.kommune").ends_with(";10"));

        let xlsx = c.get("/stats/export.xlsx?year=2025").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX is a zip file");
        if let Some(book) = read_xlsx(&xlsx.bytes, app.dir.path()) {
            let figures = book["Tal"].as_array().unwrap();
            let value = |key: &str| {
                figures
                    .iter()
                    .find(|r| r[1] == key)
                    .unwrap_or_else(|| panic!("no {key}"))[3]
                    .clone()
            };
            assert_eq!(value("new_cases.total"), 26);
            assert_eq!(value("new_cases.other"), "<3");
            // Shares are real percentages: 160 % is stored as 1.6.
            assert_eq!(value("growth_pct.total"), 1.6);
            assert_eq!(book["Nye sager pr år"][1][0], 2024);
        }
        // Views and downloads are audited.
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('stats.viewed', 'stats.exported') AND org_id = $1",
        )
        .bind(&org)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(audited, 4);
        // A bad year is explained, in Danish.
        let bad = c.get("/stats?year=tyve").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The organisation export: only its admin may download it; import reads it back.
        assert_eq!(
            c.get("/org/export.jsonl").await.status,
            StatusCode::FORBIDDEN
        );
        let mut ad = app.client();
        ad.login(&admin_user, PASSWORD).await;
        let exported = ad.get("/org/export.jsonl").await;
        assert_eq!(exported.status, StatusCode::OK);
        assert_eq!(exported.body.lines().count(), history.lines().count());
        let again = TestApp::new(app.backend).await;
        let s = bisidder::import::import(&again.state.db, &exported.body, now)
            .await
            .unwrap();
        assert_eq!(s.inserted, history.lines().count());
        let id2: String =
            sqlx::query_scalar("SELECT id FROM organisations WHERE source_id = 'big'")
                .fetch_one(&again.state.db.pool)
                .await
                .unwrap();
        // The same figures come out of the re-imported data, and exporting it again gives
        // the same file.
        for year in [2024, 2025] {
            let a1 = bisidder::stats::service::compute(&app.state, &org, "big", year)
                .await
                .unwrap();
            let a2 = bisidder::stats::service::compute(&again.state, &id2, "big", year)
                .await
                .unwrap();
            assert_eq!(a1, a2);
        }
        let mut conn = again.state.db.pool.acquire().await.unwrap();
        let second = bisidder::import::export::export(&mut conn, &id2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second, exported.body);
    }
);
