//! Types carried by the Tauri commands between the UI and the app crate.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::redact::Redacted;
use crate::{ErrorBody, ErrorCode};

/// What the sign-in screen shows about this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// The product name, as in the window title.
    pub name: String,
    /// The application version (semver).
    pub version: String,
    /// The central service this counter syncs with, if one is configured.
    pub central_url: Option<String>,
    /// Whether the app runs in training mode (virtual card, demo data).
    pub training_mode: bool,
    /// The identity documents the manual pane offers, in order.
    pub document_types: Vec<DocumentTypeOption>,
    /// A configuration file that cannot be used: the app says so instead
    /// of working on a half-understood configuration.
    pub config_problem: Option<ConfigProblem>,
}

/// A configuration file's mistake, as the screen shows it (no personal
/// data: a file of service addresses and paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConfigProblem {
    /// The file.
    pub path: String,
    /// The line (1-based; 0: the file could not be read).
    pub line: u32,
    /// The column (1-based).
    pub column: u32,
    /// What is wrong, in the parser's words (English, for IT staff).
    pub detail: String,
}

/// One identity document type, as the manual pane lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentTypeOption {
    /// The stable code (`hkic`, …).
    pub code: String,
    /// The name in English.
    pub name_en: String,
    /// The name in Traditional Chinese.
    pub name_zh: String,
}

/// A staff member's sign-in attempt.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInRequest {
    /// The staff member's own named account code.
    pub staff_code: String,
    /// The password; never logged and never stored by the counter.
    pub password: String,
}

/// The staff session after a successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffSession {
    /// The signed-in staff code, shown in the status bar and on slips.
    pub staff_code: String,
    /// The staff member's role.
    pub role: StaffRole,
    /// The name the central service gave for the staff member, if any.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Signed in offline (the central service could not be reached): the
    /// password was checked against the verifier this counter keeps from the
    /// staff member's last online sign-in here. Nothing is sent to the
    /// service until somebody signs in online.
    #[serde(default)]
    pub offline: bool,
}

/// A staff member's change of their own password, at the counter while
/// online. Its `Debug` shows neither password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangePasswordRequest {
    /// The password in use now.
    pub old_password: String,
    /// The new password (at least 10 characters).
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePasswordRequest")
            .finish_non_exhaustive()
    }
}

/// The policies the counter follows now, and where they come from: the
/// copy of the central service's reference data kept in the encrypted
/// store, or this build's defaults when the counter never fetched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PolicyView {
    /// The reference data version the policies come from (none: defaults).
    #[ts(type = "number | null")]
    pub version: Option<u64>,
    /// When the counter fetched that copy (Unix milliseconds; none: defaults).
    #[ts(type = "number | null")]
    pub fetched_at_ms: Option<u64>,
    /// Minutes of inactivity after which the counter locks.
    pub idle_lock_minutes: u32,
    /// Hours a looked-up application may stay in the encrypted cache.
    pub application_cache_hours: u32,
    /// Days from submission after which a pending application expires.
    pub application_expiry_days: u32,
    /// Days the counter keeps synced outbox rows.
    pub counter_retention_days: u32,
    /// Minutes a staff session lasts.
    pub session_minutes: u32,
    /// Days after an online sign-in at this counter during which the same
    /// staff member may sign in here offline.
    pub offline_sign_in_days: u32,
    /// Failed sign-ins in a row before an account locks.
    pub max_failed_sign_ins: u32,
    /// Minutes a locked account stays locked.
    pub lockout_minutes: u32,
}

/// The roles a staff account can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Registration staff at a counter.
    RegistrationStaff,
    /// A supervisor, who can sign off overrides.
    Supervisor,
}

/// Whether the central service answered at the last attempt to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncLink {
    /// Nothing was tried since the app started.
    Unknown,
    /// The last batch was answered.
    Online,
    /// The last attempt failed: the queue waits and is retried by itself.
    Offline,
}

/// What the status bar shows about the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// Whether a central service is configured at all.
    pub central_configured: bool,
    /// Reachability at the last attempt.
    pub link: SyncLink,
    /// Changes waiting to reach the central service.
    pub queued: u32,
    /// Changes the central service refused, waiting for a clerk.
    pub attention: u32,
    /// When the oldest queued change was saved (Unix milliseconds).
    #[ts(type = "number | null")]
    pub oldest_queued_at_ms: Option<u64>,
    /// When a batch was last answered (Unix milliseconds).
    #[ts(type = "number | null")]
    pub last_success_at_ms: Option<u64>,
    /// The clock these times are measured against (Unix milliseconds).
    #[ts(type = "number")]
    pub now_ms: u64,
    /// Syncing waits for a staff member to sign in again (the service
    /// ended the session, or changes made offline wait for an online
    /// sign-in and the service answers again): ask for the password.
    pub needs_sign_in: bool,
    /// The staff member is signed in offline: changes made now stay queued
    /// until somebody signs in online.
    #[serde(default)]
    pub waiting_for_online_sign_in: bool,
    /// Audit events waiting to reach the service's copy of the chain (not
    /// in `queued`, which counts the changes of the people served).
    #[serde(default)]
    pub audit_queued: u32,
    /// A batch is on its way now.
    pub sending: bool,
    /// The counter's local store failed its last write (the disk is full,
    /// an I/O error): the code and what it means, in both languages. None
    /// once a write succeeds again.
    pub store_error: Option<crate::ErrorBody>,
}

/// One change on the "needs attention" list.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttentionItem {
    /// The outbox row (to retry or discard).
    #[ts(type = "number")]
    pub id: i64,
    /// What the change was (`register_in_person`, …).
    pub op_type: String,
    /// What the clerk saw: the task, a name, a masked number.
    pub summary: String,
    /// Why the central service refused it.
    pub code: ErrorCode,
    /// The reason in English, with what to do next.
    pub reason_en: String,
    /// The reason in Traditional Chinese.
    pub reason_zh: String,
    /// The fields a validation refusal named.
    pub fields: Vec<String>,
    /// When the change was saved (Unix milliseconds).
    #[ts(type = "number")]
    pub saved_at_ms: u64,
}

/// A supervisor's discard of a change on the attention list.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiscardRequest {
    /// The outbox row.
    #[ts(type = "number")]
    pub id: i64,
    /// Why, in the supervisor's words (audited; no personal data, please).
    pub reason: String,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("staff_code", &self.staff_code)
            .field("password", &Redacted)
            .finish()
    }
}

impl std::fmt::Debug for AttentionItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttentionItem")
            .field("id", &self.id)
            .field("op_type", &self.op_type)
            .field("summary", &Redacted)
            .field("code", &self.code)
            .field("fields", &self.fields)
            .field("saved_at_ms", &self.saved_at_ms)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for DiscardRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscardRequest")
            .field("id", &self.id)
            .field("reason", &Redacted)
            .finish()
    }
}

/// Enrol this counter with a central service: the first-run screen's form
/// (and `ehrctl enrol`). Its `Debug` never shows the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrolCounterRequest {
    /// The central service's address (`https://…`; plain HTTP to loopback
    /// only).
    pub central_url: String,
    /// The one-time enrolment code printed by `ehr-central counter enrol`.
    pub enrolment_code: String,
}

impl std::fmt::Debug for EnrolCounterRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolCounterRequest")
            .field("central_url", &self.central_url)
            .field("enrolment_code", &Redacted)
            .finish()
    }
}

/// Where the central service's address in force comes from. Later sources
/// win: the environment over the configuration file over the enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CentralUrlSource {
    /// No address anywhere: the counter needs enrolling.
    None,
    /// The address the counter was enrolled against (the first-run screen
    /// or `ehrctl enrol`), kept in the data folder.
    Enrolment,
    /// The configuration files (`$EHR_COUNTER_CONFIG`, else
    /// `/etc/ehr-counter/config.toml` and the user's own): `central_url`.
    ConfigFile,
    /// The environment (`EHR_CENTRAL_URL`).
    Environment,
}

/// The kinds of site a counter can be enrolled to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CounterSiteType {
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

/// The site a counter is enrolled to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CounterSite {
    /// The site code (for example `HA-QEH`).
    pub code: String,
    /// The site type: it decides the workflows the counter offers.
    pub site_type: CounterSiteType,
    /// The site's name in English.
    pub name_en: String,
    /// The site's name in Traditional Chinese.
    pub name_zh: String,
}

/// Whether this counter is enrolled, where its central service is, and
/// which site it serves: what the first-run screen and the status bar show.
/// It never carries the machine key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrolmentView {
    /// The counter has a machine key (from its enrolment, the environment
    /// or a key file) or a client certificate.
    pub enrolled: bool,
    /// The central service's address in force, if any.
    pub central_url: Option<String>,
    /// Where that address comes from.
    pub central_url_source: CentralUrlSource,
    /// The counter's id at the central service, when known.
    pub counter_id: Option<String>,
    /// The counter's name at the central service, when known.
    pub counter_name: Option<String>,
    /// The site the counter is enrolled to, when known.
    pub site: Option<CounterSite>,
    /// The central service revoked this counter: nobody can sign in on it
    /// until it is enrolled again.
    pub revoked: bool,
    /// The data folder was enrolled in the other mode (training or
    /// production) than the app runs in: nobody signs in and nothing syncs
    /// (`counter.mode_mismatch`).
    pub mode_mismatch: bool,
}

/// What a captured document image shows, as the capture dialog offers it
/// (the wire's `DocumentImageKind`, for the UI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaptureKind {
    /// A copy of the patient's identity document.
    PatientDocumentCopy,
    /// An SDM's supporting document (guardianship or court order, HCP letter).
    SupportingDocument,
    /// A birth hospital's certifying document.
    BirthHospitalDocument,
    /// A birth certificate.
    BirthCertificate,
    /// A paper application form (RE(C)01) received by post, fax or
    /// drop-in box.
    PaperForm,
}

impl CaptureKind {
    /// Every kind, in the order the dialog lists them.
    pub const ALL: [CaptureKind; 5] = [
        CaptureKind::PatientDocumentCopy,
        CaptureKind::SupportingDocument,
        CaptureKind::BirthHospitalDocument,
        CaptureKind::BirthCertificate,
        CaptureKind::PaperForm,
    ];

    /// The wire's kind.
    pub fn wire(self) -> crate::wire::batch::DocumentImageKind {
        use crate::wire::batch::DocumentImageKind as K;
        match self {
            CaptureKind::PatientDocumentCopy => K::PatientDocumentCopy,
            CaptureKind::SupportingDocument => K::SupportingDocument,
            CaptureKind::BirthHospitalDocument => K::BirthHospitalDocument,
            CaptureKind::BirthCertificate => K::BirthCertificate,
            CaptureKind::PaperForm => K::PaperForm,
        }
    }

    /// The kind of a wire kind.
    pub fn from_wire(kind: crate::wire::batch::DocumentImageKind) -> CaptureKind {
        use crate::wire::batch::DocumentImageKind as K;
        match kind {
            K::PatientDocumentCopy => CaptureKind::PatientDocumentCopy,
            K::SupportingDocument => CaptureKind::SupportingDocument,
            K::BirthHospitalDocument => CaptureKind::BirthHospitalDocument,
            K::BirthCertificate => CaptureKind::BirthCertificate,
            K::PaperForm => CaptureKind::PaperForm,
        }
    }
}

/// A rectangle of an image, as fractions (0 to 1) of its width and height,
/// from its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct CropBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

/// How the clerk wants a captured image: turned, cropped, in grey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct CaptureAdjust {
    /// Extra clockwise quarter turns after the image's own orientation (0 to 3).
    pub quarter_turns: u8,
    /// The part to keep, in fractions of the upright image before the turns
    /// (the preview as shown); `None` keeps the whole page.
    pub crop: Option<CropBox>,
    /// Trim the scanner's white border.
    pub auto_trim: bool,
    /// Black and white (grey levels): smaller, for documents without colour.
    pub grayscale: bool,
}

/// One file waiting in the scanner's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScanFileView {
    /// The file's name (as the scanner named it).
    pub name: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// The scanner's folder, as the capture dialog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScanFolderView {
    /// Whether a scanner folder is configured for this counter.
    pub configured: bool,
    /// The files ready to capture (complete: no longer being written).
    pub files: Vec<ScanFileView>,
    /// Why the folder cannot be read, if it cannot.
    pub problem: Option<ErrorBody>,
}

/// A captured image as the dialog and the task's list show it.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaptureView {
    /// Its id (the image id it travels with).
    pub image_id: String,
    /// What it shows.
    pub kind: CaptureKind,
    /// The upright page as captured (JPEG, base64), for the crop handles;
    /// absent in the task's list.
    pub preview_base64: Option<String>,
    /// The normalised image's thumbnail (JPEG, base64).
    pub thumbnail_base64: Option<String>,
    /// The normalised image's width in pixels.
    pub width: u32,
    /// The normalised image's height in pixels.
    pub height: u32,
    /// The normalised image's size in bytes (what will be sent).
    #[ts(type = "number")]
    pub bytes: u64,
    /// The EXIF orientation applied (1 to 8; 1 is none).
    pub orientation: u8,
    /// The adjustments in force.
    pub adjust: CaptureAdjust,
}

impl std::fmt::Debug for CaptureView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureView")
            .field("image_id", &self.image_id)
            .field("kind", &self.kind)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.bytes)
            .field("images", &Redacted)
            .finish_non_exhaustive()
    }
}

/// The languages a slip can be printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SlipLanguage {
    /// English.
    En,
    /// Traditional Chinese.
    Zh,
    /// Both, English first.
    Both,
}

/// A slip or notice ready to preview, print or save.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SlipView {
    /// The handle print and save refer to (valid while the preview is open).
    #[ts(type = "number")]
    pub handle: u64,
    /// The reference printed on it.
    pub reference: String,
    /// Its pages rendered as PNG (base64), for the preview.
    pub pages_png_base64: Vec<String>,
    /// The PDF's size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
    /// The language it is in.
    pub language: SlipLanguage,
}

impl std::fmt::Debug for SlipView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlipView")
            .field("handle", &self.handle)
            .field("pages", &self.pages_png_base64.len())
            .field("pages_png_base64", &Redacted)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

/// A printer the counter can print slips on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrinterView {
    /// The queue's name.
    pub name: String,
    /// The one slips go to unless the clerk picks another (the configured
    /// printer, else the system's default).
    pub preferred: bool,
    /// Whether it takes jobs now (enabled and accepting).
    pub ready: bool,
}

/// A slip that went to a printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintedView {
    /// The printer.
    pub printer: String,
    /// The printing system's job id.
    pub job: String,
}

/// A slip saved as a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SavedView {
    /// Where it was saved.
    pub path: String,
}

/// A completed task's slip, in today's list (for a reprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeptSlipView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// The task's reference.
    pub reference: String,
    /// The kind of task (a slip task code).
    pub task: String,
    /// What the list shows (masked numbers only).
    pub summary: String,
    /// When the task completed (Unix ms).
    #[ts(type = "number")]
    pub completed_at_ms: i64,
    /// How many times it was printed.
    pub prints: u32,
}
