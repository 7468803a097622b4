//! Importing history (SPEC §7): all or nothing, bad lines named, re-import changes nothing.

use crate::{helpers::*, on_both};
use axum::http::StatusCode;
use bisidder::import::{import, ImportError, Summary};
use bisidder::policy::Role;

const HISTORY: &str = r#"{"type":"organisation","id":"bv-hist","name":"Børns Vilkår (historik)","kind":"professional_children"}
{"type":"person","id":"p1","org":"bv-hist","gender":"girl","birth_date":"2007-03-02","kommune":"0101"}
{"type":"person","id":"p2","org":"bv-hist","gender":"boy","birth_date":"2010-11-30","kommune":"0751"}
{"type":"case","id":"c1","org":"bv-hist","person":"p1","authority":"familieretshuset","opened_on":"2020-02-03","closed_on":"2020-05-01"}
{"type":"case","id":"c2","org":"bv-hist","person":"p2","authority":"kommune","opened_on":"2020-12-31"}
{"type":"report_of_concern","id":"u1","case":"c1","sent_on":"2020-03-01","categories":["fysisk_vold","konflikt_i_hjemmet"]}
"#;

const COUNTS: &str = "SELECT (SELECT COUNT(*) FROM organisations) * 1000 + (SELECT COUNT(*) FROM persons) * 100 + (SELECT COUNT(*) FROM cases) * 10 + (SELECT COUNT(*) FROM report_categories)";

on_both!(
    history_imports_once_and_again_changes_nothing,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        let first = import(&app.state.db, HISTORY, now).await.unwrap();
        assert_eq!(
            first,
            Summary {
                inserted: 6,
                updated: 0,
                unchanged: 0
            }
        );
        let after_first = app.count(COUNTS).await;
        let cases: Vec<(String, String, Option<String>)> = sqlx::query_as("SELECT source_id, opened_on, closed_on FROM cases WHERE source_id IS NOT NULL ORDER BY source_id").fetch_all(&app.state.db.pool).await.unwrap();
        assert_eq!(
            cases,
            [
                ("c1".into(), "2020-02-03".into(), Some("2020-05-01".into())),
                ("c2".into(), "2020-12-31".into(), None)
            ]
        );
        let again = import(&app.state.db, HISTORY, now).await.unwrap();
        assert_eq!(
            again,
            Summary {
                inserted: 0,
                updated: 0,
                unchanged: 6
            }
        );
        assert_eq!(
            app.count(COUNTS).await,
            after_first,
            "re-importing changes nothing"
        );
        // A corrected line updates just that record.
        let corrected = HISTORY.replace(
            r#""opened_on":"2020-12-31"}"#,
            r#""opened_on":"2020-12-31","closed_on":"2021-02-01"}"#,
        );
        let third = import(&app.state.db, &corrected, now).await.unwrap();
        assert_eq!(
            third,
            Summary {
                inserted: 0,
                updated: 1,
                unchanged: 5
            }
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'data.imported'")
                .await,
            3
        );
    }
);

on_both!(
    a_bad_line_is_reported_by_number_and_nothing_is_stored,
    |app: TestApp| async move {
        let before = app.count(COUNTS).await;
        let bad = format!(
            "{HISTORY}{}\n{}\n",
            r#"{"type":"case","id":"c3","org":"bv-hist","person":"p1","authority":"kommune","opened_on":"2021-13-01"}"#,
            r#"{"type":"report_of_concern","id":"u2","case":"c404","sent_on":"2021-03-01"}"#
        );
        let err = import(&app.state.db, &bad, app.state.clock.now_us())
            .await
            .unwrap_err();
        let ImportError::Lines(lines) = &err else {
            panic!("{err}")
        };
        assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [7, 8]);
        assert!(
            err.to_string().contains("line 7: opened_on is not a date"),
            "{err}"
        );
        assert!(err.to_string().contains("nothing was imported"));
        assert_eq!(app.count(COUNTS).await, before);
    }
);

on_both!(
    the_csv_templates_import_all_or_nothing_into_an_organisation_made_in_bisidder,
    |app: TestApp| async move {
        let now = app.state.clock.now_us();
        let admin = app
            .user_in("Skabelon Admin", &[Role::OrgAdmin], &app.org_id)
            .await;
        let mut c = app.client();
        c.login(&admin, PASSWORD).await;
        // The admin downloads the templates and fills them in as a spreadsheet would.
        let t = c.get("/org/templates/cases.csv").await;
        assert_eq!(t.status, StatusCode::OK);
        assert!(t
            .body
            .starts_with("id;person;authority;opened_on;closed_on"));
        let persons =
            "id;gender;birth_date;kommune\r\nA-1;girl;2012-03-02;0101\r\nA-2;boy;;0461\r\n";
        let cases = "id;person;authority;opened_on;closed_on\r\nS-1;A-1;familieretshuset;2024-02-03;2024-05-01\r\nS-2;A-2;kommune;2025-01-10;\r\n";
        let reports =
            "id;case;sent_on;categories\r\nU-1;S-1;2024-03-01;fysisk_vold|konflikt_i_hjemmet\r\n";
        let files = |cases: &str| {
            vec![
                ("reports.csv".to_string(), reports.to_string()),
                ("cases.csv".to_string(), cases.to_string()),
                ("persons.csv".to_string(), persons.to_string()),
            ]
        };
        let count = |table: &'static str| {
            let pool = app.state.db.pool.clone();
            let org = app.org_id.clone();
            async move {
                sqlx::query_scalar::<_, i64>(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE org_id = $1 AND source_id IS NOT NULL"
                ))
                .bind(org)
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };
        // A bad authority on line 3 of cases.csv: reported by file and line; nothing stored.
        let bad = files(&cases.replace("S-2;A-2;kommune", "S-2;A-2;skattestyrelsen"));
        let err = bisidder::import::import_csv(&app.state.db, &app.org_id, &bad, now).await;
        let err = match err {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a bad file was imported"),
        };
        assert!(
            err.contains("cases.csv line 3: authority \"skattestyrelsen\""),
            "{err}"
        );
        assert_eq!(count("cases").await, 0);
        // The good files go in, into the organisation itself (no new organisation).
        let orgs_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let s = bisidder::import::import_csv(&app.state.db, &app.org_id, &files(cases), now)
            .await
            .unwrap();
        assert_eq!(s.inserted, 5);
        assert_eq!((count("persons").await, count("cases").await), (2, 2));
        assert_eq!(count("reports_of_concern").await, 1);
        let orgs_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(orgs_before, orgs_after);
        // Importing the same files again changes nothing.
        let again = bisidder::import::import_csv(&app.state.db, &app.org_id, &files(cases), now)
            .await
            .unwrap();
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 5));
        // The figures come straight from them: 2024 had one Familieretshuset case.
        let a = bisidder::stats::service::compute(&app.state, &app.org_id, "o", 2024)
            .await
            .unwrap();
        assert_eq!((a.new_cases.total, a.new_cases.familieretshuset), (1, 1));
        assert_eq!(a.reports_of_concern.total, 1);
    }
);
