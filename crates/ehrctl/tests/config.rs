//! `ehrctl config check` and `ehrctl doctor` on configuration files, run as
//! the built binary (issue #16, item 3): a good file is read with where each
//! setting comes from; a malformed one is named by its line and column, the
//! command fails, and the doctor says so.

use std::process::Command;

fn ehrctl(conf: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ehrctl"));
    c.env_remove("EHR_CENTRAL_URL")
        .env_remove("EHR_LOG")
        .env_remove("EHR_PRINTER")
        .env_remove("EHR_CENTRAL_CA")
        .env("EHR_COUNTER_CONFIG", conf)
        .env_remove("EHR_TRAINING")
        .env_remove("EHR_IDEAS_ENDPOINT");
    c
}

#[test]
fn a_good_file_is_shown_with_its_sources_and_a_mistake_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("config.toml");
    std::fs::write(
        &conf,
        "# window 3\ncentral_url = \"https://central.example:8443\"\nprinter = \"Front\"\n\
         log_level = \"warn\"\nidle_lock_minutes = 3\n",
    )
    .unwrap();
    let out = ehrctl(&conf)
        .args(["config", "check"])
        .env("EHR_COUNTER_DATA_DIR", dir.path().join("data"))
        .env("EHR_LOG", "debug")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("read: {}", conf.display())),
        "{text}"
    );
    assert!(
        text.contains("central_url        https://central.example:8443 (from the file)"),
        "{text}"
    );
    assert!(
        text.contains("printer            Front (from the file)"),
        "{text}"
    );
    assert!(
        text.contains("log_level          debug (from EHR_LOG)"),
        "{text}"
    );
    assert!(
        text.contains("idle_lock_minutes  3 (from the file"),
        "{text}"
    );

    // A mistake on line 3: named, exit 1, and the doctor fails on it.
    std::fs::write(
        &conf,
        "central_url = \"https://central.example\"\n\nidle_lock_minutes = \"five\"\n",
    )
    .unwrap();
    let out = ehrctl(&conf)
        .args(["config", "check"])
        .env("EHR_COUNTER_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with(&format!("error: {}:3:21: ", conf.display())),
        "{err}"
    );
    let out = ehrctl(&conf)
        .arg("doctor")
        .env("EHR_COUNTER_DATA_DIR", dir.path().join("data"))
        .env("PCSCLITE_CSOCK_NAME", dir.path().join("no-such-pcscd.comm"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "[FAIL] configuration file cannot be used: {}:3:21:",
            conf.display()
        )),
        "{text}"
    );

    // One file checked before it is installed.
    let candidate = dir.path().join("new.toml");
    std::fs::write(&candidate, "central_ur = \"https://x.example\"\n").unwrap();
    let out = ehrctl(&conf)
        .args(["config", "check", "--file"])
        .arg(&candidate)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("new.toml:1:1: ") && err.contains("central_ur"),
        "{err}"
    );
    std::fs::write(&candidate, "printer = \"Back\"\n").unwrap();
    let out = ehrctl(&conf)
        .args(["config", "check", "--file"])
        .arg(&candidate)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("printer            Back"), "{text}");
}
