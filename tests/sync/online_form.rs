//! A person who applied through the service's real online form is found at
//! a counter by document and by the reference on their confirmation, and
//! the activation the counter sends settles the application once.

use ehr_protocol::card::ManualIdentityRequest;
use ehr_protocol::task::{LookupQuery, TaskEvent, TaskStage};
use ehr_tests::central::Central;

use super::{scratch, sign_in};

#[test]
fn an_online_application_is_found_by_document_and_reference_and_activated_once() {
    let central = Central::start("sync-online-form").expect("ehr-central");
    let reference = central
        .apply_online(&[
            ("document_type", "hkic"),
            ("document_number", "K123456(0)"),
            ("surname", "LEUNG"),
            ("given_names", "KA YAN"),
            ("date_of_birth", "1990-04-05"),
            ("sex", "female"),
            ("capacity", "capable"),
            ("role", "self"),
            ("channel", "sms"),
            ("notice_lang", "en"),
            ("address", "91234567"),
            ("declare", "yes"),
        ])
        .expect("the online form");
    assert_eq!(central.application_state(&reference).unwrap(), "pending");
    let dir = scratch("online-form");
    let app = ehr_tests::outbox::app(&dir, &central.url, &central.counter_key, 300);
    sign_in(&app, &central.clerk);
    let v = app
        .task_from_manual(&ManualIdentityRequest {
            document_type: "hkic".into(),
            document_number: "K1234560".into(),
            surname: "LEUNG".into(),
            given_names: "KA YAN".into(),
            chinese_name: String::new(),
            date_of_birth: "05/04/1990".into(),
            sex: "F".into(),
        })
        .expect("task");
    let apps = v.lookup.expect("looked up").applications;
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].reference, reference);
    // The reference as printed on the confirmation finds it too.
    let v = app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::Reference {
                reference: reference.to_lowercase(),
            },
        })
        .expect("by reference");
    assert_eq!(v.lookup.expect("looked up").applications.len(), 1);
    app.task_event(&TaskEvent::Choose {
        reference: reference.clone(),
    })
    .expect("chosen");
    let v = app.task_event(&TaskEvent::Next).expect("next");
    let mut form = v.form.clone();
    form.declaration = true;
    app.task_event(&TaskEvent::Edit { form }).expect("edit");
    let v = app.task_event(&TaskEvent::Submit).expect("submit");
    assert_eq!(v.stage, TaskStage::Done, "{:?}", v.needs);
    app.sync_now();
    assert!(app
        .wait_until_drained(std::time::Duration::from_secs(30))
        .unwrap());
    assert_eq!(central.application_state(&reference).unwrap(), "activated");
    assert_eq!(central.records_settling(&reference).unwrap().len(), 1);
}
