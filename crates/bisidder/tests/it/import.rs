//! Importing history (SPEC §7): all or nothing, bad lines named, re-import changes nothing.

use crate::{helpers::*, on_both};
use bisidder::import::{import, ImportError, Summary};

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
