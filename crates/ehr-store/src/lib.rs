//! The counter's local store: one SQLCipher-encrypted SQLite file in the
//! data folder.
//!
//! It holds the local records of what the clerk did, the outbox of
//! operations for the central service (with their document images), the
//! cache of lookups fetched at this counter, and the local audit log. Every
//! change and its outbox rows commit in one transaction
//! ([`Store::commit_change`]); the sync driver reads the outbox and records
//! the central service's answers ([`Store::record_results`]).
//!
//! - **Encryption.** SQLCipher with a raw 256-bit key (no passphrase
//!   derivation) from the OS keyring, or from a key file with mode 0600 on
//!   machines without one (see [`key`]). A wrong or missing key is an error;
//!   an existing database is never replaced by a new empty one.
//! - **Durability.** WAL with `synchronous=FULL`: a committed change survives
//!   a power cut, not just a crash.
//! - **Migrations.** Forward-only, tracked in `user_version`; a file written
//!   by a newer build is refused with [`StoreError::NewerSchema`].
//! - **Time.** Every method that needs the time takes `now_ms` (Unix
//!   milliseconds): the store reads no clock.

pub mod audit;
pub mod documents;
pub mod error;
pub mod key;
pub mod staff;
pub mod tasks;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use ehr_protocol::audit::AuditAction;
use ehr_protocol::ipc::AttentionItem;
use ehr_protocol::wire::batch::{BatchOp, Operation, Outcome, QueuedOperation, ENVELOPE_VERSION};
use ehr_protocol::ErrorCode;
use ehr_sync::{OpId, QueuedOp};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

pub use audit::{AuditEntry, ChainBreak, ChainReport, NewAudit};
pub use documents::{CaptureInfo, HeldCapture, KeptSlip, NewSlip};
pub use error::{Result, StoreError};
pub use key::{KeyPolicy, KeySource};
pub use staff::{CachedReference, SignInFailures, StaffVerifier};
pub use tasks::TaskDraft;

/// The database file's name in the data folder.
pub const DB_FILE: &str = "counter.db";

/// The lock file that makes opening a folder's store one process at a time.
pub const OPEN_LOCK_FILE: &str = "store.lock";

#[cfg(unix)]
fn private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

#[cfg(not(unix))]
fn private(_: &Path) -> Result<()> {
    Ok(())
}

/// The migrations, in order: migration `i` brings the schema to `i + 1`.
macro_rules! migrations {
    ($($next:expr),*) => {
        &[
            include_str!("migrations/0001_outbox.sql"),
            include_str!("migrations/0002_audit_chain.sql"),
            include_str!("migrations/0003_staff_verifiers.sql"),
            include_str!("migrations/0004_documents.sql"),
            include_str!("migrations/0005_task_drafts.sql"),
            $($next,)*
        ]
    };
}

/// The migrations, in order: migration `i` brings the schema to `i + 1`.
#[cfg(not(feature = "upgrade-test-migration"))]
pub const MIGRATIONS: &[&str] = migrations!();

/// The migrations of the upgrade test's second package (`tests/packages`):
/// this build's, and one more, as the next release's store would have.
#[cfg(feature = "upgrade-test-migration")]
pub const MIGRATIONS: &[&str] = migrations!(include_str!("migrations/upgrade_test_next.sql"));

/// The migration (its index in [`MIGRATIONS`]) after whose SQL the rows of
/// the audit log are chained, in Rust, in the same transaction.
const AUDIT_CHAIN_MIGRATION: usize = 1;

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// A new operation for the outbox. Its `Debug` names the operation type and
/// the image size only: the operation carries personal data.
#[derive(Clone)]
pub struct NewOp {
    /// The operation. For [`Operation::UploadDocument`] the bytes go in
    /// `attachment` and `data_base64` is left empty.
    pub op: Operation,
    /// The document image an upload carries.
    pub attachment: Option<Vec<u8>>,
}

/// One local change: a record and the operations that carry it. Its
/// `Debug` leaves out the summary and the operations' contents.
#[derive(Clone)]
pub struct Change {
    /// The local record (`[A-Za-z0-9_:.-]{1,64}`, the wire's `record_key`).
    pub record_key: String,
    /// What kind of record (`walk_in`, `newborn`, …).
    pub kind: String,
    /// What the attention list shows for it (masked numbers only).
    pub summary: String,
    /// The operations, in the order they must reach the service.
    pub ops: Vec<NewOp>,
}

impl std::fmt::Debug for NewOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewOp")
            .field("op", &self.op.type_name())
            .field("attachment_bytes", &self.attachment.as_ref().map(Vec::len))
            .finish()
    }
}

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change")
            .field("record_key", &self.record_key)
            .field("kind", &self.kind)
            .field("ops", &self.ops)
            .finish_non_exhaustive()
    }
}

/// The service's answer for one operation, as the driver records it.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Applied (now or before): the outcome as the service gave it.
    Done(Outcome),
    /// Refused: the code, and the outcome if the service gave one per op.
    Attention {
        /// The code (a conflict or rejection code, or a whole-batch refusal's).
        code: String,
        /// The service's per-operation outcome, if any.
        outcome: Option<Outcome>,
    },
}

/// Counts for the status bar and `ehrctl queue status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    /// Changes waiting to be sent (audit events not counted: a clerk's
    /// "waiting" is about the people they served).
    pub queued: u64,
    /// Audit events waiting to be sent to the service's copy of the chain.
    pub audit_queued: u64,
    /// Rows on the attention list.
    pub attention: u64,
    /// Rows done and kept for the retention period.
    pub done: u64,
    /// Rows a supervisor discarded.
    pub discarded: u64,
    /// When the oldest queued row was saved.
    pub oldest_queued_at_ms: Option<i64>,
    /// When the service last answered a batch.
    pub last_success_at_ms: Option<i64>,
}

/// What [`Store::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `PRAGMA integrity_check`'s answer (`ok` when sound).
    pub integrity: String,
    /// SQLCipher's version (proves the file is opened encrypted).
    pub cipher_version: String,
    /// `PRAGMA cipher_integrity_check` found no page with a bad HMAC.
    pub cipher_pages_ok: bool,
    /// The schema version in the file.
    pub schema_version: i64,
    /// Where the key is.
    pub key_source: KeySource,
    /// How many rows each table holds (counts only: support reads them to
    /// see that nothing was lost, say across an upgrade).
    pub rows: Vec<(String, i64)>,
}

/// The tables [`Verification::rows`] counts.
const COUNTED_TABLES: [&str; 8] = [
    "local_records",
    "outbox",
    "attachments",
    "lookup_cache",
    "audit_log",
    "staff_verifiers",
    "held_captures",
    "task_drafts",
];

/// What [`Store::load_batch`] found for the wire.
#[derive(Debug, Default)]
pub struct LoadedBatch {
    /// The operations to send, in the order asked for.
    pub ops: Vec<(OpId, BatchOp)>,
    /// Rows that cannot go yet: an earlier row of their record is queued
    /// and not in this batch (another process on the data folder queued it,
    /// and the engine has not seen it). The caller reloads from the store.
    pub behind: Vec<OpId>,
    /// Rows that can never be sent, with the reason: the attention list's.
    pub unsendable: Vec<(OpId, ErrorCode)>,
}

/// A local audit row: staff code, subject, detail.
pub type AuditRow = (String, Option<String>, Option<String>);

/// What [`Store::purge`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    /// Done outbox rows past the retention period.
    pub done: u64,
    /// Synced local records left with no outbox row.
    pub records: u64,
    /// Expired cache entries.
    pub cache: u64,
    /// Kept slips past the retention period.
    pub slips: u64,
    /// Held captures of a task that never finished (older than a day).
    pub captures: u64,
    /// Tasks in progress nobody came back to within a day.
    pub drafts: u64,
}

/// The local store. One per data folder; not shared between threads
/// (wrap it in a mutex).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    key_source: KeySource,
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL with FULL: every commit is synced to disk before it returns.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Temporary tables and indexes stay in memory, never in a plain file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = schema_version();
    if found > known {
        return Err(StoreError::NewerSchema { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have applied it meanwhile.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        if i == AUDIT_CHAIN_MIGRATION {
            audit::chain_existing(&tx)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn open_keyed(path: &Path, key: &key::Key) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // SQLCipher logs decryption failures to stderr; the error is ours to report.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.pragma())?;
    let cipher: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .optional()?;
    if cipher.is_none_or(|v| v.is_empty()) {
        return Err(StoreError::NoCipher);
    }
    // The first read decrypts page 1: a wrong key fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn)
}

fn now_u(ms: i64) -> u64 {
    ms.max(0) as u64
}

impl Store {
    /// Open the store in `dir`, creating it (and its key) when the folder
    /// never had one. An existing store opens only with its own key.
    pub fn open(dir: &Path, policy: KeyPolicy) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(DB_FILE);
        // Two processes starting on a new folder at once must not both make
        // a key: opening (and creating) is one at a time per folder.
        let guard = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(OPEN_LOCK_FILE))?;
        guard.lock()?;
        let (conn, key_source) = if path.exists() {
            let (key, source) = key::existing(dir)?;
            (open_keyed(&path, &key)?, source)
        } else if key::had_store(dir)? {
            return Err(StoreError::DatabaseMissing);
        } else {
            let (key, source) = key::create(dir, policy)?;
            let conn = open_keyed(&path, &key)?;
            // Encrypted or not, the files are this user's only.
            private(&path)?;
            key::commit(dir, source)?;
            (conn, source)
        };
        configure(&conn)?;
        let mut conn = conn;
        migrate(&mut conn)?;
        drop(guard);
        Ok(Store {
            conn,
            dir: dir.to_owned(),
            key_source,
        })
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The files SQLite keeps for this store (database, WAL, shared memory).
    pub fn files(&self) -> Vec<PathBuf> {
        ["", "-wal", "-shm"]
            .iter()
            .map(|s| self.dir.join(format!("{DB_FILE}{s}")))
            .collect()
    }

    /// Commit one change: its record and its outbox rows, in one transaction.
    /// Returns the queued operations for the sync engine.
    pub fn commit_change(&mut self, change: &Change, now_ms: i64) -> Result<Vec<QueuedOp>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let queued = insert_change(&tx, change, now_ms)?;
        tx.commit()?;
        Ok(queued)
    }

    /// Commit one change and the audit event that says it was submitted, in
    /// one transaction. Returns the queued operations (the change's, then
    /// the audit event's) for the sync engine.
    pub fn commit_change_audited(
        &mut self,
        change: &Change,
        audit: &NewAudit<'_>,
        now_ms: i64,
    ) -> Result<Vec<QueuedOp>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut queued = insert_change(&tx, change, now_ms)?;
        queued.extend(audit::append(&tx, audit, now_ms)?);
        tx.commit()?;
        Ok(queued)
    }

    /// Record an audit event: its link in the chain and its operation for
    /// the central service, in one transaction. Returns the queued
    /// operation for the sync engine.
    pub fn append_audit(&mut self, event: &NewAudit<'_>, now_ms: i64) -> Result<Vec<QueuedOp>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let queued = audit::append(&tx, event, now_ms)?;
        tx.commit()?;
        Ok(queued)
    }

    /// Walk the audit chain: the first broken link, if any.
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        audit::verify(&self.conn)
    }

    /// The audit events recorded at or after `since_ms`, in chain order.
    pub fn audit_since(&self, since_ms: i64) -> Result<Vec<AuditEntry>> {
        audit::since(&self.conn, since_ms)
    }

    fn ops_in(&self, state: &str) -> Result<Vec<QueuedOp>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, record_key, bytes FROM outbox WHERE state = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([state], |r| {
            Ok(QueuedOp {
                id: r.get(0)?,
                record_key: r.get(1)?,
                bytes: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The rows waiting to be sent, oldest first.
    pub fn queued(&self) -> Result<Vec<QueuedOp>> {
        self.ops_in("queued")
    }

    /// The rows on the attention list, oldest first.
    pub fn attention(&self) -> Result<Vec<QueuedOp>> {
        self.ops_in("attention")
    }

    /// The wire operations for `ids`, in that order, with their images, as
    /// the bytes fixed when each was queued. Rows that are no longer queued
    /// are left out; rows that can never be sent (they no longer decode, or
    /// are larger than any batch may be) are listed apart with their reason,
    /// so the driver puts them on the attention list and the rest go on.
    pub fn load_batch(&self, ids: &[OpId]) -> Result<LoadedBatch> {
        let mut st = self.conn.prepare_cached(
            "SELECT idempotency_key, record_key, seq, op, bytes FROM outbox WHERE id = ?1 AND state = 'queued'",
        )?;
        let mut att = self
            .conn
            .prepare_cached("SELECT data FROM attachments WHERE outbox_id = ?1")?;
        let mut before = self.conn.prepare_cached(
            "SELECT id FROM outbox WHERE record_key = ?1 AND seq < ?2 AND state = 'queued'",
        )?;
        let mut out = LoadedBatch::default();
        for &id in ids {
            let row = st
                .query_row([id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                })
                .optional()?;
            let Some((key, record_key, seq, op, bytes)) = row else {
                continue;
            };
            // The service takes a record's rows in order only.
            let earlier: Vec<OpId> = before
                .query_map(params![record_key, seq], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if earlier.iter().any(|e| !ids.contains(e)) {
                out.behind.push(id);
                continue;
            }
            if bytes.max(0) as u64 > ehr_protocol::wire::batch::MAX_OP_BYTES {
                out.unsendable.push((id, ErrorCode::OutboxTooLarge));
                continue;
            }
            // The bytes go as they were queued; this build must still read
            // them (else the service could not either).
            let decoded = QueuedOperation::from_json(op)
                .ok()
                .and_then(|q| q.decode().ok().map(|o| (q, o)));
            let (Some((queued, decoded)), Ok(idempotency_key)) = (decoded, Uuid::parse_str(&key))
            else {
                out.unsendable.push((id, ErrorCode::OutboxUndecodable));
                continue;
            };
            let mut attachment_base64 = None;
            if let Operation::UploadDocument(_) = decoded {
                let data: Option<Vec<u8>> = att.query_row([id], |r| r.get(0)).optional()?;
                attachment_base64 =
                    data.map(|d| base64::engine::general_purpose::STANDARD.encode(d));
            }
            out.ops.push((
                id,
                BatchOp {
                    v: ENVELOPE_VERSION,
                    idempotency_key,
                    record_key,
                    seq: seq.max(0) as u64,
                    op: queued,
                    attachment_base64,
                },
            ));
        }
        Ok(out)
    }

    /// Record the service's answers in one transaction, and when it answered.
    pub fn record_results(&mut self, results: &[(OpId, Resolution)], now_ms: i64) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, res) in results {
            let record: Option<String> = tx
                .query_row(
                    "SELECT record_key FROM outbox WHERE id = ?1 AND state = 'queued'",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(record) = record else { continue };
            match res {
                Resolution::Done(outcome) => {
                    tx.execute(
                        "UPDATE outbox SET state = 'done', acked_at = ?2, result = ?3, attempts = attempts + 1 WHERE id = ?1",
                        params![id, now_ms, serde_json::to_string(outcome)?],
                    )?;
                    // The attachment has reached the service: drop the bytes now.
                    tx.execute("DELETE FROM attachments WHERE outbox_id = ?1", [id])?;
                    if let Outcome::Applied { result } | Outcome::Duplicate { result } = outcome {
                        if let ehr_protocol::wire::batch::OpEffect::Registered {
                            ehr_number, ..
                        } = result
                        {
                            tx.execute(
                                "UPDATE local_records SET ehr_number = ?2 WHERE record_key = ?1",
                                params![record, ehr_number],
                            )?;
                        }
                    }
                }
                Resolution::Attention { code, outcome } => {
                    tx.execute(
                        "UPDATE outbox SET state = 'attention', acked_at = ?2, result = ?3, attention_code = ?4,
                         attempts = attempts + 1 WHERE id = ?1",
                        params![
                            id,
                            now_ms,
                            outcome.as_ref().map(serde_json::to_string).transpose()?,
                            code
                        ],
                    )?;
                }
            }
            refresh_record_status(&tx, &record, now_ms)?;
        }
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('last_success_at', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [now_ms.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The clerk retries a row on the attention list. If the service judged
    /// it (a conflict or rejection, final for its key), it gets a new
    /// idempotency key and a sequence above every one its record has used,
    /// and the record's later queued rows follow it. If the service never
    /// judged it (its whole request was refused), it goes again unchanged.
    /// Returns the retried row, then the audit event's operation.
    pub fn retry(
        &mut self,
        id: OpId,
        staff_code: &str,
        now_ms: i64,
    ) -> Result<(QueuedOp, Vec<QueuedOp>)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let AttentionRow {
            record,
            bytes,
            judged,
            ..
        } = attention_row(&tx, id)?;
        if judged {
            renumber_for_retry(&tx, id, &record)?;
        }
        // The service's refusal is final for a key it judged: a new key. An
        // operation it never judged (its whole request was refused) goes
        // again as it was, same key and sequence, so whatever the service
        // may hold for it counts.
        tx.execute(
            "UPDATE outbox SET state = 'queued', attention_code = NULL, resolved_by = ?3,
             idempotency_key = coalesce(?2, idempotency_key) WHERE id = ?1",
            params![id, judged.then(|| Uuid::new_v4().to_string()), staff_code],
        )?;
        refresh_record_status(&tx, &record, now_ms)?;
        let audit = audit::append(
            &tx,
            &NewAudit {
                counter_id: None,
                staff_code,
                action: AuditAction::OutboxRetry.as_str(),
                subject: Some(&id.to_string()),
                detail: None,
            },
            now_ms,
        )?;
        tx.commit()?;
        Ok((
            QueuedOp {
                id,
                record_key: record,
                bytes: bytes.max(0) as u64,
            },
            audit,
        ))
    }

    /// A supervisor discards a row on the attention list, with a reason. The
    /// discard is audited locally and queued as an audit event for the
    /// central service (returned, for the sync engine), in one transaction.
    pub fn discard(
        &mut self,
        id: OpId,
        staff_code: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<Vec<QueuedOp>> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::ReasonRequired);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let AttentionRow {
            record,
            op_type,
            key,
            ..
        } = attention_row(&tx, id)?;
        let changed = tx.execute(
            "UPDATE outbox SET state = 'discarded', resolved_by = ?2, resolve_reason = ?3
             WHERE id = ?1 AND state = 'attention'",
            params![id, staff_code, reason],
        )?;
        if changed != 1 {
            return Err(StoreError::NotAttention);
        }
        tx.execute("DELETE FROM attachments WHERE outbox_id = ?1", [id])?;
        refresh_record_status(&tx, &record, now_ms)?;
        // Audited in the chain (the reason stays here; its hash is sent),
        // naming the supervisor: it may reach the service under the next
        // clerk's session.
        let subject = format!("{op_type}:{key}");
        let queued = audit::append(
            &tx,
            &NewAudit {
                counter_id: None,
                staff_code,
                action: AuditAction::OutboxDiscard.as_str(),
                subject: Some(&subject),
                detail: Some(reason),
            },
            now_ms,
        )?;
        tx.commit()?;
        Ok(queued)
    }

    /// The attention list, oldest first, with the reasons in words.
    pub fn attention_items(&self) -> Result<Vec<AttentionItem>> {
        let mut st = self.conn.prepare_cached(
            "SELECT o.id, o.op_type, r.summary, o.attention_code, o.result, o.created_at
             FROM outbox o JOIN local_records r USING (record_key)
             WHERE o.state = 'attention' ORDER BY o.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, op_type, summary, code, result, created) = row?;
            let outcome: Option<Outcome> = result.and_then(|r| serde_json::from_str(&r).ok());
            let parsed: ErrorCode = code
                .as_deref()
                .and_then(|c| serde_json::from_value(serde_json::Value::String(c.to_owned())).ok())
                .unwrap_or(ErrorCode::Internal);
            let (mut en, mut zh) = {
                let (e, z) = parsed.messages();
                (e.to_owned(), z.to_owned())
            };
            let mut fields = Vec::new();
            match outcome {
                Some(Outcome::Conflict {
                    reason_en,
                    reason_zh,
                    ..
                }) => {
                    en = reason_en;
                    zh = reason_zh;
                }
                Some(Outcome::Rejected { field_errors }) => {
                    fields = field_errors.into_iter().map(|f| f.field).collect();
                }
                _ => {}
            }
            out.push(AttentionItem {
                id,
                op_type,
                summary,
                code: parsed,
                reason_en: en,
                reason_zh: zh,
                fields,
                saved_at_ms: now_u(created),
            });
        }
        Ok(out)
    }

    /// Counts and ages for the status bar.
    pub fn stats(&self) -> Result<QueueStats> {
        let count = |state: &str| -> Result<u64> {
            Ok(self.conn.query_row(
                "SELECT count(*) FROM outbox WHERE state = ?1",
                [state],
                |r| r.get::<_, i64>(0),
            )? as u64)
        };
        let audit_queued = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'queued' AND record_key LIKE 'audit-chain:%'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64;
        let oldest: Option<i64> = self.conn.query_row(
            "SELECT min(created_at) FROM outbox WHERE state = 'queued' AND record_key NOT LIKE 'audit-chain:%'",
            [],
            |r| r.get(0),
        )?;
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM sync_state WHERE key = 'last_success_at'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(QueueStats {
            queued: count("queued")?.saturating_sub(audit_queued),
            audit_queued,
            attention: count("attention")?,
            done: count("done")?,
            discarded: count("discarded")?,
            oldest_queued_at_ms: oldest,
            last_success_at_ms: last.and_then(|v| v.parse().ok()),
        })
    }

    /// Remove done rows acknowledged more than `retention_ms` ago, the synced
    /// records they leave without rows, expired cache entries, kept slips
    /// older than `retention_ms` and held captures older than a day. Queued
    /// and attention rows are never purged; discarded rows (and their
    /// records) stay as the audit trail of the discard.
    pub fn purge(&mut self, now_ms: i64, retention_ms: i64) -> Result<Purged> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done = tx.execute(
            "DELETE FROM outbox WHERE state = 'done' AND acked_at < ?1",
            [now_ms.saturating_sub(retention_ms)],
        )? as u64;
        // A synced record whose rows are all purged keeps nothing worth its
        // personal data (its summary): it goes too. Its sequence stays.
        let records = tx.execute(
            "DELETE FROM local_records WHERE status = 'synced' AND updated_at < ?1
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_key = local_records.record_key)",
            [now_ms.saturating_sub(retention_ms)],
        )? as u64;
        let cache = tx.execute("DELETE FROM lookup_cache WHERE expires_at <= ?1", [now_ms])? as u64;
        let (slips, captures) = documents::purge(&tx, now_ms, retention_ms)?;
        let drafts = tasks::purge(&tx, now_ms)?;
        tx.commit()?;
        Ok(Purged {
            done,
            records,
            cache,
            slips,
            captures,
            drafts,
        })
    }

    /// Whether a write reaches the disk now: a small committed write (the
    /// time of this probe), synced like every commit. A full disk or an I/O
    /// error is its error.
    pub fn probe_write(&mut self, now_ms: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES ('write_probe_at', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [now_ms.to_string()],
        )?;
        Ok(())
    }

    /// Keep a lookup's answer for `ttl_ms`.
    pub fn cache_put(&mut self, key: &str, value: &str, ttl_ms: i64, now_ms: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO lookup_cache (cache_key, value, stored_at, expires_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value,
               stored_at = excluded.stored_at, expires_at = excluded.expires_at",
            params![key, value, now_ms, now_ms.saturating_add(ttl_ms)],
        )?;
        Ok(())
    }

    /// A cached lookup, if it has not expired.
    pub fn cache_get(&self, key: &str, now_ms: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM lookup_cache WHERE cache_key = ?1 AND expires_at > ?2",
                params![key, now_ms],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Forget a cached lookup (it was used).
    pub fn cache_remove(&mut self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM lookup_cache WHERE cache_key = ?1", [key])?;
        Ok(())
    }

    /// The local audit rows with `action`, newest last: (staff, subject, detail).
    pub fn audit_rows(&self, action: &str) -> Result<Vec<AuditRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT staff_code, subject, detail FROM audit_log WHERE action = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Check the file: SQLite's integrity check, SQLCipher's page HMACs, the
    /// schema version, and where the key is.
    pub fn verify(&self) -> Result<Verification> {
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let cipher_version: String = self
            .conn
            .query_row("PRAGMA cipher_version", [], |r| r.get(0))?;
        let mut st = self.conn.prepare("PRAGMA cipher_integrity_check")?;
        let bad = st.query_map([], |r| r.get::<_, String>(0))?.count();
        let schema_version = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let mut rows = Vec::new();
        for table in COUNTED_TABLES {
            let n: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            rows.push((table.to_owned(), n));
        }
        Ok(Verification {
            integrity,
            cipher_version,
            cipher_pages_ok: bad == 0,
            schema_version,
            key_source: self.key_source,
            rows,
        })
    }

    /// Where the key is.
    pub fn key_source(&self) -> KeySource {
        self.key_source
    }

    /// The idempotency key, sequence and state of a row (for tests and support).
    pub fn row(&self, id: OpId) -> Result<(Uuid, u64, String)> {
        let (k, s, st): (String, i64, String) = self.conn.query_row(
            "SELECT idempotency_key, seq, state FROM outbox WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok((
            Uuid::parse_str(&k).map_err(|_| StoreError::Encoding)?,
            s.max(0) as u64,
            st,
        ))
    }

    /// The record's status and eHR number (once the service assigned one).
    pub fn record(&self, record_key: &str) -> Result<(String, Option<String>)> {
        Ok(self.conn.query_row(
            "SELECT status, ehr_number FROM local_records WHERE record_key = ?1",
            [record_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}

fn insert_change(tx: &Connection, change: &Change, now_ms: i64) -> Result<Vec<QueuedOp>> {
    if change.ops.is_empty() {
        // A record with nothing to send would wait for ever.
        return Err(StoreError::EmptyChange);
    }
    tx.execute(
        "INSERT INTO local_records (record_key, kind, summary, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'queued', ?4, ?4)
         ON CONFLICT (record_key) DO UPDATE
           SET summary = excluded.summary, updated_at = excluded.updated_at",
        params![change.record_key, change.kind, change.summary, now_ms],
    )?;
    let mut seq: i64 = tx
        .query_row(
            "SELECT last_seq FROM record_seq WHERE record_key = ?1",
            [&change.record_key],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let mut queued = Vec::with_capacity(change.ops.len());
    for new in &change.ops {
        seq += 1;
        let json = serde_json::to_string(&new.op)?;
        let bytes = json.len() as u64
            + new
                .attachment
                .as_ref()
                .map_or(0, |a| (a.len() as u64).div_ceil(3) * 4);
        tx.execute(
            "INSERT INTO outbox (idempotency_key, record_key, seq, op_type, op, bytes, state, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
            params![
                Uuid::new_v4().to_string(),
                change.record_key,
                seq,
                new.op.type_name(),
                json,
                bytes as i64,
                now_ms
            ],
        )?;
        let id = tx.last_insert_rowid();
        if let (Operation::UploadDocument(u), Some(data)) = (&new.op, &new.attachment) {
            tx.execute(
                "INSERT INTO attachments (image_id, outbox_id, data) VALUES (?1, ?2, ?3)",
                params![u.image_id.to_string(), id, data],
            )?;
        }
        queued.push(QueuedOp {
            id,
            record_key: change.record_key.clone(),
            bytes,
        });
    }
    tx.execute(
        "INSERT INTO record_seq (record_key, last_seq) VALUES (?1, ?2)
         ON CONFLICT (record_key) DO UPDATE SET last_seq = excluded.last_seq",
        params![change.record_key, seq],
    )?;
    // Queued now, unless an earlier operation of the record still waits
    // for a clerk.
    refresh_record_status(tx, &change.record_key, now_ms)?;
    Ok(queued)
}

/// What retry and discard need of a row on the attention list.
struct AttentionRow {
    record: String,
    op_type: String,
    key: String,
    bytes: i64,
    /// The service gave a per-operation outcome (a conflict or rejection).
    judged: bool,
}

/// The row `id`, if it is on the attention list (read inside the caller's
/// transaction, so the state cannot change under it).
fn attention_row(tx: &Connection, id: OpId) -> Result<AttentionRow> {
    let (row, state) = tx
        .query_row(
            "SELECT record_key, op_type, idempotency_key, bytes, result IS NOT NULL, state
             FROM outbox WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    AttentionRow {
                        record: r.get(0)?,
                        op_type: r.get(1)?,
                        key: r.get(2)?,
                        bytes: r.get(3)?,
                        judged: r.get(4)?,
                    },
                    r.get::<_, String>(5)?,
                ))
            },
        )
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if state != "attention" {
        return Err(StoreError::NotAttention);
    }
    Ok(row)
}

/// Give a retried row, then its record's queued rows in order, sequences
/// above any the service has seen for the record.
fn renumber_for_retry(tx: &Connection, id: OpId, record: &str) -> Result<()> {
    let mut seq: i64 = tx.query_row(
        "SELECT last_seq FROM record_seq WHERE record_key = ?1",
        [record],
        |r| r.get(0),
    )?;
    let mut rows: Vec<i64> = {
        let mut st = tx.prepare(
            "SELECT id FROM outbox WHERE record_key = ?1 AND state = 'queued' ORDER BY id",
        )?;
        let rows = st.query_map([record], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    rows.push(id);
    rows.sort_unstable();
    for row in rows {
        seq += 1;
        tx.execute(
            "UPDATE outbox SET seq = ?2 WHERE id = ?1",
            params![row, seq],
        )?;
    }
    tx.execute(
        "UPDATE record_seq SET last_seq = ?2 WHERE record_key = ?1",
        params![record, seq],
    )?;
    Ok(())
}

/// A record is `attention` while any of its rows is, `queued` while any is
/// queued, `discarded` when every row was discarded, else `synced`.
fn refresh_record_status(conn: &Connection, record: &str, now_ms: i64) -> Result<()> {
    conn.execute(
        "UPDATE local_records SET updated_at = ?2, status = (
           SELECT CASE
             WHEN sum(state = 'attention') > 0 THEN 'attention'
             WHEN sum(state = 'queued') > 0 THEN 'queued'
             WHEN count(*) > 0 AND sum(state = 'discarded') = count(*) THEN 'discarded'
             ELSE 'synced' END
           FROM outbox WHERE record_key = ?1)
         WHERE record_key = ?1",
        params![record, now_ms],
    )?;
    Ok(())
}

#[cfg(test)]
mod documents_tests;
#[cfg(test)]
mod tests;
