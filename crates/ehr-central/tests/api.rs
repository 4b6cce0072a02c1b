//! The whole API over real HTTP on loopback.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn public_endpoints_and_json_errors() {
    let s = Server::start().await;
    let r = s.client.get(s.url("/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
    let r = s
        .client
        .get(s.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    expect_error(
        s.client.get(s.url("/v1/nope")).send().await.unwrap(),
        404,
        "request.not_found",
    )
    .await;
    expect_error(
        s.client.delete(s.url("/v1/health")).send().await.unwrap(),
        405,
        "request.method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn auth_counter_identity_sessions_and_lockout() {
    let s = Server::start().await;
    // Unknown counter.
    let r = s
        .client
        .post(s.url("/v1/auth/sign-in"))
        .header("x-counter-key", "nope")
        .json(&json!({"staff_code": "clerk01", "password": "demo-clerk-01"}))
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "counter.unknown").await;
    // Counter identity.
    let r = s
        .client
        .get(s.url("/v1/counters/me"))
        .header("x-counter-key", s.key("HA-QEH"))
        .send()
        .await
        .unwrap();
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["site"]["code"], "HA-QEH");
    assert_eq!(me["site"]["site_type"], "registration_centre");
    // No token, then a good session.
    let r = s
        .client
        .get(s.url("/v1/reference"))
        .header("x-counter-key", s.key("HA-QEH"))
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "auth.token_missing").await;
    let a = s.session("HA-QEH", "clerk01").await;
    let r = a.get("/v1/reference").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let reference: Value = r.json().await.unwrap();
    assert!(reference["version"].as_u64().unwrap() > 0);
    assert_eq!(reference["document_types"].as_array().unwrap().len(), 12);
    assert_eq!(reference["public_providers"][0]["id"], "DH");
    assert_eq!(reference["policies"]["application_expiry_days"], 180);
    // A token is bound to its counter.
    let r = s
        .client
        .get(s.url("/v1/reference"))
        .header("x-counter-key", s.key("RO-HK"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "auth.token_invalid").await;
    // Sign-out ends the session.
    assert_eq!(
        a.post("/v1/auth/sign-out").send().await.unwrap().status(),
        204
    );
    expect_error(
        a.get("/v1/reference").send().await.unwrap(),
        401,
        "auth.token_invalid",
    )
    .await;
    // Lockout after five failures; then even the right password is refused.
    let sign_in = |pw: &str| {
        s.client
            .post(s.url("/v1/auth/sign-in"))
            .header("x-counter-key", s.key("HA-QEH"))
            .json(&json!({"staff_code": "clerk02", "password": pw}))
            .send()
    };
    for _ in 0..4 {
        expect_error(
            sign_in("wrong-password").await.unwrap(),
            401,
            "auth.invalid_credentials",
        )
        .await;
    }
    let locked = sign_in("wrong-password").await.unwrap();
    assert_eq!(locked.headers()["retry-after"], "900");
    expect_error(locked, 429, "auth.locked").await;
    expect_error(sign_in("demo-clerk-02").await.unwrap(), 429, "auth.locked").await;
    // Unknown staff code: same answer as a wrong password.
    let r = s
        .client
        .post(s.url("/v1/auth/sign-in"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(&json!({"staff_code": "nobody", "password": "x"}))
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "auth.invalid_credentials").await;
}

#[tokio::test]
async fn counter_enrolment_with_a_one_time_code() {
    let s = Server::start().await;
    let (_, code) = s
        .running
        .state
        .db
        .write(|tx| ehr_central::auth::create_counter(tx, "DH-WCH", "DH-WCH-02"))
        .unwrap();
    let enrol = |c: String| {
        s.client
            .post(s.url("/v1/counters/enrol"))
            .json(&json!({"enrolment_code": c}))
            .send()
    };
    let r = enrol(code.to_lowercase()).await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let key = body["machine_key"].as_str().unwrap().to_owned();
    assert_eq!(body["counter"]["name"], "DH-WCH-02");
    let r = s
        .client
        .get(s.url("/v1/counters/me"))
        .header("x-counter-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "DH-WCH-02");
    // The same code again: used, which is not the same as unknown.
    expect_error(
        enrol(code).await.unwrap(),
        401,
        "counter.enrolment_code_used",
    )
    .await;
    expect_error(
        enrol("NOSUCHCODE12".into()).await.unwrap(),
        401,
        "counter.enrolment_code_invalid",
    )
    .await;
}

#[tokio::test]
async fn an_enrolment_code_expires_and_a_revoked_counter_is_refused() {
    let start = ehr_central::util::now_unix();
    let clock = ehr_central::util::Clock::settable(start);
    let s = Server::start_with_clock(clock.clone()).await;
    let (_, code) = s
        .running
        .state
        .db
        .write(|tx| ehr_central::auth::create_counter(tx, "DH-WCH", "DH-WCH-03"))
        .unwrap();
    // (`create_counter` dates the code by the system clock, which may have
    // moved on a second or so since `start`.)
    clock.set(start + ehr_central::auth::ENROLMENT_SECS + 120);
    let r = s
        .client
        .post(s.url("/v1/counters/enrol"))
        .json(&json!({"enrolment_code": code}))
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "counter.enrolment_code_expired").await;
    clock.set(start);

    // A signed-in counter is revoked: its key, its session and its
    // sign-offs are refused with their own code.
    let a = s.session("HA-QEH", "clerk01").await;
    let sign_off = s.sign_off_token(&a, "super01", "rk-revoked").await;
    let me: Value = a
        .get("/v1/counters/me")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = me["counter_id"].as_str().unwrap().to_owned();
    let revoked = s
        .running
        .state
        .db
        .write(|tx| ehr_central::auth::revoke_counter(tx, &id, start))
        .unwrap();
    assert!(revoked);
    expect_error(
        a.get("/v1/reference").send().await.unwrap(),
        403,
        "counter.revoked",
    )
    .await;
    expect_error(
        a.get("/v1/counters/me").send().await.unwrap(),
        403,
        "counter.revoked",
    )
    .await;
    let r = s
        .client
        .post(s.url("/v1/auth/sign-in"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(&json!({"staff_code": "clerk01", "password": s.password("clerk01")}))
        .send()
        .await
        .unwrap();
    expect_error(r, 403, "counter.revoked").await;
    assert!(!sign_off.is_empty());
    let (status, body) = s.sign_off(&a, "super01", "rk-after").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("counter.revoked"))
    );
    assert_eq!(
        s.query_i64(&format!(
            "SELECT COUNT(*) FROM sessions WHERE counter_id = '{id}'"
        )),
        0,
        "its sessions end"
    );
    assert_eq!(
        s.query_i64(&format!(
            "SELECT COUNT(*) FROM sign_offs WHERE counter_id = '{id}' AND attach_by > {start}"
        )),
        0,
        "its sign-offs can no longer be attached"
    );
    // Other counters carry on.
    let b = s.session("DH-WCH", "clerk02").await;
    assert_eq!(b.get("/v1/counters/me").send().await.unwrap().status(), 200);
    // Revoking again changes nothing.
    let again = s
        .running
        .state
        .db
        .write(|tx| ehr_central::auth::revoke_counter(tx, &id, start))
        .unwrap();
    assert!(!again);
}

#[tokio::test]
async fn application_lookups() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let reference = s.creds.sample_references[0].clone();
    let r = a
        .search_applications(json!({"reference": reference.to_lowercase()}))
        .send()
        .await
        .unwrap();
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["items"][0]["reference"], reference.as_str());
    let masked = list["items"][0]["document_number_masked"].as_str().unwrap();
    assert!(masked.contains('*'), "masked in summaries");
    let detail: Value = a
        .get(&format!("/v1/applications/{reference}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = &detail["patient"];
    // By document (as keyed, with brackets and lower case).
    let number = p["document_number"].as_str().unwrap().to_lowercase();
    let r = a
        .search_applications(json!({
            "document_type": p["document_type"],
            "document_number": number,
        }))
        .send()
        .await
        .unwrap();
    let list: Value = r.json().await.unwrap();
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["reference"] == reference.as_str()));
    // By name and date of birth.
    let r = a
        .search_applications(json!({
            "surname": p["surname"].as_str().unwrap().to_lowercase(),
            "date_of_birth": p["date_of_birth"],
        }))
        .send()
        .await
        .unwrap();
    let list: Value = r.json().await.unwrap();
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["reference"] == reference.as_str()));
    // Every lookup is audited server-side: who, where, what was returned.
    // The audit writer batches and fsyncs beside the other tests: poll for
    // up to 10 s.
    let mut audited = 0;
    for _ in 0..200 {
        audited = s.query_i64(
            "SELECT count(*) FROM audit_events WHERE staff_code = 'clerk01' \
             AND counter_id = 'CTR-DEMO-HA-QEH' AND action LIKE 'central.application_%'",
        );
        if audited >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(audited >= 4, "lookups audited: {audited}");
    // Not found, and ambiguous queries.
    expect_error(
        a.get("/v1/applications/EA0000000000").send().await.unwrap(),
        404,
        "application.not_found",
    )
    .await;
    expect_error(
        a.search_applications(json!({"reference": "X", "surname": "CHAN"}))
            .send()
            .await
            .unwrap(),
        400,
        "request.query_invalid",
    )
    .await;
    let list: Value = a
        .search_applications(json!({"reference": "EA0000000000"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // A field of the wrong type.
    expect_error(
        a.search_applications(json!({"reference": 12}))
            .send()
            .await
            .unwrap(),
        400,
        "request.malformed",
    )
    .await;
    // Searches never go in a URL: the query-string forms are gone.
    for path in [
        "/v1/applications?reference=EA0000000000",
        "/v1/records?ehr_number=000000000000",
    ] {
        expect_error(a.get(path).send().await.unwrap(), 404, "request.not_found").await;
    }
    expect_error(
        a.get("/v1/applications/search").send().await.unwrap(),
        405,
        "request.method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn walk_in_registration_takes_effect_without_revealing_the_key() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let number = hkid(123_456);
    let key = Uuid::new_v4();
    let out = a.op(key, "walkin-1", 1, walk_in(&number)).await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["kind"], "registered");
    let ehr = out["result"]["ehr_number"].as_str().unwrap().to_owned();
    // The access key is in the notification outbox only.
    let (access_key, channel, language, body): (String, String, String, String) =
        ehr_central::db::open_existing_keyed(s.dir.path())
            .unwrap()
            .query_row(
                "SELECT access_key, channel, language, body FROM notification_outbox \
                 WHERE ehr_number = ?1",
                [&ehr],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
    assert_eq!((channel.as_str(), language.as_str()), ("sms", "zh"));
    assert!(body.contains("登入密碼") && body.contains(&access_key) && body.contains(&ehr));
    assert_eq!(access_key.len(), 8);
    assert!(access_key.bytes().all(|b| b.is_ascii_digit()));
    assert!(!out.to_string().contains(&access_key));
    // The same operation again: a duplicate with the original result.
    let again = a.op(key, "walkin-1", 1, walk_in(&number)).await;
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["result"]["ehr_number"], ehr.as_str());
    // The same key with other content: refused.
    let mut other = walk_in(&number);
    other["notification"]["language"] = json!("en");
    let reused = a.op(key, "walkin-1", 1, other).await;
    assert_eq!(reused["code"], "batch.idempotency_key_reused");
    // A stale sequence for the record.
    let stale = a.op(Uuid::new_v4(), "walkin-1", 1, walk_in(&hkid(1))).await;
    assert_eq!(stale["code"], "batch.sequence_stale");
    // Registering the same person again: conflict.
    let twice = a.op(Uuid::new_v4(), "walkin-2", 1, walk_in(&number)).await;
    assert_eq!(twice["status"], "conflict");
    assert_eq!(twice["code"], "conflict.already_registered");
    assert!(twice["reason_zh"].is_string());
    // The record with its consents.
    let records: Value = a
        .search_records(json!({"document_type": "hkic", "document_number": number}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rec = &records["items"][0];
    assert_eq!(rec["ehr_number"], ehr.as_str());
    assert_eq!(rec["state"], "effective");
    assert!(rec["identifier"]["document_number_masked"]
        .as_str()
        .unwrap()
        .contains('*'));
    let consents = rec["consents"].as_array().unwrap();
    assert_eq!(consents[0]["state"], "automatic");
    let pp = consents
        .iter()
        .find(|c| c["provider_id"] == "PP-0001")
        .unwrap();
    assert_eq!(pp["state"], "given");
    assert!(pp["given_on"].is_string());
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), 1);
}

#[tokio::test]
async fn validation_failures_are_rejected_with_field_errors() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let mut op = walk_in("A123456(4)");
    op["patient"]["date_of_birth"] = json!("2999-01-01");
    let out = a.op(Uuid::new_v4(), "bad-1", 1, op).await;
    assert_eq!(out["status"], "rejected");
    let fields: Vec<(String, String)> = out["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().into(),
                f["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        fields.contains(&("patient.document_number".into(), "id.check_digit".into())),
        "{fields:?}"
    );
    assert!(!out.to_string().contains("A123456"), "no input in errors");
    // A child registering alone: the domain's eligibility refuses.
    let mut child = walk_in(&hkid(77));
    child["patient"]["date_of_birth"] = json!("2020-01-01");
    let out = a.op(Uuid::new_v4(), "bad-2", 1, child).await;
    assert_eq!(
        out["field_errors"][0]["code"],
        "eligibility.sdm_required_under_16"
    );
    // An SDM at tier d without the declaration and documents.
    let mut sdm = walk_in(&hkid(78));
    sdm["patient"]["date_of_birth"] = json!("2020-01-01");
    sdm["applicant"] = json!({"role": "sdm", "relationship": "family_member",
        "person": person(&hkid(79), "CHAN", "Siu Ming", "1970-01-01")});
    let out = a.op(Uuid::new_v4(), "bad-3", 1, sdm).await;
    let codes: Vec<&str> = out["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "need.no_higher_tier_declaration",
            "need.patient_document_copy"
        ]
    );
    // Unknown and public providers.
    let mut c = walk_in(&hkid(80));
    c["private_provider_consents"] = json!(["HA", "PP-9999"]);
    let out = a.op(Uuid::new_v4(), "bad-4", 1, c).await;
    let codes: Vec<&str> = out["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["consent.public_fixed", "field.unknown_code"]);
    // A rejection replays as the same rejection.
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), 0);
}

async fn pending_self_application(a: &Session, s: &Server) -> (String, Value) {
    for reference in &s.creds.sample_references {
        let d: Value = a
            .get(&format!("/v1/applications/{reference}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if d["summary"]["state"] == "pending" && d["applicant"]["role"] == "self" {
            return (reference.clone(), d);
        }
    }
    panic!("no pending self application among the samples");
}

#[tokio::test]
async fn activation_and_its_conflicts() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let (reference, detail) = pending_self_application(&a, &s).await;
    let activate = |presented: Value| {
        json!({"type": "activate_application", "reference": reference, "presented": presented,
            "read_source": "card"})
    };
    // A different document is refused.
    let mut other = detail["patient"].clone();
    other["document_number"] = json!(hkid(424_242));
    let out = a.op(Uuid::new_v4(), "act-0", 1, activate(other)).await;
    assert_eq!(
        out["field_errors"][0]["code"],
        "activation.different_document"
    );
    // A name difference needs a supervisor's sign-off.
    let mut differs = detail["patient"].clone();
    differs["given_names"] = json!("Someone Else");
    let out = a
        .op(Uuid::new_v4(), "act-1", 1, activate(differs.clone()))
        .await;
    assert_eq!(
        out["field_errors"][0]["code"],
        "need.supervisor.field_mismatch"
    );
    // A staff code where a sign-off goes is no sign-off at all.
    let mut signed = activate(differs.clone());
    signed["supervisor_sign_off"] = json!("super01");
    let out = a.op(Uuid::new_v4(), "act-2", 1, signed).await;
    assert_eq!(
        (out["status"].as_str(), out["code"].as_str()),
        (Some("conflict"), Some("supervisor.unverified")),
        "{out}"
    );
    // Activation with the card as applied.
    let out = a
        .op(
            Uuid::new_v4(),
            "act-3",
            1,
            activate(detail["patient"].clone()),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["settled_application"], reference.as_str());
    let out = a
        .op(
            Uuid::new_v4(),
            "act-4",
            1,
            activate(detail["patient"].clone()),
        )
        .await;
    assert_eq!(out["code"], "conflict.already_activated");
    let d: Value = a
        .get(&format!("/v1/applications/{reference}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["summary"]["state"], "activated");
    let out = a
        .op(
            Uuid::new_v4(),
            "act-5",
            1,
            json!({"type": "activate_application",
            "reference": "EA0000000000", "presented": detail["patient"], "read_source": "manual"}),
        )
        .await;
    assert_eq!(out["code"], "conflict.application_not_found");
}

#[tokio::test]
async fn expired_and_sdm_applications() {
    let s = Server::start().await;
    let a = s.session("RO-HK", "clerk01").await;
    // Key a paper application received 200 days ago: expired at once.
    let image = form_image(&a).await;
    let paper = |number: &str, received: &str| {
        json!({"type": "key_paper_application", "origin": "paper_post", "received_on": received,
            "patient": person(number, "LEE", "Ka Yan", "1975-03-04"), "capacity": "capable",
            "applicant": {"role": "self"}, "notification": sms(), "form_image": image})
    };
    let old = ehr_central::util::hk_date(ehr_central::util::now_unix())
        .unwrap()
        .add_days(-200)
        .unwrap()
        .to_string();
    let out = a
        .op(Uuid::new_v4(), "paper-1", 1, paper(&hkid(5), &old))
        .await;
    assert_eq!(out["code"], "conflict.expired");
    let recent = ehr_central::util::hk_date(ehr_central::util::now_unix())
        .unwrap()
        .add_days(-3)
        .unwrap()
        .to_string();
    let out = a
        .op(Uuid::new_v4(), "paper-2", 1, paper(&hkid(6), &recent))
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let reference = out["result"]["reference"].as_str().unwrap().to_owned();
    let list: Value = a
        .search_applications(json!({"reference": reference}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["origin"], "paper_post");
    assert_eq!(list["items"][0]["state"], "pending");
    // Paper keying is for the Registration Office only.
    let b = s.session("HA-QEH", "clerk02").await;
    let out = b
        .op(Uuid::new_v4(), "paper-3", 1, paper(&hkid(7), &recent))
        .await;
    assert_eq!(out["field_errors"][0]["code"], "auth.forbidden");
    // A private provider's centre does not take withdrawals.
    let p = s.session("PP-0001-RC", "clerk02").await;
    let out = p
        .op(
            Uuid::new_v4(),
            "pp-1",
            1,
            json!({"type": "withdraw", "ehr_number": "1", "confirmed": true}),
        )
        .await;
    assert_eq!(out["field_errors"][0]["code"], "auth.forbidden");
    // An SDM application needs the attendee's document and the patient copy.
    let sdm = json!({"type": "key_paper_application", "origin": "paper_fax", "received_on": recent,
        "patient": {"document_type": "hk_birth_certificate", "document_number": hkid(8),
            "surname": "LEE", "given_names": "Siu Ming", "date_of_birth": "2018-02-02"},
        "capacity": "capable",
        "applicant": {"role": "sdm", "relationship": "parent",
            "person": person(&hkid(9), "LEE", "Tai Man", "1985-01-01")},
        "notification": sms(), "form_image": image});
    let out = a.op(Uuid::new_v4(), "paper-4", 1, sdm).await;
    let reference = out["result"]["reference"].as_str().unwrap().to_owned();
    let d: Value = a
        .get(&format!("/v1/applications/{reference}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["applicant"]["role"], "sdm");
    let activate = json!({"type": "activate_application", "reference": reference,
        "presented": d["patient"], "read_source": "manual"});
    let out = a.op(Uuid::new_v4(), "paper-4", 2, activate.clone()).await;
    let codes: Vec<&str> = out["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["field.required", "need.patient_document_copy"]);
    let image = Uuid::new_v4();
    let up = a
        .op(
            Uuid::new_v4(),
            "img-1",
            1,
            json!({"type": "upload_document", "image_id": image,
            "kind": "patient_document_copy", "data_base64": png()}),
        )
        .await;
    assert_eq!(up["result"]["content_type"], "image/png");
    let mut ok = activate;
    ok["attendee"] = person(&hkid(9), "LEE", "Tai Man", "1985-01-01");
    ok["patient_document_copy_image"] = json!(image);
    let out = a.op(Uuid::new_v4(), "paper-4", 3, ok).await;
    assert_eq!(out["status"], "applied", "{out}");
}

#[tokio::test]
async fn consents_withdrawal_and_audit() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let out = a.op(Uuid::new_v4(), "r", 1, walk_in(&hkid(31))).await;
    let ehr = out["result"]["ehr_number"].as_str().unwrap().to_owned();
    let consent = |t: &str, ids: Value| json!({"type": t, "ehr_number": ehr, "provider_ids": ids});
    let out = a
        .op(
            Uuid::new_v4(),
            "r",
            2,
            consent("give_consent", json!(["PP-0002", "PP-0003"])),
        )
        .await;
    assert_eq!(out["status"], "applied");
    let out = a
        .op(
            Uuid::new_v4(),
            "r",
            3,
            consent("revoke_consent", json!(["PP-0002"])),
        )
        .await;
    assert_eq!(out["status"], "applied");
    let out = a
        .op(
            Uuid::new_v4(),
            "r",
            4,
            consent("revoke_consent", json!(["PP-0002"])),
        )
        .await;
    assert_eq!(out["code"], "conflict.consent_state");
    let out = a
        .op(
            Uuid::new_v4(),
            "r",
            5,
            consent("give_consent", json!(["DH"])),
        )
        .await;
    assert_eq!(out["field_errors"][0]["code"], "consent.public_fixed");
    let rec: Value = a
        .search_records(json!({"ehr_number": ehr}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = rec["items"][0]["consents"].as_array().unwrap();
    let pp2 = c.iter().find(|c| c["provider_id"] == "PP-0002").unwrap();
    assert_eq!(pp2["state"], "revoked");
    assert!(pp2["given_on"].is_string() && pp2["revoked_on"].is_string());
    // Withdrawal needs confirmation; then consents are frozen.
    let w =
        |confirmed: bool| json!({"type": "withdraw", "ehr_number": ehr, "confirmed": confirmed});
    let out = a.op(Uuid::new_v4(), "r", 6, w(false)).await;
    assert_eq!(out["field_errors"][0]["code"], "withdrawal.not_confirmed");
    assert_eq!(
        a.op(Uuid::new_v4(), "r", 7, w(true)).await["status"],
        "applied"
    );
    assert_eq!(
        a.op(Uuid::new_v4(), "r", 8, w(true)).await["code"],
        "conflict.record_withdrawn"
    );
    let out = a
        .op(
            Uuid::new_v4(),
            "r",
            9,
            consent("give_consent", json!(["PP-0004"])),
        )
        .await;
    assert_eq!(out["code"], "conflict.record_withdrawn");
    let out = a
        .op(
            Uuid::new_v4(),
            "r",
            10,
            json!({"type": "withdraw", "ehr_number": "000", "confirmed": true}),
        )
        .await;
    assert_eq!(out["code"], "conflict.record_not_found");
    // Audit events.
    let out = a
        .op(
            Uuid::new_v4(),
            "audit-1",
            1,
            json!({"type": "audit_events", "events": [
            {"at": "2026-01-01T10:00:00+08:00", "action": "id.reveal", "subject": ehr},
            {"at": "2026-01-01T10:01:00+08:00", "action": "slip.print"}]}),
        )
        .await;
    assert_eq!(out["result"]["count"], 2);
    assert_eq!(
        s.query_i64("SELECT count(*) FROM audit_events WHERE action NOT LIKE 'central.%'"),
        2
    );
    // Who did it, apart from whose session sent it.
    let out = a
        .op(
            Uuid::new_v4(),
            "audit-2",
            1,
            json!({"type": "audit_events", "events": [
            {"at": "2026-01-01T10:02:00+08:00", "action": "outbox.discard", "actor": "super01"}]}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(
        s.query_i64(
            "SELECT count(*) FROM audit_events WHERE action = 'outbox.discard' \
             AND staff_code = 'super01' AND sent_by = 'clerk01'"
        ),
        1
    );
    let out = a
        .op(
            Uuid::new_v4(),
            "audit-3",
            1,
            json!({"type": "audit_events", "events": [
            {"at": "2026-01-01T10:03:00+08:00", "action": "outbox.discard", "actor": "nobody"}]}),
        )
        .await;
    assert_eq!(out["status"], "rejected");
    assert_eq!(out["field_errors"][0]["field"], "events[0].actor");
    assert!(s.running.state.db.check().unwrap().is_empty());
}

#[tokio::test]
async fn newborn_registration_and_completion() {
    let s = Server::start().await;
    let a = s.session("QMH", "clerk01").await;
    let image = Uuid::new_v4();
    let upload = |id: Uuid, data: String| {
        json!({"type": "upload_document", "image_id": id, "kind": "birth_hospital_document",
            "data_base64": data})
    };
    assert_eq!(
        a.op(Uuid::new_v4(), "img", 1, upload(image, png())).await["status"],
        "applied"
    );
    let bad = a
        .op(
            Uuid::new_v4(),
            "img",
            2,
            upload(Uuid::new_v4(), "aGVsbG8=".into()),
        )
        .await;
    assert_eq!(bad["field_errors"][0]["code"], "document.type_not_allowed");
    let bad = a
        .op(
            Uuid::new_v4(),
            "img",
            3,
            upload(Uuid::new_v4(), "!!!".into()),
        )
        .await;
    assert_eq!(bad["field_errors"][0]["code"], "document.encoding");
    let same_id = a
        .op(
            Uuid::new_v4(),
            "img",
            4,
            upload(image, {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7 other")
            }),
        )
        .await;
    assert_eq!(same_id["code"], "conflict.image_exists");
    let today = ehr_central::util::hk_date(ehr_central::util::now_unix())
        .unwrap()
        .to_string();
    let newborn = |serial: &str| {
        json!({"type": "register_newborn", "hospital_code": "QMH", "serial": serial,
            "date_of_birth": today, "time_of_birth": "03:15", "sex": "female",
            "parent": person(&hkid(900), "WONG", "Mei Ling", "1990-01-01"),
            "relationship": "parent", "certifying_document_image": image, "notification": sms()})
    };
    let out = a.op(Uuid::new_v4(), "nb-1", 1, newborn("QMH-0001")).await;
    assert_eq!(
        out["result"]["state"], "awaiting_birth_certificate",
        "{out}"
    );
    let ehr = out["result"]["ehr_number"].as_str().unwrap().to_owned();
    let out = a.op(Uuid::new_v4(), "nb-2", 1, newborn("QMH-0001")).await;
    assert_eq!(out["code"], "conflict.birth_document_registered");
    let out = a.op(Uuid::new_v4(), "nb-3", 1, newborn("QMH-0002")).await;
    let ehr2 = out["result"]["ehr_number"].as_str().unwrap().to_owned();
    let rec: Value = a
        .search_records(json!({"hospital_code": "QMH", "serial": "qmh-0001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rec["items"][0]["given_names"], "Baby of WONG Mei Ling");
    // Completion at a Maternal and Child Health Centre.
    let m = s.session("MCHC-TKO", "clerk02").await;
    // A Maternal and Child Health Centre completes newborns but does not register them.
    let out = m.op(Uuid::new_v4(), "nb-x", 1, newborn("QMH-0009")).await;
    assert_eq!(out["field_errors"][0]["code"], "auth.forbidden");
    let cert = Uuid::new_v4();
    m.op(
        Uuid::new_v4(),
        "img",
        1,
        json!({"type": "upload_document", "image_id": cert,
        "kind": "birth_certificate", "data_base64": png()}),
    )
    .await;
    let bc = hkid(555_001);
    let complete = |ehr: &str, bc: &str| {
        json!({"type": "complete_newborn", "ehr_number": ehr, "birth_certificate_number": bc,
            "surname": "WONG", "given_names": "Hoi Ching", "chinese_name": "王凱晴",
            "certificate_image": cert})
    };
    let out = m.op(Uuid::new_v4(), "c-1", 1, complete(&ehr, &bc)).await;
    assert_eq!(out["status"], "applied", "{out}");
    let out = m.op(Uuid::new_v4(), "c-2", 1, complete(&ehr, &bc)).await;
    assert_eq!(out["code"], "conflict.not_awaiting_birth_certificate");
    let out = m.op(Uuid::new_v4(), "c-3", 1, complete(&ehr2, &bc)).await;
    assert_eq!(out["code"], "conflict.number_clash");
    let out = m
        .op(Uuid::new_v4(), "c-4", 1, complete(&ehr2, "A123456(4)"))
        .await;
    assert_eq!(out["field_errors"][0]["code"], "newborn.pre_1980_number");
    let rec: Value = m
        .search_records(json!({"document_type": "hk_birth_certificate", "document_number": bc}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rec["items"][0]["ehr_number"], ehr.as_str());
    assert_eq!(rec["items"][0]["state"], "effective");
    assert_eq!(rec["items"][0]["chinese_name"], "王凱晴");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_copies_have_one_effect() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let key = Uuid::new_v4();
    let op = walk_in(&hkid(606_060));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let a = a.clone();
        let op = op.clone();
        tasks.push(tokio::spawn(async move { a.op(key, "conc", 1, op).await }));
    }
    let mut applied = 0;
    let mut duplicate = 0;
    let mut numbers = std::collections::HashSet::new();
    for t in tasks {
        let out = t.await.unwrap();
        match out["status"].as_str().unwrap() {
            "applied" => applied += 1,
            "duplicate" => duplicate += 1,
            other => panic!("unexpected {other}: {out}"),
        }
        numbers.insert(out["result"]["ehr_number"].as_str().unwrap().to_owned());
    }
    assert_eq!((applied, duplicate, numbers.len()), (1, 49, 1));
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), 1);
    assert_eq!(s.query_i64("SELECT count(*) FROM notification_outbox"), 1);
}

#[tokio::test]
async fn offline_walk_in_settles_the_pending_application() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let (reference, detail) = pending_self_application(&a, &s).await;
    let mut op = walk_in("x");
    op["patient"] = detail["patient"].clone();
    op["private_provider_consents"] = json!([]);
    let out = a.op(Uuid::new_v4(), "offline", 1, op).await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["settled_application"], reference.as_str());
    let d: Value = a
        .get(&format!("/v1/applications/{reference}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["summary"]["state"], "activated");
}

#[tokio::test]
async fn pre_1980_birth_certificate_needs_a_supervisor() {
    let s = Server::start().await;
    let a = s.session("HA-QEH", "clerk01").await;
    let mut op = walk_in("x");
    op["patient"] = json!({"document_type": "hk_birth_certificate", "document_number": "A123456(4)",
        "surname": "HO", "given_names": "Wing", "date_of_birth": "1975-03-04"});
    let out = a.op(Uuid::new_v4(), "old-bc", 1, op.clone()).await;
    assert_eq!(out["field_errors"][0]["field"], "supervisor_sign_off");
    assert_eq!(
        out["field_errors"][0]["code"],
        "need.supervisor.pre_1980_birth_certificate"
    );
    op["supervisor_sign_off"] = json!("super01");
    let out = a.op(Uuid::new_v4(), "old-bc", 2, op.clone()).await;
    assert_eq!(
        out["code"], "supervisor.unverified",
        "a name is no sign-off: {out}"
    );
    op["supervisor_sign_off"] = json!(s.sign_off_token(&a, "super01", "old-bc").await);
    let out = a.op(Uuid::new_v4(), "old-bc", 3, op.clone()).await;
    assert_eq!(out["status"], "applied", "{out}");
    let rec: Value = a
        .search_records(json!({
            "document_type": "hk_birth_certificate",
            "document_number": "A123456(4)",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        rec["items"][0]["identifier"]["document_number_masked"],
        "A123***(4)"
    );
    // Born in 1980 or later: the check digit is not waived, even with a
    // (new: each sign-off is used once) sign-off.
    op["patient"]["date_of_birth"] = json!("1985-03-04");
    op["patient"]["document_number"] = json!("A123457(4)");
    op["supervisor_sign_off"] = json!(s.sign_off_token(&a, "super01", "old-bc").await);
    let out = a.op(Uuid::new_v4(), "old-bc", 4, op).await;
    assert_eq!(out["field_errors"][0]["code"], "id.check_digit");
}
