//! Reference data and policies the central service owns and counters sync.

use serde::{Deserialize, Serialize};

/// The kinds of site a counter can be enrolled to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SiteType {
    /// An HA or DH registration centre.
    RegistrationCentre,
    /// The eHR Registration Office (paper forms too).
    RegistrationOffice,
    /// A private healthcare provider's registration centre.
    PrivateProviderCentre,
    /// A birth hospital's registration desk.
    BirthHospital,
    /// A DH Maternal and Child Health Centre.
    MaternalChildHealthCentre,
}

/// A registration site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    /// The site code.
    pub code: String,
    /// The site type.
    pub site_type: SiteType,
    /// The name in English.
    pub name_en: String,
    /// The name in Traditional Chinese.
    pub name_zh: String,
}

/// An accepted identity document type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentTypeRef {
    /// The code, for example `hkic`.
    pub code: String,
    /// The name in English.
    pub name_en: String,
    /// The name in Traditional Chinese.
    pub name_zh: String,
    /// Whether numbers carry a verified check digit.
    pub has_check_digit: bool,
}

/// A substitute decision maker's relationship to the patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SdmRelationshipRef {
    /// The code, for example `parent`.
    pub code: String,
    /// The name in English.
    pub name_en: String,
    /// The name in Traditional Chinese.
    pub name_zh: String,
    /// Whether this SDM may apply online.
    pub may_apply_online: bool,
    /// Whether an image of a supporting document is needed.
    pub needs_supporting_document: bool,
}

/// A healthcare provider on the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provider {
    /// The provider's id in the register.
    pub id: String,
    /// The name in English.
    pub name_en: String,
    /// The name in Traditional Chinese.
    pub name_zh: String,
}

/// Policy values counters follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policies {
    /// Days from submission after which a pending application expires.
    pub application_expiry_days: u32,
    /// Days after which a newborn record awaiting its birth certificate is
    /// listed for follow-up.
    pub newborn_follow_up_days: u32,
    /// Minutes of inactivity after which a counter locks.
    pub idle_lock_minutes: u32,
    /// Hours a counter may keep a looked-up application in its encrypted cache.
    pub application_cache_hours: u32,
    /// Minutes a staff session token is valid.
    pub session_minutes: u32,
    /// Days a counter keeps synced outbox rows and slips.
    pub counter_retention_days: u32,
    /// Days after an online sign-in at a counter during which the same
    /// staff member may sign in there offline (absent in older data: 7).
    #[serde(default = "default_offline_sign_in_days")]
    pub offline_sign_in_days: u32,
    /// Failed sign-ins in a row before an account locks (absent: 5).
    #[serde(default = "default_max_failed_sign_ins")]
    pub max_failed_sign_ins: u32,
    /// Minutes a locked account stays locked (absent: 15).
    #[serde(default = "default_lockout_minutes")]
    pub lockout_minutes: u32,
    /// Hours an operation's transaction time (`transacted_at`) may lie
    /// before the service's clock and still be judged by its own day
    /// (application expiry, age on the day); an older one is judged by
    /// the day it arrives (absent: 168, the offline sign-in window of 7
    /// days).
    #[serde(default = "default_transaction_time_tolerance_hours")]
    pub transaction_time_tolerance_hours: u32,
    /// Days after birth during which a birth hospital may register a
    /// newborn before the birth certificate exists (absent: 42, the days
    /// within which a birth must be registered; an older baby has a
    /// certificate and registers with it).
    #[serde(default = "default_newborn_registration_days")]
    pub newborn_registration_days: u32,
}

fn default_offline_sign_in_days() -> u32 {
    7
}

fn default_max_failed_sign_ins() -> u32 {
    5
}

fn default_lockout_minutes() -> u32 {
    15
}

fn default_transaction_time_tolerance_hours() -> u32 {
    168
}

fn default_newborn_registration_days() -> u32 {
    42
}

/// All reference data, with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferenceData {
    /// Increases whenever any of the data changes.
    pub version: u64,
    /// Accepted identity document types.
    pub document_types: Vec<DocumentTypeRef>,
    /// SDM relationships.
    pub sdm_relationships: Vec<SdmRelationshipRef>,
    /// Registration sites.
    pub sites: Vec<Site>,
    /// Public providers, which hold sharing consent automatically.
    pub public_providers: Vec<Provider>,
    /// The private provider register.
    pub private_providers: Vec<Provider>,
    /// Policy values.
    pub policies: Policies,
    /// Staff codes the service deactivated: counters delete what they keep
    /// for them (offline sign-in verifiers). Absent in older data.
    #[serde(default)]
    pub deactivated_staff: Vec<String>,
}
