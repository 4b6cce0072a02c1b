//! SQLite storage: one SQLCipher-encrypted file in the data directory, WAL
//! with `synchronous=FULL`, forward-only migrations tracked in
//! `user_version`.
//!
//! Every connection is keyed (see [`crate::key`]) and checks that SQLCipher
//! answers `PRAGMA cipher_version`, so no build ever writes personal data
//! in plain text. The data folder is 0700 and its files 0600.
//!
//! Writes go through a single writer connection behind a mutex (SQLite has
//! one writer at a time anyway; serialising in-process avoids busy retries),
//! reads through a small pool of reader connections, which WAL lets run
//! beside the writer. Every request runs in exactly one transaction: see
//! [`Db::write`] and [`Db::read`]. Both block; async callers go through
//! `tokio::task::spawn_blocking`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::key::{self, Key};

/// The migrations, in order; migration `i` brings the schema to version
/// `i + 1`. Never edit one that has shipped: add a new one.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_audit_actor.sql"),
    include_str!("migrations/0003_sign_offs.sql"),
    include_str!("migrations/0004_audit_chain.sql"),
    include_str!("migrations/0005_staff_status.sql"),
    include_str!("migrations/0006_counter_revocation.sql"),
    include_str!("migrations/0007_record_sdm_contact_images.sql"),
    include_str!("migrations/0008_work_items.sql"),
];

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "central.sqlite3";

/// How many reader connections to keep.
const READERS: usize = 32;

/// The database.
#[derive(Debug)]
pub struct Db {
    path: PathBuf,
    key: Key,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// The files SQLite keeps for the database in `data_dir` (database, WAL,
/// shared memory).
pub fn files(data_dir: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| data_dir.join(format!("{DB_FILE}{s}")))
        .collect()
}

/// Opens the database file with `key`; refuses a SQLite without SQLCipher
/// and a key that does not decrypt the file.
fn open_keyed(path: &Path, key: &Key, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    // SQLCipher logs decryption failures to stderr; the error is ours to report.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.pragma())?;
    let cipher: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .optional()?;
    if cipher.is_none_or(|v| v.is_empty()) {
        return Err(Error::NoCipher);
    }
    // The first read decrypts page 1: a wrong key fails here.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(conn),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(Error::Undecryptable)
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens the existing database in `data_dir` with its key, read-write,
/// for tools and tests that look inside (never creates one).
pub fn open_existing_keyed(data_dir: &Path) -> Result<Connection> {
    let path = data_dir.join(DB_FILE);
    if !path.is_file() {
        return Err(Error::NoDatabase(data_dir.to_owned()));
    }
    let key = key::load(data_dir, false)?;
    let conn = open_keyed(
        &path,
        &key,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// A consistent online copy of the database in `data_dir` into `out` (a
/// new data folder, 0700): one read transaction's snapshot (writers go on
/// meanwhile), exported with SQLCipher's `sqlcipher_export` under the same
/// key, with the schema version; the key file copied beside it (0600)
/// unless `with_key` is false (then it opens only with the original's key,
/// for example a systemd credential). `ehr-central check --data-dir OUT`
/// checks the copy. Refuses an `out` that already holds a database.
pub fn backup(data_dir: &Path, out: &Path, with_key: bool) -> Result<()> {
    let target = out.join(DB_FILE);
    if target.exists() {
        return Err(Error::Usage(format!(
            "{} already holds a database: choose an empty folder",
            out.display()
        )));
    }
    key::private_folder(out, &[])?;
    let conn = open_existing_keyed(data_dir)?;
    let key = key::load(data_dir, false)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let path = target
        .to_str()
        .ok_or_else(|| Error::Usage("the backup folder's path is not UTF-8".into()))?
        .replace('\'', "''");
    key::create_private_empty(&target)?;
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{path}' AS backup KEY \"{}\";",
        key.literal()
    ))?;
    let copied = (|| -> Result<()> {
        conn.execute_batch("BEGIN")?;
        conn.query_row("SELECT sqlcipher_export('backup')", [], |_| Ok(()))?;
        conn.execute_batch(&format!("PRAGMA backup.user_version = {version}; COMMIT"))?;
        Ok(())
    })();
    let _ = conn.execute_batch("DETACH DATABASE backup");
    if let Err(e) = copied {
        let _ = conn.execute_batch("ROLLBACK");
        let _ = std::fs::remove_file(&target);
        return Err(e);
    }
    if with_key {
        key::write_private(&out.join(key::KEY_FILE), key.literal_hex().as_bytes())?;
    }
    Ok(())
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves SQLite consistent (the
    // transaction rolls back on drop), so a poisoned lock is usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Db {
    /// Opens (creating if needed, with its key) the database in `data_dir`
    /// and brings its schema up to date. Refuses a schema newer than this
    /// build, and a database that does not open with its key.
    pub fn open(data_dir: &Path) -> Result<Db> {
        Db::open_with(data_dir, true)
    }

    /// Opens the existing database in `data_dir`; never creates one.
    pub fn open_existing(data_dir: &Path) -> Result<Db> {
        Db::open_with(data_dir, false)
    }

    fn open_with(data_dir: &Path, create: bool) -> Result<Db> {
        let path = data_dir.join(DB_FILE);
        let exists = std::fs::symlink_metadata(&path).is_ok();
        if !exists && !create {
            return Err(Error::NoDatabase(data_dir.to_owned()));
        }
        key::private_folder(data_dir, &files(data_dir))?;
        let key = key::load(data_dir, !exists)?;
        if !exists {
            key::create_private_empty(&path)?;
        }
        let mut writer = open_keyed(
            &path,
            &key,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Internal("the database refused WAL mode"));
        }
        configure(&writer)?;
        migrate(&mut writer)?;
        Ok(Db {
            path,
            key,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one immediate (write) transaction, committed if `f`
    /// returns `Ok`, rolled back otherwise.
    pub fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| E::from(Error::Sqlite(e)))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| E::from(Error::Sqlite(e)))?;
        Ok(out)
    }

    /// Runs `f` in one read transaction on a reader connection.
    pub fn read<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let pooled = lock(&self.readers).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => self.open_reader().map_err(E::from)?,
        };
        let out = {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(|e| E::from(Error::Sqlite(e)))?;
            let out = f(&tx);
            // Read-only: rolling back ends the snapshot either way.
            let _ = tx.rollback();
            out
        };
        let mut pool = lock(&self.readers);
        if pool.len() < READERS {
            pool.push(conn);
        }
        out
    }

    fn open_reader(&self) -> Result<Connection> {
        let conn = open_keyed(
            &self.path,
            &self.key,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn)?;
        Ok(conn)
    }

    /// Runs SQLite's integrity and foreign-key checks and the service's own
    /// consistency checks; returns the problems found (empty when healthy).
    pub fn check(&self) -> Result<Vec<String>> {
        let conn = lock(&self.writer);
        let mut problems = Vec::new();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            let r = r?;
            if r != "ok" {
                problems.push(format!("integrity: {r}"));
            }
        }
        // SQLCipher's page HMACs: a page changed outside SQLCipher.
        let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            problems.push(format!("cipher: {}", r?));
        }
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let n = stmt.query_map([], |r| r.get::<_, String>(0))?.count();
        if n > 0 {
            problems.push(format!("foreign keys: {n} violation(s)"));
        }
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version != schema_version() {
            problems.push(format!(
                "schema version {version}, expected {}",
                schema_version()
            ));
        }
        let checks: &[(&str, &str)] = &[
            (
                "activated applications without a record",
                "SELECT count(*) FROM applications a WHERE a.state = 'activated' \
                 AND NOT EXISTS (SELECT 1 FROM records r WHERE r.settled_application = a.reference)",
            ),
            (
                "records without a notification",
                "SELECT count(*) FROM records r WHERE NOT EXISTS \
                 (SELECT 1 FROM notification_outbox n WHERE n.ehr_number = r.ehr_number)",
            ),
            (
                "sequences behind their operations",
                "SELECT count(*) FROM idempotency i JOIN record_sequences s \
                 ON s.counter_id = i.counter_id AND s.record_key = i.record_key \
                 WHERE i.seq > s.last_seq",
            ),
        ];
        for (what, sql) in checks {
            let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
            if n > 0 {
                problems.push(format!("{what}: {n}"));
            }
        }
        Ok(problems)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = schema_version();
    if found > supported {
        return Err(Error::SchemaTooNew { found, supported });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_and_refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let mode: String = db
            .read(|tx| Ok::<_, Error>(tx.pragma_query_value(None, "journal_mode", |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = db
            .write(|tx| Ok::<_, Error>(tx.pragma_query_value(None, "synchronous", |r| r.get(0))?))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        assert!(db.check().unwrap().is_empty());
        drop(db);
        // Reopening is a no-op.
        drop(Db::open(dir.path()).unwrap());
        let conn = open_existing_keyed(dir.path()).unwrap();
        conn.pragma_update(None, "user_version", schema_version() + 1)
            .unwrap();
        drop(conn);
        match Db::open(dir.path()) {
            Err(Error::SchemaTooNew { found, .. }) => assert_eq!(found, schema_version() + 1),
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn a_new_folder_is_private_and_keyed() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("central");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = Db::open(&dir).unwrap();
        db.write(|tx| Ok::<_, Error>(tx.execute("UPDATE counters SET name = name", [])?))
            .unwrap();
        assert_eq!(mode(&dir), 0o700);
        for f in files(&dir).iter().chain([&dir.join(key::KEY_FILE)]) {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
        // The key file holds the key: plain SQLite cannot read the file.
        let plain = Connection::open(dir.join(DB_FILE)).unwrap();
        assert!(plain
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                .get::<_, i64>(0))
            .is_err());
        drop(db);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_missing_or_open_key_and_never_replaces_the_database() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        drop(Db::open(dir.path()).unwrap());
        let key_file = dir.path().join(key::KEY_FILE);
        let db_file = dir.path().join(DB_FILE);
        let before = std::fs::read(&db_file).unwrap();
        // A key file others can read.
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(Db::open(dir.path()), Err(Error::Key(m)) if m.contains("0644")));
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        // Another key.
        let good = std::fs::read(&key_file).unwrap();
        std::fs::write(&key_file, "00".repeat(32)).unwrap();
        assert!(matches!(Db::open(dir.path()), Err(Error::Undecryptable)));
        // No key at all.
        std::fs::remove_file(&key_file).unwrap();
        assert!(matches!(Db::open(dir.path()), Err(Error::Key(_))));
        assert!(!key_file.exists(), "no new key for an existing database");
        assert_eq!(
            std::fs::read(&db_file).unwrap(),
            before,
            "the database is untouched"
        );
        // The right key opens it again.
        key::write_private(&key_file, &good).unwrap();
        assert!(Db::open(dir.path()).unwrap().check().unwrap().is_empty());
        // `check` never creates a database.
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            Db::open_existing(empty.path()),
            Err(Error::NoDatabase(_))
        ));
        assert!(!empty.path().join(DB_FILE).exists());
    }

    #[test]
    fn refuses_a_plain_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(conn);
        // Its key file is missing, and a key would not decrypt it anyway.
        assert!(matches!(Db::open(dir.path()), Err(Error::Key(_))));
        key::write_private(&dir.path().join(key::KEY_FILE), "11".repeat(32).as_bytes()).unwrap();
        assert!(matches!(Db::open(dir.path()), Err(Error::Undecryptable)));
        let plain = Connection::open(dir.path().join(DB_FILE)).unwrap();
        let x: i64 = plain
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(x, 1, "the plain file is left as it was");
    }
}
