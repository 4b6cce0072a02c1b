//! The Registration Office's work items (issue #15, item 1): a half-keyed
//! paper form saved through the batch, listed for the RO clerks of that
//! site (masked), resumed by another clerk from the version held (an older
//! save is refused, never overwriting), and closed by the keying that
//! completes it, with the form's image linked to the application.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{json, Value};
use uuid::Uuid;

fn save(id: Uuid, version: u32, stage: &str, payload: Value) -> Value {
    json!({"type": "save_work_item", "id": id, "version": version, "stage": stage,
        "origin": "paper_post", "received_on": "2026-01-05",
        "document_masked": "Z730***(1)", "payload": payload.to_string()})
}

#[tokio::test]
async fn a_half_keyed_form_is_resumed_by_another_clerk_and_closed_by_its_keying() {
    let s = Server::start().await;
    let first = s.session("RO-HK", "clerk01").await;
    let second = s.session("RO-HK", "clerk02").await;
    let id = Uuid::new_v4();

    let out = first
        .op(
            Uuid::new_v4(),
            &format!("wi-{id}"),
            1,
            save(id, 1, "first_keying", json!({"surname": "LEE"})),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["kind"], "work_item_saved");

    // Another RO clerk sees it, labelled by the masked document only.
    let (status, list) = json_of(second.get("/v1/work-items")).await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["id"], id.to_string());
    assert_eq!(items[0]["created_by"], "clerk01");
    assert!(!list.to_string().contains("LEE"), "{list}");
    let (status, item) = json_of(second.get(&format!("/v1/work-items/{id}"))).await;
    assert_eq!(status, 200, "{item}");
    assert!(item["payload"].as_str().unwrap().contains("LEE"));

    // The second clerk saves version 2; the first, still on version 1,
    // is refused rather than overwriting.
    let out = second
        .op(
            Uuid::new_v4(),
            &format!("wi-{id}-b"),
            1,
            save(
                id,
                2,
                "second_keying",
                json!({"surname": "LEE", "second": {}}),
            ),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let out = first
        .op(
            Uuid::new_v4(),
            &format!("wi-{id}"),
            2,
            save(id, 2, "second_keying", json!({"surname": "LI"})),
        )
        .await;
    assert_eq!(out["code"], "conflict.work_item_stale", "{out}");
    let (_, item) = json_of(second.get(&format!("/v1/work-items/{id}"))).await;
    assert_eq!(item["item"]["version"], 2);
    assert_eq!(item["item"]["updated_by"], "clerk02");

    // Not visible from another site type.
    let (status, _) = json_of(s.session("HA-QEH", "clerk01").await.get("/v1/work-items")).await;
    assert_eq!(status, 403);

    // The keying that completes it closes it, with the form's image linked
    // to the application; the keyed particulars are erased.
    let image = form_image(&second).await;
    let recent = ehr_central::util::hk_date(ehr_central::util::now_unix())
        .unwrap()
        .add_days(-2)
        .unwrap()
        .to_string();
    let paper = json!({"type": "key_paper_application", "origin": "paper_post",
        "received_on": recent, "patient": person(&hkid(730_301), "LEE", "Ka Yan", "1975-03-04"),
        "capacity": "capable", "applicant": {"role": "self"}, "notification": sms(),
        "form_image": image, "work_item": id});
    let out = second
        .op(Uuid::new_v4(), "paper-730301", 1, paper.clone())
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let reference = out["result"]["reference"].as_str().unwrap().to_owned();
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM document_images WHERE image_id = '{image}' \
             AND application_reference = '{reference}'"
        )),
        1
    );
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM work_items WHERE id = '{id}' AND state = 'done' \
             AND payload IS NULL AND application_reference = '{reference}'"
        )),
        1
    );
    let (_, list) = json_of(second.get("/v1/work-items")).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    let (status, _) = json_of(second.get(&format!("/v1/work-items/{id}"))).await;
    assert_eq!(status, 404);

    // Keyed twice from two counters: the second is refused as a whole (no
    // second application).
    let mut again = paper;
    again["patient"] = person(&hkid(730_302), "LEE", "Ka Yan", "1975-03-04");
    let out = first.op(Uuid::new_v4(), "paper-730302", 1, again).await;
    assert_eq!(out["code"], "conflict.work_item_closed", "{out}");
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM applications WHERE doc_number = '{}'",
            hkid(730_302).replace(['(', ')'], "")
        )),
        0
    );
    // Nor is a closed item saved again.
    let out = first
        .op(
            Uuid::new_v4(),
            &format!("wi-{id}-c"),
            1,
            save(id, 3, "reconcile", json!({})),
        )
        .await;
    assert_eq!(out["code"], "conflict.work_item_closed", "{out}");
}

#[tokio::test]
async fn a_discarded_form_leaves_the_list_and_its_keying() {
    let s = Server::start().await;
    let a = s.session("RO-HK", "clerk01").await;
    let id = Uuid::new_v4();
    let out = a
        .op(
            Uuid::new_v4(),
            "wi-1",
            1,
            save(id, 1, "first_keying", json!({"surname": "WONG"})),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    // A first save must be version 1.
    let other = Uuid::new_v4();
    let out = a
        .op(
            Uuid::new_v4(),
            "wi-2",
            1,
            save(other, 2, "first_keying", json!({})),
        )
        .await;
    assert_eq!(out["code"], "conflict.work_item_stale", "{out}");
    let out = a
        .op(
            Uuid::new_v4(),
            "wi-1",
            2,
            save(id, 2, "discarded", json!({"surname": "WONG"})),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let (_, list) = json_of(a.get("/v1/work-items")).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM work_items WHERE id = '{id}' AND state = 'discarded' \
             AND payload IS NULL"
        )),
        1
    );
}
