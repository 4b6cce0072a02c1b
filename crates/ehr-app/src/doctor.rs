//! `ehrctl doctor`: what a field engineer needs to see first.

use serde::Serialize;
use std::path::Path;

use ehr_card::identity::SourceKind;

use crate::Config;

/// The doctor's findings. Holds no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// The application version.
    pub version: String,
    /// The data folder, as configured.
    pub data_dir: String,
    /// Whether the data folder exists (or could be created) and is writable.
    pub data_dir_writable: bool,
    /// Why the data folder is not usable, if it is not.
    pub data_dir_error: Option<String>,
    /// The PC/SC service and its readers.
    pub pcsc: ehr_card_pcsc::PcscStatus,
    /// The configured central service, if any.
    pub central_url: Option<String>,
    /// Why the central address cannot be used (`central.insecure_url`,
    /// `central.url_invalid`), if it cannot.
    pub central_url_error: Option<ehr_protocol::ErrorCode>,
    /// Where the central address in force comes from: `environment`
    /// (`EHR_CENTRAL_URL`) over `config_file` over `enrolment`, or `none`.
    pub central_url_source: ehr_protocol::ipc::CentralUrlSource,
    /// The configuration file looked at.
    pub config_file: String,
    /// The user's own configuration file looked at, if any.
    pub user_config_file: Option<String>,
    /// Why a configuration file cannot be used (`path:line:column:
    /// message`), if one cannot: none of the files' settings is in force.
    pub config_error: Option<String>,
    /// The counter has a machine key or a client certificate.
    pub enrolled: bool,
    /// The counter's id and site as enrolled, if known.
    pub counter_id: Option<String>,
    /// The site code the counter is enrolled to, if known.
    pub site_code: Option<String>,
    /// The central service revoked this counter.
    pub revoked: bool,
    /// Which source reads cards: `open_test_card` (PC/SC) or `ideas`.
    pub identity_source: String,
    /// The IDEAS endpoint, if configured (`EHR_IDEAS_ENDPOINT`).
    pub ideas_endpoint: Option<String>,
    /// Why the identity source will refuse every read (`ideas.unavailable`),
    /// if it will.
    pub identity_source_error: Option<String>,
    /// Whether the app runs in training mode.
    pub training_mode: bool,
    /// The data folder was enrolled in the other mode (training or
    /// production) than the app runs in (`counter.mode_mismatch`).
    pub mode_mismatch: bool,
}

impl DoctorReport {
    /// Whether anything in the report needs a field engineer's attention.
    pub fn healthy(&self) -> bool {
        self.data_dir_writable
            && self.config_error.is_none()
            && self.pcsc.reachable
            && self.central_url.is_some()
            && self.central_url_error.is_none()
            && self.identity_source_error.is_none()
            && !self.revoked
            && !self.mode_mismatch
    }
}

pub(crate) fn run(config: &Config) -> DoctorReport {
    let (data_dir_writable, data_dir_error) = match check_writable(&config.data_dir) {
        Ok(()) => (true, None),
        Err(e) => (false, Some(e.kind().to_string())),
    };
    let enrolment = crate::enrolment::view(config, false);
    DoctorReport {
        central_url_source: enrolment.central_url_source,
        config_file: config.config_file.display().to_string(),
        user_config_file: config
            .user_config_file
            .as_ref()
            .map(|f| f.display().to_string()),
        config_error: config.file_error.as_ref().map(ToString::to_string),
        enrolled: enrolment.enrolled,
        counter_id: enrolment.counter_id,
        site_code: enrolment.site.map(|s| s.code),
        revoked: enrolment.revoked,
        mode_mismatch: enrolment.mode_mismatch,
        version: crate::VERSION.to_owned(),
        data_dir: config.data_dir.display().to_string(),
        data_dir_writable,
        data_dir_error,
        pcsc: ehr_card_pcsc::probe(),
        central_url: config.central_url.clone(),
        central_url_error: config.central().err().map(|e| e.code),
        identity_source: crate::card::source_name(config.identity_source()).to_owned(),
        ideas_endpoint: config.ideas.endpoint.clone(),
        identity_source_error: match config.identity_source() {
            SourceKind::Ideas => ehr_card_ideas::IdeasSource::new(config.ideas.clone())
                .status()
                .err()
                .map(|e| e.code().to_owned()),
            _ => None,
        },
        training_mode: config.training_mode,
    }
}

/// Create the folder if needed and prove a file can be written in it.
fn check_writable(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(".doctor-probe");
    std::fs::write(&probe, b"ok")?;
    std::fs::remove_file(&probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writable_dir_is_created_and_reported() {
        let base = std::env::temp_dir().join(format!("ehr-doctor-{}", std::process::id()));
        let cfg = Config {
            data_dir: base.join("nested"),
            ..Config::from_lookup(|_| None)
        };
        let report = run(&cfg);
        assert!(report.data_dir_writable, "{report:?}");
        assert!(base.join("nested").is_dir());
        assert!(!report.healthy(), "no central configured, so not healthy");
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn unwritable_dir_is_reported_not_panicked() {
        // A path under a regular file can never be a folder.
        let file = std::env::temp_dir().join(format!("ehr-doctor-file-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let cfg = Config {
            data_dir: file.join("sub"),
            ..Config::from_lookup(|_| None)
        };
        let report = run(&cfg);
        assert!(!report.data_dir_writable);
        assert!(report.data_dir_error.is_some());
        std::fs::remove_file(&file).unwrap();
    }

    #[test]
    fn the_ideas_endpoint_selects_ideas_and_says_it_cannot_read_yet() {
        let dir = std::env::temp_dir().join(format!("ehr-doctor-ideas-{}", std::process::id()));
        let cfg = Config::from_lookup(|k| match k {
            crate::config::ENV_DATA_DIR => Some(dir.display().to_string()),
            crate::config::ENV_IDEAS_ENDPOINT => Some("https://ideas.invalid".into()),
            crate::config::ENV_CENTRAL_URL => Some("http://central.example".into()),
            _ => None,
        });
        let r = run(&cfg);
        assert_eq!(r.identity_source, "ideas");
        assert_eq!(r.ideas_endpoint.as_deref(), Some("https://ideas.invalid"));
        assert_eq!(
            r.identity_source_error.as_deref(),
            Some("ideas.unavailable")
        );
        assert_eq!(
            r.central_url_error,
            Some(ehr_protocol::ErrorCode::CentralInsecureUrl)
        );
        assert!(!r.healthy());
        let plain = run(&Config {
            data_dir: dir.clone(),
            ..Config::from_lookup(|_| None)
        });
        assert_eq!(plain.identity_source, "open_test_card");
        assert_eq!(plain.identity_source_error, None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
