//! The OpenAPI document matches the routes, both ways.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(*m).is_some() {
                out.insert((m.to_string(), path.clone()));
            }
        }
    }
    out
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    out.push(v.as_str().unwrap().to_owned());
                }
                refs(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn document_and_routes_agree() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let doc: Value = s
        .client
        .get(s.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // The document served is the one built from the code.
    assert_eq!(
        doc,
        serde_json::to_value(ehr_central::api::openapi()).unwrap()
    );
    let ops = documented(&doc);
    let want: BTreeSet<(String, String)> = [
        ("get", "/v1/health"),
        ("post", "/v1/counters/enrol"),
        ("get", "/v1/counters/me"),
        ("post", "/v1/auth/sign-in"),
        ("post", "/v1/auth/sign-out"),
        ("post", "/v1/auth/sign-off"),
        ("post", "/v1/auth/password"),
        ("get", "/v1/reference"),
        ("post", "/v1/applications/search"),
        ("get", "/v1/applications/{reference}"),
        ("post", "/v1/records/search"),
        ("get", "/v1/follow-up/newborns"),
        ("get", "/v1/follow-up/expiring-applications"),
        ("get", "/v1/follow-up/turning-16"),
        ("get", "/v1/work-items"),
        ("get", "/v1/work-items/{id}"),
        ("post", "/v1/batch"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(ops, want);
    // Every documented operation is routed, and no other method is.
    for (path, _) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{reference}", "EA0000000000");
        for m in METHODS {
            let method = reqwest::Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            let r = a
                .client
                .request(method, format!("{}{concrete}", a.base))
                .header("x-counter-key", &a.key)
                .bearer_auth(&a.token)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let routed = !matches!(
                body["code"].as_str(),
                Some("request.not_found" | "request.method_not_allowed")
            );
            assert_eq!(
                routed,
                ops.contains(&(m.to_string(), path.clone())),
                "{m} {path}: {status} {body}"
            );
            assert!(status < 500, "{m} {path}: {status}");
        }
    }
    // Undocumented paths are not routed (the document itself aside).
    for p in [
        "/v1",
        "/v1/staff",
        // Searches by number or name take a body, never a query string.
        "/v1/applications?document_type=hkic&document_number=A1234563",
        "/v1/records?document_type=hkic&document_number=A1234563",
        "/v1/applications/x/y",
        "/v1/records/1",
        "/v2/health",
    ] {
        let r = a.get(p).send().await.unwrap();
        assert_eq!(r.status(), 404, "{p}");
    }
    // Every reference resolves, and every operation documents its errors.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap();
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} dangles"
        );
    }
    for (m, p) in &ops {
        let responses = &doc["paths"][p][m]["responses"];
        if p != "/v1/health" {
            assert!(responses.get("4XX").is_some(), "{m} {p} documents 4XX");
        }
    }
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["BatchRequest"]["properties"]["ops"]["maxItems"],
        200
    );
    assert_eq!(schemas["BatchOp"]["properties"]["seq"]["minimum"], 1);
    let op_types = schemas["Operation"]["oneOf"].as_array().unwrap().len();
    assert_eq!(op_types, 15, "every operation type is documented");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["counter_key"]["name"], "X-Counter-Key");
}
