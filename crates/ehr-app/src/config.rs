//! Where the app keeps its data, which central service it talks to, and
//! where identities come from.
//!
//! The central service is reached over HTTPS only: a plain `http://`
//! address is refused (`central.insecure_url`) unless it is a loopback
//! address (127.0.0.0/8 or `::1`, as numbers: a name such as `localhost` is
//! resolved by whatever the machine's resolver says, which may not be this
//! computer), which the embedded training service and the tests use. See
//! [`check_central_url`].

use std::path::PathBuf;

use ehr_card::identity::SourceKind;
use ehr_card_ideas::IdeasConfig;
use ehr_protocol::ipc::CentralUrlSource;
use ehr_protocol::{ErrorBody, ErrorCode};

/// The configuration of one counter installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The folder for the local store, logs and cached reference data.
    pub data_dir: PathBuf,
    /// The central registration service, if configured: from the
    /// environment, else the configuration file, else the enrolment (see
    /// [`Config::with_files`]).
    pub central_url: Option<String>,
    /// Where `central_url` comes from.
    pub central_source: CentralUrlSource,
    /// The configuration file looked at: `$EHR_COUNTER_CONFIG`, else
    /// `/etc/ehr-counter/config.toml`.
    pub config_file: PathBuf,
    /// The user's own configuration file, read over `config_file` (none
    /// when `EHR_COUNTER_CONFIG` names the one file to read).
    pub user_config_file: Option<PathBuf>,
    /// A configuration file that cannot be used (none of the files' settings
    /// is then): the app opens on a screen that says so.
    pub file_error: Option<crate::config_file::ConfigFileError>,
    /// Minutes idle before the screen locks while the central service's
    /// policy is not known yet (the file's `idle_lock_minutes`, else 5).
    pub idle_lock_fallback_minutes: u32,
    /// The log level: `EHR_LOG`, else the file's `log_level`, else `info`.
    pub log_level: String,
    /// Training mode: the virtual card and demo data, never real people.
    pub training_mode: bool,
    /// Whether the store's key may be kept in the OS keyring (else a key
    /// file with mode 0600). Off with `EHR_COUNTER_KEYRING=off`.
    pub keyring: bool,
    /// A PEM file with this counter's client certificate and key, for
    /// central services that identify counters by certificate.
    pub client_identity: Option<PathBuf>,
    /// A PEM file with the CA of the central service's certificate (else the
    /// system's roots).
    pub central_ca: Option<PathBuf>,
    /// How long operations the service acknowledged stay in the outbox.
    pub done_retention_ms: i64,
    /// The sync engine's timings (backoff, timeouts, batch size).
    pub sync: ehr_sync::Config,
    /// The IDEAS endpoint (`EHR_IDEAS_ENDPOINT`). When set, cards are read
    /// through the IDEAS source instead of the open test card profile.
    pub ideas: IdeasConfig,
    /// The folder the counter's scanner or document camera saves into
    /// (`EHR_SCAN_FOLDER`, else the configuration file's `scan_folder`):
    /// new files there appear in the capture dialog, and leave the folder
    /// once captured.
    pub scan_folder: Option<PathBuf>,
    /// The printer for slips (`EHR_PRINTER`, else the configuration file's
    /// `printer`, else the system's default printer).
    pub printer: Option<String>,
    /// Where a slip saved as a file goes (`EHR_SAVE_FOLDER`, else the
    /// configuration file's `save_folder`, else `$HOME/Documents/eHR Counter`).
    pub save_folder: PathBuf,
    /// The CUPS scheduler to print through (`CUPS_SERVER`: a socket path or
    /// a host), else the system's.
    pub cups_server: Option<String>,
    /// Whether `save_folder` came from the environment (it then wins over
    /// the configuration file).
    pub save_folder_from_env: bool,
    /// Whether `log_level` came from the environment.
    pub log_level_from_env: bool,
}

/// A central service address that passed [`check_central_url`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralUrl {
    /// The address without a trailing `/`, to which API paths are appended.
    pub base: String,
    /// Whether it names this computer. Loopback is the one place plain
    /// HTTP is allowed, and it is never reached through a proxy.
    pub loopback: bool,
}

/// Check a central service address: an absolute `https://` URL with a
/// host, no user name or password, no query or fragment; `http://` only to
/// loopback. A malformed address is `central.url_invalid`; plain HTTP to
/// another host is `central.insecure_url`.
pub fn check_central_url(raw: &str) -> Result<CentralUrl, ErrorBody> {
    let invalid = || ErrorBody::new(ErrorCode::CentralUrlInvalid);
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| invalid())?;
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid());
    }
    // The URL parser has normalised the host: IPv4 in dotted form, IPv6 in
    // brackets, names in lower case.
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(invalid)?;
    let loopback = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        v6.parse::<std::net::Ipv6Addr>()
            .map_err(|_| invalid())?
            .is_loopback()
    } else if let Ok(v4) = host.parse::<std::net::Ipv4Addr>() {
        v4.is_loopback()
    } else {
        // A name is never trusted to be this computer: the resolver decides
        // where it goes, and a password would travel in clear text.
        let name = host.strip_suffix('.').unwrap_or(host);
        if name.is_empty() {
            return Err(invalid());
        }
        false
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(ErrorBody::new(ErrorCode::CentralInsecureUrl)),
        _ => return Err(invalid()),
    }
    Ok(CentralUrl {
        base: url.as_str().trim_end_matches('/').to_owned(),
        loopback,
    })
}

/// Environment variable naming the configuration file.
pub const ENV_CONFIG: &str = "EHR_COUNTER_CONFIG";
/// The configuration file when `EHR_COUNTER_CONFIG` names none.
pub const DEFAULT_CONFIG_FILE: &str = crate::config_file::SYSTEM_FILE;
/// Environment variable with the log level (support).
pub const ENV_LOG: &str = "EHR_LOG";

/// Environment variable naming the data folder.
pub const ENV_DATA_DIR: &str = "EHR_COUNTER_DATA_DIR";
/// Environment variable naming the central service URL.
pub const ENV_CENTRAL_URL: &str = "EHR_CENTRAL_URL";
/// Environment variable that turns training mode on (`1`).
pub const ENV_TRAINING: &str = "EHR_TRAINING";
/// Environment variable that keeps the store key out of the keyring (`off`).
pub const ENV_KEYRING: &str = "EHR_COUNTER_KEYRING";
/// Environment variable naming the client certificate PEM file.
pub const ENV_CLIENT_CERT: &str = "EHR_COUNTER_CLIENT_CERT";
/// Environment variable naming the central service's CA PEM file.
pub const ENV_CENTRAL_CA: &str = "EHR_CENTRAL_CA";
/// Environment variable naming the scanner's folder.
pub const ENV_SCAN_FOLDER: &str = "EHR_SCAN_FOLDER";
/// Environment variable naming the printer for slips (a CUPS queue).
pub const ENV_PRINTER: &str = "EHR_PRINTER";
/// Environment variable naming the folder slips are saved into.
pub const ENV_SAVE_FOLDER: &str = "EHR_SAVE_FOLDER";
/// Environment variable with the sync backoff cap in milliseconds (support and tests).
pub const ENV_BACKOFF_CAP_MS: &str = "EHR_SYNC_BACKOFF_CAP_MS";

/// Environment variable naming the IDEAS endpoint (see `docs/ideas-adapter.md`).
pub const ENV_IDEAS_ENDPOINT: &str = ehr_card_ideas::ENV_ENDPOINT;

/// Acknowledged operations are kept a week (for support), then purged.
pub const DEFAULT_DONE_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;

impl Config {
    /// The configuration from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok()).with_files()
    }

    /// The files' settings under the environment's: the configuration
    /// file, then the user's own over it ([`crate::config_file`]); a file
    /// that cannot be used leaves every file's settings out and is kept in
    /// [`Config::file_error`]. The central address, when neither the
    /// environment nor a file names one, is the one this counter was
    /// enrolled against (`enrolment.json` in the data folder).
    pub fn with_files(mut self) -> Self {
        let files: Vec<PathBuf> = std::iter::once(self.config_file.clone())
            .chain(self.user_config_file.clone())
            .collect();
        let file = match crate::config_file::read_all(&files) {
            Ok(s) => s,
            Err(e) => {
                self.file_error = Some(e);
                crate::config_file::FileSettings::default()
            }
        };
        // The environment's settings (already in) win over the files'.
        if self.scan_folder.is_none() {
            self.scan_folder = file.scan_folder;
        }
        if self.printer.is_none() {
            self.printer = file.printer;
        }
        if !self.save_folder_from_env {
            if let Some(f) = file.save_folder {
                self.save_folder = f;
            }
        }
        if self.central_ca.is_none() {
            self.central_ca = file.central_ca;
        }
        if self.client_identity.is_none() {
            self.client_identity = file.client_certificate;
        }
        if let Some(m) = file.idle_lock_minutes {
            self.idle_lock_fallback_minutes = m;
        }
        if !self.log_level_from_env {
            if let Some(l) = file.log_level {
                self.log_level = l;
            }
        }
        if self.central_source != CentralUrlSource::None || self.file_error.is_some() {
            return self;
        }
        if let Some(url) = file.central_url {
            self.central_url = Some(url);
            self.central_source = CentralUrlSource::ConfigFile;
        } else if let Some(e) = crate::enrolment::read(&self.data_dir) {
            self.central_url = Some(e.central_url);
            self.central_source = CentralUrlSource::Enrolment;
        }
        self
    }

    /// The configuration from any key lookup (the environment, or a test's map).
    ///
    /// Data folder: `EHR_COUNTER_DATA_DIR`, else `$XDG_DATA_HOME/ehr-counter`,
    /// else `$HOME/.local/share/ehr-counter`, else `./ehr-counter-data`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let data_dir = non_empty(ENV_DATA_DIR)
            .map(PathBuf::from)
            .or_else(|| non_empty("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("ehr-counter")))
            .or_else(|| {
                non_empty("HOME").map(|h| PathBuf::from(h).join(".local/share/ehr-counter"))
            })
            .unwrap_or_else(|| PathBuf::from("ehr-counter-data"));
        Config {
            data_dir,
            central_url: non_empty(ENV_CENTRAL_URL).map(|u| u.trim().to_owned()),
            central_source: if non_empty(ENV_CENTRAL_URL).is_some() {
                CentralUrlSource::Environment
            } else {
                CentralUrlSource::None
            },
            config_file: non_empty(ENV_CONFIG)
                .map_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE), PathBuf::from),
            // `EHR_COUNTER_CONFIG` names the one file to read.
            user_config_file: match non_empty(ENV_CONFIG) {
                Some(_) => None,
                None => crate::config_file::user_file(&get),
            },
            file_error: None,
            idle_lock_fallback_minutes: 5,
            log_level: non_empty(ENV_LOG)
                .map(|l| l.trim().to_ascii_lowercase())
                .filter(|l| crate::config_file::LOG_LEVELS.contains(&l.as_str()))
                .unwrap_or_else(|| "info".to_owned()),
            log_level_from_env: non_empty(ENV_LOG).is_some(),
            ideas: IdeasConfig::from_lookup(&get),
            training_mode: get(ENV_TRAINING).as_deref() == Some("1"),
            keyring: get(ENV_KEYRING).as_deref() != Some("off"),
            client_identity: non_empty(ENV_CLIENT_CERT).map(PathBuf::from),
            central_ca: non_empty(ENV_CENTRAL_CA).map(PathBuf::from),
            done_retention_ms: DEFAULT_DONE_RETENTION_MS,
            scan_folder: non_empty(ENV_SCAN_FOLDER).map(PathBuf::from),
            printer: non_empty(ENV_PRINTER).map(|p| p.trim().to_owned()),
            save_folder_from_env: non_empty(ENV_SAVE_FOLDER).is_some(),
            cups_server: non_empty("CUPS_SERVER"),
            save_folder: non_empty(ENV_SAVE_FOLDER)
                .map(PathBuf::from)
                .or_else(|| {
                    non_empty("HOME").map(|h| PathBuf::from(h).join("Documents/eHR Counter"))
                })
                .unwrap_or_else(|| PathBuf::from("ehr-counter-slips")),
            sync: {
                let mut c = ehr_sync::Config::default();
                if let Some(cap) = non_empty(ENV_BACKOFF_CAP_MS).and_then(|v| v.trim().parse().ok())
                {
                    c.backoff_cap_ms = cap;
                    c.backoff_base_ms = c.backoff_base_ms.min(cap);
                }
                c
            },
        }
    }

    /// The central service's address, checked: `None` when none is
    /// configured, an error when it is malformed or plain HTTP over a
    /// network.
    pub fn central(&self) -> Result<Option<CentralUrl>, ErrorBody> {
        self.central_url
            .as_deref()
            .map(check_central_url)
            .transpose()
    }

    /// Which source reads the cards: IDEAS when `EHR_IDEAS_ENDPOINT` is
    /// set, else the open test card profile through PC/SC.
    pub fn identity_source(&self) -> SourceKind {
        if self.ideas.is_configured() {
            SourceKind::Ideas
        } else {
            SourceKind::OpenTestCard
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Config {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn data_dir_precedence() {
        assert_eq!(
            cfg(&[(ENV_DATA_DIR, "/d"), ("HOME", "/h")]).data_dir,
            PathBuf::from("/d")
        );
        assert_eq!(
            cfg(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")]).data_dir,
            PathBuf::from("/x/ehr-counter")
        );
        assert_eq!(
            cfg(&[("HOME", "/h")]).data_dir,
            PathBuf::from("/h/.local/share/ehr-counter")
        );
        assert_eq!(
            cfg(&[(ENV_DATA_DIR, " ")]).data_dir,
            PathBuf::from("ehr-counter-data")
        );
    }

    #[test]
    fn documents_settings_come_from_the_environment_then_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("config.toml");
        std::fs::write(
            &file,
            "# counter\nscan_folder = \"/srv/scans\"\nprinter = \"Front\"\nsave_folder = \"/srv/slips\"\n",
        )
        .unwrap();
        let f = file.to_str().unwrap();
        let c = cfg(&[(ENV_CONFIG, f), ("HOME", "/h")]).with_files();
        assert_eq!(c.scan_folder, Some(PathBuf::from("/srv/scans")));
        assert_eq!(c.printer.as_deref(), Some("Front"));
        assert_eq!(c.save_folder, PathBuf::from("/srv/slips"));
        let c = cfg(&[
            (ENV_CONFIG, f),
            (ENV_SCAN_FOLDER, "/e/scans"),
            (ENV_PRINTER, "Back"),
            (ENV_SAVE_FOLDER, "/e/slips"),
        ])
        .with_files();
        assert_eq!(c.scan_folder, Some(PathBuf::from("/e/scans")));
        assert_eq!(c.printer.as_deref(), Some("Back"));
        assert_eq!(c.save_folder, PathBuf::from("/e/slips"));
        let c = cfg(&[(ENV_CONFIG, "/nonexistent.toml"), ("HOME", "/h")]).with_files();
        assert_eq!(c.scan_folder, None);
        assert_eq!(c.printer, None);
        assert_eq!(c.save_folder, PathBuf::from("/h/Documents/eHR Counter"));
    }

    #[test]
    fn central_and_training() {
        let c = cfg(&[
            (ENV_CENTRAL_URL, " https://central.example:8443 "),
            (ENV_TRAINING, "1"),
        ]);
        assert_eq!(
            c.central_url.as_deref(),
            Some("https://central.example:8443")
        );
        assert!(c.training_mode);
        let c = cfg(&[(ENV_TRAINING, "yes")]);
        assert!(!c.training_mode && c.central_url.is_none());
    }

    #[test]
    fn central_url_is_https_except_on_loopback() {
        let code = |u: &str| check_central_url(u).map(|c| c.loopback).map_err(|e| e.code);
        // HTTPS anywhere; loopback is marked (no proxy for it).
        assert_eq!(code("https://central.example:8443"), Ok(false));
        assert_eq!(code(" https://central.example/base/ "), Ok(false));
        assert_eq!(code("https://127.0.0.1:8443"), Ok(true));
        // Plain HTTP to this computer only: 127.0.0.0/8 and ::1, as numbers.
        for ok in [
            "http://127.0.0.1:41234",
            "http://127.1.2.3",
            "http://[::1]:8080/",
        ] {
            assert_eq!(code(ok), Ok(true), "{ok}");
        }
        for insecure in [
            "http://central.example",
            "http://10.0.0.5:8080",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://localhost:8080",
            "http://LOCALHOST.",
            "http://0.0.0.0:8080",
            "HTTP://central.example",
        ] {
            assert_eq!(
                code(insecure),
                Err(ErrorCode::CentralInsecureUrl),
                "{insecure}"
            );
        }
        for garbage in [
            "",
            "central.example",
            "not a url",
            "ftp://central.example",
            "https://",
            "https://user:pw@central.example",
            "https://central.example/?q=1",
            "https://central.example/#x",
            "file:///etc/passwd",
            "https://exa mple.com",
        ] {
            assert_eq!(
                code(garbage),
                Err(ErrorCode::CentralUrlInvalid),
                "{garbage}"
            );
        }
        assert_eq!(
            check_central_url("https://central.example:8443/")
                .unwrap()
                .base,
            "https://central.example:8443"
        );
        // The configuration reports it, and leaves no central as no central.
        assert_eq!(
            cfg(&[(ENV_CENTRAL_URL, "http://central.example")])
                .central()
                .map_err(|e| e.code),
            Err(ErrorCode::CentralInsecureUrl)
        );
        assert_eq!(cfg(&[]).central(), Ok(None));
    }

    #[test]
    fn the_files_set_certificates_idle_lock_and_log_level_under_the_environment() {
        let tmp = tempfile::tempdir().unwrap();
        let system = tmp.path().join("config.toml");
        std::fs::write(
            &system,
            "central_ca = \"/etc/ehr-counter/ca.pem\"\nclient_certificate = \"/etc/ehr-counter/c.pem\"\n\
             idle_lock_minutes = 2\nlog_level = \"warn\"\nprinter = \"System\"\n",
        )
        .unwrap();
        let xdg = tmp.path().join("xdg");
        std::fs::create_dir_all(xdg.join("ehr-counter")).unwrap();
        std::fs::write(xdg.join("ehr-counter/config.toml"), "printer = \"Mine\"\n").unwrap();
        // The system file and the user's over it (the system file's path
        // here stands in for /etc's: read as the default would be).
        let mut c = cfg(&[("XDG_CONFIG_HOME", xdg.to_str().unwrap()), ("HOME", "/h")]);
        c.config_file = system.clone();
        let c = c.with_files();
        assert_eq!(c.file_error, None);
        assert_eq!(c.central_ca, Some(PathBuf::from("/etc/ehr-counter/ca.pem")));
        assert_eq!(
            c.client_identity,
            Some(PathBuf::from("/etc/ehr-counter/c.pem"))
        );
        assert_eq!(c.idle_lock_fallback_minutes, 2);
        assert_eq!(c.log_level, "warn");
        assert_eq!(c.printer.as_deref(), Some("Mine"));
        // The environment wins; EHR_COUNTER_CONFIG is the one file read.
        let f = system.to_str().unwrap();
        let c = cfg(&[
            (ENV_CONFIG, f),
            ("XDG_CONFIG_HOME", xdg.to_str().unwrap()),
            (ENV_CENTRAL_CA, "/env/ca.pem"),
            (ENV_LOG, "debug"),
        ])
        .with_files();
        assert_eq!(c.user_config_file, None);
        assert_eq!(c.printer.as_deref(), Some("System"));
        assert_eq!(c.central_ca, Some(PathBuf::from("/env/ca.pem")));
        assert_eq!(c.log_level, "debug");
        // A malformed file: kept as the error, none of its settings used.
        std::fs::write(&system, "printer = \"A\"\nidle_lock_minutes = soon\n").unwrap();
        let c = cfg(&[(ENV_CONFIG, f)]).with_files();
        let e = c.file_error.clone().unwrap();
        assert_eq!((e.line, e.path.as_path()), (2, system.as_path()));
        assert_eq!(c.printer, None);
        assert_eq!(c.idle_lock_fallback_minutes, 5);
    }

    #[test]
    fn the_environment_beats_the_configuration_file_beats_the_enrolment() {
        let dir = std::env::temp_dir().join(format!("ehr-config-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("config.toml");
        let data = dir.join("data");
        let d = data.to_str().unwrap().to_owned();
        let c = conf.to_str().unwrap().to_owned();
        let resolve = |env_url: Option<&str>| {
            let mut pairs = vec![(ENV_DATA_DIR, d.as_str()), (ENV_CONFIG, c.as_str())];
            if let Some(u) = env_url {
                pairs.push((ENV_CENTRAL_URL, u));
            }
            let c = cfg(&pairs).with_files();
            (c.central_source, c.central_url)
        };
        assert_eq!(resolve(None), (CentralUrlSource::None, None));
        crate::enrolment::write_for_test(&data, "https://enrolled.example");
        assert_eq!(
            resolve(None),
            (
                CentralUrlSource::Enrolment,
                Some("https://enrolled.example".into())
            )
        );
        std::fs::write(&conf, "central_url = \"https://file.example\"\n").unwrap();
        assert_eq!(
            resolve(None),
            (
                CentralUrlSource::ConfigFile,
                Some("https://file.example".into())
            )
        );
        assert_eq!(
            resolve(Some("https://env.example")),
            (
                CentralUrlSource::Environment,
                Some("https://env.example".into())
            )
        );
        // The https rule holds for every source: a file naming a plain
        // http address is a mistake of the file's, and nothing is reached
        // (not even the enrolled address) until it is mended.
        std::fs::write(&conf, "central_url = \"http://file.example\"\n").unwrap();
        let c = cfg(&[(ENV_DATA_DIR, d.as_str()), (ENV_CONFIG, c.as_str())]).with_files();
        assert_eq!(c.file_error.as_ref().map(|e| e.line), Some(1));
        assert_eq!(c.central(), Ok(None));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_ideas_endpoint_selects_the_ideas_source() {
        assert_eq!(cfg(&[]).identity_source(), SourceKind::OpenTestCard);
        assert_eq!(
            cfg(&[(ENV_IDEAS_ENDPOINT, "  ")]).identity_source(),
            SourceKind::OpenTestCard
        );
        let c = cfg(&[(ENV_IDEAS_ENDPOINT, "https://ideas.invalid")]);
        assert_eq!(c.identity_source(), SourceKind::Ideas);
        assert_eq!(c.ideas.endpoint.as_deref(), Some("https://ideas.invalid"));
    }
}
