//! `ehrctl support bundle`: what the helpdesk needs when something goes
//! wrong, in one file they can be sent: the doctor's report, the versions,
//! the queue's status (counts, ages and the attention list by type and code:
//! no summaries) and the last logs (which hold no personal data). Nothing
//! from the store's contents, no key, no configuration secrets.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `ehrctl support` commands.
#[derive(Debug, clap::Subcommand)]
pub enum SupportCommand {
    /// Write a support bundle (a .tar.gz, mode 0600) for the helpdesk.
    Bundle {
        /// Where to write it (default: `ehr-counter-support-<time>.tar.gz`
        /// in the current folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(command: &SupportCommand) -> ExitCode {
    let SupportCommand::Bundle { out } = command;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let out = out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("ehr-counter-support-{now}.tar.gz")));
    match bundle(&out) {
        Ok(n) => {
            println!("{}: {n} files", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))
}

fn bundle(out: &Path) -> Result<usize, String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("a temporary folder: {e}"))?;
    let root = tmp.path().join("ehr-counter-support");
    std::fs::create_dir_all(root.join("logs")).map_err(|e| e.to_string())?;
    let app = ehr_app::App::new(ehr_app::Config::from_env());
    let doctor = serde_json::to_string_pretty(&app.doctor()).map_err(|e| e.to_string())?;
    write(&root, "doctor.json", &doctor)?;
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_owned())
            })
        })
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| k.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into());
    write(
        &root,
        "versions.txt",
        &format!(
            "ehrctl {}\nehr-counter {}\nos {os}\nkernel {kernel}\n",
            env!("CARGO_PKG_VERSION"),
            ehr_app::VERSION
        ),
    )?;
    let queue = match crate::queue::status_now(&app) {
        Ok(v) => serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?,
        Err(e) => {
            serde_json::json!({"error": e.code.as_str(), "message_en": e.message_en}).to_string()
        }
    };
    write(&root, "queue-status.json", &queue)?;
    let mut files = 3;
    let logs = ehr_app::logs::dir(|k| std::env::var(k).ok());
    if let Ok(entries) = std::fs::read_dir(&logs) {
        for e in entries.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().contains(".log") && e.path().is_file() {
                std::fs::copy(e.path(), root.join("logs").join(&name))
                    .map_err(|err| format!("{}: {err}", name.to_string_lossy()))?;
                files += 1;
            }
        }
    }
    // Created private before anything is written into it.
    {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        o.open(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let status = std::process::Command::new("tar")
        .arg("-czf")
        .arg(out)
        .arg("-C")
        .arg(tmp.path())
        .arg("ehr-counter-support")
        .status()
        .map_err(|e| format!("tar: {e}"))?;
    if !status.success() {
        return Err(format!("tar failed ({status})"));
    }
    Ok(files)
}
