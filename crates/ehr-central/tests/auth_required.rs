//! Every endpoint that is not public needs a known counter and a staff
//! token issued at that counter, and says which is missing.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{expect_error, Server};
use reqwest::Method;

/// Every non-public route, with a request that would be valid if signed in.
const ROUTES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/v1/reference", None),
    (
        "POST",
        "/v1/applications/search",
        Some(r#"{"reference":"EHR-A-0000"}"#),
    ),
    ("GET", "/v1/applications/EHR-A-0000", None),
    (
        "POST",
        "/v1/records/search",
        Some(r#"{"ehr_number":"000000000000"}"#),
    ),
    ("POST", "/v1/batch", Some(r#"{"ops":[]}"#)),
    ("POST", "/v1/auth/sign-out", Some("{}")),
];

#[tokio::test]
async fn every_non_public_endpoint_needs_a_known_counter_and_its_own_token() {
    let s = Server::start().await;
    let at_ro = s.session("RO-HK", "clerk01").await;
    let other_key = s.key("HA-QEH");
    for (method, path, body) in ROUTES {
        let req = |key: Option<&str>, token: Option<&str>| {
            let mut r = s
                .client
                .request(Method::from_bytes(method.as_bytes()).unwrap(), s.url(path));
            if let Some(k) = key {
                r = r.header("x-counter-key", k);
            }
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            if let Some(b) = body {
                r = r.header("content-type", "application/json").body(*b);
            }
            r
        };
        let what = format!("{method} {path}");
        // No counter at all.
        let r = req(None, Some(&at_ro.token)).send().await.unwrap();
        expect_error(r, 401, "counter.unknown").await;
        // An unknown counter key.
        let r = req(Some(&"0".repeat(64)), Some(&at_ro.token))
            .send()
            .await
            .unwrap();
        expect_error(r, 401, "counter.unknown").await;
        // A known counter, no token.
        let r = req(Some(&at_ro.key), None).send().await.unwrap();
        expect_error(r, 401, "auth.token_missing").await;
        // A token that was never issued.
        let r = req(Some(&at_ro.key), Some("not-a-token"))
            .send()
            .await
            .unwrap();
        expect_error(r, 401, "auth.token_invalid").await;
        // A real token, sent from another counter.
        let r = req(Some(&other_key), Some(&at_ro.token))
            .send()
            .await
            .unwrap();
        expect_error(r, 401, "auth.token_invalid").await;
        // And with both right, the route answers (not a 401).
        let r = req(Some(&at_ro.key), Some(&at_ro.token))
            .send()
            .await
            .unwrap();
        assert_ne!(r.status().as_u16(), 401, "{what} refused a valid session");
        if *path == "/v1/auth/sign-out" {
            // Signed out: the token is gone for every route.
            let r = at_ro.get("/v1/reference").send().await.unwrap();
            expect_error(r, 401, "auth.token_invalid").await;
        }
    }
}
