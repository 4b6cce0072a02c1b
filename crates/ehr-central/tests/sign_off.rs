//! A supervisor's sign-off is a credential, not a name: the supervisor's own
//! staff code and password give a token bound to the counter, the record
//! and the reason; the batch accepts nothing else, and every sign-off is
//! audited with both staff codes.

mod common;

use common::{expect_error, Server};
use serde_json::{json, Value};
use uuid::Uuid;

/// A walk-in whose pre-1980 birth certificate number fails its check digit:
/// it needs a supervisor's sign-off.
fn old_certificate(n: u32) -> Value {
    let mut op = common::walk_in("x");
    op["patient"] = json!({"document_type": "hk_birth_certificate",
        "document_number": format!("A{:06}(4)", 100_000 + n), "surname": "HO",
        "given_names": "Wing", "date_of_birth": "1975-03-04"});
    op
}

#[tokio::test]
async fn a_clerk_can_no_longer_claim_a_supervisor() {
    let s = Server::start().await;
    let clerk = s.session("HA-QEH", "clerk01").await;
    let before = s.query_i64("SELECT count(*) FROM records");
    // Naming a supervisor, naming oneself, a made-up token: all unverified,
    // and nothing is registered.
    for claim in ["super01", "clerk01", "bm90IGEgdG9rZW4"] {
        let mut op = old_certificate(1);
        op["supervisor_sign_off"] = json!(claim);
        let out = clerk
            .op(Uuid::new_v4(), &format!("claim-{claim}"), 1, op)
            .await;
        assert_eq!(
            (out["status"].as_str(), out["code"].as_str()),
            (Some("conflict"), Some("supervisor.unverified")),
            "{claim}: {out}"
        );
        assert!(out["reason_zh"].as_str().is_some_and(|r| !r.is_empty()));
    }
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), before);
    // A clerk's own password does not make them a supervisor.
    let (status, body) = s.sign_off(&clerk, "clerk02", "claim").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("supervisor.unknown")),
        "{body}"
    );
    // The supervisor's code with a wrong password is refused, and counts
    // towards the lockout like a failed sign-in.
    for expected in [(401, "auth.invalid_credentials"); 4]
        .into_iter()
        .chain([(429, "auth.locked")])
    {
        let r = clerk
            .post("/v1/auth/sign-off")
            .json(
                &json!({"staff_code": "super01", "password": "not-the-password",
                "record_key": "claim", "reason": "x"}),
            )
            .send()
            .await
            .unwrap();
        expect_error(r, expected.0, expected.1).await;
    }
    let (status, body) = s.sign_off(&clerk, "super01", "claim").await;
    assert_eq!((status, body["code"].as_str()), (429, Some("auth.locked")));
}

#[tokio::test]
async fn a_sign_off_is_bound_to_its_counter_and_record_and_audited_with_both_staff_codes() {
    let s = Server::start().await;
    let clerk = s.session("HA-QEH", "clerk01").await;
    let (status, body) = s.sign_off(&clerk, "super01", "walkin-7").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["supervisor"], "super01");
    assert!(body["attach_within_seconds"]
        .as_u64()
        .is_some_and(|t| t > 0 && t <= 3600));
    let token = body["token"].as_str().unwrap().to_owned();
    // Nothing but the token's hash is kept: its SHA-256 is the row's key,
    // and no column of any row holds the token itself.
    let hash: String = {
        use sha2::Digest;
        sha2::Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM sign_offs WHERE token_hash = x'{hash}'"
        )),
        1
    );
    assert_eq!(
        s.query_i64(&format!(
            "SELECT count(*) FROM sign_offs WHERE instr(counter_id || record_key || reason \
             || supervisor || asked_by || hex(token_hash), '{token}') > 0"
        )),
        0
    );
    // Another record of this counter: refused.
    let mut op = old_certificate(2);
    op["supervisor_sign_off"] = json!(token);
    let out = clerk.op(Uuid::new_v4(), "walkin-8", 1, op.clone()).await;
    assert_eq!(out["code"], "supervisor.unverified", "{out}");
    // The same record key at another counter: refused.
    let elsewhere = s.session("RO-HK", "clerk02").await;
    let out = elsewhere
        .op(Uuid::new_v4(), "walkin-7", 1, op.clone())
        .await;
    assert_eq!(out["code"], "supervisor.unverified", "{out}");
    // Its own record, at its own counter: applied, even after the time to
    // attach it has passed (the counter attached it in time; the operation
    // may sync days later).
    s.exec("UPDATE sign_offs SET attach_by = 0");
    let key = Uuid::new_v4();
    let out = clerk.op(key, "walkin-7", 1, op.clone()).await;
    assert_eq!(out["status"], "applied", "{out}");
    // The same operation again under its key: the stored answer.
    let again = clerk.op(key, "walkin-7", 1, op.clone()).await;
    assert_eq!(again["status"], "duplicate", "{again}");
    // One sign-off, one operation: a second operation of the record (or a
    // second person under the same record key) cannot use it again.
    op["patient"]["document_number"] = json!("A100003(4)");
    let out = clerk.op(Uuid::new_v4(), "walkin-7", 2, op).await;
    assert_eq!(out["code"], "supervisor.unverified", "{out}");
    for action in ["supervisor.sign_off_given", "supervisor.sign_off_used"] {
        assert_eq!(
            s.query_i64(&format!(
                "SELECT count(*) FROM audit_events WHERE action = '{action}' \
                 AND staff_code = 'super01' AND sent_by = 'clerk01' AND subject = 'walkin-7'"
            )),
            1,
            "{action}"
        );
    }
}

#[tokio::test]
async fn a_supervisor_cannot_sign_off_their_own_work_and_the_request_is_checked() {
    let s = Server::start().await;
    let sup = s.session("HA-QEH", "super01").await;
    let (status, body) = s.sign_off(&sup, "super01", "r1").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("supervisor.self_sign_off"))
    );
    let clerk = s.session("HA-QEH", "clerk01").await;
    for (record_key, reason, field) in [
        ("bad key!", "x", "record_key"),
        ("", "x", "record_key"),
        ("r1", "  ", "reason"),
        ("r1", &"x".repeat(201), "reason"),
        ("r1", "line\nbreak", "reason"),
    ] {
        let r = clerk
            .post("/v1/auth/sign-off")
            .json(
                &json!({"staff_code": "super01", "password": s.password("super01"),
                "record_key": record_key, "reason": reason}),
            )
            .send()
            .await
            .unwrap();
        let body = expect_error(
            r,
            400,
            if field == "reason" && reason.trim().is_empty() {
                "field.required"
            } else {
                "field.format"
            },
        )
        .await;
        assert_eq!(body["field"], field);
    }
    // Without the clerk's session there is no sign-off.
    let r = s
        .client
        .post(s.url("/v1/auth/sign-off"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(
            &json!({"staff_code": "super01", "password": s.password("super01"),
            "record_key": "r1", "reason": "x"}),
        )
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "auth.token_missing").await;
}
