//! `ehrctl follow-up newborns` against a real ehr-central on loopback: it
//! signs in, prints CSV or a table, and a site that keeps no follow-up
//! list (a registration centre) is refused with its stable code.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ehr_tests::central::Central;
use serde_json::Value;

const HEADER: &str = "ehr_number,hospital_code,serial,registered_on,date_of_birth,days_waiting,name_en,chinese_name,parent_document_masked,contact_channel,contact_masked";

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ehrctl-follow-up-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// `ehrctl` for the counter whose data folder is `dir`: the seed's
/// counter (the Registration Office) when `seed_counter` is set, else the
/// counter enrolled in `dir`.
fn ehrctl(
    dir: &Path,
    central: &Central,
    seed_counter: bool,
    password: &str,
    args: &[&str],
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ehrctl"));
    cmd.args(args)
        .env("EHR_COUNTER_DATA_DIR", dir)
        .env("EHR_COUNTER_CONFIG", dir.with_extension("toml"))
        .env("EHR_COUNTER_KEYRING", "off")
        .env("EHR_STAFF_PASSWORD", password)
        .env_remove("EHR_TRAINING");
    if seed_counter {
        cmd.env("EHR_CENTRAL_URL", &central.url)
            .env("EHR_COUNTER_KEY", &central.counter_key);
    } else {
        cmd.env_remove("EHR_CENTRAL_URL")
            .env_remove("EHR_COUNTER_KEY");
    }
    cmd.output().expect("ehrctl runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn error_code(out: &Output) -> String {
    let v: Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        v["message_en"].as_str().is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    assert!(
        v["message_zh"].as_str().is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    v["error"].as_str().unwrap().to_owned()
}

/// A counter enrolled at `site` in a data folder of its own.
fn enrolled_at(central: &Central, site: &str) -> PathBuf {
    let dir = temp_dir(site);
    let code = central.mint_enrolment_code(site, "FOLLOW-UP-TEST").unwrap();
    let out = ehrctl(
        &dir,
        central,
        false,
        "",
        &["enrol", "--central", &central.url, "--code", &code],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    dir
}

#[test]
fn newborn_follow_up_signs_in_and_prints_csv_or_a_table_and_a_centre_is_refused() {
    let central = Central::start("ehrctl-follow-up").unwrap();
    let (clerk, password) = central.clerk.clone();
    let args = ["follow-up", "newborns", "--staff-code", &clerk];
    let csv_args = ["follow-up", "newborns", "--staff-code", &clerk, "--csv"];

    // The Registration Office sees every hospital's list: CSV with its
    // header row, every line ending CRLF.
    let ro = temp_dir("ro");
    let out = ehrctl(&ro, &central, true, &password, &csv_args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(csv.starts_with(&format!("{HEADER}\r\n")), "{csv:?}");
    assert!(csv.ends_with("\r\n"));
    assert_eq!(csv.matches('\n').count(), csv.matches("\r\n").count());

    let out = ehrctl(&ro, &central, true, &password, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("every hospital"), "{table}");
    assert!(table.contains("listed after 60 days"), "{table}");

    // A wrong password: the sign-in's code and words, exit 1, nothing listed.
    let out = ehrctl(&ro, &central, true, "not the password", &csv_args);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        error_code(&out).starts_with("auth."),
        "{}",
        text(&out.stderr)
    );

    // A birth hospital sees its own list.
    let qmh = enrolled_at(&central, "QMH");
    let out = ehrctl(&qmh, &central, false, &password, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.starts_with("newborn follow-up: QMH,"), "{table}");

    // A registration centre keeps no follow-up list.
    let centre = enrolled_at(&central, "HA-QEH");
    let out = ehrctl(&centre, &central, false, &password, &csv_args);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(error_code(&out), "auth.forbidden");

    for d in [ro, qmh, centre] {
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::remove_file(d.with_extension("toml"));
    }
}
