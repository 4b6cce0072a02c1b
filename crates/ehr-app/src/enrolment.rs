//! Enrolment: the counter exchanges a one-time enrolment code for its
//! machine key at the central service (`POST /v1/counters/enrol`), and keeps
//!
//! - the machine key where the store key is kept: the OS keyring when this
//!   session has one and `EHR_COUNTER_KEYRING` is not `off` (entry
//!   `counter:<data folder>` of service `ehr-counter`), else the file
//!   `counter.key` in the data folder (mode 0600). It is never shown, never
//!   logged, and no `Debug` here holds it;
//! - the address it was enrolled against and who it is (counter id and
//!   name, site code, name and type) in `enrolment.json` (mode 0600).
//!
//! `counter.revoked` in the data folder records that the service revoked
//! this counter (`counter.revoked` from any call); enrolling again removes
//! it.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use ehr_protocol::ipc::{
    CentralUrlSource, CounterSite, CounterSiteType, EnrolCounterRequest, EnrolmentView,
};
use ehr_protocol::wire::reference::{Site, SiteType};
use ehr_protocol::wire::{EnrolRequest, EnrolResponse};
use ehr_protocol::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use crate::central::{COUNTER_KEY_FILE, ENV_COUNTER_KEY};
use crate::config::{check_central_url, Config};
use crate::net;

/// The file in the data folder that records the enrolment.
pub const ENROLMENT_FILE: &str = "enrolment.json";
/// The file in the data folder that records that the service revoked this
/// counter.
pub const REVOKED_FILE: &str = "counter.revoked";
/// The keyring entry's kind for the machine key (`counter:<data folder>`).
const KEYRING_KIND: &str = "counter";

/// Where the machine key of an enrolment is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPlace {
    /// The OS keyring.
    Keyring,
    /// `counter.key` in the data folder, mode 0600.
    File,
}

/// What `enrolment.json` holds. No secret: the machine key is elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The file's format (1).
    pub format: u32,
    /// The central service's address the counter was enrolled against.
    pub central_url: String,
    /// The counter's id at the service.
    pub counter_id: String,
    /// The counter's name at the service.
    pub counter_name: String,
    /// The site the counter is enrolled to.
    pub site: Site,
    /// Where the machine key is.
    pub key: KeyPlace,
    /// When (Unix milliseconds).
    pub enrolled_at_ms: i64,
    /// Whether the counter was enrolled in training mode (absent in files
    /// written before this was recorded: then nothing is compared).
    /// Training and real registrations never share a data folder: see
    /// [`mode_mismatch`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<bool>,
}

/// Whether the data folder was enrolled in the other mode than the app runs
/// in: a training counter's folder under a production app, or a production
/// counter's under the training launcher. Such a folder is not synced and
/// nobody signs in on it (`counter.mode_mismatch`): a training app would
/// otherwise send a production queue to the training service, and a
/// production app demo registrations to the real one.
pub fn mode_mismatch(config: &Config) -> bool {
    read(&config.data_dir)
        .and_then(|e| e.training)
        .is_some_and(|t| t != config.training_mode)
}

/// The enrolment recorded in the data folder `dir`, if any (a file that
/// cannot be read or parsed counts as none).
pub fn read(dir: &Path) -> Option<Enrolment> {
    let bytes = std::fs::read(dir.join(ENROLMENT_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether the service revoked this counter (as last heard).
pub fn is_revoked(dir: &Path) -> bool {
    dir.join(REVOKED_FILE).exists()
}

/// Record that the service revoked this counter (best effort: the app
/// also keeps it in memory).
pub(crate) fn mark_revoked(dir: &Path) {
    let at = crate::sync::unix_ms().to_string();
    let _ = write_private(dir, REVOKED_FILE, at.as_bytes());
}

/// The machine key from the keyring, when the enrolment put it there.
pub(crate) fn keyring_key(config: &Config) -> Option<String> {
    let e = read(&config.data_dir)?;
    if e.key != KeyPlace::Keyring {
        return None;
    }
    ehr_store::key::secret_from_keyring(&config.data_dir, KEYRING_KIND)
}

/// Whether this counter has a way to say who it is: a machine key (the
/// environment, `counter.key`, or an enrolment that put it in the
/// keyring) or a client certificate. Reads no keyring (it may be slow).
pub(crate) fn has_identity(config: &Config, enrolment: Option<&Enrolment>) -> bool {
    std::env::var(ENV_COUNTER_KEY).is_ok_and(|k| !k.trim().is_empty())
        || config.data_dir.join(COUNTER_KEY_FILE).is_file()
        || enrolment.is_some_and(|e| e.key == KeyPlace::Keyring)
        || config.client_identity.is_some()
}

/// What the first-run screen and the status bar show.
pub(crate) fn view(config: &Config, revoked: bool) -> EnrolmentView {
    let e = read(&config.data_dir);
    EnrolmentView {
        enrolled: has_identity(config, e.as_ref()),
        central_url: config.central_url.clone(),
        central_url_source: if config.central_url.is_some() {
            config.central_source
        } else {
            CentralUrlSource::None
        },
        counter_id: e.as_ref().map(|e| e.counter_id.clone()),
        counter_name: e.as_ref().map(|e| e.counter_name.clone()),
        site: e.map(|e| site_view(&e.site)),
        revoked: revoked || is_revoked(&config.data_dir),
        mode_mismatch: mode_mismatch(config),
    }
}

pub(crate) fn site_view(s: &Site) -> CounterSite {
    CounterSite {
        code: s.code.clone(),
        site_type: match s.site_type {
            SiteType::RegistrationCentre => CounterSiteType::RegistrationCentre,
            SiteType::RegistrationOffice => CounterSiteType::RegistrationOffice,
            SiteType::PrivateProviderCentre => CounterSiteType::PrivateProviderCentre,
            SiteType::BirthHospital => CounterSiteType::BirthHospital,
            SiteType::MaternalChildHealthCentre => CounterSiteType::MaternalChildHealthCentre,
        },
        name_en: s.name_en.clone(),
        name_zh: s.name_zh.clone(),
    }
}

/// Environment variable with the one-time enrolment code the launcher of
/// the embedded training service minted for this counter (training mode).
pub const ENV_TRAINING_ENROLMENT_CODE: &str = "EHR_TRAINING_ENROLMENT_CODE";

/// In training mode, enrol at the embedded service (the address in force)
/// with the code its launcher minted (`EHR_TRAINING_ENROLMENT_CODE`),
/// unless the counter has a machine key already: the clerk is never asked
/// for a code. `None` when there was nothing to do.
pub(crate) fn enrol_for_training(config: &Config) -> Result<Option<Enrolment>, ErrorBody> {
    if !config.training_mode || has_identity(config, read(&config.data_dir).as_ref()) {
        return Ok(None);
    }
    let code = std::env::var(ENV_TRAINING_ENROLMENT_CODE)
        .ok()
        .filter(|c| !c.trim().is_empty());
    let (Some(code), Some(url)) = (code, config.central_url.clone()) else {
        return Ok(None);
    };
    enrol(
        config,
        &EnrolCounterRequest {
            central_url: url,
            enrolment_code: code,
        },
    )
    .map(Some)
}

/// Enrol at the service `req.central_url` with `req.enrolment_code`, on a
/// thread of its own (reqwest's blocking client refuses to run on an async
/// runtime's worker), and keep what comes back.
pub(crate) fn enrol(config: &Config, req: &EnrolCounterRequest) -> Result<Enrolment, ErrorBody> {
    let (config, req) = (config.clone(), req.clone());
    std::thread::Builder::new()
        .name("central-enrol".into())
        .spawn(move || enrol_blocking(&config, &req))
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))?
        .join()
        .map_err(|_| ErrorBody::new(ErrorCode::Internal))?
}

fn enrol_blocking(config: &Config, req: &EnrolCounterRequest) -> Result<Enrolment, ErrorBody> {
    let central = check_central_url(&req.central_url).map_err(|e| e.on_field("central_url"))?;
    let code = req.enrolment_code.trim();
    if code.is_empty() || code.len() > 64 {
        return Err(ErrorBody::new(ErrorCode::CounterEnrolmentCode).on_field("enrolment_code"));
    }
    let dir = &config.data_dir;
    create_private_dir(dir).map_err(|_| ErrorBody::new(ErrorCode::StorageDataDir))?;

    let tls = crate::central::tls_material(
        config.client_identity.as_deref(),
        config.central_ca.as_deref(),
    )?;
    let mut b = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15));
    if central.loopback {
        b = b.no_proxy();
    }
    if let Some(i) = tls.identity {
        b = b.identity(i);
    }
    if let Some(ca) = tls.ca {
        b = b.tls_certs_only([ca]);
    }
    let client = b
        .build()
        .map_err(|_| ErrorBody::new(ErrorCode::CentralClientSetup))?;
    let resp = client
        .post(format!("{}/v1/counters/enrol", central.base))
        .json(&EnrolRequest {
            enrolment_code: code.to_owned(),
        })
        .send()
        .map_err(|e| ErrorBody::new(net::classify(&e)))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .map_err(|e| ErrorBody::new(net::classify(&e)))?;
    if !status.is_success() {
        let e = net::refusal(status, &bytes);
        return Err(match e.code {
            ErrorCode::CounterEnrolmentCode
            | ErrorCode::CounterEnrolmentCodeExpired
            | ErrorCode::CounterEnrolmentCodeUsed => e.on_field("enrolment_code"),
            _ => e,
        });
    }
    let answer: EnrolResponse = serde_json::from_slice(&bytes)
        .map_err(|_| ErrorBody::new(ErrorCode::CentralNotACentralService))?;
    let EnrolResponse {
        counter,
        machine_key,
    } = answer;
    if machine_key.trim().is_empty() {
        return Err(ErrorBody::new(ErrorCode::CentralBadAnswer));
    }
    let key = keep_machine_key(config, machine_key.trim())
        .map_err(|_| ErrorBody::new(ErrorCode::StorageDataDir))?;
    let enrolment = Enrolment {
        format: 1,
        central_url: central.base,
        counter_id: counter.counter_id,
        counter_name: counter.name,
        site: counter.site,
        key,
        enrolled_at_ms: crate::sync::unix_ms(),
        training: Some(config.training_mode),
    };
    let body =
        serde_json::to_vec_pretty(&enrolment).map_err(|_| ErrorBody::new(ErrorCode::Internal))?;
    write_private(dir, ENROLMENT_FILE, &body)
        .map_err(|_| ErrorBody::new(ErrorCode::StorageDataDir))?;
    match std::fs::remove_file(dir.join(REVOKED_FILE)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return Err(ErrorBody::new(ErrorCode::StorageDataDir)),
    }
    Ok(enrolment)
}

/// Keep the machine key in the keyring when allowed and it holds it
/// (read back), else in `counter.key` (0600). The other place is cleared,
/// so an older key is never used instead.
fn keep_machine_key(config: &Config, key: &str) -> std::io::Result<KeyPlace> {
    let dir = &config.data_dir;
    let policy = if config.keyring {
        ehr_store::KeyPolicy::Auto
    } else {
        ehr_store::KeyPolicy::FileOnly
    };
    if ehr_store::key::keyring_allowed(policy)
        && ehr_store::key::keep_secret_in_keyring(dir, KEYRING_KIND, key)
    {
        match std::fs::remove_file(dir.join(COUNTER_KEY_FILE)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        return Ok(KeyPlace::Keyring);
    }
    write_private(dir, COUNTER_KEY_FILE, key.as_bytes())?;
    if config.keyring {
        ehr_store::key::forget_secret_in_keyring(dir, KEYRING_KIND);
    }
    Ok(KeyPlace::File)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Write `name` in `dir` with mode 0600, atomically: a new temporary file
/// (never one somebody else made or linked), synced, renamed into place.
fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    match std::fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(name))?;
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Record an enrolment against `url` in `dir` (tests of the address's
/// precedence).
#[cfg(test)]
pub(crate) fn write_for_test(dir: &Path, url: &str) {
    write_site_for_test(
        dir,
        url,
        Site {
            code: "HA-QEH".into(),
            site_type: SiteType::RegistrationCentre,
            name_en: "Queen Elizabeth Hospital".into(),
            name_zh: "伊利沙伯醫院".into(),
        },
    );
}

/// Record an enrolment against `url` at `site` in `dir` (tests of what a
/// site's counter offers).
#[cfg(test)]
pub(crate) fn write_site_for_test(dir: &Path, url: &str, site: Site) {
    create_private_dir(dir).unwrap();
    let e = Enrolment {
        format: 1,
        central_url: url.to_owned(),
        counter_id: format!("CTR-DEMO-{}", site.code),
        counter_name: format!("{}-01", site.code),
        site,
        key: KeyPlace::File,
        enrolled_at_ms: 0,
        training: None,
    };
    write_private(dir, ENROLMENT_FILE, &serde_json::to_vec(&e).unwrap()).unwrap();
}

#[cfg(test)]
mod mode_tests {
    #![allow(clippy::unwrap_used)]

    use ehr_protocol::ipc::SignInRequest;
    use ehr_protocol::ErrorCode;

    use super::*;
    use crate::App;

    /// A data folder enrolled with `training` recorded as given, and an
    /// app on it running in training mode or not.
    fn app(enrolled_training: Option<bool>, training_app: bool) -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        create_private_dir(dir.path()).unwrap();
        let e = Enrolment {
            format: 1,
            central_url: "http://127.0.0.1:9".to_owned(),
            counter_id: "CTR-1".to_owned(),
            counter_name: "QEH-01".to_owned(),
            site: ehr_protocol::wire::Site {
                code: "HA-QEH".to_owned(),
                site_type: ehr_protocol::wire::SiteType::RegistrationCentre,
                name_en: "Queen Elizabeth Hospital".to_owned(),
                name_zh: String::new(),
            },
            key: KeyPlace::File,
            enrolled_at_ms: 0,
            training: enrolled_training,
        };
        write_private(dir.path(), ENROLMENT_FILE, &serde_json::to_vec(&e).unwrap()).unwrap();
        write_private(
            dir.path(),
            crate::central::COUNTER_KEY_FILE,
            b"k".repeat(43).as_slice(),
        )
        .unwrap();
        let d = dir.path().display().to_string();
        let config = Config::from_lookup(move |k| match k {
            "EHR_COUNTER_DATA_DIR" => Some(d.clone()),
            "EHR_COUNTER_KEYRING" => Some("off".to_owned()),
            "EHR_COUNTER_CONFIG" => Some("/nonexistent/ehr-counter.toml".to_owned()),
            "EHR_TRAINING" => training_app.then(|| "1".to_owned()),
            _ => None,
        })
        .with_files();
        (App::new(config), dir)
    }

    fn sign_in(app: &App) -> ErrorCode {
        app.sign_in(&SignInRequest {
            staff_code: "clerk01".to_owned(),
            password: "demo-clerk-01".to_owned(),
        })
        .unwrap_err()
        .code
    }

    #[test]
    fn a_folder_enrolled_in_the_other_mode_is_neither_signed_in_on_nor_synced() {
        for (enrolled, app_mode) in [(false, true), (true, false)] {
            let (app, _dir) = app(Some(enrolled), app_mode);
            assert!(app.enrolment().mode_mismatch, "{enrolled} under {app_mode}");
            assert!(app.doctor().mode_mismatch);
            assert!(!app.doctor().healthy());
            assert_eq!(sign_in(&app), ErrorCode::CounterModeMismatch);
            assert_eq!(
                app.open_store().unwrap_err().code,
                ErrorCode::CounterModeMismatch,
                "nothing is synced from it"
            );
        }
    }

    #[test]
    fn the_same_mode_or_an_enrolment_from_before_the_mode_was_recorded_is_used() {
        for (enrolled, app_mode) in [
            (Some(true), true),
            (Some(false), false),
            (None, true),
            (None, false),
        ] {
            let (app, _dir) = app(enrolled, app_mode);
            assert!(
                !app.enrolment().mode_mismatch,
                "{enrolled:?} under {app_mode}"
            );
            app.open_store().unwrap();
            // It goes on to the service (which is not there).
            assert_ne!(sign_in(&app), ErrorCode::CounterModeMismatch);
        }
    }
}
