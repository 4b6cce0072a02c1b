//! The service's data at rest: no personal data in plain text in any file
//! of its data folder, and the folder and its files private to this user.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// The file holding `needle`, if any.
fn files_contain(files: &[PathBuf], needle: &[u8]) -> Option<PathBuf> {
    files
        .iter()
        .find(|f| match std::fs::read(f) {
            Ok(data) => data.windows(needle.len()).any(|w| w == needle),
            // SQLite removes its WAL and shared memory on the last close.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => panic!("{}: {e}", f.display()),
        })
        .cloned()
}

/// Every regular file in `dir`.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// The ways a person's details could show up in a file: document numbers
/// (stored and as typed), names, and names as the stored JSON has them
/// (short surnames only with their key, so random ciphertext cannot match).
fn needles_of(p: &Value, out: &mut BTreeSet<String>) {
    let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
    let number = text("document_number");
    out.insert(number.clone());
    out.insert(number.replace(['(', ')'], ""));
    for k in ["surname", "given_names", "chinese_name"] {
        let v = text(k);
        if v.is_empty() {
            continue;
        }
        out.insert(format!("\"{k}\":\"{v}\""));
        if v.len() >= 6 {
            out.insert(v);
        }
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    // None for a file SQLite removed meanwhile.
    std::fs::symlink_metadata(p)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_holds_no_plaintext_personal_data_and_is_private() {
    use std::os::unix::fs::PermissionsExt;
    // A folder made as an administrator's mkdir makes it (0755), seeded and
    // served as `seed --demo` and `serve` do.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = ehr_central::db::Db::open(dir.path()).unwrap();
    let creds = ehr_central::seed::demo(&db, dir.path(), 11, 40).unwrap();
    drop(db);
    let state = ehr_central::open(dir.path()).unwrap();
    let running = ehr_central::spawn_http(state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let s = Server {
        running,
        dir,
        creds,
        client: reqwest::Client::new(),
    };
    let data = s.dir.path().to_owned();

    // Registrations at a counter: walk-ins, and activations of seeded
    // applications (these write records beside the applications).
    let a = s.session("HA-QEH", "clerk01").await;
    let mut walk_ins = Vec::new();
    for i in 0..5u32 {
        let number = hkid(271_800 + i);
        let mut op = walk_in(&number);
        op["patient"]["surname"] = json!(format!(
            "SZETO{}",
            ["AB", "CD", "EF", "GH", "IJ"][i as usize]
        ));
        op["patient"]["given_names"] = json!("Wing Sze");
        op["patient"]["chinese_name"] = json!("司徒詠詩");
        let out = a
            .op(Uuid::new_v4(), &format!("rest-{i}"), 1, op.clone())
            .await;
        assert_eq!(out["status"], "applied", "{out}");
        walk_ins.push(op["patient"].clone());
    }
    let mut activated = 0;
    for p in &s.creds.demo_people {
        let out = a
            .op(
                Uuid::new_v4(),
                &format!("act-{}", p.reference),
                1,
                json!({
                    "type": "activate_application",
                    "reference": p.reference,
                    "presented": serde_json::to_value(&p.person).unwrap(),
                    "read_source": "card",
                }),
            )
            .await;
        // Some demo applications are expired on purpose.
        if out["status"] == "applied" {
            activated += 1;
        }
    }
    assert!(activated >= 2, "{activated} activations");

    // What the service holds, read back with its key: every application's
    // patient and applicant, and the walk-ins.
    let conn = ehr_central::db::open_existing_keyed(&data).unwrap();
    let bodies: Vec<Value> = conn
        .prepare("SELECT body FROM applications")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|b| serde_json::from_str(&b.unwrap()).unwrap())
        .collect();
    assert!(bodies.len() >= 40);
    let demo_numbers: BTreeSet<String> = s
        .creds
        .demo_people
        .iter()
        .map(|p| p.person.document_number.clone())
        .collect();
    // `demo-credentials.json` lists the demo people by design (training
    // mode makes virtual cards of them): it is scanned for everyone else.
    let mut everyone = BTreeSet::new();
    let mut not_demo = BTreeSet::new();
    for b in &bodies {
        let mut n = BTreeSet::new();
        needles_of(&b["patient"], &mut n);
        if let Some(person) = b["applicant"].get("person") {
            needles_of(person, &mut n);
        }
        let patient_number = b["patient"]["document_number"].as_str().unwrap();
        if !demo_numbers.contains(patient_number) {
            not_demo.extend(n.iter().cloned());
        }
        everyone.extend(n);
    }
    for p in &walk_ins {
        let mut n = BTreeSet::new();
        needles_of(p, &mut n);
        not_demo.extend(n.iter().cloned());
        everyone.extend(n);
    }
    let records: i64 = conn
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        records,
        5 + activated,
        "the registrations are in the database"
    );
    let stored: i64 = conn
        .query_row(
            "SELECT count(*) FROM records WHERE doc_number = ?1",
            [hkid(271_800).replace(['(', ')'], "")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 1, "the needles are what the database holds");
    drop(conn);

    // Scan every file while the service runs (the WAL holds the latest
    // writes), then again after it stopped.
    let credentials = data.join(ehr_central::seed::CREDENTIALS_FILE);
    let scan = |when: &str| {
        let files = files_in(&data);
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n == "central.sqlite3")
                && names.iter().any(|n| n == "central.key")
                && names.iter().any(|n| n == "demo-credentials.json"),
            "{names:?}"
        );
        let (cred, db_files): (Vec<PathBuf>, Vec<PathBuf>) =
            files.into_iter().partition(|f| *f == credentials);
        for (needles, files) in [(&everyone, &db_files), (&not_demo, &cred)] {
            for n in needles {
                if let Some(f) = files_contain(files, n.as_bytes()) {
                    panic!("{when}: {n} is in plain text in {}", f.display());
                }
            }
        }
        assert_eq!(mode(&data), Some(0o700), "{when}: the data folder");
        for f in files_in(&data) {
            if let Some(m) = mode(&f) {
                assert_eq!(m, 0o600, "{when}: {}", f.display());
            }
        }
    };
    assert!(data.join("central.sqlite3-wal").is_file());
    scan("while serving");
    let Server { running, dir, .. } = s;
    running.stop().await;
    // The last connection closes a moment later (the audit writer's
    // thread), checkpointing the WAL into the database file.
    for _ in 0..50 {
        if !data.join("central.sqlite3-wal").exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    scan("after stopping");

    // The scan finds what is there: the same bytes in a plain file.
    let elsewhere = tempfile::tempdir().unwrap();
    let plain = elsewhere.path().join("plain.txt");
    let needle = walk_ins[0]["document_number"].as_str().unwrap();
    std::fs::write(&plain, format!("x{needle}y")).unwrap();
    assert_eq!(
        files_contain(std::slice::from_ref(&plain), needle.as_bytes()),
        Some(plain)
    );
    drop(dir);
}
