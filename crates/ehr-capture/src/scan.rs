//! The scanner folder: the folder a counter's flatbed or document camera
//! saves into. The caller polls it (the app every second); a file is
//! offered once it is *stable*, the same size and modification time on two
//! consecutive polls, so a file the scanner is still writing is not taken.
//! Hidden files and the usual partial-download names are ignored. No
//! threads, no clock: the poll is the caller's.
//!
//! After a capture the caller first stores the bytes encrypted, then calls
//! [`ScanFolder::remove`], so no plain copy of the document stays in the
//! folder; if the removal fails the caller must say so (the file still holds
//! the document).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::CaptureError;
use crate::Limits;

/// A stable file in the scanner folder.
#[derive(Clone, PartialEq, Eq)]
pub struct ScanFile {
    /// Its path (inside the folder).
    pub path: PathBuf,
    /// Its size when it was found stable.
    pub bytes_len: u64,
}

impl fmt::Debug for ScanFile {
    // A file name can be anything a person typed (even a name): not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanFile")
            .field("path", &"<redacted>")
            .field("bytes_len", &self.bytes_len)
            .finish()
    }
}

/// A watched scanner folder.
pub struct ScanFolder {
    dir: PathBuf,
    max_file_bytes: u64,
    /// Size and modification time at the last poll, of files not yet offered.
    pending: HashMap<PathBuf, (u64, Option<SystemTime>)>,
    /// Files offered, with the size and time they were offered at (offered
    /// again only if they change).
    offered: HashMap<PathBuf, (u64, Option<SystemTime>)>,
}

impl fmt::Debug for ScanFolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanFolder")
            .field("pending", &self.pending.len())
            .field("offered", &self.offered.len())
            .finish_non_exhaustive()
    }
}

/// Whether a file name is one the scanner folder ignores: hidden, or a
/// temporary or partial file.
pub fn ignored_name(name: &str) -> bool {
    const TEMP: [&str; 8] = [
        ".part",
        ".partial",
        ".tmp",
        ".temp",
        ".crdownload",
        ".download",
        ".swp",
        ".filepart",
    ];
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || TEMP.iter().any(|t| lower.ends_with(t))
}

impl ScanFolder {
    /// Watches `dir`, reading files up to `limits.max_file_bytes`.
    pub fn new(dir: impl Into<PathBuf>, limits: &Limits) -> ScanFolder {
        ScanFolder {
            dir: dir.into(),
            max_file_bytes: limits.max_file_bytes,
            pending: HashMap::new(),
            offered: HashMap::new(),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The files that became stable since the last poll: seen with the
    /// same size (not zero) and modification time on this poll and the one
    /// before. Each is returned once (again only if it changes). Symbolic
    /// links, folders, hidden and temporary files are ignored.
    pub fn poll(&mut self) -> io::Result<Vec<ScanFile>> {
        let mut now: HashMap<PathBuf, (u64, Option<SystemTime>)> = HashMap::new();
        for entry in fs::read_dir(&self.dir)? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if ignored_name(name) {
                continue;
            }
            // symlink_metadata: a link is not followed (nor taken).
            let Ok(meta) = fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if !meta.file_type().is_file() {
                continue;
            }
            now.insert(entry.path(), (meta.len(), meta.modified().ok()));
        }
        let mut stable = Vec::new();
        for (path, seen) in &now {
            if self.offered.get(path) == Some(seen) {
                continue;
            }
            if seen.0 > 0 && self.pending.get(path) == Some(seen) {
                stable.push(ScanFile {
                    path: path.clone(),
                    bytes_len: seen.0,
                });
            }
        }
        let offered_now: HashSet<&PathBuf> = stable.iter().map(|f| &f.path).collect();
        // Forget files that are gone; keep what was offered, unchanged.
        self.offered.retain(|p, v| now.get(p) == Some(v));
        for p in &offered_now {
            if let Some(v) = now.get(*p) {
                self.offered.insert((*p).clone(), *v);
            }
        }
        self.pending = now
            .into_iter()
            .filter(|(p, _)| !self.offered.contains_key(p))
            .collect();
        stable.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(stable)
    }

    /// The bytes of `file`, refused without reading it in full when it is
    /// over the size limit.
    pub fn read(&self, file: &ScanFile) -> Result<Vec<u8>, CaptureError> {
        read_file(&file.path, self.max_file_bytes)
    }

    /// Deletes `file` from the folder: call it only once its bytes are
    /// stored (encrypted).
    pub fn remove(&mut self, file: &ScanFile) -> io::Result<()> {
        fs::remove_file(&file.path)?;
        self.offered.remove(&file.path);
        self.pending.remove(&file.path);
        Ok(())
    }
}

/// Reads a file of at most `max_bytes`: a larger file is refused from its
/// size, and a file that grows while being read is never read past the limit.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, CaptureError> {
    let file = fs::File::open(path).map_err(|_| CaptureError::Unreadable)?;
    let meta = file.metadata().map_err(|_| CaptureError::Unreadable)?;
    if !meta.is_file() {
        return Err(CaptureError::Unreadable);
    }
    if meta.len() > max_bytes {
        return Err(CaptureError::FileTooLarge { max_bytes });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|_| CaptureError::Unreadable)?;
    if bytes.len() as u64 > max_bytes {
        return Err(CaptureError::FileTooLarge { max_bytes });
    }
    Ok(bytes)
}
