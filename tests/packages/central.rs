//! `ehr-central` in a clean root: the package makes the database key and
//! enables its unit; the unit's own command lines (as installed) create,
//! check and serve the database over TLS from systemd's credentials folder;
//! a backup of the running service passes `check`; removing the package
//! keeps the database and its key.
//!
//! systemd is not PID 1 here, so the unit is not started by systemd: its
//! ExecStartPre and ExecStart lines run inside the root as systemd would
//! run them (the credentials folder, the state folder), and
//! `systemd-analyze verify` checks the installed unit's sandbox settings.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::root::{free_port, packages, Root};

#[test]
#[ignore = "needs root, debootstrap and Debian's mirror: scripts/test.sh runs it"]
fn the_central_package_installs_its_unit_serves_backs_up_and_keeps_its_database() {
    let root = Root::get();
    let deb = root.put(&packages().central);
    root.install_ok(&[&deb]);
    assert_eq!(root.status("ehr-central"), "ii");

    // postinst: the database key (64 hex digits, root only) and the TLS folder.
    use std::os::unix::fs::PermissionsExt;
    let key_path = root.path("/etc/ehr-central/ehr-central.key");
    let key = std::fs::read_to_string(&key_path).expect("postinst made the database key");
    assert!(
        key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()),
        "the key is 64 hex digits"
    );
    let mode = |p: &str| {
        std::fs::metadata(root.path(p))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    };
    assert_eq!(mode("/etc/ehr-central/ehr-central.key"), 0o600);
    assert_eq!(mode("/etc/ehr-central/tls"), 0o700);
    // A second configure keeps the key (a new one would lose the database).
    root.ok("dpkg-reconfigure ehr-central || dpkg --configure -a");
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), key);

    // The unit, installed and enabled (not started: no TLS pair yet).
    let unit_path = "/usr/lib/systemd/system/ehr-central.service";
    let unit = std::fs::read_to_string(root.path(unit_path)).expect("the unit is installed");
    let wants = root.path("/etc/systemd/system/multi-user.target.wants/ehr-central.service");
    assert!(
        std::fs::symlink_metadata(&wants).is_ok(),
        "the unit is enabled (multi-user.target.wants)"
    );
    for directive in [
        "DynamicUser=yes",
        "StateDirectory=ehr-central",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "LoadCredential=ehr-central.key:/etc/ehr-central/ehr-central.key",
    ] {
        assert!(
            unit.contains(directive),
            "the installed unit has {directive}"
        );
    }
    let verify = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(format!("--root={}", root.dir.display()))
        .arg(unit_path)
        .output()
        .expect("systemd-analyze");
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "systemd-analyze verify on the installed unit: {}",
        String::from_utf8_lossy(&verify.stderr)
    );

    // The administrator's TLS pair; systemd's credentials folder as
    // LoadCredential= makes it (read-only copies).
    let tls = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert_pem = tls.cert.pem();
    std::fs::write(root.path("/etc/ehr-central/tls/cert.pem"), &cert_pem).unwrap();
    std::fs::write(
        root.path("/etc/ehr-central/tls/key.pem"),
        tls.signing_key.serialize_pem(),
    )
    .unwrap();
    let creds = "/run/credentials/ehr-central.service";
    root.ok(&format!(
        "mkdir -p {creds} && install -m 0400 /etc/ehr-central/ehr-central.key {creds}/ehr-central.key \
         && install -m 0400 /etc/ehr-central/tls/cert.pem {creds}/tls-cert.pem \
         && install -m 0400 /etc/ehr-central/tls/key.pem {creds}/tls-key.pem \
         && install -d -m 0700 /var/lib/ehr-central"
    ));
    let port = free_port();
    let lines = |key: &str| -> Vec<String> {
        unit.lines()
            .filter_map(|l| l.strip_prefix(&format!("{key}=")))
            .map(|l| {
                l.replace("${CREDENTIALS_DIRECTORY}", creds)
                    .replace("0.0.0.0:8443", &format!("127.0.0.1:{port}"))
            })
            .collect()
    };
    let env = [
        ("CREDENTIALS_DIRECTORY", creds),
        ("EHR_CENTRAL_LOG", "warn"),
    ];
    // A first start (the database is made and checked), then a restart.
    for start in ["first", "second"] {
        let pre = lines("ExecStartPre");
        assert!(pre.len() >= 2, "seed and check before each start");
        for line in &pre {
            let out = root.ok_env(line, &env);
            if line.contains(" check ") {
                assert_eq!(out.trim(), "ok", "{start} start: {line}");
            }
        }
    }
    assert!(
        !root.path("/var/lib/ehr-central/central.key").exists(),
        "the key stays out of the state folder"
    );
    let exec = lines("ExecStart");
    assert_eq!(exec.len(), 1);
    let mut serve = Command::new("chroot")
        .arg(&root.dir)
        .args(["/usr/bin/env", "-i", "PATH=/usr/bin:/bin"])
        .args(env.iter().map(|(k, v)| format!("{k}={v}")))
        .args(exec[0].split_whitespace())
        .stdout(Stdio::null())
        .spawn()
        .expect("the service starts");
    let cert_file = root.path("/etc/ehr-central/tls/cert.pem");
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        let o = Command::new("curl")
            .args(["-sS", "--max-time", "5", "--cacert"])
            .arg(&cert_file)
            .arg(format!("https://127.0.0.1:{port}/v1/health"))
            .output()
            .expect("curl");
        if o.status.success() {
            break String::from_utf8_lossy(&o.stdout).into_owned();
        }
        if Instant::now() > deadline || serve.try_wait().ok().flatten().is_some() {
            let _ = serve.kill();
            panic!(
                "the service answers /v1/health over TLS: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(health.contains("\"status\":\"ok\""), "health: {health}");

    // A backup of the running service, checked.
    let backup = root.sh_env(
        "ehr-central backup --data-dir /var/lib/ehr-central --out /var/backups/ehr-central-test \
         && ehr-central check --data-dir /var/backups/ehr-central-test",
        &env,
    );
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(
        backup.status.success()
            && String::from_utf8_lossy(&backup.stdout)
                .trim_end()
                .ends_with("ok"),
        "backup, then check on the copy: {}{}",
        String::from_utf8_lossy(&backup.stdout),
        String::from_utf8_lossy(&backup.stderr)
    );

    // Removing, even purging, keeps the database and its key.
    let files = root.files_of("ehr-central");
    let o = root.sh("apt-get purge -y -q ehr-central");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in &files {
        assert!(!root.path(f).exists(), "purge removed {f}");
    }
    assert!(
        std::fs::symlink_metadata(&wants).is_err(),
        "purge removed the unit's enablement"
    );
    assert!(
        root.path("/var/lib/ehr-central/central.sqlite3").exists(),
        "the database is kept"
    );
    assert_eq!(
        std::fs::read_to_string(&key_path).unwrap(),
        key,
        "its key is kept"
    );
}
