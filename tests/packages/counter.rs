//! `ehr-counter` in a clean root: installed with its dependencies, its
//! doctor says the version and "not enrolled", `remove` keeps the data
//! folder and the configuration, `purge` removes every file of the package.

use crate::root::{packages, Root};

#[test]
#[ignore = "needs root, debootstrap and Debian's mirror: scripts/test.sh runs it"]
fn the_counter_package_installs_runs_and_goes_without_taking_the_data() {
    let root = Root::get();
    let deb = root.put(&packages().counter);
    let o = root.install(&[&deb]);
    assert!(
        o.status.success(),
        "apt-get install ehr-counter: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
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
