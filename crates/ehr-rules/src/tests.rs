//! Every rule path, with a fake set of facts. Operations are written as
//! the JSON a counter sends, so each test reads as the wire does.

use std::cell::RefCell;
use std::collections::BTreeMap;

use ehr_domain::lifecycle::application::{
    ApplicationLifecycle, ApplicationState as DState, Origin as DOrigin,
};
use ehr_domain::lifecycle::Policy;
use ehr_domain::{Date, DocumentNumber};
use ehr_protocol::wire::{
    ApplicantDetails, ApplicationDetail, Operation, Outcome, PersonDetails, ProviderKind, SiteType,
};
use ehr_protocol::ErrorCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::*;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn hkid(n: u32) -> String {
    let id = format!("Z{:06}", n % 1_000_000);
    let c = ehr_domain::id::hkid_check_char(&id).unwrap();
    format!("{id}({c})")
}

fn person(number: &str, given: &str, dob: &str) -> Value {
    json!({"document_type": "hkic", "document_number": number, "surname": "CHAN",
        "given_names": given, "chinese_name": "陳大文", "date_of_birth": dob, "sex": "male"})
}

fn details(v: Value) -> PersonDetails {
    serde_json::from_value(v).unwrap()
}

fn sms() -> Value {
    json!({"channel": "sms", "language": "zh", "address": "91234567"})
}

const IMAGE: Uuid = Uuid::from_u128(7);
const TODAY: &str = "2026-06-01";

#[derive(Default)]
struct Fake {
    apps: Vec<KnownApplication>,
    images: Vec<Uuid>,
    providers: BTreeMap<&'static str, ProviderKind>,
    sites: BTreeMap<&'static str, SiteType>,
    asked: RefCell<Vec<String>>,
}

impl Facts for Fake {
    type Error = std::convert::Infallible;

    fn application(&self, reference: &str) -> Result<Option<KnownApplication>, Self::Error> {
        self.asked.borrow_mut().push(reference.to_owned());
        Ok(self.apps.iter().find(|a| a.reference == reference).cloned())
    }

    fn applications_for(
        &self,
        document: &DocumentNumber,
    ) -> Result<Vec<KnownApplication>, Self::Error> {
        Ok(self
            .apps
            .iter()
            .filter(|a| a.patient.particulars.document.same_document(document))
            .cloned()
            .collect())
    }

    fn image_known(&self, id: Uuid) -> Result<bool, Self::Error> {
        Ok(self.images.contains(&id))
    }

    fn provider(&self, id: &str) -> Result<Option<ProviderKind>, Self::Error> {
        Ok(self.providers.get(id).copied())
    }

    fn site_type(&self, code: &str) -> Result<Option<SiteType>, Self::Error> {
        Ok(self.sites.get(code).copied())
    }
}

fn fake() -> Fake {
    Fake {
        images: vec![IMAGE],
        providers: [
            ("HA", ProviderKind::Public),
            ("PP-0001", ProviderKind::Private),
            ("PP-0002", ProviderKind::Private),
        ]
        .into_iter()
        .collect(),
        sites: [
            ("QMH", SiteType::BirthHospital),
            ("HA-QEH", SiteType::RegistrationCentre),
        ]
        .into_iter()
        .collect(),
        ..Fake::default()
    }
}

/// A pending application submitted on `submitted`.
fn app(reference: &str, patient: Value, applicant: Value, submitted: &str) -> KnownApplication {
    let mut l = ApplicationLifecycle::new(DOrigin::Online, d(submitted));
    l.apply(
        ehr_domain::lifecycle::application::ApplicationEvent::Accept,
        d(submitted),
        &Policy::default(),
    )
    .unwrap();
    let applicant: ApplicantDetails = serde_json::from_value(applicant).unwrap();
    KnownApplication::new(
        reference,
        l,
        &details(patient),
        &applicant,
        &["PP-0001".into(), "HA".into(), "PP-0001".into()],
    )
    .unwrap()
}

fn ctx(site_type: SiteType) -> Ctx {
    Ctx {
        site_type,
        on: d(TODAY),
        policy: Policy::default(),
        signed_off: false,
    }
}

fn op(v: Value) -> Operation {
    serde_json::from_value(v).unwrap()
}

fn run(ctx: &Ctx, v: Value, facts: &Fake) -> Verdict<Plan> {
    match check(ctx, &op(v), facts) {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// The (field, code) pairs of a rejection; panics on anything else.
fn rejected_with(v: &Verdict<Plan>) -> Vec<(String, String)> {
    match v.refusal() {
        Some(Outcome::Rejected { field_errors }) => field_errors
            .iter()
            .map(|f| (f.field.clone(), f.code.clone()))
            .collect(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

fn conflict_code(v: &Verdict<Plan>) -> ErrorCode {
    match v.refusal() {
        Some(Outcome::Conflict { code, .. }) => *code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn activate(reference: &str, presented: Value) -> Value {
    json!({"type": "activate_application", "reference": reference, "presented": presented,
        "read_source": "card"})
}

fn self_app(facts: &mut Fake) -> Value {
    let patient = person(&hkid(1), "Tai Man", "1980-05-06");
    facts.apps.push(app(
        "EA0000000001",
        patient.clone(),
        json!({"role": "self"}),
        "2026-05-01",
    ));
    patient
}

#[test]
fn adult_self_activation_is_accepted_with_the_private_consents() {
    let mut f = fake();
    let patient = self_app(&mut f);
    let v = run(
        &ctx(SiteType::RegistrationCentre),
        activate("EA0000000001", patient),
        &f,
    );
    let Some(Plan::Activation(plan)) = v.accepted() else {
        panic!("not accepted");
    };
    assert_eq!(plan.reference, "EA0000000001");
    assert_eq!(plan.lifecycle.state(), DState::Activated);
    assert_eq!(plan.lifecycle.last_event_on(), d(TODAY));
    assert!(plan.flags.is_empty());
    assert!(!plan.report.any_different());
    // Public providers and repeats dropped.
    assert_eq!(plan.private_consents, ["PP-0001"]);
}

#[test]
fn activation_conflicts_by_the_applications_state() {
    let mut f = fake();
    let patient = self_app(&mut f);
    let c = ctx(SiteType::RegistrationCentre);
    // Unknown, and an over-long reference is never looked up.
    let v = run(&c, activate("EA9999999999", patient.clone()), &f);
    assert_eq!(conflict_code(&v), ErrorCode::ConflictApplicationNotFound);
    f.asked.borrow_mut().clear();
    let v = run(&c, activate(&"E".repeat(65), patient.clone()), &f);
    assert_eq!(conflict_code(&v), ErrorCode::ConflictApplicationNotFound);
    assert!(f.asked.borrow().is_empty());
    // Expired: 180 days after submission (2026-05-01 + 180 = 2026-10-28).
    let late = Ctx {
        on: d("2026-10-28"),
        ..c
    };
    let v = run(&late, activate("EA0000000001", patient.clone()), &f);
    assert_eq!(conflict_code(&v), ErrorCode::ConflictExpired);
    let last_day = Ctx {
        on: d("2026-10-27"),
        ..c
    };
    assert!(
        run(&last_day, activate("EA0000000001", patient.clone()), &f)
            .accepted()
            .is_some()
    );
    // Already activated.
    let a = &mut f.apps[0];
    a.lifecycle = ApplicationLifecycle::restore(
        DOrigin::Online,
        DState::Activated,
        d("2026-05-01"),
        d("2026-05-02"),
    )
    .unwrap();
    let v = run(&c, activate("EA0000000001", patient.clone()), &f);
    assert_eq!(conflict_code(&v), ErrorCode::ConflictAlreadyActivated);
    // Cancelled.
    f.apps[0].lifecycle = ApplicationLifecycle::restore(
        DOrigin::Online,
        DState::Cancelled,
        d("2026-05-01"),
        d("2026-05-02"),
    )
    .unwrap();
    let v = run(&c, activate("EA0000000001", patient), &f);
    assert_eq!(conflict_code(&v), ErrorCode::ConflictWithdrawn);
}

#[test]
fn activation_with_another_document_is_refused() {
    let mut f = fake();
    self_app(&mut f);
    let other = person(&hkid(424_242), "Tai Man", "1980-05-06");
    let v = run(
        &ctx(SiteType::RegistrationCentre),
        activate("EA0000000001", other),
        &f,
    );
    assert_eq!(
        rejected_with(&v),
        pairs(&[("presented.document_number", "activation.different_document")])
    );
}

#[test]
fn field_differences_need_a_sign_off_and_are_flagged() {
    let mut f = fake();
    let mut differs = self_app(&mut f);
    differs["given_names"] = json!("Someone Else");
    let c = ctx(SiteType::RegistrationCentre);
    let v = run(&c, activate("EA0000000001", differs.clone()), &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[("supervisor_sign_off", "need.supervisor.field_mismatch")])
    );
    let signed = Ctx {
        signed_off: true,
        ..c
    };
    let Some(Plan::Activation(plan)) =
        run(&signed, activate("EA0000000001", differs), &f).accepted()
    else {
        panic!("not accepted with a sign-off");
    };
    assert_eq!(plan.flags, ["activation.fields_differ_signed_off"]);
}

#[test]
fn an_invalid_presented_identity_or_unknown_image_is_rejected_first() {
    let mut f = fake();
    let patient = self_app(&mut f);
    let mut bad = patient.clone();
    bad["date_of_birth"] = json!("2026-06-02");
    let mut a = activate("EA0000000001", bad);
    a["patient_document_copy_image"] = json!(Uuid::from_u128(99));
    let v = run(&ctx(SiteType::RegistrationCentre), a, &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[
            ("presented.date_of_birth", "date.dob_after_transaction"),
            ("patient_document_copy_image", "document.image_unknown"),
        ])
    );
}

fn sdm_app(f: &mut Fake, role: &str) -> (Value, Value) {
    let patient = person(&hkid(2), "Siu Ming", "2018-02-02");
    let sdm = person(&hkid(3), "Tai Man", "1985-01-01");
    let applicant = if role == "sdm" {
        json!({"role": "sdm", "relationship": "parent", "person": sdm})
    } else {
        json!({"role": "authorised_person", "person": sdm})
    };
    f.apps.push(app(
        "EA0000000002",
        patient.clone(),
        applicant,
        "2026-05-01",
    ));
    (patient, sdm)
}

#[test]
fn sdm_and_authorised_person_activations_need_the_attendee_and_a_copy() {
    for role in ["sdm", "authorised_person"] {
        let mut f = fake();
        let (patient, sdm) = sdm_app(&mut f, role);
        let c = ctx(SiteType::RegistrationCentre);
        // Nobody attending, no copy.
        let v = run(&c, activate("EA0000000002", patient.clone()), &f);
        assert_eq!(
            rejected_with(&v),
            pairs(&[
                ("attendee", "field.required"),
                ("patient_document_copy_image", "need.patient_document_copy"),
            ]),
            "{role}"
        );
        // Someone else attends.
        let mut a = activate("EA0000000002", patient.clone());
        a["attendee"] = person(&hkid(4), "Tai Man", "1985-01-01");
        a["patient_document_copy_image"] = json!(IMAGE);
        let v = run(&c, a.clone(), &f);
        assert_eq!(
            rejected_with(&v),
            pairs(&[("attendee.document_number", "activation.different_document")]),
            "{role}"
        );
        // The named person, with the copy.
        a["attendee"] = sdm;
        let v = run(&c, a, &f);
        assert!(matches!(v.accepted(), Some(Plan::Activation(_))), "{role}");
    }
}

fn walk_in(number: &str, dob: &str) -> Value {
    json!({"type": "register_in_person", "patient": person(number, "Tai Man", dob),
        "capacity": "capable", "applicant": {"role": "self"}, "notification": sms(),
        "private_provider_consents": ["PP-0001"]})
}

#[test]
fn adult_walk_in_is_accepted_without_settlement() {
    let f = fake();
    let v = run(
        &ctx(SiteType::RegistrationCentre),
        walk_in(&hkid(10), "1980-05-06"),
        &f,
    );
    let Some(Plan::InPerson(plan)) = v.accepted() else {
        panic!("not accepted");
    };
    assert!(plan.settlement.is_none());
    assert!(plan.flags.is_empty());
    assert!(plan.applicant.is_none());
}

#[test]
fn a_child_alone_is_refused_and_age_is_judged_on_the_transaction_day() {
    let f = fake();
    // Turns 16 on 2026-06-01.
    let on_birthday = ctx(SiteType::RegistrationCentre);
    assert!(run(&on_birthday, walk_in(&hkid(11), "2010-06-01"), &f)
        .accepted()
        .is_some());
    let day_before = Ctx {
        on: d("2026-05-31"),
        ..on_birthday
    };
    let v = run(&day_before, walk_in(&hkid(11), "2010-06-01"), &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[("applicant", "eligibility.sdm_required_under_16")])
    );
}

#[test]
fn a_lower_tier_sdm_needs_the_declaration_and_documents() {
    let f = fake();
    let c = ctx(SiteType::RegistrationCentre);
    let mut w = walk_in(&hkid(12), "2020-01-01");
    w["applicant"] = json!({"role": "sdm", "relationship": "family_member",
        "person": person(&hkid(13), "Tai Man", "1970-01-01")});
    let v = run(&c, w.clone(), &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[
            ("no_higher_tier_declared", "need.no_higher_tier_declaration"),
            ("patient_document_copy_image", "need.patient_document_copy"),
        ])
    );
    w["no_higher_tier_declared"] = json!(true);
    w["patient_document_copy_image"] = json!(IMAGE);
    let Some(Plan::InPerson(plan)) = run(&c, w, &f).accepted() else {
        panic!("not accepted with the declaration and copy");
    };
    assert!(plan.applicant.is_some());
}

#[test]
fn a_guardian_needs_a_supporting_document_and_images_must_be_known() {
    let f = fake();
    let c = ctx(SiteType::RegistrationCentre);
    let mut w = walk_in(&hkid(14), "2020-01-01");
    w["applicant"] = json!({"role": "sdm", "relationship": "guardian",
        "person": person(&hkid(15), "Tai Man", "1970-01-01")});
    w["no_higher_tier_declared"] = json!(true);
    w["patient_document_copy_image"] = json!(IMAGE);
    let v = run(&c, w.clone(), &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[("supporting_document_image", "need.supporting_document")])
    );
    w["supporting_document_image"] = json!(Uuid::from_u128(99));
    let v = run(&c, w.clone(), &f);
    // Every refusal at once: the unknown image, and so the document is
    // still needed.
    assert_eq!(
        rejected_with(&v),
        pairs(&[
            ("supporting_document_image", "document.image_unknown"),
            ("supporting_document_image", "need.supporting_document"),
        ])
    );
    w["supporting_document_image"] = json!(IMAGE);
    assert!(run(&c, w, &f).accepted().is_some());
}

#[test]
fn public_unknown_and_repeated_providers_are_refused() {
    let f = fake();
    let mut w = walk_in(&hkid(16), "1980-05-06");
    w["private_provider_consents"] = json!(["HA", "PP-9999", "PP-0001", "PP-0001"]);
    let v = run(&ctx(SiteType::RegistrationCentre), w, &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[
            ("private_provider_consents[0]", "consent.public_fixed"),
            ("private_provider_consents[1]", "field.unknown_code"),
            ("private_provider_consents[3]", "field.format"),
        ])
    );
    let give = json!({"type": "give_consent", "ehr_number": "E1", "provider_ids": ["HA"]});
    let v = run(&ctx(SiteType::RegistrationCentre), give, &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[("provider_ids[0]", "consent.public_fixed")])
    );
    let none = json!({"type": "revoke_consent", "ehr_number": "E1", "provider_ids": []});
    let v = run(&ctx(SiteType::RegistrationCentre), none, &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[("provider_ids", "field.required")])
    );
}

#[test]
fn a_walk_in_settles_the_pending_application_for_the_same_document() {
    let mut f = fake();
    let patient = self_app(&mut f);
    let c = ctx(SiteType::RegistrationCentre);
    let number = patient["document_number"].as_str().unwrap().to_owned();
    // Same particulars.
    let Some(Plan::InPerson(plan)) = run(&c, walk_in(&number, "1980-05-06"), &f).accepted() else {
        panic!("not accepted");
    };
    let s = plan.settlement.expect("settles");
    assert_eq!(s.reference, "EA0000000001");
    assert!(!s.fields_differ);
    assert_eq!(s.lifecycle.state(), DState::Activated);
    assert_eq!(plan.flags, ["settlement.by_in_person_registration"]);
    // Other particulars: settled and flagged.
    let mut w = walk_in(&number, "1980-05-06");
    w["patient"]["given_names"] = json!("Someone Else");
    let Some(Plan::InPerson(plan)) = run(&c, w, &f).accepted() else {
        panic!("not accepted");
    };
    assert!(plan.settlement.expect("settles").fields_differ);
    assert_eq!(
        plan.flags,
        [
            "settlement.fields_differ",
            "settlement.by_in_person_registration"
        ]
    );
    // Past its expiry the application is not settled.
    let late = Ctx {
        on: d("2026-10-28"),
        ..c
    };
    let Some(Plan::InPerson(plan)) = run(&late, walk_in(&number, "1980-05-06"), &f).accepted()
    else {
        panic!("not accepted");
    };
    assert!(plan.settlement.is_none() && plan.flags.is_empty());
}

#[test]
fn what_each_site_type_offers() {
    use SiteType as S;
    let f = fake();
    let paper = json!({"type": "key_paper_application", "origin": "paper_post",
        "received_on": "2026-05-30", "patient": person(&hkid(20), "Ka Yan", "1975-03-04"),
        "capacity": "capable", "applicant": {"role": "self"}, "notification": sms(),
        "form_image": IMAGE});
    let withdraw = json!({"type": "withdraw", "ehr_number": "E1", "confirmed": true});
    let mch = walk_in(&hkid(21), "1980-05-06");
    for (site, v, offered) in [
        (S::RegistrationOffice, paper.clone(), true),
        (S::RegistrationCentre, paper, false),
        (S::PrivateProviderCentre, withdraw.clone(), false),
        (S::BirthHospital, withdraw, true),
        (S::MaternalChildHealthCentre, mch.clone(), false),
        (S::PrivateProviderCentre, mch, true),
    ] {
        let verdict = run(&ctx(site), v, &f);
        if offered {
            assert!(verdict.accepted().is_some(), "{site:?}");
        } else {
            assert_eq!(
                rejected_with(&verdict),
                pairs(&[("op.type", "auth.forbidden")]),
                "{site:?}"
            );
        }
    }
}

#[test]
fn a_pre_1980_birth_certificate_needs_a_sign_off() {
    let f = fake();
    // A birth certificate number that fails the check digit, born before 1980.
    let id = "Z000030";
    let good = ehr_domain::id::hkid_check_char(id).unwrap();
    let wrong = ['0', '1', '2'].into_iter().find(|c| *c != good).unwrap();
    let mut w = walk_in(&format!("{id}({wrong})"), "1970-01-01");
    w["patient"]["document_type"] = json!("hk_birth_certificate");
    let c = ctx(SiteType::RegistrationCentre);
    let v = run(&c, w.clone(), &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[(
            "supervisor_sign_off",
            "need.supervisor.pre_1980_birth_certificate"
        )])
    );
    let signed = Ctx {
        signed_off: true,
        ..c
    };
    assert!(run(&signed, w, &f).accepted().is_some());
}

#[test]
fn a_paper_form_is_kept_with_its_image() {
    let f = fake();
    let c = ctx(SiteType::RegistrationOffice);
    let mut paper = json!({"type": "key_paper_application", "origin": "paper_post",
        "received_on": "2026-05-30", "patient": person(&hkid(23), "Ka Yan", "1975-03-04"),
        "capacity": "capable", "applicant": {"role": "self"}, "notification": sms()});
    assert_eq!(
        rejected_with(&run(&c, paper.clone(), &f)),
        pairs(&[("form_image", "field.required")])
    );
    paper["form_image"] = json!(Uuid::from_u128(12345));
    assert_eq!(
        rejected_with(&run(&c, paper.clone(), &f)),
        pairs(&[("form_image", "document.image_unknown")])
    );
    paper["form_image"] = json!(IMAGE);
    assert!(run(&c, paper, &f).accepted().is_some());
}

#[test]
fn a_work_item_save_is_checked_and_offered_at_the_ro_only() {
    let f = fake();
    let item = |stage: &str, payload: &str| {
        json!({"type": "save_work_item", "id": Uuid::from_u128(7), "version": 1,
            "stage": stage, "origin": "paper_fax", "received_on": "2026-05-30",
            "document_masked": "A123***(3)", "payload": payload})
    };
    let ro = ctx(SiteType::RegistrationOffice);
    assert!(run(&ro, item("first_keying", "{}"), &f)
        .accepted()
        .is_some());
    assert_eq!(
        rejected_with(&run(&ro, item("typed", "[1]"), &f)),
        pairs(&[("stage", "field.unknown_code"), ("payload", "field.format")])
    );
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(70_000));
    assert_eq!(
        rejected_with(&run(&ro, item("second_keying", &big), &f)),
        pairs(&[("payload", "field.format")])
    );
    assert_eq!(
        rejected_with(&run(
            &ctx(SiteType::RegistrationCentre),
            item("first_keying", "{}"),
            &f
        )),
        pairs(&[("op.type", "auth.forbidden")])
    );
}

#[test]
fn paper_keying_judges_the_received_day() {
    let f = fake();
    let c = ctx(SiteType::RegistrationOffice);
    let paper = |received: &str| {
        json!({"type": "key_paper_application", "origin": "paper_fax",
            "received_on": received, "patient": person(&hkid(22), "Ka Yan", "1975-03-04"),
            "capacity": "capable", "applicant": {"role": "self"}, "notification": sms(),
            "form_image": IMAGE})
    };
    let v = run(&c, paper("2025-12-01"), &f);
    assert_eq!(conflict_code(&v), ErrorCode::ConflictExpired);
    let v = run(&c, paper("2026-06-02"), &f);
    assert_eq!(
        rejected_with(&v),
        pairs(&[("received_on", "date.out_of_range")])
    );
    let Some(Plan::KeyPaper(plan)) = run(&c, paper("2026-05-30"), &f).accepted() else {
        panic!("not accepted");
    };
    assert_eq!(plan.lifecycle.state(), DState::Pending);
    assert_eq!(plan.lifecycle.origin(), DOrigin::PaperFax);
    let mut online = paper("2026-05-30");
    online["origin"] = json!("online");
    assert_eq!(
        rejected_with(&run(&c, online, &f)),
        pairs(&[("origin", "field.unknown_code")])
    );
}

#[test]
fn newborns_need_a_birth_hospital_and_a_parent() {
    let f = fake();
    let c = ctx(SiteType::BirthHospital);
    let newborn = json!({"type": "register_newborn", "hospital_code": "QMH", "serial": "S1",
        "date_of_birth": "2026-05-31", "time_of_birth": "10:30", "sex": "female",
        "parent": person(&hkid(23), "Tai Man", "1990-01-01"), "relationship": "parent",
        "certifying_document_image": IMAGE, "notification": sms()});
    let Some(Plan::Newborn(plan)) = run(&c, newborn.clone(), &f).accepted() else {
        panic!("not accepted");
    };
    assert_eq!(plan.name.given_names(), "Baby of CHAN Tai Man");
    let mut bad = newborn;
    bad["hospital_code"] = json!("HA-QEH");
    bad["relationship"] = json!("guardian");
    bad["time_of_birth"] = json!("25:00");
    bad["date_of_birth"] = json!("2026-06-02");
    assert_eq!(
        rejected_with(&run(&c, bad, &f)),
        pairs(&[
            ("hospital_code", "field.unknown_code"),
            ("date_of_birth", "date.dob_after_transaction"),
            ("time_of_birth", "field.format"),
            ("relationship", "eligibility.relationship_not_for_age"),
        ])
    );
    let complete = json!({"type": "complete_newborn", "ehr_number": "E1",
        "birth_certificate_number": "A123456(4)", "surname": "CHAN",
        "certificate_image": Uuid::from_u128(99)});
    assert_eq!(
        rejected_with(&run(&c, complete, &f)),
        pairs(&[
            ("birth_certificate_number", "newborn.pre_1980_number"),
            ("certificate_image", "document.image_unknown"),
        ])
    );
}

fn newborn_born(dob: &str, time: &str, at: &str) -> Value {
    json!({"type": "register_newborn", "hospital_code": "QMH", "serial": "S1",
        "date_of_birth": dob, "time_of_birth": time, "sex": "female",
        "parent": person(&hkid(23), "Tai Man", "1990-01-01"), "relationship": "parent",
        "certifying_document_image": IMAGE, "notification": sms(), "transacted_at": at})
}

#[test]
fn a_newborn_is_born_within_the_policys_days_and_not_after_the_transaction() {
    let f = fake();
    let c = ctx(SiteType::BirthHospital);
    let at = "2026-06-01T10:00:00+08:00";
    // 42 days (the default) before 1 June is 20 April.
    assert!(run(&c, newborn_born("2026-04-20", "08:00", at), &f)
        .accepted()
        .is_some());
    assert_eq!(
        rejected_with(&run(&c, newborn_born("2026-04-19", "08:00", at), &f)),
        pairs(&[("date_of_birth", "newborn.too_old")])
    );
    let mut short = c;
    short.policy.newborn_registration_days = 10;
    assert_eq!(
        rejected_with(&run(&short, newborn_born("2026-05-21", "08:00", at), &f)),
        pairs(&[("date_of_birth", "newborn.too_old")])
    );
    // Born today: not after the transaction time (five minutes' slack).
    assert!(run(&c, newborn_born("2026-06-01", "10:05", at), &f)
        .accepted()
        .is_some());
    assert_eq!(
        rejected_with(&run(&c, newborn_born("2026-06-01", "10:06", at), &f)),
        pairs(&[("time_of_birth", "newborn.born_in_future")])
    );
    // Yesterday late in the evening is never in the future.
    assert!(run(&c, newborn_born("2026-05-31", "23:59", at), &f)
        .accepted()
        .is_some());
}

#[test]
fn a_newborn_without_a_chosen_name_is_baby_of_the_parent_in_both_languages() {
    let f = fake();
    let c = ctx(SiteType::BirthHospital);
    let v = newborn_born("2026-05-31", "08:00", "2026-06-01T10:00:00+08:00");
    let Some(Plan::Newborn(plan)) = run(&c, v.clone(), &f).accepted() else {
        panic!("not accepted");
    };
    assert_eq!(plan.name.surname(), "CHAN");
    assert_eq!(plan.name.given_names(), "Baby of CHAN Tai Man");
    assert_eq!(plan.chinese_name.as_deref(), Some("陳大文之嬰"));
    let mut chosen = v;
    chosen["surname"] = json!("Wong");
    chosen["given_names"] = json!("Siu Ming");
    chosen["chinese_name"] = json!("黃小明");
    let Some(Plan::Newborn(plan)) = run(&c, chosen, &f).accepted() else {
        panic!("not accepted");
    };
    assert_eq!(plan.name.given_names(), "Siu Ming");
    assert_eq!(plan.chinese_name.as_deref(), Some("黃小明"));
}

#[test]
fn completion_takes_a_current_birth_certificate_at_the_sites_that_offer_it() {
    let mut f = fake();
    f.images.push(Uuid::from_u128(99));
    let valid = {
        let id = "A123456";
        let c = ehr_domain::id::hkid_check_char(id).unwrap();
        format!("{id}({c})")
    };
    let complete = |n: &str| {
        json!({"type": "complete_newborn", "ehr_number": "E1",
            "birth_certificate_number": n, "surname": "Chan", "given_names": "Siu Ming",
            "certificate_image": Uuid::from_u128(99)})
    };
    use SiteType as S;
    for site in [
        S::MaternalChildHealthCentre,
        S::RegistrationCentre,
        S::RegistrationOffice,
        S::BirthHospital,
    ] {
        assert!(
            run(&ctx(site), complete(&valid), &f).accepted().is_some(),
            "{site:?}"
        );
    }
    assert_eq!(
        rejected_with(&run(&ctx(S::PrivateProviderCentre), complete(&valid), &f)),
        pairs(&[("op.type", "auth.forbidden")])
    );
    // Not of HKID shape at all: the plain format refusal.
    assert_eq!(
        rejected_with(&run(&ctx(S::MaternalChildHealthCentre), complete("12"), &f))
            .first()
            .map(|(f, _)| f.as_str()),
        Some("birth_certificate_number")
    );
    assert_ne!(
        rejected_with(&run(&ctx(S::MaternalChildHealthCentre), complete("12"), &f))[0].1,
        "newborn.pre_1980_number"
    );
}

#[test]
fn a_withdrawal_must_be_confirmed() {
    let f = fake();
    let v = run(
        &ctx(SiteType::RegistrationCentre),
        json!({"type": "withdraw", "ehr_number": "E1", "confirmed": false}),
        &f,
    );
    assert_eq!(
        rejected_with(&v),
        pairs(&[("confirmed", "withdrawal.not_confirmed")])
    );
}

#[test]
fn a_fetched_detail_becomes_a_known_application() {
    let patient = person(&hkid(1), "Tai Man", "1980-05-06");
    let detail: ApplicationDetail = serde_json::from_value(json!({
        "summary": {"reference": "EA0000000001", "state": "pending", "origin": "paper_post",
            "submitted_on": "2026-05-01", "expires_on": "2026-10-28", "document_type": "hkic",
            "document_number_masked": "Z000***(*)", "surname": "CHAN", "given_names": "Tai Man",
            "chinese_name": null, "date_of_birth": "1980-05-06", "applicant_role": "self"},
        "patient": patient, "capacity": "capable", "applicant": {"role": "self"},
        "notification_channel": "sms", "notification_language": "zh",
        "private_provider_consents": ["PP-0001"], "flags": []
    }))
    .unwrap();
    let known = KnownApplication::from_detail(&detail).unwrap();
    assert_eq!(known.lifecycle.state(), DState::Pending);
    assert_eq!(known.lifecycle.origin(), DOrigin::PaperPost);
    assert_eq!(known.lifecycle.submitted_on(), d("2026-05-01"));
    assert!(known.applicant.is_none());
    let shown = format!("{known:?}");
    for secret in ["Z000001", "CHAN", "Tai Man", "1980", "陳大文", "PP-0001"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // The counter decides with it as the service would.
    let mut f = fake();
    f.apps.push(known);
    let v = run(
        &ctx(SiteType::RegistrationCentre),
        activate("EA0000000001", patient),
        &f,
    );
    assert!(v.accepted().is_some());
    // A detail that does not read is no application.
    let mut broken = detail;
    broken.summary.submitted_on = "soon".into();
    assert!(KnownApplication::from_detail(&broken).is_none());
}
