//! The rule crates are pure: the counter and ehr-central judge an
//! operation with the same code, so that code may do no IO and read no
//! clock (the caller passes the day and the facts).

use std::path::{Path, PathBuf};

use ehr_tests::workspace;

use crate::no_tauri_below_shell::reaching;

/// The pure crates, by folder under `crates/`.
const PURE: &[&str] = &["ehr-domain", "ehr-rules"];

/// Packages that do IO or run things: a database, a network or HTTP stack,
/// an async runtime, a card reader, a keyring, a GUI.
fn does_io(name: &str) -> bool {
    const IO: &[&str] = &[
        "rusqlite",
        "libsqlite3-sys",
        "tokio",
        "mio",
        "socket2",
        "hyper",
        "reqwest",
        "axum",
        "pcsc",
        "keyring",
        "tauri",
    ];
    IO.contains(&name) || name.starts_with("tauri-")
}

/// What pure code must not name: the clock, files, the network, the
/// environment, processes and threads.
const IMPURE_PATHS: &[&str] = &[
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "std::thread",
    "SystemTime",
    "Instant::now",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The impure paths `source` names outside comments and its `#[cfg(test)]`
/// tail, with their line numbers.
fn impure_uses(source: &str) -> Vec<(usize, &'static str)> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or_default();
        for p in IMPURE_PATHS {
            if line.contains(p) {
                found.push((i + 1, *p));
            }
        }
    }
    found
}

#[test]
fn rule_crates_reach_no_io_crate() {
    let root = workspace::root().canonicalize().unwrap();
    let metadata = workspace::cargo_metadata();
    let dirs: Vec<PathBuf> = PURE.iter().map(|c| root.join("crates").join(c)).collect();
    let offenders = reaching(
        &metadata,
        |manifest| dirs.iter().any(|d| Path::new(manifest).starts_with(d)),
        does_io,
    );
    assert!(
        offenders.is_empty(),
        "pure crates must not depend on IO crates:\n{}",
        offenders.join("\n")
    );
    // Not vacuous: ehr-central, which calls the rules, does reach them.
    let central = root.join("crates/ehr-central");
    let seen = reaching(
        &metadata,
        |manifest| Path::new(manifest).starts_with(&central),
        does_io,
    );
    assert!(
        seen.iter().any(|c| c.starts_with("ehr-central -> ")),
        "the detector must see ehr-central's IO; got {seen:?}"
    );
}

#[test]
fn rule_crates_read_no_clock_file_or_environment() {
    let root = workspace::root();
    let mut offenders = Vec::new();
    for c in PURE {
        let mut files = Vec::new();
        rust_files(&root.join("crates").join(c).join("src"), &mut files);
        assert!(!files.is_empty(), "no sources found for {c}");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            if f.ends_with("tests.rs") {
                continue;
            }
            for (line, what) in impure_uses(&text) {
                offenders.push(format!("{}:{line}: {what}", f.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "pure crates take the day and the facts from their caller:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_source_detector_finds_a_clock() {
    let src = "use std::time::SystemTime;\n// std::fs in a comment\nfn f() {}\n#[cfg(test)]\nmod tests { use std::fs; }\n";
    assert_eq!(impure_uses(src), [(1, "SystemTime")]);
}
