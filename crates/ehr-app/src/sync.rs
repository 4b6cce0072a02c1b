//! The sync driver: carries out the sans-IO engine's instructions with
//! tokio and reqwest (rustls), against the store and the central service.
//!
//! One driver runs per data folder, on its own thread with a current-thread
//! runtime. It holds the `sync.lock` file lock for its lifetime, so a second
//! process on the same folder (a second app, `ehrctl queue sync`) cannot
//! relay the same outbox beside it. Everything it knows comes from the
//! store at start ([`ehr_sync::Event::Restored`]); everything it learns goes
//! back to the store before the engine forgets it.
//!
//! Answers are classified once, here: 200 with per-operation outcomes
//! (applied or duplicate → done; conflict or rejected → attention); a
//! network error or timeout, 5xx, 408 and 429 → retry later; 401 → ask the
//! clerk to sign in again, keeping everything (unless the batch went with
//! an older token than the current one: then it is simply retried); the
//! service's own refusal of the request's content (400, 413, 415 or 422 with
//! its error body) → the engine bisects the batch and puts the operation it
//! cannot carry on the attention list with the service's code; any other
//! 4xx (a proxy's page, a wrong path, a counter not allowed) → retry later,
//! since it says nothing about the operations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ehr_protocol::wire::batch::{BatchRequest, BatchResponse, Outcome};
use ehr_protocol::wire::COUNTER_KEY_HEADER;
use ehr_protocol::ErrorBody;
use ehr_store::{Resolution, Store};
use ehr_sync::{Answer, BatchId, Engine, Event, Instruction, Link, OpId, OpOutcome, Time};
use tokio::sync::mpsc;

/// How often an idle driver checks the store for changes made beside it.
const RESCAN: Duration = Duration::from_secs(10);

/// How often a driver with nothing queued asks the service whether it is
/// there (`GET /v1/health`), so the status bar says online or offline within
/// seconds even when no change has to go.
const PROBE: Duration = Duration::from_secs(5);

/// The lock file that makes one relay per data folder.
pub const LOCK_FILE: &str = "sync.lock";

/// Wall-clock now in Unix milliseconds.
pub fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// How the driver reaches the central service. Its `Debug` never shows the
/// machine key.
#[derive(Clone)]
pub struct Endpoint {
    /// The base URL (`https://…`, or `http://127.0.0.1:…` on loopback).
    pub base_url: String,
    /// The counter's machine key.
    pub counter_key: Option<String>,
    /// A PEM file with this counter's client certificate and its key.
    pub client_identity: Option<PathBuf>,
    /// A PEM file with the CA that signed the service's certificate.
    pub ca: Option<PathBuf>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// Where to record that the service revoked this counter
    /// (`counter.revoked` in answer to a batch), for the app to read.
    pub revoked_marker: Option<PathBuf>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field(
                "counter_key",
                &self.counter_key.as_ref().map(|_| "<redacted>"),
            )
            .field("client_identity", &self.client_identity)
            .field("ca", &self.ca)
            .finish_non_exhaustive()
    }
}

/// What the status bar needs from the driver.
#[derive(Debug, Clone)]
pub struct DriverState {
    /// The engine's view.
    pub link: Link,
    /// A batch is on its way.
    pub sending: bool,
    /// The engine asked for a new sign-in.
    pub needs_sign_in: bool,
    /// Queued operations the engine knows of.
    pub queued: usize,
    /// The last store failure, if the driver could not record an answer.
    pub store_error: Option<ehr_protocol::ErrorCode>,
    /// Batches answered since start.
    pub batches_answered: u64,
}

impl Default for DriverState {
    fn default() -> Self {
        DriverState {
            link: Link::Unknown,
            sending: false,
            needs_sign_in: false,
            queued: 0,
            store_error: None,
            batches_answered: 0,
        }
    }
}

pub(crate) enum Msg {
    Event(Event),
    Token(Option<String>),
    Stop,
}

/// A running driver. Dropping it stops the thread (after the batch in
/// flight is answered or abandoned; abandoned batches are simply resent).
#[derive(Debug)]
pub struct Driver {
    tx: mpsc::UnboundedSender<Msg>,
    state: Arc<Mutex<DriverState>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Why the driver could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Another process relays this data folder's outbox.
    #[error("another process syncs this data folder")]
    Locked,
    /// The HTTP client could not be built (bad certificate files).
    #[error("the HTTP client could not be built")]
    Client,
    /// A file could not be read or the thread not spawned.
    #[error("io: {0}")]
    Io(std::io::ErrorKind),
    /// The store could not be read.
    #[error("store: {0}")]
    Store(#[from] ehr_store::StoreError),
}

/// The driver's HTTP client: HTTPS, or plain HTTP to loopback only
/// (`crate::config::check_central_url`); proxies from the environment
/// apply, except to loopback.
fn http_client(ep: &Endpoint) -> Result<reqwest::Client, StartError> {
    let url = crate::config::check_central_url(&ep.base_url).map_err(|_| StartError::Client)?;
    let tls = crate::central::tls_material(ep.client_identity.as_deref(), ep.ca.as_deref())
        .map_err(|_| StartError::Client)?;
    let mut b = reqwest::Client::builder()
        .connect_timeout(ep.connect_timeout)
        .timeout(ep.request_timeout)
        .pool_idle_timeout(Duration::from_secs(30));
    if url.loopback {
        b = b.no_proxy();
    }
    if let Some(i) = tls.identity {
        b = b.identity(i);
    }
    if let Some(ca) = tls.ca {
        b = b.tls_certs_only([ca]);
    }
    b.build().map_err(|_| StartError::Client)
}

impl Driver {
    /// Start relaying the outbox of `store` (in `dir`) to `endpoint`.
    /// `seed` drives the engine's jitter.
    pub fn start(
        dir: &Path,
        store: Arc<Mutex<Store>>,
        endpoint: Endpoint,
        engine_config: ehr_sync::Config,
        seed: u64,
    ) -> Result<Driver, StartError> {
        let lock_file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| StartError::Io(e.kind()))?;
        match lock_file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(StartError::Locked),
            Err(std::fs::TryLockError::Error(e)) => return Err(StartError::Io(e.kind())),
        }
        let client = http_client(&endpoint)?;
        let (queued, attention) = {
            let s = lock(&store);
            (s.queued()?, s.attention()?)
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let state = Arc::new(Mutex::new(DriverState::default()));
        let mut engine = Engine::new(engine_config, seed);
        let origin = Instant::now();
        let first = engine.handle(Time(0), Event::Restored { queued, attention });
        let worker = Worker {
            engine,
            store,
            client,
            endpoint,
            state: state.clone(),
            origin,
            token: None,
            token_gen: 0,
            sent_with: HashMap::new(),
            wake: None,
            pending: HashMap::new(),
            unsendable: Vec::new(),
            behind: false,
            answered: false,
            _lock: lock_file,
        };
        let thread = std::thread::Builder::new()
            .name("sync-driver".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(worker.run(rx, first));
            })
            .map_err(|e| StartError::Io(e.kind()))?;
        Ok(Driver {
            tx,
            state,
            thread: Some(thread),
        })
    }

    /// Tell the engine something.
    pub fn event(&self, e: Event) {
        let _ = self.tx.send(Msg::Event(e));
    }

    /// The staff token to send (or none: nothing is sent).
    pub fn set_token(&self, token: Option<String>) {
        let _ = self.tx.send(Msg::Token(token));
    }

    /// What the status bar needs.
    pub fn state(&self) -> DriverState {
        lock(&self.state).clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A health probe: whether the service answered as itself, and the version
/// of its reference data.
type Probe = std::pin::Pin<Box<dyn std::future::Future<Output = (bool, Option<u64>)> + Send>>;

type InFlight = std::pin::Pin<
    Box<dyn std::future::Future<Output = (BatchId, Answer, HashMap<OpId, Outcome>)> + Send>,
>;

struct Worker {
    engine: Engine,
    store: Arc<Mutex<Store>>,
    client: reqwest::Client,
    endpoint: Endpoint,
    state: Arc<Mutex<DriverState>>,
    origin: Instant,
    token: Option<String>,
    /// Counts sign-ins: a 401 for a batch sent with an older token says
    /// nothing about the current one.
    token_gen: u64,
    /// The token generation the batch in flight was sent with.
    sent_with: HashMap<BatchId, u64>,
    wake: Option<Time>,
    /// Per-op outcomes of the answer being handled, to store with the marks.
    pending: HashMap<OpId, Outcome>,
    /// Rows found unsendable while loading a batch, to tell the engine.
    unsendable: Vec<(OpId, ehr_protocol::ErrorCode)>,
    /// A batch was held back: rows of the store the engine has not seen
    /// come before some of it (reload the engine from the store).
    behind: bool,
    /// The answer being handled was a per-operation answer (a success).
    answered: bool,
    _lock: std::fs::File,
}

impl Worker {
    fn now(&self) -> Time {
        Time(self.origin.elapsed().as_millis() as u64)
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Msg>, first: Vec<Instruction>) {
        let mut in_flight: Option<InFlight> = None;
        let mut probe: Option<Probe> = None;
        self.execute(first, &mut in_flight);
        let mut rescan_at = Instant::now() + RESCAN;
        let mut probe_at = Instant::now();
        loop {
            // Nothing queued and nothing on its way: ask whether the service
            // is there, now and then.
            // Nor anybody signed in online to send what is queued (changes
            // made offline): the status bar then says when to sign in.
            if probe.is_none()
                && in_flight.is_none()
                && Instant::now() >= probe_at
                && (self.engine.status().queued == 0 || self.token.is_none())
            {
                probe = Some(self.probe());
                probe_at = Instant::now() + PROBE;
            }
            let wake_at = self.wake.map(|t| self.origin + Duration::from_millis(t.0));
            let at = wake_at
                .map_or(rescan_at, |w| w.min(rescan_at))
                .min(probe_at);
            let sleep = tokio::time::sleep_until(tokio::time::Instant::from_std(at));
            let instructions = tokio::select! {
                msg = rx.recv() => match msg {
                    None | Some(Msg::Stop) => return,
                    Some(Msg::Token(t)) => {
                        let signed_in = t.is_some();
                        self.token = t;
                        self.token_gen += 1;
                        let ev = if signed_in { Event::SignedIn } else { Event::SignedOut };
                        let now = self.now();
                        self.engine.handle(now, ev)
                    }
                    Some(Msg::Event(e)) => {
                        let now = self.now();
                        self.engine.handle(now, e)
                    }
                },
                _ = sleep => {
                    let mut out = Vec::new();
                    if Instant::now() >= rescan_at {
                        rescan_at = Instant::now() + RESCAN;
                        if in_flight.is_none() {
                            out.extend(self.rescan().unwrap_or_default());
                        }
                    }
                    if wake_at.is_some_and(|w| Instant::now() >= w) {
                        self.wake = None;
                    }
                    let now = self.now();
                    out.extend(self.engine.handle(now, Event::Timeout));
                    out
                }
                up = async {
                    match probe.as_mut() {
                        Some(p) => p.await,
                        None => std::future::pending().await,
                    }
                }, if probe.is_some() => {
                    probe = None;
                    let (up, reference_version) = up;
                    if let Some(v) = reference_version {
                        self.refresh_reference_if_changed(v);
                    }
                    let now = self.now();
                    self.engine.handle(now, Event::Probed(up))
                }
                answer = async {
                    match in_flight.as_mut() {
                        Some(f) => f.await,
                        None => std::future::pending().await,
                    }
                }, if in_flight.is_some() => {
                    in_flight = None;
                    let (batch, mut answer, outcomes) = answer;
                    let gen = self.sent_with.remove(&batch);
                    if answer == Answer::Unauthorized && gen != Some(self.token_gen) {
                        // Sent before the latest sign-in: try again with it.
                        answer = Answer::ServerError(401);
                    }
                    self.pending = outcomes;
                    self.answered = matches!(answer, Answer::Results(_));
                    lock(&self.state).batches_answered += 1;
                    let now = self.now();
                    self.engine.handle(now, Event::Response { batch, answer })
                }
            };
            self.execute(instructions, &mut in_flight);
        }
    }

    fn execute(&mut self, instructions: Vec<Instruction>, in_flight: &mut Option<InFlight>) {
        // The engine's view first, so nobody reads a drained store beside a
        // stale "offline".
        self.publish(in_flight.is_some());
        let mut next = Some(instructions);
        // At most twice: the instructions, then those of a reload after a
        // store failure (whose own failure waits for the next event).
        for _ in 0..2 {
            let Some(instructions) = next.take() else {
                break;
            };
            next = self.execute_once(instructions, in_flight);
        }
        // Rows that can never be sent go to the attention list now, each
        // with its reason, and the batch goes on without them. Each round
        // takes rows out of the queue, so this ends.
        while !self.unsendable.is_empty() {
            let now = self.now();
            let mut out = Vec::new();
            for (op, code) in std::mem::take(&mut self.unsendable) {
                out.extend(self.engine.handle(
                    now,
                    Event::Unsendable {
                        op,
                        code: code.as_str().to_owned(),
                    },
                ));
            }
            if self.engine.status().in_flight == 0 {
                // Nothing of the batch is on its way any more.
                *in_flight = None;
            }
            if let Some(reload) = self.execute_once(out, in_flight) {
                self.execute_once(reload, in_flight);
            }
        }
        self.publish(in_flight.is_some());
    }

    fn publish(&self, sending: bool) {
        let status = self.engine.status();
        let mut st = lock(&self.state);
        st.link = status.link;
        st.sending = sending;
        st.needs_sign_in = status.needs_sign_in;
        st.queued = status.queued;
    }

    /// Carry out `instructions`; the engine's next ones if it had to be
    /// reloaded from the store.
    fn execute_once(
        &mut self,
        instructions: Vec<Instruction>,
        in_flight: &mut Option<InFlight>,
    ) -> Option<Vec<Instruction>> {
        let mut marks: Vec<(OpId, Resolution)> = Vec::new();
        let mut reload = None;
        for i in instructions {
            match i {
                Instruction::Send { batch, ops } => {
                    self.sent_with.clear();
                    self.sent_with.insert(batch, self.token_gen);
                    *in_flight = self.send(batch, &ops);
                }
                Instruction::MarkDone(id) => {
                    let outcome = self.pending.remove(&id).unwrap_or(Outcome::Rejected {
                        field_errors: Vec::new(),
                    });
                    marks.push((id, Resolution::Done(outcome)));
                }
                Instruction::Attention { op, code } => {
                    let outcome = self.pending.remove(&op);
                    marks.push((op, Resolution::Attention { code, outcome }));
                }
                Instruction::WakeAt(t) => self.wake = Some(t),
                Instruction::AskSignIn => {
                    self.token = None;
                }
            }
        }
        if std::mem::take(&mut self.behind) {
            *in_flight = None;
            reload = self.restore();
        }
        if std::mem::take(&mut self.answered) || !marks.is_empty() {
            let res = lock(&self.store).record_results(&marks, unix_ms());
            if let Err(e) = res {
                // The answers could not be kept: the rows are still queued in
                // the store, so put the engine back in step with it; they are
                // resent and the service answers `duplicate`.
                lock(&self.state).store_error = Some(e.code());
                reload = self.restore();
            } else {
                lock(&self.state).store_error = None;
            }
        }
        self.pending.clear();
        reload
    }

    /// Another process on this data folder (a support tool) may have
    /// changed the outbox: when the store's counts differ from the engine's,
    /// take the store's word for it.
    fn rescan(&mut self) -> Option<Vec<Instruction>> {
        let counts = {
            let s = lock(&self.store);
            s.stats()
        };
        let st = counts.ok()?;
        let e = self.engine.status();
        if st.queued + st.audit_queued != e.queued as u64 || st.attention != e.attention as u64 {
            self.restore()
        } else {
            None
        }
    }

    /// Reload the engine from the store; its instructions to carry out.
    fn restore(&mut self) -> Option<Vec<Instruction>> {
        let rows = {
            let s = lock(&self.store);
            s.queued().and_then(|q| Ok((q, s.attention()?)))
        };
        let (queued, attention) = rows.ok()?;
        let now = self.now();
        Some(
            self.engine
                .handle(now, Event::Restored { queued, attention }),
        )
    }

    /// `GET /v1/health`: whether the service answers as itself.
    fn probe(&self) -> Probe {
        let client = self.client.clone();
        let url = format!("{}/v1/health", self.endpoint.base_url.trim_end_matches('/'));
        Box::pin(async move {
            match client.get(url).send().await {
                Ok(r) if r.status().is_success() => match r.json::<serde_json::Value>().await {
                    Ok(v) if v["status"] == "ok" => (true, v["reference_version"].as_u64()),
                    _ => (false, None),
                },
                _ => (false, None),
            }
        })
    }

    /// The service's reference data changed (a policy, a deactivated staff
    /// member): fetch it under the online session and keep it, off this
    /// loop. Nothing to do without a session (it is fetched at the next
    /// online sign-in) or when the copy is current.
    fn refresh_reference_if_changed(&self, version: u64) {
        let Some(token) = self.token.clone() else {
            return;
        };
        let current = lock(&self.store)
            .reference()
            .ok()
            .flatten()
            .map(|c| c.data.version);
        if current == Some(version) {
            return;
        }
        let client = self.client.clone();
        let url = format!(
            "{}/v1/reference",
            self.endpoint.base_url.trim_end_matches('/')
        );
        let counter_key = self.endpoint.counter_key.clone();
        let store = self.store.clone();
        tokio::spawn(async move {
            let mut req = client.get(url).bearer_auth(token);
            if let Some(k) = counter_key {
                req = req.header("X-Counter-Key", k);
            }
            let Ok(r) = req.send().await else { return };
            if !r.status().is_success() {
                return;
            }
            let Ok(data) = r.json::<ehr_protocol::wire::ReferenceData>().await else {
                return;
            };
            // The store's lock for the write only.
            let _ = lock(&store).put_reference(&data, unix_ms());
        });
    }

    /// The request for a batch, or none when nothing of it can go (every
    /// row is unsendable: the engine is told, and expects no answer).
    fn send(&mut self, batch: BatchId, ids: &[OpId]) -> Option<InFlight> {
        // The store lock is held for the read only, never across the request.
        let loaded = lock(&self.store).load_batch(ids);
        let loaded = match loaded {
            Ok(l) => l,
            Err(e) => {
                lock(&self.state).store_error = Some(e.code());
                return Some(Box::pin(async move {
                    (batch, Answer::ServerError(0), HashMap::new())
                }));
            }
        };
        if !loaded.behind.is_empty() {
            // Another process queued earlier rows of a record the engine
            // has not seen (ehrctl, a second app on the folder): nothing of
            // this batch goes; the engine is reloaded from the store, which
            // sends every record's rows in order.
            self.behind = true;
            return None;
        }
        let unsendable: Vec<OpId> = loaded.unsendable.iter().map(|(id, _)| *id).collect();
        self.unsendable.extend(loaded.unsendable);
        let ops = loaded.ops;
        let ids: Vec<OpId> = ids
            .iter()
            .copied()
            .filter(|id| !unsendable.contains(id))
            .collect();
        if ids.is_empty() {
            return None;
        }
        let client = self.client.clone();
        let url = format!("{}/v1/batch", self.endpoint.base_url.trim_end_matches('/'));
        let counter_key = self.endpoint.counter_key.clone();
        let revoked_marker = self.endpoint.revoked_marker.clone();
        let token = self.token.clone();
        Some(Box::pin(async move {
            // Rows no longer queued in the store (resolved meanwhile) are done
            // as far as the engine is concerned; nothing is written for them.
            let mut results: Vec<(OpId, OpOutcome)> = ids
                .iter()
                .filter(|id| !ops.iter().any(|(i, _)| i == *id))
                .map(|&id| (id, OpOutcome::Done))
                .collect();
            if ops.is_empty() {
                return (batch, Answer::Results(results), HashMap::new());
            }
            let by_key: HashMap<uuid::Uuid, OpId> = ops
                .iter()
                .map(|(id, op)| (op.idempotency_key, *id))
                .collect();
            let body = BatchRequest {
                ops: ops.into_iter().map(|(_, op)| op).collect(),
            };
            let mut req = client.post(url).json(&body);
            if let Some(k) = counter_key {
                req = req.header(COUNTER_KEY_HEADER, k);
            }
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(_) => {
                    tracing::info!("sync: the service cannot be reached; trying later");
                    return (batch, Answer::Network, HashMap::new());
                }
            };
            let status = resp.status().as_u16();
            let bytes = match resp.bytes().await {
                Ok(b) => b,
                Err(_) => return (batch, Answer::Network, HashMap::new()),
            };
            match status {
                200 => {
                    let Ok(parsed) = serde_json::from_slice::<BatchResponse>(&bytes) else {
                        // Not our API's answer (a proxy's page?): try later.
                        return (batch, Answer::ServerError(200), HashMap::new());
                    };
                    let mut outcomes = HashMap::new();
                    for r in parsed.results {
                        let Some(&id) = by_key.get(&r.idempotency_key) else {
                            continue;
                        };
                        let o = match &r.outcome {
                            Outcome::Applied { .. } | Outcome::Duplicate { .. } => OpOutcome::Done,
                            Outcome::Conflict { code, .. } => {
                                OpOutcome::Attention(code.as_str().to_owned())
                            }
                            Outcome::Rejected { .. } => OpOutcome::Attention(
                                ehr_protocol::ErrorCode::RequestValidation
                                    .as_str()
                                    .to_owned(),
                            ),
                        };
                        if let OpOutcome::Attention(code) = &o {
                            tracing::warn!(op = id, code = %code, "sync: an operation needs attention");
                        }
                        results.push((id, o));
                        outcomes.insert(id, r.outcome);
                    }
                    let done = results
                        .iter()
                        .filter(|(_, o)| matches!(o, OpOutcome::Done))
                        .count();
                    tracing::info!(
                        sent = by_key.len(),
                        done,
                        attention = results.len() - done,
                        "sync: batch answered"
                    );
                    (batch, Answer::Results(results), outcomes)
                }
                401 => {
                    tracing::info!("sync: the session needs a new sign-in");
                    (batch, Answer::Unauthorized, HashMap::new())
                }
                // A revoked counter: recorded for the app, which signs
                // everyone out; the operations stay queued.
                403 if serde_json::from_slice::<ErrorBody>(&bytes)
                    .is_ok_and(|e| e.code == ehr_protocol::ErrorCode::CounterRevoked) =>
                {
                    if let Some(path) = revoked_marker {
                        let _ = std::fs::write(path, b"revoked");
                    }
                    (batch, Answer::ServerError(status), HashMap::new())
                }
                408 | 429 | 500..=599 => {
                    tracing::warn!(status, "sync: the service is not answering; trying later");
                    (batch, Answer::ServerError(status), HashMap::new())
                }
                // Only the service's own refusal of the request's content
                // is bisected towards the attention list. Anything else (a
                // proxy's or firewall's page, a wrong path, a counter the
                // service does not allow) is the setup, not the operations:
                // keep them queued and try again later.
                400 | 413 | 415 | 422 => match serde_json::from_slice::<ErrorBody>(&bytes) {
                    Ok(e) => (
                        batch,
                        Answer::Refused {
                            status,
                            code: e.code.as_str().to_owned(),
                        },
                        HashMap::new(),
                    ),
                    Err(_) => (batch, Answer::ServerError(status), HashMap::new()),
                },
                _ => (batch, Answer::ServerError(status), HashMap::new()),
            }
        }))
    }
}
