//! Registered records with their sharing consents.

use serde::{Deserialize, Serialize};

use crate::redact::Redacted;

/// The state of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordState {
    /// In effect, identified by an identity document.
    Effective,
    /// A newborn's registration, in effect, awaiting the birth certificate.
    AwaitingBirthCertificate,
    /// Withdrawn from eHealth.
    Withdrawn,
}

/// What identifies the registered person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordIdentifier {
    /// An identity document.
    Document {
        /// The document type code.
        document_type: String,
        /// The number, masked.
        document_number_masked: String,
    },
    /// A newborn's birth-hospital document.
    BirthHospital {
        /// The birth hospital's code.
        hospital_code: String,
        /// The document's serial number.
        serial: String,
    },
}

/// Whether a provider is public (automatic consent) or private.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Public: consent is automatic and fixed.
    Public,
    /// Private: consent is given and revoked.
    Private,
}

/// The consent state for one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// A public provider's automatic consent.
    Automatic,
    /// Never given.
    NotGiven,
    /// Given.
    Given,
    /// Given, then revoked.
    Revoked,
}

/// One provider's sharing consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentView {
    /// The provider's id in the register.
    pub provider_id: String,
    /// Public or private.
    pub kind: ProviderKind,
    /// The state.
    pub state: ConsentState,
    /// The day consent was given (`YYYY-MM-DD`), kept after revoking.
    pub given_on: Option<String>,
    /// The day consent was revoked.
    pub revoked_on: Option<String>,
}

/// A registered record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisteredRecord {
    /// The eHR number (opaque).
    pub ehr_number: String,
    /// The state.
    pub state: RecordState,
    /// What identifies the person.
    pub identifier: RecordIdentifier,
    /// The English surname.
    pub surname: String,
    /// The English given names.
    pub given_names: String,
    /// The Chinese name.
    pub chinese_name: Option<String>,
    /// The date of birth (newborns: the day of birth).
    pub date_of_birth: String,
    /// The day the registration took effect.
    pub registered_on: String,
    /// Sharing consents, public providers first.
    pub consents: Vec<ConsentView>,
    /// Codes of anything flagged for attention.
    pub flags: Vec<String>,
    /// The substitute decision maker who keeps the record (a newborn's
    /// parent, a child's SDM), masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdm: Option<SdmView>,
    /// Where the access key and notices go, masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
}

/// A record's substitute decision maker, as counters see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SdmView {
    /// The relationship code (reference data).
    pub relationship: String,
    /// The SDM's document type code.
    pub document_type: String,
    /// The SDM's document number, masked.
    pub document_number_masked: String,
}

/// A record's notification channel, as counters see it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactView {
    /// The channel.
    pub channel: crate::wire::NotificationChannel,
    /// The language of notices.
    pub language: crate::wire::Language,
    /// The mobile number, email address or postal address, masked (the
    /// last characters of a number, the first of an address).
    pub address_masked: String,
}

impl std::fmt::Debug for ContactView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactView")
            .field("channel", &self.channel)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

/// A contact address masked for a counter's screen or a list: a mobile
/// number keeps its last 4 digits, an email address its first letter and
/// domain, a postal address its first 6 characters.
pub fn mask_address(channel: crate::wire::NotificationChannel, address: &str) -> String {
    use crate::wire::NotificationChannel as C;
    let a = address.trim();
    match channel {
        C::Sms => {
            let digits: Vec<char> = a.chars().filter(char::is_ascii_digit).collect();
            let keep = digits.len().saturating_sub(4);
            digits
                .iter()
                .enumerate()
                .map(|(i, c)| if i < keep { '*' } else { *c })
                .collect()
        }
        C::Email => match a.split_once('@') {
            Some((user, domain)) => {
                let first: String = user.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        },
        C::Post => {
            let head: String = a.chars().take(6).collect();
            format!("{head}…")
        }
    }
}

/// A record lookup's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordList {
    /// The records found (normally one).
    pub items: Vec<RegisteredRecord>,
    /// Searched by document: the records this document's holder keeps as
    /// substitute decision maker (a parent's newborns, for example).
    #[serde(default)]
    pub kept_as_sdm: Vec<RegisteredRecord>,
}

/// A newborn record still awaiting its birth certificate after the
/// policy's days (`newborn_follow_up_days`): the birth hospital's
/// follow-up list.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewbornFollowUp {
    /// The record's eHR number.
    pub ehr_number: String,
    /// The birth hospital's code.
    pub hospital_code: String,
    /// The hospital document's serial.
    pub serial: String,
    /// The day the registration took effect (`YYYY-MM-DD`).
    pub registered_on: String,
    /// The baby's day of birth (`YYYY-MM-DD`).
    pub date_of_birth: String,
    /// Days since registration.
    pub days_waiting: u32,
    /// The baby's English surname.
    pub surname: String,
    /// The baby's English given names.
    pub given_names: String,
    /// The baby's Chinese name.
    pub chinese_name: Option<String>,
    /// The parent's document, masked.
    pub parent_document_masked: Option<String>,
    /// How to reach the parent, masked.
    pub contact: Option<ContactView>,
}

impl std::fmt::Debug for NewbornFollowUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewbornFollowUp")
            .field("hospital_code", &self.hospital_code)
            .field("registered_on", &self.registered_on)
            .field("days_waiting", &self.days_waiting)
            .finish_non_exhaustive()
    }
}

/// The newborn follow-up list (`GET /v1/follow-up/newborns`), oldest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewbornFollowUpList {
    /// The policy's days after which a record is listed.
    pub days: u32,
    /// The birth hospital listed (absent: every hospital, for the
    /// Registration Office).
    pub hospital_code: Option<String>,
    /// The records, oldest registration first.
    pub items: Vec<NewbornFollowUp>,
}

impl std::fmt::Debug for RecordIdentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordIdentifier::Document {
                document_type,
                document_number_masked,
            } => f
                .debug_struct("Document")
                .field("document_type", document_type)
                .field("document_number_masked", document_number_masked)
                .finish(),
            RecordIdentifier::BirthHospital { hospital_code, .. } => f
                .debug_struct("BirthHospital")
                .field("hospital_code", hospital_code)
                .field("serial", &Redacted)
                .finish(),
        }
    }
}

impl std::fmt::Debug for RegisteredRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredRecord")
            .field("ehr_number", &Redacted)
            .field("state", &self.state)
            .field("identifier", &self.identifier)
            .field("surname", &Redacted)
            .field("given_names", &Redacted)
            .field("chinese_name", &crate::redact::option(&self.chinese_name))
            .field("date_of_birth", &Redacted)
            .field("registered_on", &self.registered_on)
            .field("consents", &self.consents)
            .field("flags", &self.flags)
            .field("sdm", &self.sdm)
            .field("contact", &self.contact)
            .finish()
    }
}

/// The body of `POST /v1/records/search`: exactly one of document type and
/// number, eHR number, or birth hospital code and serial. Its `Debug` names
/// which search it is, never the values.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordQuery {
    /// Document type code (with `document_number`).
    pub document_type: Option<String>,
    /// Document number (with `document_type`).
    pub document_number: Option<String>,
    /// The eHR number.
    pub ehr_number: Option<String>,
    /// Birth hospital code (with `serial`).
    pub hospital_code: Option<String>,
    /// Birth-hospital document serial (with `hospital_code`).
    pub serial: Option<String>,
}

impl std::fmt::Debug for RecordQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordQuery")
            .field("document_type", &self.document_type)
            .field(
                "document_number",
                &crate::redact::option(&self.document_number),
            )
            .field("ehr_number", &crate::redact::option(&self.ehr_number))
            .field("hospital_code", &self.hospital_code)
            .field("serial", &crate::redact::option(&self.serial))
            .finish()
    }
}

/// Pending applications that expire within the next `within_days` days
/// and are not activated (`GET /v1/follow-up/expiring-applications`, for
/// supervisors), soonest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiringApplicationList {
    /// The window, in days from today.
    pub within_days: u32,
    /// The applications (numbers masked), soonest expiry first.
    pub items: Vec<crate::wire::ApplicationSummary>,
}

/// A record an SDM keeps for a child who turns 16 soon: at 16 the record
/// moves to the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TurningSixteen {
    /// The record (numbers masked), with its SDM.
    pub record: RegisteredRecord,
    /// The day the child turns 16 (`YYYY-MM-DD`).
    pub turns_16_on: String,
    /// Days from today until then.
    pub days_left: u32,
}

/// SDM-kept records of children who turn 16 within the next `within_days`
/// days (`GET /v1/follow-up/turning-16`, for supervisors), soonest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TurningSixteenList {
    /// The window, in days from today.
    pub within_days: u32,
    /// The records, soonest birthday first.
    pub items: Vec<TurningSixteen>,
}
