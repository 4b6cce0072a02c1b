//! The outbox and its sync with a real ehr-central over loopback HTTP: the
//! app crate as the counter uses it, real processes, real files.
//!
//! Needs the debug builds of `ehr-central` and `sync-worker`
//! (`cargo build -p ehr-central -p ehr-tests`; the test command does).

// Test support: a failure in a helper is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use ehr_app::{App, Change, NewOp};
use ehr_protocol::ipc::{DiscardRequest, SignInRequest, SyncLink};
use ehr_protocol::wire::batch::{Operation, Withdraw};
use ehr_protocol::ErrorCode;
use ehr_tests::central::Central;
use ehr_tests::faultproxy::FaultProxy;
use ehr_tests::outbox::{self, central_integrity, central_records, stored_number, walk_in};
use ehr_tests::wait_until;

mod golden;
mod online_form;

pub(crate) fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ehr-sync-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch folder");
    d
}

pub(crate) fn sign_in(app: &App, who: &(String, String)) {
    app.sign_in(&SignInRequest {
        staff_code: who.0.clone(),
        password: who.1.clone(),
    })
    .unwrap_or_else(|e| panic!("sign-in failed: {}", e.code));
}

/// Every walk-in in `range` is registered exactly once at the service.
fn assert_exactly_once(central: &Central, range: impl IntoIterator<Item = u32>) {
    let held = central_records(central.data_dir()).expect("central records");
    let mut missing = Vec::new();
    let mut doubled = Vec::new();
    for i in range {
        match held.get(&stored_number(i)).copied().unwrap_or(0) {
            0 => missing.push(i),
            1 => {}
            _ => doubled.push(i),
        }
    }
    assert!(missing.is_empty(), "lost at the service: {missing:?}");
    assert!(doubled.is_empty(), "registered twice: {doubled:?}");
    assert_eq!(
        central_integrity(central.data_dir()).expect("central integrity"),
        "ok"
    );
}

#[test]
fn offline_changes_wait_and_drain_on_their_own_when_the_service_is_back() {
    let mut central = Central::start("offline").unwrap();
    let dir = scratch("offline");
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    sign_in(&app, &central.clerk);

    // A second process on the same data folder cannot relay beside us.
    let second = outbox::app(&dir, &central.url, &central.counter_key, 300);
    assert_eq!(second.open_store().unwrap_err().code, ErrorCode::StoreInUse);

    central.kill();
    for i in 0..20 {
        app.commit_change(&walk_in(i)).unwrap();
    }
    wait_until("offline status", Duration::from_secs(10), || {
        app.sync_status().unwrap().link == SyncLink::Offline
    });
    let st = app.sync_status().unwrap();
    assert_eq!((st.queued, st.attention), (20, 0));
    assert!(st.oldest_queued_at_ms.unwrap() <= st.now_ms);
    // Closing the window now would ask first, naming the 20 changes (the
    // audit events waiting with them are not the clerk's to count).
    assert_eq!(app.queued_changes(), 20);
    // Several failed rounds, then the service comes back: no new write, no
    // "sync now": the backoff's own retry drains the queue.
    std::thread::sleep(Duration::from_millis(1200));
    central.serve().unwrap();
    assert!(app.wait_until_drained(Duration::from_secs(15)).unwrap());
    let st = app.sync_status().unwrap();
    assert_eq!(st.link, SyncLink::Online);
    assert_eq!(app.queued_changes(), 0, "nothing to ask about any more");
    assert!(st.last_success_at_ms.is_some());
    assert_exactly_once(&central, 0..20);
    let (status, ehr) = app.local_record(&outbox::record_key(3)).unwrap().unwrap();
    assert_eq!(status, "synced");
    assert!(ehr.is_some_and(|n| !n.is_empty()));
    assert_eq!(app.verify_store().unwrap().integrity, "ok");
}

#[test]
fn a_change_made_beside_a_running_app_is_sent_by_it() {
    let central = Central::start("beside").unwrap();
    let dir = scratch("beside");
    let running = outbox::app(&dir, &central.url, &central.counter_key, 300);
    running.open_store().unwrap();
    sign_in(&running, &central.clerk);
    // A support tool on the same folder: it may write, it may not relay.
    let tool = outbox::app(&dir, &central.url, &central.counter_key, 300);
    sign_in(&tool, &central.clerk);
    tool.open_store_without_sync().unwrap();
    tool.commit_change(&walk_in(77)).unwrap();
    // The running app's driver notices at its next rescan and sends it.
    assert!(running.wait_until_drained(Duration::from_secs(25)).unwrap());
    assert_exactly_once(&central, 77..78);
    let st = running.sync_status().unwrap();
    assert_eq!(st.link, SyncLink::Online);
}

#[test]
fn refusals_wait_for_a_clerk_with_reasons_and_a_supervisor_discard_is_audited() {
    let central = Central::start("attention").unwrap();
    let dir = scratch("attention");
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    // Nothing is committed or listed before anyone signs in.
    assert_eq!(
        app.commit_change(&walk_in(1)).unwrap_err().code,
        ErrorCode::AuthSignInRequired
    );
    sign_in(&app, &central.clerk);
    app.commit_change(&walk_in(1)).unwrap();
    assert!(app.wait_until_drained(Duration::from_secs(10)).unwrap());

    // The same person again, from another record: a conflict. A later
    // operation of that record waits behind it.
    let mut dup = walk_in(1);
    dup.record_key = "dup-1".into();
    app.commit_change(&dup).unwrap();
    let later = Change {
        record_key: "dup-1".into(),
        kind: "walk_in".into(),
        summary: dup.summary.clone(),
        ops: vec![NewOp {
            op: Operation::Withdraw(Withdraw {
                ehr_number: "000000000000".into(),
                confirmed: true,
            }),
            attachment: None,
        }],
    };
    let later_id = app.commit_change(&later).unwrap()[0];
    // A validation refusal: an impossible date of birth.
    let mut bad = walk_in(2);
    if let Operation::RegisterInPerson(r) = &mut bad.ops[0].op {
        r.patient.date_of_birth = "1990-13-45".into();
    }
    app.commit_change(&bad).unwrap();

    wait_until("two on the attention list", Duration::from_secs(10), || {
        app.sync_status().unwrap().attention == 2
    });
    std::thread::sleep(Duration::from_millis(500));
    let st = app.sync_status().unwrap();
    assert_eq!(st.queued, 1, "the later operation of dup-1 waits");
    let items = app.attention_list().unwrap();
    assert_eq!(items.len(), 2);
    let conflict = items
        .iter()
        .find(|i| i.code == ErrorCode::ConflictAlreadyRegistered)
        .unwrap();
    assert!(conflict
        .reason_zh
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    assert!(conflict.summary.contains("Walk-in"));
    let rejected = items
        .iter()
        .find(|i| i.code == ErrorCode::RequestValidation)
        .unwrap();
    assert!(
        rejected.fields.iter().any(|f| f.contains("date_of_birth")),
        "{:?}",
        rejected.fields
    );

    // The clerk retries: a new key, so the service judges it again, and it
    // is refused again for the same reason.
    app.retry_attention(conflict.id).unwrap();
    wait_until("the retry answered", Duration::from_secs(10), || {
        app.sync_status().unwrap().attention == 2 && app.sync_status().unwrap().queued == 1
    });
    assert_eq!(
        app.retry_attention(later_id).unwrap_err().code,
        ErrorCode::QueueNotAttention
    );

    // Only a supervisor discards, and only with a reason.
    let req = DiscardRequest {
        id: conflict.id,
        reason: "Person already registered at another centre".into(),
    };
    assert_eq!(
        app.discard_attention(&req).unwrap_err().code,
        ErrorCode::QueueSupervisorOnly
    );
    sign_in(&app, &central.supervisor);
    let blank = DiscardRequest {
        id: conflict.id,
        reason: " ".into(),
    };
    assert_eq!(
        app.discard_attention(&blank).unwrap_err().code,
        ErrorCode::QueueReasonRequired
    );
    app.discard_attention(&req).unwrap();
    // The record's later operation goes now (and is refused on its own
    // merits), and the discard's audit event reaches the service.
    wait_until(
        "the later operation answered and the discard's audit event sent",
        Duration::from_secs(10),
        || {
            let st = app.sync_status().unwrap();
            st.queued == 0 && st.audit_queued == 0 && !st.sending
        },
    );
    let items = app.attention_list().unwrap();
    assert!(items.iter().all(|i| i.id != conflict.id));
    assert!(items.iter().any(|i| i.id == later_id));
    let conn = central.db().unwrap();
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_events WHERE action = 'outbox.discard' AND staff_code = ?1",
            [&central.supervisor.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    assert_exactly_once(&central, 1..2);
}

#[test]
fn a_revoked_session_asks_for_a_new_sign_in_and_keeps_everything() {
    let central = Central::start("revoked").unwrap();
    let dir = scratch("revoked");
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    sign_in(&app, &central.clerk);
    // The service forgets every session (as after a token expiry).
    let conn = central.db().unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute("DELETE FROM sessions", []).unwrap();
    for i in 10..15 {
        app.commit_change(&walk_in(i)).unwrap();
    }
    wait_until("a sign-in request", Duration::from_secs(10), || {
        app.sync_status().unwrap().needs_sign_in
    });
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(app.sync_status().unwrap().queued, 5, "nothing dropped");
    sign_in(&app, &central.clerk);
    assert!(app.wait_until_drained(Duration::from_secs(10)).unwrap());
    assert!(!app.sync_status().unwrap().needs_sign_in);
    assert_exactly_once(&central, 10..15);
}

#[test]
fn faults_and_service_crashes_still_give_each_change_exactly_once() {
    let mut central = Central::start("faults").unwrap();
    let proxy = FaultProxy::start(
        format!("127.0.0.1:{}", central.port()).parse().unwrap(),
        0x5EED_F00D,
    )
    .unwrap();
    let dir = scratch("faults");
    let app = outbox::app(&dir, &proxy.url(), &central.counter_key, 400);
    app.open_store().unwrap();
    sign_in(&app, &central.clerk);
    proxy.set_faults(true);
    let n = 150;
    for i in 0..n {
        app.commit_change(&walk_in(1000 + i)).unwrap();
        std::thread::sleep(Duration::from_millis(15));
        if i == 50 || i == 110 {
            central.kill();
            std::thread::sleep(Duration::from_millis(300));
            central.serve().unwrap();
        }
    }
    // Keep the faults on until they have really been at work (at least ten,
    // one of them an answer lost after the service committed), writing more
    // changes if the queue drains first, then heal. Waiting for the faults
    // rather than for a fixed time keeps a fast or a loaded machine honest.
    use std::sync::atomic::Ordering::Relaxed;
    let mut n = n;
    wait_until(
        "ten faults, one a cut after commit",
        Duration::from_secs(90),
        || {
            if app.sync_status().unwrap().queued == 0 {
                app.commit_change(&walk_in(1000 + n)).unwrap();
                n += 1;
            }
            proxy.faults_injected() >= 10 && proxy.counts.cut_after_commit.load(Relaxed) > 0
        },
    );
    proxy.set_faults(false);
    assert!(
        app.wait_until_drained(Duration::from_secs(30)).unwrap(),
        "queue drained after healing: {:?}",
        app.sync_status().unwrap()
    );
    assert_eq!(app.sync_status().unwrap().attention, 0);
    assert_exactly_once(&central, 1000..1000 + n);
    assert_eq!(app.verify_store().unwrap().integrity, "ok");
}

fn worker_bin() -> PathBuf {
    ehr_tests::workspace::target_dir()
        .join("debug")
        .join("sync-worker")
}

/// What one data folder's kill -9 cycles left: the walk-ins whose commit a
/// worker acknowledged (printed `committed I` after the store returned),
/// and the whole range the workers were given.
struct KillRun {
    acked: BTreeSet<u32>,
    range: std::ops::Range<u32>,
}

/// `cycles` runs of `sync-worker` on `dir`, each killed with SIGKILL at a
/// random point, then one run that commits nothing and only drains. A
/// walk-in acknowledged once is never given to a worker again, so a change
/// the store acknowledged and then lost could not be re-created by a later
/// run: it would be missing at the service.
fn kill_9_cycles(central: &Central, dir: &Path, first: u32, cycles: u32, seed: u64) -> KillRun {
    let bin = worker_bin();
    let spawn = |from: u32, to: u32| {
        Command::new(&bin)
            .arg("--data-dir")
            .arg(dir)
            .args([
                "--central",
                &central.url,
                "--counter-key",
                &central.counter_key,
            ])
            .args(["--staff", &central.clerk.0])
            .args(["--from", &from.to_string(), "--to", &to.to_string()])
            .args(["--pause-ms", "3"])
            .env("SYNC_WORKER_PASSWORD", &central.clerk.1)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let per: u32 = 6;
    let mut acked = BTreeSet::new();
    let mut rng = seed | 1;
    // The first walk-in no run has acknowledged yet. Walk-ins from here on
    // may have been committed by a killed run without saying so: a worker
    // commits those only if its store does not have them.
    let mut next = first;
    for _ in 0..cycles {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = spawn(next, next + per);
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        // The kill lands 20 to 420 ms after the worker signed in (or when
        // it has not after 10 s: then during the sign-in).
        let mut early = Vec::new();
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(line) if line == "signed in" => break,
                Ok(line) => early.push(line),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_millis(20 + rng % 400));
        let _ = Command::new("kill")
            .args(["-9", &child.id().to_string()])
            .status();
        let _ = child.wait();
        let _ = reader.join();
        for line in early.into_iter().chain(rx.try_iter()) {
            if let Some(i) = line.strip_prefix("committed ") {
                let i = i.parse::<u32>().unwrap();
                acked.insert(i);
                next = next.max(i + 1);
            }
        }
    }
    // One last run, not killed and given nothing to commit, drains.
    let out = spawn(next, next).wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("drained") && !text.contains("committed"),
        "final run: {text}"
    );
    KillRun {
        acked,
        range: first..next + per,
    }
}

#[test]
fn kill_9_at_random_points_loses_nothing_and_doubles_nothing() {
    let central = Central::start("kill9").unwrap();
    assert!(worker_bin().is_file(), "build it: cargo build -p ehr-tests");
    // 200 kills in all: four data folders of 50 cycles, side by side.
    let (folders, cycles) = (4u32, 50u32);
    let runs: Vec<(PathBuf, KillRun)> = std::thread::scope(|s| {
        let central = &central;
        let handles: Vec<_> = (0..folders)
            .map(|f| {
                s.spawn(move || {
                    let dir = scratch(&format!("kill9-{f}"));
                    let run = kill_9_cycles(
                        central,
                        &dir,
                        10_000 * (f + 1),
                        cycles,
                        0x9E37_79B9 + u64::from(f),
                    );
                    (dir, run)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let held = central_records(central.data_dir()).unwrap();
    // One idempotency row per change the service took: a change sent again
    // under a new key would show here as a second row for its record.
    let keys: std::collections::BTreeMap<String, u32> = {
        let conn = central.db().unwrap();
        let mut st = conn
            .prepare("SELECT record_key, count(*) FROM idempotency GROUP BY record_key")
            .unwrap();
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows
    };
    let mut acked_total = 0;
    for (dir, run) in &runs {
        acked_total += run.acked.len();
        let mut lost = Vec::new();
        let mut doubled = Vec::new();
        for i in run.range.clone() {
            let at_service = held.get(&stored_number(i)).copied().unwrap_or(0);
            let sent = keys.get(&outbox::record_key(i)).copied().unwrap_or(0);
            if run.acked.contains(&i) && (at_service != 1 || sent != 1) {
                lost.push((i, at_service, sent));
            } else if at_service > 1 || sent > 1 {
                doubled.push((i, at_service, sent));
            }
        }
        assert!(
            lost.is_empty(),
            "acknowledged, then not exactly once (walk-in, records, keys): {lost:?}"
        );
        assert!(
            doubled.is_empty(),
            "more than once (walk-in, records, keys): {doubled:?}"
        );
        // Nothing waits for a clerk, and the store survived every kill.
        let app = outbox::app(dir, &central.url, &central.counter_key, 300);
        let v = app.verify_store().unwrap();
        assert_eq!(v.integrity, "ok");
        assert!(v.cipher_pages_ok);
        let st = app.sync_status().unwrap();
        assert_eq!((st.queued, st.attention), (0, 0), "{}", dir.display());
    }
    // Kills land everywhere: runs committed work before being killed.
    assert!(
        acked_total > (folders * 6) as usize,
        "the workers committed work before being killed ({acked_total})"
    );
    // Nothing at the service that no run was given.
    let given: BTreeSet<String> = runs
        .iter()
        .flat_map(|(_, r)| r.range.clone().map(stored_number))
        .collect();
    let extra: Vec<&String> = held
        .keys()
        .filter(|k| k.starts_with('Y') && !given.contains(*k))
        .collect();
    assert!(
        extra.is_empty(),
        "at the service but never given: {extra:?}"
    );
    assert_eq!(central_integrity(central.data_dir()).unwrap(), "ok");
}

fn files_contain(files: &[PathBuf], needle: &[u8]) -> Option<PathBuf> {
    files.iter().find_map(|f| {
        let bytes = std::fs::read(f).ok()?;
        bytes
            .windows(needle.len())
            .any(|w| w == needle)
            .then(|| f.clone())
    })
}

fn store_files(dir: &Path) -> Vec<PathBuf> {
    ["counter.db", "counter.db-wal", "counter.db-shm"]
        .iter()
        .map(|f| dir.join(f))
        .collect()
}

#[test]
fn the_database_files_hold_no_plaintext_personal_data() {
    let central = Central::start("plaintext").unwrap();
    let dir = scratch("plaintext");
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    sign_in(&app, &central.clerk);
    for i in 500..520 {
        app.commit_change(&walk_in(i)).unwrap();
    }
    assert!(app.wait_until_drained(Duration::from_secs(10)).unwrap());
    let files = store_files(&dir);
    assert!(files[0].is_file());
    let mut needles: Vec<Vec<u8>> = Vec::new();
    for i in 500..520 {
        needles.push(outbox::hkid(i).into_bytes());
        needles.push(stored_number(i).into_bytes());
    }
    for s in outbox::SURNAMES {
        needles.push(s.as_bytes().to_vec());
    }
    needles.push("梁家明".as_bytes().to_vec());
    needles.push(b"Ka Ming".to_vec());
    for n in &needles {
        if let Some(f) = files_contain(&files, n) {
            panic!(
                "{} is in plain text in {}",
                String::from_utf8_lossy(n),
                f.display()
            );
        }
    }
    // The scan itself finds what is there: the same bytes in a plain file.
    let plain = dir.join("plain.txt");
    std::fs::write(&plain, outbox::hkid(500)).unwrap();
    assert!(files_contain(&[plain], &needles[0]).is_some());
}

struct Tmpfs(PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_corrupts_nothing() {
    let mount = scratch("fulldisk");
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "mounting a small tmpfs needs root (the test command runs as root)"
    );
    let _guard = Tmpfs(mount.clone());
    let dir = mount.join("data");
    // No central service: the store alone.
    let app = App::new(outbox::config(&dir, "", 300));
    let store = || ehr_store::Store::open(&dir, ehr_store::KeyPolicy::FileOnly);
    drop(app);
    let mut s = store().unwrap();
    let image = |n: u32| Change {
        record_key: format!("img-{n}"),
        kind: "walk_in".into(),
        summary: "Walk-in with image".into(),
        ops: vec![NewOp {
            op: Operation::UploadDocument(ehr_protocol::wire::batch::UploadDocument {
                image_id: uuid_from(n),
                kind: ehr_protocol::wire::batch::DocumentImageKind::PatientDocumentCopy,
                data_base64: String::new(),
            }),
            attachment: Some(vec![(n % 251) as u8; 200 * 1024]),
        }],
    };
    let mut committed = 0;
    let err = loop {
        match s.commit_change(&image(committed), 1) {
            Ok(_) => committed += 1,
            Err(e) => break e,
        }
        assert!(committed < 100, "the 3 MiB disk never filled");
    };
    assert!(committed > 0);
    assert_eq!(err.code(), ErrorCode::StoreDiskFull, "{err:?}");
    // The store still answers, and what was committed is intact.
    assert_eq!(s.queued().unwrap().len() as u32, committed);
    assert_eq!(s.verify().unwrap().integrity, "ok");
    drop(s);
    let s = store().unwrap();
    assert_eq!(s.queued().unwrap().len() as u32, committed);
    let v = s.verify().unwrap();
    assert_eq!(v.integrity, "ok");
    assert!(v.cipher_pages_ok);
}

fn uuid_from(n: u32) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x1234_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
}

/// A CA, a server certificate for 127.0.0.1 and a counter's client
/// certificate (PEM files in `dir`); the client certificate's fingerprint.
fn pki(dir: &Path) -> String {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa,
        KeyPair,
    };
    use sha2::Digest;
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("key")).expect("ca");
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().expect("key");
    let server = server.signed_by(&server_key, &ca).expect("server cert");
    let mut client = CertificateParams::new(vec!["counter.example".to_owned()]).expect("params");
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_key = KeyPair::generate().expect("key");
    let client = client.signed_by(&client_key, &ca).expect("client cert");
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text).expect(name);
    write("ca.pem", ca.pem());
    write("server.pem", server.pem());
    write("server.key", server_key.serialize_pem());
    write(
        "counter.pem",
        format!("{}{}", client.pem(), client_key.serialize_pem()),
    );
    sha2::Sha256::digest(client.der())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn https_with_the_service_ca_and_a_client_certificate_counter() {
    let mut central = Central::start("tls").unwrap();
    let certs = scratch("tls-pki");
    let fingerprint = pki(&certs);
    central
        .enrol_certificate_counter("RO-HK", &fingerprint)
        .unwrap();
    central
        .serve_tls(
            &certs.join("server.pem"),
            &certs.join("server.key"),
            Some(&certs.join("ca.pem")),
        )
        .unwrap();
    assert!(central.url.starts_with("https://"));
    let with = |dir: &Path, key: &str, extra: &[(&str, String)]| {
        let _ = std::fs::create_dir_all(dir);
        if !key.is_empty() {
            outbox::write_private(&dir.join("counter.key"), key);
        }
        let mut vars: std::collections::BTreeMap<&str, String> = [
            ("EHR_COUNTER_DATA_DIR", dir.display().to_string()),
            ("EHR_CENTRAL_URL", central.url.clone()),
            ("EHR_COUNTER_KEYRING", "off".to_owned()),
            ("EHR_SYNC_BACKOFF_CAP_MS", "300".to_owned()),
        ]
        .into_iter()
        .collect();
        vars.extend(extra.iter().cloned());
        App::new(ehr_app::Config::from_lookup(|k| vars.get(k).cloned()))
    };
    let ca = ("EHR_CENTRAL_CA", certs.join("ca.pem").display().to_string());

    // The system's roots do not know this service's CA: a clear refusal.
    let untrusted = with(&scratch("tls-untrusted"), &central.counter_key, &[]);
    let e = untrusted
        .sign_in(&SignInRequest {
            staff_code: central.clerk.0.clone(),
            password: central.clerk.1.clone(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::CentralTls);

    // A CA file that is not a certificate: the setup error, not a crash.
    let junk = certs.join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let bad = with(
        &scratch("tls-bad"),
        &central.counter_key,
        &[("EHR_CENTRAL_CA", junk.display().to_string())],
    );
    assert_eq!(
        bad.open_store().unwrap_err().code,
        ErrorCode::CentralClientSetup
    );

    // The machine key over HTTPS, trusting the service's CA.
    let keyed = with(
        &scratch("tls-key"),
        &central.counter_key,
        std::slice::from_ref(&ca),
    );
    keyed.open_store().unwrap();
    sign_in(&keyed, &central.clerk);
    for i in 300..305 {
        keyed.commit_change(&walk_in(i)).unwrap();
    }
    assert!(keyed.wait_until_drained(Duration::from_secs(15)).unwrap());

    // No machine key at all: the client certificate identifies the counter.
    let cert_counter = with(
        &scratch("tls-cert"),
        "",
        &[
            ca,
            (
                "EHR_COUNTER_CLIENT_CERT",
                certs.join("counter.pem").display().to_string(),
            ),
        ],
    );
    cert_counter.open_store().unwrap();
    sign_in(&cert_counter, &central.clerk);
    for i in 305..310 {
        cert_counter.commit_change(&walk_in(i)).unwrap();
    }
    assert!(cert_counter
        .wait_until_drained(Duration::from_secs(15))
        .unwrap());
    assert_exactly_once(&central, 300..310);
}

#[test]
fn a_refusal_that_is_not_the_services_keeps_changes_queued_and_a_real_one_is_bisected() {
    let central = Central::start("refused").unwrap();
    let proxy =
        FaultProxy::start(format!("127.0.0.1:{}", central.port()).parse().unwrap(), 1).unwrap();
    let dir = scratch("refused");
    let app = outbox::app(&dir, &proxy.url(), &central.counter_key, 300);
    sign_in(&app, &central.clerk);

    // A firewall's page (or a wrong path): not the service's answer. The
    // proxy gives it on new connections, so it is in place before the
    // driver (whose health probe keeps a connection) starts.
    proxy.set_answer(Some((404, "text/html", "<html>Not here</html>")));
    app.open_store().unwrap();
    for i in 700..703 {
        app.commit_change(&walk_in(i)).unwrap();
    }
    wait_until("offline", Duration::from_secs(10), || {
        app.sync_status().unwrap().link == SyncLink::Offline
    });
    std::thread::sleep(Duration::from_millis(800));
    let st = app.sync_status().unwrap();
    assert_eq!(
        (st.queued, st.attention),
        (3, 0),
        "kept queued, not refused"
    );

    // The service's own refusal of the request: bisected down to single
    // operations, each on the attention list with the service's code.
    proxy.set_answer(Some((
        413,
        "application/json",
        r#"{"code":"request.too_large","field":null,"message_en":"x","message_zh":"x"}"#,
    )));
    app.sync_now();
    // (The audit events queued with them meet the same refusal.)
    wait_until("all three on the list", Duration::from_secs(15), || {
        let st = app.sync_status().unwrap();
        let walk_ins = app
            .attention_list()
            .unwrap()
            .iter()
            .filter(|i| i.summary.starts_with("Walk-in"))
            .count();
        st.queued == 0 && walk_ins == 3
    });
    let items = app.attention_list().unwrap();
    assert!(items.iter().all(|i| i.code == ErrorCode::RequestTooLarge));
    assert_eq!(
        items
            .iter()
            .filter(|i| i.summary.starts_with("Walk-in"))
            .count(),
        3,
        "{items:?}"
    );

    // Healed: a retry sends each again as it was, and it is applied once.
    proxy.set_answer(None);
    for i in &items {
        app.retry_attention(i.id).unwrap();
    }
    assert!(app.wait_until_drained(Duration::from_secs(15)).unwrap());
    assert_eq!(app.sync_status().unwrap().attention, 0);
    assert_exactly_once(&central, 700..703);
}

/// Runs `sql` on a counter's store as a damaged disk or an older build
/// would have left it (key from the folder's `store.key`).
fn doctor_store(dir: &Path, sql: &str) {
    open_counter_db(dir).execute_batch(sql).unwrap();
}

/// A counter's store file opened directly, keyed from its `store.key`
/// (for tests that play a damaged disk or an older build).
fn open_counter_db(dir: &Path) -> rusqlite::Connection {
    let key = std::fs::read_to_string(dir.join("store.key")).unwrap();
    let conn = rusqlite::Connection::open(dir.join("counter.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.trim()))
        .unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

#[test]
fn a_row_that_can_never_be_sent_goes_to_attention_and_the_rest_of_the_queue_drains() {
    let central = Central::start("poison").unwrap();
    let dir = scratch("poison");
    // Written beside nothing that syncs, then damaged before a relay starts.
    let tool = outbox::app(&dir, &central.url, &central.counter_key, 300);
    sign_in(&tool, &central.clerk);
    tool.open_store_without_sync().unwrap();
    for i in 800..806 {
        tool.commit_change(&walk_in(i)).unwrap();
    }
    // An image far larger than any batch may carry.
    let big = Change {
        record_key: "big-image".into(),
        kind: "walk_in".into(),
        summary: "Walk-in with a huge image".into(),
        ops: vec![NewOp {
            op: Operation::UploadDocument(ehr_protocol::wire::batch::UploadDocument {
                image_id: uuid_from(9),
                kind: ehr_protocol::wire::batch::DocumentImageKind::PatientDocumentCopy,
                data_base64: String::new(),
            }),
            attachment: Some(vec![7u8; 6 * 1024 * 1024]),
        }],
    };
    tool.commit_change(&big).unwrap();
    drop(tool);
    doctor_store(
        &dir,
        "UPDATE outbox SET op = '{\"type\":\"register_in_person\",\"patient\":42}' \
         WHERE record_key = 'walkin-801';",
    );
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    sign_in(&app, &central.clerk);
    assert!(
        app.wait_until_drained(Duration::from_secs(20)).unwrap(),
        "{:?}",
        app.sync_status().unwrap()
    );
    let st = app.sync_status().unwrap();
    assert_eq!((st.link, st.attention), (SyncLink::Online, 2), "{st:?}");
    let mut codes: Vec<ErrorCode> = app
        .attention_list()
        .unwrap()
        .iter()
        .map(|i| i.code)
        .collect();
    codes.sort_by_key(|c| c.as_str());
    assert_eq!(
        codes,
        vec![ErrorCode::OutboxTooLarge, ErrorCode::OutboxUndecodable]
    );
    for i in app.attention_list().unwrap() {
        assert!(!i.reason_en.is_empty() && !i.reason_zh.is_empty());
    }
    assert_exactly_once(&central, [800, 802, 803, 804, 805]);
    let held = central_records(central.data_dir()).unwrap();
    assert!(!held.contains_key(&stored_number(801)), "never sent");
    // A retry of a row that cannot be sent comes straight back, with the
    // same reason, and holds up nothing.
    let undecodable = app
        .attention_list()
        .unwrap()
        .into_iter()
        .find(|i| i.code == ErrorCode::OutboxUndecodable)
        .unwrap();
    app.retry_attention(undecodable.id).unwrap();
    app.commit_change(&walk_in(806)).unwrap();
    assert!(app.wait_until_drained(Duration::from_secs(10)).unwrap());
    wait_until("back on the list", Duration::from_secs(10), || {
        app.sync_status().unwrap().attention == 2
    });
    assert_exactly_once(&central, [806]);
}

#[test]
fn a_failing_local_write_is_shown_on_the_status_bar_in_words_until_a_write_succeeds() {
    let mut central = Central::start("writefail").unwrap();
    let mount = scratch("writefail");
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mounting a small tmpfs needs root");
    let _guard = Tmpfs(mount.clone());
    let dir = mount.join("data");
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    sign_in(&app, &central.clerk);
    assert_eq!(app.sync_status().unwrap().store_error, None);
    // Offline, so nothing drains and frees space; a filler file to free later.
    central.kill();
    std::fs::write(mount.join("filler"), vec![0u8; 1024 * 1024]).unwrap();
    let image = |n: u32| Change {
        record_key: format!("img-{n}"),
        kind: "walk_in".into(),
        summary: "Walk-in with image".into(),
        ops: vec![NewOp {
            op: Operation::UploadDocument(ehr_protocol::wire::batch::UploadDocument {
                image_id: uuid_from(100 + n),
                kind: ehr_protocol::wire::batch::DocumentImageKind::PatientDocumentCopy,
                data_base64: String::new(),
            }),
            attachment: Some(vec![(n % 251) as u8; 200 * 1024]),
        }],
    };
    let mut n = 0;
    let err = loop {
        match app.commit_change(&image(n)) {
            Ok(_) => n += 1,
            Err(e) => break e,
        }
        assert!(n < 100, "the disk never filled");
    };
    assert_eq!(err.code, ErrorCode::StoreDiskFull);
    let shown = app.sync_status().unwrap().store_error.expect("shown");
    assert_eq!(shown.code, ErrorCode::StoreDiskFull);
    assert!(
        shown.message_en.contains("disk") || shown.message_en.contains("full"),
        "{}",
        shown.message_en
    );
    assert!(!shown.message_zh.is_empty());
    // Space again: the next write succeeds and the status bar clears.
    std::fs::remove_file(mount.join("filler")).unwrap();
    app.commit_change(&image(1000)).unwrap();
    assert_eq!(app.sync_status().unwrap().store_error, None);
    app.check_store_writable().unwrap();
    drop(app);
}

#[test]
fn a_supervisor_signs_off_at_the_counter_and_a_typed_name_is_refused_before_it_is_queued() {
    let central = Central::start("signoff").unwrap();
    let dir = scratch("signoff");
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    sign_in(&app, &central.clerk);
    let pre1980 = |sign_off: Option<String>| {
        let mut c = walk_in(900);
        if let Operation::RegisterInPerson(r) = &mut c.ops[0].op {
            let id = "A900900";
            let good = ehr_domain::id::hkid_check_char(id).unwrap();
            let bad = if good == '0' { '1' } else { '0' };
            r.patient.document_type = "hk_birth_certificate".into();
            r.patient.document_number = format!("{id}({bad})");
            r.patient.date_of_birth = "1975-01-02".into();
            r.supervisor_sign_off = sign_off;
        }
        c
    };
    // A clerk typing the supervisor's name: refused here, nothing queued.
    let e = app
        .commit_change(&pre1980(Some(central.supervisor.0.clone())))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SupervisorUnverified);
    assert_eq!(app.sync_status().unwrap().queued, 0);
    // The wrong password: the service's refusal.
    let ask = |password: &str, record: &str| ehr_protocol::wire::SignOffRequest {
        staff_code: central.supervisor.0.clone(),
        password: password.to_owned(),
        record_key: record.to_owned(),
        reason: "pre-1980 birth certificate".to_owned(),
    };
    assert_eq!(
        app.supervisor_sign_off(&ask("wrong-password", "walkin-900"))
            .unwrap_err()
            .code,
        ErrorCode::AuthInvalidCredentials
    );
    // Another record's sign-off is not this one's.
    let other = app
        .supervisor_sign_off(&ask(&central.supervisor.1, "walkin-1"))
        .unwrap();
    assert_eq!(
        app.commit_change(&pre1980(Some(other.token)))
            .unwrap_err()
            .code,
        ErrorCode::SupervisorUnverified
    );
    let given = app
        .supervisor_sign_off(&ask(&central.supervisor.1, "walkin-900"))
        .unwrap();
    assert_eq!(given.supervisor, central.supervisor.0);
    assert!(!format!("{given:?}").contains(&given.token));
    app.commit_change(&pre1980(Some(given.token))).unwrap();
    assert!(app.wait_until_drained(Duration::from_secs(10)).unwrap());
    assert_eq!(app.sync_status().unwrap().attention, 0);
    let (status, ehr) = app.local_record("walkin-900").unwrap().unwrap();
    assert_eq!(status, "synced");
    assert!(ehr.is_some());
    let audited: i64 = central
        .db()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_events WHERE action = 'supervisor.sign_off_used' \
             AND staff_code = ?1 AND sent_by = ?2",
            [&central.supervisor.0, &central.clerk.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn the_link_is_told_within_seconds_with_nothing_queued() {
    let mut central = Central::start("probe").unwrap();
    let dir = scratch("probe");
    let app = outbox::app(&dir, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    // Nothing queued, nobody signed in: the driver's probe alone says it.
    let link = || app.sync_status().unwrap().link;
    wait_until("online", Duration::from_secs(15), || {
        link() == SyncLink::Online
    });
    central.kill();
    wait_until("offline", Duration::from_secs(15), || {
        link() == SyncLink::Offline
    });
    assert_eq!(app.sync_status().unwrap().queued, 0);
    central.serve().unwrap();
    wait_until("online again", Duration::from_secs(15), || {
        link() == SyncLink::Online
    });
}
