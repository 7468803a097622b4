//! The audit log: rows written with the action, refused changes, a verifiable chain.

use crate::{helpers::*, on_both};
use bisidder::{audit::Verdict, policy::Role, store::Backend as DbBackend};

async fn verdict(app: &TestApp) -> Verdict {
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    bisidder::audit::verify(&mut conn).await.unwrap()
}

on_both!(
    sign_ins_and_staff_list_views_are_audited_and_the_chain_verifies,
    |app: TestApp| async move {
        let mut admin = app.signed_in("Lene Leder", &[Role::OrgAdmin]).await;
        let before = app
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.users_viewed'")
            .await;
        let page = admin.get("/org/users").await;
        assert!(page.body.contains("Lene Leder"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.users_viewed'")
                .await,
            before + 1
        );
        let succeeded = app
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'login.succeeded'")
            .await;
        assert_eq!(succeeded, 1);
        let mut wrong = app.client();
        wrong
            .post(
                "/login",
                &[
                    ("email", "lene.leder.sqlite@test.dk"),
                    ("password", "ikke rigtigt kodeord"),
                ],
            )
            .await;
        assert!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed'")
                .await
                >= 1
        );
        // The audit page shows the organisation's rows and is itself audited.
        let audit_page = admin.get("/org/audit").await;
        assert!(audit_page.body.contains("org.users_viewed"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.audit_viewed'")
                .await,
            1
        );
        match verdict(&app).await {
            Verdict::Intact { rows } => assert!(rows >= 5),
            broken => panic!("{broken:?}"),
        }
    }
);

on_both!(
    audit_rows_cannot_be_changed_and_tampering_is_detected,
    |app: TestApp| async move {
        app.signed_in("Ida Spor", &[Role::Analyst]).await;
        app.signed_in("Eva Spor", &[Role::Analyst]).await;
        let update = sqlx::query("UPDATE audit_log SET action = 'nothing' WHERE seq = 2")
            .execute(&app.state.db.pool)
            .await;
        assert!(update.is_err(), "UPDATE of an audit row must be refused");
        let delete = sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(&app.state.db.pool)
            .await;
        assert!(delete.is_err(), "DELETE of an audit row must be refused");
        assert!(matches!(verdict(&app).await, Verdict::Intact { .. }));

        // Someone with full control of the database switches the guard off and edits a row:
        // the chain shows exactly where.
        let mut conn = app.state.db.pool.acquire().await.unwrap();
        match app.state.db.backend {
            DbBackend::Sqlite => {
                sqlx::query("DROP TRIGGER audit_log_no_update")
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
            DbBackend::Postgres => {
                sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
        }
        sqlx::query("UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 3")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(
            verdict(&app).await,
            Verdict::Broken {
                seq: 3,
                why: "row content changed"
            }
        );
    }
);

/// SPEC §8: on PostgreSQL the server's role has no UPDATE/DELETE/TRUNCATE grant on the
/// audit log. Run as an ordinary (non-superuser) role that owns its database, as the README
/// tells operators to: even with the append-only triggers switched off — which a table's
/// owner may do — the rows cannot be changed or removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_the_server_role_has_no_grant_to_change_the_audit_log() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    sqlx::any::install_default_drivers();
    let suffix = ulid::Ulid::new().to_string().to_lowercase();
    let (role, db) = (format!("app_{suffix}"), format!("t_{suffix}"));
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    for sql in [
        format!("CREATE ROLE {role} LOGIN PASSWORD 'app-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE"),
        format!("CREATE DATABASE {db} OWNER {role}"),
    ] {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
    let (scheme_host, _) = admin.rsplit_once('/').unwrap();
    let host = scheme_host.rsplit_once('@').unwrap().1;
    let url = format!("postgres://{role}:app-pw@{host}/{db}");
    let app = TestApp::with(Backend::Postgres, |c| c.database_url = url).await;
    app.signed_in("Ida Spor", &[Role::Analyst]).await;
    assert!(app.count("SELECT COUNT(*) FROM audit_log").await >= 2);

    let mut c = app.state.db.pool.acquire().await.unwrap();
    let is_superuser: String = sqlx::query_scalar("SELECT current_setting('is_superuser')")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert_eq!(is_superuser, "off", "the test must run as an ordinary role");
    // The owner can switch the guard off …
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER USER")
        .execute(&mut *c)
        .await
        .unwrap();
    // … and still has no grant to change history.
    for sql in [
        "UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(&mut *c).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
    // Appending is what the server does, and still works.
    drop(c);
    app.signed_in("Eva Spor", &[Role::Analyst]).await;
    assert!(matches!(verdict(&app).await, Verdict::Intact { .. }));
    drop(app);
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("DROP ROLE IF EXISTS {role}"),
    ] {
        let _ = sqlx::query(&sql).execute(&mut conn).await;
    }
}
