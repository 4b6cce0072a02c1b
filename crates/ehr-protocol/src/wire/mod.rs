//! The HTTP wire types between a counter and `ehr-central` (API v1).
//!
//! These are the request and response bodies of every `/v1` endpoint; the
//! counter app's sync engine and the reference central service use exactly
//! these types, so the contract is written once. With the `openapi` feature
//! every type also derives `utoipa::ToSchema`, and ehr-central generates its
//! OpenAPI 3.1 document from them.
//!
//! Conventions:
//! - Identity fields cross the wire as the strings that were read or keyed
//!   (document type codes as in `ehr_domain::DocumentType::code`, dates as
//!   `YYYY-MM-DD`, `YYYY-MM` or `YYYY`); the service validates them with the
//!   domain rules and answers with per-field errors ([`FieldError`]).
//! - Errors of a whole request are [`crate::ErrorBody`]; outcomes of a single
//!   batch operation are [`batch::Outcome`].
//! - Nothing here carries an access key.

pub mod applications;
pub mod auth;
pub mod batch;
pub mod records;
pub mod reference;
pub mod work_items;

use serde::{Deserialize, Serialize};

use crate::redact::{self, Redacted};

pub use applications::{
    ApplicantDetails, ApplicantRole, ApplicationDetail, ApplicationList, ApplicationQuery,
    ApplicationState, ApplicationSummary, Origin,
};
pub use auth::{
    ChangePasswordRequest, CounterIdentity, EnrolRequest, EnrolResponse, SignInRequest,
    SignInResponse, SignOffRequest, SignOffResponse, StaffRole,
};
pub use batch::{
    ActivateApplication, AuditEvent, AuditEvents, AuditLink, BatchOp, BatchRequest, BatchResponse,
    ChangeContact, ChangeParticulars, CompleteNewborn, ConsentChange, DocumentImageKind,
    KeyPaperApplication, OpEffect, OpResult, Operation, Outcome, QueuedOperation, ReadSource,
    RegisterInPerson, RegisterNewborn, ResendAccessKey, SaveWorkItem, TakeOverRecord,
    UploadDocument, Withdraw, ENVELOPE_VERSION, MAX_OP_BYTES,
};
pub use records::{
    mask_address, ConsentState, ConsentView, ContactView, ExpiringApplicationList, NewbornFollowUp,
    NewbornFollowUpList, ProviderKind, RecordIdentifier, RecordList, RecordQuery, RecordState,
    RegisteredRecord, SdmView, TurningSixteen, TurningSixteenList,
};
pub use reference::{
    DocumentTypeRef, Policies, Provider, ReferenceData, SdmRelationshipRef, Site, SiteType,
};
pub use work_items::{WorkItemDetail, WorkItemList, WorkItemSummary};

/// The API version prefix every endpoint lives under.
pub const API_PREFIX: &str = "/v1";

/// The request header that identifies the counter machine by its machine key.
pub const COUNTER_KEY_HEADER: &str = "x-counter-key";

/// The most operations one batch may carry.
pub const MAX_BATCH_OPS: usize = 200;

/// A validation error on one field: the field's path (never its value) and
/// a stable code with fixed bilingual text.
///
/// `code` is the dotted wire form of either an `ehr_domain::Code` (for
/// example `id.check_digit`) or an [`crate::ErrorCode`] (for example
/// `document.type_not_allowed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's path in the request, for example `patient.document_number`.
    pub field: String,
    /// The stable dotted code.
    pub code: String,
    /// The message in English.
    pub message_en: String,
    /// The message in Traditional Chinese.
    pub message_zh: String,
}

/// Sex as printed on Hong Kong identity documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// A person's particulars on one identity document, as read or keyed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDetails {
    /// The document type's code (see the reference data), for example `hkic`.
    pub document_type: String,
    /// The document number as read or keyed; the service normalises it.
    pub document_number: String,
    /// The English surname.
    pub surname: String,
    /// The English given names (may be empty).
    #[serde(default)]
    pub given_names: String,
    /// The Chinese name in characters, if the person has one.
    #[serde(default)]
    pub chinese_name: Option<String>,
    /// The date of birth: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub date_of_birth: String,
    /// The sex, if known.
    #[serde(default)]
    pub sex: Option<Sex>,
}

/// How the access key and notices reach the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationChannel {
    /// A text message to a mobile number.
    Sms,
    /// An email.
    Email,
    /// A letter by post.
    Post,
}

/// The language of notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English.
    En,
    /// Traditional Chinese.
    Zh,
}

/// The chosen notification channel, language and address.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationChoice {
    /// The channel.
    pub channel: NotificationChannel,
    /// The language.
    pub language: Language,
    /// The mobile number, email address or postal address for the channel.
    pub address: String,
}

impl std::fmt::Debug for PersonDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonDetails")
            .field("document_type", &self.document_type)
            .field("document_number", &Redacted)
            .field("surname", &Redacted)
            .field("given_names", &Redacted)
            .field("chinese_name", &redact::option(&self.chinese_name))
            .field("date_of_birth", &Redacted)
            .field("sex", &redact::option(&self.sex))
            .finish()
    }
}

impl std::fmt::Debug for NotificationChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationChoice")
            .field("channel", &self.channel)
            .field("language", &self.language)
            .field("address", &Redacted)
            .finish()
    }
}

#[cfg(test)]
mod tests;
