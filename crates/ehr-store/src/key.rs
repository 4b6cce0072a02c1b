//! Where the store's 256-bit key lives: the OS keyring (Secret Service over
//! D-Bus) when this session has one, else a key file readable by this user
//! only (mode 0600). `store.json` beside the database records which, so a
//! later start looks in the right place and never makes a new key for an
//! existing database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};

/// The key file's name in the data folder.
pub const KEY_FILE: &str = "store.key";
/// The marker file's name in the data folder.
pub const MARKER_FILE: &str = "store.json";
/// The keyring service name.
pub const KEYRING_SERVICE: &str = "ehr-counter";

/// Where a new key may be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    /// The keyring when this session has a D-Bus session bus, else the key file.
    Auto,
    /// The key file only (machines without a keyring, tests).
    FileOnly,
}

/// Where this store's key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The OS keyring.
    Keyring,
    /// The key file, mode 0600.
    File,
}

impl KeySource {
    /// As `ehrctl db verify` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeySource::Keyring => "keyring",
            KeySource::File => "file",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    format: u32,
    key: KeySource,
}

/// A 256-bit key, as the 64 hex digits SQLCipher's raw-key syntax takes.
#[derive(Clone)]
pub(crate) struct Key(String);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    fn generate() -> Result<Key> {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(|_| StoreError::Io(std::io::ErrorKind::Other))?;
        Ok(Key(b.iter().map(|x| format!("{x:02x}")).collect()))
    }

    fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        (s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit()))
            .then(|| Key(s.to_ascii_lowercase()))
    }

    /// The `PRAGMA key` statement (a raw key: no passphrase derivation).
    pub(crate) fn pragma(&self) -> String {
        format!("PRAGMA key = \"x'{}'\";", self.0)
    }
}

/// The keyring entry's user name: the data folder, canonical, so the same
/// folder named another way (a trailing slash, a link) finds the same key.
pub fn keyring_user(dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    format!("store:{}", dir.display())
}

fn keyring_usable() -> bool {
    // Without a session bus libdbus would try to autolaunch one; a counter
    // PC's desktop session always has one, a service account does not.
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
}

/// How long a keyring call may take, unless `EHR_COUNTER_KEYRING_TIMEOUT_S`
/// says otherwise (1 to 600 seconds; a support setting). A keyring that
/// wants to show an unlock prompt nobody can answer (a locked collection, no
/// desktop) would otherwise hang the store's opening for ever; the app opens
/// the store off its UI thread, so the window answers meanwhile.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

/// The environment variable that sets the keyring's time limit, in seconds.
pub const ENV_KEYRING_TIMEOUT: &str = "EHR_COUNTER_KEYRING_TIMEOUT_S";

fn keyring_timeout() -> Duration {
    std::env::var(ENV_KEYRING_TIMEOUT)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=600).contains(s))
        .map_or(KEYRING_TIMEOUT, Duration::from_secs)
}

/// Run `f` against this store's keyring entry on a thread of its own, and
/// give up after its time limit ([`KEYRING_TIMEOUT`] by default).
fn with_entry<T: Send + 'static>(
    dir: &Path,
    f: impl FnOnce(&keyring::Entry) -> Option<T> + Send + 'static,
) -> Option<T> {
    with_entry_of(keyring_user(dir), f)
}

/// [`with_entry`] for the keyring entry of user name `user`.
fn with_entry_of<T: Send + 'static>(
    user: String,
    f: impl FnOnce(&keyring::Entry) -> Option<T> + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let out = keyring::Entry::new(KEYRING_SERVICE, &user)
                .ok()
                .and_then(|e| f(&e));
            let _ = tx.send(out);
        })
        .ok()?;
    rx.recv_timeout(keyring_timeout()).ok().flatten()
}

fn read_marker(dir: &Path) -> Result<Option<KeySource>> {
    match std::fs::read(dir.join(MARKER_FILE)) {
        Ok(b) => Ok(Some(serde_json::from_slice::<Marker>(&b)?.key)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether this data folder ever held a store.
pub(crate) fn had_store(dir: &Path) -> Result<bool> {
    Ok(read_marker(dir)?.is_some())
}

fn key_file(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

fn load_file(dir: &Path) -> Result<Option<Key>> {
    let path = key_file(dir);
    match std::fs::read_to_string(&path) {
        Ok(s) => {
            tighten(&path)?;
            Key::parse(&s).map(Some).ok_or(StoreError::WrongKey)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(unix)]
fn tighten(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_: &Path) -> Result<()> {
    Ok(())
}

fn write_file(dir: &Path, key: &Key) -> Result<()> {
    let path = key_file(dir);
    let tmp = dir.join(format!("{KEY_FILE}.tmp"));
    // A leftover (or planted) temporary file is removed, and the new one is
    // created exclusively: never a file, or a link, someone else made.
    match std::fs::remove_file(&tmp) {
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
    let mut f = opts.open(&tmp)?;
    f.write_all(key.0.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    sync_dir(dir)
}

/// Make a rename in `dir` durable (the directory entry itself).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn write_marker(dir: &Path, source: KeySource) -> Result<()> {
    let tmp = dir.join(format!("{MARKER_FILE}.tmp"));
    let body = serde_json::to_vec(&Marker {
        format: 1,
        key: source,
    })?;
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(&body)?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(MARKER_FILE))?;
    sync_dir(dir)
}

/// The key of the existing store in `dir`: where the marker says, else
/// wherever one is found. Never makes one.
pub(crate) fn existing(dir: &Path) -> Result<(Key, KeySource)> {
    let keyring = || -> Option<Key> {
        if !keyring_usable() {
            return None;
        }
        with_entry(dir, |e| e.get_password().ok()).and_then(|s| Key::parse(&s))
    };
    match read_marker(dir)? {
        Some(KeySource::File) => load_file(dir)?
            .map(|k| (k, KeySource::File))
            .ok_or(StoreError::KeyMissing),
        Some(KeySource::Keyring) => keyring()
            .map(|k| (k, KeySource::Keyring))
            .ok_or(StoreError::KeyMissing),
        None => match load_file(dir)? {
            Some(k) => Ok((k, KeySource::File)),
            None => keyring()
                .map(|k| (k, KeySource::Keyring))
                .ok_or(StoreError::KeyMissing),
        },
    }
}

/// A new key for a new store in `dir`, kept where `policy` allows.
pub(crate) fn create(dir: &Path, policy: KeyPolicy) -> Result<(Key, KeySource)> {
    let key = Key::generate()?;
    if policy == KeyPolicy::Auto && keyring_usable() {
        let secret = key.0.clone();
        let stored = with_entry(dir, move |e| {
            e.set_password(&secret).ok()?;
            // Read it back: only a key the keyring really holds counts.
            (e.get_password().ok()? == secret).then_some(())
        });
        if stored.is_some() {
            return Ok((key, KeySource::Keyring));
        }
    }
    write_file(dir, &key)?;
    Ok((key, KeySource::File))
}

/// Record where the key of the store just created is.
pub(crate) fn commit(dir: &Path, source: KeySource) -> Result<()> {
    write_marker(dir, source)
}

/// The keyring entry's user name of another secret of this data folder
/// (`what`, for example `counter`: the counter's machine key), beside the
/// store's own (`store:…`).
fn secret_user(what: &str, dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    format!("{what}:{}", dir.display())
}

/// Whether a secret may be kept in the keyring here (a session bus, and
/// `policy` allows it).
pub fn keyring_allowed(policy: KeyPolicy) -> bool {
    policy == KeyPolicy::Auto && keyring_usable()
}

/// Keep another secret of the data folder `dir` (`what`: `counter` for the
/// machine key) in the keyring, with the store key's time limit; `true`
/// only when the keyring holds it afterwards (read back).
pub fn keep_secret_in_keyring(dir: &Path, what: &str, secret: &str) -> bool {
    if !keyring_usable() {
        return false;
    }
    let secret = secret.to_owned();
    with_entry_of(secret_user(what, dir), move |e| {
        e.set_password(&secret).ok()?;
        (e.get_password().ok()? == secret).then_some(())
    })
    .is_some()
}

/// The secret `what` of the data folder `dir` from the keyring, if it holds
/// one (`None` also when the keyring does not answer in time).
pub fn secret_from_keyring(dir: &Path, what: &str) -> Option<String> {
    if !keyring_usable() {
        return None;
    }
    with_entry_of(secret_user(what, dir), |e| e.get_password().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Forget the secret `what` of the data folder `dir` in the keyring.
pub fn forget_secret_in_keyring(dir: &Path, what: &str) {
    if keyring_usable() {
        let _ = with_entry_of(secret_user(what, dir), |e| e.delete_credential().ok());
    }
}
