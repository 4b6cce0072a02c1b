use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::ErrorCode;

fn person() -> PersonDetails {
    PersonDetails {
        document_type: "hkic".into(),
        document_number: "A123456(3)".into(),
        surname: "CHAN".into(),
        given_names: "Tai Man".into(),
        chinese_name: Some("陳大文".into()),
        date_of_birth: "1980-01-02".into(),
        sex: Some(Sex::Male),
    }
}

#[test]
fn batch_op_wire_form() {
    let key = Uuid::from_u128(7);
    let op = BatchOp::new(
        key,
        "rec-1",
        1,
        &Operation::Withdraw(Withdraw {
            ehr_number: "E1".into(),
            confirmed: true,
        }),
    );
    let v = serde_json::to_value(&op).unwrap();
    assert_eq!(
        v,
        json!({
            "v": 2,
            "idempotency_key": key.to_string(),
            "record_key": "rec-1",
            "seq": 1,
            "op": {"type": "withdraw", "ehr_number": "E1", "confirmed": true}
        })
    );
    let back: BatchOp = serde_json::from_str(&serde_json::to_string(&op).unwrap()).unwrap();
    assert_eq!(back, op);
    assert_eq!(back.op.decode().unwrap().type_name(), "withdraw");
}

#[test]
fn an_envelope_without_a_version_is_format_1() {
    let back: BatchOp = serde_json::from_value(json!({
        "idempotency_key": Uuid::from_u128(7).to_string(),
        "record_key": "rec-1",
        "seq": 1,
        "op": {"type": "withdraw", "ehr_number": "E1", "confirmed": true}
    }))
    .unwrap();
    assert_eq!((back.v, back.attachment_base64), (1, None));
}

#[test]
fn the_operation_travels_as_the_bytes_it_was_queued_with() {
    // Field order, spacing and a field this build does not know: kept as
    // they were, byte for byte, through a parse and a re-serialisation of
    // the envelope.
    let queued = r#"{ "confirmed":true, "type":"withdraw","ehr_number":"E1","later_field":1}"#;
    let env = format!(
        r#"{{"v":2,"idempotency_key":"{}","record_key":"r","seq":3,"op":{queued}}}"#,
        Uuid::from_u128(9)
    );
    let op: BatchOp = serde_json::from_str(&env).unwrap();
    assert_eq!(op.op.as_str(), queued);
    let again = serde_json::to_string(&op).unwrap();
    assert!(again.contains(queued), "{again}");
    assert_eq!(op.op.decode().unwrap().type_name(), "withdraw");
    assert!(QueuedOperation::from_json("{not json".into()).is_err());
    let bad = QueuedOperation::from_json(r#"{"type":"no_such_op"}"#.into()).unwrap();
    assert!(bad.decode().is_err());
}

#[test]
fn debug_of_operations_and_envelopes_shows_no_particulars() {
    let ops = [
        Operation::RegisterInPerson(RegisterInPerson {
            patient: person(),
            capacity: "capable".into(),
            applicant: ApplicantDetails::SelfApplicant {},
            no_higher_tier_declared: false,
            supporting_document_image: None,
            patient_document_copy_image: None,
            notification: NotificationChoice {
                channel: NotificationChannel::Sms,
                language: Language::Zh,
                address: "91234567".into(),
            },
            private_provider_consents: Vec::new(),
            supervisor_sign_off: Some("TOKENSECRET".into()),
            transacted_at: Some("2026-06-29T17:05:00+08:00".into()),
        }),
        Operation::CompleteNewborn(CompleteNewborn {
            ehr_number: "E1".into(),
            birth_certificate_number: "A123456(3)".into(),
            surname: "CHAN".into(),
            given_names: "Tai Man".into(),
            chinese_name: Some("陳大文".into()),
            certificate_image: Uuid::from_u128(1),
            transacted_at: None,
        }),
        Operation::UploadDocument(UploadDocument {
            image_id: Uuid::from_u128(2),
            kind: DocumentImageKind::BirthCertificate,
            data_base64: "SECRETIMAGEBYTES".into(),
        }),
    ];
    for op in &ops {
        let mut env = BatchOp::new(Uuid::from_u128(3), "r", 1, op);
        env.attachment_base64 = Some("SECRETIMAGEBYTES".into());
        let req = BatchRequest {
            ops: vec![env.clone()],
        };
        for shown in [
            format!("{op:?}"),
            format!("{op:#?}"),
            format!("{env:?}"),
            format!("{req:#?}"),
            format!("{:?}", env.op),
        ] {
            for secret in [
                "A123456",
                "CHAN",
                "Tai Man",
                "陳大文",
                "91234567",
                "1980-01-02",
                "SECRETIMAGEBYTES",
                "TOKENSECRET",
            ] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
            assert!(shown.contains(op.type_name()) || shown.contains("BatchRequest"));
        }
    }
}

#[test]
fn every_operation_tag_matches_type_name() {
    let img = Uuid::from_u128(1);
    let notification = NotificationChoice {
        channel: NotificationChannel::Sms,
        language: Language::Zh,
        address: "91234567".into(),
    };
    let ops = vec![
        Operation::ActivateApplication(ActivateApplication {
            reference: "R".into(),
            presented: person(),
            read_source: ReadSource::Card,
            attendee: None,
            patient_document_copy_image: None,
            supervisor_sign_off: None,
            transacted_at: Some("2026-06-29T17:05:00+08:00".into()),
            notification: None,
        }),
        Operation::RegisterInPerson(RegisterInPerson {
            patient: person(),
            capacity: "capable".into(),
            applicant: ApplicantDetails::SelfApplicant {},
            no_higher_tier_declared: false,
            supporting_document_image: None,
            patient_document_copy_image: None,
            notification: notification.clone(),
            private_provider_consents: vec![],
            supervisor_sign_off: None,
            transacted_at: None,
        }),
        Operation::KeyPaperApplication(KeyPaperApplication {
            origin: Origin::PaperPost,
            received_on: "2026-01-01".into(),
            patient: person(),
            capacity: "capable".into(),
            applicant: ApplicantDetails::AuthorisedPerson { person: person() },
            notification: notification.clone(),
            private_provider_consents: vec!["P1".into()],
            supervisor_sign_off: Some("super01".into()),
            transacted_at: None,
            form_image: Some(img),
            work_item: None,
        }),
        Operation::RegisterNewborn(RegisterNewborn {
            hospital_code: "QMH".into(),
            serial: "S1".into(),
            date_of_birth: "2026-01-01".into(),
            time_of_birth: "10:30".into(),
            sex: Sex::Female,
            surname: None,
            given_names: None,
            chinese_name: None,
            parent: person(),
            relationship: "parent".into(),
            certifying_document_image: img,
            notification,
            transacted_at: None,
        }),
        Operation::CompleteNewborn(CompleteNewborn {
            ehr_number: "E".into(),
            birth_certificate_number: "A1234563".into(),
            surname: "CHAN".into(),
            given_names: String::new(),
            chinese_name: None,
            certificate_image: img,
            transacted_at: None,
        }),
        Operation::GiveConsent(ConsentChange {
            ehr_number: "E".into(),
            provider_ids: vec!["P1".into()],
        }),
        Operation::RevokeConsent(ConsentChange {
            ehr_number: "E".into(),
            provider_ids: vec!["P1".into()],
        }),
        Operation::Withdraw(Withdraw {
            ehr_number: "E".into(),
            confirmed: true,
        }),
        Operation::UploadDocument(UploadDocument {
            image_id: img,
            kind: DocumentImageKind::BirthCertificate,
            data_base64: "AAAA".into(),
        }),
        Operation::AuditEvents(AuditEvents {
            events: vec![AuditEvent {
                at: "2026-01-01T00:00:00Z".into(),
                action: "id.reveal".into(),
                subject: None,
                actor: Some("super01".into()),
                chain: None,
            }],
        }),
    ];
    for op in ops {
        let v = serde_json::to_value(&op).unwrap();
        assert_eq!(v["type"], op.type_name());
        let back: Operation = serde_json::from_value(v).unwrap();
        assert_eq!(back, op);
    }
}

#[test]
fn outcomes_wire_form() {
    let applied = Outcome::Applied {
        result: OpEffect::Registered {
            ehr_number: "E1".into(),
            state: RecordState::Effective,
            settled_application: None,
        },
    };
    let v = serde_json::to_value(&applied).unwrap();
    assert_eq!(v["status"], "applied");
    assert_eq!(v["result"]["kind"], "registered");
    assert_eq!(v["result"]["state"], "effective");
    let c = Outcome::conflict(ErrorCode::ConflictAlreadyActivated);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["status"], "conflict");
    assert_eq!(v["code"], "conflict.already_activated");
    assert!(v["reason_zh"].as_str().unwrap().contains("啟動"));
    assert_eq!(c.status(), "conflict");
    let r = Outcome::Rejected {
        field_errors: vec![FieldError {
            field: "patient.document_number".into(),
            code: "id.check_digit".into(),
            message_en: "x".into(),
            message_zh: "y".into(),
        }],
    };
    assert_eq!(serde_json::to_value(&r).unwrap()["status"], "rejected");
}

#[test]
fn applicant_roles() {
    let v = serde_json::to_value(ApplicantDetails::SelfApplicant {}).unwrap();
    assert_eq!(v, json!({"role": "self"}));
    let sdm = ApplicantDetails::Sdm {
        relationship: "parent".into(),
        person: person(),
    };
    let v = serde_json::to_value(&sdm).unwrap();
    assert_eq!(v["role"], "sdm");
    assert_eq!(sdm.role(), ApplicantRole::Sdm);
    let back: ApplicantDetails = serde_json::from_value(json!({"role": "self"})).unwrap();
    assert_eq!(back.role(), ApplicantRole::SelfApplicant);
    assert_eq!(
        serde_json::to_value(ApplicantRole::SelfApplicant).unwrap(),
        "self"
    );
}

#[test]
fn unknown_operation_type_is_refused() {
    let bad = json!({"type": "drop_tables", "ehr_number": "E"});
    assert!(serde_json::from_value::<Operation>(bad).is_err());
}

#[test]
fn an_absent_transaction_time_is_not_written() {
    // The service's legacy hash re-serialises operations queued before the
    // field: without it they must serialise exactly as they did.
    let old = json!({"type": "activate_application", "reference": "R",
        "presented": serde_json::to_value(person()).unwrap(), "read_source": "card",
        "attendee": null, "patient_document_copy_image": null, "supervisor_sign_off": null});
    let op: Operation = serde_json::from_value(old.clone()).unwrap();
    assert_eq!(serde_json::to_value(&op).unwrap(), old);
    let mut with = old.clone();
    with["transacted_at"] = json!("2026-06-29T17:05:00+08:00");
    let op: Operation = serde_json::from_value(with.clone()).unwrap();
    assert_eq!(serde_json::to_value(&op).unwrap(), with);
}
