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
}

/// A record lookup's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordList {
    /// The records found (normally one).
    pub items: Vec<RegisteredRecord>,
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
