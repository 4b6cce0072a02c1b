//! Lifecycles as explicit state machines: pending applications, registrations
//! (including newborns awaiting a birth certificate) and sharing consents.
//!
//! Each machine has a state enum with a pure `next(state, event)` function
//! that either returns the next state or a typed [`LifecycleError`]; a record
//! type wraps the state with the dates the rules need. Policy values (expiry
//! periods, follow-up days) are passed in, never hard-coded: see
//! [`Policy`]; its `Default` holds the product defaults.

pub mod application;
pub mod consent;
pub mod registration;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Message};

/// Which state machine an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Machine {
    /// A pending application.
    Application,
    /// A registration.
    Registration,
    /// A sharing consent.
    Consent,
}

/// Why a lifecycle step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "error")]
pub enum LifecycleError {
    /// The event is not allowed in the current state.
    #[error("{machine:?}: {event} is not allowed from {from}")]
    IllegalTransition {
        /// The machine.
        machine: Machine,
        /// The current state's code.
        from: String,
        /// The event's code.
        event: String,
    },
    /// The event is dated before the record's previous event.
    #[error("event dated before the previous event")]
    DateOrder,
    /// The application's expiry date has passed.
    #[error("application expired")]
    ApplicationExpired,
    /// Completion needs a verified Hong Kong birth certificate number.
    #[error("completion needs a verified birth certificate number")]
    NeedsBirthCertificate,
    /// Public providers hold consent automatically.
    #[error("public provider consent is fixed")]
    PublicProviderFixed,
    /// The document presented is not the record's (nor its Hong Kong twin).
    #[error("a different document")]
    DifferentDocument,
}

impl LifecycleError {
    pub(crate) fn illegal(machine: Machine, from: &str, event: &str) -> LifecycleError {
        LifecycleError::IllegalTransition {
            machine,
            from: from.to_owned(),
            event: event.to_owned(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        match self {
            LifecycleError::IllegalTransition { .. } => Code::LifecycleIllegalTransition,
            LifecycleError::DateOrder => Code::LifecycleDateOrder,
            LifecycleError::ApplicationExpired => Code::ApplicationExpired,
            LifecycleError::NeedsBirthCertificate => Code::RegistrationNeedsBirthCertificate,
            LifecycleError::PublicProviderFixed => Code::ConsentPublicFixed,
            LifecycleError::DifferentDocument => Code::ActivationDifferentDocument,
        }
    }

    /// The code with its bilingual text.
    pub fn message(&self) -> Message {
        Message::new(self.code())
    }
}

/// Policy values the central service owns and the counter syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Days from submission after which a pending application expires
    /// (default 180).
    pub application_expiry_days: u32,
    /// Days after which a birth hospital sees a newborn record not yet
    /// completed with the birth certificate (default 60).
    pub newborn_follow_up_days: u32,
    /// Days after birth during which a birth hospital may register a newborn
    /// before the birth certificate exists (default 42: a birth must be
    /// registered within 42 days, so an older baby has a certificate).
    #[serde(default = "default_newborn_registration_days")]
    pub newborn_registration_days: u32,
}

fn default_newborn_registration_days() -> u32 {
    42
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            application_expiry_days: 180,
            newborn_follow_up_days: 60,
            newborn_registration_days: default_newborn_registration_days(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_codes() {
        let cases = [
            (
                LifecycleError::illegal(Machine::Application, "activated", "cancel"),
                "lifecycle.illegal_transition",
            ),
            (LifecycleError::DateOrder, "lifecycle.date_order"),
            (LifecycleError::ApplicationExpired, "application.expired"),
            (
                LifecycleError::NeedsBirthCertificate,
                "registration.needs_birth_certificate",
            ),
            (LifecycleError::PublicProviderFixed, "consent.public_fixed"),
        ];
        for (e, code) in cases {
            assert_eq!(e.code().as_str(), code);
            assert_eq!(e.message().code, e.code());
        }
        let json = serde_json::to_value(LifecycleError::illegal(Machine::Consent, "given", "give"))
            .unwrap();
        assert_eq!(json["error"], "illegal_transition");
        assert_eq!(json["machine"], "consent");
    }

    #[test]
    fn policy_defaults_and_override() {
        let p = Policy::default();
        assert_eq!(
            (p.application_expiry_days, p.newborn_follow_up_days),
            (180, 60)
        );
        let custom: Policy =
            serde_json::from_str(r#"{"application_expiry_days":90,"newborn_follow_up_days":30}"#)
                .unwrap();
        assert_eq!(custom.application_expiry_days, 90);
    }
}
