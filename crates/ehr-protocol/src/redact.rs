//! Helpers for hand-written `Debug` of types that hold personal particulars.
//!
//! Such a type shows its field names, with `<redacted>` in place of every
//! name, number, date of birth, address or free text, so a `{:?}` in a log
//! line, a panic message or a test failure never prints a person's details.

use std::fmt;

/// Shown in place of a value: `<redacted>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `Some(<redacted>)` or `None`: whether a value is there, not what it is.
pub fn option<T>(v: &Option<T>) -> Option<Redacted> {
    v.as_ref().map(|_| Redacted)
}

/// How many items there are, not what they are: `<redacted; 3>`.
pub struct RedactedItems(pub usize);

impl fmt::Debug for RedactedItems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted; {}>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use crate::card::{IdentityView, ManualIdentityRequest, ReaderStatus, ReaderView};
    use crate::ipc::{AttentionItem, DiscardRequest, SignInRequest, SlipLanguage, SlipView};
    use crate::wire::{
        ApplicantDetails, ApplicantRole, ApplicationDetail, ApplicationList, ApplicationState,
        ApplicationSummary, Language, NotificationChannel, NotificationChoice, Origin,
        PersonDetails, RecordIdentifier, RecordList, RecordState, RegisteredRecord, Sex,
    };
    use crate::ErrorCode;

    /// The sample person's particulars, none of which may appear in `Debug`.
    const SECRETS: &[&str] = &[
        "A123456",
        "A1234563",
        "CHAN",
        "Tai Man",
        "陳大文",
        "7115",
        "1980",
        "15/01",
        "91234567",
        "E9876543",
        "BH-0042",
        "incapable",
        "s3cret-pw",
        "MR WONG",
    ];

    fn person() -> PersonDetails {
        PersonDetails {
            document_type: "hkic".into(),
            document_number: "A123456(3)".into(),
            surname: "CHAN".into(),
            given_names: "Tai Man".into(),
            chinese_name: Some("陳大文".into()),
            date_of_birth: "1980-01-15".into(),
            sex: Some(Sex::Male),
        }
    }

    fn summary() -> ApplicationSummary {
        ApplicationSummary {
            reference: "APP-1".into(),
            state: ApplicationState::Pending,
            origin: Origin::Online,
            submitted_on: "2026-11-01".into(),
            expires_on: "2027-02-01".into(),
            document_type: "hkic".into(),
            document_number_masked: "A1***(3)".into(),
            surname: "CHAN".into(),
            given_names: "Tai Man".into(),
            chinese_name: Some("陳大文".into()),
            date_of_birth: "1980-01-15".into(),
            applicant_role: ApplicantRole::Sdm,
        }
    }

    fn view() -> IdentityView {
        IdentityView {
            source: "open_test_card".into(),
            document_type: "hkic".into(),
            document_type_en: "Hong Kong identity card".into(),
            document_type_zh: "香港身份證".into(),
            document_masked: "A1***(3)".into(),
            english_name: "CHAN, Tai Man".into(),
            surname: "CHAN".into(),
            given_names: "Tai Man".into(),
            chinese_name: Some("陳大文".into()),
            chinese_ccc: Some("7115 1129 2429".into()),
            date_of_birth: "15/01/1980".into(),
            sex: "M".into(),
            date_of_issue: Some("01/03/2019".into()),
            generation: Some("gen2018".into()),
        }
    }

    fn record() -> RegisteredRecord {
        RegisteredRecord {
            ehr_number: "E9876543".into(),
            state: RecordState::Effective,
            identifier: RecordIdentifier::Document {
                document_type: "hkic".into(),
                document_number_masked: "A1***(3)".into(),
            },
            surname: "CHAN".into(),
            given_names: "Tai Man".into(),
            chinese_name: Some("陳大文".into()),
            date_of_birth: "1980-01-15".into(),
            registered_on: "2026-11-02".into(),
            consents: vec![],
            flags: vec![],
            sdm: Some(crate::wire::SdmView {
                relationship: "parent".into(),
                document_type: "hkic".into(),
                document_number_masked: "A1***(3)".into(),
            }),
            contact: Some(crate::wire::ContactView {
                channel: crate::wire::NotificationChannel::Sms,
                language: crate::wire::Language::Zh,
                address_masked: "****4567".into(),
            }),
        }
    }

    fn assert_redacted(what: &str, plain: String, pretty: String) {
        for out in [plain, pretty] {
            for s in SECRETS {
                assert!(!out.contains(s), "{what}'s Debug shows {s:?}: {out}");
            }
            assert!(out.contains("<redacted"), "{what}: {out}");
        }
    }

    macro_rules! check {
        ($($v:expr),* $(,)?) => {$(
            let v = $v;
            assert_redacted(stringify!($v), format!("{v:?}"), format!("{v:#?}"));
        )*};
    }

    #[test]
    fn debug_of_every_type_with_particulars_redacts_them() {
        check!(
            person(),
            NotificationChoice {
                channel: NotificationChannel::Sms,
                language: Language::Zh,
                address: "91234567".into(),
            },
            ApplicantDetails::Sdm {
                relationship: "parent".into(),
                person: person(),
            },
            ApplicantDetails::AuthorisedPerson { person: person() },
            summary(),
            ApplicationList {
                items: vec![summary()],
            },
            ApplicationDetail {
                summary: summary(),
                patient: person(),
                capacity: "incapable:minor".into(),
                applicant: ApplicantDetails::SelfApplicant {},
                notification_channel: NotificationChannel::Post,
                notification_language: Language::En,
                private_provider_consents: vec!["MR WONG".into()],
                flags: vec![],
            },
            RecordIdentifier::BirthHospital {
                hospital_code: "QMH".into(),
                serial: "BH-0042".into(),
            },
            record(),
            RecordList {
                items: vec![record()],
                kept_as_sdm: vec![record()],
            },
            SignInRequest {
                staff_code: "clerk01".into(),
                password: "s3cret-pw".into(),
            },
            AttentionItem {
                id: 1,
                op_type: "register_in_person".into(),
                summary: "Walk-in CHAN Tai Man A1***(3)".into(),
                code: ErrorCode::ConflictAlreadyRegistered,
                reason_en: "x".into(),
                reason_zh: "x".into(),
                fields: vec![],
                saved_at_ms: 0,
            },
            SlipView {
                handle: 1,
                reference: "R-1".into(),
                // Stands for the rendered pages, which show the name.
                pages_png_base64: vec!["CHAN Tai Man".into()],
                bytes: 1,
                language: SlipLanguage::Both,
            },
            DiscardRequest {
                id: 1,
                reason: "CHAN came back".into(),
            },
            view(),
            ReaderView {
                status: ReaderStatus::Read,
                readers: vec!["Virtual PCD 00 00".into()],
                reader: Some("Virtual PCD 00 00".into()),
                identity: Some(view()),
                problem: None,
                revision: 3,
                present_at_us: None,
            },
            ManualIdentityRequest {
                document_type: "hkic".into(),
                document_number: "A123456(3)".into(),
                surname: "CHAN".into(),
                given_names: "Tai Man".into(),
                chinese_name: "陳大文".into(),
                date_of_birth: "15/01/1980".into(),
                sex: "M".into(),
            },
        );
    }
}
