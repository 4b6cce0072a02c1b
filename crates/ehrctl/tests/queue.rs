//! `ehrctl queue` and `ehrctl db` against a real store and a real
//! ehr-central on loopback.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use ehr_protocol::ipc::SignInRequest;
use ehr_tests::central::Central;
use ehr_tests::outbox;
use serde_json::Value;

fn ehrctl(dir: &Path, central: &Central, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(args)
        .env("EHR_COUNTER_DATA_DIR", dir)
        .env("EHR_CENTRAL_URL", &central.url)
        .env("EHR_COUNTER_KEY", &central.counter_key)
        .env("EHR_COUNTER_KEYRING", "off")
        .env("EHR_STAFF_PASSWORD", &central.clerk.1)
        .output()
        .expect("ehrctl runs")
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

#[test]
fn status_retry_and_verify() {
    let mut central = Central::start("ehrctl-queue").unwrap();
    let dir = std::env::temp_dir().join(format!("ehrctl-queue-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    // A fresh store verifies, keyed from a file.
    let out = ehrctl(&dir, &central, &["db", "verify", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out.stdout);
    assert_eq!(v["ok"], true);
    assert_eq!(v["integrity"], "ok");
    assert_eq!(v["key_source"], "file");
    assert!(!v["cipher_version"].as_str().unwrap().is_empty());

    // Changes made while the service is down wait in the queue; one of
    // them will be refused (the same person twice).
    {
        let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
        // The machine key file must be private to the counter's account.
        {
            use std::os::unix::fs::PermissionsExt;
            let key = dir.join("counter.key");
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        app.open_store().unwrap();
        app.sign_in(&SignInRequest {
            staff_code: central.clerk.0.clone(),
            password: central.clerk.1.clone(),
        })
        .unwrap();
        app.commit_change(&outbox::walk_in(7)).unwrap();
        assert!(app.wait_until_drained(Duration::from_secs(10)).unwrap());
        central.kill();
        let mut dup = outbox::walk_in(7);
        dup.record_key = "dup-7".into();
        app.commit_change(&dup).unwrap();
        for i in 8..11 {
            app.commit_change(&outbox::walk_in(i)).unwrap();
        }
    }
    let out = ehrctl(&dir, &central, &["queue", "status", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let st = json_of(&out.stdout);
    assert_eq!(st["queued"], 4);
    assert_eq!(st["attention"], 0);
    assert!(st["oldest_queued_age_s"].as_u64().is_some());
    let text = ehrctl(&dir, &central, &["queue", "status"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("queued:           4"));

    // Retry with the service down: it cannot sign in, and says why.
    let out = ehrctl(
        &dir,
        &central,
        &["queue", "retry", "--staff-code", &central.clerk.0],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out.stderr)["error"], "central.unreachable");

    central.serve().unwrap();
    let out = ehrctl(
        &dir,
        &central,
        &[
            "queue",
            "retry",
            "--staff-code",
            &central.clerk.0,
            "--wait",
            "20",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json_of(&out.stdout);
    assert_eq!(r["drained"], true);
    assert_eq!(r["queued"], 0);
    assert_eq!(r["attention"], 1);

    let st = json_of(&ehrctl(&dir, &central, &["queue", "status", "--json"]).stdout);
    let items = st["attention_items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], "conflict.already_registered");
    let id = items[0]["id"].as_i64().unwrap().to_string();

    // Retrying the refused one: a new key, judged again, refused again.
    let out = ehrctl(
        &dir,
        &central,
        &[
            "queue",
            "retry",
            "--staff-code",
            &central.clerk.0,
            "--id",
            &id,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json_of(&out.stdout);
    assert_eq!(r["retried"][0].as_i64().unwrap().to_string(), id);
    assert_eq!(r["attention"], 1);
    // An id that is not on the list is refused.
    let out = ehrctl(
        &dir,
        &central,
        &[
            "queue",
            "retry",
            "--staff-code",
            &central.clerk.0,
            "--id",
            "99999",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out.stderr)["error"], "queue.not_attention");

    // A wrong key: a clear refusal, and the database is left as it was.
    let db = dir.join("counter.db");
    let before = std::fs::read(&db).unwrap();
    std::fs::write(dir.join("store.key"), "f".repeat(64)).unwrap();
    let out = ehrctl(&dir, &central, &["db", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let e = json_of(&out.stderr);
    assert_eq!(e["error"], "store.wrong_key");
    assert!(e["message_zh"].as_str().unwrap().contains("密鑰"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small tmpfs, unmounted on drop.
struct Tmpfs(std::path::PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn status_says_when_the_store_cannot_take_a_write() {
    let central = Central::start("ehrctl-full").unwrap();
    let mount = std::env::temp_dir().join(format!("ehrctl-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&mount);
    std::fs::create_dir_all(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        mounted,
        "mounting a small tmpfs needs root (the test command runs as root)"
    );
    let _guard = Tmpfs(mount.clone());
    let dir = mount.join("data");
    let out = ehrctl(&dir, &central, &["queue", "status", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st = json_of(&out.stdout);
    assert_eq!(st["store_writable"], true);
    assert!(st["store_error"].is_null());
    // The disk fills up (with something else than the store).
    let mut filler = std::fs::File::create(mount.join("filler")).unwrap();
    let block = vec![0u8; 64 * 1024];
    while std::io::Write::write_all(&mut filler, &block).is_ok() {}
    drop(filler);
    // A store that cannot even be opened on a full disk (its WAL index
    // cannot grow) is said to be on a full disk, in both languages.
    let out = ehrctl(&dir, &central, &["queue", "status", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let e = json_of(&out.stderr);
    assert_eq!(e["error"], "store.disk_full", "{e}");
    assert!(e["message_en"].as_str().unwrap().contains("disk is full"));
    assert!(!e["message_zh"].as_str().unwrap().is_empty());
    // Space again: writable.
    std::fs::remove_file(mount.join("filler")).unwrap();
    let out = ehrctl(&dir, &central, &["queue", "status", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out.stdout)["store_writable"], true);
}
