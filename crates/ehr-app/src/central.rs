//! The counter's client of the central registration service, for what has
//! to be online: staff sign-in. (The outbox's sync driver joins it later.)
//!
//! Every request carries the counter's machine key (`X-Counter-Key`), or
//! goes with its client certificate (`EHR_COUNTER_CLIENT_CERT`); the
//! key comes from `EHR_COUNTER_KEY` or the file `counter.key` in the data
//! folder. Errors are the service's own stable codes, or
//! `central.unreachable` / `central.bad_answer`; the password and the token
//! never appear in an error or a log.

use std::path::Path;
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

/// This counter's TLS material: its client certificate and key, and the
/// CA of the central service's certificate (else the system's roots).
#[derive(Clone, Default)]
pub(crate) struct TlsMaterial {
    pub(crate) identity: Option<reqwest::Identity>,
    pub(crate) ca: Option<reqwest::Certificate>,
}

/// Read the PEM files the configuration names; any that cannot be read or
/// parsed is `central.client_setup` (the file names are not in the error).
pub(crate) fn tls_material(
    identity: Option<&Path>,
    ca: Option<&Path>,
) -> Result<TlsMaterial, ErrorBody> {
    install_tls_provider();
    let setup = |_| ErrorBody::new(ErrorCode::CentralClientSetup);
    let identity = identity
        .map(|p| {
            let pem = std::fs::read(p).map_err(setup)?;
            reqwest::Identity::from_pem(&pem)
                .map_err(|_| ErrorBody::new(ErrorCode::CentralClientSetup))
        })
        .transpose()?;
    let ca = ca
        .map(|p| {
            let pem = std::fs::read(p).map_err(setup)?;
            // reqwest takes any text here; a CA file must hold a certificate.
            use rustls::pki_types::{pem::PemObject, CertificateDer};
            if !CertificateDer::pem_slice_iter(&pem).any(|c| c.is_ok()) {
                return Err(ErrorBody::new(ErrorCode::CentralClientSetup));
            }
            reqwest::Certificate::from_pem(&pem)
                .map_err(|_| ErrorBody::new(ErrorCode::CentralClientSetup))
        })
        .transpose()?;
    Ok(TlsMaterial { identity, ca })
}

fn client(config: &Config) -> Result<reqwest::blocking::Client, ErrorBody> {
    let tls = tls_material(
        config.client_identity.as_deref(),
        config.central_ca.as_deref(),
    )?;
    let mut b = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .no_proxy();
    if let Some(i) = tls.identity {
        b = b.identity(i);
    }
    if let Some(ca) = tls.ca {
        b = b.tls_certs_only([ca]);
    }
    b.build()
        .map_err(|_| ErrorBody::new(ErrorCode::CentralClientSetup))
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
    // A counter is known by its machine key, or by its client certificate.
    let key = counter_key(config);
    if key.is_none() && config.client_identity.is_none() {
        return Err(ErrorBody::new(ErrorCode::CounterNotEnrolled));
    }
    let url = format!("{}/v1/auth/sign-in", base.trim_end_matches('/'));
    let body = WireSignIn {
        staff_code: req.staff_code.trim().to_owned(),
        password: req.password.clone(),
    };
    let mut post = client(config)?.post(url).json(&body);
    if let Some(key) = key {
        post = post.header("X-Counter-Key", key);
    }
    let resp = post
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_or_junk_pem_files_are_a_setup_error() {
        let dir = std::env::temp_dir().join(format!("ehr-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        for (identity, ca) in [
            (None, Some(junk.as_path())),
            (Some(junk.as_path()), None),
            (None, Some(dir.join("missing.pem").as_path())),
        ] {
            let e = tls_material(identity, ca).err().map(|e| e.code);
            assert_eq!(e, Some(ErrorCode::CentralClientSetup));
        }
        assert!(tls_material(None, None).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
