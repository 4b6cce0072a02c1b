//! `ehrctl card` through a real pcscd, vpcd and the virtual card.

// Test support functions outside #[test] fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use ehr_card::profile::CardGeneration;
use ehr_tests::pcscd::{Pcscd, READERS};
use ehr_tests::vcard::{sample_person, InsertedCard};
use serde_json::Value;

fn ehrctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ehrctl: {e}"))
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

// One test: pcscd is one per machine, so the cases run in order.
#[test]
fn readers_read_reveal_watch_and_refusals() {
    let pcscd = Pcscd::start().unwrap();

    let out = ehrctl(&["card", "readers", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_json(&out)["readers"], serde_json::json!(READERS));

    // An empty reader: a clear timeout, exit 1, nothing on stdout.
    let out = ehrctl(&["card", "read", "--reader", READERS[1], "--timeout", "0.3"]);
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
    let out = ehrctl(&["card", "read"]);
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

    let out = ehrctl(&["card", "read", "--reveal"]);
    assert_eq!(stdout_json(&out)["document_number"], "A123456(3)");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--reveal"));

    // Watch: the readers, then the card already present, read.
    let out = ehrctl(&["card", "watch", "--count", "3", "--seconds", "20"]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["readers", "card_present", "read"]);
    assert_eq!(lines[2]["identity"]["document_masked"], "A123***(3)");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("A123456"));

    // A 2003-generation card: refused with the message to key in by hand.
    card.remove();
    let _old = InsertedCard::insert(
        &pcscd.reader_addr(1),
        &sample_person(CardGeneration::Gen2003),
    )
    .unwrap();
    let out = ehrctl(&["card", "read", "--reader", READERS[1]]);
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"], "card.old_generation");

    // Usage errors exit 2.
    assert_eq!(
        ehrctl(&["card", "read", "--timeout", "-1"]).status.code(),
        Some(2)
    );
}
