//! The command line: seed, check, staff add, counter enrol, serve's refusals.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ehr-central"));
    c.env("EHR_CENTRAL_LOG", "warn");
    c
}

fn run(c: &mut Command) -> (bool, String, String) {
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn seed_check_staff_and_counters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, out, err) =
        run(bin().args(["seed", "--data-dir", d, "--demo", "--applications", "25"]));
    assert!(ok, "{err}");
    let creds: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(creds["applications"], 25);
    assert!(dir.path().join("demo-credentials.json").exists());
    let (ok, out, _) = run(bin().args(["check", "--data-dir", d]));
    assert!(ok);
    assert_eq!(out.trim(), "ok");
    // Staff: the password comes from the environment, never the command line.
    let (ok, out, err) = run(bin()
        .args([
            "staff",
            "add",
            "--data-dir",
            d,
            "--code",
            "sup-02",
            "--supervisor",
        ])
        .env("EHR_CENTRAL_PASSWORD", "a-long-password"));
    assert!(ok, "{err}");
    assert!(out.contains("sup-02") && !out.contains("a-long-password"));
    let (ok, _, err) = run(bin()
        .args(["staff", "add", "--data-dir", d, "--code", "x"])
        .env("EHR_CENTRAL_PASSWORD", "a-long-password"));
    assert!(!ok && err.contains("staff code"), "{err}");
    // Counters.
    let (ok, out, err) = run(bin().args([
        "counter",
        "enrol",
        "--data-dir",
        d,
        "--site",
        "RO-HK",
        "--name",
        "RO-HK-09",
    ]));
    assert!(ok, "{err}");
    assert!(out.contains("enrolment code"));
    let (ok, _, err) = run(bin().args([
        "counter",
        "enrol",
        "--data-dir",
        d,
        "--site",
        "NOPE",
        "--name",
        "X",
    ]));
    assert!(!ok && err.contains("no site"), "{err}");
    // A newer schema is refused.
    let conn = ehr_central::db::open_existing_keyed(dir.path()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let (ok, _, err) = run(bin().args(["check", "--data-dir", d]));
    assert!(!ok && err.contains("newer"), "{err}");
}

#[test]
fn serve_refuses_plain_http_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = run(bin().args([
        "serve",
        "--data-dir",
        d,
        "--addr",
        "0.0.0.0:0",
        "--insecure-http",
    ]));
    assert!(!ok && err.contains("loopback"), "{err}");
    let (ok, _, err) = run(bin().args(["serve", "--data-dir", d, "--addr", "127.0.0.1:0"]));
    assert!(!ok && err.contains("--tls-cert"), "{err}");
}

#[test]
fn check_finds_what_is_wrong_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = run(bin().args(["seed", "--data-dir", d, "--demo", "--applications", "10"]));
    assert!(ok, "{err}");
    // An application marked activated with no record that settled it, and a
    // broken foreign key: the kinds of damage a bad restore leaves.
    let conn = ehr_central::db::open_existing_keyed(dir.path()).unwrap();
    conn.execute_batch(
        "UPDATE applications SET state = 'activated' WHERE rowid = (SELECT min(rowid) FROM applications);
         PRAGMA foreign_keys = OFF;
         INSERT INTO sessions (token_hash, staff_code, counter_id, created_at, expires_at)
           VALUES (x'00', 'nobody', 'no-counter', 0, 0);",
    )
    .unwrap();
    drop(conn);
    let (ok, out, err) = run(bin().args(["check", "--data-dir", d]));
    assert!(!ok, "check passed a damaged database: {out}");
    let text = format!("{out}{err}");
    assert!(
        text.contains("activated applications without a record: 1"),
        "{text}"
    );
    assert!(text.contains("foreign keys"), "{text}");
}

#[cfg(unix)]
#[test]
fn the_key_comes_from_its_file_or_a_systemd_credential_never_a_new_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = run(bin().args(["seed", "--data-dir", d]));
    assert!(ok, "{err}");
    let key_file = dir.path().join("central.key");
    let meta = std::fs::metadata(&key_file).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // A key file others can read is refused, with the fix in the message.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (ok, _, err) = run(bin().args(["check", "--data-dir", d]));
    assert!(!ok && err.contains("0640") && err.contains("0600"), "{err}");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    // A database without its key: refused, and no new key is made.
    let key = std::fs::read_to_string(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let (ok, _, err) = run(bin().args(["seed", "--data-dir", d]));
    assert!(!ok && err.contains("key file"), "{err}");
    assert!(!key_file.exists());
    // The same key as a systemd credential.
    let creds = tempfile::tempdir().unwrap();
    let cred = creds.path().join("ehr-central.key");
    std::fs::write(&cred, &key).unwrap();
    std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o400)).unwrap();
    let (ok, out, err) = run(bin()
        .args(["check", "--data-dir", d])
        .env("CREDENTIALS_DIRECTORY", creds.path()));
    assert!(ok && out.trim() == "ok", "{err}");
    // A new folder under a credential uses it and writes no key file.
    let fresh = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(bin()
        .args(["seed", "--data-dir", fresh.path().to_str().unwrap()])
        .env("CREDENTIALS_DIRECTORY", creds.path()));
    assert!(ok, "{err}");
    assert!(!fresh.path().join("central.key").exists());
    // Without the credential, that folder's database does not open.
    let (ok, _, err) = run(bin().args(["check", "--data-dir", fresh.path().to_str().unwrap()]));
    assert!(!ok && err.contains("key"), "{err}");
    // An empty credentials directory is an error, not a new key.
    let empty = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(bin()
        .args(["check", "--data-dir", d])
        .env("CREDENTIALS_DIRECTORY", empty.path()));
    assert!(!ok && err.contains("ehr-central.key"), "{err}");
    // `check` of a folder with no database says so and creates nothing.
    let none = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(bin().args(["check", "--data-dir", none.path().to_str().unwrap()]));
    assert!(!ok && err.contains("no database"), "{err}");
    assert_eq!(std::fs::read_dir(none.path()).unwrap().count(), 0);
}

/// `ehr-central backup` (issue #16, item 5): a consistent copy under the
/// same key that `check` passes, with every row; never over an existing
/// database; without its key file when asked, and then it opens with no key
/// of its own.
#[test]
fn a_backup_is_a_checked_copy_of_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let (ok, _, err) = run(bin().args(["seed", "--data-dir", d, "--demo", "--applications", "40"]));
    assert!(ok, "{err}");
    let out = dir.path().join("backup");
    let o = out.to_str().unwrap();
    let (ok, text, err) = run(bin().args(["backup", "--data-dir", d, "--out", o]));
    assert!(ok, "{err}");
    assert!(text.contains("backed up"), "{text}");
    let (ok, text, err) = run(bin().args(["check", "--data-dir", o]));
    assert!(ok, "{text} {err}");
    assert_eq!(text.trim(), "ok");
    let count = |dir: &std::path::Path, table: &str| -> i64 {
        ehr_central::db::open_existing_keyed(dir)
            .unwrap()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    for table in ["applications", "staff", "counters", "sites", "providers"] {
        assert_eq!(count(&data, table), count(&out, table), "{table}");
    }
    assert!(count(&out, "applications") >= 40);
    // Still encrypted: the copy's file holds no SQLite header in the clear.
    let head = std::fs::read(out.join("central.sqlite3")).unwrap();
    assert!(!head.starts_with(b"SQLite format 3"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700);
        assert_eq!(mode(&out.join("central.key")), 0o600);
    }
    // Never over a database.
    let (ok, _, err) = run(bin().args(["backup", "--data-dir", d, "--out", o]));
    assert!(!ok && err.contains("already holds a database"), "{err}");
    // Without its key, the copy does not open on its own.
    let bare = dir.path().join("bare");
    let b = bare.to_str().unwrap();
    let (ok, _, err) = run(bin().args(["backup", "--data-dir", d, "--out", b, "--without-key"]));
    assert!(ok, "{err}");
    assert!(!bare.join("central.key").exists());
    let (ok, _, _) = run(bin().args(["check", "--data-dir", b]));
    assert!(!ok);
}
