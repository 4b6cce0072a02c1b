//! Where the app keeps its data and which central service it talks to.

use std::path::PathBuf;

/// The configuration of one counter installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The folder for the local store, logs and cached reference data.
    pub data_dir: PathBuf,
    /// The central registration service, if configured.
    pub central_url: Option<String>,
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
}

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
/// Environment variable with the sync backoff cap in milliseconds (support and tests).
pub const ENV_BACKOFF_CAP_MS: &str = "EHR_SYNC_BACKOFF_CAP_MS";

/// Acknowledged operations are kept a week (for support), then purged.
pub const DEFAULT_DONE_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;

impl Config {
    /// The configuration from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
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
            training_mode: get(ENV_TRAINING).as_deref() == Some("1"),
            keyring: get(ENV_KEYRING).as_deref() != Some("off"),
            client_identity: non_empty(ENV_CLIENT_CERT).map(PathBuf::from),
            central_ca: non_empty(ENV_CENTRAL_CA).map(PathBuf::from),
            done_retention_ms: DEFAULT_DONE_RETENTION_MS,
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
}
