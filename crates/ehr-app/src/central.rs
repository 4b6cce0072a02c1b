//! The counter's client of the central registration service, for what has
//! to be online: staff sign-in. (The outbox's sync driver joins it later.)
//!
//! Every request carries the counter's machine key (`X-Counter-Key`); the
//! key comes from `EHR_COUNTER_KEY` or the file `counter.key` in the data
//! folder. Errors are the service's own stable codes, or
//! `central.unreachable` / `central.bad_answer`; the password and the token
//! never appear in an error or a log.

use std::time::Duration;

use ehr_protocol::ipc::{SignInRequest, StaffRole, StaffSession};
use ehr_protocol::wire::auth::{
    SignInRequest as WireSignIn, SignInResponse, StaffRole as WireRole,
};
use ehr_protocol::{ErrorBody, ErrorCode};

use crate::config::Config;

/// The file in the data folder that holds the machine key.
pub const COUNTER_KEY_FILE: &str = "counter.key";
/// Environment variable holding the machine key (takes precedence over the file).
pub const ENV_COUNTER_KEY: &str = "EHR_COUNTER_KEY";

/// A signed-in session: what the UI sees, and the token it never sees.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) staff: StaffSession,
    pub(crate) token: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("staff", &self.staff)
            .finish_non_exhaustive()
    }
}

pub(crate) fn counter_key(config: &Config) -> Option<String> {
    std::env::var(ENV_COUNTER_KEY)
        .ok()
        .or_else(|| std::fs::read_to_string(config.data_dir.join(COUNTER_KEY_FILE)).ok())
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
}

/// rustls's process-wide crypto provider: ring (no aws-lc build). Every
/// client builder calls this first; later calls do nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn client() -> Result<reqwest::blocking::Client, ErrorBody> {
    install_tls_provider();
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))
}

/// Sign in at the central service at `base`.
///
/// The blocking client runs on a thread of its own, so this may be called
/// from any context, an async runtime's worker included (where reqwest's
/// blocking client would otherwise refuse to run).
pub(crate) fn sign_in(
    config: &Config,
    base: &str,
    req: &SignInRequest,
) -> Result<Session, ErrorBody> {
    let (config, base, req) = (config.clone(), base.to_owned(), req.clone());
    std::thread::Builder::new()
        .name("central-sign-in".into())
        .spawn(move || sign_in_blocking(&config, &base, &req))
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))?
        .join()
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))?
}

fn sign_in_blocking(
    config: &Config,
    base: &str,
    req: &SignInRequest,
) -> Result<Session, ErrorBody> {
    let key = counter_key(config).ok_or_else(|| ErrorBody::new(ErrorCode::CounterNotEnrolled))?;
    let url = format!("{}/v1/auth/sign-in", base.trim_end_matches('/'));
    let body = WireSignIn {
        staff_code: req.staff_code.trim().to_owned(),
        password: req.password.clone(),
    };
    let resp = client()?
        .post(url)
        .header("X-Counter-Key", key)
        .json(&body)
        .send()
        .map_err(|_| ErrorBody::new(ErrorCode::CentralUnreachable))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .map_err(|_| ErrorBody::new(ErrorCode::CentralUnreachable))?;
    if status.is_success() {
        let ok: SignInResponse = serde_json::from_slice(&bytes)
            .map_err(|_| ErrorBody::new(ErrorCode::CentralBadAnswer))?;
        return Ok(Session {
            staff: StaffSession {
                staff_code: ok.staff_code,
                role: match ok.role {
                    WireRole::RegistrationStaff => StaffRole::RegistrationStaff,
                    WireRole::Supervisor => StaffRole::Supervisor,
                },
            },
            token: ok.token,
        });
    }
    // The service's own error, with our catalogue's messages (the wire's
    // text is not trusted to be fit for the clerk).
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(e) => {
            let mut out = ErrorBody::new(e.code);
            out.field = e.field;
            Err(out)
        }
        Err(_) if status.is_server_error() => Err(ErrorBody::new(ErrorCode::CentralUnreachable)),
        Err(_) => Err(ErrorBody::new(ErrorCode::CentralBadAnswer)),
    }
}
