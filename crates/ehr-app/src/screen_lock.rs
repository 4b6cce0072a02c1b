//! The locked screen. After the policy's idle minutes (the UI counts them)
//! or when the clerk locks it, the counter hides the person in front of it:
//! the card side answers without the identity, and the UI takes its panes
//! out of the page. The same staff member unlocks with their password
//! (online, or offline with the verifier kept here); the card read and the
//! task are still there. Anybody else signs the first one out instead.
//! Both are audited (`counter.lock`, `counter.unlock`).

use std::sync::atomic::Ordering;

use ehr_protocol::audit::AuditAction;
use ehr_protocol::ipc::{SignInRequest, StaffSession};
use ehr_protocol::{ErrorBody, ErrorCode};

use crate::App;

impl App {
    /// Whether the screen is locked.
    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    /// Lock the screen. Nothing happens when nobody is signed in (there is
    /// nothing to hide) or it is locked already.
    pub fn lock(&self) -> Result<(), ErrorBody> {
        if !self.signed_in() {
            return Ok(());
        }
        if self.locked.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        // Locked first, audited after: a store that cannot write does not
        // keep the screen open. Its error is the caller's to show.
        self.record_audit(AuditAction::Lock, None)
    }

    /// Unlock with the password of the staff member who is signed in. A
    /// different staff code is refused (`auth.forbidden`): somebody else
    /// takes the counter by signing the first one out. A wrong password
    /// keeps the screen locked and counts toward the lockout like any
    /// sign-in.
    pub fn unlock(&self, req: &SignInRequest) -> Result<StaffSession, ErrorBody> {
        let current = self.staff_any()?;
        if !req
            .staff_code
            .trim()
            .eq_ignore_ascii_case(&current.staff_code)
        {
            return Err(ErrorBody::new(ErrorCode::AuthForbidden).on_field("staff_code"));
        }
        let staff = self.sign_in(&SignInRequest {
            staff_code: current.staff_code,
            password: req.password.clone(),
        })?;
        self.locked.store(false, Ordering::SeqCst);
        // The session is back either way; a store that cannot write says so
        // in the status bar, and the unlock is not undone for it.
        let _ = self.record_audit(AuditAction::Unlock, None);
        Ok(staff)
    }

    /// The staff member signed in now, if any (expired sessions included).
    pub fn staff_session(&self) -> Option<StaffSession> {
        self.staff_any().ok()
    }

    /// How many changes are still queued, for the question asked when the
    /// window closes (0 when the store is not open: nothing to lose).
    pub fn queued_changes(&self) -> u64 {
        self.sync_status().map(|s| u64::from(s.queued)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn app() -> App {
        // Nothing is opened: the data folder is never touched.
        App::new(Config::from_lookup(|k| match k {
            "EHR_COUNTER_DATA_DIR" => Some("/nonexistent/ehr-lock-test".to_owned()),
            _ => None,
        }))
    }

    #[test]
    fn locking_with_nobody_signed_in_does_nothing() {
        let a = app();
        assert!(a.lock().is_ok());
        assert!(!a.is_locked());
    }

    #[test]
    fn unlock_needs_a_signed_in_staff_member() {
        let a = app();
        let e = a
            .unlock(&SignInRequest {
                staff_code: "HA-0001".into(),
                password: "pw".into(),
            })
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::AuthSignInRequired);
    }
}
