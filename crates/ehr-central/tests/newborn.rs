//! The birth-hospital desk at the service (issue #14): a newborn's record
//! keeps its parent (found by the parent's document, shown masked) and its
//! contact, every image is linked to the record it supports, completion is
//! offered where the product decisions list it, and each birth hospital's
//! follow-up list shows what is still awaiting a certificate after the
//! policy's days, on the service's settable clock.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use ehr_central::util::{hk_date, rfc3339, Clock};
use serde_json::{json, Value};
use uuid::Uuid;

const DAY: i64 = 86_400;

async fn upload(a: &Session, kind: &str) -> Uuid {
    let id = Uuid::new_v4();
    let out = a
        .op(
            Uuid::new_v4(),
            &format!("img-{id}"),
            1,
            json!({"type": "upload_document", "image_id": id, "kind": kind,
                "data_base64": png()}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    id
}

/// Registers a newborn at `hospital` today (by the clock); returns its eHR
/// number and the hospital document's image.
async fn newborn(
    a: &Session,
    clock: &Clock,
    hospital: &str,
    serial: &str,
    parent: u32,
) -> (String, Uuid) {
    let image = upload(a, "birth_hospital_document").await;
    let now = clock.now_unix();
    let out = a
        .op(
            Uuid::new_v4(),
            serial,
            1,
            json!({"type": "register_newborn", "hospital_code": hospital, "serial": serial,
                "date_of_birth": hk_date(now).unwrap().to_string(), "time_of_birth": "00:01",
                "sex": "male", "parent": person(&hkid(parent), "CHEUNG", "Wai Yee", "1991-02-03"),
                "relationship": "parent", "certifying_document_image": image,
                "notification": {"channel": "sms", "language": "en", "address": "61234567"},
                "transacted_at": rfc3339(now)}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    (
        out["result"]["ehr_number"].as_str().unwrap().to_owned(),
        image,
    )
}

#[tokio::test]
async fn a_newborn_keeps_its_parent_and_contact_and_links_its_images() {
    let clock = Clock::settable(ehr_central::util::now_unix());
    let s = Server::start_with_clock(clock.clone()).await;
    let a = s.session("QMH", "clerk01").await;
    let (ehr, image) = newborn(&a, &clock, "QMH", "QMH-7001", 4001).await;

    // The parent's document finds the newborn, kept as SDM, masked.
    let (status, rec) =
        json_of(a.search_records(json!({"document_type": "hkic", "document_number": hkid(4001)})))
            .await;
    assert_eq!(status, 200, "{rec}");
    assert_eq!(rec["items"].as_array().unwrap().len(), 0, "{rec}");
    let kept = &rec["kept_as_sdm"][0];
    assert_eq!(kept["ehr_number"], ehr.as_str());
    assert_eq!(kept["state"], "awaiting_birth_certificate");
    assert_eq!(kept["sdm"]["relationship"], "parent");
    let masked = kept["sdm"]["document_number_masked"].as_str().unwrap();
    assert!(
        masked.contains('*') && !masked.contains(&hkid(4001)[1..7]),
        "{masked}"
    );
    assert_eq!(kept["contact"]["channel"], "sms");
    assert_eq!(kept["contact"]["address_masked"], "****4567");
    assert!(!rec.to_string().contains("61234567"), "{rec}");

    // The image is linked to the record.
    let linked = s.query_i64(&format!(
        "SELECT count(*) FROM document_images WHERE image_id = '{image}' \
         AND record_ehr_number = '{ehr}'"
    ));
    assert_eq!(linked, 1);

    // Completed at a Maternal and Child Health Centre: the same record, the
    // certificate's image linked beside the hospital document's.
    let m = s.session("MCHC-TKO", "clerk02").await;
    let cert = upload(&m, "birth_certificate").await;
    let bc = hkid(777_001);
    let complete = json!({"type": "complete_newborn", "ehr_number": ehr,
        "birth_certificate_number": bc, "surname": "CHEUNG", "given_names": "Ka Ho",
        "certificate_image": cert});
    // Not at a private provider's centre.
    let p = s.session("PP-0001-RC", "clerk01").await;
    let out = p.op(Uuid::new_v4(), "c-pp", 1, complete.clone()).await;
    assert_eq!(out["field_errors"][0]["code"], "auth.forbidden", "{out}");
    let out = m.op(Uuid::new_v4(), "c-1", 1, complete).await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM document_images WHERE record_ehr_number = '{ehr}'"
        )),
        2
    );
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), 1);
    let (_, rec) = json_of(
        m.search_records(json!({"document_type": "hk_birth_certificate", "document_number": bc})),
    )
    .await;
    assert_eq!(rec["items"][0]["ehr_number"], ehr.as_str());
    assert_eq!(rec["items"][0]["state"], "effective");
    // Still kept by the parent as SDM.
    assert_eq!(rec["items"][0]["sdm"]["relationship"], "parent");
    assert!(s.running.state.db.check().unwrap().is_empty());
}

#[tokio::test]
async fn each_birth_hospital_sees_its_newborns_awaiting_a_certificate_after_the_policys_days() {
    let start = ehr_central::util::now_unix();
    let clock = Clock::settable(start);
    let s = Server::start_with_clock(clock.clone()).await;
    let q = s.session("QMH", "clerk01").await;
    let (old, _) = newborn(&q, &clock, "QMH", "QMH-8001", 5001).await;
    let p = s.session("PWH", "clerk01").await;
    let (other_hospital, _) = newborn(&p, &clock, "PWH", "PWH-8001", 5002).await;
    clock.set(start + 30 * DAY);
    let q = s.session("QMH", "clerk01").await;
    let (recent, _) = newborn(&q, &clock, "QMH", "QMH-8002", 5003).await;
    let (completed, _) = newborn(&q, &clock, "QMH", "QMH-8003", 5004).await;
    clock.set(start + 10 * DAY);
    let q = s.session("QMH", "clerk01").await;
    let (older_still, _) = newborn(&q, &clock, "QMH", "QMH-8004", 5005).await;
    let _ = older_still;

    // Day 61 after the first: only records registered 60 or more days ago.
    clock.set(start + 70 * DAY);
    let q = s.session("QMH", "clerk01").await;
    let m = s.session("MCHC-TKO", "clerk02").await;
    let cert = upload(&m, "birth_certificate").await;
    let out = m
        .op(
            Uuid::new_v4(),
            "c-1",
            1,
            json!({"type": "complete_newborn", "ehr_number": completed,
                "birth_certificate_number": hkid(777_002), "surname": "CHEUNG",
                "given_names": "Ka Yan", "certificate_image": cert}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");

    let (status, list) = json_of(q.get("/v1/follow-up/newborns")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["days"], 60);
    assert_eq!(list["hospital_code"], "QMH");
    let items = list["items"].as_array().unwrap();
    let numbers: Vec<&str> = items
        .iter()
        .map(|i| i["ehr_number"].as_str().unwrap())
        .collect();
    // Oldest first; 30 days ago is too recent; another hospital's and the
    // completed one are not listed.
    assert_eq!(numbers, vec![old.as_str(), older_still.as_str()], "{list}");
    assert!(!numbers.contains(&recent.as_str()));
    assert!(!numbers.contains(&other_hospital.as_str()));
    assert_eq!(items[0]["days_waiting"], 70);
    assert_eq!(items[1]["days_waiting"], 60);
    assert_eq!(items[0]["serial"], "QMH-8001");
    assert!(items[0]["parent_document_masked"]
        .as_str()
        .unwrap()
        .contains('*'));
    assert_eq!(items[0]["contact"]["address_masked"], "****4567");
    assert!(!list.to_string().contains(&hkid(5001)));

    // The Registration Office sees every hospital's; an MCHC none.
    let ro = s.session("RO-HK", "clerk01").await;
    let (_, all) = json_of(ro.get("/v1/follow-up/newborns")).await;
    assert_eq!(all["hospital_code"], Value::Null);
    assert_eq!(all["items"].as_array().unwrap().len(), 3, "{all}");
    let (status, body) = json_of(m.get("/v1/follow-up/newborns")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "auth.forbidden");
}
