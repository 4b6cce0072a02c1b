//! What the UI sees of the card readers and of the identity in front of the
//! clerk: the reader state, the identity pane's contents (number masked),
//! and the card layer's stable codes with their bilingual messages.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::redact::{self, Redacted};

macro_rules! card_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal; )*) => {
        /// Every stable code of the card layer (readers, cards, IDEAS).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum CardCode {
            $( $(#[$doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl CardCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [CardCode] = &[ $( CardCode::$variant, )* ];

            /// The dotted wire form.
            pub fn as_str(self) -> &'static str {
                match self { $( CardCode::$variant => $wire, )* }
            }

            /// The message in English and in Traditional Chinese, from the
            /// catalogue (`reader.<code>`).
            pub fn messages(self) -> (&'static str, &'static str) {
                ehr_i18n::pair(&self.message_key())
            }

            /// The key of this code's message in the catalogue.
            pub fn message_key(self) -> String {
                format!("reader.{}", self.as_str())
            }

            /// The code for a wire form; unknown forms are `card.protocol`.
            pub fn from_wire(s: &str) -> CardCode {
                match s { $( $wire => CardCode::$variant, )* _ => CardCode::Protocol }
            }
        }
    };
}

card_codes! {
    /// The PC/SC service is not running.
    NoService = "pcsc.no_service";
    /// No reader is connected.
    NoReader = "pcsc.no_reader";
    /// Another PC/SC failure.
    ServiceError = "pcsc.service_error";
    /// No card in the reader.
    Absent = "card.absent";
    /// The card was taken out during the read.
    Removed = "card.removed";
    /// The read did not finish in time.
    Timeout = "card.timeout";
    /// The read was cancelled.
    Cancelled = "card.cancelled";
    /// The card's data does not follow the profile.
    Malformed = "card.malformed";
    /// Not an identity card this reader knows.
    Unknown = "card.unknown";
    /// A 2003-generation card.
    OldGeneration = "card.old_generation";
    /// A profile version the reader does not know.
    UnsupportedVersion = "card.unsupported_version";
    /// The card refused a read.
    UnexpectedStatus = "card.unexpected_status";
    /// The exchange with the card broke down.
    Protocol = "card.protocol";
    /// The card was read but its data fails the checks (for example the check digit).
    InvalidData = "card.invalid_data";
    /// IDEAS is not configured on this counter.
    IdeasNotConfigured = "ideas.not_configured";
    /// IDEAS cannot be reached.
    IdeasUnavailable = "ideas.unavailable";
}

/// A card-layer problem as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CardProblem {
    /// The stable code.
    pub code: CardCode,
    /// The message in English.
    pub message_en: String,
    /// The message in Traditional Chinese.
    pub message_zh: String,
}

impl CardProblem {
    /// The problem for `code`, with its catalogue messages.
    pub fn new(code: CardCode) -> Self {
        let (en, zh) = code.messages();
        CardProblem {
            code,
            message_en: en.to_owned(),
            message_zh: zh.to_owned(),
        }
    }
}

/// The state of the card readers, as the status line shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReaderStatus {
    /// The PC/SC service is not running.
    NoService,
    /// The service runs but no reader is connected.
    NoReader,
    /// A reader is ready; no card in it (or the identity was cleared).
    Waiting,
    /// A card is being read.
    Reading,
    /// A card was read; its identity is in the pane.
    Read,
    /// The last read failed; the problem says why.
    Error,
}

/// One person's identity as the identity pane shows it. The document number
/// is masked; the full number is only ever shown on an audited reveal.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IdentityView {
    /// `open_test_card`, `ideas` or `manual`.
    pub source: String,
    /// The document type code (`hkic`, …).
    pub document_type: String,
    /// The document type's name in English.
    pub document_type_en: String,
    /// The document type's name in Chinese.
    pub document_type_zh: String,
    /// The masked number, for example `A123***(4)`.
    pub document_masked: String,
    /// The English name as printed.
    pub english_name: String,
    /// The surname.
    pub surname: String,
    /// The given names.
    pub given_names: String,
    /// The Chinese name in characters, if any.
    pub chinese_name: Option<String>,
    /// The Chinese Commercial Codes of the name, as printed (`7115 1129 2429`).
    pub chinese_ccc: Option<String>,
    /// The date of birth as written in Hong Kong (`15/01/1980`).
    pub date_of_birth: String,
    /// `M` or `F`.
    pub sex: String,
    /// The date of issue, where the source gives it.
    pub date_of_issue: Option<String>,
    /// `gen2018` for cards.
    pub generation: Option<String>,
}

/// Everything the card side of the screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReaderView {
    /// The reader state.
    pub status: ReaderStatus,
    /// The readers the service lists.
    pub readers: Vec<String>,
    /// The reader of the card being read or shown.
    pub reader: Option<String>,
    /// The identity in the card pane.
    pub identity: Option<IdentityView>,
    /// Why the last read failed.
    pub problem: Option<CardProblem>,
    /// Increases with every change, so a front end can drop stale updates.
    pub revision: u64,
    /// For an identity just read: when PC/SC reported the card present
    /// (Unix microseconds), so a front end can time card-to-screen.
    #[ts(type = "number | null")]
    pub present_at_us: Option<u64>,
}

impl Default for ReaderView {
    fn default() -> Self {
        ReaderView {
            status: ReaderStatus::NoService,
            readers: Vec::new(),
            reader: None,
            identity: None,
            problem: None,
            revision: 0,
            present_at_us: None,
        }
    }
}

/// What the clerk keyed in the manual pane, as typed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ManualIdentityRequest {
    /// The document type code.
    pub document_type: String,
    /// The number.
    pub document_number: String,
    /// Surname in English.
    pub surname: String,
    /// Given names in English.
    pub given_names: String,
    /// Chinese name (may be empty).
    pub chinese_name: String,
    /// Date of birth.
    pub date_of_birth: String,
    /// Sex.
    pub sex: String,
}

/// One refused field of the manual pane: the field, the domain's code and
/// its fixed messages. Never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldIssue {
    /// The field name, as in [`ManualIdentityRequest`].
    pub field: String,
    /// The domain's stable code (for example `id.check_digit`).
    #[ts(type = "DomainCode")]
    pub code: String,
    /// The message in English.
    pub message_en: String,
    /// The message in Traditional Chinese.
    pub message_zh: String,
}

impl std::fmt::Debug for IdentityView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityView")
            .field("source", &self.source)
            .field("document_type", &self.document_type)
            .field("document_masked", &self.document_masked)
            .field("english_name", &Redacted)
            .field("surname", &Redacted)
            .field("given_names", &Redacted)
            .field("chinese_name", &redact::option(&self.chinese_name))
            .field("chinese_ccc", &redact::option(&self.chinese_ccc))
            .field("date_of_birth", &Redacted)
            .field("sex", &Redacted)
            .field("date_of_issue", &redact::option(&self.date_of_issue))
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ManualIdentityRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualIdentityRequest")
            .field("document_type", &self.document_type)
            .field("document_number", &Redacted)
            .field("surname", &Redacted)
            .field("given_names", &Redacted)
            .field("chinese_name", &Redacted)
            .field("date_of_birth", &Redacted)
            .field("sex", &Redacted)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_codes_round_trip_and_have_both_messages() {
        let mut seen = std::collections::HashSet::new();
        for code in CardCode::ALL {
            for lang in ehr_i18n::Lang::ALL {
                assert!(
                    ehr_i18n::lookup(lang, &code.message_key()).is_some(),
                    "{} is missing from the catalogue",
                    code.message_key()
                );
            }
            assert!(seen.insert(code.as_str()));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(CardCode::from_wire(code.as_str()), *code);
            let (en, zh) = code.messages();
            assert!(!en.is_empty());
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        }
        assert_eq!(CardCode::from_wire("card.what"), CardCode::Protocol);
        assert!(CardCode::OldGeneration
            .messages()
            .0
            .contains("by hand from another identity document"));
    }
}
