//! `ehrctl --version` and `ehrctl doctor`, run as the built binary.

use std::process::Command;

fn ehrctl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ehrctl"));
    c.env_remove("EHR_CENTRAL_URL")
        .env("EHR_COUNTER_CONFIG", "/nonexistent/ehr-counter/config.toml")
        .env_remove("EHR_TRAINING")
        .env_remove("EHR_IDEAS_ENDPOINT");
    c
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ehrctl-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn version_prints_the_workspace_version() {
    let out = ehrctl().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("ehrctl {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn doctor_json_reports_data_dir_central_and_missing_pcsc_service() {
    let dir = temp_dir("json");
    let out = ehrctl()
        .args(["doctor", "--json"])
        .env("EHR_COUNTER_DATA_DIR", &dir)
        .env("EHR_CENTRAL_URL", "https://central.test:8443")
        .env("EHR_TRAINING", "1")
        // pcsc-lite's client library takes its socket from this variable:
        // pointing it nowhere makes "no PC/SC service" deterministic.
        .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["data_dir"], dir.display().to_string());
    assert_eq!(v["data_dir_writable"], true);
    assert!(dir.is_dir(), "doctor creates the data folder");
    assert_eq!(v["central_url"], "https://central.test:8443");
    assert_eq!(v["training_mode"], true);
    assert_eq!(v["pcsc"]["reachable"], false);
    assert_eq!(v["pcsc"]["error"], "pcsc.no_service");
    assert_eq!(v["pcsc"]["readers"], serde_json::json!([]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn doctor_text_names_each_problem_plainly() {
    let dir = temp_dir("text");
    std::fs::write(&dir, b"a file where the data folder should be").unwrap();
    let out = ehrctl()
        .arg("doctor")
        .env("EHR_COUNTER_DATA_DIR", dir.join("sub"))
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[FAIL] data folder"), "{text}");
    assert!(text.contains("cannot write it"), "{text}");
    assert!(
        text.contains("PC/SC service not reachable (pcsc.no_service)"),
        "{text}"
    );
    assert!(
        text.contains("central service not configured (enrol with `ehrctl enrol`"),
        "{text}"
    );
    assert!(text.contains("[FAIL] counter not enrolled"), "{text}");
    std::fs::remove_file(&dir).unwrap();
}

#[test]
fn doctor_reports_the_ideas_source_when_its_endpoint_is_set() {
    let dir = temp_dir("ideas");
    let out = ehrctl()
        .args(["doctor", "--json"])
        .env("EHR_COUNTER_DATA_DIR", &dir)
        .env("EHR_IDEAS_ENDPOINT", "https://ideas.invalid")
        .env("EHR_CENTRAL_URL", "http://central.example")
        .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["identity_source"], "ideas");
    assert_eq!(v["ideas_endpoint"], "https://ideas.invalid");
    assert_eq!(v["identity_source_error"], "ideas.unavailable");
    assert_eq!(v["central_url_error"], "central.insecure_url");
    // Which source the address comes from; the https rule holds for it.
    assert_eq!(v["central_url_source"], "environment");
    let text = ehrctl()
        .arg("doctor")
        .env("EHR_COUNTER_DATA_DIR", &dir)
        .env("EHR_IDEAS_ENDPOINT", "https://ideas.invalid")
        .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"))
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("[FAIL] identity source ideas (https://ideas.invalid) refuses every read (ideas.unavailable)"),
        "{text}"
    );
    // Without it: the open test card profile.
    let out = ehrctl()
        .args(["doctor", "--json"])
        .env("EHR_COUNTER_DATA_DIR", &dir)
        .env_remove("EHR_IDEAS_ENDPOINT")
        .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["identity_source"], "open_test_card");
    assert_eq!(v["identity_source_error"], serde_json::Value::Null);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let out = ehrctl().arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand"));
}

#[test]
fn doctor_says_the_configuration_file_names_the_central_service() {
    let dir = temp_dir("conf");
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("config.toml");
    std::fs::write(
        &conf,
        "# this counter\ncentral_url = \"https://central.example:8443\"\n",
    )
    .unwrap();
    let run = |env_url: Option<&str>| {
        let mut c = ehrctl();
        c.arg("doctor")
            .env("EHR_COUNTER_DATA_DIR", dir.join("data"))
            .env("EHR_COUNTER_CONFIG", &conf)
            .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"));
        if let Some(u) = env_url {
            c.env("EHR_CENTRAL_URL", u);
        }
        String::from_utf8(c.output().unwrap().stdout).unwrap()
    };
    let text = run(None);
    assert!(
        text.contains(&format!(
            "[ok  ] central service https://central.example:8443 (from {})",
            conf.display()
        )),
        "{text}"
    );
    // The environment wins over the file.
    let text = run(Some("https://other.example"));
    assert!(
        text.contains("central service https://other.example (from EHR_CENTRAL_URL)"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn doctor_says_when_it_cannot_ask_cups_about_its_spool() {
    let dir = temp_dir("cups-down");
    let run = |json: bool| {
        let mut c = ehrctl();
        c.arg("doctor")
            .env("EHR_COUNTER_DATA_DIR", &dir)
            .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"))
            .env("CUPS_SERVER", dir.join("no-such-cupsd.sock"));
        if json {
            c.arg("--json");
        }
        String::from_utf8(c.output().unwrap().stdout).unwrap()
    };
    let text = run(false);
    assert!(
        text.contains(
            "[FAIL] printing: cannot tell whether CUPS keeps printed slips (print.cups_unavailable)"
        ),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
    assert_eq!(v["print_spool"]["error"], "print.cups_unavailable");
    assert_eq!(
        v["print_spool"]["preserves_job_files"],
        serde_json::Value::Null
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn doctor_warns_when_cups_keeps_printed_slips_in_its_spool() {
    use ehr_print::testing::{Options, PrivateCupsd};
    let dir = temp_dir("cups-spool");
    for (preserve, line) in [
        (
            true,
            "[FAIL] printing: CUPS keeps printed slips (personal data) in its spool after printing (its default keeps them a day): run `sudo cupsctl PreserveJobFiles=No`",
        ),
        (false, "[ok  ] printing: CUPS deletes each printed slip from its spool"),
    ] {
        // A private cupsd (root only; fails, not skips, without it).
        let cupsd = PrivateCupsd::start_with(Options {
            preserve_job_files: preserve,
        })
        .unwrap_or_else(|e| panic!("cannot start a private cupsd for this test: {e}"));
        let run = |json: bool| {
            let mut c = ehrctl();
            c.arg("doctor")
                .env("EHR_COUNTER_DATA_DIR", &dir)
                .env("PCSCLITE_CSOCK_NAME", dir.join("no-such-pcscd.comm"))
                .env("CUPS_SERVER", cupsd.socket())
                .env("CUPS_SERVERROOT", cupsd.server_root());
            if json {
                c.arg("--json");
            }
            String::from_utf8(c.output().unwrap().stdout).unwrap()
        };
        let text = run(false);
        assert!(text.contains(line), "{text}");
        let v: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
        assert_eq!(v["print_spool"]["preserves_job_files"], preserve);
        assert_eq!(v["print_spool"]["error"], serde_json::Value::Null);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
