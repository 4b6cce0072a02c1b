//! SQLite storage: one file in the data directory, WAL with
//! `synchronous=FULL`, forward-only migrations tracked in `user_version`.
//!
//! Writes go through a single writer connection behind a mutex (SQLite has
//! one writer at a time anyway; serialising in-process avoids busy retries),
//! reads through a small pool of reader connections, which WAL lets run
//! beside the writer. Every request runs in exactly one transaction: see
//! [`Db::write`] and [`Db::read`]. Both block; async callers go through
//! `tokio::task::spawn_blocking`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version
/// `i + 1`. Never edit one that has shipped: add a new one.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_audit_actor.sql"),
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
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
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
    /// Opens (creating if needed) the database in `data_dir` and brings its
    /// schema up to date. Refuses a schema newer than this build.
    pub fn open(data_dir: &Path) -> Result<Db> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let mut writer = Connection::open(&path)?;
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Internal("the database refused WAL mode"));
        }
        configure(&writer)?;
        migrate(&mut writer)?;
        Ok(Db {
            path,
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
        let conn = Connection::open_with_flags(
            &self.path,
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
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", schema_version() + 1)
            .unwrap();
        drop(conn);
        match Db::open(dir.path()) {
            Err(Error::SchemaTooNew { found, .. }) => assert_eq!(found, schema_version() + 1),
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }
}
