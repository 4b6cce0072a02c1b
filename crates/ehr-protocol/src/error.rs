//! Stable error codes for the IPC and HTTP boundaries, with their bilingual
//! messages.
//!
//! The code is the contract: the UI and integrators switch on it, so a code is
//! never renamed or reused. Messages are fixed text written for a clerk and
//! never include personal data.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every error code that crosses a boundary of the app.
///
/// Serialised as a dotted string such as `"auth.staff_code_required"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ErrorCode {
    /// The staff code field was empty.
    #[serde(rename = "auth.staff_code_required")]
    AuthStaffCodeRequired,
    /// The staff code has characters or a length a staff code never has.
    #[serde(rename = "auth.staff_code_format")]
    AuthStaffCodeFormat,
    /// The password field was empty.
    #[serde(rename = "auth.password_required")]
    AuthPasswordRequired,
    /// This counter has no central service configured, so nobody can sign in.
    #[serde(rename = "central.not_configured")]
    CentralNotConfigured,
    /// This version of the app cannot sign in to a central service yet.
    #[serde(rename = "central.sign_in_unavailable")]
    CentralSignInUnavailable,
    /// The local data directory could not be created or written.
    #[serde(rename = "storage.data_dir")]
    StorageDataDir,
    /// An unexpected internal failure; details are in the local log only.
    #[serde(rename = "internal")]
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order (for catalogues and tests).
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::AuthStaffCodeRequired,
        ErrorCode::AuthStaffCodeFormat,
        ErrorCode::AuthPasswordRequired,
        ErrorCode::CentralNotConfigured,
        ErrorCode::CentralSignInUnavailable,
        ErrorCode::StorageDataDir,
        ErrorCode::Internal,
    ];

    /// The stable dotted form of the code, as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AuthStaffCodeRequired => "auth.staff_code_required",
            ErrorCode::AuthStaffCodeFormat => "auth.staff_code_format",
            ErrorCode::AuthPasswordRequired => "auth.password_required",
            ErrorCode::CentralNotConfigured => "central.not_configured",
            ErrorCode::CentralSignInUnavailable => "central.sign_in_unavailable",
            ErrorCode::StorageDataDir => "storage.data_dir",
            ErrorCode::Internal => "internal",
        }
    }

    /// The message in English and in Traditional Chinese.
    pub fn messages(self) -> (&'static str, &'static str) {
        match self {
            ErrorCode::AuthStaffCodeRequired => ("Enter your staff code.", "請輸入職員編號。"),
            ErrorCode::AuthStaffCodeFormat => (
                "A staff code has 3 to 20 letters, digits or hyphens.",
                "職員編號由 3 至 20 個英文字母、數字或連字號組成。",
            ),
            ErrorCode::AuthPasswordRequired => ("Enter your password.", "請輸入密碼。"),
            ErrorCode::CentralNotConfigured => (
                "This counter is not connected to a central registration service yet. Ask your field engineer to run “ehrctl doctor”.",
                "此櫃位尚未連接中央登記服務。請聯絡技術支援人員執行「ehrctl doctor」。",
            ),
            ErrorCode::CentralSignInUnavailable => (
                "This version of the counter cannot sign in to the central service yet. Use a counter with the current release.",
                "此版本的櫃位程式尚未能登入中央服務。請使用已安裝最新版本的櫃位。",
            ),
            ErrorCode::StorageDataDir => (
                "The counter cannot write its data folder. Ask your field engineer to run “ehrctl doctor”.",
                "此櫃位無法寫入資料夾。請聯絡技術支援人員執行「ehrctl doctor」。",
            ),
            ErrorCode::Internal => (
                "Something went wrong inside the counter application. Nothing you entered was lost; try again.",
                "櫃位程式發生內部錯誤。已輸入的資料沒有遺失，請再試一次。",
            ),
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error that crosses the IPC or HTTP boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorBody {
    /// The stable code the UI switches on.
    pub code: ErrorCode,
    /// The form field the error belongs to, if any (a field name, never a value).
    pub field: Option<String>,
    /// The message in English.
    pub message_en: String,
    /// The message in Traditional Chinese.
    pub message_zh: String,
}

impl ErrorBody {
    /// An error body for `code`, with its catalogue messages.
    pub fn new(code: ErrorCode) -> Self {
        let (en, zh) = code.messages();
        ErrorBody {
            code,
            field: None,
            message_en: en.to_owned(),
            message_zh: zh.to_owned(),
        }
    }

    /// The same error, pinned to a form field.
    pub fn on_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<ErrorCode> for ErrorBody {
    fn from(code: ErrorCode) -> Self {
        ErrorBody::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_matches_as_str_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", code.as_str()),
                "serde rename drifted for {code:?}"
            );
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn every_code_has_both_messages_and_codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            let (en, zh) = code.messages();
            assert!(
                !en.is_empty() && en.is_ascii() || en.contains('“'),
                "English message for {code}"
            );
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "Chinese message for {code} has no CJK text"
            );
        }
    }
}
