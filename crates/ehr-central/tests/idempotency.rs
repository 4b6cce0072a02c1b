//! Retries survive an upgrade: the service judges a retry by the bytes the
//! counter queued (and its attachment), not by re-serialising its own
//! structs, so an operation struct that gains an optional field on either
//! side does not turn a legitimate retry into `batch.idempotency_key_reused`.

mod common;

use common::{hkid, png, Server};
use serde_json::{json, Value};
use sha2::Digest;
use uuid::Uuid;

/// Sends one envelope, written as raw text, and returns its outcome.
async fn raw(a: &common::Session, envelope: &str) -> Value {
    let r = a
        .post("/v1/batch")
        .header("content-type", "application/json")
        .body(format!(r#"{{"ops":[{envelope}]}}"#))
        .send()
        .await
        .expect("the batch request");
    let status = r.status();
    let body: Value = r.json().await.expect("a JSON answer");
    assert_eq!(status, 200, "{body}");
    body["results"][0]["outcome"].clone()
}

#[tokio::test]
async fn a_retry_is_the_same_bytes_whatever_the_structs_look_like_now() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let key = Uuid::new_v4();
    // As an older counter queued it: fields in its own order, optional
    // fields left out, and a field this service does not know (a newer
    // counter's optional field).
    let op = format!(
        r#"{{"capacity":"capable","type":"register_in_person","applicant":{{"role":"self"}},
            "patient":{{"document_type":"hkic","document_number":"{}","surname":"LAM",
            "given_names":"Siu Ming","date_of_birth":"1981-02-03"}},
            "notification":{{"channel":"sms","language":"en","address":"91234567"}},
            "a_field_from_the_future":true}}"#,
        hkid(771)
    );
    let envelope =
        format!(r#"{{"v":2,"idempotency_key":"{key}","record_key":"w-771","seq":1,"op":{op}}}"#);
    let first = raw(&a, &envelope).await;
    assert_eq!(first["status"], "applied", "{first}");
    let again = raw(&a, &envelope).await;
    assert_eq!(again["status"], "duplicate", "{again}");
    assert_eq!(again["result"], first["result"]);
    // The same key with other bytes is another operation: refused. That
    // holds for a field this service does not know as well: a newer
    // counter's content is its content, whether or not these structs can
    // hold it (a hash of the re-serialised struct would drop it and call
    // this a duplicate).
    for other in [
        envelope.replace("Siu Ming", "Siu Man"),
        envelope.replace(
            r#""a_field_from_the_future":true"#,
            r#""a_field_from_the_future":false"#,
        ),
    ] {
        assert_ne!(other, envelope);
        let reused = raw(&a, &other).await;
        assert_eq!(reused["code"], "batch.idempotency_key_reused", "{reused}");
    }
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM idempotency WHERE key = '{key}' AND hash_scheme = 2"
        )),
        1
    );
}

#[tokio::test]
async fn a_row_stored_before_the_byte_rule_still_recognises_its_retry() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let key = Uuid::new_v4();
    let op = common::walk_in(&hkid(772));
    let out = a.op(key, "w-772", 1, op.clone()).await;
    assert_eq!(out["status"], "applied", "{out}");
    // As the service before this rule stored it: the hash of its own
    // serialisation of (record key, sequence, operation), scheme 1.
    let typed: ehr_protocol::wire::Operation = serde_json::from_value(op.clone()).unwrap();
    let legacy = sha2::Sha256::digest(serde_json::to_vec(&("w-772", 1u64, &typed)).unwrap());
    let hex: String = legacy.iter().map(|b| format!("{b:02x}")).collect();
    s.exec(&format!(
        "UPDATE idempotency SET content_hash = x'{hex}', hash_scheme = 1 WHERE key = '{key}'"
    ));
    // A format-1 envelope (no version) from a counter not yet upgraded.
    let again = a.op(key, "w-772", 1, op.clone()).await;
    assert_eq!(again["status"], "duplicate", "{again}");
    let mut changed = op;
    changed["notification"]["address"] = json!("98765432");
    let reused = a.op(key, "w-772", 1, changed).await;
    assert_eq!(reused["code"], "batch.idempotency_key_reused", "{reused}");
}

#[tokio::test]
async fn an_upload_travels_beside_its_operation_and_its_bytes_are_part_of_the_content() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let key = Uuid::new_v4();
    let image = Uuid::new_v4();
    let op = json!({"type": "upload_document", "image_id": image,
        "kind": "patient_document_copy", "data_base64": ""});
    let envelope = |data: &str| {
        json!({"v": 2, "idempotency_key": key, "record_key": "u-1", "seq": 1,
            "op": op, "attachment_base64": data})
    };
    let out = a.batch(json!([envelope(&png())])).await;
    assert_eq!(out[0]["outcome"]["status"], "applied", "{out:?}");
    assert_eq!(out[0]["outcome"]["result"]["content_type"], "image/png");
    let out = a.batch(json!([envelope(&png())])).await;
    assert_eq!(out[0]["outcome"]["status"], "duplicate");
    // Another image under the same key: not a retry.
    let other = {
        use base64::Engine as _;
        let mut d = b"\x89PNG\r\n\x1a\n".to_vec();
        d.extend_from_slice(&[1u8; 64]);
        base64::engine::general_purpose::STANDARD.encode(d)
    };
    let out = a.batch(json!([envelope(&other)])).await;
    assert_eq!(out[0]["outcome"]["code"], "batch.idempotency_key_reused");
}

#[tokio::test]
async fn an_envelope_this_service_cannot_read_is_rejected_on_its_own() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let good = json!({"idempotency_key": Uuid::new_v4(), "record_key": "e-ok", "seq": 1,
        "op": common::walk_in(&hkid(773))});
    let future = json!({"v": 9, "idempotency_key": Uuid::new_v4(), "record_key": "e-9",
        "seq": 1, "op": common::walk_in(&hkid(774))});
    let v1_with_attachment = json!({"idempotency_key": Uuid::new_v4(), "record_key": "e-1",
        "seq": 1, "op": common::walk_in(&hkid(775)), "attachment_base64": png()});
    let unknown_op = json!({"v": 2, "idempotency_key": Uuid::new_v4(), "record_key": "e-x",
        "seq": 1, "op": {"type": "no_such_operation"}});
    let out = a
        .batch(json!([good, future, v1_with_attachment, unknown_op]))
        .await;
    assert_eq!(out[0]["outcome"]["status"], "applied", "{out:?}");
    for (i, field, code) in [
        (1, "v", "batch.envelope_version"),
        (2, "attachment_base64", "batch.envelope_version"),
        (3, "op", "request.malformed"),
    ] {
        let o = &out[i]["outcome"];
        assert_eq!(o["status"], "rejected", "{o}");
        assert_eq!(o["field_errors"][0]["field"], field, "{o}");
        assert_eq!(o["field_errors"][0]["code"], code, "{o}");
    }
}
