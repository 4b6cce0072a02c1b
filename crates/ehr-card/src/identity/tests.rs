use super::*;

fn record() -> CardRecord {
    CardRecord {
        generation: CardGeneration::Gen2018,
        document_number: "A1234563".into(),
        english_name: "CHAN, Tai Man".into(),
        chinese_ccc: vec![7115, 1129, 2429],
        date_of_birth: "19800115".into(),
        sex: 'M',
        date_of_issue: "20190301".into(),
    }
}

fn manual() -> ManualEntry {
    ManualEntry {
        document_type: "hkic".into(),
        document_number: "a123456 (3)".into(),
        surname: "Chan".into(),
        given_names: "Tai Man".into(),
        chinese_name: "陳大文".into(),
        date_of_birth: "15/01/1980".into(),
        sex: "M".into(),
    }
}

#[test]
fn a_card_record_becomes_a_checked_identity() {
    let id = IdentityRead::from_card(&record(), SourceKind::OpenTestCard).unwrap();
    assert_eq!(id.document.masked(), "A123***(3)");
    assert_eq!(id.english_name_printed, "CHAN, Tai Man");
    assert_eq!(id.english_name.surname(), "CHAN");
    assert_eq!(id.english_name.given_names(), "Tai Man");
    let zh = id.chinese_name.as_ref().unwrap();
    assert_eq!(zh.characters(), "陳大文");
    assert_eq!(zh.ccc_string().as_deref(), Some("7115 1129 2429"));
    assert_eq!(
        id.date_of_birth,
        DateOfBirth::Day(Date::new(1980, 1, 15).unwrap())
    );
    assert_eq!(id.sex, Sex::Male);
    assert_eq!(id.date_of_issue, Some(Date::new(2019, 3, 1).unwrap()));
    assert_eq!(id.generation, Some(CardGeneration::Gen2018));
    assert_eq!(id.particulars().document, id.document);
}

#[test]
fn card_dates_keep_their_precision() {
    let mut r = record();
    r.date_of_birth = "19800000".into();
    let id = IdentityRead::from_card(&r, SourceKind::OpenTestCard).unwrap();
    assert_eq!(id.date_of_birth, DateOfBirth::year_only(1980).unwrap());
    r.date_of_birth = "19800300".into();
    let id = IdentityRead::from_card(&r, SourceKind::OpenTestCard).unwrap();
    assert_eq!(id.date_of_birth, DateOfBirth::month(1980, 3).unwrap());
    for bad in ["19800015", "19801301", "1980011", "198001AA", "19800230"] {
        r.date_of_birth = bad.into();
        assert_eq!(
            IdentityRead::from_card(&r, SourceKind::OpenTestCard).unwrap_err(),
            field("date_of_birth", Code::DateFormat),
            "{bad}"
        );
    }
}

#[test]
fn each_bad_card_field_is_named_without_its_value() {
    type Change = fn(&mut CardRecord);
    let cases: [(Change, &str, Code); 5] = [
        (
            |r| r.document_number = "A1234567".into(),
            "document_number",
            Code::IdCheckDigit,
        ),
        (
            |r| r.english_name = "".into(),
            "english_name",
            Code::NameEmpty,
        ),
        (
            |r| r.chinese_ccc = vec![9999, 9998],
            "chinese_name",
            Code::CccUnknown,
        ),
        (|r| r.sex = 'X', "sex", Code::SexFormat),
        (
            |r| r.date_of_issue = "20191301".into(),
            "date_of_issue",
            Code::DateFormat,
        ),
    ];
    for (change, name, code) in cases {
        let mut r = record();
        change(&mut r);
        let err = IdentityRead::from_card(&r, SourceKind::OpenTestCard).unwrap_err();
        assert_eq!(err, field(name, code), "{name}");
        assert_eq!(err.field(), Some(name));
        let text = format!("{err} {err:?}");
        assert!(!text.contains("A123456"), "{text}");
        assert_eq!(SourceError::from(err).code(), "card.invalid_data");
    }
}

#[test]
fn an_old_generation_record_is_refused() {
    let mut r = record();
    r.generation = CardGeneration::Gen2003;
    let err = IdentityRead::from_card(&r, SourceKind::OpenTestCard).unwrap_err();
    assert_eq!(err, IdentityError::OldGeneration);
    assert_eq!(SourceError::from(err).code(), "card.old_generation");
}

#[test]
fn a_card_without_a_chinese_name_has_none() {
    let mut r = record();
    r.chinese_ccc.clear();
    let id = IdentityRead::from_card(&r, SourceKind::OpenTestCard).unwrap();
    assert_eq!(id.chinese_name, None);
}

#[test]
fn manual_entry_normalises_and_checks() {
    let id = IdentityRead::from_manual(&manual()).unwrap();
    assert_eq!(id.source, SourceKind::Manual);
    assert_eq!(id.document.masked(), "A123***(3)");
    assert_eq!(id.english_name_printed, "Chan, Tai Man");
    assert_eq!(
        id.chinese_name.unwrap().ccc_string().as_deref(),
        Some("7115 1129 2429")
    );
    assert_eq!(id.generation, None);

    let mut passport = manual();
    passport.document_type = "foreign_passport".into();
    passport.document_number = "X1234567".into();
    passport.chinese_name = "  ".into();
    let id = IdentityRead::from_manual(&passport).unwrap();
    assert_eq!(id.document.doc_type(), DocumentType::ForeignPassport);
    assert_eq!(id.chinese_name, None);
}

#[test]
fn manual_entry_reports_every_bad_field_at_once() {
    let entry = ManualEntry {
        document_type: "hkic".into(),
        document_number: "A1234567".into(),
        surname: "".into(),
        given_names: "".into(),
        chinese_name: "abc".into(),
        date_of_birth: "31/02/1980".into(),
        sex: "Q".into(),
    };
    let errs = IdentityRead::from_manual(&entry).unwrap_err();
    let fields: Vec<_> = errs.iter().filter_map(IdentityError::field).collect();
    assert_eq!(
        fields,
        [
            "date_of_birth",
            "document_number",
            "surname",
            "chinese_name",
            "sex"
        ]
    );
    let mut unknown = manual();
    unknown.document_type = "library_card".into();
    let errs = IdentityRead::from_manual(&unknown).unwrap_err();
    assert_eq!(errs, vec![field("document_type", Code::IdUnknownType)]);
}

#[test]
fn a_pre_1980_birth_certificate_needs_a_supervisor() {
    let mut e = manual();
    e.document_type = "hk_birth_certificate".into();
    e.document_number = "A1234567".into();
    e.date_of_birth = "01/01/1975".into();
    let errs = IdentityRead::from_manual(&e).unwrap_err();
    assert_eq!(
        errs,
        vec![field("document_number", Code::IdPre1980Override)]
    );
    e.date_of_birth = "01/01/1985".into();
    let errs = IdentityRead::from_manual(&e).unwrap_err();
    assert_eq!(errs, vec![field("document_number", Code::IdCheckDigit)]);
}

#[test]
fn cancel_is_shared_between_clones() {
    let c = Cancel::new();
    let d = c.clone();
    assert!(!d.is_cancelled());
    c.cancel();
    assert!(d.is_cancelled());
}

/// The sample person's particulars, none of which may appear in `Debug`.
const PARTICULARS: &[&str] = &[
    "A123456",
    "A1234563",
    "a123456",
    "CHAN",
    "Chan",
    "Tai Man",
    "陳大文",
    "7115",
    "1980",
    "19800115",
    "2019",
];

fn assert_redacted(what: &str, v: &impl std::fmt::Debug) {
    for out in [format!("{v:?}"), format!("{v:#?}")] {
        for p in PARTICULARS {
            assert!(!out.contains(p), "{what}'s Debug shows {p:?}: {out}");
        }
        assert!(out.contains("<redacted"), "{what}: {out}");
    }
}

#[test]
fn debug_redacts_the_particulars() {
    let id = IdentityRead::from_card(&record(), SourceKind::OpenTestCard).unwrap();
    assert_redacted("IdentityRead", &id);
    assert!(
        format!("{id:?}").contains("A123***(3)"),
        "the masked number stays"
    );
    assert_redacted("ManualEntry", &manual());
    assert_redacted("CardRecord", &record());
    let from_manual = IdentityRead::from_manual(&manual()).unwrap();
    assert_redacted("IdentityRead (manual)", &from_manual);
}
