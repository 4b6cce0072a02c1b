//! Stable codes for every refusal, reason and requirement of the domain, with
//! their fixed bilingual text (kept in the
//! message catalogue, `i18n/*.json`, read through `ehr-i18n`).
//!
//! A [`Code`] is a contract: the UI, `ehrctl`, the central service and
//! integrators switch on its dotted form (for example `id.check_digit`), so a
//! code is never renamed or reused. Every message is fixed text written for a
//! counter clerk, in English and in Traditional Chinese. A message never
//! contains the input that caused it: no document number, name or date of
//! birth ever ends up in an error, a log line or a slip by way of this module.

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal; )*) => {
        /// Every stable code of the domain crate.
        ///
        /// Serialised as its dotted wire form, for example `"id.check_digit"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order (for catalogues and tests).
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The dotted wire form, for example `id.check_digit`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $wire, )* }
            }

            /// The fixed message in English and in Traditional Chinese, from
            /// the catalogue (`domain.<code>` in `i18n/*.json`).
            pub fn messages(self) -> (&'static str, &'static str) {
                ehr_i18n::pair(&self.message_key())
            }

            /// The key of this code's message in the catalogue.
            pub fn message_key(self) -> String {
                format!("domain.{}", self.as_str())
            }

            /// The code whose wire form is `s`, if any.
            pub fn from_wire(s: &str) -> Option<Code> {
                match s { $( $wire => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    /// Nothing was entered for the document number.
    IdEmpty = "id.empty";
    /// The number has characters no document number has.
    IdCharacters = "id.characters";
    /// The number does not have the shape of this document type's numbers.
    IdFormat = "id.format";
    /// The number has no check digit.
    IdCheckDigitMissing = "id.check_digit_missing";
    /// The check digit does not match the rest of the number.
    IdCheckDigit = "id.check_digit";
    /// The document type is not on the reference list.
    IdUnknownType = "id.unknown_type";
    /// A birth certificate number from before 1980 may not pass the check digit.
    IdPre1980Override = "id.pre_1980_override";

    /// Nothing was entered for the English name.
    NameEmpty = "name.empty";
    /// The English name has characters other than letters and separators.
    NameCharacters = "name.characters";
    /// The English name is longer than the register allows.
    NameTooLong = "name.too_long";
    /// Given names were entered without a surname.
    NameSurnameMissing = "name.surname_missing";
    /// The name has more than one comma.
    NameSeparator = "name.separator";

    /// Nothing was entered for the Chinese name.
    ChineseNameEmpty = "chinese_name.empty";
    /// The Chinese name has characters that are not Chinese characters.
    ChineseNameCharacters = "chinese_name.characters";
    /// The Chinese name is longer than the register allows.
    ChineseNameTooLong = "chinese_name.too_long";
    /// No Chinese Commercial Code was entered.
    CccEmpty = "ccc.empty";
    /// A Chinese Commercial Code is not four digits.
    CccFormat = "ccc.format";
    /// A Chinese Commercial Code is not in the code table.
    CccUnknown = "ccc.unknown";
    /// More codes than a name has on the card.
    CccTooMany = "ccc.too_many";

    /// Nothing was entered for the date.
    DateEmpty = "date.empty";
    /// The date is not in an accepted layout.
    DateFormat = "date.format";
    /// The day, month or year does not exist.
    DateOutOfRange = "date.out_of_range";
    /// The date of birth is after the day of the transaction.
    DateDobAfterTransaction = "date.dob_after_transaction";
    /// Nothing usable was entered for sex.
    SexFormat = "sex.format";

    /// A person under 16 cannot register themselves.
    EligibilitySdmRequiredUnder16 = "eligibility.sdm_required_under_16";
    /// A person who cannot consent cannot register themselves.
    EligibilitySelfLacksCapacity = "eligibility.self_lacks_capacity";
    /// An SDM for a capable person aged 16 or over.
    EligibilitySdmNeedsIncapacityGround = "eligibility.sdm_needs_incapacity_ground";
    /// The relationship is not one that may act for this age group.
    EligibilityRelationshipNotForAge = "eligibility.relationship_not_for_age";
    /// This SDM type must apply at a counter.
    EligibilitySdmTypeNotOnline = "eligibility.sdm_type_not_online";
    /// The transaction date is before the date of birth.
    EligibilityDobAfterTransaction = "eligibility.dob_after_transaction";

    /// Reason: a capable person aged 16 or over registers in person.
    ReasonSelf16Plus = "reason.self_16_plus";
    /// Reason: under 16, an SDM acts.
    ReasonUnder16 = "reason.under_16";
    /// Reason: 16 or over with a ground of incapacity, an SDM acts.
    ReasonIncapable16Plus = "reason.incapable_16_plus";
    /// Reason: the date of birth is not precise, so the lower possible age is used.
    ReasonAgeUncertain = "reason.age_uncertain";
    /// Reason: the SDM is in the first tiers (a to c).
    ReasonTierTop = "reason.tier_top";
    /// Reason: the SDM is in tier d.
    ReasonTierD = "reason.tier_d";
    /// Reason: the SDM is in tier e.
    ReasonTierE = "reason.tier_e";
    /// Reason: a parent of an adult acts as a family member.
    ReasonParentOfAdult = "reason.parent_of_adult";
    /// Reason: names or date of birth differ between the read and the application.
    ReasonFieldsDiffer = "reason.fields_differ";

    /// Need: an image of the SDM's supporting document.
    NeedSupportingDocument = "need.supporting_document";
    /// Need: the clerk declares that no higher-tier SDM exists.
    NeedNoHigherTierDeclaration = "need.no_higher_tier_declaration";
    /// Need: an image of the patient's identity document (SDM applications).
    NeedPatientDocumentCopy = "need.patient_document_copy";
    /// Need: a supervisor signs off a mismatch between read and application.
    NeedSupervisorFieldMismatch = "need.supervisor.field_mismatch";
    /// Need: a supervisor signs off a pre-1980 birth certificate number.
    NeedSupervisorPre1980 = "need.supervisor.pre_1980_birth_certificate";

    /// The transition is not allowed from the current state.
    LifecycleIllegalTransition = "lifecycle.illegal_transition";
    /// An event is dated before an earlier event of the same record.
    LifecycleDateOrder = "lifecycle.date_order";
    /// The application has expired.
    ApplicationExpired = "application.expired";
    /// The document presented is not the one in the application.
    ActivationDifferentDocument = "activation.different_document";
    /// Completion of a newborn record needs a verified birth certificate number.
    RegistrationNeedsBirthCertificate = "registration.needs_birth_certificate";
    /// Public providers hold consent automatically.
    ConsentPublicFixed = "consent.public_fixed";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code with its bilingual text: the shape in which every refusal, reason
/// and requirement crosses a boundary.
///
/// Built only from fixed text (see [`Message::new`] and
/// [`Message::with_hint`]), so it never holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The stable code.
    pub code: Code,
    /// The text in English.
    pub message_en: String,
    /// The text in Traditional Chinese.
    pub message_zh: String,
}

impl Message {
    /// The code's own fixed text.
    pub fn new(code: Code) -> Self {
        let (en, zh) = code.messages();
        Message {
            code,
            message_en: en.to_owned(),
            message_zh: zh.to_owned(),
        }
    }

    /// The code's text followed by a fixed hint (for example the expected
    /// format of a document type).
    pub fn with_hint(code: Code, hint: (&'static str, &'static str)) -> Self {
        let (en, zh) = code.messages();
        Message {
            code,
            message_en: format!("{en} {}", hint.0),
            message_zh: format!("{zh}{}", hint.1),
        }
    }
}

impl From<Code> for Message {
    fn from(code: Code) -> Self {
        Message::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_dotted_and_round_trip() {
        let mut seen = BTreeSet::new();
        for &c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate wire form {s}");
            assert!(s.contains('.'), "{s} is dotted");
            assert!(s.chars().all(|ch| ch.is_ascii_lowercase()
                || ch == '.'
                || ch == '_'
                || ch.is_ascii_digit()));
            assert_eq!(Code::from_wire(s), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), c);
        }
        assert_eq!(Code::from_wire("id.nope"), None);
    }

    #[test]
    fn every_code_has_english_and_chinese_text() {
        for &c in Code::ALL {
            for lang in ehr_i18n::Lang::ALL {
                assert!(
                    ehr_i18n::lookup(lang, &c.message_key()).is_some(),
                    "{} is missing from the catalogue",
                    c.message_key()
                );
            }
            let (en, zh) = c.messages();
            assert!(en.ends_with('.'), "{c}: {en}");
            assert!(zh.ends_with('。'), "{c}: {zh}");
            assert!(
                zh.chars().any(|ch| ('\u{4E00}'..='\u{9FFF}').contains(&ch)),
                "{c}: {zh}"
            );
        }
    }

    #[test]
    fn with_hint_appends_fixed_text() {
        let m = Message::with_hint(
            Code::IdFormat,
            ("Example: A123456(3).", "例如：A123456(3)。"),
        );
        assert_eq!(m.code, Code::IdFormat);
        assert!(m.message_en.ends_with("Example: A123456(3)."));
        assert!(m.message_zh.ends_with("例如：A123456(3)。"));
    }
}
