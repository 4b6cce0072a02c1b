//! Staff accounts over HTTP with a settable clock: the lockout and its time
//! left, sessions that expire, deactivation, and a staff member's change of
//! their own password. Time is set, never slept.

// Test code: a failure here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{expect_error, Server};
use ehr_central::util::Clock;
use serde_json::{json, Value};

const T0: i64 = 1_796_100_000;

async fn sign_in(s: &Server, staff: &str, pw: &str) -> reqwest::Response {
    s.client
        .post(s.url("/v1/auth/sign-in"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(&json!({"staff_code": staff, "password": pw}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_locked_account_says_how_long_is_left_and_opens_when_the_time_has_passed() {
    let clock = Clock::settable(T0);
    let s = Server::start_with_clock(clock.clone()).await;
    for _ in 0..4 {
        expect_error(
            sign_in(&s, "clerk02", "wrong-password").await,
            401,
            "auth.invalid_credentials",
        )
        .await;
    }
    let r = sign_in(&s, "clerk02", "wrong-password").await;
    assert_eq!(r.headers()["retry-after"], "900");
    let body = expect_error(r, 429, "auth.locked").await;
    assert_eq!(body["retry_after_s"], 900);
    // Ten minutes on: five left, even for the right password.
    clock.advance(600);
    let body = expect_error(
        sign_in(&s, "clerk02", &s.password("clerk02")).await,
        429,
        "auth.locked",
    )
    .await;
    assert_eq!(body["retry_after_s"], 300);
    // Past the lock: the right password signs in.
    clock.advance(301);
    assert_eq!(
        sign_in(&s, "clerk02", &s.password("clerk02"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_lockout_follows_the_policies_in_the_reference_data() {
    let clock = Clock::settable(T0);
    let s = Server::start_with_clock(clock.clone()).await;
    s.exec(
        "UPDATE meta SET value = json_set(value, '$.max_failed_sign_ins', 2, '$.lockout_minutes', 1) \
         WHERE key = 'policies'",
    );
    let clerk = s.session("HA-QEH", "clerk01").await;
    let reference: Value = clerk
        .get("/v1/reference")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reference["policies"]["max_failed_sign_ins"], 2);
    assert_eq!(reference["policies"]["offline_sign_in_days"], 7);
    expect_error(
        sign_in(&s, "clerk03", "nope-nope-nope").await,
        401,
        "auth.invalid_credentials",
    )
    .await;
    let body = expect_error(
        sign_in(&s, "clerk03", "nope-nope-nope").await,
        429,
        "auth.locked",
    )
    .await;
    assert_eq!(body["retry_after_s"], 60);
}

#[tokio::test]
async fn a_session_past_its_time_is_expired_not_unknown() {
    let clock = Clock::settable(T0);
    let s = Server::start_with_clock(clock.clone()).await;
    let clerk = s.session("HA-QEH", "clerk01").await;
    assert_eq!(
        clerk.get("/v1/reference").send().await.unwrap().status(),
        200
    );
    clock.advance(29 * 60);
    assert_eq!(
        clerk.get("/v1/reference").send().await.unwrap().status(),
        200
    );
    clock.advance(60);
    expect_error(
        clerk.get("/v1/reference").send().await.unwrap(),
        401,
        "auth.session_expired",
    )
    .await;
    // Another sign-in meanwhile does not turn it into an unknown token.
    let _other = s.session("HA-QEH", "clerk02").await;
    expect_error(
        clerk.get("/v1/reference").send().await.unwrap(),
        401,
        "auth.session_expired",
    )
    .await;
}

#[tokio::test]
async fn a_deactivated_account_is_refused_at_once_and_listed_for_counters() {
    let s = Server::start().await;
    let clerk = s.session("HA-QEH", "clerk01").await;
    let watcher = s.session("HA-QEH", "clerk02").await;
    let before: Value = watcher
        .get("/v1/reference")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before["deactivated_staff"], json!([]));
    // The operator's command, beside the running service.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ehr-central"))
        .args(["staff", "deactivate", "clerk01", "--data-dir"])
        .arg(s.dir.path())
        .env("EHR_CENTRAL_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Once only: there is no active clerk01 any more.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_ehr-central"))
        .args(["staff", "deactivate", "clerk01", "--data-dir"])
        .arg(s.dir.path())
        .output()
        .unwrap();
    assert!(!again.status.success());
    // The session it had is refused at once, and it signs in nowhere.
    expect_error(
        clerk.get("/v1/reference").send().await.unwrap(),
        401,
        "auth.token_invalid",
    )
    .await;
    expect_error(
        sign_in(&s, "clerk01", &s.password("clerk01")).await,
        401,
        "auth.invalid_credentials",
    )
    .await;
    let after: Value = watcher
        .get("/v1/reference")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["deactivated_staff"], json!(["clerk01"]));
    assert!(after["version"].as_u64().unwrap() > before["version"].as_u64().unwrap());
}

#[tokio::test]
async fn staff_change_their_own_password_with_the_old_one() {
    let s = Server::start().await;
    let clerk = s.session("HA-QEH", "clerk01").await;
    let old = s.password("clerk01");
    let change = |old: &str, new: &str| {
        clerk
            .post("/v1/auth/password")
            .json(&json!({"old_password": old, "new_password": new}))
            .send()
    };
    let body = expect_error(
        change("wrong-password", "a-new-password-1").await.unwrap(),
        401,
        "auth.invalid_credentials",
    )
    .await;
    assert_eq!(body["field"], "old_password");
    let body = expect_error(change(&old, "short").await.unwrap(), 400, "field.format").await;
    assert_eq!(body["field"], "new_password");
    expect_error(change(&old, &old).await.unwrap(), 400, "field.format").await;
    assert_eq!(
        change(&old, "a-new-password-1").await.unwrap().status(),
        204
    );
    // The session goes on; the old password no longer signs in, the new one does.
    assert_eq!(
        clerk.get("/v1/reference").send().await.unwrap().status(),
        200
    );
    expect_error(
        sign_in(&s, "clerk01", &old).await,
        401,
        "auth.invalid_credentials",
    )
    .await;
    assert_eq!(
        sign_in(&s, "clerk01", "a-new-password-1").await.status(),
        200
    );
    // Without a session: refused.
    let r = s
        .client
        .post(s.url("/v1/auth/password"))
        .header("x-counter-key", s.key("HA-QEH"))
        .json(&json!({"old_password": "a-new-password-1", "new_password": "another-password"}))
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "auth.token_missing").await;
}
