//! Upgrades keep everything: a counter on the first package, holding a
//! queued change, a cached application and an attention item, gets a
//! second package (built with one more store migration) installed over it;
//! the three are kept, the store is migrated forward, and the queued change
//! reaches the central service afterwards.
//!
//! The counter's state is made by this build's app crate (the first
//! package's code) in the root's data folder; everything after the
//! upgrade is done by the second package's `ehrctl`, inside the root.

use std::process::Command;
use std::time::Duration;

use ehr_protocol::card::ManualIdentityRequest;
use ehr_protocol::ipc::SignInRequest;
use ehr_tests::central::Central;
use ehr_tests::outbox;
use ehr_tests::workspace;

use crate::root::{package, packages, Root};

/// The applicant the counter looks up (and caches) before the upgrade.
fn applicant(number: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("document_type", "hkic"),
        ("document_number", number),
        ("surname", "CHEUNG"),
        ("given_names", "WING YAN"),
        ("date_of_birth", "1988-02-03"),
        ("sex", "female"),
        ("capacity", "capable"),
        ("role", "self"),
        ("channel", "sms"),
        ("notice_lang", "en"),
        ("address", "91234568"),
        ("declare", "yes"),
    ]
}

/// Builds the second package: this build plus the store migration of the
/// feature `upgrade-test-migration`. The first build's binaries are built
/// again when done (the guard), so the rest of the run tests this build.
fn second_package() -> crate::root::Packages {
    /// `cargo build` of the app and ehrctl, with `features` if any.
    fn build(features: Option<&str>) -> std::process::Output {
        let mut c = Command::new("cargo");
        c.current_dir(workspace::root()).args([
            "build",
            "--locked",
            "-q",
            "-p",
            "ehr-counter",
            "-p",
            "ehrctl",
        ]);
        if let Some(f) = features {
            c.args(["--features", f]);
        }
        c.output().expect("cargo")
    }
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = build(None);
        }
    }
    let _restore = Restore;
    let o = build(Some(
        "ehr-counter/upgrade-test-migration,ehrctl/upgrade-test-migration",
    ));
    assert!(
        o.status.success(),
        "building the second package's binaries: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    package("0.1.1-1", &workspace::target_dir().join("deb/upgrade"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("JSON ({e}): {text}"))
}

#[test]
#[ignore = "needs root, debootstrap and Debian's mirror: scripts/test.sh runs it"]
fn an_upgrade_keeps_the_queue_the_cache_and_the_attention_list_and_migrates_the_store() {
    let first = packages();
    let second = second_package();
    let root = Root::get();
    let deb1 = root.put(&first.counter);
    let deb2 = root.put(&second.counter);
    root.install_ok(&[&deb1]);
    assert_eq!(
        root.ok("dpkg-query -W -f='${Version}' ehr-counter"),
        "0.1.0-1"
    );

    // The counter's day on the first package.
    let mut central = Central::start("package-upgrade").expect("ehr-central");
    let number = outbox::hkid(777);
    let reference = central
        .apply_online(&applicant(&number))
        .expect("online form");
    let data = root.path("/root/.local/share/ehr-counter");
    let (staff, password) = central.clerk.clone();
    let walk_in_number;
    {
        let app = outbox::app(&data, &central.url, &central.counter_key, 200);
        app.open_store().expect("store");
        app.sign_in(&SignInRequest {
            staff_code: staff.clone(),
            password: password.clone(),
        })
        .expect("sign in");
        // A cached application: the look-up of the applicant.
        let v = app
            .task_from_manual(&ManualIdentityRequest {
                document_type: "hkic".into(),
                document_number: number.clone(),
                surname: "CHEUNG".into(),
                given_names: "WING YAN".into(),
                chinese_name: String::new(),
                date_of_birth: "03/02/1988".into(),
                sex: "F".into(),
            })
            .expect("look-up");
        let found = v.lookup.expect("looked up").applications;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].reference, reference);
        let _ = app.task_finish();
        // An attention item: a registration the service refuses.
        let mut bad = outbox::walk_in(1);
        if let ehr_protocol::wire::batch::Operation::RegisterInPerson(r) = &mut bad.ops[0].op {
            r.patient.date_of_birth = "1990-13-45".into();
        }
        app.commit_change(&bad).expect("commit");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while app.sync_status().expect("status").attention < 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "the refusal is on the attention list"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // A queued change: the service is down.
        central.stop();
        let change = outbox::walk_in(2);
        walk_in_number = outbox::stored_number(2);
        app.commit_change(&change).expect("commit offline");
        std::thread::sleep(Duration::from_millis(300));
        let st = app.sync_status().expect("status");
        assert_eq!((st.queued, st.attention), (1, 1), "{st:?}");
    }

    // What the first package's ehrctl sees in the root.
    let url = central.url.clone();
    let env = [
        ("EHR_COUNTER_KEYRING", "off"),
        ("EHR_CENTRAL_URL", url.as_str()),
    ];
    let before = json(&root.ok_env("ehrctl db verify --json", &env));
    let schema = ehr_store::schema_version();
    assert_eq!(before["schema_version"], schema);
    assert!(
        before["rows"]["lookup_cache"].as_i64() > Some(0),
        "the look-up is cached: {before}"
    );
    let status = json(&root.ok_env("ehrctl queue status --json", &env));
    assert_eq!(
        (status["queued"].as_i64(), status["attention"].as_i64()),
        (Some(1), Some(1))
    );

    // The second package over the first.
    root.install_ok(&[&deb2]);
    assert_eq!(
        root.ok("dpkg-query -W -f='${Version}' ehr-counter"),
        "0.1.1-1"
    );
    assert!(root.path("/etc/ehr-counter/config.toml").exists());

    // The second package's ehrctl: the store migrated, nothing lost.
    let after = json(&root.ok_env("ehrctl db verify --json", &env));
    assert_eq!(after["ok"], true, "{after}");
    assert_eq!(
        after["schema_version"],
        schema + 1,
        "migrated forward: {after}"
    );
    for table in [
        "local_records",
        "outbox",
        "lookup_cache",
        "audit_log",
        "staff_verifiers",
    ] {
        assert_eq!(
            after["rows"][table], before["rows"][table],
            "{table} kept: {after}"
        );
    }
    let status = json(&root.ok_env("ehrctl queue status --json", &env));
    assert_eq!(
        (status["queued"].as_i64(), status["attention"].as_i64()),
        (Some(1), Some(1)),
        "the queued change and the attention item are kept: {status}"
    );
    assert_eq!(
        status["attention_items"][0]["code"], "request.validation",
        "{status}"
    );

    // The service is back: the queued change syncs from the new version.
    central.serve().expect("ehr-central again");
    let mut env2 = env.to_vec();
    env2.push(("EHR_STAFF_PASSWORD", password.as_str()));
    let synced = json(&root.ok_env(
        &format!("ehrctl queue sync --staff-code {staff} --wait 60"),
        &env2,
    ));
    assert_eq!(synced["drained"], true, "{synced}");
    assert_eq!(
        (synced["queued"].as_i64(), synced["attention"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(
        central
            .records_for_document("hkic", &walk_in_number)
            .expect("records"),
        1,
        "the change queued before the upgrade reached the service once"
    );
}
