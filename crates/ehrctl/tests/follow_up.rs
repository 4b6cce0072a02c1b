//! `ehrctl follow-up …` against a real ehr-central on loopback: `newborns`
//! signs in, prints CSV or a table, and a site that keeps no follow-up
//! list (a registration centre) is refused with its stable code;
//! `expiring` and `turning-16` list their seeded cases for a supervisor,
//! masked, and a clerk is refused.

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

/// Today in Hong Kong, `days` days on.
fn hk_day(days: i64) -> ehr_domain::Date {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    ehr_domain::Date::from_days_since_epoch((now + 8 * 3600).div_euclid(86_400) + days).unwrap()
}

/// The CSV's rows (after the header) as fields (RFC 4180: quoted fields,
/// doubled quotes; CRLF line ends).
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = csv.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows.into_iter().skip(1).collect()
}

#[test]
fn the_supervisors_lists_sign_in_print_their_cases_masked_and_a_clerk_is_refused() {
    let central = Central::start("ehrctl-follow-up-supervisor").unwrap();
    // An application keyed from paper (at the Registration Office) 160
    // days ago: it expires within 30.
    let applicant = ehr_tests::outbox::hkid(720_001);
    let image = central.paper_form_image("RO-HK").unwrap();
    let out = central
        .batch_as(
            "RO-HK",
            serde_json::json!([{"idempotency_key": "00000000-0000-4000-8000-000000720001",
                "record_key": "paper-720001", "seq": 1,
                "op": {"type": "key_paper_application", "origin": "paper_post",
                "received_on": hk_day(0).to_string(),
                "patient": {"document_type": "hkic", "document_number": applicant,
                    "surname": "KO", "given_names": "Man Yee", "date_of_birth": "1977-02-03",
                    "sex": "female"},
                "capacity": "capable", "applicant": {"role": "self"},
                "notification": {"channel": "sms", "language": "zh", "address": "91234567"},
                "form_image": image}}]),
        )
        .unwrap();
    let reference = out[0]["result"]["reference"]
        .as_str()
        .unwrap_or_else(|| panic!("paper application: {out:?}"))
        .to_owned();
    central.backdate_application(&reference, 160).unwrap();
    // A child a parent keeps as SDM, turning 16 in 30 days.
    let turns = hk_day(30);
    let child_dob = ehr_domain::Date::new(turns.year() - 16, turns.month(), turns.day().min(28))
        .unwrap()
        .to_string();
    let child = ehr_tests::outbox::hkid(720_002);
    let parent = ehr_tests::outbox::hkid(720_003);
    let child_ehr = central
        .register_child_at(
            "HA-QEH",
            (&child, "MAK", "Tsz Yan", &child_dob),
            (&parent, "MAK", "Wing", "1980-01-01"),
        )
        .unwrap();

    let ro = temp_dir("supervisor");
    let (clerk, clerk_password) = central.clerk.clone();
    let (supervisor, password) = central.supervisor.clone();
    for list in ["expiring", "turning-16"] {
        // A clerk is refused: the service's code and words, nothing listed.
        let out = ehrctl(
            &ro,
            &central,
            true,
            &clerk_password,
            &["follow-up", list, "--staff-code", &clerk, "--csv"],
        );
        assert_eq!(out.status.code(), Some(1), "{list}: {}", text(&out.stdout));
        assert!(out.stdout.is_empty());
        assert_eq!(error_code(&out), "auth.forbidden", "{list}");
        // A wrong password: the sign-in's code.
        let out = ehrctl(
            &ro,
            &central,
            true,
            "not the password",
            &["follow-up", list, "--staff-code", &supervisor],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        assert!(error_code(&out).starts_with("auth."), "{list}");
    }

    // The expiring applications: CSV with its header, CRLF, the seeded
    // application with its document masked; soonest first.
    let out = ehrctl(
        &ro,
        &central,
        true,
        &password,
        &[
            "follow-up",
            "expiring",
            "--staff-code",
            &supervisor,
            "--csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(
        csv.starts_with("expires_on,reference,state,origin,submitted_on,applicant_role,name_en,chinese_name,date_of_birth,document_type,document_masked\r\n"),
        "{csv:?}"
    );
    assert_eq!(csv.matches('\n').count(), csv.matches("\r\n").count());
    let rows = csv_rows(&csv);
    let row = rows
        .iter()
        .find(|r| r[1] == reference)
        .unwrap_or_else(|| panic!("{reference} in {csv}"));
    assert_eq!(row[3], "paper_post");
    assert_eq!(row[5], "self");
    assert!(
        row[10].starts_with(&applicant[..4]) && row[10].contains('*'),
        "{row:?}"
    );
    assert!(!csv.contains(&applicant), "only the masked number");
    let day = |s: &str| ehr_domain::Date::parse(s).unwrap();
    for w in rows.windows(2) {
        assert!(day(&w[0][0]) <= day(&w[1][0]), "soonest first: {csv}");
    }
    let out = ehrctl(
        &ro,
        &central,
        true,
        &password,
        &["follow-up", "expiring", "--staff-code", &supervisor],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("expiring within 30 days"), "{table}");
    assert!(table.contains(&reference), "{table}");

    // The children turning 16: the seeded child, 30 days left, both
    // documents masked.
    let out = ehrctl(
        &ro,
        &central,
        true,
        &password,
        &[
            "follow-up",
            "turning-16",
            "--staff-code",
            &supervisor,
            "--csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(
        csv.starts_with("turns_16_on,days_left,ehr_number,state,name_en,chinese_name,date_of_birth,document_masked,sdm_document_masked\r\n"),
        "{csv:?}"
    );
    let rows = csv_rows(&csv);
    let row = rows
        .iter()
        .find(|r| r[2] == child_ehr)
        .unwrap_or_else(|| panic!("{child_ehr} in {csv}"));
    assert_eq!(row[1], "30", "{row:?}");
    assert_eq!(row[6], day(&child_dob).to_hk_string());
    assert!(
        row[7].starts_with(&child[..4]) && row[7].contains('*'),
        "{row:?}"
    );
    assert!(
        row[8].starts_with(&parent[..4]) && row[8].contains('*'),
        "{row:?}"
    );
    assert!(!csv.contains(&child) && !csv.contains(&parent));
    for w in rows.windows(2) {
        assert!(w[0][1].parse::<u32>().unwrap() <= w[1][1].parse::<u32>().unwrap());
    }
    let out = ehrctl(
        &ro,
        &central,
        true,
        &password,
        &["follow-up", "turning-16", "--staff-code", &supervisor],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("turning 16 within 60 days"), "{table}");
    assert!(table.contains(&child_ehr), "{table}");

    let _ = std::fs::remove_dir_all(&ro);
    let _ = std::fs::remove_file(ro.with_extension("toml"));
}
