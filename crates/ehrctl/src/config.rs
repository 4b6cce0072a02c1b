//! `ehrctl config check`: whether the configuration files can be used,
//! and what is in force (and from where), before the app is started.

use std::path::PathBuf;
use std::process::ExitCode;

/// `ehrctl config` commands.
#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Check the configuration files (or one file) and print the settings
    /// in force with where each comes from; exit 1 naming the line of a
    /// mistake.
    Check {
        /// Check this file alone (for example before installing it).
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

pub fn run(command: &ConfigCommand) -> ExitCode {
    match command {
        ConfigCommand::Check { file: Some(file) } => match ehr_app::config_file::read(file) {
            Ok(Some(s)) => {
                println!("ok: {}", file.display());
                print_settings(&s);
                ExitCode::SUCCESS
            }
            Ok(None) => {
                eprintln!("error: {}: no such file", file.display());
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        ConfigCommand::Check { file: None } => {
            let c = ehr_app::Config::from_env();
            if let Some(e) = &c.file_error {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
            let files: Vec<PathBuf> = std::iter::once(c.config_file.clone())
                .chain(c.user_config_file.clone())
                .collect();
            for f in &files {
                let state = if f.exists() { "read" } else { "absent" };
                println!("{state}: {}", f.display());
            }
            let env = |k: &str| std::env::var(k).is_ok_and(|v| !v.trim().is_empty());
            let from = |key: &str, set: bool| {
                if env(key) {
                    format!("(from {key})")
                } else if set {
                    "(from the file)".to_owned()
                } else {
                    "(default)".to_owned()
                }
            };
            let s = ehr_app::config_file::read_all(&files).unwrap_or_default();
            println!(
                "central_url        {} {}",
                c.central_url.as_deref().unwrap_or("none"),
                match c.central_source {
                    ehr_protocol::ipc::CentralUrlSource::Environment => "(from EHR_CENTRAL_URL)",
                    ehr_protocol::ipc::CentralUrlSource::ConfigFile => "(from the file)",
                    ehr_protocol::ipc::CentralUrlSource::Enrolment => "(from the enrolment)",
                    ehr_protocol::ipc::CentralUrlSource::None => "",
                }
            );
            let path = |p: &Option<PathBuf>| {
                p.as_ref()
                    .map_or_else(|| "none".to_owned(), |p| p.display().to_string())
            };
            println!(
                "central_ca         {} {}",
                path(&c.central_ca),
                from(ehr_app::config::ENV_CENTRAL_CA, s.central_ca.is_some())
            );
            println!(
                "client_certificate {} {}",
                path(&c.client_identity),
                from(
                    ehr_app::config::ENV_CLIENT_CERT,
                    s.client_certificate.is_some()
                )
            );
            println!(
                "idle_lock_minutes  {} {}",
                c.idle_lock_fallback_minutes,
                if s.idle_lock_minutes.is_some() {
                    "(from the file, until the central service's policy is known)"
                } else {
                    "(default, until the central service's policy is known)"
                }
            );
            println!(
                "log_level          {} {}",
                c.log_level,
                from(ehr_app::config::ENV_LOG, s.log_level.is_some())
            );
            println!(
                "scan_folder        {} {}",
                path(&c.scan_folder),
                from(ehr_app::config::ENV_SCAN_FOLDER, s.scan_folder.is_some())
            );
            println!(
                "printer            {} {}",
                c.printer.as_deref().unwrap_or("the system's default"),
                from(ehr_app::config::ENV_PRINTER, s.printer.is_some())
            );
            println!(
                "save_folder        {} {}",
                c.save_folder.display(),
                from(ehr_app::config::ENV_SAVE_FOLDER, s.save_folder.is_some())
            );
            ExitCode::SUCCESS
        }
    }
}

fn print_settings(s: &ehr_app::config_file::FileSettings) {
    let line = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            println!("{k:<18} {v}");
        }
    };
    line("central_url", s.central_url.clone());
    line(
        "central_ca",
        s.central_ca.as_ref().map(|p| p.display().to_string()),
    );
    line(
        "client_certificate",
        s.client_certificate
            .as_ref()
            .map(|p| p.display().to_string()),
    );
    line(
        "idle_lock_minutes",
        s.idle_lock_minutes.map(|m| m.to_string()),
    );
    line("log_level", s.log_level.clone());
    line(
        "scan_folder",
        s.scan_folder.as_ref().map(|p| p.display().to_string()),
    );
    line("printer", s.printer.clone());
    line(
        "save_folder",
        s.save_folder.as_ref().map(|p| p.display().to_string()),
    );
}
