//! Malformed and hostile input gets a 4xx with a JSON error, never a 5xx.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

async fn status_and_body(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = r.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_client_error() || status.is_server_error() {
        assert!(ct.starts_with("application/json"), "{status} with {ct}");
        assert!(body["code"].is_string(), "error without a code: {body}");
    }
    (status, body)
}

fn assert_4xx(status: StatusCode, body: &Value, what: &str) {
    assert!(status.is_client_error(), "{what}: {status} {body}");
}

#[tokio::test]
async fn malformed_bodies() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let raw = |body: Vec<u8>, ct: Option<&str>| {
        let mut r = a.post("/v1/batch").body(body);
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        r.send()
    };
    let json_ct = Some("application/json");
    let cases: Vec<(&str, Vec<u8>, Option<&str>, &str)> = vec![
        ("not json", b"{".to_vec(), json_ct, "request.malformed"),
        ("wrong type", br#"{"ops": "x"}"#.to_vec(), json_ct, "request.malformed"),
        ("no content type", br#"{"ops": []}"#.to_vec(), None, "request.unsupported_media_type"),
        ("text content type", br#"{"ops": []}"#.to_vec(), Some("text/plain"), "request.unsupported_media_type"),
        ("invalid utf-8", b"{\"ops\": [\"\xff\xfe\"]}".to_vec(), json_ct, "request.malformed"),
        ("empty batch", br#"{"ops": []}"#.to_vec(), json_ct, "batch.size"),
        ("deep nesting", format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(), json_ct, "request.malformed"),
        (
            "huge sequence",
            format!(r#"{{"ops":[{{"idempotency_key":"{}","record_key":"r","seq":1e300,"op":{{"type":"withdraw","ehr_number":"1","confirmed":true}}}}]}}"#, Uuid::new_v4()).into_bytes(),
            json_ct,
            "request.malformed",
        ),
        (
            "bad uuid",
            br#"{"ops":[{"idempotency_key":"'; DROP TABLE records; --","record_key":"r","seq":1,"op":{"type":"withdraw","ehr_number":"1","confirmed":true}}]}"#.to_vec(),
            json_ct,
            "request.malformed",
        ),
    ];
    for (what, body, ct, code) in cases {
        let (status, got) = status_and_body(raw(body, ct).await.unwrap()).await;
        assert_4xx(status, &got, what);
        assert_eq!(got["code"], code, "{what}");
    }
    // An operation this service does not know is refused on its own (the
    // operation travels as the bytes the counter queued, read one by one),
    // and the rest of the batch is applied.
    let unknown = json!({"idempotency_key": Uuid::new_v4(), "record_key": "r", "seq": 1,
        "op": {"type": "drop_table"}});
    let fine = json!({"idempotency_key": Uuid::new_v4(), "record_key": "w", "seq": 1,
        "op": walk_in(&hkid(606_060))});
    let out = a.batch(json!([unknown, fine])).await;
    assert_eq!(out[0]["outcome"]["status"], "rejected", "{out:?}");
    assert_eq!(out[0]["outcome"]["field_errors"][0]["field"], "op");
    assert_eq!(
        out[0]["outcome"]["field_errors"][0]["code"],
        "request.malformed"
    );
    assert_eq!(out[1]["outcome"]["status"], "applied", "{out:?}");
    // Too many operations.
    let op = json!({"idempotency_key": Uuid::new_v4(), "record_key": "r", "seq": 1,
        "op": {"type": "withdraw", "ehr_number": "1", "confirmed": true}});
    let (status, got) = status_and_body(
        a.post("/v1/batch")
            .json(&json!({"ops": vec![op; 201]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status.as_u16(), got["code"].as_str()),
        (400, Some("batch.size"))
    );
}

#[tokio::test]
async fn huge_bodies_are_refused() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    // Over the batch limit.
    let big = vec![b' '; 9 * 1024 * 1024];
    let (status, got) = status_and_body(
        a.post("/v1/batch")
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status.as_u16(), got["code"].as_str()),
        (413, Some("request.too_large"))
    );
    // Over the default limit on a small endpoint (sign-in), without a length header.
    let big = format!(
        r#"{{"staff_code":"clerk01","password":"{}"}}"#,
        "x".repeat(100_000)
    );
    let stream = futures_body(big.into_bytes());
    let (status, got) = status_and_body(
        s.client
            .post(s.url("/v1/auth/sign-in"))
            .header("x-counter-key", s.key("HA-QEH"))
            .header("content-type", "application/json")
            .body(stream)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status.as_u16(), got["code"].as_str()),
        (413, Some("request.too_large"))
    );
    // An image over 2 MiB inside a batch.
    use base64::Engine as _;
    let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
    data.resize(2 * 1024 * 1024 + 10, 0);
    let out = a
        .op(
            Uuid::new_v4(),
            "img",
            1,
            json!({"type": "upload_document", "image_id": Uuid::new_v4(),
            "kind": "birth_certificate",
            "data_base64": base64::engine::general_purpose::STANDARD.encode(&data)}),
        )
        .await;
    assert_eq!(out["field_errors"][0]["code"], "document.too_large");
}

fn futures_body(bytes: Vec<u8>) -> reqwest::Body {
    // A body reqwest sends as given (the length is still known; the server's
    // limit applies to the bytes read either way).
    reqwest::Body::from(bytes)
}

#[tokio::test]
async fn sql_metacharacters_and_odd_queries() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let nasty = [
        "' OR '1'='1",
        "\"; DROP TABLE applications; --",
        "%' UNION SELECT * FROM staff --",
        "\u{0}",
        "陳大文",
        "../../etc/passwd",
        &"A".repeat(5000),
    ];
    for n in nasty {
        for path in ["/v1/applications/search", "/v1/records/search"] {
            for q in [
                json!({"reference": n}),
                json!({"document_type": "hkic", "document_number": n}),
                json!({"document_type": n, "document_number": "A123456(3)"}),
                json!({"surname": n, "date_of_birth": "1980-01-01"}),
                json!({"ehr_number": n}),
                json!({"hospital_code": n, "serial": n}),
            ] {
                let (status, body) =
                    status_and_body(a.post(path).json(&q).send().await.unwrap()).await;
                assert!(
                    status.is_success() || status.is_client_error(),
                    "{path} {q}: {status} {body}"
                );
            }
        }
        let (status, body) = status_and_body(
            a.get(&format!("/v1/applications/{}", urlencode(n)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(status.is_client_error(), "{status} {body}");
        // In a batch: refused or a conflict, never a failure.
        let out = a
            .op(
                Uuid::new_v4(),
                "nasty",
                0,
                json!({"type": "withdraw", "ehr_number": n, "confirmed": true}),
            )
            .await;
        assert!(
            matches!(out["status"].as_str(), Some("rejected" | "conflict")),
            "{out}"
        );
        let mut op = walk_in(n);
        op["patient"]["surname"] = json!(n);
        let out = a
            .op(Uuid::new_v4(), &format!("nasty-{}", n.len()), 1, op)
            .await;
        assert_eq!(out["status"], "rejected", "{out}");
    }
    // Invalid UTF-8 in a search body and the path.
    let (status, body) = status_and_body(
        a.post("/v1/applications/search")
            .header("content-type", "application/json")
            .body(b"{\"reference\": \"\xFF\xFE\"}".to_vec())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_4xx(status, &body, "utf-8 body");
    let (status, body) =
        status_and_body(a.get("/v1/applications/%FF%FE").send().await.unwrap()).await;
    assert_4xx(status, &body, "utf-8 path");
    // The tables are all still there.
    assert!(s.query_i64("SELECT count(*) FROM applications") > 0);
    assert!(s.running.state.db.check().unwrap().is_empty());
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn odd_headers_and_credentials() {
    let s = Server::start().await;
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("x-counter-key", "", 401, "counter.unknown"),
        ("x-counter-key", "' OR 1=1 --", 401, "counter.unknown"),
        ("authorization", "Bearer abc", 401, "counter.unknown"),
    ];
    for (h, v, status, code) in cases {
        let r = s
            .client
            .get(s.url("/v1/reference"))
            .header(h, v)
            .send()
            .await
            .unwrap();
        expect_error(r, status, code).await;
    }
    let r = s
        .client
        .get(s.url("/v1/reference"))
        .header(
            "x-counter-key",
            reqwest::header::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        )
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "counter.unknown").await;
    let r = s
        .client
        .get(s.url("/v1/reference"))
        .header("x-counter-key", s.key("HA-QEH"))
        .header("authorization", "Basic Y2xlcmswMTp4")
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "auth.token_missing").await;
    // Sign-in with wrong types.
    let r = s
        .client
        .post(s.url("/v1/auth/sign-in"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(&json!({"staff_code": 12, "password": null}))
        .send()
        .await
        .unwrap();
    expect_error(r, 400, "request.malformed").await;
    let r = s
        .client
        .post(s.url("/v1/auth/sign-in"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(&json!({"staff_code": "", "password": "x"}))
        .send()
        .await
        .unwrap();
    expect_error(r, 400, "auth.staff_code_required").await;
}
