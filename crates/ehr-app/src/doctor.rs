//! `ehrctl doctor`: what a field engineer needs to see first.

use serde::Serialize;
use std::path::Path;

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
    /// Whether the app runs in training mode.
    pub training_mode: bool,
}

impl DoctorReport {
    /// Whether anything in the report needs a field engineer's attention.
    pub fn healthy(&self) -> bool {
        self.data_dir_writable && self.pcsc.reachable && self.central_url.is_some()
    }
}

pub(crate) fn run(config: &Config) -> DoctorReport {
    let (data_dir_writable, data_dir_error) = match check_writable(&config.data_dir) {
        Ok(()) => (true, None),
        Err(e) => (false, Some(e.kind().to_string())),
    };
    DoctorReport {
        version: crate::VERSION.to_owned(),
        data_dir: config.data_dir.display().to_string(),
        data_dir_writable,
        data_dir_error,
        pcsc: ehr_card_pcsc::probe(),
        central_url: config.central_url.clone(),
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
}
