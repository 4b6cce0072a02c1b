//! Server-side audit of access to personal data: every application and
//! record lookup is recorded (who, at which counter, what was returned;
//! never the search terms) in `audit_events`.
//!
//! Lookups run in read transactions, so their audit rows are handed to a
//! background writer thread that inserts them in batches, in their own
//! write transactions, within about 100 ms of the lookup.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

use rusqlite::params;

use crate::db::Db;
use crate::error::Error;
use crate::util::{now_unix, rfc3339};

/// How long the writer lets events accumulate before a commit.
const BATCH_WINDOW_MS: u64 = 100;

/// One access to personal data.
#[derive(Debug, Clone)]
pub struct Access {
    /// The counter.
    pub counter_id: String,
    /// The staff member.
    pub staff_code: String,
    /// What was done, for example `central.application_lookup`.
    pub action: &'static str,
    /// What was returned: an application reference or eHR number; `None`
    /// when nothing matched.
    pub subject: Option<String>,
}

/// The writer thread and the way to it. Dropping it writes what is still
/// waiting and waits for the thread to end, so no audit event is lost at
/// shutdown and the database is closed before the process exits (a
/// SQLCipher connection closed while the process runs its exit handlers
/// crashes it).
#[derive(Debug)]
pub struct AuditWriter {
    tx: Option<Sender<Access>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl AuditWriter {
    /// Hands one event to the writer.
    pub fn send(&self, event: Access) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(event);
        }
    }
}

impl Drop for AuditWriter {
    fn drop(&mut self) {
        // The writer ends once its channel is closed and empty.
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the writer.
pub fn spawn_writer(db: Arc<Db>) -> std::io::Result<AuditWriter> {
    let (tx, rx) = channel::<Access>();
    let thread = std::thread::Builder::new()
        .name("audit-writer".into())
        .spawn(move || run(&db, &rx))?;
    Ok(AuditWriter {
        tx: Some(tx),
        thread: Some(thread),
    })
}

fn run(db: &Db, rx: &Receiver<Access>) {
    while let Ok(first) = rx.recv() {
        // Let a burst accumulate: one commit (an fsync with
        // synchronous=FULL) per batch, not per lookup.
        std::thread::sleep(std::time::Duration::from_millis(BATCH_WINDOW_MS));
        let mut batch = vec![first];
        while batch.len() < 10_000 {
            match rx.try_recv() {
                Ok(e) => batch.push(e),
                Err(_) => break,
            }
        }
        let written = db.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO audit_events (counter_id, staff_code, at, action, subject, received_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let now = now_unix();
            for e in &batch {
                stmt.execute(params![
                    e.counter_id,
                    e.staff_code,
                    rfc3339(now),
                    e.action,
                    e.subject,
                    now
                ])?;
            }
            Ok::<_, Error>(())
        });
        if let Err(e) = written {
            tracing::error!(error = %e, events = batch.len(), "audit write failed");
        }
    }
}
