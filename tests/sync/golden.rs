//! Retries survive an upgrade: the golden outbox of format 1
//! (`tests/golden/outbox-v1`, written by the build before the envelope got a
//! version) is opened by this build and replayed against the newest
//! ehr-central.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ehr_protocol::ErrorCode;
use ehr_tests::central::Central;
use ehr_tests::outbox;
use ehr_tests::wait_until;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/outbox-v1")
}

/// A copy of the golden data folder in `to`, with the modes the store asks
/// of its files (git keeps no modes).
fn copy_golden(to: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for f in ["counter.db", "store.key", "store.json"] {
        std::fs::copy(golden_dir().join(f), to.join(f)).unwrap();
        std::fs::set_permissions(to.join(f), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Rows of ehr-central's idempotency table for the golden records, by
/// hash scheme.
fn idempotency_rows(central: &Central) -> Vec<(String, i64)> {
    let conn = central.db().unwrap();
    let mut st = conn
        .prepare(
            "SELECT record_key, hash_scheme FROM idempotency \
             WHERE record_key LIKE '%golden%' ORDER BY record_key, seq",
        )
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows
}

/// What the build before the envelope sent for the golden rows: format 1
/// (no `v`), each operation as that build serialised it, with an upload's
/// image put back inside it. Read from the golden store itself.
fn as_the_old_counter_sent(dir: &Path) -> String {
    use base64::Engine as _;
    let conn = super::open_counter_db(dir);
    let mut st = conn
        .prepare(
            "SELECT o.idempotency_key, o.record_key, o.seq, o.op, a.data FROM outbox o \
             LEFT JOIN attachments a ON a.outbox_id = o.id WHERE o.state = 'queued' ORDER BY o.id",
        )
        .unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<Vec<u8>>>(4)?,
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let ops: Vec<String> = rows
        .into_iter()
        .map(|(key, record, seq, op, data)| {
            let mut op: ehr_protocol::wire::Operation = serde_json::from_str(&op).unwrap();
            if let (ehr_protocol::wire::Operation::UploadDocument(u), Some(d)) = (&mut op, data) {
                u.data_base64 = base64::engine::general_purpose::STANDARD.encode(d);
            }
            format!(
                r#"{{"idempotency_key":"{key}","record_key":"{record}","seq":{seq},"op":{}}}"#,
                serde_json::to_string(&op).unwrap()
            )
        })
        .collect();
    format!(r#"{{"ops":[{}]}}"#, ops.join(","))
}

#[test]
fn a_format_1_outbox_is_applied_once_by_the_newest_service_and_its_retries_are_duplicates() {
    let central = Central::start("golden").unwrap();
    let base = std::env::temp_dir().join(format!("ehr-sync-{}-golden", std::process::id()));
    let first = base.join("first");
    copy_golden(&first);
    // The counter, still on the old build, sent its queue to the upgraded
    // service, and the answer was lost on the way back.
    ehr_app::central::install_tls_provider();
    let http = reqwest::blocking::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/v1/auth/sign-in", central.url))
        .header("X-Counter-Key", &central.counter_key)
        .json(&serde_json::json!({"staff_code": central.clerk.0, "password": central.clerk.1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let sent = http
        .post(format!("{}/v1/batch", central.url))
        .header("X-Counter-Key", &central.counter_key)
        .header("content-type", "application/json")
        .bearer_auth(token["token"].as_str().unwrap())
        .body(as_the_old_counter_sent(&first))
        .send()
        .unwrap();
    assert_eq!(sent.status(), 200);
    let before_upgrade = idempotency_rows(&central);
    assert_eq!(before_upgrade.len(), 5, "{before_upgrade:?}");
    // Upgraded, it opens its store (the migrations run) and sends the same
    // queue again, in format 2: every answer is the one already given.
    let app = outbox::app(&first, &central.url, &central.counter_key, 300);
    app.open_store().unwrap();
    assert_eq!(
        app.sync_status().unwrap().queued,
        5,
        "the golden rows, queued"
    );
    app.sign_in(&ehr_protocol::ipc::SignInRequest {
        staff_code: central.clerk.0.clone(),
        password: central.clerk.1.clone(),
    })
    .unwrap();
    assert!(app.wait_until_drained(Duration::from_secs(20)).unwrap());
    let items = app.attention_list().unwrap();
    assert_eq!(
        items.iter().map(|i| i.code).collect::<Vec<_>>(),
        vec![ErrorCode::SupervisorUnverified],
        "only the name-only sign-off is refused: {items:?}"
    );
    for record in ["golden-self", "golden-child"] {
        let (status, ehr) = app.local_record(record).unwrap().unwrap();
        assert_eq!(status, "synced", "{record}");
        assert!(
            ehr.is_some_and(|n| !n.is_empty()),
            "{record} has its eHR number"
        );
    }
    let held = outbox::central_records(central.data_dir()).unwrap();
    let golden: Vec<_> = held.iter().filter(|(n, _)| n.starts_with('G')).collect();
    assert_eq!(
        golden.len(),
        2,
        "the adult and the child, once each: {golden:?}"
    );
    assert!(golden.iter().all(|(_, c)| **c == 1));
    let rows = idempotency_rows(&central);
    assert_eq!(
        rows, before_upgrade,
        "four applied and one refused, once each"
    );
    assert!(rows.iter().all(|(_, scheme)| *scheme == 2));
    drop(app);

    // A second copy of the same queue, sent by the new build again: the
    // same keys and the same bytes. Every one is answered as before:
    // duplicates, and the same refusal.
    let second = base.join("second");
    copy_golden(&second);
    let again = outbox::app(&second, &central.url, &central.counter_key, 300);
    again.open_store().unwrap();
    again
        .sign_in(&ehr_protocol::ipc::SignInRequest {
            staff_code: central.clerk.0.clone(),
            password: central.clerk.1.clone(),
        })
        .unwrap();
    assert!(again.wait_until_drained(Duration::from_secs(20)).unwrap());
    wait_until("the retry answered", Duration::from_secs(5), || {
        again.sync_status().unwrap().attention == 1
    });
    let items = again.attention_list().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].code, ErrorCode::SupervisorUnverified);
    assert_eq!(
        idempotency_rows(&central),
        rows,
        "nothing new at the service"
    );
    let held = outbox::central_records(central.data_dir()).unwrap();
    assert_eq!(held.iter().filter(|(n, _)| n.starts_with('G')).count(), 2);
    let _ = std::fs::remove_dir_all(&base);
}
