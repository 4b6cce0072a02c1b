//! Staff sign-in online and offline, the reference data and policies the
//! counter follows, session expiry, and a staff member's password change.
//!
//! - **Online first.** A sign-in always asks the central service. Only when
//!   the service cannot be reached (`central.unreachable`: DNS, refused,
//!   timeout) does the counter try offline; an answer from the service
//!   (a wrong password, a locked account) is final.
//! - **Verifier.** After each online sign-in the counter keeps an argon2id
//!   verifier of that password ([`VERIFIER_PARAMS`], stronger than the
//!   service's; a new random salt each time) in the encrypted store, with
//!   the staff code, role and name the service returned and the time. Never
//!   the password.
//! - **Offline.** Allowed only for a staff member with a verifier here
//!   from an online sign-in within the `offline_sign_in_days` policy, with
//!   that role; the session is marked offline and nothing is sent to the
//!   service under it: its changes stay queued (marked as made offline by
//!   that staff code) until somebody signs in online.
//! - **Lockout.** Failures count here too (online and offline alike); at
//!   the policy's count the account locks here for the policy's time, and
//!   the refusal carries the seconds left (`retry_after_s`).
//! - **Policies.** From the reference data fetched after each online
//!   sign-in and kept in the store; this build's defaults only for a counter
//!   that never fetched it. A fetch deletes the verifiers of staff the
//!   service deactivated.
//! - **Expiry.** A session past its time (by the app's clock, or as the
//!   service says) answers `auth.session_expired`, and the card and task
//!   state stay: signing in again with the same staff code carries on; a
//!   different staff code starts afresh.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use ehr_protocol::ipc::{
    ChangePasswordRequest, PolicyView, SignInRequest, StaffRole, StaffSession,
};
use ehr_protocol::wire::{Policies, ReferenceData};
use ehr_protocol::{ErrorBody, ErrorCode};

use crate::{central, lock, store_err, App};

/// The verifier's argon2id parameters: m = 64 MiB, t = 3, p = 1 (RFC 9106's
/// second recommendation, at one lane). The service hashes with the argon2
/// crate's defaults (m = 19 MiB, t = 2, p = 1): these are stronger on every
/// axis. Calibrated to stay under 0.5 s per offline sign-in on a counter
/// (`docs/benchmarks.md`).
pub const VERIFIER_PARAMS: (u32, u32, u32) = (64 * 1024, 3, 1);

/// The policies of a counter that never fetched the reference data.
pub const DEFAULT_POLICIES: Policies = Policies {
    application_expiry_days: 180,
    newborn_follow_up_days: 60,
    idle_lock_minutes: 5,
    application_cache_hours: 24,
    session_minutes: 30,
    counter_retention_days: 30,
    offline_sign_in_days: 7,
    max_failed_sign_ins: 5,
    lockout_minutes: 15,
    transaction_time_tolerance_hours: 168,
    newborn_registration_days: 42,
};

/// What the app knows of the current session beyond the staff member.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SessionClock {
    /// When the session ends (Unix ms, by the app's clock).
    pub(crate) expires_at_ms: i64,
    /// The service said the session ended (or the clock did).
    pub(crate) expired: bool,
}

fn argon2() -> Result<Argon2<'static>, ErrorBody> {
    let (m, t, p) = VERIFIER_PARAMS;
    let params = Params::new(m, t, p, Some(32)).map_err(|_| ErrorBody::new(ErrorCode::Internal))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// An argon2id verifier (PHC string) of `password`, with a new random salt.
pub fn make_verifier(password: &str) -> Result<String, ErrorBody> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| ErrorBody::new(ErrorCode::Internal))?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| ErrorBody::new(ErrorCode::Internal))?;
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))
}

/// Whether `password` matches the verifier `phc` (with the parameters the
/// verifier names).
pub fn check_verifier(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A verifier checked for staff codes with none here, so an offline refusal
/// costs the same either way.
fn dummy_verifier() -> &'static str {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| make_verifier("not a password").unwrap_or_default())
}

fn role_code(r: StaffRole) -> &'static str {
    match r {
        StaffRole::RegistrationStaff => "registration_staff",
        StaffRole::Supervisor => "supervisor",
    }
}

fn role_from_code(s: &str) -> Option<StaffRole> {
    match s {
        "registration_staff" => Some(StaffRole::RegistrationStaff),
        "supervisor" => Some(StaffRole::Supervisor),
        _ => None,
    }
}

fn locked_for(until_ms: i64, now_ms: i64) -> ErrorBody {
    let left = (((until_ms - now_ms).max(0) + 999) / 1000).clamp(1, i64::from(u32::MAX));
    ErrorBody::new(ErrorCode::AuthLocked).retry_after(left as u32)
}

impl App {
    /// The reference data as this counter last fetched it, and when
    /// (Unix ms); `None` if it never did.
    pub fn reference(&self) -> Result<Option<(ReferenceData, i64)>, ErrorBody> {
        // Never opens the store: a copy is only read from an open one.
        let Some(store) = self.store_if_open() else {
            return Ok(None);
        };
        let cached = lock(&store).reference().map_err(store_err)?;
        Ok(cached.map(|c| (c.data, c.fetched_at_ms)))
    }

    /// The policies the counter follows now: the kept copy of the reference
    /// data's, else this build's defaults (a counter that never synced, or
    /// whose store is not open yet), with the copy's version and age.
    pub fn policies(&self) -> PolicyView {
        let cached = self.reference().ok().flatten();
        let (p, version, fetched) = match &cached {
            Some((r, at)) => (r.policies, Some(r.version), Some(*at)),
            // The configuration file's idle lock until the service's
            // policy is known.
            None => (
                Policies {
                    idle_lock_minutes: self.config().idle_lock_fallback_minutes,
                    ..DEFAULT_POLICIES
                },
                None,
                None,
            ),
        };
        PolicyView {
            version,
            fetched_at_ms: fetched.map(|t| t.max(0) as u64),
            idle_lock_minutes: p.idle_lock_minutes,
            application_cache_hours: p.application_cache_hours,
            application_expiry_days: p.application_expiry_days,
            counter_retention_days: p.counter_retention_days,
            session_minutes: p.session_minutes,
            offline_sign_in_days: p.offline_sign_in_days,
            max_failed_sign_ins: p.max_failed_sign_ins,
            lockout_minutes: p.lockout_minutes,
        }
    }

    /// Fetch the reference data again under the current online session and
    /// keep it (the verifiers of deactivated staff go). Needs an online
    /// session.
    pub fn refresh_reference(&self) -> Result<u64, ErrorBody> {
        let token = self.online_token()?;
        let Some(central) = self.config.central()? else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let data = central::get_reference(&self.config, &central.base, &token)
            .map_err(|e| self.seen_from_service(e))?;
        let store = self.store()?;
        lock(&store)
            .put_reference(&data, self.clock.now_ms())
            .map_err(store_err)?;
        Ok(data.version)
    }

    /// Sign in again as the staff member whose session expired, with their
    /// password: the card and task state stay.
    pub fn reauthenticate(&self, password: &str) -> Result<StaffSession, ErrorBody> {
        let code = self.staff_any()?.staff_code;
        self.sign_in(&SignInRequest {
            staff_code: code,
            password: password.to_owned(),
        })
    }

    /// The signed-in staff member changes their own password at the
    /// service (online only). The verifier kept here is replaced at once.
    pub fn change_password(&self, req: &ChangePasswordRequest) -> Result<(), ErrorBody> {
        if req.old_password.is_empty() {
            return Err(ErrorBody::new(ErrorCode::AuthPasswordRequired).on_field("old_password"));
        }
        let n = req.new_password.chars().count();
        if !(10..=1024).contains(&n) || req.new_password == req.old_password {
            return Err(ErrorBody::new(ErrorCode::FieldFormat).on_field("new_password"));
        }
        let token = self.online_token()?;
        let staff = self.staff()?;
        let Some(central) = self.config.central()? else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let wire = ehr_protocol::wire::ChangePasswordRequest {
            old_password: req.old_password.clone(),
            new_password: req.new_password.clone(),
        };
        central::change_password(&self.config, &central.base, &token, &wire)
            .map_err(|e| self.seen_from_service(e))?;
        self.keep_verifier(&staff, &req.new_password);
        Ok(())
    }

    /// Sign in at the service, or offline when it cannot be reached; the
    /// session to hold. Keeps the verifier and fetches the reference data
    /// after an online sign-in; counts failures here.
    pub(crate) fn sign_in_online_or_offline(
        &self,
        base: &str,
        req: &SignInRequest,
    ) -> Result<central::Session, ErrorBody> {
        let code = req.staff_code.trim().to_owned();
        let now = self.clock.now_ms();
        // Sign-in never opens the store (that may wait for a keyring, and
        // a support tool decides itself whether its store syncs).
        let store = self.store_if_open();
        let policies = self.policies();
        match central::sign_in(&self.config, base, req) {
            Ok(s) => {
                self.keep_verifier(&s.staff, &req.password);
                if let Some(store) = &store {
                    let _ = lock(store).clear_sign_in_failures(&code);
                    // The policies come from the service's reference data.
                    if let Ok(data) = central::get_reference(&self.config, base, &s.token) {
                        let _ = lock(store).put_reference(&data, now);
                    }
                }
                self.start_session(&s, now);
                Ok(s)
            }
            // The network is down or the service away: offline. Not for a
            // TLS failure (an untrusted certificate is a misconfiguration
            // or an interception, to be seen and fixed, not worked around).
            Err(e)
                if matches!(
                    e.code,
                    ErrorCode::CentralUnreachable
                        | ErrorCode::CentralRefused
                        | ErrorCode::CentralDns
                ) =>
            {
                // The service was just found unreachable: the status bar says
                // offline now, not after the next health probe.
                self.with_driver(|d| d.event(ehr_sync::Event::Connectivity(false)));
                let s = self.sign_in_offline(&code, &req.password, &policies, now)?;
                self.start_session(&s, now);
                Ok(s)
            }
            Err(e) => {
                if let Some(store) = &store {
                    let mut st = lock(store);
                    match (e.code, e.retry_after_s) {
                        (ErrorCode::AuthInvalidCredentials, _) => {
                            let _ = st.record_sign_in_failure(
                                &code,
                                policies.max_failed_sign_ins,
                                i64::from(policies.lockout_minutes) * 60_000,
                                now,
                            );
                        }
                        (ErrorCode::AuthLocked, Some(left)) => {
                            let _ = st.set_sign_in_lock(&code, now + i64::from(left) * 1000);
                        }
                        _ => {}
                    }
                }
                Err(e)
            }
        }
    }

    fn sign_in_offline(
        &self,
        code: &str,
        password: &str,
        policies: &PolicyView,
        now: i64,
    ) -> Result<central::Session, ErrorBody> {
        // Offline sign-in needs the store (the verifier lives there).
        let store = self.store()?;
        let (verifier, failures) = {
            let s = lock(&store);
            (
                s.verifier(code).map_err(store_err)?,
                s.sign_in_failures(code).map_err(store_err)?,
            )
        };
        if let Some(until) = failures.locked_until_ms.filter(|t| *t > now) {
            return Err(locked_for(until, now));
        }
        let window_ms = i64::from(policies.offline_sign_in_days) * 86_400_000;
        let usable = verifier
            .filter(|v| now.saturating_sub(v.online_at_ms) <= window_ms && v.online_at_ms <= now);
        let Some(v) = usable else {
            // The same work as a check, so the answer's time says nothing.
            let _ = check_verifier(password, dummy_verifier());
            return Err(ErrorBody::new(ErrorCode::AuthOfflineUnavailable));
        };
        let role = role_from_code(&v.role).ok_or_else(|| ErrorBody::new(ErrorCode::Internal))?;
        if !check_verifier(password, &v.verifier) {
            let locked = lock(&store)
                .record_sign_in_failure(
                    code,
                    policies.max_failed_sign_ins,
                    i64::from(policies.lockout_minutes) * 60_000,
                    now,
                )
                .map_err(store_err)?;
            return Err(match locked {
                Some(until) => locked_for(until, now),
                None => ErrorBody::new(ErrorCode::AuthInvalidCredentials),
            });
        }
        lock(&store)
            .clear_sign_in_failures(code)
            .map_err(store_err)?;
        Ok(central::Session::offline(
            StaffSession {
                staff_code: v.staff_code,
                role,
                display_name: v.display_name,
                offline: true,
            },
            u64::from(policies.session_minutes) * 60,
        ))
    }

    /// Keep a new verifier of `password` for `staff` (after an online check
    /// of it). Without an open store there is nowhere to keep it: offline
    /// sign-in then waits for the next online one.
    fn keep_verifier(&self, staff: &StaffSession, password: &str) {
        let Some(store) = self.store_if_open() else {
            return;
        };
        let Ok(verifier) = make_verifier(password) else {
            return;
        };
        let v = ehr_store::StaffVerifier {
            staff_code: staff.staff_code.clone(),
            role: role_code(staff.role).to_owned(),
            display_name: staff.display_name.clone(),
            verifier,
            online_at_ms: self.clock.now_ms(),
        };
        let _ = lock(&store).put_verifier(&v);
    }

    /// The new session's time, who its changes are made by, and a fresh
    /// start of the card and task state when somebody else signs in.
    fn start_session(&self, s: &central::Session, now: i64) {
        let previous = lock(&self.session)
            .as_ref()
            .map(|p| p.staff.staff_code.clone());
        if previous.is_some_and(|p| p != s.staff.staff_code) {
            lock(&self.sign_offs).clear();
            self.card.finish_task();
        }
        let secs = i64::try_from(s.expires_in_s).unwrap_or(i64::MAX / 2000);
        *lock(&self.session_clock) = SessionClock {
            expires_at_ms: now.saturating_add(secs.saturating_mul(1000)),
            expired: false,
        };
        if let Some(store) = self.store_if_open() {
            let _ = lock(&store).set_author(Some((&s.staff.staff_code, s.staff.offline)));
        }
    }

    /// Nobody is signed in any more.
    pub(crate) fn end_session(&self) {
        *lock(&self.session_clock) = SessionClock::default();
        if let Some(store) = self.store_if_open() {
            let _ = lock(&store).set_author(None);
        }
    }

    /// The store, if it is open (never opens it).
    pub(crate) fn store_if_open(
        &self,
    ) -> Option<std::sync::Arc<std::sync::Mutex<ehr_store::Store>>> {
        match &*lock(&self.outbox.state) {
            crate::SlotState::Open(o) => Some(o.store.clone()),
            _ => None,
        }
    }

    /// The signed-in staff member, whether or not the session expired.
    pub(crate) fn staff_any(&self) -> Result<StaffSession, ErrorBody> {
        lock(&self.session)
            .as_ref()
            .map(|s| s.staff.clone())
            .ok_or_else(|| ErrorBody::new(ErrorCode::AuthSignInRequired))
    }

    /// Whether the current session is past its time (by the app's clock,
    /// or as the service said). Marks it expired.
    pub(crate) fn session_expired(&self) -> bool {
        let now = self.clock.now_ms();
        let mut c = lock(&self.session_clock);
        if lock(&self.session).is_some() && c.expires_at_ms > 0 && now >= c.expires_at_ms {
            c.expired = true;
        }
        c.expired
    }

    /// The token of an online session that has not expired.
    pub(crate) fn online_token(&self) -> Result<String, ErrorBody> {
        let staff = self.staff()?;
        if staff.offline {
            return Err(ErrorBody::new(ErrorCode::CentralUnreachable));
        }
        lock(&self.session)
            .as_ref()
            .map(|s| s.token.clone())
            .ok_or_else(|| ErrorBody::new(ErrorCode::AuthSignInRequired))
    }

    /// An error from the service under the current session: a session the
    /// service no longer knows is `auth.session_expired`, and the session
    /// is marked so (its state stays for the sign-in in place).
    pub(crate) fn seen_from_service(&self, e: ErrorBody) -> ErrorBody {
        if matches!(
            e.code,
            ErrorCode::AuthSessionExpired | ErrorCode::AuthTokenInvalid
        ) && lock(&self.session).is_some()
        {
            lock(&self.session_clock).expired = true;
            return ErrorBody::new(ErrorCode::AuthSessionExpired);
        }
        e
    }

    /// Whether changes made offline wait for an online sign-in.
    pub(crate) fn offline_changes_waiting(&self) -> bool {
        let online = lock(&self.session)
            .as_ref()
            .is_some_and(|s| !s.staff.offline && !s.token.is_empty());
        if online && !self.session_expired() {
            return false;
        }
        self.store_if_open()
            .and_then(|s| lock(&s).queued_made_offline().ok())
            .is_some_and(|n| n > 0)
    }
}

#[cfg(test)]
#[path = "staff_tests.rs"]
pub(crate) mod service_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verifier_checks_its_password_only_and_each_has_its_own_salt() {
        let a = make_verifier("demo-clerk-01").unwrap();
        let b = make_verifier("demo-clerk-01").unwrap();
        assert_ne!(a, b, "a new salt each time");
        assert!(a.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{a}");
        assert!(check_verifier("demo-clerk-01", &a));
        assert!(!check_verifier("demo-clerk-02", &a));
        assert!(!check_verifier("demo-clerk-01", "not a phc string"));
    }

    #[test]
    fn the_verifier_is_at_least_as_strong_as_the_services_hash() {
        let service = argon2::Params::default();
        let (m, t, p) = VERIFIER_PARAMS;
        assert!(m >= service.m_cost() && t >= service.t_cost() && p >= service.p_cost());
    }
}
