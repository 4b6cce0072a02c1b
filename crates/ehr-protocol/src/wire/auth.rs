//! Staff sign-in and counter identity.

use serde::{Deserialize, Serialize};

use super::reference::Site;

/// A staff member's sign-in at an enrolled counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolRequest {
    /// The one-time code printed by `ehr-central counter enrol`.
    pub enrolment_code: String,
}

/// The enrolled counter and its machine key, returned once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolResponse {
    /// The counter.
    pub counter: CounterIdentity,
    /// The machine key for the `X-Counter-Key` header. Shown once; the
    /// service keeps only its hash.
    pub machine_key: String,
}
