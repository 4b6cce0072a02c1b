//! Staff accounts, sign-in with argon2id, bearer sessions, lockout, and
//! counter identity by machine key.
//!
//! - Passwords are stored as argon2id PHC strings (default parameters of
//!   the `argon2` crate: m=19 MiB, t=2, p=1).
//! - A session token is 256 random bits (base64url); only its SHA-256 is
//!   stored. It is bound to the counter it was issued at and expires after
//!   the `session_minutes` policy.
//! - After the `max_failed_sign_ins` policy's failed sign-ins in a row
//!   (default [`MAX_FAILURES`]) an account is locked for `lockout_minutes`
//!   (default [`LOCKOUT_SECS`]); the refusal carries the time left
//!   (`retry_after_s`). An unknown staff code costs the same argon2 work
//!   as a known one, so timing does not tell which.
//! - A deactivated account signs in nowhere and its sessions are refused
//!   at once; its staff code reaches counters in the reference data, so
//!   they delete what they keep for it.
//! - Every time comes from the caller (the service's [`crate::util::Clock`]).
//! - A counter's machine key and enrolment code are random secrets stored
//!   as SHA-256 hashes (high-entropy secrets need no slow hash).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use ehr_protocol::wire::{
    ChangePasswordRequest, CounterIdentity, SignInResponse, SignOffRequest, SignOffResponse,
    StaffRole,
};
use ehr_protocol::ErrorCode;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::error::{ApiError, Error, Result};
use crate::reference;
use crate::util::{now_unix, random_bytes, random_code, random_secret, rfc3339, sha256};

/// Failed sign-ins in a row before the account locks (the default of the
/// `max_failed_sign_ins` policy).
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked (the default of the
/// `lockout_minutes` policy).
pub const LOCKOUT_SECS: i64 = 15 * 60;
/// How long an enrolment code is valid.
pub const ENROLMENT_SECS: i64 = 24 * 3600;

/// Hashes a password with argon2id.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|_| Error::Internal("salt encoding"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| Error::Internal("password hashing"))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A fixed hash verified for unknown staff codes, so they cost the same.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not a password").unwrap_or_default())
}

/// The role's wire code.
pub fn role_code(r: StaffRole) -> &'static str {
    match r {
        StaffRole::RegistrationStaff => "registration_staff",
        StaffRole::Supervisor => "supervisor",
    }
}

fn role_from_code(s: &str) -> StaffRole {
    if s == "supervisor" {
        StaffRole::Supervisor
    } else {
        StaffRole::RegistrationStaff
    }
}

/// Whether a staff code has a staff code's shape: 3 to 20 ASCII letters,
/// digits or hyphens.
pub fn valid_staff_code(s: &str) -> bool {
    (3..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Adds a staff account (or resets its password and role).
pub fn add_staff(tx: &Transaction<'_>, code: &str, role: StaffRole, password: &str) -> Result<()> {
    if !valid_staff_code(code) {
        return Err(Error::Usage(
            "a staff code has 3 to 20 letters, digits or hyphens".into(),
        ));
    }
    if password.chars().count() < 10 {
        return Err(Error::Usage("a password has at least 10 characters".into()));
    }
    let hash = hash_password(password)?;
    let was_inactive = tx
        .query_row(
            "SELECT 1 FROM staff WHERE staff_code = ?1 AND active = 0",
            [code],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    tx.execute(
        "INSERT INTO staff (staff_code, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (staff_code) DO UPDATE SET role = excluded.role, \
         password_hash = excluded.password_hash, failed_attempts = 0, locked_until = NULL, active = 1, \
         deactivated_at = NULL, password_changed_at = ?4",
        params![code, role_code(role), hash, now_unix()],
    )?;
    if was_inactive {
        // Counters learn of the reactivation from the reference data.
        reference::bump_version(tx)?;
    }
    Ok(())
}

/// Sets the name shown for a staff member (none clears it).
pub fn set_display_name(tx: &Transaction<'_>, code: &str, name: Option<&str>) -> Result<()> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 100 || n.chars().any(char::is_control)) {
        return Err(Error::Usage(
            "a display name has at most 100 characters".into(),
        ));
    }
    tx.execute(
        "UPDATE staff SET display_name = ?2 WHERE staff_code = ?1",
        params![code, name],
    )?;
    Ok(())
}

/// Deactivates a staff account at `now`: it signs in nowhere from now on,
/// its sessions are ended at once (every counter's), and the reference data
/// lists it so counters delete their offline sign-in verifiers for it at
/// their next reference sync. False if there is no such active account.
pub fn deactivate_staff(tx: &Transaction<'_>, code: &str, now: i64) -> Result<bool> {
    let changed = tx.execute(
        "UPDATE staff SET active = 0, deactivated_at = ?2 WHERE staff_code = ?1 AND active = 1",
        params![code, now],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM sessions WHERE staff_code = ?1", [code])?;
    reference::bump_version(tx)?;
    Ok(true)
}

/// The staff codes of deactivated accounts, sorted.
pub fn deactivated_staff(tx: &Transaction<'_>) -> Result<Vec<String>> {
    let mut stmt =
        tx.prepare_cached("SELECT staff_code FROM staff WHERE active = 0 ORDER BY staff_code")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The lockout rule in force: failures in a row before a lock, and how
/// long the lock lasts in seconds.
fn lockout_rule(tx: &Transaction<'_>) -> Result<(i64, i64)> {
    let p = reference::policies(tx)?;
    Ok((
        i64::from(p.max_failed_sign_ins.max(1)),
        i64::from(p.lockout_minutes.max(1)) * 60,
    ))
}

/// `auth.locked` with the seconds left of the lock.
fn locked(until: i64, now: i64) -> ApiError {
    let left = (until - now).clamp(1, i64::from(u32::MAX));
    ApiError::new(ErrorCode::AuthLocked).retry_after(left as u32)
}

/// Whether `code` is an active supervisor.
pub fn is_supervisor(tx: &Transaction<'_>, code: &str) -> Result<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM staff WHERE staff_code = ?1 AND role = 'supervisor' AND active = 1",
            [code],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A counter, as identified.
#[derive(Debug, Clone)]
pub struct Counter {
    /// Its identity.
    pub identity: CounterIdentity,
    /// Withdrawn (`ehr-central counter revoke`): every request made as this
    /// counter is refused with `counter.revoked`.
    pub revoked: bool,
}

fn counter_by(
    tx: &Transaction<'_>,
    column: &str,
    value: &dyn rusqlite::ToSql,
) -> Result<Option<Counter>> {
    let sql = format!(
        "SELECT counter_id, name, site_code, revoked_at FROM counters \
         WHERE {column} = ?1 AND active = 1"
    );
    let row: Option<(String, String, String, Option<i64>)> = tx
        .query_row(&sql, [value], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((counter_id, name, site_code, revoked_at)) = row else {
        return Ok(None);
    };
    let Some(site) = reference::site(tx, &site_code)? else {
        return Ok(None);
    };
    Ok(Some(Counter {
        identity: CounterIdentity {
            counter_id,
            name,
            site,
        },
        revoked: revoked_at.is_some(),
    }))
}

/// The counter a machine key belongs to.
pub fn counter_by_key(tx: &Transaction<'_>, key: &str) -> Result<Option<Counter>> {
    counter_by(tx, "key_hash", &sha256(key.as_bytes()))
}

/// The counter a client certificate (SHA-256 fingerprint, lower-case hex)
/// belongs to.
pub fn counter_by_certificate(tx: &Transaction<'_>, fingerprint: &str) -> Result<Option<Counter>> {
    counter_by(tx, "cert_fingerprint", &fingerprint)
}

/// A new counter for `site_code`: returns its id and one-time enrolment code.
pub fn create_counter(
    tx: &Transaction<'_>,
    site_code: &str,
    name: &str,
) -> Result<(String, String)> {
    if reference::site(tx, site_code)?.is_none() {
        return Err(Error::Usage(format!("no site with code {site_code}")));
    }
    let counter_id = format!("CTR-{}", random_code(8)?);
    let code = random_code(12)?;
    tx.execute(
        "INSERT INTO counters (counter_id, name, site_code, enrolment_hash, enrolment_expires, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            counter_id,
            name,
            site_code,
            sha256(code.as_bytes()),
            now_unix() + ENROLMENT_SECS,
            now_unix()
        ],
    )?;
    Ok((counter_id, code))
}

/// Sets a counter's machine key directly (demo seeding and `counter enrol
/// --print-key`).
pub fn set_counter_key(tx: &Transaction<'_>, counter_id: &str, key: &str) -> Result<()> {
    tx.execute(
        "UPDATE counters SET key_hash = ?2, enrolment_hash = NULL, enrolment_expires = NULL \
         WHERE counter_id = ?1",
        params![counter_id, sha256(key.as_bytes())],
    )?;
    Ok(())
}

/// Binds a client certificate fingerprint to a counter.
pub fn set_counter_certificate(
    tx: &Transaction<'_>,
    counter_id: &str,
    fingerprint: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE counters SET cert_fingerprint = ?2 WHERE counter_id = ?1",
        params![counter_id, fingerprint.to_ascii_lowercase()],
    )?;
    Ok(())
}

/// Exchanges a one-time enrolment code for a machine key at `now`. A code
/// never issued is `counter.enrolment_code_invalid`, one whose time ran out
/// `counter.enrolment_code_expired`, one used already
/// `counter.enrolment_code_used`, and a code of a revoked counter
/// `counter.revoked`.
pub fn enrol(tx: &Transaction<'_>, code: &str, now: i64) -> Result<(Counter, String), ApiError> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 64 {
        return Err(ErrorCode::CounterEnrolmentCode.into());
    }
    let hash = sha256(code.as_bytes());
    let found: Option<(String, i64, Option<i64>)> = tx
        .query_row(
            "SELECT counter_id, enrolment_expires, revoked_at FROM counters \
             WHERE enrolment_hash = ?1 AND active = 1",
            [&hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((counter_id, expires, revoked_at)) = found else {
        let used = tx
            .query_row(
                "SELECT 1 FROM counters WHERE used_enrolment_hash = ?1",
                [&hash],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        return Err(if used {
            ErrorCode::CounterEnrolmentCodeUsed
        } else {
            ErrorCode::CounterEnrolmentCode
        }
        .into());
    };
    if revoked_at.is_some() {
        return Err(ErrorCode::CounterRevoked.into());
    }
    if expires < now {
        return Err(ErrorCode::CounterEnrolmentCodeExpired.into());
    }
    let key = random_secret()?;
    set_counter_key(tx, &counter_id, &key)?;
    tx.execute(
        "UPDATE counters SET used_enrolment_hash = ?2, enrolled_at = ?3 WHERE counter_id = ?1",
        params![counter_id, hash, now],
    )?;
    let counter = counter_by(tx, "counter_id", &counter_id)?
        .ok_or(ApiError::new(ErrorCode::CounterEnrolmentCode))?;
    Ok((counter, key))
}

/// Withdraws a counter at `now`: from then on its machine key and client
/// certificate are refused with `counter.revoked`, its staff sessions end
/// and its supervisor sign-offs not attached yet can no longer be. Its
/// unused enrolment code goes too. `false` when there is no such counter,
/// or it was revoked already.
pub fn revoke_counter(tx: &Transaction<'_>, counter_id: &str, now: i64) -> Result<bool> {
    let changed = tx.execute(
        "UPDATE counters SET revoked_at = ?2, enrolment_hash = NULL, enrolment_expires = NULL \
         WHERE counter_id = ?1 AND revoked_at IS NULL",
        params![counter_id, now],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM sessions WHERE counter_id = ?1", [counter_id])?;
    tx.execute(
        "UPDATE sign_offs SET attach_by = MIN(attach_by, ?2) \
         WHERE counter_id = ?1 AND first_used_at IS NULL",
        params![counter_id, now],
    )?;
    Ok(true)
}

/// A signed-in staff member at a counter.
#[derive(Debug, Clone)]
pub struct Session {
    /// The staff code.
    pub staff_code: String,
    /// The role.
    pub role: StaffRole,
    /// The counter.
    pub counter: Counter,
}

/// Checks a staff member's own staff code and password at `now`, with the
/// lockout rule. The outer error is a failure of the service; the inner one
/// the refusal (returned as `Ok`, so the transaction commits the failure
/// count). On success, the trimmed staff code and the role.
fn check_credentials(
    tx: &Transaction<'_>,
    counter: &Counter,
    staff_code: &str,
    password: &str,
    now: i64,
) -> Result<Result<(String, StaffRole), ApiError>> {
    if staff_code.trim().is_empty() {
        return Ok(Err(
            ApiError::new(ErrorCode::AuthStaffCodeRequired).on_field("staff_code")
        ));
    }
    if password.is_empty() {
        return Ok(Err(
            ApiError::new(ErrorCode::AuthPasswordRequired).on_field("password")
        ));
    }
    if password.len() > 1024 {
        return Ok(Err(ErrorCode::AuthInvalidCredentials.into()));
    }
    let staff_code = staff_code.trim();
    let row: Option<(String, String, i64, Option<i64>)> = if valid_staff_code(staff_code) {
        tx.query_row(
            "SELECT role, password_hash, failed_attempts, locked_until FROM staff \
             WHERE staff_code = ?1 AND active = 1",
            [staff_code],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
    } else {
        None
    };
    let Some((role, hash, failures, locked_until)) = row else {
        let _ = verify_password(password, dummy_hash());
        return Ok(Err(ErrorCode::AuthInvalidCredentials.into()));
    };
    if let Some(until) = locked_until.filter(|t| *t > now) {
        return Ok(Err(locked(until, now)));
    }
    if !verify_password(password, &hash) {
        let failures = if locked_until.is_some() {
            1
        } else {
            failures + 1
        };
        let (max_failures, lock_secs) = lockout_rule(tx)?;
        let lock = (failures >= max_failures).then_some(now + lock_secs);
        tx.execute(
            "UPDATE staff SET failed_attempts = ?2, locked_until = ?3 WHERE staff_code = ?1",
            params![staff_code, if lock.is_some() { 0 } else { failures }, lock],
        )?;
        tracing::info!(counter = %counter.identity.counter_id, locked = lock.is_some(), "sign-in failed");
        return Ok(Err(match lock {
            Some(until) => locked(until, now),
            None => ErrorCode::AuthInvalidCredentials.into(),
        }));
    }
    tx.execute(
        "UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE staff_code = ?1",
        [staff_code],
    )?;
    Ok(Ok((staff_code.to_owned(), role_from_code(&role))))
}

/// Signs a staff member in at `counter` at `now`. The outer error is a
/// failure of the service; the inner one is the refusal, returned as `Ok`
/// so that the transaction commits the failure count.
pub fn sign_in(
    tx: &Transaction<'_>,
    counter: &Counter,
    staff_code: &str,
    password: &str,
    now: i64,
) -> Result<Result<SignInResponse, ApiError>> {
    let (staff_code, role) = match check_credentials(tx, counter, staff_code, password, now)? {
        Ok(who) => who,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let display_name: Option<String> = tx.query_row(
        "SELECT display_name FROM staff WHERE staff_code = ?1",
        [&staff_code],
        |r| r.get(0),
    )?;
    let minutes = reference::policies(tx)?.session_minutes.max(1);
    let ttl = i64::from(minutes) * 60;
    let token = random_secret()?;
    // Sessions ended a day ago go; a recent one still answers
    // `auth.session_expired` rather than `auth.token_invalid`.
    tx.execute(
        "DELETE FROM sessions WHERE expires_at < ?1",
        [now - 24 * 3600],
    )?;
    tx.execute(
        "INSERT INTO sessions (token_hash, staff_code, counter_id, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            sha256(token.as_bytes()),
            staff_code,
            counter.identity.counter_id,
            now,
            now + ttl
        ],
    )?;
    Ok(Ok(SignInResponse {
        token,
        expires_at: rfc3339(now + ttl),
        expires_in_seconds: ttl as u64,
        staff_code,
        role,
        counter: counter.identity.clone(),
        display_name,
    }))
}

/// The signed-in staff member of `session` changes their own password at
/// `now`: the old one is checked as at sign-in (the lockout counts), the new
/// one must have 10 to 1024 characters and differ from it. The session goes
/// on; counters replace their offline verifier at the next online sign-in.
pub fn change_password(
    tx: &Transaction<'_>,
    session: &Session,
    req: &ChangePasswordRequest,
    now: i64,
) -> Result<Result<(), ApiError>> {
    if req.new_password.is_empty() {
        return Ok(Err(
            ApiError::new(ErrorCode::FieldRequired).on_field("new_password")
        ));
    }
    let n = req.new_password.chars().count();
    if !(10..=1024).contains(&n) || req.new_password == req.old_password {
        return Ok(Err(
            ApiError::new(ErrorCode::FieldFormat).on_field("new_password")
        ));
    }
    let checked = check_credentials(
        tx,
        &session.counter,
        &session.staff_code,
        &req.old_password,
        now,
    )?;
    if let Err(refusal) = checked {
        return Ok(Err(refusal.on_field("old_password")));
    }
    let hash = hash_password(&req.new_password)?;
    tx.execute(
        "UPDATE staff SET password_hash = ?2, password_changed_at = ?3 WHERE staff_code = ?1",
        params![session.staff_code, hash, now],
    )?;
    tracing::info!(counter = %session.counter.identity.counter_id, "password changed");
    Ok(Ok(()))
}

/// How long a counter has to attach a sign-off to an operation. The
/// service accepts an attached sign-off however late the operation syncs.
pub const SIGN_OFF_ATTACH_SECS: i64 = 10 * 60;

/// A supervisor signs off one record's override at the counter of
/// `session`, with their own staff code and password (the lockout rule
/// applies as at sign-in). Returns the token, bound to the counter, the
/// record and the reason; audited with both staff codes. The outer error
/// is a failure of the service; the inner one the refusal.
pub fn sign_off(
    tx: &Transaction<'_>,
    session: &Session,
    req: &SignOffRequest,
    now: i64,
) -> Result<Result<SignOffResponse, ApiError>> {
    let record_ok = !req.record_key.is_empty()
        && req.record_key.len() <= 64
        && req
            .record_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-'));
    if !record_ok {
        return Ok(Err(
            ApiError::new(ErrorCode::FieldFormat).on_field("record_key")
        ));
    }
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Ok(Err(
            ApiError::new(ErrorCode::FieldRequired).on_field("reason")
        ));
    }
    if reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Ok(Err(ApiError::new(ErrorCode::FieldFormat).on_field("reason")));
    }
    let (supervisor, role) =
        match check_credentials(tx, &session.counter, &req.staff_code, &req.password, now)? {
            Ok(who) => who,
            Err(refusal) => return Ok(Err(refusal)),
        };
    if role != StaffRole::Supervisor {
        return Ok(Err(
            ApiError::new(ErrorCode::SupervisorUnknown).on_field("staff_code")
        ));
    }
    if supervisor == session.staff_code {
        return Ok(Err(
            ApiError::new(ErrorCode::SupervisorSelfSignOff).on_field("staff_code")
        ));
    }
    let token = random_secret()?;
    let counter_id = &session.counter.identity.counter_id;
    tx.execute(
        "INSERT INTO sign_offs (token_hash, counter_id, record_key, reason, supervisor, asked_by, issued_at, attach_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            sha256(token.as_bytes()),
            counter_id,
            req.record_key,
            reason,
            supervisor,
            session.staff_code,
            now,
            now + SIGN_OFF_ATTACH_SECS
        ],
    )?;
    audit_sign_off(
        tx,
        counter_id,
        &supervisor,
        &session.staff_code,
        "supervisor.sign_off_given",
        &req.record_key,
    )?;
    Ok(Ok(SignOffResponse {
        token,
        supervisor,
        attach_by: rfc3339(now + SIGN_OFF_ATTACH_SECS),
        attach_within_seconds: SIGN_OFF_ATTACH_SECS as u64,
    }))
}

fn audit_sign_off(
    tx: &Transaction<'_>,
    counter_id: &str,
    supervisor: &str,
    clerk: &str,
    action: &str,
    record_key: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_events (counter_id, staff_code, at, action, subject, received_at, sent_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            counter_id,
            supervisor,
            rfc3339(now_unix()),
            action,
            record_key,
            now_unix(),
            clerk
        ],
    )?;
    Ok(())
}

/// A verified sign-off: who gave it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignOff {
    /// The supervisor's staff code.
    pub supervisor: String,
    /// The reason they signed off.
    pub reason: String,
}

/// The sign-off `token` names, if this service issued it to `counter_id`
/// for `record_key` and it was not used yet. It is used up here: one
/// sign-off, one operation. (The caller runs inside the operation's
/// savepoint, so an operation refused after this check rolls the use back,
/// and a retry under the same idempotency key is answered before it gets
/// here.) Its attach-by time is the counter's to keep: an operation that
/// carries it is accepted however late it syncs. The use is audited with
/// the supervisor's staff code and the staff code of the clerk who asked.
pub fn verify_sign_off(
    tx: &Transaction<'_>,
    counter_id: &str,
    record_key: &str,
    token: &str,
) -> Result<Option<VerifiedSignOff>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let hash = sha256(token.as_bytes());
    let row: Option<(String, String, String)> = tx
        .query_row(
            "SELECT supervisor, reason, asked_by FROM sign_offs \
             WHERE token_hash = ?1 AND counter_id = ?2 AND record_key = ?3 \
             AND first_used_at IS NULL",
            params![hash, counter_id, record_key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((supervisor, reason, asked_by)) = row else {
        return Ok(None);
    };
    let used = tx.execute(
        "UPDATE sign_offs SET first_used_at = ?2 WHERE token_hash = ?1 AND first_used_at IS NULL",
        params![hash, now_unix()],
    )?;
    if used != 1 {
        return Ok(None);
    }
    audit_sign_off(
        tx,
        counter_id,
        &supervisor,
        &asked_by,
        "supervisor.sign_off_used",
        record_key,
    )?;
    Ok(Some(VerifiedSignOff { supervisor, reason }))
}

/// Ends a session.
pub fn sign_out(tx: &Transaction<'_>, token: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM sessions WHERE token_hash = ?1",
        [sha256(token.as_bytes())],
    )?;
    Ok(())
}

/// The session a token belongs to at `now`, checked against the counter it
/// was sent from. A session of this counter whose time ran out is
/// `auth.session_expired` (the clerk signs in again and carries on); any
/// other token, a deactivated account's included, is `auth.token_invalid`.
pub fn session(
    tx: &Transaction<'_>,
    counter: &Counter,
    token: &str,
    now: i64,
) -> Result<Session, ApiError> {
    let row: Option<(String, String, i64, String)> = tx
        .query_row(
            "SELECT s.staff_code, s.counter_id, s.expires_at, st.role FROM sessions s \
             JOIN staff st ON st.staff_code = s.staff_code AND st.active = 1 \
             WHERE s.token_hash = ?1",
            [sha256(token.as_bytes())],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    match row {
        Some((staff_code, counter_id, expires, role))
            if counter_id == counter.identity.counter_id =>
        {
            if expires <= now {
                return Err(ErrorCode::AuthSessionExpired.into());
            }
            Ok(Session {
                staff_code,
                role: role_from_code(&role),
                counter: counter.clone(),
            })
        }
        _ => Err(ErrorCode::AuthTokenInvalid.into()),
    }
}
