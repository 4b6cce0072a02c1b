//! Re-joining after withdrawal (issue #15): the service reopens the
//! withdrawn record (the same eHR number; its unique index on the document
//! would block a second record), in effect again, with sharing consent
//! afresh and a new access key; the withdrawn state is seen as withdrawn
//! until then.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{json, Value};
use uuid::Uuid;

fn walk_in(number: &str, consents: Value) -> Value {
    json!({"type": "register_in_person",
        "patient": person(number, "KWOK", "Siu Fong", "1970-06-07"),
        "capacity": "capable", "applicant": {"role": "self"},
        "notification": {"channel": "email", "language": "en", "address": "kwok@example.org"},
        "private_provider_consents": consents})
}

#[tokio::test]
async fn a_withdrawn_person_registers_again_on_the_same_record() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let number = hkid(610_001);
    let out = a
        .op(
            Uuid::new_v4(),
            "w-1",
            1,
            walk_in(&number, json!(["PP-0001"])),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let ehr = out["result"]["ehr_number"].as_str().unwrap().to_owned();
    let out = a
        .op(
            Uuid::new_v4(),
            "w-1",
            2,
            json!({"type": "withdraw", "ehr_number": ehr, "confirmed": true}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let (_, rec) =
        json_of(a.search_records(json!({"document_type": "hkic", "document_number": number})))
            .await;
    assert_eq!(rec["items"][0]["state"], "withdrawn");

    // Registering again: the same record, in effect, consent afresh.
    let out = a
        .op(
            Uuid::new_v4(),
            "w-2",
            1,
            walk_in(&number, json!(["PP-0002"])),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["ehr_number"], ehr.as_str());
    assert_eq!(out["result"]["state"], "effective");
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), 1);
    let (_, rec) =
        json_of(a.search_records(json!({"document_type": "hkic", "document_number": number})))
            .await;
    let r = &rec["items"][0];
    assert_eq!(r["state"], "effective");
    let consents = r["consents"].as_array().unwrap();
    let state = |id: &str| {
        consents
            .iter()
            .find(|c| c["provider_id"] == id)
            .map(|c| c["state"].as_str().unwrap().to_owned())
    };
    // The consent given before withdrawal does not come back by itself.
    assert_ne!(state("PP-0001").as_deref(), Some("given"));
    assert_eq!(state("PP-0002").as_deref(), Some("given"));
    assert!(consents.iter().any(|c| c["state"] == "automatic"));
    // A new access key went to the notification outbox: two in all.
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM notification_outbox WHERE ehr_number = '{ehr}'"
        )),
        2
    );
    // Registering a third time while in effect: already registered.
    let out = a
        .op(Uuid::new_v4(), "w-3", 1, walk_in(&number, json!([])))
        .await;
    assert_eq!(out["code"], "conflict.already_registered");
    assert!(s.running.state.db.check().unwrap().is_empty());
}
