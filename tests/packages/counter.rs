//! `ehr-counter` in a clean root: installed with its dependencies, its
//! doctor says the version and "not enrolled", `remove` keeps the data
//! folder and the configuration, `purge` removes every file of the package.

use crate::root::{package, packages, Root};

#[test]
#[ignore = "needs root, debootstrap and Debian's mirror: scripts/test.sh runs it"]
fn the_counter_package_installs_runs_and_goes_without_taking_the_data() {
    // Packaging is reproducible: the same binaries and commit give the same
    // bytes (cargo-deb with SOURCE_DATE_EPOCH from the last commit).
    let again = package(
        "0.1.0-1",
        &ehr_tests::workspace::target_dir().join("deb/again"),
    );
    for (first, second) in [
        (&packages().counter, &again.counter),
        (&packages().training, &again.training),
        (&packages().central, &again.central),
    ] {
        assert!(
            std::fs::read(first).unwrap() == std::fs::read(second).unwrap(),
            "{} is made again byte for byte",
            first.display()
        );
    }
    let root = Root::get();
    let deb = root.put(&packages().counter);
    root.install_ok(&[&deb]);
    assert_eq!(root.status("ehr-counter"), "ii");
    // What it needs at run time came with it, from Debian.
    for dep in [
        "libwebkit2gtk-4.1-0",
        "pcscd",
        "fonts-noto-cjk",
        "cups-client",
    ] {
        assert_eq!(
            root.status(dep),
            "ii",
            "{dep} is installed with ehr-counter"
        );
    }
    // Nothing of training in it.
    let files = root.files_of("ehr-counter");
    for f in [
        "/usr/bin/ehr-counter",
        "/usr/bin/ehrctl",
        "/usr/share/applications/ehr-counter.desktop",
        "/usr/share/icons/hicolor/256x256/apps/ehr-counter.png",
        "/usr/share/metainfo/dev.ehrcounter.counter.metainfo.xml",
        "/usr/share/man/man1/ehr-counter.1.gz",
        "/usr/share/man/man1/ehrctl.1.gz",
        "/etc/ehr-counter/config.toml",
    ] {
        assert!(
            files.iter().any(|x| x == f),
            "ehr-counter ships {f}: {files:?}"
        );
    }
    for f in &files {
        assert!(
            !f.contains("vcard") && !f.contains("ehr-central") && !f.contains("training"),
            "no virtual card, service or demo data in ehr-counter: {f}"
        );
    }
    let conffiles = root.ok("dpkg-query -W -f='${Conffiles}' ehr-counter");
    assert!(
        conffiles.contains("/etc/ehr-counter/config.toml"),
        "{conffiles}"
    );

    // The app's own binary loads (every library it links is there).
    let ldd = root.ok("ldd /usr/bin/ehr-counter");
    assert!(!ldd.contains("not found"), "{ldd}");
    assert!(ldd.contains("libwebkit2gtk-4.1"), "{ldd}");
    // The doctor: the version, and a counter not enrolled yet.
    let env = [("EHR_COUNTER_KEYRING", "off")];
    let doctor = root.ok_env("ehrctl doctor", &env);
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        doctor.lines().next() == Some(&format!("eHR Counter {version}")),
        "the doctor says the version first:\n{doctor}"
    );
    assert!(doctor.contains("counter not enrolled"), "{doctor}");
    assert!(
        doctor.contains("[ok  ] configuration /etc/ehr-counter/config.toml"),
        "the installed configuration file is valid:\n{doctor}"
    );
    root.ok_env("ehrctl config check", &env);

    // The window opens, from the package and what it pulled in alone: the
    // first-run screen on a virtual display (Xvfb on this machine, its
    // socket bound into the root).
    started_window(&root);

    // The counter's data: the encrypted store, made as the app makes it.
    root.ok_env("ehrctl db verify", &env);
    let data = "/root/.local/share/ehr-counter";
    let before = listing(&root, data);
    assert!(!before.is_empty(), "the store is in {data}");

    // remove: the data folder and the configuration stay.
    let o = root.sh("apt-get remove -y -q ehr-counter");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(root.status("ehr-counter"), "rc");
    assert!(!root.path("/usr/bin/ehr-counter").exists());
    assert_eq!(listing(&root, data), before, "remove keeps the data folder");
    assert!(
        root.path("/etc/ehr-counter/config.toml").exists(),
        "remove keeps the configuration"
    );

    // purge: every file of the package is gone; the user's data is theirs.
    let o = root.sh("apt-get purge -y -q ehr-counter");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        root.status("ehr-counter"),
        "",
        "dpkg no longer knows ehr-counter"
    );
    for f in &files {
        assert!(!root.path(f).exists(), "purge removed {f}");
    }
    assert!(
        !root.path("/etc/ehr-counter").exists(),
        "purge removed /etc/ehr-counter"
    );
    assert_eq!(
        listing(&root, data),
        before,
        "purge keeps the user's data folder"
    );
}

/// Starts the installed app inside the root on an Xvfb display, waits for
/// its window, saves a picture of it, and stops it.
fn started_window(root: &Root) {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let mut xvfb = ehr_tests::harness::xvfb_command()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb");
    let mut line = String::new();
    std::io::BufReader::new(xvfb.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("display number");
    let display = format!(":{}", line.trim());
    let sockets = root.path("/tmp/.X11-unix");
    std::fs::create_dir_all(&sockets).unwrap();
    let bound = Command::new("mount")
        .args(["--bind", "/tmp/.X11-unix"])
        .arg(&sockets)
        .status()
        .is_ok_and(|s| s.success());
    assert!(bound, "bind the X socket into the root");
    let mut app = Command::new("chroot")
        .arg(&root.dir)
        .args([
            "/usr/bin/env",
            "-i",
            "PATH=/usr/bin:/bin",
            "HOME=/root",
            "LANG=C.UTF-8",
        ])
        .arg(format!("DISPLAY={display}"))
        .args(["EHR_COUNTER_KEYRING=off", "/usr/bin/ehr-counter"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ehr-counter in the root");
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut opened = false;
    while Instant::now() < deadline && app.try_wait().ok().flatten().is_none() {
        let tree = Command::new("xwininfo")
            .args(["-display", &display, "-root", "-tree"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        if tree.contains("\"eHR Counter\"") {
            opened = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    if opened {
        // WebKit paints a moment after the window maps.
        std::thread::sleep(Duration::from_secs(3));
        let shot = ehr_tests::workspace::target_dir().join("e2e-screenshots/package_first_run.png");
        let _ = std::fs::create_dir_all(shot.parent().unwrap());
        let _ = Command::new("import")
            .args(["-display", &display, "-window", "root"])
            .arg(&shot)
            .status();
    }
    let exited = app.try_wait().ok().flatten();
    // chroot and env exec: the child is the app (its WebKit processes end
    // with it).
    let _ = app.kill();
    let _ = app.wait();
    let _ = Command::new("umount").arg(&sockets).status();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    assert!(
        opened,
        "the installed app opens its window in the clean root (exited: {exited:?})"
    );
}

/// The files under a folder of the root, with their sizes.
fn listing(root: &Root, dir: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let base = root.path(dir);
    let mut stack = vec![base.clone()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(m) = e.metadata() {
                let rel = p.strip_prefix(&base).unwrap_or(&p).display().to_string();
                out.push((rel, m.len()));
            }
        }
    }
    out.sort();
    out
}
