//! The identity-source boundary and the identity read it yields.
//!
//! The product decisions name three sources of a person's identity at the
//! counter: a smart card read through PC/SC with the open test card profile,
//! the government's card-authentication service (IDEAS), and manual entry.
//! Whatever the source, the app receives one [`IdentityRead`], checked with
//! the domain's rules (check digit, names, CCC table, dates). Card-shaped
//! sources implement [`IdentitySource`]; manual entry builds the same type
//! with [`IdentityRead::from_manual`].
//!
//! Nothing here does IO: adapters (`ehr-card-pcsc`, `ehr-card-ideas`) do.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ehr_domain::date::Date;
use ehr_domain::id::{DocumentNumber, DocumentType, IdOutcome};
use ehr_domain::person::{ChineseName, EnglishName, Particulars, Sex};
use ehr_domain::{Code, DateOfBirth};
use serde::Serialize;

use crate::profile::{CardGeneration, CardRecord};
use crate::redact::{self, Redacted};

/// Where an identity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A card of the open test card profile, read through PC/SC.
    OpenTestCard,
    /// The government's card-authentication service.
    Ideas,
    /// Keyed by a clerk from a document.
    Manual,
}

/// One person's identity as read from a document, checked with the domain
/// rules. `Debug` shows the masked number and the kinds of what it holds,
/// never a name, a date or the full number.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityRead {
    /// Where it came from.
    pub source: SourceKind,
    /// The document and its number (with its check digit, where it has one).
    pub document: DocumentNumber,
    /// The English name as printed on the document, one string.
    pub english_name_printed: String,
    /// The English name split into surname and given names.
    pub english_name: EnglishName,
    /// The Chinese name: characters, and the CCC of each where known.
    pub chinese_name: Option<ChineseName>,
    /// The date of birth, with its precision.
    pub date_of_birth: DateOfBirth,
    /// The sex.
    pub sex: Sex,
    /// The date the document was issued, where the source gives it.
    pub date_of_issue: Option<Date>,
    /// The card generation, for card sources.
    pub generation: Option<CardGeneration>,
}

/// Why a read or an entry does not make a valid identity. Carries the field
/// name and a code, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// A 2003-generation card: invalid since 2025.
    #[error("the card is of the 2003 generation, which is no longer valid")]
    OldGeneration,
    /// A field failed the domain's rules.
    #[error("the {field} field is not valid ({code:?})")]
    Field {
        /// The field: `document_type`, `document_number`, `surname`,
        /// `english_name`, `chinese_name`, `date_of_birth`, `sex` or `date_of_issue`.
        field: &'static str,
        /// The domain's code for the refusal.
        code: Code,
    },
}

fn field(field: &'static str, code: Code) -> IdentityError {
    IdentityError::Field { field, code }
}

impl IdentityError {
    /// The field the error belongs to, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            IdentityError::OldGeneration => None,
            IdentityError::Field { field, .. } => Some(field),
        }
    }
}

/// What a clerk keys in the manual pane. All text, as typed; the checks
/// normalise it (spaces, brackets, case, full-width forms).
#[derive(Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct ManualEntry {
    /// A document type code (`hkic`, `hk_birth_certificate`, …).
    pub document_type: String,
    /// The number, with or without brackets around the check digit.
    pub document_number: String,
    /// Surname in English.
    pub surname: String,
    /// Given names in English (may be empty).
    pub given_names: String,
    /// Chinese name in characters (may be empty).
    pub chinese_name: String,
    /// Date of birth (`DD/MM/YYYY`, `YYYY-MM-DD`, `MM/YYYY` or `YYYY`).
    pub date_of_birth: String,
    /// `M` or `F` (or 男 / 女).
    pub sex: String,
}

/// Parse the card's `YYYYMMDD` with `00` for an unknown month or day.
fn card_date_of_birth(s: &str) -> Option<DateOfBirth> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = s.get(..4)?.parse().ok()?;
    let month: u8 = s.get(4..6)?.parse().ok()?;
    let day: u8 = s.get(6..)?.parse().ok()?;
    match (month, day) {
        (0, 0) => DateOfBirth::year_only(year).ok(),
        (0, _) => None,
        (m, 0) => DateOfBirth::month(year, m).ok(),
        (m, d) => Date::new(year, m, d).ok().map(DateOfBirth::Day),
    }
}

fn card_date(s: &str) -> Option<Date> {
    match card_date_of_birth(s)? {
        DateOfBirth::Day(d) => Some(d),
        _ => None,
    }
}

impl IdentityRead {
    /// Check a card's record with the domain rules.
    ///
    /// A 2003-generation card is refused (the profile reader refuses it
    /// already; this guards records from any other path).
    pub fn from_card(record: &CardRecord, source: SourceKind) -> Result<Self, IdentityError> {
        if record.generation == CardGeneration::Gen2003 {
            return Err(IdentityError::OldGeneration);
        }
        let document = DocumentNumber::parse(DocumentType::Hkic, &record.document_number)
            .map_err(|e| field("document_number", e.code()))?;
        let english_name = EnglishName::parse_card(&record.english_name)
            .map_err(|e| field("english_name", e.code()))?;
        let chinese_name = if record.chinese_ccc.is_empty() {
            None
        } else {
            let list = record
                .chinese_ccc
                .iter()
                .map(|c| format!("{c:04}"))
                .collect::<Vec<_>>()
                .join(" ");
            Some(ChineseName::from_ccc(&list).map_err(|e| field("chinese_name", e.code()))?)
        };
        let date_of_birth = card_date_of_birth(&record.date_of_birth)
            .ok_or(field("date_of_birth", Code::DateFormat))?;
        let sex = Sex::parse(&record.sex.to_string()).map_err(|e| field("sex", e.code()))?;
        let date_of_issue =
            card_date(&record.date_of_issue).ok_or(field("date_of_issue", Code::DateFormat))?;
        Ok(IdentityRead {
            source,
            document,
            english_name_printed: record.english_name.clone(),
            english_name,
            chinese_name,
            date_of_birth,
            sex,
            date_of_issue: Some(date_of_issue),
            generation: Some(record.generation),
        })
    }

    /// Check what a clerk keyed, every field, and report every refusal (so
    /// the pane can mark all wrong fields at once, not one per attempt).
    ///
    /// A pre-1980 birth certificate number that fails the check digit is
    /// refused here with `id.pre_1980_override`: accepting it needs a
    /// supervisor's sign-off, which is its own step.
    pub fn from_manual(entry: &ManualEntry) -> Result<Self, Vec<IdentityError>> {
        let mut errors = Vec::new();
        let date_of_birth = match DateOfBirth::parse(&entry.date_of_birth) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(field("date_of_birth", e.code()));
                None
            }
        };
        let document = match DocumentType::from_code(entry.document_type.trim()) {
            Err(e) => {
                errors.push(field("document_type", e.code()));
                None
            }
            Ok(t) => match DocumentNumber::validate(t, &entry.document_number, date_of_birth) {
                Ok(IdOutcome::Valid(n)) => Some(n),
                Ok(IdOutcome::NeedsSupervisorOverride { .. }) => {
                    errors.push(field("document_number", Code::IdPre1980Override));
                    None
                }
                Err(e) => {
                    errors.push(field("document_number", e.code()));
                    None
                }
            },
        };
        let english_name = match EnglishName::new(&entry.surname, &entry.given_names) {
            Ok(n) => Some(n),
            Err(e) => {
                let f = if entry.surname.trim().is_empty() {
                    "surname"
                } else {
                    "english_name"
                };
                errors.push(field(f, e.code()));
                None
            }
        };
        let chinese_name = if entry.chinese_name.trim().is_empty() {
            None
        } else {
            match ChineseName::from_text(&entry.chinese_name) {
                Ok(n) => Some(n),
                Err(e) => {
                    errors.push(field("chinese_name", e.code()));
                    None
                }
            }
        };
        let sex = match Sex::parse(&entry.sex) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push(field("sex", e.code()));
                None
            }
        };
        match (document, english_name, date_of_birth, sex) {
            (Some(document), Some(english_name), Some(date_of_birth), Some(sex))
                if errors.is_empty() =>
            {
                Ok(IdentityRead {
                    source: SourceKind::Manual,
                    document,
                    english_name_printed: english_name.card_form(),
                    english_name,
                    chinese_name,
                    date_of_birth,
                    sex,
                    date_of_issue: None,
                    generation: None,
                })
            }
            _ => Err(errors),
        }
    }

    /// The particulars for matching against an application.
    pub fn particulars(&self) -> Particulars {
        Particulars {
            document: self.document.clone(),
            english_name: Some(self.english_name.clone()),
            chinese_name: self.chinese_name.clone(),
            date_of_birth: Some(self.date_of_birth),
            sex: Some(self.sex),
        }
    }
}

/// A flag that asks a read in progress to stop at the next step.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Ask the read to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why a source could not give an identity. Carries no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The source needs configuration it does not have (IDEAS until set up).
    #[error("this identity source is not configured on this counter")]
    NotConfigured,
    /// The source is configured but cannot be reached.
    #[error("this identity source cannot be reached")]
    Unavailable,
    /// The read was cancelled.
    #[error("the read was cancelled")]
    Cancelled,
    /// The card or reader failed; the code is the adapter's stable code.
    #[error("the card could not be read ({0})")]
    Card(&'static str),
    /// The card was read but its data is not a valid identity.
    #[error(transparent)]
    Identity(#[from] IdentityError),
}

impl SourceError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::NotConfigured => "ideas.not_configured",
            SourceError::Unavailable => "ideas.unavailable",
            SourceError::Cancelled => "card.cancelled",
            SourceError::Card(code) => code,
            SourceError::Identity(IdentityError::OldGeneration) => "card.old_generation",
            SourceError::Identity(IdentityError::Field { .. }) => "card.invalid_data",
        }
    }
}

/// A card-shaped source of identities: one read, for one reader, bounded
/// by `timeout` and stoppable through `cancel`. Implemented by the PC/SC
/// adapter (open test card profile) and the IDEAS adapter.
pub trait IdentitySource: Send {
    /// Which source this is.
    fn kind(&self) -> SourceKind;

    /// Read the identity on the card in `reader`.
    fn read_identity(
        &mut self,
        reader: &str,
        timeout: Duration,
        cancel: &Cancel,
    ) -> Result<IdentityRead, SourceError>;
}

impl std::fmt::Debug for IdentityRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityRead")
            .field("source", &self.source)
            .field("document", &self.document)
            .field("english_name_printed", &Redacted)
            .field("english_name", &Redacted)
            .field("chinese_name", &redact::option(&self.chinese_name))
            .field("date_of_birth", &Redacted)
            .field("sex", &Redacted)
            .field("date_of_issue", &redact::option(&self.date_of_issue))
            .field("generation", &self.generation)
            .finish()
    }
}

impl std::fmt::Debug for ManualEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualEntry")
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
mod tests;
