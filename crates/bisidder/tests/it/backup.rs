//! Backup and restore round-trip on both backends, with field keys kept working.

use crate::{helpers::*, on_both};
use bisidder::{audit::Verdict, store::backup};

const TABLE_COUNTS: &str =
    "SELECT (SELECT COUNT(*) FROM organisations) * 1000000 + (SELECT COUNT(*) FROM users) * 10000 \
    + (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM reports_of_concern) * 100000000";

on_both!(
    backup_then_restore_round_trips_the_whole_database,
    |app: TestApp| async move {
        bisidder::demo::load(&app.state.db, &app.state.crypto, app.state.clock.now())
            .await
            .unwrap();
        let file = app.dir.path().join("backup.jsonl");
        let summary = backup::backup(&app.state.db, &file, app.state.clock.now_us())
            .await
            .unwrap();
        assert!(summary.rows > 3000, "{summary:?}");
        let original = app.count(TABLE_COUNTS).await;
        let original_cases: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, opened_on, closed_on FROM cases ORDER BY id")
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();

        // Restore into a brand-new database of the same backend, with the same key file.
        let target = TestApp::with(app.backend, |c| c.data_dir = app.dir.path().join("data")).await;
        // TestApp::with inserts two organisations; a restore needs an empty database.
        let refused = backup::restore(&target.state.db, &file).await;
        assert!(refused.unwrap_err().to_string().contains("not empty"));
        let empty_dir = tempfile::tempdir().unwrap();
        let url = database_url(app.backend, empty_dir.path()).await;
        let db = bisidder::store::Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let restored = backup::restore(&db, &file).await.unwrap();
        assert_eq!(restored.rows, summary.rows);
        let counts: i64 = sqlx::query_scalar(TABLE_COUNTS)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(counts, original);
        let cases: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, opened_on, closed_on FROM cases ORDER BY id")
                .fetch_all(&db.pool)
                .await
                .unwrap();
        assert_eq!(cases, original_cases);
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(matches!(
            bisidder::audit::verify(&mut conn).await.unwrap(),
            Verdict::Intact { .. }
        ));
        // Encrypted values still decrypt with the key file after the restore.
        let (id, enc): (String, String) = sqlx::query_as(
            "SELECT id, description_enc FROM reports_of_concern ORDER BY id LIMIT 1",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert!(app
            .state
            .crypto
            .decrypt("reports_of_concern", "description_enc", &id, &enc)
            .unwrap()
            .starts_with("Demo:"));
        db.integrity_check().await.unwrap();
    }
);

on_both!(
    a_damaged_backup_restores_nothing,
    |app: TestApp| async move {
        app.signed_in("Nina Kopi", &[bisidder::policy::Role::Analyst])
            .await;
        let file = app.dir.path().join("b.jsonl");
        backup::backup(&app.state.db, &file, 0).await.unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let broken = text.replacen("login.succeeded", "login.failed", 1);
        std::fs::write(&file, broken).unwrap();
        let empty_dir = tempfile::tempdir().unwrap();
        let db = bisidder::store::Db::connect(&database_url(app.backend, empty_dir.path()).await)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let err = backup::restore(&db, &file).await.unwrap_err().to_string();
        assert!(err.contains("does not verify"), "{err}");
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(users, 0, "all or nothing");
    }
);

/// Every table is either backed up or deliberately left out, so a new table cannot be
/// forgotten silently.
#[tokio::test]
async fn every_table_is_in_the_backup_or_deliberately_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = bisidder::store::Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for t in &tables {
        assert!(
            backup::TABLES.contains(&t.as_str()) || backup::NOT_BACKED_UP.contains(&t.as_str()),
            "table {t} is neither backed up nor listed as left out"
        );
    }
}
