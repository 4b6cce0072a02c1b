//! Staff sign-in and counter identity.

use serde::{Deserialize, Serialize};

use super::reference::Site;

/// A staff member's sign-in at an enrolled counter.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    /// The staff member's own named account code.
    pub staff_code: String,
    /// The password; never logged and never stored by the counter.
    pub password: String,
}

/// The roles a staff account can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Registration staff at a counter.
    RegistrationStaff,
    /// A supervisor, who can sign off overrides.
    Supervisor,
}

/// A successful sign-in: a short-lived bearer token for this counter.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    /// The bearer token for the `Authorization` header.
    pub token: String,
    /// When the token expires (RFC 3339, UTC).
    pub expires_at: String,
    /// Seconds until the token expires.
    pub expires_in_seconds: u64,
    /// The signed-in staff code.
    pub staff_code: String,
    /// The staff member's role.
    pub role: StaffRole,
    /// The counter the session is bound to.
    pub counter: CounterIdentity,
    /// The staff member's name as the service keeps it (absent when it has
    /// none, and from older services).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// A staff member changes their own password, under their session. Its
/// `Debug` shows neither password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    /// The password in use now.
    pub old_password: String,
    /// The new password (10 to 1024 characters, not the old one).
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePasswordRequest")
            .finish_non_exhaustive()
    }
}

/// Who a counter machine is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterIdentity {
    /// The counter's id, assigned at enrolment.
    pub counter_id: String,
    /// The counter's name (for example `HKE-RO-01`).
    pub name: String,
    /// The site the counter is enrolled to.
    pub site: Site,
}

/// A counter machine's enrolment with a one-time enrolment code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolRequest {
    /// The one-time code printed by `ehr-central counter enrol`.
    pub enrolment_code: String,
}

/// The enrolled counter and its machine key, returned once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolResponse {
    /// The counter.
    pub counter: CounterIdentity,
    /// The machine key for the `X-Counter-Key` header. Shown once; the
    /// service keeps only its hash.
    pub machine_key: String,
}

/// A supervisor's sign-off, asked for at the counter: the supervisor types
/// their own staff code and password into the prompt, for one record and
/// one reason. Sent with the clerk's session. Its `Debug` shows neither the
/// password nor the reason's text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignOffRequest {
    /// The supervisor's own staff code.
    pub staff_code: String,
    /// The supervisor's password; never logged, never stored by the counter.
    pub password: String,
    /// The counter's local record the sign-off is for (the operation's
    /// `record_key`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_:.-]{1,64}$"))]
    pub record_key: String,
    /// What is signed off, in words or as a code (1 to 200 characters; no
    /// personal data).
    pub reason: String,
}

impl std::fmt::Debug for SignOffRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignOffRequest")
            .field("staff_code", &self.staff_code)
            .field("record_key", &self.record_key)
            .finish_non_exhaustive()
    }
}

/// A sign-off the service verified: a token bound to this counter, the
/// record and the reason, to put in the operation's `supervisor_sign_off`.
/// The counter must attach it before `attach_by`; the service then accepts
/// it however late the operation syncs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignOffResponse {
    /// The sign-off token.
    pub token: String,
    /// The supervisor who signed off.
    pub supervisor: String,
    /// Attach it to an operation before this time (RFC 3339, UTC).
    pub attach_by: String,
    /// Seconds from now until `attach_by`.
    pub attach_within_seconds: u64,
}

impl std::fmt::Debug for SignOffResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignOffResponse")
            .field("supervisor", &self.supervisor)
            .field("attach_by", &self.attach_by)
            .finish_non_exhaustive()
    }
}

/// `Debug` for the secrets of sign-in and enrolment: never the password,
/// the token, the enrolment code or the machine key.
impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("staff_code", &self.staff_code)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SignInResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInResponse")
            .field("staff_code", &self.staff_code)
            .field("role", &self.role)
            .field("expires_at", &self.expires_at)
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for EnrolRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolRequest").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for EnrolResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolResponse")
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::reference::Site;

    #[test]
    fn debug_never_shows_a_password_token_code_or_key() {
        let counter = CounterIdentity {
            counter_id: "CTR-1".into(),
            name: "HKE-RO-01".into(),
            site: Site {
                code: "RO-HK".into(),
                site_type: super::super::reference::SiteType::RegistrationOffice,
                name_en: "Registration Office".into(),
                name_zh: "登記辦事處".into(),
            },
        };
        let shown = [
            format!(
                "{:?}",
                SignInRequest {
                    staff_code: "clerk01".into(),
                    password: "SECRET-PW".into()
                }
            ),
            format!(
                "{:#?}",
                SignInResponse {
                    token: "SECRET-TOKEN".into(),
                    expires_at: "2026-12-01T00:00:00Z".into(),
                    expires_in_seconds: 60,
                    staff_code: "clerk01".into(),
                    role: StaffRole::RegistrationStaff,
                    counter: counter.clone(),
                    display_name: None,
                }
            ),
            format!(
                "{:?}",
                EnrolRequest {
                    enrolment_code: "SECRET-CODE".into()
                }
            ),
            format!(
                "{:?}",
                EnrolResponse {
                    counter,
                    machine_key: "SECRET-KEY".into()
                }
            ),
            format!(
                "{:?}",
                SignOffRequest {
                    staff_code: "super01".into(),
                    password: "SECRET-PW".into(),
                    record_key: "r".into(),
                    reason: "x".into()
                }
            ),
            format!(
                "{:?}",
                SignOffResponse {
                    token: "SECRET-TOKEN".into(),
                    supervisor: "super01".into(),
                    attach_by: "2026-12-01T00:10:00Z".into(),
                    attach_within_seconds: 600
                }
            ),
            format!(
                "{:?}",
                ChangePasswordRequest {
                    old_password: "SECRET-OLD".into(),
                    new_password: "SECRET-NEW".into()
                }
            ),
        ];
        for s in &shown {
            assert!(!s.contains("SECRET"), "{s}");
        }
        assert!(shown[0].contains("clerk01") && shown[3].contains("CTR-1"));
    }
}
