//! `ehrctl card read` shows a person's identity to a signed-in staff member
//! only: the refusals, which come before any card reader is touched.

use std::process::{Command, Output};

use serde_json::Value;

fn ehrctl(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir().join(format!("ehrctl-card-sign-in-{}", std::process::id()));
    let mut c = Command::new(env!("CARGO_BIN_EXE_ehrctl"));
    c.args(args)
        .env_remove("EHR_CENTRAL_URL")
        .env_remove("EHR_STAFF_PASSWORD")
        .env_remove("EHR_COUNTER_KEY")
        .env_remove("EHR_IDEAS_ENDPOINT")
        .env("EHR_COUNTER_DATA_DIR", &dir)
        // No PC/SC service: a read that got that far would say so.
        .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"));
    for (k, v) in env {
        c.env(k, v);
    }
    c.output()
        .unwrap_or_else(|e| panic!("cannot run ehrctl: {e}"))
}

fn stderr_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "stderr is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn card_read_without_a_staff_code_is_refused_plainly() {
    for args in [
        &["card", "read"][..],
        &["card", "read", "--reveal", "--timeout", "1"][..],
    ] {
        let out = ehrctl(args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = stderr_json(&out);
        assert_eq!(err["error"], "auth.sign_in_required");
        assert_eq!(err["field"], "staff_code");
        assert!(err["message_zh"].as_str().unwrap().contains("登入"));
        assert!(err["hint"].as_str().unwrap().contains("--staff-code"));
    }
}

#[test]
fn card_read_signs_in_before_reading_and_says_why_it_cannot() {
    let pw = [("EHR_STAFF_PASSWORD", "pw")];
    // No central service: nobody can sign in, so nothing is read.
    let out = ehrctl(&["card", "read", "--staff-code", "clerk01"], &pw);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(stderr_json(&out)["error"], "central.not_configured");
    // A central service over plain HTTP elsewhere than this computer.
    let insecure = [
        ("EHR_STAFF_PASSWORD", "pw"),
        ("EHR_CENTRAL_URL", "http://central.example:8080"),
    ];
    let out = ehrctl(&["card", "read", "--staff-code", "clerk01"], &insecure);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    assert_eq!(err["error"], "central.insecure_url");
    assert!(err["message_en"].as_str().unwrap().contains("https://"));
    // A malformed one.
    let garbage = [
        ("EHR_STAFF_PASSWORD", "pw"),
        ("EHR_CENTRAL_URL", "central example"),
    ];
    let out = ehrctl(&["card", "read", "--staff-code", "clerk01"], &garbage);
    assert_eq!(stderr_json(&out)["error"], "central.url_invalid");
    // A bad staff code never leaves the counter.
    let out = ehrctl(&["card", "read", "--staff-code", "x"], &pw);
    assert_eq!(stderr_json(&out)["error"], "auth.staff_code_format");
}
