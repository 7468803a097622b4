//! The command line, run as a real process: clear errors for bad arguments, user and
//! backup commands working end to end on a SQLite file.

use std::process::Command;

fn bisidder(dir: &std::path::Path, db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bisidder"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}/{db}", dir.display()))
        .env("BISIDDER_DATA_DIR", dir.join("data"))
        .env("BISIDDER_LOG", "warn")
        .env_remove("BISIDDER_NEW_PASSWORD")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn user_commands_check_their_input_and_backup_restore_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, out) = bisidder(d, "a.db", &["demo", "--load-only"]);
    assert!(ok, "{out}");
    let (ok, out) = bisidder(
        d,
        "a.db",
        &[
            "user",
            "create",
            "--email",
            "ny@test.dk",
            "--name",
            "Ny Bruger",
            "--password",
            "password123",
            "--org",
            "demo-bv",
            "--role",
            "coordinator",
        ],
    );
    assert!(!ok && out.contains("at least 12"), "{out}");
    let (ok, out) = bisidder(
        d,
        "a.db",
        &[
            "user",
            "create",
            "--email",
            "ny@test.dk",
            "--name",
            "Ny Bruger",
            "--password",
            "passwordpassword",
            "--org",
            "demo-bv",
            "--role",
            "coordinator",
        ],
    );
    assert!(!ok && out.contains("too easy to guess"), "{out}");
    let (ok, out) = bisidder(
        d,
        "a.db",
        &[
            "user",
            "create",
            "--email",
            "ny@test.dk",
            "--name",
            "Ny Bruger",
            "--org",
            "demo-bv",
            "--role",
            "chef",
        ],
    );
    assert!(!ok && out.contains("unknown role \"chef\""), "{out}");
    let (ok, out) = bisidder(
        d,
        "a.db",
        &[
            "user",
            "create",
            "--email",
            "ny@test.dk",
            "--name",
            "Ny Bruger",
            "--org",
            "no-such-org",
            "--role",
            "coordinator",
        ],
    );
    assert!(!ok && out.contains("no organisation with slug"), "{out}");
    let (ok, out) = bisidder(
        d,
        "a.db",
        &[
            "user",
            "create",
            "--email",
            "ny@test.dk",
            "--name",
            "Ny Bruger",
            "--org",
            "demo-bv",
            "--role",
            "coordinator",
        ],
    );
    assert!(ok && out.contains("password (shown once):"), "{out}");
    let (ok, out) = bisidder(
        d,
        "a.db",
        &[
            "user",
            "create",
            "--email",
            "NY@test.dk",
            "--name",
            "Igen",
            "--org",
            "demo-bv",
            "--role",
            "bisidder",
        ],
    );
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = bisidder(
        d,
        "a.db",
        &[
            "token",
            "create",
            "--email",
            "ny@test.dk",
            "--org",
            "demo-bv",
            "--name",
            "test",
        ],
    );
    assert!(ok && out.contains("bsd_"), "{out}");
    let (ok, out) = bisidder(d, "a.db", &["audit", "verify"]);
    assert!(ok && out.contains("audit log intact"), "{out}");

    let backup = d.join("b.jsonl");
    let (ok, out) = bisidder(d, "a.db", &["backup", backup.to_str().unwrap()]);
    assert!(ok, "{out}");
    let (ok, out) = bisidder(d, "b.db", &["restore", backup.to_str().unwrap()]);
    assert!(ok, "{out}");
    let (ok, out) = bisidder(d, "b.db", &["check"]);
    assert!(ok && out.contains("database ok"), "{out}");
    let (ok, out) = bisidder(d, "b.db", &["restore", backup.to_str().unwrap()]);
    assert!(!ok && out.contains("not empty"), "{out}");
    let (ok, out) = bisidder(d, "b.db", &["keys", "rotate"]);
    assert!(ok && out.contains("re-encrypted"), "{out}");
    let (ok, out) = bisidder(d, "b.db", &["frobnicate"]);
    assert!(!ok && out.contains("unrecognized subcommand"), "{out}");
}
