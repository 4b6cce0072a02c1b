use std::path::Path;

use ehr_protocol::audit::AuditAction;
use ehr_protocol::wire::batch::{DocumentImageKind, Operation, Withdraw};

use crate::documents::HELD_CAPTURE_MS;
use crate::{Change, KeyPolicy, NewAudit, NewOp, NewSlip, Store, StoreError};

fn open(dir: &Path) -> Store {
    Store::open(dir, KeyPolicy::FileOnly).unwrap()
}

fn event(action: AuditAction) -> NewAudit<'static> {
    NewAudit {
        counter_id: Some("CTR-DEMO-RO-HK"),
        staff_code: "clerk01",
        action: action.as_str(),
        subject: None,
        detail: None,
    }
}

fn withdraw_change(record: &str) -> Change {
    Change {
        record_key: record.to_owned(),
        kind: "withdrawal".to_owned(),
        summary: "Withdrawal".to_owned(),
        ops: vec![NewOp {
            op: Operation::Withdraw(Withdraw {
                ehr_number: "EHR000000001".to_owned(),
                confirmed: true,
            }),
            attachment: None,
        }],
    }
}

/// Bytes no real image starts with, easy to look for in the file.
const ORIGINAL: &[u8] = b"ORIGINAL-SCAN-BYTES-0123456789-ORIGINAL-SCAN-BYTES";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0NORMALISED-JPEG-BYTES-NORMALISED-JPEG-BYTES";

fn file_contains(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        std::fs::read(e.path())
            .map(|b| b.windows(needle.len()).any(|w| w == needle))
            .unwrap_or(false)
    })
}

#[test]
fn a_held_capture_is_encrypted_audited_and_goes_before_its_change_as_an_upload() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let (id, queued) = s
        .hold_capture(
            DocumentImageKind::SupportingDocument,
            "scanner",
            ORIGINAL,
            &event(AuditAction::DocumentCapture),
            1_000,
        )
        .unwrap();
    assert_eq!(queued.len(), 1, "the capture's audit event is queued");
    let audit = s.audit_rows("document.capture").unwrap();
    assert_eq!(audit.len(), 1);

    // Not normalised yet: a change naming it is refused, and nothing commits.
    let err = s
        .commit_change_with_captures(
            &withdraw_change("w1"),
            &[id],
            &event(AuditAction::ChangeSubmitted),
            2_000,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::CaptureNotReady), "{err:?}");
    assert!(s.record("w1").is_err(), "the refused change left no record");
    assert_eq!(s.held_captures().unwrap().len(), 1);

    s.set_capture_result(id, JPEG, b"thumb", (2480, 3508))
        .unwrap();
    let list = s.held_captures().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].image_id, id);
    assert_eq!(list[0].kind, DocumentImageKind::SupportingDocument);
    assert_eq!(list[0].bytes, Some(JPEG.len() as u64));
    assert_eq!(list[0].size, Some((2480, 3508)));
    assert_eq!(list[0].thumbnail.as_deref(), Some(&b"thumb"[..]));
    let held = s.held_capture(id).unwrap();
    assert_eq!(held.original, ORIGINAL);
    assert!(!format!("{held:?}").contains("ORIGINAL-SCAN"));

    // The file on disk never holds the bytes in the clear.
    s.probe_write(2_500).unwrap();
    assert!(!file_contains(tmp.path(), ORIGINAL));
    assert!(!file_contains(tmp.path(), JPEG));

    let queued = s
        .commit_change_with_captures(
            &withdraw_change("w1"),
            &[id],
            &event(AuditAction::ChangeSubmitted),
            3_000,
        )
        .unwrap();
    // Upload, withdrawal, audit event.
    assert_eq!(queued.len(), 3);
    assert!(s.held_captures().unwrap().is_empty(), "no longer held");
    let batch = s
        .load_batch(&queued.iter().map(|q| q.id).collect::<Vec<_>>())
        .unwrap();
    let types: Vec<_> = batch
        .ops
        .iter()
        .map(|(_, b)| b.op.decode().unwrap().type_name())
        .collect();
    assert_eq!(
        types[0], "upload_document",
        "the image goes first: {types:?}"
    );
    assert_eq!(types[1], "withdraw");
    use base64::Engine as _;
    let sent = base64::engine::general_purpose::STANDARD
        .decode(batch.ops[0].1.attachment_base64.as_deref().unwrap())
        .unwrap();
    assert_eq!(sent, JPEG, "the normalised JPEG travels, not the original");
}

#[test]
fn captures_are_dropped_with_the_task_and_purged_after_a_day() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let a = s
        .hold_capture(
            DocumentImageKind::BirthCertificate,
            "file",
            ORIGINAL,
            &event(AuditAction::DocumentCapture),
            0,
        )
        .unwrap()
        .0;
    s.hold_capture(
        DocumentImageKind::BirthCertificate,
        "file",
        ORIGINAL,
        &event(AuditAction::DocumentCapture),
        HELD_CAPTURE_MS,
    )
    .unwrap();
    assert!(s.drop_capture(a).unwrap());
    assert!(!s.drop_capture(a).unwrap(), "already gone");
    assert!(matches!(s.held_capture(a), Err(StoreError::NotFound)));
    s.hold_capture(
        DocumentImageKind::BirthCertificate,
        "file",
        ORIGINAL,
        &event(AuditAction::DocumentCapture),
        10,
    )
    .unwrap();
    // A year of retention does not keep a capture past a day.
    let year = 365 * HELD_CAPTURE_MS;
    let p = s.purge(HELD_CAPTURE_MS + 11, year).unwrap();
    assert_eq!(p.captures, 1, "only the one older than a day");
    assert_eq!(s.held_captures().unwrap().len(), 1);
    assert_eq!(s.drop_captures().unwrap(), 1);
    assert!(s.held_captures().unwrap().is_empty());
}

#[test]
fn slips_are_kept_encrypted_listed_for_today_counted_and_purged_with_retention() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let pdf = b"%PDF-1.7 SLIP-WITH-A-NAME-IN-IT CHAN TAI MAN %%EOF";
    let slip = |reference| NewSlip {
        reference,
        task: "walk_in",
        summary: "A123***(3)",
        lang: "both",
        pdf,
    };
    let old = s.keep_slip(&slip("R-OLD"), 1_000).unwrap();
    let new = s.keep_slip(&slip("R-NEW"), 5_000).unwrap();
    s.probe_write(5_001).unwrap();
    assert!(!file_contains(tmp.path(), b"CHAN TAI MAN"), "encrypted");

    let today = s.slips_since(4_000).unwrap();
    assert_eq!(today.len(), 1);
    assert_eq!(today[0].id, new);
    assert_eq!(today[0].reference, "R-NEW");
    assert_eq!(today[0].bytes, pdf.len() as u64);
    assert_eq!(s.slips_since(0).unwrap().len(), 2);

    assert_eq!(s.slip_pdf(new).unwrap(), ("R-NEW".to_owned(), pdf.to_vec()));
    s.slip_printed(new, 6_000).unwrap();
    s.slip_printed(new, 7_000).unwrap();
    assert_eq!(s.slips_since(4_000).unwrap()[0].prints, 2);
    assert!(matches!(s.slip_printed(999, 1), Err(StoreError::NotFound)));

    let p = s.purge(10_000, 6_000).unwrap();
    assert_eq!(p.slips, 1);
    assert!(matches!(s.slip_pdf(old), Err(StoreError::NotFound)));
    assert!(s.slip_pdf(new).is_ok());
}
