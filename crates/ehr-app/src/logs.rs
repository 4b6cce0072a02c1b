//! Structured logs (issue #16, item 6): JSON lines in the user's state
//! folder (`$EHR_LOG_DIR`, else `$XDG_STATE_HOME/ehr-counter/logs`, else
//! `~/.local/state/ehr-counter/logs`), one file per program
//! (`ehr-counter.log`, `ehrctl.log`), rotated at 1 MiB with the last five
//! kept (`.1` the newest), the folder 0700 and the files 0600.
//!
//! **No personal data, ever.** What is logged is what happened and its
//! stable codes, counts and durations: never a name, a document number, an
//! address, a reference typed by a person, an access key or a payload. The
//! end-to-end suite's logs are scanned for every seeded name and number
//! (`tests/log_scan.rs`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::Config;

/// Environment variable naming the log folder (support and tests).
pub const ENV_LOG_DIR: &str = "EHR_LOG_DIR";

/// A log file grows to this many bytes before it is rotated.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Rotated files kept besides the current one.
pub const KEEP: usize = 5;

/// The log folder for this environment (see the module's docs).
pub fn dir(get: impl Fn(&str) -> Option<String>) -> PathBuf {
    let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
    non_empty(ENV_LOG_DIR)
        .map(PathBuf::from)
        .or_else(|| non_empty("XDG_STATE_HOME").map(|d| PathBuf::from(d).join("ehr-counter/logs")))
        .or_else(|| {
            non_empty("HOME").map(|h| PathBuf::from(h).join(".local/state/ehr-counter/logs"))
        })
        .unwrap_or_else(|| PathBuf::from("ehr-counter-logs"))
}

/// A log file that rotates itself by size.
pub struct RotatingFile {
    path: PathBuf,
    inner: Mutex<Option<(File, u64)>>,
}

impl RotatingFile {
    /// The log `name` (`ehr-counter`, `ehrctl`) in `dir`, created 0700.
    pub fn new(dir: &Path, name: &str) -> std::io::Result<RotatingFile> {
        create_private_dir(dir)?;
        Ok(RotatingFile {
            path: dir.join(format!("{name}.log")),
            inner: Mutex::new(None),
        })
    }

    /// The current file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open(&self) -> std::io::Result<(File, u64)> {
        let mut o = OpenOptions::new();
        o.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let f = o.open(&self.path)?;
        let len = f.metadata()?.len();
        Ok((f, len))
    }

    fn rotate(&self) -> std::io::Result<()> {
        let numbered = |i: usize| PathBuf::from(format!("{}.{i}", self.path.display()));
        let _ = std::fs::remove_file(numbered(KEEP));
        for i in (1..KEEP).rev() {
            let _ = std::fs::rename(numbered(i), numbered(i + 1));
        }
        std::fs::rename(&self.path, numbered(1))
    }

    /// Append one record (a whole line), rotating first when the file is
    /// full. A failure to log never stops the program.
    pub fn append(&self, line: &[u8]) {
        let Ok(mut guard) = self.inner.lock() else {
            return;
        };
        if guard.is_none() {
            *guard = self.open().ok();
        }
        if guard
            .as_ref()
            .is_some_and(|(_, len)| *len + line.len() as u64 > MAX_BYTES && *len > 0)
        {
            *guard = None;
            let _ = self.rotate();
            *guard = self.open().ok();
        }
        if let Some((f, len)) = guard.as_mut() {
            if f.write_all(line).is_ok() {
                *len += line.len() as u64;
            }
        }
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// One record's bytes on their way to the file (a record is written whole).
pub struct Record<'a> {
    file: &'a RotatingFile,
    buf: Vec<u8>,
}

impl Write for Record<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Record<'_> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.file.append(&self.buf);
        }
    }
}

impl<'a> MakeWriter<'a> for RotatingFile {
    type Writer = Record<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Record {
            file: self,
            buf: Vec::new(),
        }
    }
}

/// The filter for `level`: the project's own crates at `level`, everything
/// else at `warn` (a dependency at `debug` could print what it handles).
pub fn filter(level: &str) -> EnvFilter {
    let level = if crate::config_file::LOG_LEVELS.contains(&level) {
        level
    } else {
        "info"
    };
    let ours = [
        "ehr_counter",
        "ehrctl",
        "ehr_app",
        "ehr_sync",
        "ehr_store",
        "ehr_card_pcsc",
        "ehr_print",
    ];
    let mut spec = String::from("warn");
    for c in ours {
        spec.push_str(&format!(",{c}={level}"));
    }
    EnvFilter::new(spec)
}

/// Start logging for `program` at the configured level into the log folder
/// (`false` when the folder cannot be made: the program goes on without).
pub fn init(config: &Config, program: &str) -> bool {
    let dir = dir(|k| std::env::var(k).ok());
    let Ok(file) = RotatingFile::new(&dir, program) else {
        return false;
    };
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_span_list(false)
        .with_target(true)
        .with_env_filter(filter(&config.log_level))
        .with_writer(file)
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        return false;
    }
    tracing::info!(
        program,
        version = crate::VERSION,
        level = %config.log_level,
        training = config.training_mode,
        config_error = config.file_error.is_some(),
        "started"
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_comes_from_the_environment_then_xdg_then_home() {
        let get = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            dir(get(&[(ENV_LOG_DIR, "/l"), ("HOME", "/h")])),
            PathBuf::from("/l")
        );
        assert_eq!(
            dir(get(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h")])),
            PathBuf::from("/s/ehr-counter/logs")
        );
        assert_eq!(
            dir(get(&[("HOME", "/h")])),
            PathBuf::from("/h/.local/state/ehr-counter/logs")
        );
    }

    #[test]
    fn files_rotate_by_size_keeping_five_and_are_private() {
        let d = tempfile::tempdir().unwrap();
        let logs = d.path().join("logs");
        let f = RotatingFile::new(&logs, "ehrctl").unwrap();
        let line = vec![b'x'; 100 * 1024];
        for _ in 0..80 {
            let mut l = line.clone();
            l.push(b'\n');
            f.append(&l);
        }
        let mut names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "ehrctl.log",
                "ehrctl.log.1",
                "ehrctl.log.2",
                "ehrctl.log.3",
                "ehrctl.log.4",
                "ehrctl.log.5"
            ]
        );
        for n in &names {
            let len = std::fs::metadata(logs.join(n)).unwrap().len();
            assert!(len <= MAX_BYTES, "{n}: {len}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&logs), 0o700);
            assert_eq!(mode(&logs.join("ehrctl.log")), 0o600);
        }
    }

    #[test]
    fn a_record_is_one_json_line_without_the_values_it_is_not_given() {
        let d = tempfile::tempdir().unwrap();
        let f = RotatingFile::new(d.path(), "t").unwrap();
        let path = f.path().to_owned();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter("debug"))
            .with_writer(f)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "ehr_app", code = "conflict.expired", count = 2, "sync");
            tracing::debug!(target: "reqwest", "a dependency's debug is not written");
        });
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["fields"]["code"], "conflict.expired");
        assert_eq!(v["level"], "INFO");
    }
}
