//! Pending applications (online or paper) as a counter sees them.

use serde::{Deserialize, Serialize};

use super::{Language, NotificationChannel, PersonDetails};
use crate::redact::{Redacted, RedactedItems};

/// How the application arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The online form.
    Online,
    /// A paper form received by post.
    PaperPost,
    /// A paper form received by fax.
    PaperFax,
    /// A paper form left in a drop-in box.
    PaperDropIn,
}

/// The state of an application on the day of the lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// Submitted online, not yet accepted.
    SubmittedOnline,
    /// Keyed from a paper form, not yet checked.
    KeyedFromPaper,
    /// Waiting for activation at a counter.
    Pending,
    /// Activated.
    Activated,
    /// Expired before activation.
    Expired,
    /// Cancelled or withdrawn.
    Cancelled,
}

/// Who applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicantRole {
    /// The patient, for themselves.
    #[serde(rename = "self")]
    SelfApplicant,
    /// A substitute decision maker.
    Sdm,
    /// An authorised person named by a capable applicant aged 16 or over.
    AuthorisedPerson,
}

/// Who applied, with their own document where it is not the patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum ApplicantDetails {
    /// The patient, for themselves.
    #[serde(rename = "self")]
    SelfApplicant {},
    /// A substitute decision maker.
    Sdm {
        /// The relationship's code (see the reference data).
        relationship: String,
        /// The SDM's own particulars.
        person: PersonDetails,
    },
    /// An authorised person, who attends for a capable applicant.
    AuthorisedPerson {
        /// The authorised person's own particulars.
        person: PersonDetails,
    },
}

impl ApplicantDetails {
    /// The role alone.
    pub fn role(&self) -> ApplicantRole {
        match self {
            ApplicantDetails::SelfApplicant {} => ApplicantRole::SelfApplicant,
            ApplicantDetails::Sdm { .. } => ApplicantRole::Sdm,
            ApplicantDetails::AuthorisedPerson { .. } => ApplicantRole::AuthorisedPerson,
        }
    }
}

/// One application in a lookup's result list.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationSummary {
    /// The application reference (on the confirmation and its QR code).
    pub reference: String,
    /// The state on the day of the lookup.
    pub state: ApplicationState,
    /// How it arrived.
    pub origin: Origin,
    /// The day it was submitted or received (`YYYY-MM-DD`).
    pub submitted_on: String,
    /// The first day on which it is expired (`YYYY-MM-DD`).
    pub expires_on: String,
    /// The patient's document type code.
    pub document_type: String,
    /// The patient's document number, masked (for example `A123***(4)`).
    pub document_number_masked: String,
    /// The patient's English surname.
    pub surname: String,
    /// The patient's English given names.
    pub given_names: String,
    /// The patient's Chinese name.
    pub chinese_name: Option<String>,
    /// The patient's date of birth.
    pub date_of_birth: String,
    /// Who applied.
    pub applicant_role: ApplicantRole,
}

/// A lookup's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationList {
    /// The applications found, newest first (at most 50).
    pub items: Vec<ApplicationSummary>,
}

/// One application in full, for activation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationDetail {
    /// The summary.
    pub summary: ApplicationSummary,
    /// The patient's particulars as applied (full number, for matching).
    pub patient: PersonDetails,
    /// The patient's capacity: `capable` or `incapable:<ground>`.
    pub capacity: String,
    /// Who applied.
    pub applicant: ApplicantDetails,
    /// The chosen notification channel (the address is not shown).
    pub notification_channel: NotificationChannel,
    /// The chosen language.
    pub notification_language: Language,
    /// Private providers the applicant wants to give sharing consent to.
    pub private_provider_consents: Vec<String>,
    /// Codes of anything flagged for the clerk's attention, for example
    /// `eligibility.sdm_type_not_online`.
    pub flags: Vec<String>,
}

impl std::fmt::Debug for ApplicationSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationSummary")
            .field("reference", &self.reference)
            .field("state", &self.state)
            .field("origin", &self.origin)
            .field("submitted_on", &self.submitted_on)
            .field("expires_on", &self.expires_on)
            .field("document_type", &self.document_type)
            .field("document_number_masked", &self.document_number_masked)
            .field("surname", &Redacted)
            .field("given_names", &Redacted)
            .field("chinese_name", &crate::redact::option(&self.chinese_name))
            .field("date_of_birth", &Redacted)
            .field("applicant_role", &self.applicant_role)
            .finish()
    }
}

impl std::fmt::Debug for ApplicationDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationDetail")
            .field("summary", &self.summary)
            .field("patient", &self.patient)
            .field("capacity", &Redacted)
            .field("applicant", &self.applicant)
            .field("notification_channel", &self.notification_channel)
            .field("notification_language", &self.notification_language)
            .field(
                "private_provider_consents",
                &RedactedItems(self.private_provider_consents.len()),
            )
            .field("flags", &self.flags)
            .finish()
    }
}

/// The body of `POST /v1/applications/search`: exactly one of document
/// type and number, reference, or surname and date of birth. Its `Debug`
/// names which search it is, never the values.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationQuery {
    /// Document type code (with `document_number`).
    pub document_type: Option<String>,
    /// Document number (with `document_type`).
    pub document_number: Option<String>,
    /// Application reference.
    pub reference: Option<String>,
    /// English surname (with `date_of_birth`).
    pub surname: Option<String>,
    /// English given names (optional, with `surname`).
    pub given_names: Option<String>,
    /// Date of birth (with `surname`).
    pub date_of_birth: Option<String>,
}

impl std::fmt::Debug for ApplicationQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationQuery")
            .field("document_type", &self.document_type)
            .field(
                "document_number",
                &crate::redact::option(&self.document_number),
            )
            .field("reference", &self.reference)
            .field("surname", &crate::redact::option(&self.surname))
            .field("given_names", &crate::redact::option(&self.given_names))
            .field("date_of_birth", &crate::redact::option(&self.date_of_birth))
            .finish()
    }
}
