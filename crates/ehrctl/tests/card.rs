//! `ehrctl card` through a real pcscd, vpcd and the virtual card, signed in
//! at a real ehr-central on loopback.

// Test support functions outside #[test] fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use ehr_card::profile::CardGeneration;
use ehr_tests::central::Central;
use ehr_tests::pcscd::{Pcscd, READERS};
use ehr_tests::vcard::{sample_person, InsertedCard};
use serde_json::Value;

/// The central service and counter data folder every run signs in with.
static SETUP: OnceLock<(String, String, String, String, PathBuf)> = OnceLock::new();

fn ehrctl(args: &[&str]) -> Output {
    let (url, key, _, pw, dir) = SETUP.get().expect("central service started");
    Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(args)
        .env("EHR_CENTRAL_URL", url)
        .env("EHR_COUNTER_KEY", key)
        .env("EHR_STAFF_PASSWORD", pw)
        .env("EHR_COUNTER_DATA_DIR", dir)
        .env("EHR_COUNTER_KEYRING", "off")
        .env_remove("EHR_IDEAS_ENDPOINT")
        .output()
        .unwrap_or_else(|e| panic!("cannot run ehrctl: {e}"))
}

fn staff() -> &'static str {
    &SETUP.get().expect("central service started").2
}

fn data_dir() -> &'static Path {
    &SETUP.get().expect("central service started").4
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

// One test: pcscd is one per machine, so the cases run in order.
#[test]
fn readers_read_reveal_watch_and_refusals() {
    let pcscd = Pcscd::start().unwrap();
    let central = Central::start("ehrctl-card").unwrap();
    let dir = std::env::temp_dir().join(format!("ehrctl-card-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    SETUP
        .set((
            central.url.clone(),
            central.counter_key.clone(),
            central.clerk.0.clone(),
            central.clerk.1.clone(),
            dir.clone(),
        ))
        .unwrap();
    let staff = staff();

    let out = ehrctl(&["card", "readers", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_json(&out)["readers"], serde_json::json!(READERS));

    // An empty reader: a clear timeout, exit 1, nothing on stdout.
    let out = ehrctl(&[
        "card",
        "read",
        "--staff-code",
        staff,
        "--reader",
        READERS[1],
        "--timeout",
        "0.3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"], "card.timeout");
    assert!(err["message_zh"].as_str().unwrap().contains("重新插入"));

    let card = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &sample_person(CardGeneration::Gen2018),
    )
    .unwrap();
    // Without a staff sign-in, nothing is read or shown.
    let out = ehrctl(&["card", "read"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"], "auth.sign_in_required");

    let out = ehrctl(&["card", "read", "--staff-code", staff]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = stdout_json(&out);
    assert_eq!(v["document_masked"], "A123***(3)");
    assert_eq!(v["english_name"], "CHAN, Tai Man");
    assert_eq!(v["chinese_name"], "陳大文");
    assert_eq!(v["date_of_birth"], "15/01/1980");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("A123456"));

    // A wrong password: refused by the service, nothing shown.
    let out = Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(["card", "read", "--staff-code", staff])
        .env("EHR_CENTRAL_URL", &central.url)
        .env("EHR_COUNTER_KEY", &central.counter_key)
        .env("EHR_STAFF_PASSWORD", "not-the-password")
        .env("EHR_COUNTER_DATA_DIR", data_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"], "auth.invalid_credentials");

    // A reveal is audited (here, and at the central service) first.
    let out = ehrctl(&["card", "read", "--staff-code", staff, "--reveal"]);
    assert_eq!(
        stdout_json(&out)["document_number"],
        "A123456(3)",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(
        note.contains("--reveal") && note.contains("id.reveal"),
        "{note}"
    );
    assert!(note.contains("sent to the central service"), "{note}");
    let app = ehr_app::App::new(ehr_app::Config {
        data_dir: data_dir().to_owned(),
        keyring: false,
        ..ehr_app::Config::from_lookup(|_| None)
    });
    app.open_store_without_sync().unwrap();
    let rows = app.audit_rows("id.reveal").unwrap();
    assert_eq!(
        rows,
        vec![(staff.to_owned(), Some("A123***(3)".to_owned()), None)]
    );
    assert_eq!(
        app.sync_status().unwrap().queued,
        0,
        "the audit event was sent"
    );
    drop(app);

    // Watch: the readers, then the card already present, read.
    let out = ehrctl(&[
        "card",
        "watch",
        "--staff-code",
        staff,
        "--count",
        "3",
        "--seconds",
        "20",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["readers", "card_present", "read"]);
    assert_eq!(lines[2]["identity"]["document_masked"], "A123***(3)");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("A123456"));
    // Without a sign-in, watch shows the events but nobody's identity.
    let out = ehrctl(&["card", "watch", "--count", "3", "--seconds", "20"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "read");
    assert_eq!(last["identity"], Value::Null);
    assert!(!text.contains("CHAN") && !text.contains("A123"), "{text}");

    // A 2003-generation card: refused with the message to key in by hand.
    card.remove();
    let _old = InsertedCard::insert(
        &pcscd.reader_addr(1),
        &sample_person(CardGeneration::Gen2003),
    )
    .unwrap();
    let out = ehrctl(&[
        "card",
        "read",
        "--staff-code",
        staff,
        "--reader",
        READERS[1],
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"], "card.old_generation");

    // Usage errors exit 2.
    assert_eq!(
        ehrctl(&["card", "read", "--timeout", "-1"]).status.code(),
        Some(2)
    );
    drop(central);
    let _ = std::fs::remove_dir_all(&dir);
}
