#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

//! The main path through the app crate, against the reference central
//! service in-process over real HTTP on loopback, with an encrypted store
//! on disk: look-up, activation (self, SDM, differences signed off by a
//! supervisor, offline), walk-ins, drafts that survive a restart, hostile
//! input. The window is not needed: the UI only renders these views.

use std::time::Duration;

use ehr_domain::lifecycle::application::Origin as DOrigin;
use ehr_protocol::card::ManualIdentityRequest;
use ehr_protocol::task::{
    LookupQuery, LookupSource, TaskEvent, TaskForm, TaskKind, TaskSignOffRequest, TaskStage,
    TaskView,
};
use ehr_protocol::wire::{
    ApplicantDetails, Language, NotificationChannel, NotificationChoice, PersonDetails, Sex,
};
use ehr_protocol::ErrorCode;

use crate::staff::service_tests::Rig;

/// A person's particulars for an application and for manual entry.
#[derive(Clone)]
struct Someone {
    number: &'static str,
    surname: &'static str,
    given: &'static str,
    dob: &'static str,
    sex: Sex,
}

const ADULT: Someone = Someone {
    number: "A123456(3)",
    surname: "CHAN",
    given: "TAI MAN",
    dob: "1980-01-15",
    sex: Sex::Male,
};

const PARENT: Someone = Someone {
    number: "B234567(5)",
    surname: "WONG",
    given: "MEI LING",
    dob: "1985-03-02",
    sex: Sex::Female,
};

const CHILD: Someone = Someone {
    number: "C345678(9)",
    surname: "WONG",
    given: "SIU MING",
    dob: "2018-07-20",
    sex: Sex::Male,
};

impl Someone {
    fn details(&self) -> PersonDetails {
        PersonDetails {
            document_type: "hkic".into(),
            document_number: self.number.into(),
            surname: self.surname.into(),
            given_names: self.given.into(),
            chinese_name: None,
            date_of_birth: self.dob.into(),
            sex: Some(self.sex),
        }
    }

    fn manual(&self) -> ManualIdentityRequest {
        ManualIdentityRequest {
            document_type: "hkic".into(),
            document_number: self.number.into(),
            surname: self.surname.into(),
            given_names: self.given.into(),
            chinese_name: String::new(),
            date_of_birth: self.dob.into(),
            sex: match self.sex {
                Sex::Male => "M".into(),
                Sex::Female => "F".into(),
            },
        }
    }
}

/// A check digit that is right for these test numbers is not needed by
/// the service's own seed; these tests make their own valid numbers.
fn valid(number_without_check: &str) -> String {
    let t = ehr_domain::DocumentType::Hkic;
    for c in "0123456789A".chars() {
        let n = format!("{number_without_check}({c})");
        if ehr_domain::DocumentNumber::parse(t, &n).is_ok() {
            return n;
        }
    }
    panic!("no check digit")
}

/// `base` with a valid number made from `digits`: as applied, and as keyed.
fn person(base: &Someone, digits: &str) -> (PersonDetails, ManualIdentityRequest) {
    let n = valid(digits);
    let mut details = base.details();
    details.document_number = n.clone();
    let mut manual = base.manual();
    manual.document_number = n;
    (details, manual)
}
/// An application at the service, submitted online `days_ago` days before
/// the service's today.
fn apply(r: &Rig, patient: &PersonDetails, applicant: ApplicantDetails, days_ago: i64) -> String {
    let today = r.central_today();
    let submitted = today.add_days(-days_ago).unwrap();
    r.central_write(|tx| {
        let policy =
            ehr_central::reference::domain_policy(&ehr_central::reference::policies(tx).unwrap());
        let mut errs = ehr_rules::validate::Errors::default();
        let p = ehr_rules::validate::person("", patient, today, &mut errs).unwrap();
        let body = ehr_central::applications::ApplicationBody {
            patient: ehr_central::applications::normalised_details(&p, patient.sex),
            capacity: "capable".into(),
            applicant,
            notification: NotificationChoice {
                channel: NotificationChannel::Sms,
                language: Language::Zh,
                address: "91234567".into(),
            },
            private_provider_consents: vec![],
            flags: vec![],
        };
        ehr_central::applications::insert(
            tx,
            ehr_central::applications::NewApplication {
                origin: DOrigin::Online,
                submitted_on: submitted,
                accepted_on: submitted,
                patient: &p,
                body: &body,
                reference: None,
            },
            &policy,
        )
        .unwrap()
        .unwrap()
    })
}

fn signed_in() -> Rig {
    let r = Rig::with(&[]);
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    r
}

fn form_with(v: &TaskView, f: impl FnOnce(&mut TaskForm)) -> TaskEvent {
    let mut form = v.form.clone();
    f(&mut form);
    TaskEvent::Edit { form }
}

fn codes(v: &TaskView) -> Vec<String> {
    v.needs
        .iter()
        .map(|n| format!("{}:{}", n.field, n.code))
        .collect()
}

/// One value from the service's database.
fn one<T: rusqlite::types::FromSql>(r: &Rig, sql: &str, param: &str) -> T {
    r.central_read(|tx| tx.query_row(sql, [param], |row| row.get(0)).unwrap())
}

fn state_of(r: &Rig, reference: &str) -> String {
    one(
        r,
        "SELECT state FROM applications WHERE reference = ?1",
        reference,
    )
}

fn records_for(r: &Rig, reference: &str) -> i64 {
    one(
        r,
        "SELECT count(*) FROM records WHERE settled_application = ?1",
        reference,
    )
}

/// The contact and the declaration given, nothing else missing, submitted
/// and synced.
fn complete_and_submit(r: &Rig, v: &TaskView) {
    let v = r
        .app
        .task_event(&form_with(v, |f| {
            f.address = "91234567".into();
            f.declaration = true;
        }))
        .unwrap();
    assert!(v.needs.is_empty(), "{:?}", codes(&v));
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done);
    drained(r);
}

fn drained(r: &Rig) {
    r.app.sync_now();
    assert!(r.app.wait_until_drained(Duration::from_secs(30)).unwrap());
}

#[test]
fn a_self_application_is_found_compared_activated_and_slipped() {
    let r = signed_in();
    let (details, m) = person(&ADULT, "A123456");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 10);
    // The keyed document looks the person up at once.
    let v = r.app.task_from_manual(&m).unwrap();
    assert_eq!(v.stage, TaskStage::Found);
    let found = v.lookup.as_ref().unwrap();
    assert_eq!(found.source, LookupSource::Central);
    assert_eq!(found.applications.len(), 1);
    assert_eq!(found.applications[0].reference, reference);
    assert!(!found.applications[0].expired);
    // Chosen: side by side, every field the same.
    let v = r
        .app
        .task_event(&TaskEvent::Choose {
            reference: reference.clone(),
        })
        .unwrap();
    assert_eq!(
        (v.kind, v.stage),
        (TaskKind::Activation, TaskStage::Compare)
    );
    assert!(
        v.comparison.iter().all(|f| f.result == "same"),
        "{:?}",
        v.comparison
    );
    assert!(!v.sign_off_needed);
    // The declaration is still needed; nothing else.
    let v = r.app.task_event(&TaskEvent::Next).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert_eq!(codes(&v), vec!["declaration:field.required"]);
    // Submitting without it is refused next to the field.
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert!(v.errors.iter().any(|e| e.field == "declaration"));
    // A new channel needs its address.
    let v = r
        .app
        .task_event(&form_with(&v, |f| f.channel = "email".into()))
        .unwrap();
    assert!(
        codes(&v).contains(&"notification.address:field.required".to_owned()),
        "{:?}",
        codes(&v)
    );
    // The clerk confirms a new mobile number with the person.
    let v = r
        .app
        .task_event(&form_with(&v, |f| {
            f.channel = "sms".into();
            f.address = "61234567".into();
            f.declaration = true;
        }))
        .unwrap();
    assert!(v.needs.is_empty(), "{:?}", codes(&v));
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done);
    let result = v.result.unwrap();
    assert!(!result.slip.pages_png_base64.is_empty());
    drained(&r);
    assert_eq!(state_of(&r, &reference), "activated");
    assert_eq!(records_for(&r, &reference), 1);
    // The access key goes to the number confirmed at the counter.
    let to: String = one(
        &r,
        "SELECT n.address FROM notification_outbox n JOIN records r USING (ehr_number) \
         WHERE r.settled_application = ?1",
        &reference,
    );
    assert_eq!(to, "61234567");
    // Finished: nothing of the person stays.
    r.app.task_finish();
    assert!(r.app.task_current().unwrap().is_none());
    assert!(r.app.task_draft().unwrap().is_none());
}

#[test]
fn different_names_need_a_supervisor_and_their_sign_off_is_sent() {
    let r = signed_in();
    let (details, m) = person(&ADULT, "D223344");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 3);
    let mut m = m;
    m.given_names = "TAI WAI".into();
    r.app.task_from_manual(&m).unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Choose {
            reference: reference.clone(),
        })
        .unwrap();
    let name = v
        .comparison
        .iter()
        .find(|f| f.field == "english_name")
        .unwrap();
    assert_eq!(name.result, "different");
    assert!(v.sign_off_needed && !v.signed_off);
    let v = r.app.task_event(&TaskEvent::Next).unwrap();
    let v = r
        .app
        .task_event(&form_with(&v, |f| f.declaration = true))
        .unwrap();
    assert!(
        codes(&v)
            .iter()
            .any(|c| c.starts_with("supervisor_sign_off:")),
        "{:?}",
        codes(&v)
    );
    // A clerk is not a supervisor.
    let e = r
        .app
        .task_sign_off(&TaskSignOffRequest {
            staff_code: "clerk02".into(),
            password: Rig::password("clerk02"),
            reason: "names differ".into(),
        })
        .unwrap_err();
    assert_ne!(e.code, ErrorCode::Internal);
    let v = r
        .app
        .task_sign_off(&TaskSignOffRequest {
            staff_code: "super01".into(),
            password: Rig::password("super01"),
            reason: "names differ".into(),
        })
        .unwrap();
    assert!(v.signed_off);
    assert!(v.needs.is_empty(), "{:?}", codes(&v));
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done);
    drained(&r);
    assert_eq!(state_of(&r, &reference), "activated");
}

#[test]
fn an_activation_offline_works_from_the_cache_and_syncs_later() {
    let mut r = signed_in();
    let (details, m) = person(&ADULT, "E334455");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 20);
    // Looked up online at this counter (the detail is cached too)...
    r.app.task_from_manual(&m).unwrap();
    r.app.task_finish();
    // ...then the network goes.
    r.stop_service();
    let v = r.app.task_from_manual(&m).unwrap();
    let found = v.lookup.unwrap();
    assert_eq!(found.source, LookupSource::Cache);
    assert_eq!(found.applications.len(), 1);
    let v = r
        .app
        .task_event(&TaskEvent::Choose {
            reference: reference.clone(),
        })
        .unwrap();
    assert!(v.offline);
    // The reference finds it offline too (its detail was fetched here).
    let by_ref = r
        .app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::Reference {
                reference: reference.to_lowercase(),
            },
        })
        .unwrap();
    assert_eq!(by_ref.lookup.unwrap().applications.len(), 1);
    let v = r
        .app
        .task_event(&TaskEvent::Choose {
            reference: reference.clone(),
        })
        .unwrap();
    assert!(v.offline);
    r.app.task_event(&TaskEvent::Next).unwrap();
    let v = r.app.task_current().unwrap().unwrap();
    r.app
        .task_event(&form_with(&v, |f| {
            f.address = "91234567".into();
            f.declaration = true;
        }))
        .unwrap();
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done);
    assert_eq!(state_of(&r, &reference), "pending");
    r.start_service();
    drained(&r);
    assert_eq!(state_of(&r, &reference), "activated");
    assert_eq!(records_for(&r, &reference), 1);
}

#[test]
fn an_application_never_looked_up_here_cannot_be_activated_offline() {
    let mut r = signed_in();
    let (details, _) = person(&ADULT, "F445566");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 5);
    r.stop_service();
    r.app.task_new().unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::Reference {
                reference: reference.clone(),
            },
        })
        .unwrap();
    assert_eq!(v.lookup.unwrap().source, LookupSource::Cache);
    let e = r
        .app
        .task_event(&TaskEvent::Choose { reference })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TaskNotCached);
}

#[test]
fn a_reference_typed_like_a_scanner_through_an_input_method_finds_it() {
    let r = signed_in();
    let (details, _) = person(&ADULT, "G556677");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 5);
    r.app.task_new().unwrap();
    // Full-width forms, lower case and a trailing newline, as a scanner
    // typing through a Chinese input method may send them.
    let typed: String = reference
        .to_ascii_lowercase()
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .chain("\n".chars())
        .collect();
    let v = r
        .app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::Reference { reference: typed },
        })
        .unwrap();
    let apps = v.lookup.unwrap().applications;
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].reference, reference);
}

#[test]
fn an_expired_application_is_not_activated_and_becomes_a_prefilled_walk_in() {
    let r = signed_in();
    let (details, m) = person(&ADULT, "H667788");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 200);
    let v = r.app.task_from_manual(&m).unwrap();
    assert!(v.lookup.unwrap().applications[0].expired);
    let v = r
        .app
        .task_event(&TaskEvent::Choose {
            reference: reference.clone(),
        })
        .unwrap();
    assert!(
        v.needs.iter().any(|n| n.code == "conflict.expired"),
        "{:?}",
        codes(&v)
    );
    let v = r.app.task_event(&TaskEvent::WalkIn).unwrap();
    assert_eq!((v.kind, v.stage), (TaskKind::WalkIn, TaskStage::Details));
    // Prefilled from the application's choices.
    assert_eq!(
        (v.form.channel.as_str(), v.form.language.as_str()),
        ("sms", "zh")
    );
    complete_and_submit(&r, &v);
    assert_eq!(
        state_of(&r, &reference),
        "pending",
        "an expired one is not settled"
    );
}

#[test]
fn a_child_walk_in_needs_a_parent_and_then_registers() {
    let r = signed_in();
    let (_, cm) = person(&CHILD, "C345678");
    let (_, pm) = person(&PARENT, "B234567");
    // The parent's document is read first (here keyed: the card side is
    // tested through pcscd elsewhere), then the child's is keyed.
    r.app.task_from_manual(&pm).unwrap();
    let v = r.app.task_event(&TaskEvent::WalkIn).unwrap();
    r.app
        .task_event(&form_with(&v, |f| {
            f.applicant_role = "sdm".into();
            f.relationship = "parent".into();
        }))
        .unwrap();
    // Whose document was read is the clerk's word (the UI offers both: key
    // the patient's, or read the attending person's): not assumed here.
    assert!(!r.app.task_current().unwrap().unwrap().attendee_needed);
    let v = r
        .app
        .task_event(&TaskEvent::PatientManual { entry: cm })
        .unwrap();
    assert!(!v.attendee_needed);
    // The parent read first is now the attendee; the child the patient.
    assert_eq!(v.attendee.as_ref().unwrap().surname, "WONG");
    assert_eq!(v.patient.as_ref().unwrap().given_names, "SIU MING");
    assert!(v.parts.contains(&"relationship".to_owned()));
    // A copy of the child's document is needed, and the declaration.
    let c = codes(&v);
    assert!(
        c.iter()
            .any(|c| c.starts_with("patient_document_copy_image:")),
        "{c:?}"
    );
    // The copy is captured and attached.
    let png = crate::documents::app_tests::page_png(400, 300);
    let cap = r.app.capture_bytes(&png, "patient_document_copy").unwrap();
    r.app
        .task_event(&TaskEvent::Attach {
            kind: ehr_protocol::ipc::CaptureKind::PatientDocumentCopy,
            image_id: cap.image_id.clone(),
        })
        .unwrap();
    let v = r.app.task_current().unwrap().unwrap();
    complete_and_submit(&r, &v);
    let n: i64 = one(&r, "SELECT count(*) FROM document_images WHERE ?1 = ?1", "");
    assert!(n >= 1);
}

#[test]
fn a_child_cannot_register_themselves() {
    let r = signed_in();
    let (_, cm) = person(&CHILD, "J778899");
    r.app.task_from_manual(&cm).unwrap();
    let v = r.app.task_event(&TaskEvent::WalkIn).unwrap();
    let v = r
        .app
        .task_event(&form_with(&v, |f| {
            f.address = "91234567".into();
            f.declaration = true;
        }))
        .unwrap();
    // The shared rules' refusal, in words, on the applicant.
    let c = codes(&v);
    assert!(c.iter().any(|c| c.starts_with("applicant:")), "{c:?}");
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert!(!v.errors.is_empty());
    assert_eq!(r.app.sync_status().unwrap().queued, 0);
}

#[test]
fn hostile_input_gets_field_errors_never_a_crash() {
    let r = signed_in();
    let (_, m) = person(&ADULT, "K889900");
    r.app.task_from_manual(&m).unwrap();
    let v = r.app.task_event(&TaskEvent::WalkIn).unwrap();
    for address in [
        "9".repeat(100_000),
        "9123\u{0}4567".to_owned(),
        "\u{202E}91234567".to_owned(),
        "😀😀😀😀😀😀😀😀".to_owned(),
        "\u{4e5d}\u{4e00}\u{4e8c}\u{4e09}".to_owned(),
    ] {
        let v = r
            .app
            .task_event(&form_with(&v, |f| {
                f.address = address.clone();
                f.declaration = true;
                f.relationship = "\u{7}".repeat(5000);
                f.consents = vec!["x".repeat(10_000); 100];
            }))
            .unwrap();
        assert!(
            v.needs.iter().any(|n| n.field.starts_with("notification")),
            "{:?}",
            codes(&v)
        );
        assert!(v.form.address.chars().count() <= super::machine::MAX_TEXT);
    }
    // Hostile keyed identities are field issues too.
    let mut bad = m.clone();
    bad.surname = "\u{0}DROP TABLE".repeat(1000);
    bad.document_number = "😀".into();
    let v = r
        .app
        .task_event(&TaskEvent::PatientManual { entry: bad })
        .unwrap();
    assert!(v.errors.iter().any(|e| e.field.starts_with("patient.")));
    // Nothing of it reaches the Debug output.
    assert!(!format!("{v:?}").contains("DROP TABLE"));
}

#[test]
fn a_task_survives_a_restart_and_is_offered_to_the_same_clerk_only() {
    let r = signed_in();
    let (_, m) = person(&ADULT, "L990011");
    r.app.task_from_manual(&m).unwrap();
    let v = r.app.task_event(&TaskEvent::WalkIn).unwrap();
    r.app
        .task_event(&form_with(&v, |f| f.address = "98765432".into()))
        .unwrap();
    let png = crate::documents::app_tests::page_png(300, 200);
    let cap = r.app.capture_bytes(&png, "patient_document_copy").unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Attach {
            kind: ehr_protocol::ipc::CaptureKind::PatientDocumentCopy,
            image_id: cap.image_id,
        })
        .unwrap();
    assert!(v.patient_copy_image.is_some());
    // The app goes away (a crash: nothing is finished) and comes back.
    let r = r.restart_app();
    r.sign_in("clerk02", &Rig::password("clerk02")).unwrap();
    assert!(r.app.task_draft().unwrap().is_none(), "not another clerk's");
    r.app.sign_out();
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    let offer = r.app.task_draft().unwrap().unwrap();
    assert_eq!(offer.kind, TaskKind::WalkIn);
    let v = r.app.task_resume().unwrap().unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert_eq!(v.form.address, "98765432");
    // The capture ended with the other clerk's session: no longer attached.
    assert!(v.patient_copy_image.is_none());
    assert_eq!(v.patient.unwrap().surname, "CHAN");
    // Abandoned: gone.
    r.app.task_finish();
    assert!(r.app.task_draft().unwrap().is_none());
}

#[test]
fn nothing_of_a_task_is_shown_on_a_locked_screen_or_after_sign_out() {
    let r = signed_in();
    let (_, m) = person(&ADULT, "M001122");
    r.app.task_from_manual(&m).unwrap();
    r.app.lock().unwrap();
    assert_eq!(
        r.app.task_current().unwrap_err().code,
        ErrorCode::AuthSignInRequired
    );
    r.app
        .unlock(&ehr_protocol::ipc::SignInRequest {
            staff_code: "clerk01".into(),
            password: Rig::password("clerk01"),
        })
        .unwrap();
    assert!(r.app.task_current().unwrap().is_some());
    r.app.sign_out();
    assert!(r.app.task_current().is_err());
}

/// An SDM's or authorised person's application: the attending person's own
/// document is read (here keyed), the application found by reference, the
/// patient's document keyed from the copy and the copy captured.
fn activate_for_someone_else(applicant_of: impl FnOnce(PersonDetails) -> ApplicantDetails) {
    let r = signed_in();
    let (patient, patient_keyed) = person(&CHILD, "N112233");
    let (attendee, attendee_keyed) = person(&PARENT, "P223344");
    let reference = apply(&r, &patient, applicant_of(attendee), 4);
    r.app.task_from_manual(&attendee_keyed).unwrap();
    r.app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::Reference {
                reference: reference.clone(),
            },
        })
        .unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Choose {
            reference: reference.clone(),
        })
        .unwrap();
    // The document read is the applicant's: it attends; the patient's own
    // is still to be keyed from the copy.
    assert_eq!(v.attendee.as_ref().unwrap().given_names, "MEI LING");
    assert!(v.patient_needed && !v.attendee_needed);
    let v = r
        .app
        .task_event(&TaskEvent::PatientManual {
            entry: patient_keyed,
        })
        .unwrap();
    assert!(!v.patient_needed);
    assert!(v.comparison.iter().all(|f| f.result == "same"));
    let c = codes(&v);
    assert!(
        c.contains(&"patient_document_copy_image:need.patient_document_copy".to_owned()),
        "{c:?}"
    );
    let png = crate::documents::app_tests::page_png(400, 300);
    let cap = r.app.capture_bytes(&png, "patient_document_copy").unwrap();
    r.app
        .task_event(&TaskEvent::Attach {
            kind: ehr_protocol::ipc::CaptureKind::PatientDocumentCopy,
            image_id: cap.image_id,
        })
        .unwrap();
    let v = r.app.task_event(&TaskEvent::Next).unwrap();
    complete_and_submit(&r, &v);
    assert_eq!(state_of(&r, &reference), "activated");
    assert_eq!(records_for(&r, &reference), 1);
}

#[test]
fn an_sdm_activates_with_their_own_document_and_a_copy_of_the_patients() {
    activate_for_someone_else(|person| ApplicantDetails::Sdm {
        relationship: "parent".into(),
        person,
    });
}

#[test]
fn an_authorised_person_activates_with_their_own_document_and_a_copy() {
    activate_for_someone_else(|person| ApplicantDetails::AuthorisedPerson { person });
}

#[test]
fn the_wrong_person_attending_is_refused_by_the_same_rule_as_the_service() {
    let r = signed_in();
    let (patient, patient_keyed) = person(&CHILD, "Q334455");
    let (named, _) = person(&PARENT, "R445566");
    let (_, stranger) = person(&ADULT, "S556677");
    let reference = apply(
        &r,
        &patient,
        ApplicantDetails::Sdm {
            relationship: "parent".into(),
            person: named,
        },
        4,
    );
    r.app.task_new().unwrap();
    r.app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::Reference {
                reference: reference.clone(),
            },
        })
        .unwrap();
    r.app.task_event(&TaskEvent::Choose { reference }).unwrap();
    r.app
        .task_event(&TaskEvent::PatientManual {
            entry: patient_keyed,
        })
        .unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::AttendeeManual { entry: stranger })
        .unwrap();
    let c = codes(&v);
    assert!(
        c.contains(&"attendee.document_number:activation.different_document".to_owned()),
        "{c:?}"
    );
}

#[test]
fn an_offline_walk_in_settles_the_pending_application_once_when_it_syncs() {
    let mut r = signed_in();
    let (details, m) = person(&ADULT, "T667788");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 30);
    // Never looked up here: offline, the counter knows of no application.
    r.stop_service();
    let v = r.app.task_from_manual(&m).unwrap();
    let found = v.lookup.unwrap();
    assert_eq!(found.source, LookupSource::Cache);
    assert!(found.applications.is_empty());
    let v = r.app.task_event(&TaskEvent::WalkIn).unwrap();
    let v = r
        .app
        .task_event(&form_with(&v, |f| {
            f.address = "91234567".into();
            f.declaration = true;
        }))
        .unwrap();
    let v2 = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v2.stage, TaskStage::Done, "{:?}", codes(&v));
    r.start_service();
    drained(&r);
    assert_eq!(state_of(&r, &reference), "activated");
    assert_eq!(records_for(&r, &reference), 1);
    let flags: String = one(
        &r,
        "SELECT flags FROM records WHERE settled_application = ?1",
        &reference,
    );
    assert!(
        flags.contains("settlement.by_in_person_registration"),
        "{flags}"
    );
    // Synced again (a retry): still one record, one settlement.
    r.app.sync_now();
    drained(&r);
    assert_eq!(records_for(&r, &reference), 1);
}

#[test]
fn a_look_up_by_name_and_date_of_birth_finds_the_application() {
    let r = signed_in();
    let (details, _) = person(&ADULT, "U778899");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 2);
    r.app.task_new().unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::NameAndBirth {
                surname: "chan".into(),
                given_names: String::new(),
                date_of_birth: "15/01/1980".into(),
            },
        })
        .unwrap();
    let apps = v.lookup.unwrap().applications;
    assert!(apps.iter().any(|a| a.reference == reference), "{apps:?}");
    // A date that is no date is a field error, not a crash or a search.
    let e = r
        .app
        .task_event(&TaskEvent::Lookup {
            query: LookupQuery::NameAndBirth {
                surname: "CHAN".into(),
                given_names: String::new(),
                date_of_birth: "31/02/1980".into(),
            },
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("date_of_birth"));
}

#[test]
fn a_full_number_is_shown_only_after_its_reveal_is_audited() {
    let r = signed_in();
    let (_, m) = person(&ADULT, "V889900");
    let v = r.app.task_from_manual(&m).unwrap();
    let masked = v.patient.unwrap().document_masked;
    assert!(r.app.audit_rows("id.reveal").unwrap().is_empty());
    let full = r.app.task_reveal("patient").unwrap();
    assert_eq!(full, m.document_number);
    let rows = r.app.audit_rows("id.reveal").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1.as_deref(), Some(masked.as_str()));
    // Nobody attends: nothing to reveal, and nothing audited.
    assert!(r.app.task_reveal("attendee").is_err());
    assert_eq!(r.app.audit_rows("id.reveal").unwrap().len(), 1);
}

#[test]
fn what_was_fetched_for_a_person_leaves_the_cache_once_used() {
    let mut r = signed_in();
    let (details, m) = person(&ADULT, "W990011");
    let reference = apply(&r, &details, ApplicantDetails::SelfApplicant {}, 2);
    r.app.task_from_manual(&m).unwrap();
    r.app
        .task_event(&TaskEvent::Choose {
            reference: reference.clone(),
        })
        .unwrap();
    let v = r.app.task_event(&TaskEvent::Next).unwrap();
    complete_and_submit(&r, &v);
    r.app.task_finish();
    // Offline now: the cache has nothing of them any more.
    r.stop_service();
    let v = r.app.task_from_manual(&m).unwrap();
    let found = v.lookup.unwrap();
    assert_eq!(found.source, LookupSource::Cache);
    assert!(found.applications.is_empty());
    assert_eq!(
        r.app
            .task_event(&TaskEvent::Choose { reference })
            .unwrap_err()
            .code,
        ErrorCode::TaskNotCached
    );
}
