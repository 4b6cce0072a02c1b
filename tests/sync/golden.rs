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

#[test]
fn a_format_1_outbox_is_applied_once_by_the_newest_service_and_its_retries_are_duplicates() {
    let central = Central::start("golden").unwrap();
    let base = std::env::temp_dir().join(format!("ehr-sync-{}-golden", std::process::id()));
    let first = base.join("first");
    copy_golden(&first);
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
        rows.len(),
        5,
        "four applied and one refused, once each: {rows:?}"
    );
    assert!(rows.iter().all(|(_, scheme)| *scheme == 2));
    drop(app);

    // A second copy of the same queue: the same keys and the same bytes,
    // as after an answer lost across the upgrade. Every one is answered as
    // before: duplicates, and the same refusal.
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
