//! A record's life after registration (issue #15, items 4 and 5): contact
//! details and a new access key, particulars corrected from the record's
//! own document with its image as proof, and a child kept by an SDM who
//! turned 16 taking the record over. Each is an operation through the
//! batch like every other change, applied once in effect.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use ehr_central::util::{hk_date, Clock};
use serde_json::{json, Value};
use uuid::Uuid;

const DAY: i64 = 86_400;

async fn upload(a: &Session) -> Uuid {
    let id = Uuid::new_v4();
    let out = a
        .op(
            Uuid::new_v4(),
            &format!("img-{id}"),
            1,
            json!({"type": "upload_document", "image_id": id,
                "kind": "patient_document_copy", "data_base64": png()}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    id
}

async fn registered(a: &Session, number: &str) -> String {
    let out = a
        .op(
            Uuid::new_v4(),
            &format!("w-{}", Uuid::new_v4()),
            1,
            walk_in(number),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    out["result"]["ehr_number"].as_str().unwrap().to_owned()
}

async fn record(a: &Session, doc_type: &str, number: &str) -> Value {
    let (status, rec) =
        json_of(a.search_records(json!({"document_type": doc_type, "document_number": number})))
            .await;
    assert_eq!(status, 200, "{rec}");
    rec
}

#[tokio::test]
async fn contact_changes_and_a_new_access_key_goes_to_the_new_address() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let number = hkid(730_001);
    let ehr = registered(&a, &number).await;

    // A mobile number that is not one is refused, by its field.
    let out = a
        .op(
            Uuid::new_v4(),
            "c-0",
            1,
            json!({"type": "change_contact", "ehr_number": ehr,
                "notification": {"channel": "sms", "language": "en", "address": "123"}}),
        )
        .await;
    assert_eq!(out["status"], "rejected", "{out}");
    assert_eq!(out["field_errors"][0]["field"], "notification.address");

    let out = a
        .op(
            Uuid::new_v4(),
            "c-1",
            1,
            json!({"type": "change_contact", "ehr_number": ehr,
                "notification": {"channel": "email", "language": "en",
                    "address": " wong.new@example.org "}}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["kind"], "contact_changed", "{out}");
    let rec = record(&a, "hkic", &number).await;
    let contact = &rec["items"][0]["contact"];
    assert_eq!(contact["channel"], "email", "{rec}");
    assert!(!rec.to_string().contains("wong.new@"), "masked: {rec}");

    // The new key goes to the new address; sent twice in the batch under
    // one idempotency key, it is sent once.
    let key = Uuid::new_v4();
    let resend = json!({"type": "resend_access_key", "ehr_number": ehr});
    let out = a.op(key, "c-2", 1, resend.clone()).await;
    assert_eq!(out["status"], "applied", "{out}");
    let again = a.op(key, "c-2", 1, resend).await;
    assert_eq!(again["status"], "duplicate", "{again}");
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM notification_outbox WHERE ehr_number = '{ehr}'"
        )),
        2
    );
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM notification_outbox WHERE ehr_number = '{ehr}' \
             AND channel = 'email' AND address = 'wong.new@example.org'"
        )),
        1
    );
    // The answer never carries the key.
    let sent: Vec<String> = {
        let db = ehr_central::db::open_existing_keyed(s.dir.path()).unwrap();
        let mut st = db
            .prepare("SELECT access_key FROM notification_outbox")
            .unwrap();
        let keys = st
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        keys
    };
    for k in &sent {
        assert!(!out.to_string().contains(k.as_str()));
    }

    // Unknown and withdrawn records are conflicts.
    let out = a
        .op(
            Uuid::new_v4(),
            "c-3",
            1,
            json!({"type": "resend_access_key", "ehr_number": "999999999999"}),
        )
        .await;
    assert_eq!(out["code"], "conflict.record_not_found", "{out}");
    let out = a
        .op(
            Uuid::new_v4(),
            "c-4",
            1,
            json!({"type": "withdraw", "ehr_number": ehr, "confirmed": true}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let out = a
        .op(
            Uuid::new_v4(),
            "c-5",
            1,
            json!({"type": "resend_access_key", "ehr_number": ehr}),
        )
        .await;
    assert_eq!(out["code"], "conflict.record_withdrawn", "{out}");

    // Not at a maternal and child health centre.
    let m = s.session("MCHC-TKO", "clerk01").await;
    let out = m
        .op(
            Uuid::new_v4(),
            "c-6",
            1,
            json!({"type": "resend_access_key", "ehr_number": ehr}),
        )
        .await;
    assert_eq!(out["field_errors"][0]["code"], "auth.forbidden", "{out}");
    assert!(s.running.state.db.check().unwrap().is_empty());
}

#[tokio::test]
async fn particulars_are_corrected_from_the_records_own_document() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let number = hkid(730_101);
    let ehr = registered(&a, &number).await;
    let image = upload(&a).await;
    let change = |doc: &str, image: Uuid| {
        json!({"type": "change_particulars", "ehr_number": ehr,
            "person": person(doc, "CHEN", "Tai Man", "1980-05-16"),
            "read_source": "manual", "document_image": image})
    };

    // Another person's document is not this record's.
    let out = a
        .op(Uuid::new_v4(), "p-1", 1, change(&hkid(730_102), image))
        .await;
    assert_eq!(out["code"], "conflict.document_mismatch", "{out}");
    // The proof must be an uploaded image.
    let out = a
        .op(Uuid::new_v4(), "p-2", 1, change(&number, Uuid::new_v4()))
        .await;
    assert_eq!(out["status"], "rejected", "{out}");
    assert_eq!(out["field_errors"][0]["field"], "document_image");

    let out = a.op(Uuid::new_v4(), "p-3", 1, change(&number, image)).await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["kind"], "particulars_changed", "{out}");
    let rec = record(&a, "hkic", &number).await;
    let r = &rec["items"][0];
    assert_eq!(r["surname"], "CHEN", "{rec}");
    assert_eq!(r["date_of_birth"], "1980-05-16", "{rec}");
    assert_eq!(r["ehr_number"], ehr.as_str());
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM document_images WHERE image_id = '{image}' \
             AND record_ehr_number = '{ehr}'"
        )),
        1
    );
}

/// A child registered by a parent with a Hong Kong birth certificate.
async fn child(a: &Session, bc: &str, dob: &str, parent: &str) -> String {
    let image = upload(a).await;
    let mut patient = person(bc, "MAK", "Tsz Yan", dob);
    patient["document_type"] = json!("hk_birth_certificate");
    let out = a
        .op(
            Uuid::new_v4(),
            &format!("child-{}", Uuid::new_v4()),
            1,
            json!({"type": "register_in_person", "patient": patient,
                "capacity": "capable",
                "applicant": {"role": "sdm", "relationship": "parent",
                    "person": person(parent, "MAK", "Wing", "1980-01-01")},
                "patient_document_copy_image": image,
                "notification": sms(),
                "private_provider_consents": ["PP-0001", "PP-0002"]}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    out["result"]["ehr_number"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_child_who_turned_16_takes_the_record_over_with_their_own_card() {
    let start = ehr_central::util::now_unix();
    let clock = Clock::settable(start);
    let s = Server::start_with_clock(clock.clone()).await;
    let a = s.session("HA-QEH", "clerk01").await;
    // Born 16 years less 5 days before today.
    let today = hk_date(start).unwrap();
    let sixteenth = hk_date(start + 5 * DAY).unwrap();
    let dob = format!(
        "{:04}-{}",
        sixteenth.year() - 16,
        &sixteenth.to_string()[5..]
    );
    let number = hkid(730_201);
    let parent = hkid(730_202);
    let ehr = child(&a, &number, &dob, &parent).await;
    let mut card = person(&number, "MAK", "Tsz Yan", &dob);
    card["sex"] = json!("female");
    let take_over = |presented: Value, consents: Value| {
        json!({"type": "take_over_record", "ehr_number": ehr, "presented": presented,
            "read_source": "card",
            "notification": {"channel": "email", "language": "en", "address": "yan@example.org"},
            "private_provider_consents": consents})
    };

    // Still 15: the SDM keeps the record.
    let out = a
        .op(
            Uuid::new_v4(),
            "t-1",
            1,
            take_over(card.clone(), json!(["PP-0002"])),
        )
        .await;
    assert_eq!(out["status"], "rejected", "{out}");
    assert_eq!(out["field_errors"][0]["field"], "presented.date_of_birth");
    assert_eq!(
        out["field_errors"][0]["code"],
        "eligibility.sdm_required_under_16"
    );
    assert!(today < sixteenth);

    clock.set(start + 6 * DAY);
    let a = s.session("HA-QEH", "clerk01").await;
    // The identity card of the birth certificate's number finds the record
    // (one person, one record): a walk-in with it is refused.
    let rec = record(&a, "hkic", &number).await;
    assert_eq!(rec["items"][0]["ehr_number"], ehr.as_str(), "{rec}");
    let mut again = walk_in(&number);
    again["patient"]["date_of_birth"] = json!(dob);
    let out = a.op(Uuid::new_v4(), "t-2", 1, again).await;
    assert_eq!(out["code"], "conflict.already_registered", "{out}");
    // Someone else's card is not this record's.
    let out = a
        .op(
            Uuid::new_v4(),
            "t-3",
            1,
            take_over(person(&hkid(730_203), "MAK", "Tsz Yan", &dob), json!([])),
        )
        .await;
    assert_eq!(out["code"], "conflict.document_mismatch", "{out}");

    let out = a
        .op(
            Uuid::new_v4(),
            "t-4",
            1,
            take_over(card.clone(), json!(["PP-0002", "PP-0003"])),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["kind"], "record_taken_over", "{out}");
    let rec = record(&a, "hkic", &number).await;
    let r = &rec["items"][0];
    assert_eq!(r["ehr_number"], ehr.as_str());
    assert_eq!(r["identifier"]["document_type"], "hkic", "{rec}");
    assert!(r["sdm"].is_null(), "{rec}");
    assert_eq!(r["contact"]["channel"], "email", "{rec}");
    let state = |id: &str| {
        r["consents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["provider_id"] == id)
            .map(|c| c["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(state("PP-0001").as_deref(), Some("revoked"), "{rec}");
    assert_eq!(state("PP-0002").as_deref(), Some("given"));
    assert_eq!(state("PP-0003").as_deref(), Some("given"));
    // The parent no longer keeps it; a new key went to the person.
    let parents = record(&a, "hkic", &parent).await;
    assert!(
        parents["kept_as_sdm"].as_array().unwrap().is_empty(),
        "{parents}"
    );
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM notification_outbox WHERE ehr_number = '{ehr}' \
             AND address = 'yan@example.org'"
        )),
        1
    );
    // Taken over once: a second time there is no SDM.
    let out = a
        .op(Uuid::new_v4(), "t-5", 1, take_over(card, json!([])))
        .await;
    assert_eq!(out["code"], "conflict.not_kept_by_sdm", "{out}");
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), 1);
    assert!(s.running.state.db.check().unwrap().is_empty());
}
