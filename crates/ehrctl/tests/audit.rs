//! `ehrctl audit verify` and `ehrctl audit list` against a real store (and a
//! real ehr-central to sign in at): the chain verifies, then its SQLCipher
//! file is changed on disk with the store's key, and `verify` names the
//! first broken link and exits 1.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use ehr_protocol::audit::AuditAction;
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

/// The store's file, opened with its key (from the key file) as anyone
/// holding the key could.
fn open_counter_db(dir: &Path) -> rusqlite::Connection {
    let key = std::fs::read_to_string(dir.join("store.key")).expect("key file");
    let conn = rusqlite::Connection::open(dir.join("counter.db")).expect("db");
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.trim()))
        .expect("key");
    conn.busy_timeout(Duration::from_secs(5)).expect("busy");
    conn
}

fn verify(dir: &Path, central: &Central) -> (Option<i32>, Value) {
    let out = ehrctl(dir, central, &["audit", "verify", "--json"]);
    (out.status.code(), json_of(&out.stdout))
}

#[test]
fn verify_finds_the_first_broken_link_in_a_tampered_file_and_list_needs_a_sign_in() {
    let central = Central::start("ehrctl-audit").unwrap();
    let dir = std::env::temp_dir().join(format!("ehrctl-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
        app.open_store().unwrap();
        app.sign_in(&SignInRequest {
            staff_code: central.clerk.0.clone(),
            password: central.clerk.1.clone(),
        })
        .unwrap();
        app.record_audit(AuditAction::Lookup, Some("EHR000000001"))
            .unwrap();
        app.audit_reveal("A123***(*)").unwrap();
        app.commit_change(&outbox::walk_in(3)).unwrap();
        // Sent under the clerk's session; the sign-out's own event stays
        // queued until the next sign-in (nothing is sent without one).
        assert!(app.wait_until_drained(Duration::from_secs(20)).unwrap());
        assert_eq!(
            app.sync_status().unwrap().attention,
            0,
            "the service took the chain"
        );
        app.sign_out();
    }
    // sign-in, look-up, reveal, change, sign-out.
    let (code, v) = verify(&dir, &central);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["events"], 5);
    assert_eq!(v["first_broken"], Value::Null);

    // list needs a sign-in, and shows no personal data (there is none).
    let out = ehrctl(
        &dir,
        &central,
        &[
            "audit",
            "list",
            "--since",
            "24h",
            "--staff-code",
            &central.clerk.0,
            "--json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = json_of(&out.stdout);
    let actions: Vec<&str> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // Listing signs in (and is audited) too.
    assert_eq!(
        actions,
        [
            "staff.sign_in",
            "record.lookup",
            "id.reveal",
            "change.submit",
            "staff.sign_out",
            "staff.sign_in"
        ]
    );
    let out = Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(["audit", "list", "--since", "24h"])
        .env("EHR_COUNTER_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no --staff-code: usage");
    let out = ehrctl(
        &dir,
        &central,
        &[
            "audit",
            "list",
            "--since",
            "last week",
            "--staff-code",
            "clerk01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));

    // Someone with the key edits the reveal's subject in the file.
    {
        let conn = open_counter_db(&dir);
        let n = conn
            .execute(
                "UPDATE audit_log SET subject = 'A999***(*)' WHERE seq = 3",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let (code, v) = verify(&dir, &central);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken"]["seq"], 3);
    assert_eq!(v["first_broken"]["problem"], "edited");
    let text = ehrctl(&dir, &central, &["audit", "verify"]);
    assert_eq!(text.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("BROKEN at sequence 3: edited"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    // Put back, then delete the look-up: missing at 2.
    {
        let conn = open_counter_db(&dir);
        conn.execute(
            "UPDATE audit_log SET subject = 'A123***(*)' WHERE seq = 3",
            [],
        )
        .unwrap();
    }
    assert_eq!(verify(&dir, &central).0, Some(0));
    {
        let conn = open_counter_db(&dir);
        conn.execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
    }
    let (code, v) = verify(&dir, &central);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["first_broken"]["seq"], 2);
    assert_eq!(v["first_broken"]["problem"], "missing");
    let _ = std::fs::remove_dir_all(&dir);
}
