#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

//! The birth-hospital desk through the app crate (issue #14), against the
//! reference central service in-process over real HTTP on loopback, with
//! encrypted stores on disk: a newborn registered at a birth hospital's
//! counter with the hospital document's image, completed at a Maternal and
//! Child Health Centre's counter with the birth certificate (online and
//! offline), a hospital document registered twice.

use std::time::Duration;

use ehr_protocol::card::ManualIdentityRequest;
use ehr_protocol::ipc::CaptureKind;
use ehr_protocol::task::{
    CompletionForm, LookupQuery, NewbornForm, TaskEvent, TaskKind, TaskStage, TaskView,
};
use ehr_protocol::ErrorCode;

use super::test_support::{drained, hkic as valid, needs, sign_in};
use crate::staff::service_tests::Rig;
use crate::App;

fn parent(digits: &str) -> ManualIdentityRequest {
    ManualIdentityRequest {
        document_type: "hkic".into(),
        document_number: valid(digits),
        surname: "LAU".into(),
        given_names: "KA MAN".into(),
        chinese_name: "劉嘉敏".into(),
        date_of_birth: "1990-04-05".into(),
        sex: "F".into(),
    }
}

fn attach(app: &App, kind: CaptureKind, wire_kind: &str) {
    let png = crate::documents::app_tests::page_png(400, 300);
    let cap = app.capture_bytes(&png, wire_kind).unwrap();
    app.task_event(&TaskEvent::Attach {
        kind,
        image_id: cap.image_id,
    })
    .unwrap();
}

/// The newborn form filled in (born earlier today by the app's clock).
fn filled(v: &TaskView, serial: &str, today: ehr_domain::Date) -> TaskEvent {
    let mut form = v.newborn.clone().unwrap();
    form.serial = serial.into();
    form.date_of_birth = today.to_hk_string();
    form.time_of_birth = "00:10".into();
    form.sex = "male".into();
    form.address = "61234567".into();
    form.declaration = true;
    TaskEvent::EditNewborn { form }
}

fn today(r: &Rig) -> ehr_domain::Date {
    ehr_rules::time::hk_day(r.clock.now_ms() / 1000).unwrap()
}

/// Registers a newborn of `p` at the rig's birth-hospital counter and syncs
/// it; returns its eHR number.
fn register(r: &Rig, p: &ManualIdentityRequest, serial: &str) -> String {
    r.app.task_from_manual(p).unwrap();
    let v = r.app.task_event(&TaskEvent::Newborn).unwrap();
    r.app.task_event(&filled(&v, serial, today(r))).unwrap();
    attach(
        &r.app,
        CaptureKind::BirthHospitalDocument,
        "birth_hospital_document",
    );
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    r.app.task_finish();
    drained(&r.app);
    r.central_read(|tx| {
        tx.query_row(
            "SELECT ehr_number FROM records WHERE hospital_serial = ?1",
            [serial],
            |row| row.get(0),
        )
        .unwrap()
    })
}

fn count(r: &Rig, sql: &str, p: &str) -> i64 {
    r.central_read(|tx| tx.query_row(sql, [p], |row| row.get(0)).unwrap())
}

#[test]
fn a_newborn_is_registered_at_the_birth_hospital_and_completed_at_an_mchc() {
    let r = Rig::at("QMH", &[]);
    sign_in(&r.app, "clerk01");
    let p = parent("L445566");
    let v = r.app.task_from_manual(&p).unwrap();
    assert_eq!(v.stage, TaskStage::Found);
    assert!(v.offers.contains(&"newborn".to_owned()), "{:?}", v.offers);
    let v = r.app.task_event(&TaskEvent::Newborn).unwrap();
    assert_eq!((v.kind, v.stage), (TaskKind::Newborn, TaskStage::Details));
    assert_eq!(v.newborn.as_ref().unwrap().hospital_code, "QMH");
    assert_eq!(v.newborn.as_ref().unwrap().relationship, "parent");
    let (en, zh) = v.newborn_default_name.clone().unwrap();
    assert!(en.contains("Baby of LAU KA MAN"), "{en}");
    assert_eq!(zh.as_deref(), Some("劉嘉敏之嬰"));
    let n = needs(&v);
    for want in [
        "sex:field.required",
        "certifying_document_image:field.required",
        "declaration:field.required",
    ] {
        assert!(n.iter().any(|x| x == want), "{want} not in {n:?}");
    }
    assert!(n.iter().any(|x| x.starts_with("serial:")), "{n:?}");
    assert!(n.iter().any(|x| x.starts_with("date_of_birth:")), "{n:?}");

    // Everything but the image: the form cannot be submitted.
    let v = r
        .app
        .task_event(&filled(&v, "QMH-2026-0001", today(&r)))
        .unwrap();
    assert_eq!(needs(&v), vec!["certifying_document_image:field.required"]);
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert!(v
        .errors
        .iter()
        .any(|e| e.field == "certifying_document_image"));
    assert_eq!(r.app.sync_status().unwrap().queued, 0);

    // A birth later than now is refused in words.
    let mut late = v.newborn.clone().unwrap();
    late.time_of_birth = "23:59".into();
    let v2 = r
        .app
        .task_event(&TaskEvent::EditNewborn { form: late })
        .unwrap();
    let when = ehr_rules::time::parse_rfc3339(&crate::rfc3339(r.clock.now_ms())).unwrap();
    if (when + 8 * 3600).rem_euclid(86_400) < 23 * 3600 + 50 * 60 {
        assert!(
            needs(&v2)
                .iter()
                .any(|x| x == "time_of_birth:newborn.born_in_future"),
            "{:?}",
            needs(&v2)
        );
    }
    r.app
        .task_event(&filled(&v2, "QMH-2026-0001", today(&r)))
        .unwrap();

    attach(
        &r.app,
        CaptureKind::BirthHospitalDocument,
        "birth_hospital_document",
    );
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    assert!(v.result.is_some());
    r.app.task_finish();
    drained(&r.app);
    let ehr: String = r.central_read(|tx| {
        tx.query_row(
            "SELECT ehr_number FROM records WHERE hospital_serial = 'QMH-2026-0001' \
             AND state = 'awaiting_birth_certificate'",
            [],
            |row| row.get(0),
        )
        .unwrap()
    });

    // The same hospital document again at this counter: refused before it
    // is queued.
    r.app.task_from_manual(&p).unwrap();
    let v = r.app.task_event(&TaskEvent::Newborn).unwrap();
    let v = r
        .app
        .task_event(&filled(&v, "qmh-2026-0001", today(&r)))
        .unwrap();
    assert!(
        needs(&v)
            .iter()
            .any(|x| x == "serial:conflict.birth_document_registered"),
        "{:?}",
        needs(&v)
    );
    r.app.task_finish();

    // Completion at a Maternal and Child Health Centre, found by the
    // hospital document.
    let (mchc, _dir) = r.another_counter("MCHC-TKO");
    sign_in(&mchc, "clerk02");
    mchc.task_new().unwrap();
    let v = mchc
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::HospitalDocument {
                hospital_code: "qmh".into(),
                serial: " QMH-2026-0001 ".into(),
            },
        })
        .unwrap();
    assert!(!v.offers.contains(&"newborn".to_owned()));
    let rows = &v.lookup.as_ref().unwrap().records;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "awaiting_birth_certificate");
    assert_eq!(rows[0].serial.as_deref(), Some("QMH-2026-0001"));
    assert!(rows[0].sdm_document_masked.is_some());
    let e = mchc.task_event(&TaskEvent::Newborn).unwrap_err();
    assert_eq!(e.code, ErrorCode::FieldRequired);
    let v = mchc
        .task_event(&TaskEvent::Complete {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!(v.kind, TaskKind::Completion);
    assert_eq!(v.completion.as_ref().unwrap().surname, "");
    let n = needs(&v);
    assert!(
        n.iter().any(|x| x == "certificate_image:field.required"),
        "{n:?}"
    );
    assert!(
        n.iter().any(|x| x.starts_with("birth_certificate_number:")),
        "{n:?}"
    );
    // A number that fails the check digit reads as impossible for a newborn.
    let v = mchc
        .task_event(&TaskEvent::EditCompletion {
            form: CompletionForm {
                birth_certificate_number: "Z123456(0)".into(),
                surname: "LAU".into(),
                given_names: "CHUN HEI".into(),
                chinese_name: "劉俊希".into(),
                slip_language: "both".into(),
            },
        })
        .unwrap();
    assert!(
        needs(&v)
            .iter()
            .any(|x| x == "birth_certificate_number:newborn.pre_1980_number")
            || valid("Z123456") == "Z123456(0)",
        "{:?}",
        needs(&v)
    );
    let bc = valid("Z654321");
    mchc.task_event(&TaskEvent::EditCompletion {
        form: CompletionForm {
            birth_certificate_number: bc.clone(),
            surname: "LAU".into(),
            given_names: "CHUN HEI".into(),
            chinese_name: "劉俊希".into(),
            slip_language: "both".into(),
        },
    })
    .unwrap();
    attach(&mchc, CaptureKind::BirthCertificate, "birth_certificate");
    let v = mchc.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    mchc.task_finish();
    drained(&mchc);

    // One record, the identifier upgraded in place, both images linked.
    assert_eq!(
        count(&r, "SELECT count(*) FROM records WHERE ?1 = ?1", ""),
        1
    );
    assert_eq!(
        count(
            &r,
            "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective' \
             AND doc_type = 'hk_birth_certificate'",
            &ehr
        ),
        1
    );
    assert_eq!(
        count(
            &r,
            "SELECT count(*) FROM document_images WHERE record_ehr_number = ?1",
            &ehr
        ),
        2
    );
}

#[test]
fn an_offline_completion_of_a_record_looked_up_here_syncs_later() {
    let mut r = Rig::at("QMH", &[]);
    sign_in(&r.app, "clerk01");
    let p = parent("M556677");
    let ehr = register(&r, &p, "QMH-2026-0100");

    let (mchc, _dir) = r.another_counter("MCHC-TKO");
    sign_in(&mchc, "clerk02");
    // The parent's document finds the newborn they keep as SDM.
    let v = mchc.task_from_manual(&p).unwrap();
    let kept = &v.lookup.as_ref().unwrap().kept_as_sdm;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].ehr_number, ehr);
    mchc.task_finish();

    r.stop_service();
    let v = mchc.task_from_manual(&p).unwrap();
    assert!(v.offline);
    assert_eq!(v.lookup.as_ref().unwrap().kept_as_sdm.len(), 1);
    mchc.task_event(&TaskEvent::Complete {
        ehr_number: ehr.clone(),
    })
    .unwrap();
    mchc.task_event(&TaskEvent::EditCompletion {
        form: CompletionForm {
            birth_certificate_number: valid("Y112233"),
            surname: "LAU".into(),
            given_names: "HOI YAN".into(),
            chinese_name: String::new(),
            slip_language: "en".into(),
        },
    })
    .unwrap();
    attach(&mchc, CaptureKind::BirthCertificate, "birth_certificate");
    let v = mchc.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    mchc.task_finish();
    assert!(mchc.sync_status().unwrap().queued >= 1);
    assert_eq!(
        count(
            &r,
            "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective'",
            &ehr
        ),
        0
    );

    r.start_service();
    drained(&mchc);
    assert_eq!(
        count(
            &r,
            "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective'",
            &ehr
        ),
        1
    );
    assert_eq!(
        count(&r, "SELECT count(*) FROM records WHERE ?1 = ?1", ""),
        1
    );
}

#[test]
fn a_hospital_document_registered_at_another_counter_while_offline_goes_to_attention() {
    let mut r = Rig::at("QMH", &[]);
    sign_in(&r.app, "clerk01");
    let p = parent("N667788");
    // Another birth hospital's counter registers a QMH document online
    // (the hospital code is keyed, defaulted from the site)...
    let (pwh, _dir) = r.another_counter("PWH");
    sign_in(&pwh, "clerk02");
    pwh.task_from_manual(&p).unwrap();
    let v = pwh.task_event(&TaskEvent::Newborn).unwrap();
    assert_eq!(v.newborn.as_ref().unwrap().hospital_code, "PWH");
    let mut form: NewbornForm = v.newborn.clone().unwrap();
    form.hospital_code = "QMH".into();
    let v = pwh.task_event(&TaskEvent::EditNewborn { form }).unwrap();
    pwh.task_event(&filled(&v, "QMH-2026-0200", today(&r)))
        .unwrap();
    attach(
        &pwh,
        CaptureKind::BirthHospitalDocument,
        "birth_hospital_document",
    );
    let v = pwh.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    pwh.task_finish();
    drained(&pwh);

    // ...while this counter, offline, registers the same document.
    r.stop_service();
    r.app.task_from_manual(&p).unwrap();
    let v = r.app.task_event(&TaskEvent::Newborn).unwrap();
    r.app
        .task_event(&filled(&v, "QMH-2026-0200", today(&r)))
        .unwrap();
    attach(
        &r.app,
        CaptureKind::BirthHospitalDocument,
        "birth_hospital_document",
    );
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    r.app.task_finish();
    r.start_service();

    // This counter syncs: the service refuses the second, which lands on
    // the attention list with the reason; never two records.
    r.app.sync_now();
    let mut items = Vec::new();
    for _ in 0..300 {
        items = r.app.attention_list().unwrap();
        if !items.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].code, ErrorCode::ConflictBirthDocumentRegistered);
    assert_eq!(items[0].op_type, "register_newborn");
    assert_eq!(
        count(
            &r,
            "SELECT count(*) FROM records WHERE hospital_serial = ?1",
            "QMH-2026-0200"
        ),
        1
    );
}
