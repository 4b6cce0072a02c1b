//! The test harness: a real server on loopback over a temporary data
//! directory seeded with the demo data.

#![allow(dead_code)]
// Test support: a failure here is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use ehr_central::seed::DemoCredentials;
use ehr_central::Running;
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;

/// A seeded template data directory, built once per test binary (argon2
/// hashing of the demo passwords is slow in debug builds).
fn template() -> (&'static std::path::Path, &'static DemoCredentials) {
    static T: OnceLock<(tempfile::TempDir, DemoCredentials)> = OnceLock::new();
    let (dir, creds) = T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = ehr_central::db::Db::open(dir.path()).unwrap();
        let creds = ehr_central::seed::demo(&db, dir.path(), 7, 60).unwrap();
        drop(db);
        (dir, creds)
    });
    (dir.path(), creds)
}

/// A running server with its own copy of the seeded data.
pub struct Server {
    pub running: Running,
    pub dir: tempfile::TempDir,
    pub creds: DemoCredentials,
    pub client: Client,
}

impl Server {
    pub async fn start() -> Server {
        Server::start_with_clock(ehr_central::util::Clock::system()).await
    }

    /// A server whose request handling reads `clock` (a settable clock: the
    /// test sets the time instead of sleeping).
    pub async fn start_with_clock(clock: ehr_central::util::Clock) -> Server {
        let (tpl, creds) = template();
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(tpl).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
        let state = ehr_central::open_with_clock(dir.path(), clock).unwrap();
        let running = ehr_central::spawn_http(state, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        // reqwest may be built with rustls and no provider (feature unification with
        // the counter app): install ring, as every client in the workspace does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Server {
            running,
            dir,
            creds: creds.clone(),
            client: Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    /// The machine key of the demo counter at `site`.
    pub fn key(&self, site: &str) -> String {
        self.creds
            .counters
            .iter()
            .find(|c| c.site_code == site)
            .unwrap()
            .machine_key
            .clone()
    }

    /// Signs `staff` in at the counter of `site`.
    pub async fn session(&self, site: &str, staff: &str) -> Session {
        let key = self.key(site);
        let password = self
            .creds
            .staff
            .iter()
            .find(|s| s.staff_code == staff)
            .unwrap()
            .password
            .clone();
        let r = self
            .client
            .post(self.url("/v1/auth/sign-in"))
            .header("x-counter-key", &key)
            .json(&serde_json::json!({"staff_code": staff, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "sign-in");
        let body: Value = r.json().await.unwrap();
        Session {
            base: self.running.url(),
            key,
            token: body["token"].as_str().unwrap().to_owned(),
            client: self.client.clone(),
        }
    }

    /// The demo password of `staff`.
    pub fn password(&self, staff: &str) -> String {
        self.creds
            .staff
            .iter()
            .find(|s| s.staff_code == staff)
            .unwrap()
            .password
            .clone()
    }

    /// `supervisor` signs off `record_key` at the counter of `session`:
    /// the answer (a token, or an error body) and its status.
    pub async fn sign_off(
        &self,
        session: &Session,
        supervisor: &str,
        record_key: &str,
    ) -> (u16, Value) {
        let r = session
            .post("/v1/auth/sign-off")
            .json(&serde_json::json!({
                "staff_code": supervisor,
                "password": self.password(supervisor),
                "record_key": record_key,
                "reason": "pre-1980 birth certificate check digit"
            }))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// A sign-off token from `supervisor` for `record_key` at `session`'s counter.
    pub async fn sign_off_token(
        &self,
        session: &Session,
        supervisor: &str,
        record_key: &str,
    ) -> String {
        let (status, body) = self.sign_off(session, supervisor, record_key).await;
        assert_eq!(status, 200, "sign-off: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// Runs SQL that changes the service's database (what time or an
    /// operator would have done).
    pub fn exec(&self, sql: &str) {
        rusqlite_conn(self.dir.path()).execute_batch(sql).unwrap();
    }

    /// Runs SQL against the service's database (a read).
    pub fn query_i64(&self, sql: &str) -> i64 {
        let conn = rusqlite_conn(self.dir.path());
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

fn rusqlite_conn(dir: &std::path::Path) -> rusqlite::Connection {
    ehr_central::db::open_existing_keyed(dir).unwrap()
}

/// A signed-in staff session at a counter.
#[derive(Clone)]
pub struct Session {
    pub base: String,
    pub key: String,
    pub token: String,
    pub client: Client,
}

impl Session {
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .header("x-counter-key", &self.key)
            .bearer_auth(&self.token)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .header("x-counter-key", &self.key)
            .bearer_auth(&self.token)
    }

    /// `POST /v1/applications/search` with `body` (the search's fields).
    pub fn search_applications(&self, body: Value) -> RequestBuilder {
        self.post("/v1/applications/search").json(&body)
    }

    /// `POST /v1/records/search` with `body` (the search's fields).
    pub fn search_records(&self, body: Value) -> RequestBuilder {
        self.post("/v1/records/search").json(&body)
    }

    /// Sends one batch and returns the results array.
    pub async fn batch(&self, ops: Value) -> Vec<Value> {
        let r = self
            .post("/v1/batch")
            .json(&serde_json::json!({"ops": ops}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, 200, "batch: {body}");
        body["results"].as_array().unwrap().clone()
    }

    /// Sends one operation and returns its outcome.
    pub async fn op(&self, key: uuid::Uuid, record_key: &str, seq: u64, op: Value) -> Value {
        let results = self
            .batch(serde_json::json!([{
                "idempotency_key": key, "record_key": record_key, "seq": seq, "op": op
            }]))
            .await;
        results[0]["outcome"].clone()
    }
}

/// Asserts an error response's status and code; returns the body.
pub async fn expect_error(r: Response, status: u16, code: &str) -> Value {
    let got = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(
        (got, body["code"].as_str().unwrap_or("")),
        (status, code),
        "{body}"
    );
    assert!(body["message_en"].is_string() && body["message_zh"].is_string());
    body
}

/// A valid HKIC person.
pub fn person(number: &str, surname: &str, given: &str, dob: &str) -> Value {
    serde_json::json!({
        "document_type": "hkic",
        "document_number": number,
        "surname": surname,
        "given_names": given,
        "chinese_name": "陳大文",
        "date_of_birth": dob,
        "sex": "male"
    })
}

/// A fresh valid HKID number.
pub fn hkid(n: u32) -> String {
    let id = format!("Z{:06}", n % 1_000_000);
    let c = ehr_domain::id::hkid_check_char(&id).unwrap();
    format!("{id}({c})")
}

pub fn sms() -> Value {
    serde_json::json!({"channel": "sms", "language": "zh", "address": "91234567"})
}

pub fn walk_in(number: &str) -> Value {
    serde_json::json!({
        "type": "register_in_person",
        "patient": person(number, "CHAN", "Tai Man", "1980-05-06"),
        "capacity": "capable",
        "applicant": {"role": "self"},
        "notification": sms(),
        "private_provider_consents": ["PP-0001"]
    })
}

pub fn png() -> String {
    use base64::Engine as _;
    let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
    data.extend_from_slice(&[0u8; 64]);
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// A request's status and JSON body.
pub async fn json_of(r: RequestBuilder) -> (u16, Value) {
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// A paper form's image uploaded by `a`; its id.
pub async fn form_image(a: &Session) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    let out = a
        .op(
            uuid::Uuid::new_v4(),
            &format!("img-{id}"),
            1,
            serde_json::json!({"type": "upload_document", "image_id": id,
                "kind": "paper_form", "data_base64": png()}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    id
}
