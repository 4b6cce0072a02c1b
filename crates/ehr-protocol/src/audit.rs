//! The tamper-evident audit chain: what a counter records of what staff do,
//! and the one function both the counter and ehr-central hash it with.
//!
//! Every local audit event carries its place in the counter's chain (`seq`,
//! from 1) and the hash of the event before it (`prev_hash`, [`GENESIS`]
//! for the first). Its own hash is SHA-256 over a canonical encoding
//! ([`ChainEntry::canonical`]): a domain tag, then every field
//! length-prefixed (an absent optional field is a distinct tag), so no two
//! different events encode alike. The counter chains events as it records
//! them (`ehr-store`), `ehrctl audit verify` walks the chain, and ehr-central
//! checks each event it receives against the last one it holds for the
//! counter's chain (`audit.chain_broken` otherwise).
//!
//! Events never carry personal data: the subject is a reference (an eHR
//! number, a masked document number, a record key), and a free-text detail
//! (a supervisor's reason for a discard) stays on the counter; only its
//! SHA-256 is chained and sent.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of a chain's first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The domain tag at the start of every encoded event (and its version).
const DOMAIN_TAG: &[u8] = b"ehr-audit-chain/v1";

/// What staff did, as recorded in the audit chain. The dotted codes are
/// stable: they are stored on the counter and at the central service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    /// A staff member signed in at the counter.
    #[serde(rename = "staff.sign_in")]
    SignIn,
    /// A staff member signed out.
    #[serde(rename = "staff.sign_out")]
    SignOut,
    /// The counter's screen was locked.
    #[serde(rename = "counter.lock")]
    Lock,
    /// The counter's screen was unlocked.
    #[serde(rename = "counter.unlock")]
    Unlock,
    /// A card read (or a manual entry) was shown to a signed-in clerk.
    #[serde(rename = "card.read")]
    CardRead,
    /// Applications or records were looked up.
    #[serde(rename = "record.lookup")]
    Lookup,
    /// A local record was viewed.
    #[serde(rename = "record.view")]
    RecordView,
    /// An application was viewed.
    #[serde(rename = "application.view")]
    ApplicationView,
    /// A full document number was shown.
    #[serde(rename = "id.reveal")]
    Reveal,
    /// A change was submitted (committed to the outbox).
    #[serde(rename = "change.submit")]
    ChangeSubmitted,
    /// An operation on the attention list was retried.
    #[serde(rename = "outbox.retry")]
    OutboxRetry,
    /// A supervisor discarded an operation on the attention list.
    #[serde(rename = "outbox.discard")]
    OutboxDiscard,
    /// A document image was captured for a task (the subject is its image id).
    #[serde(rename = "document.capture")]
    DocumentCapture,
    /// A slip or notice was sent to a printer (the subject is its reference).
    #[serde(rename = "slip.print")]
    SlipPrint,
    /// A slip or notice was saved as a file (the subject is its reference).
    #[serde(rename = "slip.save")]
    SlipSave,
}

impl AuditAction {
    /// Every action.
    pub const ALL: &'static [AuditAction] = &[
        AuditAction::SignIn,
        AuditAction::SignOut,
        AuditAction::Lock,
        AuditAction::Unlock,
        AuditAction::CardRead,
        AuditAction::Lookup,
        AuditAction::RecordView,
        AuditAction::ApplicationView,
        AuditAction::Reveal,
        AuditAction::ChangeSubmitted,
        AuditAction::OutboxRetry,
        AuditAction::OutboxDiscard,
        AuditAction::DocumentCapture,
        AuditAction::SlipPrint,
        AuditAction::SlipSave,
    ];

    /// The stable dotted code.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "staff.sign_in",
            AuditAction::SignOut => "staff.sign_out",
            AuditAction::Lock => "counter.lock",
            AuditAction::Unlock => "counter.unlock",
            AuditAction::CardRead => "card.read",
            AuditAction::Lookup => "record.lookup",
            AuditAction::RecordView => "record.view",
            AuditAction::ApplicationView => "application.view",
            AuditAction::Reveal => "id.reveal",
            AuditAction::ChangeSubmitted => "change.submit",
            AuditAction::OutboxRetry => "outbox.retry",
            AuditAction::OutboxDiscard => "outbox.discard",
            AuditAction::DocumentCapture => "document.capture",
            AuditAction::SlipPrint => "slip.print",
            AuditAction::SlipSave => "slip.save",
        }
    }

    /// The action with this code.
    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == code)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject as audit events carry it: a reference, never personal data.
/// Keeps the characters the service accepts (letters, digits and
/// `-_:.*()`), at most 64 of them; `None` when nothing is left.
pub fn subject(s: &str) -> Option<String> {
    let kept: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_:.*()".contains(*c))
        .take(64)
        .collect();
    (!kept.is_empty()).then_some(kept)
}

/// One event's place in a chain, with every field its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry<'a> {
    /// The chain (one per counter store, a UUID made when it was created).
    pub chain_id: &'a str,
    /// Its place in the chain, from 1.
    pub seq: u64,
    /// When it happened (Unix milliseconds).
    pub at_ms: i64,
    /// The counter it happened at (empty when the counter did not know its
    /// id yet: events recorded before the chain existed).
    pub counter_id: &'a str,
    /// Who did it.
    pub staff_code: &'a str,
    /// What was done (an [`AuditAction`] code, or an older code).
    pub action: &'a str,
    /// What it was done to, as a reference.
    pub subject: Option<&'a str>,
    /// The SHA-256 of a free-text detail kept on the counter.
    pub detail_sha256: Option<[u8; 32]>,
    /// The hash of the event before ([`GENESIS`] for the first).
    pub prev_hash: [u8; 32],
}

fn put(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u64).to_be_bytes());
    out.extend_from_slice(b);
}

fn put_opt(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put(out, b);
        }
    }
}

impl ChainEntry<'_> {
    /// The canonical encoding: the domain tag, then each field in a fixed
    /// order, length-prefixed (u64, big-endian); an optional field is a
    /// tag byte (0 absent, 1 present) before it.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        put(&mut out, DOMAIN_TAG);
        put(&mut out, self.chain_id.as_bytes());
        put(&mut out, &self.seq.to_be_bytes());
        put(&mut out, &self.at_ms.to_be_bytes());
        put(&mut out, self.counter_id.as_bytes());
        put(&mut out, self.staff_code.as_bytes());
        put(&mut out, self.action.as_bytes());
        put_opt(&mut out, self.subject.map(str::as_bytes));
        put_opt(&mut out, self.detail_sha256.as_ref().map(|d| &d[..]));
        put(&mut out, &self.prev_hash);
        out
    }

    /// The event's hash: SHA-256 of [`ChainEntry::canonical`].
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.canonical()).into()
    }
}

/// The SHA-256 of a free-text detail.
pub fn detail_sha256(detail: &str) -> [u8; 32] {
    Sha256::digest(detail.as_bytes()).into()
}

/// Lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// 32 bytes from 64 hex digits (either case); `None` otherwise.
pub fn hash_from_hex(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (digit(b[2 * i])? << 4) | digit(b[2 * i + 1])?;
    }
    Some(out)
}

/// Unix milliseconds as RFC 3339 in UTC, to the second
/// (`2026-12-01T06:14:27Z`): an event's `at` for people.
pub fn rfc3339_utc(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let date = ehr_domain::Date::from_days_since_epoch(days)
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        .unwrap_or_else(|_| "1970-01-01".to_owned());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// What is wrong at the first broken link of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The event's fields no longer hash to its hash, or its `prev_hash`
    /// is not the hash of the event before it: it was changed.
    Edited,
    /// An event with this sequence number is not there (deleted), or the
    /// chain ends before the last event recorded.
    Missing,
    /// The event is not where its sequence number puts it.
    OutOfOrder,
}

impl BreakKind {
    /// The stable word (`edited`, `missing`, `out_of_order`).
    pub fn as_str(self) -> &'static str {
        match self {
            BreakKind::Edited => "edited",
            BreakKind::Missing => "missing",
            BreakKind::OutOfOrder => "out_of_order",
        }
    }
}

/// Whether `entry`, carrying `hash`, is the next link after a chain whose
/// last event has sequence `last_seq` and hash `last_hash` (0 and
/// [`GENESIS`] for an empty chain). The counter's `ehrctl audit verify` and
/// ehr-central's check on arrival both decide with this.
pub fn check_next(
    last_seq: u64,
    last_hash: &[u8; 32],
    entry: &ChainEntry<'_>,
    hash: &[u8; 32],
) -> Result<(), BreakKind> {
    if entry.seq <= last_seq {
        return Err(BreakKind::OutOfOrder);
    }
    if entry.seq > last_seq.saturating_add(1) {
        return Err(BreakKind::Missing);
    }
    if entry.prev_hash != *last_hash || entry.hash() != *hash {
        return Err(BreakKind::Edited);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> ChainEntry<'static> {
        ChainEntry {
            chain_id: "c1",
            seq: 1,
            at_ms: 1_700_000_000_000,
            counter_id: "CTR-1",
            staff_code: "clerk01",
            action: "id.reveal",
            subject: Some("A123***(*)"),
            detail_sha256: None,
            prev_hash: GENESIS,
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = entry().hash();
        let mut variants = vec![];
        let mut e = entry();
        e.chain_id = "c2";
        variants.push(e.hash());
        let mut e = entry();
        e.seq = 2;
        variants.push(e.hash());
        let mut e = entry();
        e.at_ms += 1;
        variants.push(e.hash());
        let mut e = entry();
        e.counter_id = "CTR-2";
        variants.push(e.hash());
        let mut e = entry();
        e.staff_code = "clerk02";
        variants.push(e.hash());
        let mut e = entry();
        e.action = "card.read";
        variants.push(e.hash());
        let mut e = entry();
        e.subject = None;
        variants.push(e.hash());
        let mut e = entry();
        e.subject = Some("");
        variants.push(e.hash());
        let mut e = entry();
        e.detail_sha256 = Some(detail_sha256("x"));
        variants.push(e.hash());
        let mut e = entry();
        e.prev_hash = [1; 32];
        variants.push(e.hash());
        for v in &variants {
            assert_ne!(*v, base);
        }
        let unique: std::collections::BTreeSet<_> = variants.iter().collect();
        assert_eq!(unique.len(), variants.len());
    }

    #[test]
    fn fields_cannot_trade_bytes() {
        // Plain concatenation would make these two the same.
        let mut a = entry();
        a.staff_code = "clerk0";
        a.action = "1id.reveal";
        let b = entry();
        assert_eq!(
            format!("{}{}", a.staff_code, a.action),
            format!("{}{}", b.staff_code, b.action)
        );
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn the_hash_is_stable() {
        // A change to the encoding breaks every chain already stored and
        // every chain ehr-central holds: this value must never change.
        assert_eq!(
            to_hex(&entry().hash()),
            "04b8195dbb7f1eff5b87ead92e195cb0a5b9a187c119c6d4358b1ebc8fcfa6e9"
        );
    }

    #[test]
    fn links_are_checked() {
        let e = entry();
        let h = e.hash();
        assert_eq!(check_next(0, &GENESIS, &e, &h), Ok(()));
        assert_eq!(check_next(1, &h, &e, &h), Err(BreakKind::OutOfOrder));
        let mut later = entry();
        later.seq = 3;
        assert_eq!(
            check_next(1, &h, &later, &later.hash()),
            Err(BreakKind::Missing)
        );
        assert_eq!(check_next(0, &[9; 32], &e, &h), Err(BreakKind::Edited));
        assert_eq!(
            check_next(0, &GENESIS, &e, &[0; 32]),
            Err(BreakKind::Edited)
        );
    }

    #[test]
    fn hex_round_trips() {
        let h = entry().hash();
        assert_eq!(hash_from_hex(&to_hex(&h)), Some(h));
        assert_eq!(hash_from_hex("zz"), None);
        assert_eq!(hash_from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn actions_have_unique_codes() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(a.as_str()), Some(*a));
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::Value::String(a.as_str().to_owned())
            );
        }
    }

    #[test]
    fn subjects_keep_references_only() {
        assert_eq!(subject("A123***(*)").as_deref(), Some("A123***(*)"));
        assert_eq!(subject("  ").as_deref(), None);
        assert_eq!(subject(&"9".repeat(80)).map(|s| s.len()), Some(64));
    }
}
