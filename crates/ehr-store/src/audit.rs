//! The local audit log as a tamper-evident hash chain.
//!
//! Every row of `audit_log` is a link: its place (`seq`, from 1), the hash
//! of the row before (`prev_hash`) and its own hash over a canonical
//! encoding of its fields ([`ehr_protocol::audit::ChainEntry`]). The chain's
//! head (`audit_chain`) holds its id and its last link, so a row deleted
//! from the end is found too. Each event is queued for the central service
//! as an `audit_events` operation on one record per chain
//! (`audit-chain:<chain id>`), in the same transaction as its row: the sync
//! engine sends a record's operations in order, so the service receives the
//! chain in order and checks every link.
//!
//! SHA-256 is not a secret: whoever holds the store's key can rewrite the
//! whole chain from the first row they change. What such a rewrite cannot
//! change is the chain the central service already holds.

use ehr_protocol::audit::{
    check_next, detail_sha256, rfc3339_utc, to_hex, BreakKind, ChainEntry, GENESIS,
};
use ehr_protocol::wire::batch::{AuditEvent, AuditEvents, AuditLink, Operation};
use ehr_sync::QueuedOp;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::{insert_change, Change, NewOp, Result, StoreError};

/// The most events one queued operation carries (the service's limit).
const EVENTS_PER_OP: usize = 500;

/// An audit event to record. Its `Debug` shows everything: none of it is
/// personal data (the subject is a reference; a detail is a staff
/// member's words about the work, kept locally).
#[derive(Debug, Clone, Copy)]
pub struct NewAudit<'a> {
    /// The counter's id, if known now (else the last one this store was
    /// told, else empty).
    pub counter_id: Option<&'a str>,
    /// Who did it.
    pub staff_code: &'a str,
    /// What was done (an `AuditAction` code).
    pub action: &'a str,
    /// What it was done to: a reference (eHR number, masked document
    /// number, record key), never personal data.
    pub subject: Option<&'a str>,
    /// Free text kept on the counter (a discard's reason): only its
    /// SHA-256 is chained and sent.
    pub detail: Option<&'a str>,
}

/// One event of the chain, as `ehrctl audit list` shows it (no detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its place in the chain.
    pub seq: u64,
    /// When (Unix milliseconds).
    pub at_ms: i64,
    /// The counter.
    pub counter_id: String,
    /// Who.
    pub staff_code: String,
    /// What.
    pub action: String,
    /// To what (a reference).
    pub subject: Option<String>,
}

/// The first broken link of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number at which the chain stops holding.
    pub seq: u64,
    /// What is wrong there.
    pub kind: BreakKind,
}

/// What [`super::Store::verify_audit_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// The chain's id.
    pub chain_id: String,
    /// How many rows the log holds.
    pub events: u64,
    /// The last sequence number the chain's head records.
    pub head_seq: u64,
    /// The first broken link, if any.
    pub first_break: Option<ChainBreak>,
}

/// The record the chain's operations are queued under.
pub(crate) fn chain_record(chain_id: &str) -> String {
    format!("audit-chain:{chain_id}")
}

fn head(conn: &Connection) -> Result<(String, u64, [u8; 32])> {
    let (id, seq, hash): (String, i64, Vec<u8>) = conn.query_row(
        "SELECT chain_id, last_seq, last_hash FROM audit_chain WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::Encoding)?;
    Ok((id, seq.max(0) as u64, hash))
}

fn remembered_counter(conn: &Connection) -> Result<String> {
    Ok(conn
        .query_row(
            "SELECT value FROM sync_state WHERE key = 'counter_id'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

/// The wire event for a chained row.
fn wire_event(entry: &ChainEntry<'_>, hash: &[u8; 32]) -> AuditEvent {
    AuditEvent {
        at: rfc3339_utc(entry.at_ms),
        action: entry.action.to_owned(),
        subject: entry.subject.map(str::to_owned),
        actor: Some(entry.staff_code.to_owned()),
        chain: Some(AuditLink {
            chain_id: entry.chain_id.to_owned(),
            seq: entry.seq,
            at_ms: entry.at_ms,
            counter_id: entry.counter_id.to_owned(),
            detail_sha256: entry.detail_sha256.map(|d| to_hex(&d)),
            prev_hash: to_hex(&entry.prev_hash),
            hash: to_hex(hash),
        }),
    }
}

/// Queue `events` (in chain order) for the central service, on the
/// chain's record, in the caller's transaction.
fn queue(
    tx: &Connection,
    chain_id: &str,
    events: Vec<AuditEvent>,
    now_ms: i64,
) -> Result<Vec<QueuedOp>> {
    let mut queued = Vec::new();
    let mut events = events;
    while !events.is_empty() {
        let rest = events.split_off(events.len().min(EVENTS_PER_OP));
        let summary = match events.as_slice() {
            [one] => format!("Audit: {}", one.action),
            many => format!("Audit: {} events", many.len()),
        };
        queued.extend(insert_change(
            tx,
            &Change {
                record_key: chain_record(chain_id),
                kind: "audit".to_owned(),
                summary,
                ops: vec![NewOp {
                    op: Operation::AuditEvents(AuditEvents { events }),
                    attachment: None,
                }],
            },
            now_ms,
        )?);
        events = rest;
    }
    Ok(queued)
}

/// Append one event to the chain and queue it, in the caller's transaction.
pub(crate) fn append(tx: &Connection, ev: &NewAudit<'_>, now_ms: i64) -> Result<Vec<QueuedOp>> {
    let (chain_id, last_seq, last_hash) = head(tx)?;
    let counter_id = match ev.counter_id {
        Some(c) => {
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES ('counter_id', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [c],
            )?;
            c.to_owned()
        }
        None => remembered_counter(tx)?,
    };
    let seq = last_seq + 1;
    let entry = ChainEntry {
        chain_id: &chain_id,
        seq,
        at_ms: now_ms,
        counter_id: &counter_id,
        staff_code: ev.staff_code,
        action: ev.action,
        subject: ev.subject,
        detail_sha256: ev.detail.map(detail_sha256),
        prev_hash: last_hash,
    };
    let hash = entry.hash();
    tx.execute(
        "INSERT INTO audit_log (at, staff_code, action, subject, detail, seq, counter_id, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            now_ms,
            ev.staff_code,
            ev.action,
            ev.subject,
            ev.detail,
            seq as i64,
            counter_id,
            &last_hash[..],
            &hash[..]
        ],
    )?;
    tx.execute(
        "UPDATE audit_chain SET last_seq = ?1, last_hash = ?2 WHERE id = 1",
        params![seq as i64, &hash[..]],
    )?;
    let event = wire_event(&entry, &hash);
    queue(tx, &chain_id, vec![event], now_ms)
}

/// Right after `0002_audit_chain.sql`, in its transaction: start the chain
/// and link the rows a schema-1 store holds, in the order they were
/// written, and queue them for the central service (which keeps the chain
/// from its first link).
pub(crate) fn chain_existing(tx: &Connection) -> Result<()> {
    let chain_id = Uuid::new_v4().simple().to_string();
    type Row = (i64, i64, String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = {
        let mut st = tx.prepare(
            "SELECT id, at, staff_code, action, subject, detail FROM audit_log ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut prev = GENESIS;
    let mut events = Vec::with_capacity(rows.len());
    let mut latest = 0;
    for (i, (id, at, staff, action, subject, detail)) in rows.iter().enumerate() {
        let seq = i as u64 + 1;
        let entry = ChainEntry {
            chain_id: &chain_id,
            seq,
            at_ms: *at,
            // These rows were written before the counter kept its id.
            counter_id: "",
            staff_code: staff,
            action,
            subject: subject.as_deref(),
            detail_sha256: detail.as_deref().map(detail_sha256),
            prev_hash: prev,
        };
        let hash = entry.hash();
        tx.execute(
            "UPDATE audit_log SET seq = ?2, counter_id = '', prev_hash = ?3, hash = ?4 WHERE id = ?1",
            params![id, seq as i64, &prev[..], &hash[..]],
        )?;
        events.push(wire_event(&entry, &hash));
        prev = hash;
        latest = latest.max(*at);
    }
    tx.execute(
        "INSERT INTO audit_chain (id, chain_id, last_seq, last_hash) VALUES (1, ?1, ?2, ?3)",
        params![chain_id, rows.len() as i64, &prev[..]],
    )?;
    // The store reads no clock: the rows are queued as of the last of them.
    queue(tx, &chain_id, events, latest)?;
    Ok(())
}

type StoredRow = (
    Option<i64>,
    i64,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// Walk the chain in the order the rows were written and report the first
/// broken link: a row whose fields no longer match its hash, or whose
/// `prev_hash` is not the hash of the row before (edited); a sequence
/// number with no row (missing); a row not where its sequence number puts
/// it (out of order); a chain that ends before its head (missing).
pub(crate) fn verify(conn: &Connection) -> Result<ChainReport> {
    let (chain_id, head_seq, head_hash) = head(conn)?;
    let rows: Vec<StoredRow> = {
        let mut st = conn.prepare(
            "SELECT seq, at, counter_id, staff_code, action, subject, detail, prev_hash, hash
             FROM audit_log ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let present: std::collections::HashSet<i64> = rows.iter().filter_map(|r| r.0).collect();
    let (mut last_seq, mut last_hash) = (0u64, GENESIS);
    let mut first_break = None;
    for (seq, at, counter, staff, action, subject, detail, prev, hash) in &rows {
        let expected = last_seq + 1;
        let fixed = |b: &Option<Vec<u8>>| -> Option<[u8; 32]> {
            b.as_deref().and_then(|b| <[u8; 32]>::try_from(b).ok())
        };
        let (Some(seq), Some(prev), Some(hash)) = (seq, fixed(prev), fixed(hash)) else {
            first_break = Some(ChainBreak {
                seq: expected,
                kind: BreakKind::Edited,
            });
            break;
        };
        let entry = ChainEntry {
            chain_id: &chain_id,
            seq: (*seq).max(0) as u64,
            at_ms: *at,
            counter_id: counter.as_deref().unwrap_or_default(),
            staff_code: staff,
            action,
            subject: subject.as_deref(),
            detail_sha256: detail.as_deref().map(detail_sha256),
            prev_hash: prev,
        };
        match check_next(last_seq, &last_hash, &entry, &hash) {
            Ok(()) => {
                last_seq = entry.seq;
                last_hash = hash;
            }
            Err(BreakKind::Edited) => {
                first_break = Some(ChainBreak {
                    seq: entry.seq,
                    kind: BreakKind::Edited,
                });
                break;
            }
            // Not the next one: the next one is elsewhere (out of order)
            // or nowhere (missing).
            Err(_) => {
                let kind = if present.contains(&(expected as i64)) {
                    BreakKind::OutOfOrder
                } else {
                    BreakKind::Missing
                };
                first_break = Some(ChainBreak {
                    seq: expected,
                    kind,
                });
                break;
            }
        }
    }
    if first_break.is_none() && (last_seq, last_hash) != (head_seq, head_hash) {
        first_break = Some(if head_seq > last_seq {
            ChainBreak {
                seq: last_seq + 1,
                kind: BreakKind::Missing,
            }
        } else {
            ChainBreak {
                seq: last_seq,
                kind: BreakKind::Edited,
            }
        });
    }
    Ok(ChainReport {
        chain_id,
        events: rows.len() as u64,
        head_seq,
        first_break,
    })
}

/// The chain's events at or after `since_ms`, in chain order.
pub(crate) fn since(conn: &Connection, since_ms: i64) -> Result<Vec<AuditEntry>> {
    let mut st = conn.prepare_cached(
        "SELECT seq, at, counter_id, staff_code, action, subject FROM audit_log
         WHERE at >= ?1 ORDER BY seq, id",
    )?;
    let rows = st.query_map([since_ms], |r| {
        Ok(AuditEntry {
            seq: r.get::<_, Option<i64>>(0)?.unwrap_or(0).max(0) as u64,
            at_ms: r.get(1)?,
            counter_id: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            staff_code: r.get(3)?,
            action: r.get(4)?,
            subject: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
