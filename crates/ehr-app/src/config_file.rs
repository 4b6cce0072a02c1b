//! The configuration file a counter PC's IT staff write (issue #16):
//! `/etc/ehr-counter/config.toml`, overridden setting by setting by the
//! user's own `$XDG_CONFIG_HOME/ehr-counter/config.toml`; the environment
//! overrides both (for support). `EHR_COUNTER_CONFIG` names the one file to
//! read instead (support, tests).
//!
//! ```toml
//! central_url = "https://central.ehealth.example.hk"
//! central_ca = "/etc/ehr-counter/central-ca.pem"
//! client_certificate = "/etc/ehr-counter/counter.pem"
//! idle_lock_minutes = 5    # until the central service's policy arrives
//! log_level = "info"       # error, warn, info or debug
//! scan_folder = "/srv/scans/counter-1"
//! printer = "counter-slips"
//! save_folder = "/home/clerk/Documents/eHR Counter"
//! ```
//!
//! A file that is not valid TOML, names a setting that does not exist, or
//! gives a setting a value it cannot take is refused as a whole with the
//! line and column of the mistake ([`ConfigFileError`]); the app then opens
//! on a screen that says so, and `ehrctl config check` prints it.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// The system-wide configuration file.
pub const SYSTEM_FILE: &str = "/etc/ehr-counter/config.toml";

/// Log levels a file may set (never more than `debug`: no level logs
/// personal data, and `trace` is for developers' own builds).
pub const LOG_LEVELS: [&str; 4] = ["error", "warn", "info", "debug"];

/// The longest idle-lock fallback a file may set, in minutes.
pub const MAX_IDLE_LOCK_MINUTES: i64 = 60;

/// The settings a file may hold; each absent unless set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSettings {
    /// The central service's address (checked as [`crate::config::check_central_url`]).
    pub central_url: Option<String>,
    /// A PEM file with the central service's CA.
    pub central_ca: Option<PathBuf>,
    /// A PEM file with this counter's client certificate and key.
    pub client_certificate: Option<PathBuf>,
    /// Minutes idle before the screen locks, until the central service's
    /// policy is known.
    pub idle_lock_minutes: Option<u32>,
    /// The log level (one of [`LOG_LEVELS`]).
    pub log_level: Option<String>,
    /// The scanner's folder.
    pub scan_folder: Option<PathBuf>,
    /// The printer for slips (a CUPS queue).
    pub printer: Option<String>,
    /// Where slips saved as files go.
    pub save_folder: Option<PathBuf>,
}

impl FileSettings {
    /// These settings with `over`'s on top (a later file wins, setting by
    /// setting).
    pub fn overlaid(self, over: FileSettings) -> FileSettings {
        FileSettings {
            central_url: over.central_url.or(self.central_url),
            central_ca: over.central_ca.or(self.central_ca),
            client_certificate: over.client_certificate.or(self.client_certificate),
            idle_lock_minutes: over.idle_lock_minutes.or(self.idle_lock_minutes),
            log_level: over.log_level.or(self.log_level),
            scan_folder: over.scan_folder.or(self.scan_folder),
            printer: over.printer.or(self.printer),
            save_folder: over.save_folder.or(self.save_folder),
        }
    }
}

/// A configuration file that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFileError {
    /// The file.
    pub path: PathBuf,
    /// The line of the mistake (1-based; 0 when the file could not be
    /// read at all).
    pub line: usize,
    /// The column of the mistake (1-based; 0 with line 0).
    pub column: usize,
    /// What is wrong, in words (English: for IT staff and the helpdesk).
    pub message: String,
}

impl std::fmt::Display for ConfigFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    central_url: Option<Spanned<String>>,
    central_ca: Option<Spanned<String>>,
    client_certificate: Option<Spanned<String>>,
    idle_lock_minutes: Option<Spanned<i64>>,
    log_level: Option<Spanned<String>>,
    scan_folder: Option<Spanned<String>>,
    printer: Option<Spanned<String>>,
    save_folder: Option<Spanned<String>>,
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parse the file `path` holding `text`.
pub fn parse(path: &Path, text: &str) -> Result<FileSettings, ConfigFileError> {
    let err = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        ConfigFileError {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        // The parser's own words, without its quote of the line.
        err(offset, e.message().trim().to_owned())
    })?;
    let text_of = |v: &Spanned<String>, what: &str| {
        let s = v.get_ref().trim();
        if s.is_empty() {
            Err(err(v.span().start, format!("{what} is empty")))
        } else {
            Ok(s.to_owned())
        }
    };
    let absolute = |v: &Option<Spanned<String>>, what: &str| {
        v.as_ref()
            .map(|v| {
                let p = PathBuf::from(text_of(v, what)?);
                if p.is_absolute() {
                    Ok(p)
                } else {
                    Err(err(
                        v.span().start,
                        format!("{what} must be an absolute path (starting with /)"),
                    ))
                }
            })
            .transpose()
    };
    let central_url = raw
        .central_url
        .as_ref()
        .map(|v| {
            let url = text_of(v, "central_url")?;
            crate::config::check_central_url(&url).map_err(|e| {
                err(
                    v.span().start,
                    format!(
                        "central_url is not a usable address: {}",
                        ehr_protocol::ErrorCode::messages(e.code).0
                    ),
                )
            })?;
            Ok(url)
        })
        .transpose()?;
    let idle_lock_minutes = raw
        .idle_lock_minutes
        .as_ref()
        .map(|v| {
            let m = *v.get_ref();
            if (1..=MAX_IDLE_LOCK_MINUTES).contains(&m) {
                Ok(m as u32)
            } else {
                Err(err(
                    v.span().start,
                    format!("idle_lock_minutes must be from 1 to {MAX_IDLE_LOCK_MINUTES}"),
                ))
            }
        })
        .transpose()?;
    let log_level = raw
        .log_level
        .as_ref()
        .map(|v| {
            let l = text_of(v, "log_level")?.to_ascii_lowercase();
            if LOG_LEVELS.contains(&l.as_str()) {
                Ok(l)
            } else {
                Err(err(
                    v.span().start,
                    format!("log_level must be one of {}", LOG_LEVELS.join(", ")),
                ))
            }
        })
        .transpose()?;
    Ok(FileSettings {
        central_url,
        central_ca: absolute(&raw.central_ca, "central_ca")?,
        client_certificate: absolute(&raw.client_certificate, "client_certificate")?,
        idle_lock_minutes,
        log_level,
        scan_folder: absolute(&raw.scan_folder, "scan_folder")?,
        printer: raw
            .printer
            .as_ref()
            .map(|v| text_of(v, "printer"))
            .transpose()?,
        save_folder: absolute(&raw.save_folder, "save_folder")?,
    })
}

/// Read and parse `path`: `Ok(None)` when there is no such file.
pub fn read(path: &Path) -> Result<Option<FileSettings>, ConfigFileError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|e| {
                let (line, column) = line_col(
                    &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                    usize::MAX,
                );
                ConfigFileError {
                    path: path.to_owned(),
                    line,
                    column,
                    message: "the file is not UTF-8 text".into(),
                }
            })?;
            parse(path, &text).map(Some)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigFileError {
            path: path.to_owned(),
            line: 0,
            column: 0,
            message: format!("cannot be read ({})", e.kind()),
        }),
    }
}

/// The user's own file: `$XDG_CONFIG_HOME/ehr-counter/config.toml`, else
/// `$HOME/.config/ehr-counter/config.toml`.
pub fn user_file(get: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
    non_empty("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("ehr-counter/config.toml"))
}

/// Read `files` in order, each over the one before: the settings, or the
/// first file's mistake (then none of them is used).
pub fn read_all(files: &[PathBuf]) -> Result<FileSettings, ConfigFileError> {
    let mut settings = FileSettings::default();
    for f in files {
        if let Some(s) = read(f)? {
            settings = settings.overlaid(s);
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<FileSettings, ConfigFileError> {
        parse(Path::new("/etc/ehr-counter/config.toml"), text)
    }

    #[test]
    fn every_setting_is_read() {
        let s = p(r#"
# the counter at window 3
central_url = "https://central.example:8443"
central_ca = "/etc/ehr-counter/ca.pem"
client_certificate = "/etc/ehr-counter/counter.pem"
idle_lock_minutes = 3
log_level = "DEBUG"
scan_folder = "/srv/scans"
printer = "slips"
save_folder = "/home/clerk/Slips"
"#)
        .unwrap();
        assert_eq!(
            s.central_url.as_deref(),
            Some("https://central.example:8443")
        );
        assert_eq!(s.idle_lock_minutes, Some(3));
        assert_eq!(s.log_level.as_deref(), Some("debug"));
        assert_eq!(s.printer.as_deref(), Some("slips"));
        assert_eq!(s.save_folder, Some(PathBuf::from("/home/clerk/Slips")));
        assert_eq!(p("").unwrap(), FileSettings::default());
    }

    #[test]
    fn a_mistake_is_named_by_its_line_and_column() {
        let cases: &[(&str, usize, usize, &str)] = &[
            (
                "central_url = \"https://a.example\"\nprinter = slips\n",
                2,
                11,
                "",
            ),
            ("\n\nidle_lock_minutes = \"five\"\n", 3, 21, ""),
            ("idle_lock_minutes = 0\n", 1, 21, "from 1 to 60"),
            (
                "# ok\nlog_level = \"trace\"\n",
                2,
                13,
                "one of error, warn, info, debug",
            ),
            (
                "central_url = \"http://central.example\"\n",
                1,
                15,
                "not a usable address",
            ),
            ("scan_folder = \"scans\"\n", 1, 15, "absolute path"),
            ("printer = \"\"\n", 1, 11, "printer is empty"),
            ("centrl_url = \"https://a.example\"\n", 1, 1, "centrl_url"),
            (
                "central_url = \"https://a.example\"\ncentral_url = \"https://b.example\"\n",
                2,
                1,
                "",
            ),
        ];
        for (text, line, column, words) in cases {
            let e = p(text).unwrap_err();
            assert_eq!((e.line, e.column), (*line, *column), "{text:?}: {e}");
            assert!(e.message.contains(words), "{text:?}: {e}");
            assert!(!e.message.contains('\n'), "one line: {e}");
            assert!(e
                .to_string()
                .starts_with(&format!("/etc/ehr-counter/config.toml:{line}:{column}: ")));
        }
    }

    #[test]
    fn the_users_file_overrides_the_systems_setting_by_setting() {
        let dir = tempfile::tempdir().unwrap();
        let system = dir.path().join("system.toml");
        let user = dir.path().join("user.toml");
        std::fs::write(
            &system,
            "central_url = \"https://central.example\"\nprinter = \"a\"\n",
        )
        .unwrap();
        std::fs::write(&user, "printer = \"b\"\n").unwrap();
        let missing = dir.path().join("none.toml");
        let s = read_all(&[system.clone(), missing, user.clone()]).unwrap();
        assert_eq!(s.central_url.as_deref(), Some("https://central.example"));
        assert_eq!(s.printer.as_deref(), Some("b"));
        // One malformed file: none is used, and the mistake names it.
        std::fs::write(&user, "printer = \n").unwrap();
        let e = read_all(&[system, user.clone()]).unwrap_err();
        assert_eq!((e.path.as_path(), e.line), (user.as_path(), 1));
        std::fs::write(&user, b"printer = \"\xff\"\n").unwrap();
        let e = read_all(&[user]).unwrap_err();
        assert!(e.message.contains("UTF-8"), "{e}");
    }

    #[test]
    fn the_users_file_is_under_the_xdg_config_home() {
        let get = |k: &str| match k {
            "HOME" => Some("/home/clerk".to_owned()),
            _ => None,
        };
        assert_eq!(
            user_file(&get),
            Some(PathBuf::from("/home/clerk/.config/ehr-counter/config.toml"))
        );
        let get = |k: &str| (k == "XDG_CONFIG_HOME").then(|| "/x".to_owned());
        assert_eq!(
            user_file(&get),
            Some(PathBuf::from("/x/ehr-counter/config.toml"))
        );
    }
}
