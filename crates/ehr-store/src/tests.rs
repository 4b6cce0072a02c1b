use super::*;
use ehr_protocol::wire::batch::{
    AuditEvent, AuditEvents, DocumentImageKind, OpEffect, UploadDocument, Withdraw,
};
use ehr_protocol::wire::records::RecordState;

fn open(dir: &Path) -> Store {
    Store::open(dir, KeyPolicy::FileOnly).unwrap()
}

fn withdraw(n: u32) -> NewOp {
    NewOp {
        op: Operation::Withdraw(Withdraw {
            ehr_number: format!("EHR{n:09}"),
            confirmed: true,
        }),
        attachment: None,
    }
}

fn change(record: &str, ops: Vec<NewOp>) -> Change {
    Change {
        record_key: record.to_owned(),
        kind: "withdrawal".to_owned(),
        summary: format!("Withdrawal {record}"),
        ops,
    }
}

fn registered(n: &str) -> Outcome {
    Outcome::Applied {
        result: OpEffect::Registered {
            ehr_number: n.to_owned(),
            state: RecordState::Effective,
            settled_application: None,
        },
    }
}

#[test]
fn a_new_store_is_encrypted_keyed_from_a_private_file_and_reopens() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let v = s.verify().unwrap();
    assert_eq!(v.integrity, "ok");
    assert!(!v.cipher_version.is_empty());
    assert!(v.cipher_pages_ok);
    assert_eq!(v.schema_version, schema_version());
    assert_eq!(v.key_source, KeySource::File);
    s.commit_change(&change("r1", vec![withdraw(1)]), 1_000)
        .unwrap();
    drop(s);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tmp.path().join(key::KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Not a plain SQLite file: the header is encrypted too.
    let head = std::fs::read(tmp.path().join(DB_FILE)).unwrap();
    assert!(!head.starts_with(b"SQLite format 3"));

    let s = open(tmp.path());
    assert_eq!(s.queued().unwrap().len(), 1);
}

#[test]
fn a_wrong_or_missing_key_is_refused_and_the_database_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.commit_change(&change("r1", vec![withdraw(1)]), 1)
        .unwrap();
    drop(s);
    let db = tmp.path().join(DB_FILE);
    let before = std::fs::read(&db).unwrap();
    let keyfile = tmp.path().join(key::KEY_FILE);
    let good = std::fs::read_to_string(&keyfile).unwrap();

    std::fs::write(&keyfile, "0".repeat(64)).unwrap();
    assert!(matches!(
        Store::open(tmp.path(), KeyPolicy::FileOnly),
        Err(StoreError::WrongKey)
    ));
    std::fs::write(&keyfile, "not hex").unwrap();
    assert!(matches!(
        Store::open(tmp.path(), KeyPolicy::FileOnly),
        Err(StoreError::WrongKey)
    ));
    std::fs::remove_file(&keyfile).unwrap();
    let err = Store::open(tmp.path(), KeyPolicy::Auto).unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing));
    assert_eq!(err.code(), ErrorCode::StoreKeyMissing);
    assert_eq!(std::fs::read(&db).unwrap(), before, "database untouched");
    assert!(!keyfile.exists(), "no new key was made");

    std::fs::write(&keyfile, good).unwrap();
    assert_eq!(open(tmp.path()).queued().unwrap().len(), 1);
}

#[test]
fn a_lost_database_is_not_replaced_by_an_empty_one() {
    let tmp = tempfile::tempdir().unwrap();
    drop(open(tmp.path()));
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(tmp.path().join(format!("{DB_FILE}{f}")));
    }
    assert!(matches!(
        Store::open(tmp.path(), KeyPolicy::FileOnly),
        Err(StoreError::DatabaseMissing)
    ));
    assert!(!tmp.path().join(DB_FILE).exists());
}

#[test]
fn a_newer_schema_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let s = open(tmp.path());
    s.conn.pragma_update(None, "user_version", 99).unwrap();
    drop(s);
    match Store::open(tmp.path(), KeyPolicy::FileOnly) {
        Err(StoreError::NewerSchema { found, known }) => {
            assert_eq!((found, known), (99, schema_version()));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

#[test]
fn a_key_file_left_readable_by_others_is_tightened() {
    let tmp = tempfile::tempdir().unwrap();
    drop(open(tmp.path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let kf = tmp.path().join(key::KEY_FILE);
        std::fs::set_permissions(&kf, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(open(tmp.path()));
        let mode = std::fs::metadata(&kf).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_change_and_its_rows_commit_together_with_sequences_and_images() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let image = Uuid::new_v4();
    let png = b"\x89PNG\r\n\x1a\nimage-bytes".to_vec();
    let q = s
        .commit_change(
            &change(
                "r1",
                vec![
                    NewOp {
                        op: Operation::UploadDocument(UploadDocument {
                            image_id: image,
                            kind: DocumentImageKind::PatientDocumentCopy,
                            data_base64: String::new(),
                        }),
                        attachment: Some(png.clone()),
                    },
                    withdraw(1),
                ],
            ),
            10,
        )
        .unwrap();
    assert_eq!(q.len(), 2);
    assert!(q[0].id < q[1].id);
    assert!(q[0].bytes > png.len() as u64);
    let q2 = s
        .commit_change(&change("r1", vec![withdraw(2)]), 11)
        .unwrap();
    let loaded = s.load_batch(&[q[0].id, q[1].id, q2[0].id]).unwrap();
    assert!(loaded.unsendable.is_empty());
    let batch = loaded.ops;
    let seqs: Vec<u64> = batch.iter().map(|(_, b)| b.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert!(batch.iter().all(|(_, b)| b.v == ENVELOPE_VERSION));
    // The image travels beside the operation, whose own data stays empty.
    match batch[0].1.op.decode().unwrap() {
        Operation::UploadDocument(u) => assert!(u.data_base64.is_empty()),
        other => panic!("expected an upload, got {other:?}"),
    }
    use base64::Engine as _;
    let sent = batch[0].1.attachment_base64.as_deref().unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(sent)
            .unwrap(),
        png
    );
    assert_eq!(batch[1].1.attachment_base64, None);
    let keys: std::collections::HashSet<_> = batch.iter().map(|(_, b)| b.idempotency_key).collect();
    assert_eq!(keys.len(), 3, "each row has its own key");
    // The same rows load with the same keys and the same bytes every time
    // (a retry resends them as they were queued).
    let again = s.load_batch(&[q[0].id, q[1].id]).unwrap().ops;
    assert_eq!(again[0].1, batch[0].1);
    assert_eq!(again[1].1, batch[1].1);
}

#[test]
fn rows_that_can_never_be_sent_are_set_apart_with_their_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let a = s.commit_change(&change("a", vec![withdraw(1)]), 1).unwrap()[0].id;
    let b = s.commit_change(&change("b", vec![withdraw(2)]), 2).unwrap()[0].id;
    let c = s.commit_change(&change("c", vec![withdraw(3)]), 3).unwrap()[0].id;
    let d = s.commit_change(&change("d", vec![withdraw(4)]), 4).unwrap()[0].id;
    // A row an older or damaged build wrote that this one cannot read, one
    // that is not JSON at all, and one larger than any batch may be.
    s.conn
        .execute(
            "UPDATE outbox SET op = '{\"type\":\"no_such_op\"}' WHERE id = ?1",
            [a],
        )
        .unwrap();
    s.conn
        .execute("UPDATE outbox SET op = 'not json' WHERE id = ?1", [b])
        .unwrap();
    s.conn
        .execute(
            "UPDATE outbox SET bytes = ?2 WHERE id = ?1",
            params![c, (ehr_protocol::wire::batch::MAX_OP_BYTES + 1) as i64],
        )
        .unwrap();
    let loaded = s.load_batch(&[a, b, c, d]).unwrap();
    assert_eq!(
        loaded.unsendable,
        vec![
            (a, ErrorCode::OutboxUndecodable),
            (b, ErrorCode::OutboxUndecodable),
            (c, ErrorCode::OutboxTooLarge)
        ]
    );
    let sent: Vec<OpId> = loaded.ops.iter().map(|(id, _)| *id).collect();
    assert_eq!(sent, vec![d]);
}

#[test]
fn a_failed_change_leaves_no_row_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let image = Uuid::new_v4();
    let upload = || NewOp {
        op: Operation::UploadDocument(UploadDocument {
            image_id: image,
            kind: DocumentImageKind::BirthCertificate,
            data_base64: String::new(),
        }),
        attachment: Some(vec![1, 2, 3]),
    };
    s.commit_change(&change("r1", vec![upload()]), 1).unwrap();
    // The same image id again fails on the attachments' primary key, after
    // its outbox row was inserted: the whole change rolls back.
    assert!(s
        .commit_change(&change("r2", vec![withdraw(1), upload()]), 2)
        .is_err());
    assert_eq!(s.queued().unwrap().len(), 1);
    assert!(s.record("r2").is_err());
}

#[test]
fn answers_mark_rows_done_or_for_attention_and_records_follow() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let a = s.commit_change(&change("a", vec![withdraw(1)]), 1).unwrap();
    let b = s.commit_change(&change("b", vec![withdraw(2)]), 2).unwrap();
    s.record_results(
        &[
            (a[0].id, Resolution::Done(registered("EHR-1"))),
            (
                b[0].id,
                Resolution::Attention {
                    code: "conflict.record_withdrawn".into(),
                    outcome: Some(Outcome::conflict(ErrorCode::ConflictRecordWithdrawn)),
                },
            ),
        ],
        100,
    )
    .unwrap();
    assert_eq!(
        s.record("a").unwrap(),
        ("synced".into(), Some("EHR-1".into()))
    );
    assert_eq!(s.record("b").unwrap().0, "attention");
    let st = s.stats().unwrap();
    assert_eq!((st.queued, st.attention, st.done), (0, 1, 1));
    assert_eq!(st.last_success_at_ms, Some(100));
    let items = s.attention_items().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].code, ErrorCode::ConflictRecordWithdrawn);
    assert_eq!(items[0].summary, "Withdrawal b");
    assert!(!items[0].reason_zh.is_empty());
    // Answers for rows no longer queued change nothing.
    s.record_results(&[(a[0].id, Resolution::Done(registered("EHR-2")))], 200)
        .unwrap();
    assert_eq!(s.record("a").unwrap().1, Some("EHR-1".into()));
}

#[test]
fn a_retry_gets_a_new_key_and_sequences_above_all_used() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let first = s.commit_change(&change("r", vec![withdraw(1)]), 1).unwrap()[0].id;
    let later = s.commit_change(&change("r", vec![withdraw(2)]), 2).unwrap()[0].id;
    let (old_key, old_seq, _) = s.row(first).unwrap();
    assert_eq!(old_seq, 1);
    assert!(matches!(
        s.retry(first, "clerk01", 3),
        Err(StoreError::NotAttention)
    ));
    s.record_results(
        &[(
            first,
            Resolution::Attention {
                code: "conflict.record_not_found".into(),
                outcome: Some(Outcome::conflict(ErrorCode::ConflictRecordNotFound)),
            },
        )],
        4,
    )
    .unwrap();
    let (q, audit) = s.retry(first, "clerk01", 5).unwrap();
    assert_eq!(audit.len(), 1, "the retry's audit event is queued");
    assert_eq!(q.id, first);
    let (new_key, new_seq, state) = s.row(first).unwrap();
    assert_ne!(new_key, old_key);
    assert_eq!((new_seq, state.as_str()), (3, "queued"));
    assert_eq!(s.row(later).unwrap().1, 4, "the later row follows");
    assert_eq!(s.audit_rows("outbox.retry").unwrap().len(), 1);
    assert!(matches!(
        s.retry(9999, "clerk01", 6),
        Err(StoreError::NotFound)
    ));
}

#[test]
fn a_discard_needs_a_reason_and_is_audited_locally_and_centrally() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let id = s.commit_change(&change("r", vec![withdraw(1)]), 1).unwrap()[0].id;
    s.record_results(
        &[(
            id,
            Resolution::Attention {
                code: "conflict.record_withdrawn".into(),
                outcome: None,
            },
        )],
        2,
    )
    .unwrap();
    assert!(matches!(
        s.discard(id, "super01", "  ", 3),
        Err(StoreError::ReasonRequired)
    ));
    let audit = s.discard(id, "super01", "duplicate form", 3).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(s.row(id).unwrap().2, "discarded");
    assert_eq!(s.record("r").unwrap().0, "discarded");
    let rows = s.audit_rows("outbox.discard").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "super01");
    assert_eq!(rows[0].2.as_deref(), Some("duplicate form"));
    let batch = s.load_batch(&[audit[0].id]).unwrap().ops;
    match &batch[0].1.op.decode().unwrap() {
        Operation::AuditEvents(AuditEvents { events }) => {
            assert_eq!(events.len(), 1);
            let AuditEvent {
                action,
                subject,
                actor,
                ..
            } = &events[0];
            assert_eq!(action, "outbox.discard");
            assert_eq!(actor.as_deref(), Some("super01"));
            assert!(subject.as_deref().unwrap().starts_with("withdraw:"));
        }
        other => panic!("expected audit events, got {other:?}"),
    }
    assert!(matches!(
        s.discard(id, "super01", "again", 4),
        Err(StoreError::NotAttention)
    ));
}

#[test]
fn done_rows_and_expired_cache_entries_are_purged_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let a = s.commit_change(&change("a", vec![withdraw(1)]), 1).unwrap()[0].id;
    let b = s.commit_change(&change("b", vec![withdraw(2)]), 1).unwrap()[0].id;
    s.record_results(&[(a, Resolution::Done(registered("E1")))], 1_000)
        .unwrap();
    s.cache_put("app:1", "{}", 500, 1_000).unwrap();
    s.cache_put("app:2", "{}", 5_000, 1_000).unwrap();
    assert_eq!(s.cache_get("app:1", 1_400).unwrap().as_deref(), Some("{}"));
    assert_eq!(
        s.cache_get("app:1", 1_500).unwrap(),
        None,
        "expired is not served"
    );

    let p = s.purge(1_500, 1_000).unwrap();
    assert_eq!(
        p,
        Purged {
            done: 0,
            records: 0,
            cache: 1,
            slips: 0,
            captures: 0,
            drafts: 0,
        }
    );
    let p = s.purge(2_001, 1_000).unwrap();
    assert_eq!(
        p,
        Purged {
            done: 1,
            records: 1,
            cache: 0,
            slips: 0,
            captures: 0,
            drafts: 0,
        }
    );
    assert!(s.row(a).is_err());
    assert!(
        s.record("a").is_err(),
        "the synced record and its summary are gone"
    );
    assert_eq!(s.record("b").unwrap().0, "queued");
    assert_eq!(
        s.row(b).unwrap().2,
        "queued",
        "queued rows are never purged"
    );
    // The sequence survives the purge.
    let c = s.commit_change(&change("a", vec![withdraw(3)]), 3).unwrap()[0].id;
    assert_eq!(s.row(c).unwrap().1, 2);
    s.cache_remove("app:2").unwrap();
    assert_eq!(s.cache_get("app:2", 1_001).unwrap(), None);
}

#[test]
fn the_files_hold_no_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let marker = "WONG, Siu Ming Z987654(3) 黃小明";
    s.commit_change(
        &Change {
            record_key: "w1".into(),
            kind: "walk_in".into(),
            summary: marker.into(),
            ops: vec![withdraw(1)],
        },
        1,
    )
    .unwrap();
    s.cache_put("lookup", marker, 1_000_000, 1).unwrap();
    for f in s.files() {
        if let Ok(bytes) = std::fs::read(&f) {
            for needle in ["WONG", "Z987654", "黃小明", "EHR000000001"] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle} in plain text in {}",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn an_empty_change_is_refused_and_debug_output_names_no_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let empty = change("r", vec![]);
    assert!(matches!(
        s.commit_change(&empty, 1),
        Err(StoreError::EmptyChange)
    ));
    assert!(s.record("r").is_err());
    let mut c = change("r", vec![withdraw(1)]);
    c.summary = "CHAN, Tai Man A123***(3)".into();
    let shown = format!("{c:?}");
    assert!(shown.contains("withdraw") && !shown.contains("CHAN") && !shown.contains("EHR"));
}

#[test]
fn a_new_change_to_a_record_waiting_for_a_clerk_keeps_it_on_the_list() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let id = s.commit_change(&change("r", vec![withdraw(1)]), 1).unwrap()[0].id;
    s.record_results(
        &[(
            id,
            Resolution::Attention {
                code: "conflict.record_withdrawn".into(),
                outcome: None,
            },
        )],
        2,
    )
    .unwrap();
    s.commit_change(&change("r", vec![withdraw(2)]), 3).unwrap();
    assert_eq!(s.record("r").unwrap().0, "attention");
}

#[test]
fn two_processes_opening_a_new_folder_at_once_share_one_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let opened: Vec<_> = (0..4)
        .map(|_| {
            let d = dir.clone();
            std::thread::spawn(move || Store::open(&d, KeyPolicy::FileOnly).map(|s| s.key_source()))
        })
        .collect();
    for h in opened {
        assert_eq!(h.join().unwrap().unwrap(), KeySource::File);
    }
    let mut s = open(&dir);
    s.commit_change(&change("r", vec![withdraw(1)]), 1).unwrap();
    drop(s);
    assert_eq!(open(&dir).queued().unwrap().len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(DB_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the database file is private too");
    }
}

#[test]
fn a_retry_of_an_operation_the_service_never_judged_keeps_its_key() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let id = s.commit_change(&change("r", vec![withdraw(1)]), 1).unwrap()[0].id;
    let (key, seq, _) = s.row(id).unwrap();
    // A whole-request refusal: no per-operation outcome.
    s.record_results(
        &[(
            id,
            Resolution::Attention {
                code: "request.too_large".into(),
                outcome: None,
            },
        )],
        2,
    )
    .unwrap();
    s.retry(id, "clerk01", 3).unwrap();
    assert_eq!(s.row(id).unwrap(), (key, seq, "queued".to_owned()));
}
