//! Identity documents: the accepted types, their number formats, validation,
//! display and masking.
//!
//! Every number is first [normalised](normalize) (spaces, brackets, case,
//! full-width forms), then checked against its type's format. The formats:
//!
//! | type | format (after normalisation) | check digit | display | masked |
//! |---|---|---|---|---|
//! | HKIC | 1–2 letters, 6 digits, check `0-9`/`A` | mod 11, verified | `A123456(3)` | `A123***(3)` |
//! | HK birth certificate | as HKIC (since 1980 it is the future HKID number) | mod 11, verified; pre-1980 may need a supervisor override | `A123456(3)` | `A123***(3)` |
//! | Macao ID | 8 digits, the last a check digit | shown in brackets, not verified (algorithm not public) | `1234567(8)` | `1234***(8)` |
//! | Two-way Permit | 1–2 letters then 7–9 digits (card `C` + 8 digits, older booklets `W` + …) | none | as normalised | head and last char |
//! | PRC travel document | 1–2 letters then 7–8 digits (passports `E12345678`, `EA1234567`, `G12345678`) | none | as normalised | head and last char |
//! | Certificate of Exemption, Document of Identity, Re-entry Permit, One-way Permit | 5–12 letters or digits, at least one digit | none | as normalised | head and last char |
//! | Foreign passport | 5–20 letters or digits (ICAO 9303 numbers are up to 9, some issuers use more) | none | as normalised | head and last char |
//! | Adoption certificate, recognizance form | 3–20 letters or digits, at least one digit | none | as normalised | head and last char |
//!
//! Only the HKID format and check digit are public (OGCIO common schema
//! COM000001). The other formats are this crate's documented choice, kept
//! lenient so a genuine number is not refused at the counter; they are to be
//! confirmed with the eHR Office and will move to synced reference data.
//!
//! Masking (the default on screen and on slips): HKID-shaped numbers keep the
//! letters, the first three digits and the check digit (`A123***(3)`); other
//! numbers keep at most their first four characters (never more than half)
//! and, from six characters on, the last one; everything between is `*`.

mod hkid;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::{Date, DateOfBirth};
use crate::error::{Code, Message};

pub use hkid::{check_char as hkid_check_char, normalize};

/// The identity document types on the reference list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// Hong Kong Identity Card.
    Hkic,
    /// Hong Kong birth certificate.
    HkBirthCertificate,
    /// Certificate of Exemption.
    CertificateOfExemption,
    /// HKSAR Document of Identity for Visa Purposes (Doc/I).
    DocumentOfIdentity,
    /// HKSAR Re-entry Permit.
    ReEntryPermit,
    /// One-way Permit (Permit for Proceeding to Hong Kong and Macao).
    OneWayPermit,
    /// Two-way Permit (Exit-entry Permit for Travelling to and from Hong Kong and Macao).
    TwoWayPermit,
    /// Travel document issued by the People's Republic of China.
    PrcTravelDocument,
    /// Passport issued by a country or region other than those above.
    ForeignPassport,
    /// Macao Resident Identity Card.
    MacaoId,
    /// Adoption certificate.
    AdoptionCertificate,
    /// Recognizance form issued by the Immigration Department.
    RecognizanceForm,
}

/// The shape of a type's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberFormat {
    /// 1–2 letters, 6 digits, mod-11 check character.
    Hkid,
    /// 7 digits and a check digit.
    Macao,
    /// Letters then digits.
    LettersDigits {
        letters: (usize, usize),
        digits: (usize, usize),
    },
    /// Letters and digits, optionally with at least one digit.
    Alphanumeric {
        min: usize,
        max: usize,
        needs_digit: bool,
    },
}

impl DocumentType {
    /// Every type, in reference-list order.
    pub const ALL: &'static [DocumentType] = &[
        DocumentType::Hkic,
        DocumentType::HkBirthCertificate,
        DocumentType::CertificateOfExemption,
        DocumentType::DocumentOfIdentity,
        DocumentType::ReEntryPermit,
        DocumentType::OneWayPermit,
        DocumentType::TwoWayPermit,
        DocumentType::PrcTravelDocument,
        DocumentType::ForeignPassport,
        DocumentType::MacaoId,
        DocumentType::AdoptionCertificate,
        DocumentType::RecognizanceForm,
    ];

    /// The snake_case code used on the wire and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::Hkic => "hkic",
            DocumentType::HkBirthCertificate => "hk_birth_certificate",
            DocumentType::CertificateOfExemption => "certificate_of_exemption",
            DocumentType::DocumentOfIdentity => "document_of_identity",
            DocumentType::ReEntryPermit => "re_entry_permit",
            DocumentType::OneWayPermit => "one_way_permit",
            DocumentType::TwoWayPermit => "two_way_permit",
            DocumentType::PrcTravelDocument => "prc_travel_document",
            DocumentType::ForeignPassport => "foreign_passport",
            DocumentType::MacaoId => "macao_id",
            DocumentType::AdoptionCertificate => "adoption_certificate",
            DocumentType::RecognizanceForm => "recognizance_form",
        }
    }

    /// The type for a code; `-` and `_` are interchangeable and case is ignored.
    pub fn from_code(code: &str) -> Result<DocumentType, IdError> {
        let wanted = code.trim().to_ascii_lowercase().replace('-', "_");
        DocumentType::ALL
            .iter()
            .copied()
            .find(|t| t.code() == wanted)
            .ok_or(IdError::UnknownType)
    }

    /// The name in English and in Traditional Chinese (catalogue key
    /// `doctype.<code>.name`).
    pub fn names(self) -> (&'static str, &'static str) {
        ehr_i18n::pair(&format!("doctype.{}.name", self.code()))
    }

    fn format(self) -> NumberFormat {
        use NumberFormat::*;
        match self {
            DocumentType::Hkic | DocumentType::HkBirthCertificate => Hkid,
            DocumentType::MacaoId => Macao,
            DocumentType::TwoWayPermit => LettersDigits {
                letters: (1, 2),
                digits: (7, 9),
            },
            DocumentType::PrcTravelDocument => LettersDigits {
                letters: (1, 2),
                digits: (7, 8),
            },
            DocumentType::CertificateOfExemption
            | DocumentType::DocumentOfIdentity
            | DocumentType::ReEntryPermit
            | DocumentType::OneWayPermit => Alphanumeric {
                min: 5,
                max: 12,
                needs_digit: true,
            },
            DocumentType::ForeignPassport => Alphanumeric {
                min: 5,
                max: 20,
                needs_digit: false,
            },
            DocumentType::AdoptionCertificate | DocumentType::RecognizanceForm => Alphanumeric {
                min: 3,
                max: 20,
                needs_digit: true,
            },
        }
    }

    /// A fixed description of the expected format, in English and Chinese
    /// (catalogue key `doctype.hint.<format>`).
    pub fn format_hint(self) -> (&'static str, &'static str) {
        let key = match self.format() {
            NumberFormat::Hkid => "hkid",
            NumberFormat::Macao => "macao",
            NumberFormat::LettersDigits { digits: (7, 9), .. } => "letters_7_to_9_digits",
            NumberFormat::LettersDigits { .. } => "letters_7_or_8_digits",
            NumberFormat::Alphanumeric {
                min: 5, max: 12, ..
            } => "alnum_5_to_12",
            NumberFormat::Alphanumeric { min: 5, .. } => "alnum_5_to_20",
            NumberFormat::Alphanumeric { .. } => "alnum_3_to_20",
        };
        ehr_i18n::pair(&format!("doctype.hint.{key}"))
    }

    /// Whether numbers of this type carry a check digit that is verified.
    pub fn has_verified_check_digit(self) -> bool {
        self.format() == NumberFormat::Hkid
    }

    /// The issuing country or region implied by the type (ISO 3166 alpha-2,
    /// `HK`, `MO`, `CN`); `None` for a foreign passport, whose issuer the
    /// clerk must record.
    pub fn implied_issuing_region(self) -> Option<&'static str> {
        match self {
            DocumentType::ForeignPassport => None,
            DocumentType::MacaoId => Some("MO"),
            DocumentType::OneWayPermit
            | DocumentType::TwoWayPermit
            | DocumentType::PrcTravelDocument => Some("CN"),
            _ => Some("HK"),
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a document number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing was entered.
    #[error("document number is empty")]
    Empty,
    /// Characters other than letters and digits remain after normalisation.
    #[error("document number has characters other than letters and digits")]
    Characters,
    /// Not the format of the document type.
    #[error("document number does not have the format of {0}")]
    Format(DocumentType),
    /// HKID-shaped, but without a check digit.
    #[error("check digit missing")]
    CheckDigitMissing,
    /// The check digit does not match.
    #[error("check digit does not match")]
    CheckDigit,
    /// The document type is not on the list.
    #[error("unknown document type")]
    UnknownType,
}

impl IdError {
    /// The stable code.
    pub fn code(self) -> Code {
        match self {
            IdError::Empty => Code::IdEmpty,
            IdError::Characters => Code::IdCharacters,
            IdError::Format(_) => Code::IdFormat,
            IdError::CheckDigitMissing => Code::IdCheckDigitMissing,
            IdError::CheckDigit => Code::IdCheckDigit,
            IdError::UnknownType => Code::IdUnknownType,
        }
    }

    /// The code with its bilingual text (with the expected format for
    /// [`IdError::Format`]).
    pub fn message(self) -> Message {
        match self {
            IdError::Format(t) => Message::with_hint(Code::IdFormat, t.format_hint()),
            other => Message::new(other.code()),
        }
    }
}

/// How far a number's check digit was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The mod-11 check digit matches.
    Verified,
    /// The type has no check digit that can be verified.
    NotApplicable,
    /// A pre-1980 birth certificate number that does not pass (or lacks) the
    /// check digit; usable only with a supervisor's sign-off.
    Unverified,
}

/// A validated, normalised document number of a given type.
///
/// The value is never shown in full by default: use [`DocumentNumber::masked`]
/// on screens and slips, [`DocumentNumber::display`] only on an audited reveal.
/// `Debug` masks too, so a number cannot leak into a log by accident.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DocumentNumberRepr")]
pub struct DocumentNumber {
    doc_type: DocumentType,
    normalized: String,
    check: CheckStatus,
}

#[derive(Deserialize)]
struct DocumentNumberRepr {
    doc_type: DocumentType,
    normalized: String,
    check: CheckStatus,
}

impl TryFrom<DocumentNumberRepr> for DocumentNumber {
    type Error = IdError;
    fn try_from(r: DocumentNumberRepr) -> Result<Self, IdError> {
        match r.check {
            CheckStatus::Unverified => {
                match parse_relaxed_birth_certificate(r.doc_type, &r.normalized) {
                    Some(n) if n.normalized == r.normalized => Ok(n),
                    _ => Err(IdError::Format(r.doc_type)),
                }
            }
            _ => {
                let n = DocumentNumber::parse(r.doc_type, &r.normalized)?;
                if n.normalized == r.normalized && n.check == r.check {
                    Ok(n)
                } else {
                    Err(IdError::Format(r.doc_type))
                }
            }
        }
    }
}

impl fmt::Debug for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentNumber")
            .field("doc_type", &self.doc_type)
            .field("masked", &self.masked())
            .field("check", &self.check)
            .finish()
    }
}

fn count_run(s: &[u8], pred: fn(&u8) -> bool) -> usize {
    s.iter().take_while(|b| pred(b)).count()
}

impl DocumentNumber {
    /// Normalises `raw` and checks it against `doc_type`'s format (and check
    /// digit, for HKIC and birth certificate numbers).
    pub fn parse(doc_type: DocumentType, raw: &str) -> Result<DocumentNumber, IdError> {
        let s = normalize(raw);
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IdError::Characters);
        }
        let bytes = s.as_bytes();
        let check = match doc_type.format() {
            NumberFormat::Hkid => {
                let (id, check) = hkid::split(&s).ok_or(IdError::Format(doc_type))?;
                let check = check.ok_or(IdError::CheckDigitMissing)?;
                if hkid::check_char(id) != Some(check) {
                    return Err(IdError::CheckDigit);
                }
                CheckStatus::Verified
            }
            NumberFormat::Macao => {
                if s.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
                    return Err(IdError::Format(doc_type));
                }
                CheckStatus::NotApplicable
            }
            NumberFormat::LettersDigits { letters, digits } => {
                let l = count_run(bytes, u8::is_ascii_uppercase);
                let d = count_run(bytes.get(l..).unwrap_or_default(), u8::is_ascii_digit);
                let ok = (letters.0..=letters.1).contains(&l)
                    && (digits.0..=digits.1).contains(&d)
                    && l + d == s.len();
                if !ok {
                    return Err(IdError::Format(doc_type));
                }
                CheckStatus::NotApplicable
            }
            NumberFormat::Alphanumeric {
                min,
                max,
                needs_digit,
            } => {
                if !(min..=max).contains(&s.len())
                    || (needs_digit && !bytes.iter().any(u8::is_ascii_digit))
                {
                    return Err(IdError::Format(doc_type));
                }
                CheckStatus::NotApplicable
            }
        };
        Ok(DocumentNumber {
            doc_type,
            normalized: s,
            check,
        })
    }

    /// Like [`DocumentNumber::parse`], but a Hong Kong birth certificate
    /// number of HKID shape that fails (or lacks) the check digit, for a
    /// person born before 1980, is not refused: it comes back as
    /// [`IdOutcome::NeedsSupervisorOverride`], because certificates from
    /// before 1980 need not follow the check-digit scheme (product decision).
    ///
    /// Without a date of birth, or with one that may be 1980 or later, the
    /// refusal stands.
    pub fn validate(
        doc_type: DocumentType,
        raw: &str,
        date_of_birth: Option<DateOfBirth>,
    ) -> Result<IdOutcome, IdError> {
        match DocumentNumber::parse(doc_type, raw) {
            Ok(n) => Ok(IdOutcome::Valid(n)),
            Err(e @ (IdError::CheckDigit | IdError::CheckDigitMissing)) => {
                let before_1980 = Date::new(1980, 1, 1)
                    .is_ok_and(|cutoff| date_of_birth.is_some_and(|d| d.latest() < cutoff));
                match parse_relaxed_birth_certificate(doc_type, &normalize(raw)) {
                    Some(number) if before_1980 => Ok(IdOutcome::NeedsSupervisorOverride {
                        number,
                        need: Message::new(Code::NeedSupervisorPre1980),
                        reason: Message::new(Code::IdPre1980Override),
                    }),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The document type.
    pub fn doc_type(&self) -> DocumentType {
        self.doc_type
    }

    /// How far the check digit was verified.
    pub fn check(&self) -> CheckStatus {
        self.check
    }

    /// The normalised number: upper-case letters and digits only, check digit
    /// included, no brackets (for example `A1234563`). Use it for storage and
    /// comparison.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Split point between identifier and check character, for formats that
    /// show the check character in brackets.
    fn check_split(&self) -> Option<usize> {
        let has_check = match self.doc_type.format() {
            NumberFormat::Hkid => hkid::split(&self.normalized).is_some_and(|(_, c)| c.is_some()),
            NumberFormat::Macao => true,
            _ => false,
        };
        if has_check {
            self.normalized.len().checked_sub(1)
        } else {
            None
        }
    }

    /// The identifier without its check character (HKID-shaped and Macao
    /// numbers), or the whole number.
    pub fn identifier(&self) -> &str {
        match self.check_split() {
            Some(i) => self.normalized.get(..i).unwrap_or(&self.normalized),
            None => &self.normalized,
        }
    }

    /// The check character, for types that have one.
    pub fn check_digit(&self) -> Option<char> {
        self.check_split()
            .and_then(|i| self.normalized.get(i..))
            .and_then(|s| s.chars().next())
    }

    /// The full form as printed on the document, for example `A123456(3)`.
    pub fn display(&self) -> String {
        match self.check_digit() {
            Some(c) => format!("{}({c})", self.identifier()),
            None => self.normalized.clone(),
        }
    }

    /// The masked form for screens and slips, for example `A123***(3)`.
    pub fn masked(&self) -> String {
        let id = self.identifier();
        let (head, tail) = match self.doc_type.format() {
            NumberFormat::Hkid => (count_run(id.as_bytes(), u8::is_ascii_uppercase) + 3, 0),
            NumberFormat::Macao => (4, 0),
            _ => {
                let n = id.len();
                ((n / 2).min(4), usize::from(n >= 6))
            }
        };
        let n = id.len();
        let head = head.min(n);
        let tail = tail.min(n - head);
        let mut out = String::with_capacity(n + 3);
        out.push_str(id.get(..head).unwrap_or_default());
        out.extend(std::iter::repeat_n('*', n - head - tail));
        out.push_str(id.get(n - tail..).unwrap_or_default());
        if let Some(c) = self.check_digit() {
            out.push('(');
            out.push(c);
            out.push(')');
        }
        out
    }

    /// Whether two numbers are the same document: same type and same
    /// normalised number.
    pub fn same_document(&self, other: &DocumentNumber) -> bool {
        self.doc_type == other.doc_type && self.normalized == other.normalized
    }

    /// The same number under the other Hong Kong document type: a person
    /// born in Hong Kong keeps their birth certificate's number on their
    /// identity card (HKIC for an HK birth certificate and back). `None` for
    /// other types, and for a pre-1980 birth certificate number whose check
    /// digit fails (no identity card carries it).
    pub fn hong_kong_twin(&self) -> Option<DocumentNumber> {
        let other = match self.doc_type {
            DocumentType::Hkic => DocumentType::HkBirthCertificate,
            DocumentType::HkBirthCertificate => DocumentType::Hkic,
            _ => return None,
        };
        DocumentNumber::parse(other, &self.normalized).ok()
    }

    /// Whether `other` names the same person's number: the same document,
    /// or its [Hong Kong twin](DocumentNumber::hong_kong_twin).
    pub fn same_person_number(&self, other: &DocumentNumber) -> bool {
        self.same_document(other)
            || self
                .hong_kong_twin()
                .is_some_and(|t| t.same_document(other))
    }
}

/// A birth certificate number of HKID shape whose check digit is not relied
/// on (the pre-1980 override path).
fn parse_relaxed_birth_certificate(doc_type: DocumentType, s: &str) -> Option<DocumentNumber> {
    if doc_type != DocumentType::HkBirthCertificate {
        return None;
    }
    hkid::split(s)?;
    Some(DocumentNumber {
        doc_type,
        normalized: s.to_owned(),
        check: CheckStatus::Unverified,
    })
}

/// The result of [`DocumentNumber::validate`] when the number is not refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum IdOutcome {
    /// The number is valid.
    Valid(DocumentNumber),
    /// The number may be used only with a supervisor's sign-off.
    NeedsSupervisorOverride {
        /// The number, with [`CheckStatus::Unverified`].
        number: DocumentNumber,
        /// What is needed (the supervisor's sign-off).
        need: Message,
        /// Why.
        reason: Message,
    },
}

impl IdOutcome {
    /// The number, valid or pending the override.
    pub fn number(&self) -> &DocumentNumber {
        match self {
            IdOutcome::Valid(n) | IdOutcome::NeedsSupervisorOverride { number: n, .. } => n,
        }
    }
}

#[cfg(test)]
mod tests;
