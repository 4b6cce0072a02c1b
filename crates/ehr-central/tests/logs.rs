//! No personal data in the service's logs, even at trace level.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;
use uuid::Uuid;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_no_personal_data() {
    let buf = Buffer::default();
    let writer = buf.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "ehr_central=trace,tower_http=trace,axum=trace",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let number = hkid(314_159);
    let mut op = walk_in(&number);
    op["patient"]["surname"] = json!("TSANGSECRET");
    let out = a.op(Uuid::new_v4(), "log-1", 1, op.clone()).await;
    assert_eq!(out["status"], "applied", "{out}");
    // A rejection, a conflict, lookups with personal data in the query.
    op["patient"]["document_number"] = json!("A123456(4)");
    a.op(Uuid::new_v4(), "log-2", 1, op).await;
    a.op(Uuid::new_v4(), "log-3", 1, walk_in(&number)).await;
    let r = a
        .search_applications(json!({"surname": "TSANGSECRET", "date_of_birth": "1980-05-06"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    a.search_records(json!({"document_type": "hkic", "document_number": number}))
        .send()
        .await
        .unwrap();
    // The old query-string searches are gone, and what a client still puts
    // in a URL reaches no log line.
    for path in ["/v1/applications", "/v1/records"] {
        let r = a
            .get(path)
            .query(&[
                ("document_type", "hkic"),
                ("document_number", number.as_str()),
                ("surname", "QUERYSECRET"),
            ])
            .send()
            .await
            .unwrap();
        expect_error(r, 404, "request.not_found").await;
    }
    // A failed sign-in with the password in the body.
    s.client
        .post(s.url("/v1/auth/sign-in"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(&json!({"staff_code": "clerk03", "password": "PASSWORDSECRET"}))
        .send()
        .await
        .unwrap();
    let access_key: String = ehr_central::db::open_existing_keyed(s.dir.path())
        .unwrap()
        .query_row("SELECT access_key FROM notification_outbox", [], |r| {
            r.get(0)
        })
        .unwrap();
    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("route=\"/v1/batch\""),
        "requests are logged: {logs}"
    );
    assert!(
        logs.contains("route=\"unmatched\"") && logs.contains("route=\"/v1/records/search\""),
        "the searches and the refused GETs are logged, by route only: {logs}"
    );
    let plain = number.replace(['(', ')'], "");
    for secret in [
        plain.as_str(),
        &number[..7],
        "TSANGSECRET",
        "QUERYSECRET",
        "Tai Man",
        "PASSWORDSECRET",
        "91234567",
        access_key.as_str(),
        &a.token,
    ] {
        assert!(!logs.contains(secret), "{secret} in logs");
    }
}
