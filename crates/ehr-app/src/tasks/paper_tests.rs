#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

//! Paper forms at the Registration Office through the app crate (issue
//! #15, item 1), against the reference central service in-process over
//! real HTTP on loopback: the first keying checked by the shared rules as
//! it is typed, saved as a work item with the form's image, resumed at
//! another RO counter by another clerk who keys the identifying fields
//! blind, one disagreement decided side by side, the application sent
//! once; the first counter's late save of the same form lands on attention
//! rather than making a second application.

use ehr_protocol::ipc::CaptureKind;
use ehr_protocol::task::{PaperIdentity, TaskEvent, TaskKind, TaskStage};

use super::test_support::{drained, hkic as number, needs, sign_in};
use crate::staff::service_tests::Rig;

#[test]
fn a_paper_form_keyed_twice_at_two_counters_becomes_one_application() {
    let r = Rig::at("RO-HK", &[]);
    sign_in(&r.app, "clerk01");
    let patient = number("K445566");

    // The first keying, checked as it is typed.
    let v = r.app.task_event(&TaskEvent::PaperForm).unwrap();
    assert_eq!((v.kind, v.stage), (TaskKind::PaperForm, TaskStage::Details));
    assert!(v.offers.contains(&"paper".to_owned()), "{:?}", v.offers);
    let paper = v.paper.clone().unwrap();
    assert_eq!(paper.stage, "first_keying");
    let n = needs(&v);
    assert!(n.contains(&"form_image:field.required".to_owned()), "{n:?}");
    assert!(n.iter().any(|x| x.starts_with("patient.")), "{n:?}");
    let mut form = paper.first.clone().unwrap();
    form.origin = "paper_fax".into();
    form.patient.document_type = "hkic".into();
    form.patient.document_number = patient.clone();
    form.patient.surname = "LEUNG".into();
    form.patient.given_names = "TAI MAN".into();
    form.patient.date_of_birth = "03/04/1970".into();
    form.address = "91234567".into();
    r.app
        .task_event(&TaskEvent::EditPaper {
            form: Box::new(form.clone()),
        })
        .unwrap();
    let png = crate::documents::app_tests::page_png(400, 560);
    let cap = r.app.capture_bytes(&png, "paper_form").unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Attach {
            kind: CaptureKind::PaperForm,
            image_id: cap.image_id.clone(),
        })
        .unwrap();
    assert!(needs(&v).is_empty(), "{:?}", needs(&v));
    // Not submitted before the second keying.
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert_eq!(r.app.sync_status().unwrap().queued, 0);

    // Saved as a work item; the second keying is blind.
    let v = r.app.task_event(&TaskEvent::PaperFirstDone).unwrap();
    let p = v.paper.clone().unwrap();
    assert_eq!(p.stage, "second_keying");
    assert!(p.first.is_none(), "the first keying is hidden");
    assert!(p.same_clerk);
    assert!(!serde_json::to_string(&v).unwrap().contains("LEUNG"));
    let id = p.work_item_id.clone();
    drained(&r.app);

    // Another clerk at another RO counter sees it and resumes it.
    let (other, _dir) = r.another_counter("RO-HK");
    sign_in(&other, "clerk02");
    let items = other.work_items().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id, id);
    assert_eq!(items[0].created_by, "clerk01");
    assert!(items[0].document_masked.contains("***"));
    let v = other
        .task_event(&TaskEvent::ResumeWorkItem { id: id.clone() })
        .unwrap();
    let p = v.paper.clone().unwrap();
    assert_eq!(p.stage, "second_keying");
    assert!(p.first.is_none() && !p.same_clerk);
    assert_eq!(
        needs(&v),
        vec![
            "second.document_type:field.required",
            "second.document_number:field.required",
            "second.surname:field.required",
            "second.date_of_birth:field.required"
        ]
    );
    // Keyed again: the number spaced and in lower case (the same), the
    // given names different.
    let second = PaperIdentity {
        document_type: "hkic".into(),
        document_number: patient.to_lowercase().replace('(', " ").replace(')', ""),
        surname: "leung".into(),
        given_names: "TAI MEN".into(),
        date_of_birth: "1970-04-03".into(),
        ..PaperIdentity::default()
    };
    other
        .task_event(&TaskEvent::EditPaperSecond { form: second })
        .unwrap();
    let v = other.task_event(&TaskEvent::PaperSecondDone).unwrap();
    let p = v.paper.clone().unwrap();
    assert_eq!(p.stage, "reconcile");
    assert_eq!(p.differences.len(), 1, "only the given names differ");
    assert_eq!(p.differences[0].field, "given_names");
    assert_eq!(
        (
            p.differences[0].first.as_str(),
            p.differences[0].second.as_str()
        ),
        ("TAI MAN", "TAI MEN")
    );
    assert_eq!(needs(&v), vec!["differences:field.required"]);
    let v = other.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    let v = other
        .task_event(&TaskEvent::PaperChoose {
            field: "given_names".into(),
            take: "first".into(),
        })
        .unwrap();
    assert!(needs(&v).is_empty(), "{:?}", needs(&v));
    let v = other.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    other.task_finish();
    drained(&other);
    let (apps, name, linked, done): (i64, String, i64, i64) = r.central_read(|tx| {
        let apps = tx
            .query_row(
                "SELECT count(*) FROM applications WHERE doc_number = ?1 AND origin = 'paper_fax'",
                [patient.replace(['(', ')'], "")],
                |row| row.get(0),
            )
            .unwrap();
        let body: String = tx
            .query_row(
                "SELECT body FROM applications WHERE doc_number = ?1",
                [patient.replace(['(', ')'], "")],
                |row| row.get(0),
            )
            .unwrap();
        let linked = tx
            .query_row(
                "SELECT count(*) FROM document_images WHERE image_id = ?1 \
                 AND application_reference IS NOT NULL",
                [cap.image_id.to_string()],
                |row| row.get(0),
            )
            .unwrap();
        let done = tx
            .query_row(
                "SELECT count(*) FROM work_items WHERE id = ?1 AND state = 'done'",
                [&id],
                |row| row.get(0),
            )
            .unwrap();
        (apps, body, linked, done)
    });
    assert_eq!(apps, 1);
    assert!(
        name.contains("TAI MAN") && !name.contains("TAI MEN"),
        "the first keying's"
    );
    assert_eq!((linked, done), (1, 1));
    assert!(other.work_items().unwrap().is_empty());

    // The first counter, still at its second keying, keys and saves too:
    // the work item is closed, so its save lands on attention with the
    // reason; there is still one application.
    r.app
        .task_event(&TaskEvent::EditPaperSecond {
            form: PaperIdentity {
                document_type: "hkic".into(),
                document_number: patient.clone(),
                surname: "LEUNG".into(),
                date_of_birth: "03/04/1970".into(),
                ..PaperIdentity::default()
            },
        })
        .unwrap();
    let v = r.app.task_event(&TaskEvent::PaperSecondDone).unwrap();
    assert_eq!(v.paper.unwrap().stage, "reconcile");
    drained(&r.app);
    assert_eq!(r.app.sync_status().unwrap().attention, 1);
    let list = r.app.attention_list().unwrap();
    assert_eq!(
        list[0].code,
        ehr_protocol::ErrorCode::ConflictWorkItemClosed
    );
}

#[test]
fn paper_forms_are_the_registration_offices_and_a_discarded_one_leaves_the_list() {
    let r = Rig::at("HA-QEH", &[]);
    sign_in(&r.app, "clerk01");
    let e = r.app.task_event(&TaskEvent::PaperForm).unwrap_err();
    assert_eq!(e.code, ehr_protocol::ErrorCode::AuthForbidden);

    let r = Rig::at("RO-HK", &[]);
    sign_in(&r.app, "clerk01");
    // Begun and left: a work item at the first keying, as it stands.
    let v = r.app.task_event(&TaskEvent::PaperForm).unwrap();
    let mut form = v.paper.unwrap().first.unwrap();
    form.patient.surname = "CHOW".into();
    r.app
        .task_event(&TaskEvent::EditPaper {
            form: Box::new(form),
        })
        .unwrap();
    let v = r.app.task_event(&TaskEvent::Back).unwrap();
    assert_eq!(v.kind, TaskKind::Lookup);
    drained(&r.app);
    let items = r.app.work_items().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].stage, "first_keying");
    assert_eq!(items[0].document_masked, "***");
    // Resumed (here by the same clerk): the first keying goes on.
    let v = r
        .app
        .task_event(&TaskEvent::ResumeWorkItem {
            id: items[0].id.clone(),
        })
        .unwrap();
    let mut form = v.paper.unwrap().first.unwrap();
    assert_eq!(form.patient.surname, "CHOW");
    form.patient.document_type = "hkic".into();
    form.patient.document_number = number("K445577");
    form.patient.date_of_birth = "03/04/1971".into();
    form.address = "91234567".into();
    r.app
        .task_event(&TaskEvent::EditPaper {
            form: Box::new(form),
        })
        .unwrap();
    let png = crate::documents::app_tests::page_png(400, 560);
    let cap = r.app.capture_bytes(&png, "paper_form").unwrap();
    r.app
        .task_event(&TaskEvent::Attach {
            kind: CaptureKind::PaperForm,
            image_id: cap.image_id,
        })
        .unwrap();
    r.app.task_event(&TaskEvent::PaperFirstDone).unwrap();
    drained(&r.app);
    assert_eq!(r.app.work_items().unwrap().len(), 1);
    r.app.task_event(&TaskEvent::PaperDiscard).unwrap();
    drained(&r.app);
    assert!(r.app.work_items().unwrap().is_empty());
    assert_eq!(r.app.sync_status().unwrap().attention, 0);
}
