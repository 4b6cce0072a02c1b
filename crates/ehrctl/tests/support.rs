//! `ehrctl support bundle`, run as the built binary (issue #16, item 6): a
//! private .tar.gz with the doctor's report, the versions, the queue's
//! status without summaries and the logs, which ehrctl itself writes as
//! JSON lines.

use std::process::Command;

#[test]
fn a_support_bundle_holds_the_report_versions_queue_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let out = dir.path().join("bundle.tar.gz");
    let run = Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(["support", "bundle", "--out"])
        .arg(&out)
        .env("EHR_COUNTER_DATA_DIR", dir.path().join("data"))
        .env("EHR_COUNTER_CONFIG", dir.path().join("none.toml"))
        .env("EHR_COUNTER_KEYRING", "off")
        .env("EHR_LOG_DIR", &logs)
        .env("PCSCLITE_CSOCK_NAME", dir.path().join("no-such-pcscd.comm"))
        .env_remove("EHR_CENTRAL_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{text} {}",
        String::from_utf8_lossy(&run.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // ehrctl logged its own start, as one JSON record per line.
    let log = std::fs::read_to_string(logs.join("ehrctl.log")).unwrap();
    let first: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(first["fields"]["message"], "started");
    assert_eq!(first["fields"]["program"], "ehrctl");
    let list = Command::new("tar").arg("-tzf").arg(&out).output().unwrap();
    let names = String::from_utf8(list.stdout).unwrap();
    for member in [
        "ehr-counter-support/doctor.json",
        "ehr-counter-support/versions.txt",
        "ehr-counter-support/queue-status.json",
        "ehr-counter-support/logs/ehrctl.log",
    ] {
        assert!(names.lines().any(|l| l == member), "{member} in {names}");
    }
    let x = dir.path().join("x");
    std::fs::create_dir_all(&x).unwrap();
    assert!(Command::new("tar")
        .arg("-xzf")
        .arg(&out)
        .arg("-C")
        .arg(&x)
        .status()
        .unwrap()
        .success());
    let queue: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(x.join("ehr-counter-support/queue-status.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(queue["queued"], 0, "{queue}");
    assert!(!queue.to_string().contains("summary"), "{queue}");
    let doctor: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(x.join("ehr-counter-support/doctor.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doctor["version"], env!("CARGO_PKG_VERSION"));
    let versions = std::fs::read_to_string(x.join("ehr-counter-support/versions.txt")).unwrap();
    assert!(versions.starts_with(&format!("ehrctl {}\n", env!("CARGO_PKG_VERSION"))));
}
