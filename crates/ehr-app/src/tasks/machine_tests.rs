#![allow(clippy::unwrap_used, clippy::panic)]

//! The state machine alone: no store, no network, no clock.

use std::collections::HashSet;

use ehr_protocol::task::{TaskForm, TaskKind, TaskStage};

use super::*;

#[test]
fn references_typed_through_an_input_method_are_folded() {
    assert_eq!(normalise_reference("ea 12-ab\n"), "EA12AB");
    assert_eq!(
        normalise_reference("\u{FF45}\u{FF41}\u{FF11}\u{FF12}\u{FF21}\u{FF22}"),
        "EA12AB"
    );
    assert_eq!(normalise_reference("EA\u{3000}12"), "EA12");
}

#[test]
fn over_long_form_text_is_cut_never_kept_whole() {
    let mut t = Task::new(Uuid::nil());
    t.edit(TaskForm {
        address: "x".repeat(10_000),
        consents: vec!["y".repeat(1000); 500],
        ..TaskForm::default()
    });
    assert_eq!(t.form.address.chars().count(), MAX_TEXT);
    assert!(t.form.consents.len() <= 60 && t.form.consents.iter().all(|c| c.len() <= 64));
}

#[test]
fn back_from_details_goes_to_the_comparison_then_the_list() {
    let mut t = Task::new(Uuid::nil());
    t.kind = TaskKind::Activation;
    t.stage = TaskStage::Details;
    t.found = Some(Found {
        applications: vec![],
        records: vec![],
        kept_as_sdm: vec![],
        source: ehr_protocol::task::LookupSource::Central,
    });
    t.back();
    assert_eq!(t.stage, TaskStage::Compare);
    t.back();
    assert_eq!((t.kind, t.stage), (TaskKind::Lookup, TaskStage::Found));
}

#[test]
fn with_nobody_identified_there_is_nothing_to_send() {
    let t = Task::new(Uuid::nil());
    let held = HashSet::new();
    let judge = Judge {
        today: ehr_domain::Date::new(2026, 12, 1).unwrap(),
        policy: ehr_domain::lifecycle::Policy::default(),
        site_type: SiteType::RegistrationCentre,
        reference: None,
        held: &held,
        now_rfc3339: "2026-12-01T10:00:00+08:00",
        birth_document_here: false,
    };
    let e = t.operation(&judge).unwrap_err();
    assert_eq!(e[0].field, "patient");
}

#[test]
fn a_record_key_is_a_slip_reference() {
    let t = Task::new(Uuid::new_v4());
    assert!(t.record_key.len() <= 64);
    assert!(t
        .record_key
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'));
}
