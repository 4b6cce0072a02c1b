//! The counter's client of the central registration service, for what has
//! to be online: staff sign-in. (The outbox's sync driver joins it later.)
//!
//! Every request carries the counter's machine key (`X-Counter-Key`), or
//! goes with its client certificate (`EHR_COUNTER_CLIENT_CERT`); the
//! key comes from `EHR_COUNTER_KEY` or the file `counter.key` in the data
//! folder, which must be private to the counter's account (mode 0600, else
//! `counter.key_permissions`). The address must be HTTPS, or plain HTTP to
//! loopback only ([`crate::config::check_central_url`]). Proxies set in the
//! environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) are
//! used, except for a loopback address. Errors are the service's own stable
//! codes, or `central.unreachable` / `central.bad_answer`; the password and
//! the token never appear in an error or a log.

use std::path::Path;
use std::time::Duration;

use ehr_protocol::ipc::{SignInRequest, StaffRole, StaffSession};
use ehr_protocol::wire::auth::{
    SignInRequest as WireSignIn, SignInResponse, SignOffRequest, SignOffResponse,
    StaffRole as WireRole,
};
use ehr_protocol::{ErrorBody, ErrorCode};

use crate::config::{check_central_url, CentralUrl, Config};

/// The file in the data folder that holds the machine key.
pub const COUNTER_KEY_FILE: &str = "counter.key";
/// Environment variable holding the machine key (takes precedence over the file).
pub const ENV_COUNTER_KEY: &str = "EHR_COUNTER_KEY";

/// A signed-in session: what the UI sees, and the token it never sees.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) staff: StaffSession,
    /// The bearer token; empty for an offline session (nothing is sent).
    pub(crate) token: String,
    /// How long the service gave the session, in seconds from sign-in (an
    /// offline session: the session policy).
    pub(crate) expires_in_s: u64,
    /// The counter the service bound the session to (its audit events
    /// name it); `None` when not told.
    pub(crate) counter_id: Option<String>,
    /// The site the service says this counter serves (online sign-ins).
    pub(crate) site: Option<ehr_protocol::wire::Site>,
}

impl Session {
    /// An offline session: no token, so nothing is sent under it.
    pub(crate) fn offline(staff: StaffSession, expires_in_s: u64) -> Session {
        Session {
            staff,
            token: String::new(),
            expires_in_s,
            counter_id: None,
            site: None,
        }
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("staff", &self.staff)
            .finish_non_exhaustive()
    }
}

/// This counter's machine key: `EHR_COUNTER_KEY`, else the file
/// `counter.key` in the data folder; `None` if neither holds one. A key file
/// that other accounts may read is refused (`counter.key_permissions`).
pub(crate) fn counter_key(config: &Config) -> Result<Option<String>, ErrorBody> {
    let from_env = std::env::var(ENV_COUNTER_KEY)
        .ok()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty());
    match from_env {
        Some(k) => Ok(Some(k)),
        // Else the file, else the keyring when the enrolment put it there.
        None => match read_key_file(&config.data_dir.join(COUNTER_KEY_FILE))? {
            Some(k) => Ok(Some(k)),
            None => Ok(crate::enrolment::keyring_key(config)),
        },
    }
}

/// Read a machine key file: `None` if there is none (or it is empty);
/// refused unless only its owner may read or write it (mode 0600 or 0400).
fn read_key_file(path: &Path) -> Result<Option<String>, ErrorBody> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err(ErrorBody::new(ErrorCode::CounterKeyPermissions)),
    };
    // The mode of the file opened, not of whatever is at the path later.
    let meta = file
        .metadata()
        .map_err(|_| ErrorBody::new(ErrorCode::CounterKeyPermissions))?;
    if !meta.is_file() || !private_mode(&meta) {
        return Err(ErrorBody::new(ErrorCode::CounterKeyPermissions));
    }
    let mut key = String::new();
    file.read_to_string(&mut key)
        .map_err(|_| ErrorBody::new(ErrorCode::CounterKeyPermissions))?;
    let key = key.trim();
    Ok((!key.is_empty()).then(|| key.to_owned()))
}

#[cfg(unix)]
fn private_mode(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 == 0
}

#[cfg(not(unix))]
fn private_mode(_: &std::fs::Metadata) -> bool {
    true
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

fn client(config: &Config, url: &CentralUrl) -> Result<reqwest::blocking::Client, ErrorBody> {
    let tls = tls_material(
        config.client_identity.as_deref(),
        config.central_ca.as_deref(),
    )?;
    let mut b = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15));
    // Proxies from the environment apply, but never to this computer.
    if url.loopback {
        b = b.no_proxy();
    }
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
    off_thread("central-sign-in", move || {
        sign_in_blocking(&config, &base, &req)
    })
}

/// Run `f` on a thread of its own (reqwest's blocking client refuses to run
/// on an async runtime's worker) and wait for it.
fn off_thread<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> Result<T, ErrorBody> + Send + 'static,
) -> Result<T, ErrorBody> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))?
        .join()
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))?
}

/// Send `post` as this counter (its machine key, when it has one); the
/// status and the body, or `central.unreachable`.
fn send_as_counter(
    post: reqwest::blocking::RequestBuilder,
    key: Option<String>,
) -> Result<(reqwest::StatusCode, Vec<u8>), ErrorBody> {
    let post = match key {
        Some(key) => post.header("X-Counter-Key", key),
        None => post,
    };
    // Refused, not found (DNS), TLS and timeouts each have their own code.
    let resp = post
        .send()
        .map_err(|e| ErrorBody::new(crate::net::classify(&e)))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .map_err(|_| ErrorBody::new(ErrorCode::CentralUnreachable))?;
    Ok((status, bytes.to_vec()))
}

fn sign_in_blocking(
    config: &Config,
    base: &str,
    req: &SignInRequest,
) -> Result<Session, ErrorBody> {
    let central = check_central_url(base)?;
    // A counter is known by its machine key, or by its client certificate.
    let key = counter_key(config)?;
    if key.is_none() && config.client_identity.is_none() {
        return Err(ErrorBody::new(ErrorCode::CounterNotEnrolled));
    }
    let url = format!("{}/v1/auth/sign-in", central.base);
    let body = WireSignIn {
        staff_code: req.staff_code.trim().to_owned(),
        password: req.password.clone(),
    };
    let (status, bytes) = send_as_counter(client(config, &central)?.post(url).json(&body), key)?;
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
                display_name: ok.display_name,
                offline: false,
            },
            token: ok.token,
            expires_in_s: ok.expires_in_seconds,
            counter_id: Some(ok.counter.counter_id),
            site: Some(ok.counter.site),
        });
    }
    Err(refusal(status, &bytes))
}

/// The service's own error, with our catalogue's messages (the wire's text
/// is not trusted to be fit for the clerk).
fn refusal(status: reqwest::StatusCode, bytes: &[u8]) -> ErrorBody {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(e) => {
            let mut out = ErrorBody::new(e.code);
            out.field = e.field;
            out.retry_after_s = e.retry_after_s;
            out
        }
        Err(_) if status.is_server_error() => ErrorBody::new(ErrorCode::CentralUnreachable),
        Err(_) => ErrorBody::new(ErrorCode::CentralBadAnswer),
    }
}

/// A supervisor's sign-off, verified by the service at `base`, asked for
/// under the signed-in clerk's session `token`. Online only: offline, the
/// override waits (the offline half comes with the working frame's offline
/// sign-in).
pub(crate) fn sign_off(
    config: &Config,
    base: &str,
    token: &str,
    req: &SignOffRequest,
) -> Result<SignOffResponse, ErrorBody> {
    let (config, base, token, req) = (
        config.clone(),
        base.to_owned(),
        token.to_owned(),
        req.clone(),
    );
    off_thread("central-sign-off", move || {
        let central = check_central_url(&base)?;
        let url = format!("{}/v1/auth/sign-off", central.base);
        let post = client(&config, &central)?
            .post(url)
            .bearer_auth(token)
            .json(&req);
        let (status, bytes) = send_as_counter(post, counter_key(&config)?)?;
        answer(status, &bytes)
    })
}

/// The service's answer: the JSON body of a success, else its refusal.
fn answer<T: serde::de::DeserializeOwned>(
    status: reqwest::StatusCode,
    bytes: &[u8],
) -> Result<T, ErrorBody> {
    if status.is_success() {
        serde_json::from_slice(bytes).map_err(|_| ErrorBody::new(ErrorCode::CentralBadAnswer))
    } else {
        Err(refusal(status, bytes))
    }
}

/// `GET /v1/reference` at the service at `base`, under the session `token`.
pub(crate) fn get_reference(
    config: &Config,
    base: &str,
    token: &str,
) -> Result<ehr_protocol::wire::ReferenceData, ErrorBody> {
    let (config, base, token) = (config.clone(), base.to_owned(), token.to_owned());
    off_thread("central-reference", move || {
        let central = check_central_url(&base)?;
        let url = format!("{}/v1/reference", central.base);
        let get = client(&config, &central)?.get(url).bearer_auth(token);
        let (status, bytes) = send_as_counter(get, counter_key(&config)?)?;
        answer(status, &bytes)
    })
}

/// `POST` `body` as JSON to `path` (under `/v1`) at the service at `base`,
/// under the session `token`; the answer's JSON. The search goes in the
/// body, never in the URL.
pub(crate) fn post_json<B, T>(
    config: &Config,
    base: &str,
    token: &str,
    path: &'static str,
    body: B,
) -> Result<T, ErrorBody>
where
    B: serde::Serialize + Send + 'static,
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let (config, base, token) = (config.clone(), base.to_owned(), token.to_owned());
    off_thread("central-post", move || {
        let central = check_central_url(&base)?;
        let url = format!("{}/v1/{path}", central.base);
        let post = client(&config, &central)?
            .post(url)
            .bearer_auth(token)
            .json(&body);
        let (status, bytes) = send_as_counter(post, counter_key(&config)?)?;
        answer(status, &bytes)
    })
}

/// `GET` `path` (under `/v1`, a fixed path with no personal data) at the
/// service at `base`, under the session `token`; the answer's JSON.
pub(crate) fn get_json<T>(
    config: &Config,
    base: &str,
    token: &str,
    path: &str,
) -> Result<T, ErrorBody>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let (config, base, token) = (config.clone(), base.to_owned(), token.to_owned());
    let path = path.to_owned();
    off_thread("central-get", move || {
        let central = check_central_url(&base)?;
        let url = format!("{}/v1/{path}", central.base);
        let get = client(&config, &central)?.get(url).bearer_auth(token);
        let (status, bytes) = send_as_counter(get, counter_key(&config)?)?;
        answer(status, &bytes)
    })
}

/// `GET` `/v1/applications/{reference}` at the service at `base`.
pub(crate) fn get_application(
    config: &Config,
    base: &str,
    token: &str,
    reference: &str,
) -> Result<ehr_protocol::wire::ApplicationDetail, ErrorBody> {
    // A reference is letters, digits and hyphens: anything else is not one
    // (and never goes into a URL).
    if reference.is_empty()
        || reference.len() > 64
        || !reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(ErrorBody::new(ErrorCode::ApplicationNotFound).on_field("reference"));
    }
    let (config, base, token, reference) = (
        config.clone(),
        base.to_owned(),
        token.to_owned(),
        reference.to_owned(),
    );
    off_thread("central-application", move || {
        let central = check_central_url(&base)?;
        let url = format!("{}/v1/applications/{reference}", central.base);
        let get = client(&config, &central)?.get(url).bearer_auth(token);
        let (status, bytes) = send_as_counter(get, counter_key(&config)?)?;
        answer(status, &bytes)
    })
}

/// `POST /v1/auth/password` at the service at `base`: the signed-in staff
/// member of `token` changes their own password.
pub(crate) fn change_password(
    config: &Config,
    base: &str,
    token: &str,
    req: &ehr_protocol::wire::ChangePasswordRequest,
) -> Result<(), ErrorBody> {
    let (config, base, token, req) = (
        config.clone(),
        base.to_owned(),
        token.to_owned(),
        req.clone(),
    );
    off_thread("central-password", move || {
        let central = check_central_url(&base)?;
        let url = format!("{}/v1/auth/password", central.base);
        let post = client(&config, &central)?
            .post(url)
            .bearer_auth(token)
            .json(&req);
        let (status, bytes) = send_as_counter(post, counter_key(&config)?)?;
        if status.is_success() {
            Ok(())
        } else {
            Err(refusal(status, &bytes))
        }
    })
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

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("ehr-central-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[cfg(unix)]
    #[test]
    fn the_machine_key_file_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("key");
        let path = dir.join(COUNTER_KEY_FILE);
        assert_eq!(read_key_file(&path), Ok(None), "no file, no key");
        std::fs::write(&path, "mk-secret-key\n").unwrap();
        for (mode, ok) in [
            (0o644, false),
            (0o640, false),
            (0o604, false),
            (0o600, true),
            (0o400, true),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let got = read_key_file(&path);
            if ok {
                assert_eq!(got, Ok(Some("mk-secret-key".to_owned())), "{mode:o}");
            } else {
                let e = got.unwrap_err();
                assert_eq!(e.code, ErrorCode::CounterKeyPermissions, "{mode:o}");
                assert!(!format!("{e:?}").contains("mk-secret"));
            }
        }
        // Not a file: refused too.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert_eq!(
            read_key_file(&path).map_err(|e| e.code),
            Err(ErrorCode::CounterKeyPermissions)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sign_in_refuses_plain_http_and_garbage_before_sending_anything() {
        let cfg = Config::from_lookup(|_| None);
        let req = SignInRequest {
            staff_code: "clerk01".into(),
            password: "pw".into(),
        };
        for (url, code) in [
            ("http://central.example", ErrorCode::CentralInsecureUrl),
            ("central.example", ErrorCode::CentralUrlInvalid),
        ] {
            let e = sign_in(&cfg, url, &req).unwrap_err();
            assert_eq!(e.code, code, "{url}");
        }
    }

    /// A one-request HTTP server on loopback: answers `status` and returns
    /// the request line it got.
    fn one_shot(status: &'static str) -> (u16, std::thread::JoinHandle<String>) {
        use std::io::{BufRead, BufReader, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            r.read_line(&mut first).unwrap();
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut s = s;
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            first
        });
        (port, t)
    }

    /// Proxies from the environment are used for the central service, and
    /// never for loopback. Runs in a child process of this test binary, so
    /// the proxy variables reach no other test.
    #[test]
    fn environment_proxies_apply_except_to_loopback() {
        const CHILD: &str = "EHR_TEST_PROXY_CHILD";
        if std::env::var_os(CHILD).is_none() {
            // The proxy: it sees the CONNECT of a request to a remote host.
            let (proxy_port, proxy) = one_shot("403 Forbidden");
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "central::tests::environment_proxies_apply_except_to_loopback",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, "1")
                .env("HTTPS_PROXY", format!("http://127.0.0.1:{proxy_port}"))
                .env("HTTP_PROXY", format!("http://127.0.0.1:{proxy_port}"))
                .env("ALL_PROXY", format!("http://127.0.0.1:{proxy_port}"))
                .env_remove("NO_PROXY")
                .env_remove("no_proxy")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let seen = proxy.join().unwrap();
            assert!(
                seen.starts_with("CONNECT central.invalid:443 "),
                "the proxy saw {seen:?}"
            );
            return;
        }
        let cfg = Config::from_lookup(|_| None);
        // Loopback: straight to the service, though every proxy variable is set.
        let (port, service) = one_shot("204 No Content");
        let local = check_central_url(&format!("http://127.0.0.1:{port}")).unwrap();
        let resp = client(&cfg, &local)
            .unwrap()
            .get(format!("{}/v1/ping", local.base))
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 204);
        assert!(service.join().unwrap().starts_with("GET /v1/ping "));
        // Elsewhere: through the proxy (which refuses the tunnel).
        let remote = check_central_url("https://central.invalid").unwrap();
        let err = client(&cfg, &remote)
            .unwrap()
            .get(format!("{}/v1/ping", remote.base))
            .send();
        assert!(err.is_err());
    }
}
