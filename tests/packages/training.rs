//! `ehr-counter-training` in a clean root: refused beside a counter
//! enrolled for production (and beside a production configuration); where
//! it installs, its launcher seeds the training service, enrols the
//! training counter there and runs in training mode with its own data
//! folder, never the production one.

use crate::root::{free_port, packages, Root};

#[test]
#[ignore = "needs root, debootstrap and Debian's mirror: scripts/test.sh runs it"]
fn the_training_package_refuses_a_production_counter_and_keeps_to_its_own_data() {
    let root = Root::get();
    let counter = root.put(&packages().counter);
    let training = root.put(&packages().training);
    root.install_ok(&[&counter]);

    // A counter enrolled for production in a user's data folder.
    let enrolment = "/home/clerk/.local/share/ehr-counter/enrolment.json";
    std::fs::create_dir_all(root.path("/home/clerk/.local/share/ehr-counter")).unwrap();
    std::fs::write(
        root.path(enrolment),
        r#"{"format":1,"central_url":"https://central.ehealth.example.hk","counter_id":"CTR-1"}"#,
    )
    .unwrap();
    let refused = root.install(&[&training]);
    let said = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(
        !refused.status.success(),
        "installed beside a production counter"
    );
    assert!(
        said.contains(enrolment),
        "the refusal names the enrolment: {said}"
    );
    assert!(said.contains("training-room PCs only"), "{said}");
    assert_ne!(root.status("ehr-counter-training"), "ii");
    assert!(!root.path("/usr/bin/ehr-counter-training").exists());
    root.ok("dpkg --remove ehr-counter-training >/dev/null 2>&1 || true");
    std::fs::remove_file(root.path(enrolment)).unwrap();

    // A production central service named in the configuration file.
    let config = root.path("/etc/ehr-counter/config.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{original}\ncentral_url = \"https://central.ehealth.example.hk\"\n"),
    )
    .unwrap();
    let refused = root.install(&[&training]);
    assert!(
        !refused.status.success(),
        "installed beside a production configuration"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("central_url"));
    root.ok("dpkg --remove ehr-counter-training >/dev/null 2>&1 || true");
    std::fs::write(&config, original).unwrap();

    // A training-room PC.
    root.install_ok(&[&training]);
    assert_eq!(root.status("ehr-counter-training"), "ii");
    assert_eq!(
        root.status("vsmartcard-vpcd"),
        "ii",
        "the virtual reader's driver"
    );
    let desktop =
        std::fs::read_to_string(root.path("/usr/share/applications/ehr-counter-training.desktop"))
            .unwrap();
    assert!(desktop.contains("Name=eHR Counter (training)"), "{desktop}");
    assert!(desktop.contains("Exec=ehr-counter-training"), "{desktop}");

    // The launcher, up to the window: the doctor of the training counter.
    let port = free_port().to_string();
    let env = [
        ("EHR_TRAINING_PORT", port.as_str()),
        ("EHR_COUNTER_KEYRING", "off"),
    ];
    let doctor = root.ok_env("ehr-counter-training --doctor", &env);
    assert!(doctor.contains("training mode"), "{doctor}");
    assert!(
        doctor.contains("data folder   /root/.local/share/ehr-counter-training/counter"),
        "its own data folder:\n{doctor}"
    );
    assert!(
        doctor.contains(&format!("central service http://127.0.0.1:{port}")),
        "the training service on loopback:\n{doctor}"
    );
    assert!(
        doctor.contains("at site HA-QEH"),
        "enrolled for training:\n{doctor}"
    );
    assert!(
        !root.path("/root/.local/share/ehr-counter").exists(),
        "the production data folder is never made"
    );
    assert!(root
        .path("/root/.local/share/ehr-counter-training/people/person-1.json")
        .exists());
    // Again: the same data, enrolled once, no second seeding.
    let again = root.ok_env("ehr-counter-training --doctor", &env);
    assert!(again.contains("at site HA-QEH"), "{again}");
    assert!(!again.contains("making the demo data"), "{again}");
}
