//! The database key and the data folder's permissions.
//!
//! The database is encrypted with SQLCipher under a raw 256-bit key (64 hex
//! digits, no passphrase derivation). The key comes from a systemd
//! credential, `$CREDENTIALS_DIRECTORY/ehr-central.key`, when that variable
//! is set, else from the key file `central.key` in the data folder, which is
//! made on the first start of a new folder (mode 0600). Never from the
//! command line or the environment itself. A key file anyone but its owner
//! can read is refused, and so is a database whose key file is missing: a
//! new key would not open it, and the database is never replaced.
//!
//! The data folder is kept at mode 0700 and every file the service writes
//! in it at 0600.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The key file's name inside the data folder.
pub const KEY_FILE: &str = "central.key";
/// The systemd credential's name (`LoadCredential=ehr-central.key:…` or
/// `LoadCredentialEncrypted=`).
pub const CREDENTIAL_NAME: &str = "ehr-central.key";

/// A 256-bit key, as the 64 hex digits SQLCipher's raw-key syntax takes.
#[derive(Clone)]
pub struct Key(String);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    fn generate() -> Result<Key> {
        let b = crate::util::random_bytes::<32>()?;
        Ok(Key(b.iter().map(|x| format!("{x:02x}")).collect()))
    }

    fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        (s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit()))
            .then(|| Key(s.to_ascii_lowercase()))
    }

    /// The `PRAGMA key` statement (a raw key: no passphrase derivation).
    pub(crate) fn pragma(&self) -> String {
        format!("PRAGMA key = \"{}\";", self.literal())
    }

    /// The key as SQLCipher's raw-key literal (`x'…'`).
    pub(crate) fn literal(&self) -> String {
        format!("x'{}'", self.0)
    }

    /// The key as its file holds it (hex).
    pub(crate) fn literal_hex(&self) -> &str {
        &self.0
    }
}

/// Where a data folder's key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A systemd credential.
    Credential(PathBuf),
    /// The key file in the data folder.
    File(PathBuf),
}

impl KeySource {
    /// Where the key is looked for: the systemd credential when
    /// `$CREDENTIALS_DIRECTORY` is set, else the data folder's key file.
    pub fn for_dir(data_dir: &Path) -> KeySource {
        match std::env::var_os("CREDENTIALS_DIRECTORY") {
            Some(d) if !d.is_empty() => {
                KeySource::Credential(PathBuf::from(d).join(CREDENTIAL_NAME))
            }
            _ => KeySource::File(data_dir.join(KEY_FILE)),
        }
    }

    /// The file the key is read from.
    pub fn path(&self) -> &Path {
        match self {
            KeySource::Credential(p) | KeySource::File(p) => p,
        }
    }
}

/// The key of the database in `data_dir`. With `new_database` (no database
/// file yet) a missing key file is made; otherwise it is an error.
pub fn load(data_dir: &Path, new_database: bool) -> Result<Key> {
    let source = KeySource::for_dir(data_dir);
    let path = source.path();
    match read(path)? {
        Some(k) => Ok(k),
        None => match source {
            KeySource::Credential(_) => Err(Error::Key(format!(
                "CREDENTIALS_DIRECTORY is set but holds no {CREDENTIAL_NAME}"
            ))),
            KeySource::File(_) if new_database => create(data_dir),
            KeySource::File(_) => Err(Error::Key(format!(
                "the database exists but its key file {} does not; refusing to start \
                 (a new key would not open it, and the database is never replaced)",
                path.display()
            ))),
        },
    }
}

/// The key at `path`, or `None` when there is no file.
fn read(path: &Path) -> Result<Option<Key>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !meta.file_type().is_file() {
        return Err(Error::Key(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::Key(format!(
                "{} has mode {mode:04o}: others can read it; make it 0600 (chmod 600)",
                path.display()
            )));
        }
    }
    let text = std::fs::read_to_string(path)?;
    Key::parse(&text).map(Some).ok_or_else(|| {
        Error::Key(format!(
            "{} does not hold a key (64 hex digits, as `openssl rand -hex 32` prints)",
            path.display()
        ))
    })
}

/// Makes the key file of a new data folder.
fn create(data_dir: &Path) -> Result<Key> {
    let key = Key::generate()?;
    let path = data_dir.join(KEY_FILE);
    let tmp = data_dir.join(format!("{KEY_FILE}.tmp"));
    write_new_private(&tmp, key.0.as_bytes())?;
    // Linking fails when the key file appeared meanwhile: never replace one.
    let linked = std::fs::hard_link(&tmp, &path);
    std::fs::remove_file(&tmp)?;
    match linked {
        Ok(()) => {
            sync_dir(data_dir)?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read(&path)?.ok_or(Error::Internal("key file vanished"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates `path` (removing a leftover file of that name first) with mode
/// 0600 and `bytes`, flushed to disk.
fn write_new_private(path: &Path, bytes: &[u8]) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Writes `bytes` to `path` in the data folder, readable by this user only
/// (through a temporary file and a rename: never a partly written file).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .ok_or(Error::Internal("a file name"))?
        .to_string_lossy();
    let tmp = path.with_file_name(format!("{name}.tmp"));
    write_new_private(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Creates the data folder if needed, and makes it (and the database files
/// in it) private: the folder 0700, the files 0600.
pub fn private_folder(data_dir: &Path, files: &[PathBuf]) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)?;
        let tighten = |p: &Path, mode: u32| -> Result<()> {
            match std::fs::symlink_metadata(p) {
                Ok(m) if m.permissions().mode() & 0o777 != mode => {
                    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))?;
                    Ok(())
                }
                Ok(_) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            }
        };
        tighten(data_dir, 0o700)?;
        for f in files {
            tighten(f, 0o600)?;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = files;
        std::fs::create_dir_all(data_dir)?;
    }
    Ok(())
}

/// Creates an empty database file with mode 0600, so SQLite's WAL and
/// shared-memory files (which take the database file's mode) are private too.
pub fn create_private_empty(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_strictly_and_never_print() {
        assert!(Key::parse(&"ab".repeat(32)).is_some());
        assert!(Key::parse(&format!("{}\n", "AB".repeat(32))).is_some());
        assert!(Key::parse(&"ab".repeat(31)).is_none());
        assert!(Key::parse(&"zz".repeat(32)).is_none());
        let k = Key::generate().unwrap();
        assert_eq!(format!("{k:?}"), "Key(..)");
    }
}
