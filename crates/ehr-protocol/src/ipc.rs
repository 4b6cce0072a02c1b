//! Types carried by the Tauri commands between the UI and the app crate.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
