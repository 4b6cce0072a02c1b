use std::time::Instant;

use ehr_card::profile::{CardGeneration, CardRecord, ReadError};
use ehr_card_pcsc::CardReadError;

use super::*;

fn identity(doc: &str) -> Box<IdentityRead> {
    let record = CardRecord {
        generation: CardGeneration::Gen2018,
        document_number: doc.into(),
        english_name: "CHAN, Tai Man".into(),
        chinese_ccc: vec![7115, 1129, 2429],
        date_of_birth: "19800115".into(),
        sex: 'M',
        date_of_issue: "20190301".into(),
    };
    Box::new(IdentityRead::from_card(&record, SourceKind::OpenTestCard).unwrap())
}

const R0: &str = "Reader 0";
const R1: &str = "Reader 1";

fn present(reader: &str) -> ReaderEvent {
    ReaderEvent::CardPresent {
        reader: reader.into(),
        at: Instant::now(),
    }
}

/// A card arriving and its read finishing, as the monitor reports them.
fn arrive(v: &mut ReaderView, reader: &str, result: Result<Box<IdentityRead>, &'static str>) {
    apply(v, &present(reader));
    apply(v, &read(reader, result));
}

fn read(reader: &str, result: Result<Box<IdentityRead>, &'static str>) -> ReaderEvent {
    ReaderEvent::Read {
        reader: reader.into(),
        result,
        present_at: Instant::now(),
        apdus: 2,
    }
}

#[test]
fn the_view_follows_service_readers_and_cards() {
    let mut v = ReaderView::default();
    assert_eq!(v.status, ReaderStatus::NoService);
    apply(&mut v, &ReaderEvent::Readers(vec![]));
    assert_eq!(v.status, ReaderStatus::NoReader);
    apply(&mut v, &ReaderEvent::Readers(vec![R0.into(), R1.into()]));
    assert_eq!(v.status, ReaderStatus::Waiting);
    apply(&mut v, &present(R0));
    assert_eq!(
        (v.status, v.reader.as_deref()),
        (ReaderStatus::Reading, Some(R0))
    );
    apply(&mut v, &read(R0, Ok(identity("A1234563"))));
    assert_eq!(v.status, ReaderStatus::Read);
    let id = v.identity.clone().unwrap();
    assert_eq!(id.document_masked, "A123***(3)");
    assert_eq!(id.chinese_name.as_deref(), Some("陳大文"));
    assert_eq!(id.chinese_ccc.as_deref(), Some("7115 1129 2429"));
    assert_eq!(id.date_of_birth, "15/01/1980");
    assert_eq!(id.generation.as_deref(), Some("gen2018"));
    assert_eq!(
        (id.surname.as_str(), id.given_names.as_str()),
        ("CHAN", "Tai Man")
    );
    // No full number anywhere in what the UI receives.
    let json = serde_json::to_string(&v).unwrap();
    assert!(
        !json.contains("A1234563") && !json.contains("A123456"),
        "{json}"
    );
    // Removing a card from the other reader changes nothing shown.
    let before = v.revision;
    apply(&mut v, &ReaderEvent::CardRemoved { reader: R1.into() });
    assert!(v.identity.is_some());
    assert!(v.revision > before);
    // Removing this card clears the identity.
    apply(&mut v, &ReaderEvent::CardRemoved { reader: R0.into() });
    assert_eq!(
        (v.status, v.identity.is_none()),
        (ReaderStatus::Waiting, true)
    );
}

#[test]
fn a_failed_read_shows_the_problem_and_a_new_card_replaces_it() {
    let mut v = ReaderView::default();
    apply(&mut v, &ReaderEvent::Readers(vec![R0.into()]));
    arrive(&mut v, R0, Ok(identity("A1234563")));
    apply(&mut v, &present(R0));
    assert!(
        v.identity.is_none(),
        "the previous person is gone as soon as a card arrives"
    );
    apply(&mut v, &read(R0, Err("card.old_generation")));
    assert_eq!(v.status, ReaderStatus::Error);
    assert_eq!(v.problem.as_ref().unwrap().code, CardCode::OldGeneration);
    assert!(v.problem.as_ref().unwrap().message_zh.contains("2003"));
    apply(&mut v, &ReaderEvent::NoService);
    assert_eq!(v.status, ReaderStatus::NoService);
    assert!(v.problem.is_none() && v.readers.is_empty());
}

#[test]
fn a_reader_that_goes_away_takes_its_identity_with_it() {
    let mut v = ReaderView::default();
    apply(&mut v, &ReaderEvent::Readers(vec![R0.into(), R1.into()]));
    arrive(&mut v, R1, Ok(identity("A1234563")));
    assert!(v.identity.is_some());
    apply(&mut v, &ReaderEvent::Readers(vec![R0.into()]));
    assert_eq!(
        (v.status, v.identity.is_none()),
        (ReaderStatus::Waiting, true)
    );
}

#[test]
fn finishing_the_task_clears_the_identity() {
    let desk = CardDesk::default();
    {
        let mut v = lock(&desk.view);
        apply(&mut v, &ReaderEvent::Readers(vec![R0.into()]));
        arrive(&mut v, R0, Ok(identity("A1234563")));
    }
    assert!(desk.view().identity.is_some());
    let after = desk.finish_task();
    assert_eq!(
        (after.status, after.identity.is_none()),
        (ReaderStatus::Waiting, true)
    );
    assert_eq!(desk.view(), after);
}

#[test]
fn a_read_that_lands_after_the_task_is_finished_shows_nobody() {
    let desk = CardDesk::default();
    {
        let mut v = lock(&desk.view);
        apply(&mut v, &ReaderEvent::Readers(vec![R0.into(), R1.into()]));
        apply(&mut v, &present(R0));
    }
    // The clerk finishes while the read is on its way; its result (a person,
    // or the cancel itself) arrives after the screen was cleared.
    let cleared = desk.finish_task();
    for late in [Ok(identity("A1234563")), Err("card.cancelled")] {
        let mut v = lock(&desk.view);
        apply(&mut v, &read(R0, late));
        assert_eq!(
            (v.status, v.identity.is_none(), v.problem.is_none()),
            (ReaderStatus::Waiting, true, true)
        );
        assert_eq!(v.reader, cleared.reader);
    }
    // A result for a reader other than the one being read is not shown either.
    let mut v = lock(&desk.view);
    apply(&mut v, &present(R1));
    apply(&mut v, &read(R0, Ok(identity("A1234563"))));
    assert_eq!(
        (v.status, v.identity.is_none()),
        (ReaderStatus::Reading, true)
    );
    apply(&mut v, &read(R1, Ok(identity("A1234563"))));
    assert_eq!(v.status, ReaderStatus::Read);
}

#[test]
fn every_card_layer_code_has_its_own_message() {
    let read_errors = [
        CardReadError::NoService,
        CardReadError::NoReader,
        CardReadError::NoCard,
        CardReadError::Removed,
        CardReadError::Timeout,
        CardReadError::Cancelled,
        CardReadError::BadResponse,
        CardReadError::Service("x".into()),
        CardReadError::Profile(ReadError::OldGeneration),
        CardReadError::Profile(ReadError::UnsupportedVersion(9)),
        CardReadError::Profile(ReadError::Malformed("x")),
        CardReadError::Profile(ReadError::Finished),
        CardReadError::Profile(ReadError::UnknownCard(ehr_card::apdu::StatusWord(0x6A82))),
        CardReadError::Profile(ReadError::UnexpectedStatus(ehr_card::apdu::StatusWord(
            0x6982,
        ))),
    ];
    let source_errors = [
        ehr_card::identity::SourceError::NotConfigured,
        ehr_card::identity::SourceError::Unavailable,
        ehr_card::identity::SourceError::Identity(IdentityError::OldGeneration),
        ehr_card::identity::SourceError::Identity(IdentityError::Field {
            field: "sex",
            code: ehr_domain::Code::SexFormat,
        }),
    ];
    let codes = read_errors
        .iter()
        .map(CardReadError::code)
        .chain(source_errors.iter().map(|e| e.code()));
    for code in codes {
        assert_eq!(
            CardCode::from_wire(code).as_str(),
            code,
            "{code} is not in the catalogue"
        );
    }
}

#[test]
fn manual_entry_gives_a_masked_view_or_field_issues() {
    let mut req = ManualIdentityRequest {
        document_type: "hkic".into(),
        document_number: "a123456(3)".into(),
        surname: "Chan".into(),
        given_names: "Tai Man".into(),
        chinese_name: "".into(),
        date_of_birth: "1980-01-15".into(),
        sex: "F".into(),
    };
    let id = check_manual(&req).unwrap();
    let view = identity_view(&id);
    assert_eq!(
        (view.source.as_str(), view.document_masked.as_str()),
        ("manual", "A123***(3)")
    );
    assert_eq!((view.sex.as_str(), view.chinese_name), ("F", None));
    req.document_number = "A1234567".into();
    req.sex = "".into();
    let issues = check_manual(&req).unwrap_err();
    let got: Vec<_> = issues
        .iter()
        .map(|i| (i.field.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [("document_number", "id.check_digit"), ("sex", "sex.format")]
    );
    assert!(issues[0].message_zh.contains("核對數字"));
    assert!(!serde_json::to_string(&issues).unwrap().contains("A123456"));
}

#[test]
fn the_ideas_endpoint_routes_card_reads_to_the_ideas_source() {
    use ehr_card::identity::Cancel;
    let cfg = crate::Config::from_lookup(|k| {
        (k == crate::config::ENV_IDEAS_ENDPOINT).then(|| "https://ideas.invalid".to_owned())
    });
    // The reader thread hands reads to IDEAS; a one-off read goes there too,
    // and is refused clearly (this build has no transport), never via PC/SC.
    let shared = shared_source(&cfg).expect("IDEAS is shared with the reader thread");
    assert_eq!(shared.lock().unwrap().kind(), SourceKind::Ideas);
    let app = crate::App::new(cfg);
    assert_eq!(app.identity_source_kind(), SourceKind::Ideas);
    let err = app
        .read_identity(
            "Virtual PCD 00 00",
            Duration::from_millis(10),
            &Cancel::new(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "ideas.unavailable");
    assert_eq!(
        CardProblem::new(CardCode::from_wire(err.code())).code,
        CardCode::IdeasUnavailable
    );
    // Without the variable: the open test card profile, read by the thread.
    let plain = crate::Config::from_lookup(|_| None);
    assert!(shared_source(&plain).is_none());
    assert_eq!(identity_source(&plain).kind(), SourceKind::OpenTestCard);
}
