//! The outbox sync engine, sans-IO: events in, instructions out.
//!
//! The engine decides *what* to send and *when*; it never touches the
//! network, the disk or a clock. Its driver (in `ehr-app`) feeds it
//! [`Event`]s with the current monotonic time and carries out the
//! [`Instruction`]s it returns: send a batch, mark an operation done, move
//! one to the "needs attention" list, wake up at a time, ask the clerk to
//! sign in again. The same engine runs under a deterministic simulation in
//! `tests/sim.rs`, where the network, the server and crashes are modelled.
//!
//! # The rules it keeps
//!
//! - **Nothing is dropped.** An operation leaves the queue only through
//!   [`Instruction::MarkDone`] (the service applied it, now or before) or
//!   [`Instruction::Attention`] (the service refused it, with a code), and
//!   only when the answer to the batch that carried it says so, or when the
//!   driver reports that it cannot be put on the wire at all
//!   ([`Event::Unsendable`]: then it goes to the attention list with its own
//!   reason and the rest of the queue goes on).
//! - **Per-record order.** A batch carries at most one operation per record
//!   (the oldest), and one batch is in flight at a time, so a record's
//!   operations reach the service in the order they were written. While a
//!   record's operation is on the attention list, the record's later
//!   operations wait: the clerk retries it ([`Event::Retried`]) or a
//!   supervisor discards it ([`Event::Discarded`]).
//! - **Retries need no new write.** A failed round (network error, timeout,
//!   5xx, 429) schedules the next attempt with capped exponential backoff and
//!   full jitter and says when to wake; a reconnect retries at once.
//! - **401 keeps everything.** The engine stops sending, asks for a new
//!   sign-in once, and resumes from the same queue on [`Event::SignedIn`].
//! - **A whole-batch refusal is bisected.** When the service refuses a batch
//!   as a whole (a 4xx other than 401, 408 or 429), the engine halves the
//!   batch until the one operation it cannot carry is alone, and moves that
//!   one to attention; the rest go on.
//! - **Late answers are ignored.** An answer for a batch the engine already
//!   gave up on (timed out) changes nothing; the operations were, or will be,
//!   sent again under the same idempotency keys and the service answers
//!   `duplicate`.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// An operation's id: its outbox row id. Ids grow with write order.
pub type OpId = i64;

/// A batch's id, assigned by the engine.
pub type BatchId = u64;

/// A point on a monotonic clock, in milliseconds from any origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

impl Time {
    /// `ms` milliseconds later.
    pub fn plus(self, ms: u64) -> Time {
        Time(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: Time) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// A queued operation, as far as the engine needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedOp {
    /// The outbox row id.
    pub id: OpId,
    /// The local record the operation changes: its ordering key.
    pub record_key: String,
    /// The operation's size on the wire (for batch sizing).
    pub bytes: u64,
}

/// The engine's limits and timings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// At most this many operations in one batch (the service takes 200).
    pub max_batch_ops: usize,
    /// At most this many bytes of operations in one batch, unless a single
    /// operation is larger (it then goes alone).
    pub max_batch_bytes: u64,
    /// A batch with no answer after this long is taken as lost.
    pub request_timeout_ms: u64,
    /// The first retry waits up to this long.
    pub backoff_base_ms: u64,
    /// No retry waits longer than this.
    pub backoff_cap_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_batch_ops: 200,
            max_batch_bytes: 6 * 1024 * 1024,
            request_timeout_ms: 30_000,
            backoff_base_ms: 1_000,
            backoff_cap_ms: 60_000,
        }
    }
}

/// What happens to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The outbox as found at start-up (or after a crash): the queued
    /// operations and those on the attention list, each in id order.
    /// Replaces whatever the engine knew.
    Restored {
        /// Operations still to send.
        queued: Vec<QueuedOp>,
        /// Operations on the attention list (their records wait).
        attention: Vec<QueuedOp>,
    },
    /// A local change committed its outbox row.
    LocalWrite(QueuedOp),
    /// The clerk retried an operation on the attention list: it goes back to
    /// the head of its record's queue (the store gave it a new idempotency
    /// key).
    Retried(OpId),
    /// A supervisor discarded an operation on the attention list: its
    /// record's later operations may go.
    Discarded(OpId),
    /// The answer to a batch.
    Response {
        /// The batch answered.
        batch: BatchId,
        /// What came back.
        answer: Answer,
    },
    /// Time passed (the driver woke at a [`Instruction::WakeAt`] time, or for
    /// any other reason).
    Timeout,
    /// The operating system says the network came (`true`) or went.
    Connectivity(bool),
    /// The driver asked the service whether it is there (its health), with
    /// nothing queued or nobody signed in to send it: the answer is the
    /// link's state until the next batch. While anything is queued and can
    /// be sent, only batches say whether the service is reachable, so a
    /// probe changes nothing then. (Changes made under an offline sign-in
    /// wait for an online one: the probe tells the clerk when to give it.)
    Probed(bool),
    /// The driver could not put an operation on the wire (its outbox row no
    /// longer decodes, or it is larger than any batch may be). It goes to
    /// the attention list with `code` at once, whether or not it is in the
    /// batch in flight (which then goes on without it), so one bad row never
    /// holds up the queue.
    Unsendable {
        /// The operation.
        op: OpId,
        /// The reason's stable code (for example `outbox.undecodable`).
        code: String,
    },
    /// A staff member signed in: requests carry a valid token again.
    SignedIn,
    /// Nobody is signed in any more: nothing can be sent.
    SignedOut,
}

/// The answer to a batch, as the driver classified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The service answered per operation.
    Results(Vec<(OpId, OpOutcome)>),
    /// No answer: connection refused or reset, or a timeout. Nothing is known.
    Network,
    /// A 5xx, 408 or 429: try again later.
    ServerError(u16),
    /// 401: the staff token is gone; the clerk must sign in again.
    Unauthorized,
    /// Another 4xx for the batch as a whole, with the service's error code.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The service's stable error code.
        code: String,
    },
}

/// One operation's result in a batch answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpOutcome {
    /// Applied now, or before (a duplicate): done.
    Done,
    /// Refused (conflict or rejection), with the service's code.
    Attention(String),
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    /// Send these operations, in this order, as one batch.
    Send {
        /// The batch's id, to quote in the [`Event::Response`].
        batch: BatchId,
        /// The operations.
        ops: Vec<OpId>,
    },
    /// The service has the operation: mark it done (it may be purged after
    /// the retention period).
    MarkDone(OpId),
    /// The service refused the operation: put it on the attention list with
    /// this code.
    Attention {
        /// The operation.
        op: OpId,
        /// The service's code (a conflict or rejection code, or the code of
        /// a whole-batch refusal).
        code: String,
    },
    /// Deliver [`Event::Timeout`] at this time (replaces any earlier wake).
    WakeAt(Time),
    /// Ask the clerk to sign in again; everything is kept.
    AskSignIn,
}

/// Whether the central service was reachable at the last attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Nothing was tried yet.
    Unknown,
    /// The last batch was answered.
    Online,
    /// The last attempt failed (network or service error).
    Offline,
}

/// The engine's state, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Operations waiting to be sent, in flight included.
    pub queued: usize,
    /// Operations in the batch in flight.
    pub in_flight: usize,
    /// Operations on the attention list.
    pub attention: usize,
    /// Reachability at the last attempt.
    pub link: Link,
    /// A sign-in is needed before anything more is sent.
    pub needs_sign_in: bool,
    /// Failed rounds in a row.
    pub failures: u32,
    /// When the next attempt is due, if one is waiting.
    pub next_attempt: Option<Time>,
    /// When a batch was last answered.
    pub last_success: Option<Time>,
}

#[derive(Debug)]
struct InFlight {
    batch: BatchId,
    ops: Vec<OpId>,
    bytes: u64,
    deadline: Time,
}

/// The sync engine. See the crate documentation for its rules.
#[derive(Debug)]
pub struct Engine {
    config: Config,
    /// Every queued operation (in flight included), by id.
    ops: HashMap<OpId, QueuedOp>,
    /// Each record's queued operations, oldest first.
    records: HashMap<String, VecDeque<OpId>>,
    /// Heads of records that may be sent now (not blocked, not in flight).
    ready: BTreeSet<OpId>,
    /// Operations on the attention list (kept whole: a retried one is
    /// queued again with its size).
    attention: BTreeMap<OpId, QueuedOp>,
    /// How many attention operations each record has (blocked while > 0).
    blocked: HashMap<String, usize>,
    in_flight: Option<InFlight>,
    next_batch: BatchId,
    /// No attempt before this time (backoff).
    not_before: Option<Time>,
    failures: u32,
    /// Batches are cut to this many operations while a refusal is bisected.
    batch_limit: usize,
    /// Batches are cut to this many bytes after a lost batch (a slow link).
    byte_limit: u64,
    signed_in: bool,
    needs_sign_in: bool,
    link: Link,
    last_success: Option<Time>,
    last_wake: Option<Time>,
    rng: u64,
}

impl Engine {
    /// An engine with nothing queued and nobody signed in. `seed` drives the
    /// backoff jitter, so a run is reproducible from it.
    pub fn new(config: Config, seed: u64) -> Engine {
        let batch_limit = config.max_batch_ops.max(1);
        let byte_limit = config.max_batch_bytes.max(1);
        Engine {
            config,
            ops: HashMap::new(),
            records: HashMap::new(),
            ready: BTreeSet::new(),
            attention: BTreeMap::new(),
            blocked: HashMap::new(),
            in_flight: None,
            next_batch: 1,
            not_before: None,
            failures: 0,
            batch_limit,
            byte_limit,
            signed_in: false,
            needs_sign_in: false,
            link: Link::Unknown,
            last_success: None,
            last_wake: None,
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// Handle one event at `now`; the instructions to carry out, in order.
    pub fn handle(&mut self, now: Time, event: Event) -> Vec<Instruction> {
        let mut out = Vec::new();
        match event {
            Event::Restored { queued, attention } => self.restore(queued, attention),
            Event::LocalWrite(op) => self.enqueue(op),
            Event::Retried(id) => self.retried(id),
            Event::Discarded(id) => self.discarded(id),
            Event::Unsendable { op, code } => self.unsendable(op, code, &mut out),
            Event::Response { batch, answer } => self.answer(now, batch, answer, &mut out),
            Event::Timeout => {
                if self.in_flight.as_ref().is_some_and(|f| now >= f.deadline) {
                    self.failed(now, Link::Offline);
                }
            }
            Event::Connectivity(up) => {
                if up {
                    // Retry at once: the backoff was for a network that is back.
                    self.not_before = None;
                    self.failures = 0;
                } else {
                    self.link = Link::Offline;
                }
            }
            Event::Probed(up) => {
                let cannot_send = !self.signed_in || self.needs_sign_in;
                if (self.ops.is_empty() || cannot_send) && self.in_flight.is_none() {
                    self.link = if up { Link::Online } else { Link::Offline };
                }
            }
            Event::SignedIn => {
                self.signed_in = true;
                self.needs_sign_in = false;
                self.not_before = None;
            }
            Event::SignedOut => self.signed_in = false,
        }
        self.pump(now, &mut out);
        out
    }

    /// The state for the status bar.
    pub fn status(&self) -> Status {
        Status {
            queued: self.ops.len(),
            in_flight: self.in_flight.as_ref().map_or(0, |f| f.ops.len()),
            attention: self.attention.len(),
            link: self.link,
            needs_sign_in: self.needs_sign_in,
            failures: self.failures,
            next_attempt: self.not_before,
            last_success: self.last_success,
        }
    }

    /// Whether `id` is queued (in flight included).
    pub fn is_queued(&self, id: OpId) -> bool {
        self.ops.contains_key(&id)
    }

    /// Whether `id` is on the attention list.
    pub fn is_attention(&self, id: OpId) -> bool {
        self.attention.contains_key(&id)
    }

    fn restore(&mut self, queued: Vec<QueuedOp>, attention: Vec<QueuedOp>) {
        let keep = (
            self.signed_in,
            self.needs_sign_in,
            self.rng,
            self.next_batch,
        );
        *self = Engine::new(self.config.clone(), 0);
        (
            self.signed_in,
            self.needs_sign_in,
            self.rng,
            self.next_batch,
        ) = keep;
        for a in attention {
            let record = a.record_key.clone();
            if self.attention.insert(a.id, a).is_none() {
                *self.blocked.entry(record).or_default() += 1;
            }
        }
        let mut queued = queued;
        queued.sort_by_key(|o| o.id);
        for op in queued {
            self.enqueue(op);
        }
    }

    fn is_blocked(&self, record: &str) -> bool {
        self.blocked.get(record).is_some_and(|n| *n > 0)
    }

    fn in_flight_has(&self, id: OpId) -> bool {
        self.in_flight.as_ref().is_some_and(|f| f.ops.contains(&id))
    }

    /// Make `record`'s head ready if it may be sent.
    fn refresh_head(&mut self, record: &str) {
        let Some(&head) = self.records.get(record).and_then(|q| q.front()) else {
            return;
        };
        if !self.is_blocked(record) && !self.in_flight_has(head) {
            self.ready.insert(head);
        }
    }

    fn enqueue(&mut self, op: QueuedOp) {
        if self.ops.contains_key(&op.id) || self.attention.contains_key(&op.id) {
            return; // told twice
        }
        let record = op.record_key.clone();
        let q = self.records.entry(record.clone()).or_default();
        // Keep id order even if told out of order.
        let at = q.iter().position(|&i| i > op.id).unwrap_or(q.len());
        q.insert(at, op.id);
        let old_head = if at == 0 { q.get(1).copied() } else { None };
        self.ops.insert(op.id, op);
        if let Some(old) = old_head {
            self.ready.remove(&old);
        }
        self.refresh_head(&record);
    }

    fn retried(&mut self, id: OpId) {
        let Some(op) = self.attention.remove(&id) else {
            return;
        };
        self.unblock(&op.record_key);
        self.enqueue(op);
    }

    fn discarded(&mut self, id: OpId) {
        if let Some(op) = self.attention.remove(&id) {
            self.unblock(&op.record_key);
            self.refresh_head(&op.record_key);
        }
    }

    fn unsendable(&mut self, id: OpId, code: String, out: &mut Vec<Instruction>) {
        if let Some(f) = self.in_flight.as_mut() {
            f.ops.retain(|&i| i != id);
            if f.ops.is_empty() {
                // Nothing of the batch is on its way: no answer to wait for.
                self.in_flight = None;
            }
        }
        if let Some(op) = self.dequeue(id) {
            let record = op.record_key.clone();
            self.put_on_attention(op);
            out.push(Instruction::Attention { op: id, code });
            self.refresh_head(&record);
        }
    }

    fn unblock(&mut self, record: &str) {
        if let Some(n) = self.blocked.get_mut(record) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.blocked.remove(record);
            }
        }
    }

    /// Take `id` out of the queue (done or to attention).
    fn dequeue(&mut self, id: OpId) -> Option<QueuedOp> {
        let op = self.ops.remove(&id)?;
        self.ready.remove(&id);
        if let Some(q) = self.records.get_mut(&op.record_key) {
            q.retain(|&i| i != id);
            if q.is_empty() {
                self.records.remove(&op.record_key);
            }
        }
        Some(op)
    }

    fn answer(&mut self, now: Time, batch: BatchId, answer: Answer, out: &mut Vec<Instruction>) {
        if self.in_flight.as_ref().is_none_or(|f| f.batch != batch) {
            return; // late: that batch was given up on
        }
        let Some(flight) = self.in_flight.take() else {
            return;
        };
        match answer {
            Answer::Results(results) => {
                let mut answered = BTreeSet::new();
                for (id, outcome) in results {
                    if !flight.ops.contains(&id) || !answered.insert(id) {
                        continue; // not ours, or said twice
                    }
                    let Some(op) = self.dequeue(id) else { continue };
                    match outcome {
                        OpOutcome::Done => out.push(Instruction::MarkDone(id)),
                        OpOutcome::Attention(code) => {
                            self.put_on_attention(op.clone());
                            out.push(Instruction::Attention { op: id, code });
                        }
                    }
                    self.refresh_head(&op.record_key);
                }
                let unanswered: Vec<OpId> = flight
                    .ops
                    .iter()
                    .copied()
                    .filter(|id| !answered.contains(id))
                    .collect();
                self.link = Link::Online;
                self.last_success = Some(now);
                self.batch_limit = self
                    .batch_limit
                    .saturating_mul(2)
                    .min(self.config.max_batch_ops.max(1));
                self.byte_limit = self
                    .byte_limit
                    .saturating_mul(2)
                    .min(self.config.max_batch_bytes.max(1));
                if unanswered.is_empty() {
                    self.failures = 0;
                    self.not_before = None;
                } else {
                    // An answer that skipped some operations: they go again,
                    // after a backoff, so a faulty service is not hammered.
                    self.return_to_ready(&unanswered);
                    self.back_off(now);
                }
            }
            Answer::Network => {
                self.in_flight = Some(flight);
                self.failed(now, Link::Offline);
            }
            Answer::ServerError(_) => {
                self.in_flight = Some(flight);
                self.failed(now, Link::Offline);
            }
            Answer::Unauthorized => {
                self.return_to_ready(&flight.ops);
                self.link = Link::Online;
                if !self.needs_sign_in {
                    self.needs_sign_in = true;
                    out.push(Instruction::AskSignIn);
                }
            }
            Answer::Refused { code, .. } => {
                self.link = Link::Online;
                if flight.ops.len() > 1 {
                    // Bisect: send the first half alone, at once.
                    self.batch_limit = (flight.ops.len() / 2).max(1);
                    self.return_to_ready(&flight.ops);
                } else if let Some(&id) = flight.ops.first() {
                    if let Some(op) = self.dequeue(id) {
                        let record = op.record_key.clone();
                        self.put_on_attention(op);
                        out.push(Instruction::Attention { op: id, code });
                        self.refresh_head(&record);
                    }
                }
            }
        }
    }

    /// Put a dequeued operation on the attention list: its record waits.
    fn put_on_attention(&mut self, op: QueuedOp) {
        *self.blocked.entry(op.record_key.clone()).or_default() += 1;
        self.attention.insert(op.id, op);
    }

    fn return_to_ready(&mut self, ids: &[OpId]) {
        for &id in ids {
            if let Some(op) = self.ops.get(&id) {
                let record = op.record_key.clone();
                self.refresh_head(&record);
            }
        }
    }

    /// The round in flight failed: its operations wait for the next attempt.
    fn failed(&mut self, now: Time, link: Link) {
        if let Some(flight) = self.in_flight.take() {
            // A slow link may never carry a big batch within the timeout:
            // the next attempt carries half as much (and it grows back,
            // doubling, with every answered batch).
            if flight.ops.len() > 1 {
                self.batch_limit = (flight.ops.len() / 2).max(1);
                self.byte_limit = (flight.bytes / 2).max(1);
            }
            self.return_to_ready(&flight.ops);
        }
        self.link = link;
        self.back_off(now);
    }

    fn back_off(&mut self, now: Time) {
        self.failures = self.failures.saturating_add(1);
        let exp = self
            .config
            .backoff_base_ms
            .saturating_mul(1u64 << (self.failures - 1).min(32))
            .min(self.config.backoff_cap_ms);
        // Full jitter: anywhere from now to the capped exponential.
        let delay = self.random_below(exp.saturating_add(1));
        self.not_before = Some(now.plus(delay));
    }

    fn random_below(&mut self, n: u64) -> u64 {
        // splitmix64: small, fast, and reproducible from the seed.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        if n == 0 {
            0
        } else {
            z % n
        }
    }

    fn can_send(&self, now: Time) -> bool {
        self.in_flight.is_none()
            && self.signed_in
            && !self.needs_sign_in
            && self.not_before.is_none_or(|t| now >= t)
    }

    fn pump(&mut self, now: Time, out: &mut Vec<Instruction>) {
        if self.can_send(now) && !self.ready.is_empty() {
            let mut ops = Vec::new();
            let mut bytes = 0u64;
            for &id in &self.ready {
                if ops.len() >= self.batch_limit {
                    break;
                }
                let size = self.ops.get(&id).map_or(0, |o| o.bytes);
                if !ops.is_empty() && bytes.saturating_add(size) > self.byte_limit {
                    break;
                }
                bytes = bytes.saturating_add(size);
                ops.push(id);
            }
            for id in &ops {
                self.ready.remove(id);
            }
            let batch = self.next_batch;
            self.next_batch += 1;
            self.in_flight = Some(InFlight {
                batch,
                ops: ops.clone(),
                bytes,
                deadline: now.plus(self.config.request_timeout_ms),
            });
            self.not_before = None;
            out.push(Instruction::Send { batch, ops });
        }
        // When to be woken: the in-flight deadline, or the next attempt.
        let wake = match &self.in_flight {
            Some(f) => Some(f.deadline),
            None if !self.ready.is_empty() && self.signed_in && !self.needs_sign_in => {
                self.not_before.filter(|t| *t > now)
            }
            None => None,
        };
        if let Some(t) = wake {
            if self.last_wake != Some(t) {
                self.last_wake = Some(t);
                out.push(Instruction::WakeAt(t));
            }
        }
    }
}

#[cfg(test)]
mod tests;
