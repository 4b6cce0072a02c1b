//! Activation matching: the identity presented at the counter (card read or
//! manual entry) against a pending application, field by field.
//!
//! - The **same document** is required: equal type and equal normalised
//!   number. Otherwise activation is refused.
//! - Names, date of birth and sex are compared field by field: `equal`,
//!   `different`, or `missing` when either side lacks the field. English
//!   names compare as [`EnglishName::same_surname`] says (case, hyphens and
//!   full stops ignored); Chinese names by their characters; dates of birth
//!   only as equal when precision and value are the same.
//! - Going ahead despite a `different` field needs a supervisor's sign-off
//!   (product decision); a `missing` field is shown but needs no sign-off.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::decision::{Decision, Need, NeedKind};
use crate::error::Code;
use crate::id::CheckStatus;
use crate::lifecycle::application::{ApplicationLifecycle, ApplicationState};
use crate::lifecycle::Policy;
use crate::person::{EnglishName, Particulars};

/// Where the identity at the counter came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadSource {
    /// Read from a smart identity card.
    Card,
    /// Keyed by the clerk from a document.
    Manual,
}

/// The identity presented at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityRead {
    /// Card or manual entry.
    pub source: ReadSource,
    /// What was read.
    pub particulars: Particulars,
}

/// A compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Document type.
    DocumentType,
    /// Document number.
    DocumentNumber,
    /// English surname.
    Surname,
    /// English given names.
    GivenNames,
    /// Chinese name.
    ChineseName,
    /// Date of birth.
    DateOfBirth,
    /// Sex.
    Sex,
}

/// The result for one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldMatch {
    /// Both sides have it and it is the same.
    Equal,
    /// Both sides have it and it differs.
    Different,
    /// At least one side lacks it.
    Missing,
}

/// One field's comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldComparison {
    /// The field.
    pub field: Field,
    /// The result.
    pub result: FieldMatch,
}

/// The field-by-field comparison of a read with an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchReport {
    /// Same document type and number.
    pub same_document: bool,
    /// Every field, in [`Field`] order.
    pub fields: Vec<FieldComparison>,
}

impl MatchReport {
    /// The result for one field.
    pub fn get(&self, field: Field) -> Option<FieldMatch> {
        self.fields
            .iter()
            .find(|c| c.field == field)
            .map(|c| c.result)
    }

    /// Whether any field differs.
    pub fn any_different(&self) -> bool {
        self.fields
            .iter()
            .any(|c| c.result == FieldMatch::Different)
    }
}

fn cmp<T>(a: Option<&T>, b: Option<&T>, same: impl Fn(&T, &T) -> bool) -> FieldMatch {
    match (a, b) {
        (Some(a), Some(b)) if same(a, b) => FieldMatch::Equal,
        (Some(_), Some(_)) => FieldMatch::Different,
        _ => FieldMatch::Missing,
    }
}

/// Compares what was read with what the application holds.
pub fn compare(read: &Particulars, application: &Particulars) -> MatchReport {
    let doc_type = read.document.doc_type() == application.document.doc_type();
    let number = read.document.normalized() == application.document.normalized();
    let eq = |b: bool| {
        if b {
            FieldMatch::Equal
        } else {
            FieldMatch::Different
        }
    };
    let (rn, an) = (
        read.english_name.as_ref(),
        application.english_name.as_ref(),
    );
    let fields = vec![
        FieldComparison {
            field: Field::DocumentType,
            result: eq(doc_type),
        },
        FieldComparison {
            field: Field::DocumentNumber,
            result: eq(number),
        },
        FieldComparison {
            field: Field::Surname,
            result: cmp(rn, an, EnglishName::same_surname),
        },
        FieldComparison {
            field: Field::GivenNames,
            result: cmp(rn, an, EnglishName::same_given_names),
        },
        FieldComparison {
            field: Field::ChineseName,
            result: cmp(
                read.chinese_name.as_ref(),
                application.chinese_name.as_ref(),
                |a, b| a.characters() == b.characters(),
            ),
        },
        FieldComparison {
            field: Field::DateOfBirth,
            result: cmp(
                read.date_of_birth.as_ref(),
                application.date_of_birth.as_ref(),
                |a, b| a == b,
            ),
        },
        FieldComparison {
            field: Field::Sex,
            result: cmp(read.sex.as_ref(), application.sex.as_ref(), |a, b| a == b),
        },
    ];
    MatchReport {
        same_document: doc_type && number,
        fields,
    }
}

/// What the clerk has already obtained for an activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivationProvided {
    /// A supervisor signed off the differences (and any pre-1980 number).
    #[serde(default)]
    pub supervisor_signed_off: bool,
}

/// Decides whether the application may be activated with what was read.
pub fn decide_activation(
    report: &MatchReport,
    read: &IdentityRead,
    application: &ApplicationLifecycle,
    today: Date,
    policy: &Policy,
    provided: ActivationProvided,
) -> Decision {
    let d = Decision::allow();
    match application.effective_state(today, policy) {
        ApplicationState::Pending => {}
        ApplicationState::Expired => return d.refuse(Code::ApplicationExpired),
        _ => return d.refuse(Code::LifecycleIllegalTransition),
    }
    if !report.same_document {
        return d.refuse(Code::ActivationDifferentDocument);
    }
    let mut d = d;
    if report.any_different() {
        d = d.because(Code::ReasonFieldsDiffer);
        if !provided.supervisor_signed_off {
            d = d.needs(Need::new(
                NeedKind::SupervisorSignOff,
                Code::NeedSupervisorFieldMismatch,
                Code::ReasonFieldsDiffer,
            ));
        }
    }
    if read.particulars.document.check() == CheckStatus::Unverified
        && !provided.supervisor_signed_off
    {
        d = d.needs(Need::new(
            NeedKind::SupervisorSignOff,
            Code::NeedSupervisorPre1980,
            Code::IdPre1980Override,
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::DateOfBirth;
    use crate::id::{DocumentNumber, DocumentType};
    use crate::lifecycle::application::{ApplicationEvent, Origin};
    use crate::person::{ChineseName, Sex};

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn person(number: &str, name: &str, ccc: Option<&str>, dob: &str, sex: Sex) -> Particulars {
        Particulars {
            document: DocumentNumber::parse(DocumentType::Hkic, number).unwrap(),
            english_name: Some(EnglishName::parse_card(name).unwrap()),
            chinese_name: ccc.map(|c| ChineseName::from_ccc(c).unwrap()),
            date_of_birth: Some(DateOfBirth::parse(dob).unwrap()),
            sex: Some(sex),
        }
    }

    fn pending() -> ApplicationLifecycle {
        let mut a = ApplicationLifecycle::new(Origin::Online, d("2026-01-01"));
        a.apply(
            ApplicationEvent::Accept,
            d("2026-01-01"),
            &Policy::default(),
        )
        .unwrap();
        a
    }

    #[test]
    fn field_table() {
        let app = person(
            "A123456(3)",
            "CHAN, Tai Man",
            Some("7115 1129 2429"),
            "01/03/1990",
            Sex::Male,
        );
        type Case = (Particulars, &'static [(Field, FieldMatch)], bool);
        let cases: &[Case] = &[
            (
                app.clone(),
                &[
                    (Field::Surname, FieldMatch::Equal),
                    (Field::Sex, FieldMatch::Equal),
                ],
                true,
            ),
            (
                person(
                    "a1234563",
                    "Chan, TAI-MAN",
                    Some("711511292429"),
                    "1990-03-01",
                    Sex::Male,
                ),
                &[
                    (Field::Surname, FieldMatch::Equal),
                    (Field::GivenNames, FieldMatch::Equal),
                    (Field::DateOfBirth, FieldMatch::Equal),
                ],
                true,
            ),
            (
                person(
                    "A123456(3)",
                    "CHAN, Tai Ming",
                    Some("7115 1129 2494"),
                    "02/03/1990",
                    Sex::Female,
                ),
                &[
                    (Field::Surname, FieldMatch::Equal),
                    (Field::GivenNames, FieldMatch::Different),
                    (Field::ChineseName, FieldMatch::Different),
                    (Field::DateOfBirth, FieldMatch::Different),
                    (Field::Sex, FieldMatch::Different),
                ],
                true,
            ),
            (
                person("A123456(3)", "CHAN, Tai Man", None, "03/1990", Sex::Male),
                &[
                    (Field::ChineseName, FieldMatch::Missing),
                    (Field::DateOfBirth, FieldMatch::Different),
                ],
                true,
            ),
            (
                person("E364912(5)", "CHAN, Tai Man", None, "01/03/1990", Sex::Male),
                &[
                    (Field::DocumentType, FieldMatch::Equal),
                    (Field::DocumentNumber, FieldMatch::Different),
                ],
                false,
            ),
        ];
        for (i, (read, want, same)) in cases.iter().enumerate() {
            let r = compare(read, &app);
            assert_eq!(r.same_document, *same, "case {i}");
            assert_eq!(r.fields.len(), 7);
            for (field, result) in *want {
                assert_eq!(r.get(*field), Some(*result), "case {i} {field:?}");
            }
        }
        let mut no_sex = app.clone();
        no_sex.sex = None;
        no_sex.english_name = None;
        let r = compare(&no_sex, &app);
        assert_eq!(r.get(Field::Sex), Some(FieldMatch::Missing));
        assert_eq!(r.get(Field::Surname), Some(FieldMatch::Missing));
        assert!(!r.any_different());
    }

    #[test]
    fn same_number_other_type_is_not_the_same_document() {
        let app = person("A123456(3)", "CHAN, Tai Man", None, "01/03/2015", Sex::Male);
        let mut read = app.clone();
        read.document =
            DocumentNumber::parse(DocumentType::HkBirthCertificate, "A123456(3)").unwrap();
        let r = compare(&read, &app);
        assert!(!r.same_document);
        assert_eq!(r.get(Field::DocumentType), Some(FieldMatch::Different));
        assert_eq!(r.get(Field::DocumentNumber), Some(FieldMatch::Equal));
    }

    #[test]
    fn activation_decisions() {
        let p = Policy::default();
        let app = person("A123456(3)", "CHAN, Tai Man", None, "01/03/1990", Sex::Male);
        let read = IdentityRead {
            source: ReadSource::Card,
            particulars: app.clone(),
        };
        let ok = compare(&read.particulars, &app);
        let none = ActivationProvided::default();
        let signed = ActivationProvided {
            supervisor_signed_off: true,
        };

        assert!(decide_activation(&ok, &read, &pending(), d("2026-02-01"), &p, none).complete());
        let expired = decide_activation(&ok, &read, &pending(), d("2026-06-30"), &p, none);
        assert_eq!(expired.refusal_code(), Some(Code::ApplicationExpired));
        let submitted = ApplicationLifecycle::new(Origin::Online, d("2026-01-01"));
        let not_pending = decide_activation(&ok, &read, &submitted, d("2026-02-01"), &p, none);
        assert_eq!(
            not_pending.refusal_code(),
            Some(Code::LifecycleIllegalTransition)
        );

        let other = IdentityRead {
            source: ReadSource::Manual,
            particulars: person("E364912(5)", "CHAN, Tai Man", None, "01/03/1990", Sex::Male),
        };
        let r = compare(&other.particulars, &app);
        let refused = decide_activation(&r, &other, &pending(), d("2026-02-01"), &p, signed);
        assert_eq!(
            refused.refusal_code(),
            Some(Code::ActivationDifferentDocument)
        );

        let typo = IdentityRead {
            source: ReadSource::Card,
            particulars: person(
                "A123456(3)",
                "CHAN, Tai Ming",
                None,
                "01/03/1990",
                Sex::Male,
            ),
        };
        let r = compare(&typo.particulars, &app);
        let needs = decide_activation(&r, &typo, &pending(), d("2026-02-01"), &p, none);
        assert!(needs.allowed && !needs.complete());
        assert_eq!(
            needs.needed_codes(),
            vec![Code::NeedSupervisorFieldMismatch]
        );
        assert_eq!(needs.still_needed[0].kind, NeedKind::SupervisorSignOff);
        let done = decide_activation(&r, &typo, &pending(), d("2026-02-01"), &p, signed);
        assert!(done.complete());
        assert_eq!(done.reasons[0].code, Code::ReasonFieldsDiffer);
    }

    #[test]
    fn pre_1980_number_needs_sign_off_at_activation() {
        let p = Policy::default();
        let dob = DateOfBirth::parse("1975").ok();
        let number = DocumentNumber::validate(DocumentType::HkBirthCertificate, "A123456(4)", dob)
            .unwrap()
            .number()
            .clone();
        let particulars = Particulars {
            document: number,
            english_name: None,
            chinese_name: None,
            date_of_birth: dob,
            sex: None,
        };
        let read = IdentityRead {
            source: ReadSource::Manual,
            particulars: particulars.clone(),
        };
        let r = compare(&read.particulars, &particulars);
        assert!(r.same_document);
        let out = decide_activation(
            &r,
            &read,
            &pending(),
            d("2026-02-01"),
            &p,
            ActivationProvided::default(),
        );
        assert_eq!(out.needed_codes(), vec![Code::NeedSupervisorPre1980]);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["fields"][0]["field"], "document_type");
        assert_eq!(v["fields"][0]["result"], "equal");
    }
}
