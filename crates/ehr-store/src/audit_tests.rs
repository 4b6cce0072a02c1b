use std::path::Path;

use ehr_protocol::audit::{AuditAction, BreakKind};
use ehr_protocol::wire::batch::Operation;

use crate::{KeyPolicy, NewAudit, Store};

fn open(dir: &Path) -> Store {
    Store::open(dir, KeyPolicy::FileOnly).unwrap()
}

fn event(action: AuditAction, subject: &str) -> NewAudit<'_> {
    NewAudit {
        counter_id: Some("CTR-DEMO-RO-HK"),
        staff_code: "clerk01",
        action: action.as_str(),
        subject: Some(subject),
        detail: None,
    }
}

/// A store with five chained events.
fn five(dir: &Path) -> Store {
    let mut s = open(dir);
    for i in 1..=5 {
        let subject = format!("EHR00000000{i}");
        s.append_audit(&event(AuditAction::RecordView, &subject), 1_000 * i)
            .unwrap();
    }
    s
}

fn withdraw_change(record: &str) -> crate::Change {
    crate::Change {
        record_key: record.to_owned(),
        kind: "withdrawal".to_owned(),
        summary: "Withdrawal".to_owned(),
        ops: vec![crate::NewOp {
            op: Operation::Withdraw(ehr_protocol::wire::batch::Withdraw {
                ehr_number: "EHR000000001".to_owned(),
                confirmed: true,
            }),
            attachment: None,
        }],
    }
}

fn attention(s: &mut Store, ids: &[i64]) {
    let results: Vec<_> = ids
        .iter()
        .map(|id| {
            (
                *id,
                crate::Resolution::Attention {
                    code: "conflict.record_withdrawn".into(),
                    outcome: None,
                },
            )
        })
        .collect();
    s.record_results(&results, 3).unwrap();
}

fn first_break(s: &Store) -> Option<(u64, BreakKind)> {
    s.verify_audit_chain()
        .unwrap()
        .first_break
        .map(|b| (b.seq, b.kind))
}

#[test]
fn an_untouched_chain_verifies_and_every_event_is_queued_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let s = five(tmp.path());
    let report = s.verify_audit_chain().unwrap();
    assert_eq!((report.events, report.head_seq), (5, 5));
    assert_eq!(report.first_break, None);
    // Each event went to the outbox under the chain's one record, in order.
    let queued = s.queued().unwrap();
    assert_eq!(queued.len(), 5);
    let record = super::chain_record(&report.chain_id);
    assert!(queued.iter().all(|q| q.record_key == record));
    let ids: Vec<_> = queued.iter().map(|q| q.id).collect();
    let batch = s.load_batch(&ids).unwrap().ops;
    let mut prev = ehr_protocol::audit::to_hex(&ehr_protocol::audit::GENESIS);
    for (i, (_, op)) in batch.iter().enumerate() {
        assert_eq!(op.seq, i as u64 + 1);
        let Operation::AuditEvents(a) = op.op.decode().unwrap() else {
            panic!("not audit events");
        };
        let link = a.events[0].chain.clone().unwrap();
        assert_eq!(link.seq, i as u64 + 1);
        assert_eq!(link.counter_id, "CTR-DEMO-RO-HK");
        assert_eq!(link.prev_hash, prev);
        let (entry, hash) = a.events[0].chain_entry().unwrap();
        assert_eq!(entry.hash(), hash, "the wire event hashes as stored");
        prev = link.hash;
    }
    let listed = s.audit_since(3_000).unwrap();
    assert_eq!(
        listed.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
}

#[test]
fn an_edited_field_is_the_first_broken_link() {
    let tmp = tempfile::tempdir().unwrap();
    let s = five(tmp.path());
    s.conn
        .execute(
            "UPDATE audit_log SET subject = 'EHR000000009' WHERE seq = 3",
            [],
        )
        .unwrap();
    assert_eq!(first_break(&s), Some((3, BreakKind::Edited)));
}

#[test]
fn an_edited_row_with_its_hash_recomputed_breaks_the_next_link() {
    let tmp = tempfile::tempdir().unwrap();
    let s = five(tmp.path());
    s.conn
        .execute(
            "UPDATE audit_log SET staff_code = 'clerk02' WHERE seq = 2",
            [],
        )
        .unwrap();
    // Whoever edits it can hash it again, but not the next row's prev_hash.
    let (at, prev): (i64, Vec<u8>) = s
        .conn
        .query_row(
            "SELECT at, prev_hash FROM audit_log WHERE seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let chain_id: String = s
        .conn
        .query_row("SELECT chain_id FROM audit_chain", [], |r| r.get(0))
        .unwrap();
    let entry = ehr_protocol::audit::ChainEntry {
        chain_id: &chain_id,
        seq: 2,
        at_ms: at,
        counter_id: "CTR-DEMO-RO-HK",
        staff_code: "clerk02",
        action: "record.view",
        subject: Some("EHR000000002"),
        detail_sha256: None,
        prev_hash: prev.try_into().unwrap(),
    };
    s.conn
        .execute(
            "UPDATE audit_log SET hash = ?1 WHERE seq = 2",
            [&entry.hash()[..]],
        )
        .unwrap();
    assert_eq!(first_break(&s), Some((3, BreakKind::Edited)));
}

#[test]
fn a_deleted_row_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let s = five(tmp.path());
    s.conn
        .execute("DELETE FROM audit_log WHERE seq = 2", [])
        .unwrap();
    assert_eq!(first_break(&s), Some((2, BreakKind::Missing)));
}

#[test]
fn a_deleted_last_row_is_missing_against_the_head() {
    let tmp = tempfile::tempdir().unwrap();
    let s = five(tmp.path());
    s.conn
        .execute("DELETE FROM audit_log WHERE seq = 5", [])
        .unwrap();
    assert_eq!(first_break(&s), Some((5, BreakKind::Missing)));
}

#[test]
fn two_rows_swapped_are_out_of_order() {
    let tmp = tempfile::tempdir().unwrap();
    let s = five(tmp.path());
    // Swap the places of rows 3 and 4 (their row ids), contents intact.
    s.conn
        .execute_batch(
            "UPDATE audit_log SET id = -3 WHERE seq = 3;
             UPDATE audit_log SET id = (SELECT min(id) + 2 FROM audit_log WHERE id > 0) WHERE seq = 4;
             UPDATE audit_log SET id = (SELECT id + 1 FROM audit_log WHERE seq = 4) WHERE seq = 3;",
        )
        .unwrap();
    let order: Vec<i64> = {
        let mut st = s
            .conn
            .prepare("SELECT seq FROM audit_log ORDER BY id")
            .unwrap();
        let rows = st.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(order, vec![1, 2, 4, 3, 5]);
    assert_eq!(first_break(&s), Some((3, BreakKind::OutOfOrder)));
}

#[test]
fn a_discard_and_a_retry_are_chained_with_the_reason_hashed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.append_audit(&event(AuditAction::SignIn, "clerk01"), 1)
        .unwrap();
    let a = s.commit_change(&withdraw_change("a"), 2).unwrap()[0].id;
    let b = s.commit_change(&withdraw_change("b"), 2).unwrap()[0].id;
    attention(&mut s, &[a, b]);
    s.retry(a, "clerk01", 4).unwrap();
    s.discard(b, "super01", "form sent twice", 5).unwrap();
    let listed = s.audit_since(0).unwrap();
    let actions: Vec<_> = listed.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["staff.sign_in", "outbox.retry", "outbox.discard"]
    );
    // Counter id remembered from the sign-in's event.
    assert!(listed.iter().all(|e| e.counter_id == "CTR-DEMO-RO-HK"));
    assert_eq!(first_break(&s), None);
    // The reason is covered by the chain.
    s.conn
        .execute(
            "UPDATE audit_log SET detail = 'something else' WHERE action = 'outbox.discard'",
            [],
        )
        .unwrap();
    assert_eq!(first_break(&s), Some((3, BreakKind::Edited)));
}

#[test]
fn a_schema_1_store_is_chained_by_its_migration() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A schema-1 store with two audit rows, as the build before wrote it.
    {
        let (key, source) = crate::key::create(dir, KeyPolicy::FileOnly).unwrap();
        let mut conn = crate::open_keyed(&dir.join(crate::DB_FILE), &key).unwrap();
        crate::key::commit(dir, source).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(crate::MIGRATIONS[0]).unwrap();
        tx.execute_batch(
            "INSERT INTO audit_log (at, staff_code, action, subject, detail)
               VALUES (100, 'clerk01', 'id.reveal', 'A123***(*)', NULL);
             INSERT INTO audit_log (at, staff_code, action, subject, detail)
               VALUES (200, 'super01', 'outbox.discard', 'withdraw:x', 'typo');",
        )
        .unwrap();
        tx.pragma_update(None, "user_version", 1).unwrap();
        tx.commit().unwrap();
    }
    let mut s = open(dir);
    let report = s.verify_audit_chain().unwrap();
    assert_eq!((report.events, report.head_seq), (2, 2));
    assert_eq!(report.first_break, None);
    // The old rows are queued for the service, as one operation, in order.
    let queued = s.queued().unwrap();
    assert_eq!(queued.len(), 1);
    let batch = s.load_batch(&[queued[0].id]).unwrap().ops;
    let Operation::AuditEvents(a) = batch[0].1.op.decode().unwrap() else {
        panic!("not audit events");
    };
    assert_eq!(a.events.len(), 2);
    assert_eq!(a.events[1].chain.as_ref().unwrap().seq, 2);
    // New events continue the chain.
    s.append_audit(&event(AuditAction::SignIn, "clerk01"), 300)
        .unwrap();
    let report = s.verify_audit_chain().unwrap();
    assert_eq!((report.head_seq, report.first_break), (3, None));
    drop(s);
    // Reopened: nothing is chained or queued again.
    let s = open(dir);
    assert_eq!(s.queued().unwrap().len(), 2);
    assert_eq!(s.verify_audit_chain().unwrap().first_break, None);
}

#[test]
fn the_golden_schema_1_store_opens_chained_with_its_queue_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/outbox-v1");
    for f in ["counter.db", "store.key", "store.json"] {
        std::fs::copy(golden.join(f), tmp.path().join(f)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path().join(f), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
    }
    let s = open(tmp.path());
    let report = s.verify_audit_chain().unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.events, 0, "the golden store has no audit rows");
    assert_eq!(s.queued().unwrap().len(), 5, "the golden rows only");
}
