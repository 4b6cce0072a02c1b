//! No personal data in the logs (issue #16, item 6): after the end-to-end
//! suite, every structured log the built app wrote (one folder per run under
//! `target/e2e-logs/app/`) is scanned for every name, document number and
//! contact the suite seeded, as the e2e sources spell them. Run by the test
//! command after the suite (`cargo test -p ehr-tests --test log_scan --
//! --ignored`); ignored in a plain `cargo test`, which runs it before the
//! suite has written anything.

use std::path::{Path, PathBuf};

/// What the e2e sources seed: `Person::adult("P100001", "CHAN", "SIU WAI",
/// ...)` and `Person::child(...)` (the number from its head, with every
/// check character tried), and the contacts typed (`"91234567"`, emails).
fn seeded(e2e: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(e2e).expect("e2e sources") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        for call in ["Person::adult(", "Person::child("] {
            for part in text.split(call).skip(1) {
                let args: Vec<&str> = part
                    .split(')')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|a| a.trim().trim_matches('"'))
                    .collect();
                let [head, surname, given, ..] = args[..] else {
                    continue;
                };
                for c in "0123456789A".chars() {
                    out.push(format!("{head}{c}"));
                    out.push(format!("{head}({c})"));
                }
                // Short surnames (HO, NG) are too common as letters to
                // scan alone; with the given names they are not.
                if surname.len() >= 3 {
                    out.push(surname.to_owned());
                }
                out.push(given.to_owned());
                out.push(format!("{surname}, {given}"));
            }
        }
        // Contacts: eight-digit mobile numbers and email addresses quoted
        // in the sources.
        for quoted in text.split('"').skip(1).step_by(2) {
            let phone = quoted.len() == 8 && quoted.bytes().all(|b| b.is_ascii_digit());
            let email = quoted.contains('@') && quoted.contains('.') && !quoted.contains(' ');
            if phone || email {
                out.push(quoted.to_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn log_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            log_files(&p, out);
        } else if p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains(".log"))
        {
            out.push(p);
        }
    }
}

#[test]
#[ignore = "run by the test command after the end-to-end suite"]
fn the_apps_logs_of_the_whole_suite_hold_no_seeded_name_number_or_contact() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeded = seeded(&root.join("e2e"));
    assert!(seeded.len() > 100, "the seeds were found: {}", seeded.len());
    let mut files = Vec::new();
    log_files(
        &ehr_tests::workspace::target_dir().join("e2e-logs/app"),
        &mut files,
    );
    assert!(!files.is_empty(), "the suite's apps wrote logs");
    let mut lines = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("log");
        for (i, line) in text.lines().enumerate() {
            lines += 1;
            let record: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: not JSON: {e}", f.display(), i + 1));
            assert!(record["level"].is_string() && record["timestamp"].is_string());
            for s in &seeded {
                assert!(
                    !line.contains(s.as_str()),
                    "{}:{}: holds the seeded {s:?}",
                    f.display(),
                    i + 1
                );
            }
        }
    }
    assert!(lines > 0, "the logs have records");
    eprintln!(
        "{} log files, {lines} records, {} seeded values: none found",
        files.len(),
        seeded.len()
    );
}
