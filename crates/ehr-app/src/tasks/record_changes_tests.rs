#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

//! A record's life after registration through the app crate (issue #15,
//! items 4 and 5), against the reference central service in-process over
//! real HTTP on loopback, on set clocks: a child kept by a parent takes the
//! record over once 16 (refused the day before, said before the person
//! leaves), then changes their contact and asks for a new access key, then
//! corrects their particulars from their document with its image.

use ehr_domain::lifecycle::registration::Identifier;
use ehr_domain::{DocumentNumber, DocumentType};
use ehr_protocol::card::ManualIdentityRequest;
use ehr_protocol::ipc::CaptureKind;
use ehr_protocol::task::{TaskEvent, TaskKind, TaskStage};
use ehr_protocol::wire::{Language, NotificationChannel, NotificationChoice};

use super::test_support::{drained, hkic as number, needs, sign_in};
use crate::staff::service_tests::Rig;

const DAY: i64 = 86_400;

/// The child's own identity card (the birth certificate's number).
fn card(number: &str, dob: &str) -> ManualIdentityRequest {
    ManualIdentityRequest {
        document_type: "hkic".into(),
        document_number: number.into(),
        surname: "MAK".into(),
        given_names: "TSZ YAN".into(),
        chinese_name: String::new(),
        date_of_birth: dob.into(),
        sex: "F".into(),
    }
}

/// Both clocks on by `days`; the clerk signs in again.
fn days_later(r: &Rig, days: i64) {
    r.clock.set_ms(r.clock.now_ms() + days * DAY * 1000);
    r.central_clock.advance(days * DAY);
    sign_in(&r.app, "clerk01");
}

#[test]
fn a_child_takes_over_at_16_then_changes_contact_key_and_particulars() {
    let r = Rig::at("HA-QEH", &[]);
    sign_in(&r.app, "clerk01");
    let today = r.central_today();
    // Sixteen in two days.
    // (A 29 February would turn over on 1 March: not today's case.)
    let dob = ehr_domain::Date::new(today.year() - 16, today.month(), today.day().min(28))
        .unwrap()
        .add_days(2)
        .unwrap();
    let child = number("M556677");
    let parent = number("P556678");
    // Registered by a parent years ago with the birth certificate.
    let ehr = r.central_write(|tx| {
        let bc = DocumentNumber::parse(DocumentType::HkBirthCertificate, &child).unwrap();
        let parent = DocumentNumber::parse(DocumentType::Hkic, &parent).unwrap();
        ehr_central::records::register(
            tx,
            ehr_central::records::NewRecord {
                identifier: Identifier::Document { number: bc },
                person: ehr_central::records::RecordPerson {
                    surname: "MAK".into(),
                    given_names: "TSZ YAN".into(),
                    chinese_name: None,
                    date_of_birth: dob.to_string(),
                    sex: None,
                },
                notification: &NotificationChoice {
                    channel: NotificationChannel::Sms,
                    language: Language::Zh,
                    address: "91234567".into(),
                },
                private_consents: &["PP-0001".into(), "PP-0002".into()],
                settled_application: None,
                flags: Vec::new(),
                sdm: Some(ehr_central::records::RecordSdm::new("parent", &parent)),
                images: Vec::new(),
                today: dob.add_days(30).unwrap(),
            },
        )
        .unwrap()
        .unwrap()
    });

    // The child's own card finds the record (its birth certificate's
    // number), with the take-over offered.
    let id = card(&child, &dob.to_string());
    let v = r.app.task_from_manual(&id).unwrap();
    assert!(v.offers.contains(&"take_over".to_owned()), "{:?}", v.offers);
    let found = v.lookup.as_ref().unwrap();
    assert_eq!(found.records.len(), 1);
    assert_eq!(found.records[0].ehr_number, ehr);
    let v = r
        .app
        .task_event(&TaskEvent::TakeOver {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!((v.kind, v.stage), (TaskKind::TakeOver, TaskStage::Details));
    let mut form = v.take_over.clone().unwrap();
    assert_eq!(form.consents, vec!["PP-0001", "PP-0002"]);
    form.consents = vec!["PP-0002".into(), "PP-0003".into()];
    form.channel = "email".into();
    form.language = "en".into();
    form.address = "yan@example.org".into();
    let v = r
        .app
        .task_event(&TaskEvent::EditTakeOver { form: form.clone() })
        .unwrap();
    let n = needs(&v);
    // Still 15: said now, before the person leaves; nothing is queued.
    assert!(
        n.contains(&"presented.date_of_birth:eligibility.sdm_required_under_16".to_owned()),
        "{n:?}"
    );
    assert!(
        n.contains(&"declaration:field.required".to_owned()),
        "{n:?}"
    );
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert_eq!(r.app.sync_status().unwrap().queued, 0);
    r.app.task_finish();

    // Two days later: sixteen.
    days_later(&r, 2);
    r.app.task_from_manual(&id).unwrap();
    r.app
        .task_event(&TaskEvent::TakeOver {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    form.declaration = true;
    let v = r
        .app
        .task_event(&TaskEvent::EditTakeOver { form: form.clone() })
        .unwrap();
    assert!(needs(&v).is_empty(), "{:?}", needs(&v));
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    assert!(v.result.is_some());
    r.app.task_finish();
    drained(&r.app);
    let taken = r.central_read(|tx| ehr_central::records::get(tx, &ehr).unwrap().unwrap());
    assert!(taken.sdm.is_none());
    assert!(matches!(taken.lifecycle.identifier(),
        Identifier::Document { number } if number.doc_type() == DocumentType::Hkic));
    assert_eq!(
        taken.notification.as_ref().unwrap().channel,
        NotificationChannel::Email
    );
    let wire = ehr_central::records::to_wire(&taken);
    let state = |id: &str| {
        wire.consents
            .iter()
            .find(|c| c.provider_id == id)
            .map(|c| serde_json::to_value(c.state).unwrap())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    assert_eq!(state("PP-0001"), "revoked");
    assert_eq!(state("PP-0002"), "given");
    assert_eq!(state("PP-0003"), "given");

    // The take-over is no longer offered on the record: a second one is
    // refused before anything is queued.
    r.app.task_from_manual(&id).unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::TakeOver {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!(v.kind, TaskKind::Lookup);
    assert_eq!(v.errors[0].code, "conflict.not_kept_by_sdm");

    // Contact changed and a new key by the new channel, in one change.
    let v = r
        .app
        .task_event(&TaskEvent::ChangeContact {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!((v.kind, v.stage), (TaskKind::Contact, TaskStage::Details));
    assert_eq!(v.record_contact.as_ref().unwrap().0, "email");
    assert!(!format!("{:?}", v.record_contact).contains("yan@"));
    assert_eq!(needs(&v), vec!["contact_change:field.required"]);
    let mut c = v.contact_change.clone().unwrap();
    c.change_contact = true;
    c.channel = "sms".into();
    c.address = "123".into();
    c.resend_key = true;
    let v = r
        .app
        .task_event(&TaskEvent::EditContact { form: c.clone() })
        .unwrap();
    assert_eq!(needs(&v), vec!["notification.address:field.format"]);
    c.address = "61234567".into();
    r.app
        .task_event(&TaskEvent::EditContact { form: c })
        .unwrap();
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    r.app.task_finish();
    drained(&r.app);
    let outbox = |address: &str| -> i64 {
        r.central_read(|tx| {
            tx.query_row(
                "SELECT count(*) FROM notification_outbox WHERE ehr_number = ?1 AND address = ?2",
                [&ehr, address],
                |row| row.get(0),
            )
            .unwrap()
        })
    };
    // The take-over's key to the email; the new one to the new number.
    assert_eq!(outbox("yan@example.org"), 1);
    assert_eq!(outbox("61234567"), 1);

    // Particulars corrected from the card, with its image as the proof.
    r.app.task_from_manual(&id).unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::ChangeParticulars {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!(v.kind, TaskKind::Particulars);
    let mut p = v.particulars.clone().unwrap();
    assert_eq!(p.document_type, "hkic");
    let n = needs(&v);
    assert!(
        n.contains(&"document_image:field.required".to_owned()),
        "{n:?}"
    );
    assert!(
        n.contains(&"declaration:field.required".to_owned()),
        "{n:?}"
    );
    // Someone else's document is said at once.
    p.document_number = parent.clone();
    p.declaration = true;
    let v = r
        .app
        .task_event(&TaskEvent::EditParticulars { form: p.clone() })
        .unwrap();
    assert!(
        needs(&v).contains(&"person.document_number:conflict.document_mismatch".to_owned()),
        "{:?}",
        needs(&v)
    );
    p.document_number = child.clone();
    p.surname = "MAK-LEUNG".into();
    r.app
        .task_event(&TaskEvent::EditParticulars { form: p })
        .unwrap();
    let png = crate::documents::app_tests::page_png(400, 300);
    let cap = r.app.capture_bytes(&png, "patient_document_copy").unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Attach {
            kind: CaptureKind::PatientDocumentCopy,
            image_id: cap.image_id,
        })
        .unwrap();
    assert!(needs(&v).is_empty(), "{:?}", needs(&v));
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    r.app.task_finish();
    drained(&r.app);
    let rec = r.central_read(|tx| ehr_central::records::get(tx, &ehr).unwrap().unwrap());
    assert_eq!(rec.person.surname, "MAK-LEUNG");
    let linked: i64 = r.central_read(|tx| {
        tx.query_row(
            "SELECT count(*) FROM document_images WHERE record_ehr_number = ?1",
            [&ehr],
            |row| row.get(0),
        )
        .unwrap()
    });
    assert_eq!(linked, 1);
    // Each change was sent once: nothing left, nothing on attention.
    let status = r.app.sync_status().unwrap();
    assert_eq!((status.queued, status.attention), (0, 0));
}
