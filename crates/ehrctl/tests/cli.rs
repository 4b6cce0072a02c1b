//! `ehrctl id check` and `ehrctl eligibility`, run as the built binary:
//! JSON on stdout and the exit status contract (0 ok, 1 refused, 2 usage).

use std::process::{Command, Output};

use serde_json::Value;

fn ehrctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ehrctl: {e}"))
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn id_check_valid_hkic() {
    let out = ehrctl(&["id", "check", "hkic", "a123456 (3)"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["valid"], true);
    assert_eq!(v["doc_type"], "hkic");
    assert_eq!(v["normalized"], "A1234563");
    assert_eq!(v["display"], "A123456(3)");
    assert_eq!(v["masked"], "A123***(3)");
    assert_eq!(v["check"], "verified");
    assert!(v.get("error").is_none());
}

#[test]
fn id_check_full_width_and_two_letters() {
    let v = json(&ehrctl(&[
        "id",
        "check",
        "hk-birth-certificate",
        "ＡＢ９８７６５４（３）",
    ]));
    assert_eq!(v["valid"], true);
    assert_eq!(v["doc_type"], "hk_birth_certificate");
    assert_eq!(v["display"], "AB987654(3)");
}

#[test]
fn id_check_refusals_have_codes_and_both_languages() {
    let cases = [
        ("hkic", "A123456(4)", "id.check_digit"),
        ("hkic", "A123456", "id.check_digit_missing"),
        ("hkic", "A12(3)", "id.format"),
        ("hkic", "  ", "id.empty"),
        ("hkic", "A123-456(3)", "id.characters"),
        ("macao_id", "A1234567", "id.format"),
    ];
    for (t, number, code) in cases {
        let out = ehrctl(&["id", "check", t, number]);
        assert_eq!(out.status.code(), Some(1), "{t} {number:?}");
        let v = json(&out);
        assert_eq!(v["valid"], false);
        assert_eq!(v["error"]["code"], code, "{t} {number:?}");
        let en = v["error"]["message_en"].as_str().unwrap();
        let zh = v["error"]["message_zh"].as_str().unwrap();
        assert!(!en.is_empty() && zh.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)));
        assert!(
            !en.contains(number.trim()) || number.trim().is_empty(),
            "message echoes input"
        );
    }
}

#[test]
fn id_check_pre_1980_birth_certificate_goes_to_a_supervisor() {
    let out = ehrctl(&[
        "id",
        "check",
        "hk_birth_certificate",
        "A123456(4)",
        "--dob",
        "1975",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["valid"], false);
    assert_eq!(v["check"], "unverified");
    assert_eq!(v["masked"], "A123***(4)");
    assert_eq!(v["error"]["code"], "id.pre_1980_override");
    assert_eq!(
        v["supervisor_override"]["code"],
        "need.supervisor.pre_1980_birth_certificate"
    );
    // Without the date of birth it is a plain refusal.
    let v = json(&ehrctl(&[
        "id",
        "check",
        "hk_birth_certificate",
        "A123456(4)",
    ]));
    assert_eq!(v["error"]["code"], "id.check_digit");
}

#[test]
fn id_check_other_types() {
    let v = json(&ehrctl(&["id", "check", "macao_id", "1234567(8)"]));
    assert_eq!(
        (v["valid"].clone(), v["masked"].clone()),
        (Value::Bool(true), "1234***(8)".into())
    );
    let v = json(&ehrctl(&["id", "check", "foreign_passport", "k1234567"]));
    assert_eq!(v["normalized"], "K1234567");
    assert_eq!(v["check"], "not_applicable");
}

#[test]
fn id_check_usage_errors_exit_2() {
    let out = ehrctl(&["id", "check", "library_card", "A123456(3)"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hkic") && err.contains("recognizance_form"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(ehrctl(&["id", "check", "hkic"]).status.code(), Some(2));
    assert_eq!(ehrctl(&["id"]).status.code(), Some(2));
    assert_eq!(
        ehrctl(&["id", "check", "hkic", "A123456(3)", "--dob", "31/02/1970"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn eligibility_child_with_parent_is_allowed_with_needs() {
    let out = ehrctl(&[
        "eligibility",
        "--dob",
        "2012-03-01",
        "--on",
        "2026-11-25",
        "--capacity",
        "capable",
        "--role",
        "sdm",
        "--relationship",
        "parent",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["allowed"], true);
    assert_eq!(v["age_branch"], "under_16");
    assert_eq!(v["sdm_tier"], "a");
    assert_eq!(v["age"]["min_years"], 14);
    assert_eq!(
        v["still_needed"][0]["what"]["code"],
        "need.patient_document_copy"
    );
    assert!(v["refusal"].is_null());
}

#[test]
fn eligibility_refusals_exit_1() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--dob",
                "2012-03-01",
                "--on",
                "2026-11-25",
                "--role",
                "self",
            ],
            "eligibility.sdm_required_under_16",
        ),
        (
            &[
                "--dob",
                "1990-01-01",
                "--on",
                "2026-11-25",
                "--role",
                "sdm",
                "--relationship",
                "family_member",
            ],
            "eligibility.sdm_needs_incapacity_ground",
        ),
        (
            &[
                "--dob",
                "1990-01-01",
                "--on",
                "2026-11-25",
                "--capacity",
                "incapable:mentally_incapacitated",
                "--role",
                "self",
            ],
            "eligibility.self_lacks_capacity",
        ),
        (
            &[
                "--dob",
                "1990-01-01",
                "--on",
                "2026-11-25",
                "--capacity",
                "incapable:unable_to_manage_affairs",
                "--role",
                "sdm",
                "--relationship",
                "parent",
            ],
            "eligibility.relationship_not_for_age",
        ),
        (
            &[
                "--dob",
                "2015-01-01",
                "--on",
                "2026-11-25",
                "--role",
                "sdm",
                "--relationship",
                "guardian",
                "--channel",
                "online",
            ],
            "eligibility.sdm_type_not_online",
        ),
    ];
    for (args, code) in cases {
        let mut all = vec!["eligibility"];
        all.extend_from_slice(args);
        let out = ehrctl(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let v = json(&out);
        assert_eq!(v["allowed"], false);
        assert_eq!(v["refusal"]["code"], *code, "{args:?}");
    }
}

#[test]
fn eligibility_turns_16_on_the_birthday() {
    let run = |on: &str| {
        ehrctl(&[
            "eligibility",
            "--dob",
            "29/02/2008",
            "--on",
            on,
            "--role",
            "self",
        ])
        .status
        .code()
    };
    assert_eq!(run("2024-02-28"), Some(1));
    assert_eq!(run("2024-02-29"), Some(0));
}

#[test]
fn eligibility_lower_tier_complete_when_declared() {
    let out = ehrctl(&[
        "eligibility",
        "--dob",
        "2015-01-01",
        "--on",
        "2026-11-25",
        "--role",
        "sdm",
        "--relationship",
        "healthcare_provider",
        "--declared-no-higher-tier",
        "--supporting-document",
        "--patient-document-copy",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["sdm_tier"], "e");
    assert_eq!(v["still_needed"], Value::Array(vec![]));
}

#[test]
fn eligibility_usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["eligibility", "--on", "2026-11-25", "--role", "self"],
        &[
            "eligibility",
            "--dob",
            "2012-02-30",
            "--on",
            "2026-11-25",
            "--role",
            "self",
        ],
        &[
            "eligibility",
            "--dob",
            "2012-03-01",
            "--on",
            "2026-11-25",
            "--role",
            "sdm",
        ],
        &[
            "eligibility",
            "--dob",
            "2012-03-01",
            "--on",
            "2026-11-25",
            "--role",
            "self",
            "--relationship",
            "parent",
        ],
        &[
            "eligibility",
            "--dob",
            "2012-03-01",
            "--on",
            "2026-11-25",
            "--role",
            "sdm",
            "--relationship",
            "uncle",
        ],
        &[
            "eligibility",
            "--dob",
            "2012-03-01",
            "--on",
            "2026-11-25",
            "--role",
            "self",
            "--capacity",
            "incapable:sleepy",
        ],
        &[
            "eligibility",
            "--dob",
            "2012-03-01",
            "--on",
            "2026-11-25",
            "--role",
            "boss",
        ],
    ];
    for args in cases {
        let out = ehrctl(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn eligibility_defaults_to_today() {
    let out = ehrctl(&["eligibility", "--dob", "1950", "--role", "self"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(json(&out)["age"]["min_years"].as_u64().unwrap() >= 75);
}
