//! The eHR Counter application API.
//!
//! Every operation the counter offers is a method on [`App`]. The Tauri shell
//! (`src-tauri`) wires each command to one method and adds nothing; `ehrctl`
//! and the tests call the same methods. Results and errors are the wire types
//! of `ehr-protocol`, so the UI sees exactly what the tests see.
//!
//! Invariant: this crate does not depend on Tauri (a test in `tests/tidy`
//! fails the build if any crate under `crates/` does).

pub mod card;
pub mod central;
mod clock;
pub mod config;
pub mod config_file;
pub mod doctor;
pub mod documents;
pub mod enrolment;
pub mod logs;
pub mod net;
mod screen_lock;
mod session;
pub mod staff;
pub mod sync;
pub mod tasks;

pub use clock::Clock;

pub use config::Config;
pub use doctor::DoctorReport;

use ehr_protocol::card::{FieldIssue, IdentityView, ManualIdentityRequest, ReaderView};
use std::sync::{Arc, Mutex};

use ehr_protocol::audit::AuditAction;
use ehr_protocol::ipc::{
    AppInfo, AttentionItem, DiscardRequest, DocumentTypeOption, SignInRequest, StaffRole,
    StaffSession, SyncLink, SyncStatus,
};
use ehr_protocol::ipc::{CentralUrlSource, EnrolCounterRequest, EnrolmentView};
use ehr_protocol::wire::auth::{SignOffRequest, SignOffResponse};
use ehr_protocol::{ErrorBody, ErrorCode};
pub use ehr_store::{Change, NewOp};

pub use enrolment::ENV_TRAINING_ENROLMENT_CODE;

/// The product name, shown in the window title and on slips.
pub const PRODUCT_NAME: &str = "eHR Counter";

/// The application version, from the workspace manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The counter application. Cheap to share: front ends hold one per process.
#[derive(Debug)]
pub struct App {
    config: Config,
    card: card::CardDesk,
    session: Arc<Mutex<Option<central::Session>>>,
    /// Where the app reads the time (the system clock, except in tests).
    clock: Clock,
    /// When the current session ends, and whether it has.
    session_clock: Mutex<staff::SessionClock>,
    outbox: Arc<StoreSlot>,
    /// Supervisor sign-offs given at this counter and not attached yet.
    sign_offs: Mutex<Vec<HeldSignOff>>,
    /// Whether the identity on the card side has been audited as shown
    /// (`card.read`): until it is, nobody is shown it.
    card_audited: Arc<Mutex<bool>>,
    /// The central service revoked this counter (`counter.revoked`): nobody
    /// signs in until it is enrolled again.
    revoked: std::sync::atomic::AtomicBool,
    /// The address of an enrolment made since the app started (in force
    /// when neither the environment nor the configuration file names one).
    enrolled_url: Mutex<Option<String>>,
    /// The site the service named at the last online sign-in: what a
    /// counter keyed by `EHR_COUNTER_KEY` (no `enrolment.json`) serves.
    told_site: Mutex<Option<ehr_protocol::wire::Site>>,
    /// The screen is locked (idle, or the clerk locked it): the card side
    /// answers without the identity until the same staff member unlocks.
    locked: Arc<std::sync::atomic::AtomicBool>,
    /// Captures, fonts and open slips (issue #12).
    documents: documents::Desk,
    /// The task in hand (issue #13), kept as a draft in the store too.
    task: Mutex<Option<tasks::machine::Task>>,
    /// The submitted task's result (its slip), until the task is finished.
    task_result: Mutex<Option<ehr_protocol::task::TaskResult>>,
}

/// An audit event that could not be written yet (a sign-in while the store
/// was still opening): written, with its own time, before the next one.
#[derive(Debug, Clone)]
struct PendingAudit {
    at_ms: i64,
    counter_id: Option<String>,
    staff_code: String,
    action: ehr_protocol::audit::AuditAction,
    subject: Option<String>,
}

/// A sign-off the service gave, until it is attached to a change.
#[derive(Clone)]
struct HeldSignOff {
    token: String,
    record_key: String,
    attach_by_ms: i64,
}

impl std::fmt::Debug for HeldSignOff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldSignOff")
            .field("record_key", &self.record_key)
            .field("attach_by_ms", &self.attach_by_ms)
            .finish_non_exhaustive()
    }
}

/// The sign-off tokens the operations of `change` carry.
fn sign_off_tokens(change: &Change) -> Vec<&str> {
    use ehr_protocol::wire::batch::Operation as O;
    change
        .ops
        .iter()
        .filter_map(|n| match &n.op {
            O::ActivateApplication(a) => a.supervisor_sign_off.as_deref(),
            O::RegisterInPerson(r) => r.supervisor_sign_off.as_deref(),
            O::KeyPaperApplication(k) => k.supervisor_sign_off.as_deref(),
            _ => None,
        })
        .collect()
}

/// Whether every sign-off `change` carries was given at this counter for
/// its record and is still within its time to attach (`now_ms`). A name, or
/// a token from elsewhere, is `supervisor.unverified`.
fn check_sign_offs(held: &[HeldSignOff], change: &Change, now_ms: i64) -> Result<(), ErrorBody> {
    for token in sign_off_tokens(change) {
        let found = held
            .iter()
            .find(|h| h.token == token && h.record_key == change.record_key);
        match found {
            None => {
                return Err(
                    ErrorBody::new(ErrorCode::SupervisorUnverified).on_field("supervisor_sign_off")
                )
            }
            Some(h) if now_ms > h.attach_by_ms => {
                return Err(ErrorBody::new(ErrorCode::SupervisorSignOffExpired)
                    .on_field("supervisor_sign_off"))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The store's place in the app: opened once per process, off the UI thread
/// in the desktop app; a failure is kept, not retried on every poll.
#[derive(Debug, Default)]
struct StoreSlot {
    state: Mutex<SlotState>,
    changed: std::sync::Condvar,
    /// The last local write that failed (cleared by the next that
    /// succeeds), for the status bar.
    write_error: Mutex<Option<ErrorCode>>,
    /// Sign-ins and sign-outs recorded while the store was not open yet.
    audit_backlog: Mutex<Vec<PendingAudit>>,
}

#[derive(Debug, Default)]
enum SlotState {
    #[default]
    Closed,
    Opening,
    Open(Outbox),
    /// The error, and when: asked again only after [`RETRY_FAILED_OPEN`].
    Failed(ErrorBody, std::time::Instant),
}

/// A store that failed to open (a keyring that timed out while the desktop
/// session was still unlocking it, say) is tried again at most this often;
/// the status bar's polls in between get the same error at once.
const RETRY_FAILED_OPEN: std::time::Duration = std::time::Duration::from_secs(60);

impl SlotState {
    /// A failure old enough to be tried again counts as never opened.
    fn expire_failure(&mut self) {
        if matches!(self, SlotState::Failed(_, at) if at.elapsed() >= RETRY_FAILED_OPEN) {
            *self = SlotState::Closed;
        }
    }
}

/// Puts a slot left `Opening` by a panic back to a failure, so nobody waits
/// for it for ever.
struct OpeningGuard<'a> {
    slot: &'a StoreSlot,
    armed: bool,
}

impl Drop for OpeningGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            *lock(&self.slot.state) = SlotState::Failed(
                ErrorBody::new(ErrorCode::Internal),
                std::time::Instant::now(),
            );
            self.slot.changed.notify_all();
        }
    }
}

/// Open the store into `slot` (once: later calls see what the first did;
/// with `wait`, a call while another opens waits for it). No lock is held
/// while the store opens, so signing in and the status bar never wait for a
/// keyring.
fn open_slot(
    config: &Config,
    slot: &StoreSlot,
    session: &Mutex<Option<central::Session>>,
    sync: bool,
    wait: bool,
    clock: &Clock,
) -> Result<(), ErrorBody> {
    {
        let mut st = lock(&slot.state);
        loop {
            st.expire_failure();
            match &*st {
                SlotState::Open(_) => return Ok(()),
                SlotState::Failed(e, _) => return Err(e.clone()),
                SlotState::Opening if wait => {
                    st = slot
                        .changed
                        .wait(st)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                SlotState::Opening => return Err(ErrorBody::new(ErrorCode::StoreOpening)),
                SlotState::Closed => {
                    *st = SlotState::Opening;
                    break;
                }
            }
        }
    }
    let mut guard = OpeningGuard { slot, armed: true };
    let opened = open_outbox(config, sync, clock.now_ms());
    guard.armed = false;
    let mut st = lock(&slot.state);
    let result = match opened {
        Ok((outbox, purge_failed)) => {
            *lock(&slot.write_error) = purge_failed;
            // Under the slot's lock: a sign-in that finished meanwhile has
            // its session in place, or hands its token over after this.
            if let (Some(d), Some(s)) = (&outbox.driver, lock(session).as_ref()) {
                // An offline session has no token: nothing is sent under it.
                d.set_token(Some(s.token.clone()).filter(|t| !t.is_empty()));
            }
            if let Some(s) = lock(session).as_ref() {
                let author = (s.staff.staff_code.as_str(), s.staff.offline);
                let _ = lock(&outbox.store).set_author(Some(author));
            }
            *st = SlotState::Open(outbox);
            Ok(())
        }
        Err(e) if e.code == ErrorCode::StoreInUse => {
            // Another process relays this folder's outbox: this one may
            // still open the store without syncing (a support tool beside
            // the running app), so nothing is kept.
            *st = SlotState::Closed;
            Err(e)
        }
        Err(e) => {
            *st = SlotState::Failed(e.clone(), std::time::Instant::now());
            Err(e)
        }
    };
    drop(st);
    slot.changed.notify_all();
    if result.is_ok() {
        // What was recorded while the store opened (a sign-in) goes into
        // the chain now, in order, before anything else.
        let _ = write_audit(slot, None);
    }
    result
}

/// Open the store and, with `sync` and a central service configured,
/// start its driver. The slow part (a keyring) runs here, under no lock.
/// A purge that cannot write (a full disk) does not keep the store closed:
/// the queue can still be read and sent, and the failure is shown.
fn open_outbox(
    config: &Config,
    sync: bool,
    now_ms: i64,
) -> Result<(Outbox, Option<ErrorCode>), ErrorBody> {
    // A folder enrolled in the other mode is never synced from here.
    if sync && enrolment::mode_mismatch(config) {
        return Err(ErrorBody::new(ErrorCode::CounterModeMismatch));
    }
    // The connection settings are checked before anything is opened.
    let central = match config.central() {
        _ if !sync => None,
        Ok(None) => None,
        Ok(Some(url)) => Some((url, central::counter_key(config)?)),
        Err(e) => return Err(e),
    };
    let policy = if config.keyring {
        ehr_store::KeyPolicy::Auto
    } else {
        ehr_store::KeyPolicy::FileOnly
    };
    let mut store = ehr_store::Store::open(&config.data_dir, policy).map_err(store_err)?;
    // How long synced rows stay: the service's policy once the counter has
    // its reference data, this build's default before.
    let policy_days = store
        .reference()
        .ok()
        .flatten()
        .map(|c| c.data.policies.counter_retention_days);
    // By the app's clock, as everything the purge compares with was
    // stamped (drafts, captures, cache entries).
    let purge_failed = store
        .purge(now_ms, retention_ms(policy_days, config.done_retention_ms))
        .err()
        .map(|e| e.code());
    let store = Arc::new(Mutex::new(store));
    let driver = match central {
        None => None,
        Some((url, counter_key)) => Some(start_driver(config, &store, url, counter_key)?),
    };
    Ok((Outbox { store, driver }, purge_failed))
}

/// How long synced outbox rows are kept: the policy's days when the counter
/// has them, else `fallback_ms`.
fn retention_ms(policy_days: Option<u32>, fallback_ms: i64) -> i64 {
    policy_days.map_or(fallback_ms, |d| i64::from(d) * 86_400_000)
}

/// The sync driver of `store` for the service at `url`.
fn start_driver(
    config: &Config,
    store: &Arc<Mutex<ehr_store::Store>>,
    url: config::CentralUrl,
    counter_key: Option<String>,
) -> Result<sync::Driver, ErrorBody> {
    let store = store.clone();
    let endpoint = sync::Endpoint {
        base_url: url.base,
        counter_key,
        client_identity: config.client_identity.clone(),
        ca: config.central_ca.clone(),
        revoked_marker: Some(config.data_dir.join(enrolment::REVOKED_FILE)),
        connect_timeout: std::time::Duration::from_secs(5),
        request_timeout: std::time::Duration::from_millis(
            config
                .sync
                .request_timeout_ms
                .saturating_sub(5_000)
                .max(1_000),
        ),
    };
    let seed = sync::unix_ms() as u64 ^ u64::from(std::process::id());
    match sync::Driver::start(
        &config.data_dir,
        store.clone(),
        endpoint,
        config.sync.clone(),
        seed,
    ) {
        Ok(d) => Ok(d),
        Err(sync::StartError::Locked) => Err(ErrorBody::new(ErrorCode::StoreInUse)),
        Err(sync::StartError::Store(e)) => Err(store_err(e)),
        Err(_) => Err(ErrorBody::new(ErrorCode::CentralClientSetup)),
    }
}

/// The open store and, when a central service is configured, its driver.
#[derive(Debug)]
struct Outbox {
    store: Arc<Mutex<ehr_store::Store>>,
    driver: Option<sync::Driver>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn store_err(e: ehr_store::StoreError) -> ErrorBody {
    ErrorBody::new(e.code())
}

/// The open store of `slot`, if it is open (never opens it).
fn open_store_of(slot: &StoreSlot) -> Option<Arc<Mutex<ehr_store::Store>>> {
    match &*lock(&slot.state) {
        SlotState::Open(o) => Some(o.store.clone()),
        _ => None,
    }
}

/// Tell the sync driver of `slot` about operations just queued.
fn notify_driver(slot: &StoreSlot, queued: Vec<ehr_sync::QueuedOp>) {
    if queued.is_empty() {
        return;
    }
    if let SlotState::Open(o) = &*lock(&slot.state) {
        if let Some(d) = &o.driver {
            for q in queued {
                d.event(ehr_sync::Event::LocalWrite(q));
            }
        }
    }
}

/// Write the backlog of `slot`, then `event` (if any), into the audit chain
/// of its open store, each with its operation for the central service.
fn write_audit(slot: &StoreSlot, event: Option<PendingAudit>) -> Result<(), ErrorBody> {
    let store = open_store_of(slot).ok_or_else(|| ErrorBody::new(ErrorCode::StoreOpening))?;
    let mut backlog = lock(&slot.audit_backlog);
    let mut queued = Vec::new();
    let written = {
        let mut s = lock(&store);
        let mut result = Ok(());
        for e in backlog.iter().chain(event.iter()) {
            let appended = s.append_audit(
                &ehr_store::NewAudit {
                    counter_id: e.counter_id.as_deref(),
                    staff_code: &e.staff_code,
                    action: e.action.as_str(),
                    subject: e.subject.as_deref(),
                    detail: None,
                },
                e.at_ms,
            );
            match appended {
                Ok(q) => queued.extend(q),
                Err(err) => {
                    result = Err(store_err(err));
                    break;
                }
            }
        }
        result
    };
    if written.is_ok() {
        backlog.clear();
    } else {
        // Whatever of the backlog went in is in the chain; what did not stays.
        let done = queued.len().min(backlog.len());
        backlog.drain(..done);
    }
    drop(backlog);
    notify_driver(slot, queued);
    written
}

impl App {
    /// An application over `config`. Does no IO.
    pub fn new(config: Config) -> Self {
        Self::with_clock(config, Clock::system())
    }

    /// An application over `config` that reads the time from `clock` (tests
    /// set the time). Does no IO.
    pub fn with_clock(config: Config, clock: Clock) -> Self {
        App {
            config,
            clock,
            session_clock: Mutex::default(),
            card: card::CardDesk::default(),
            session: Default::default(),
            outbox: Arc::default(),
            sign_offs: Mutex::new(Vec::new()),
            card_audited: Arc::default(),
            revoked: Default::default(),
            enrolled_url: Mutex::new(None),
            told_site: Mutex::new(None),
            locked: Default::default(),
            documents: documents::Desk::default(),
            task: Mutex::new(None),
            task_result: Mutex::new(None),
        }
    }

    /// The configuration this app runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What the sign-in screen shows about this installation.
    pub fn info(&self) -> AppInfo {
        AppInfo {
            name: PRODUCT_NAME.to_owned(),
            version: VERSION.to_owned(),
            // The address in force: an enrolment since the start included.
            central_url: self.current_config().central_url,
            training_mode: self.config.training_mode,
            config_problem: self.config.file_error.as_ref().map(|e| {
                ehr_protocol::ipc::ConfigProblem {
                    path: e.path.display().to_string(),
                    line: u32::try_from(e.line).unwrap_or(u32::MAX),
                    column: u32::try_from(e.column).unwrap_or(u32::MAX),
                    detail: e.message.clone(),
                }
            }),
            document_types: ehr_domain::DocumentType::ALL
                .iter()
                .map(|t| {
                    let (en, zh) = t.names();
                    DocumentTypeOption {
                        code: t.code().to_owned(),
                        name_en: en.to_owned(),
                        name_zh: zh.to_owned(),
                    }
                })
                .collect(),
        }
    }

    /// Sign a staff member in at the central service.
    ///
    /// The input is checked here first, so a clerk learns of a typing slip
    /// without a round trip. With no central service configured the answer
    /// is `central.not_configured`; otherwise the service decides, and its
    /// stable code comes back (wrong password, locked account, unknown
    /// counter), or `central.unreachable`. An address that is not HTTPS
    /// (plain HTTP is for loopback only) is refused before anything is sent.
    pub fn sign_in(&self, req: &SignInRequest) -> Result<StaffSession, ErrorBody> {
        session::check_sign_in(req)?;
        // A revoked counter is refused here, without asking the service again.
        if self.is_revoked() {
            return Err(ErrorBody::new(ErrorCode::CounterRevoked));
        }
        // Training and real registrations never share a data folder.
        if enrolment::mode_mismatch(&self.current_config()) {
            return Err(ErrorBody::new(ErrorCode::CounterModeMismatch));
        }
        let Some(central) = self.central_in_force()? else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let s = self
            .sign_in_online_or_offline(&central.base, req)
            .map_err(|e| {
                tracing::info!(code = e.code.as_str(), "sign-in refused");
                self.note_if_revoked(e)
            })?;
        tracing::info!(staff = %s.staff.staff_code, "signed in");
        let staff = s.staff.clone();
        let token = s.token.clone();
        let counter_id = s.counter_id.clone();
        if let Some(site) = s.site.clone() {
            *lock(&self.told_site) = Some(site);
        }
        *lock(&self.session) = Some(s);
        // An offline session has no token: its changes wait for an online one.
        self.with_driver(|d| d.set_token(Some(token).filter(|t| !t.is_empty())));
        // Audited; while the store is still opening, as soon as it is open.
        let event = PendingAudit {
            at_ms: sync::unix_ms(),
            counter_id,
            staff_code: staff.staff_code.clone(),
            action: AuditAction::SignIn,
            subject: None,
        };
        self.audit_or_hold(event);
        // A card read while nobody was signed in is shown (and audited) now.
        self.audit_card_on_screen();
        Ok(staff)
    }

    /// Whether this counter is enrolled, the central address in force and
    /// where it comes from, and the site it serves (see [`EnrolmentView`]).
    /// Reads two small files and no keyring: cheap enough to poll. When
    /// the counter has been revoked (by any call, the sync driver's
    /// included) and somebody is still signed in, they are signed out.
    pub fn enrolment(&self) -> EnrolmentView {
        let mut view = enrolment::view(&self.current_config(), self.is_revoked());
        // Keyed by the environment (support, tests): the site the service
        // named at sign-in.
        if view.site.is_none() {
            view.site = lock(&self.told_site).as_ref().map(enrolment::site_view);
        }
        if view.revoked && lock(&self.session).is_some() {
            self.sign_out();
        }
        view
    }

    /// Enrol this counter at the central service `req.central_url` with a
    /// one-time enrolment code: the machine key that comes back is kept
    /// (keyring, else `counter.key`, 0600; never shown) and the address and
    /// the site in `enrolment.json`. A bad address, an unreachable service
    /// (`central.dns`, `central.refused`, `central.tls`,
    /// `central.unreachable`), something that is not an ehr-central
    /// (`central.not_a_central_service`), and an unknown, expired or used
    /// code each have their own error. Enrolling again clears a revocation.
    /// Blocks for the request: call it off the UI thread.
    pub fn enrol(&self, req: &EnrolCounterRequest) -> Result<EnrolmentView, ErrorBody> {
        let e = enrolment::enrol(&self.config, req)?;
        *lock(&self.enrolled_url) = Some(e.central_url);
        self.revoked
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.start_sync_if_open();
        Ok(self.enrolment())
    }

    /// A store opened before the counter had a central service (the first
    /// run) starts syncing as soon as it has one, without a restart.
    fn start_sync_if_open(&self) {
        let config = self.current_config();
        let Ok(Some(url)) = config.central() else {
            return;
        };
        let Ok(key) = central::counter_key(&config) else {
            return;
        };
        let mut st = lock(&self.outbox.state);
        let SlotState::Open(o) = &mut *st else {
            return;
        };
        if o.driver.is_some() {
            return;
        }
        if let Ok(d) = start_driver(&config, &o.store, url, key) {
            if let Some(s) = lock(&self.session).as_ref() {
                d.set_token(Some(s.token.clone()).filter(|t| !t.is_empty()));
            }
            o.driver = Some(d);
        }
    }

    /// In training mode, enrol at the embedded service with the code its
    /// launcher minted (`EHR_TRAINING_ENROLMENT_CODE`), unless this counter
    /// is enrolled already: the clerk is never asked for a code. `None`
    /// when there was nothing to do.
    pub fn enrol_for_training(&self) -> Result<Option<EnrolmentView>, ErrorBody> {
        match enrolment::enrol_for_training(&self.current_config())? {
            None => Ok(None),
            Some(e) => {
                *lock(&self.enrolled_url) = Some(e.central_url);
                Ok(Some(self.enrolment()))
            }
        }
    }

    /// The configuration in force: [`App::config`], with the address of
    /// an enrolment made since the start when nothing above the enrolment
    /// names one.
    fn current_config(&self) -> Config {
        let mut c = self.config.clone();
        if let Some(url) = lock(&self.enrolled_url).clone() {
            if matches!(
                c.central_source,
                CentralUrlSource::None | CentralUrlSource::Enrolment
            ) {
                c.central_url = Some(url);
                c.central_source = CentralUrlSource::Enrolment;
            }
        }
        c
    }

    /// The central address in force, checked.
    fn central_in_force(&self) -> Result<Option<config::CentralUrl>, ErrorBody> {
        self.current_config().central()
    }

    fn is_revoked(&self) -> bool {
        self.revoked.load(std::sync::atomic::Ordering::SeqCst)
            || enrolment::is_revoked(&self.config.data_dir)
    }

    /// An error from the service: `counter.revoked` is recorded (in memory
    /// and in the data folder) and everyone is signed out.
    fn note_if_revoked(&self, e: ErrorBody) -> ErrorBody {
        if e.code == ErrorCode::CounterRevoked {
            self.revoked
                .store(true, std::sync::atomic::Ordering::SeqCst);
            enrolment::mark_revoked(&self.config.data_dir);
            self.sign_out();
        }
        e
    }

    /// A supervisor signs off an override for the local record
    /// `req.record_key`, with their own staff code and password, while the
    /// clerk is signed in and the service is reachable. The token that comes
    /// back goes in the operation's `supervisor_sign_off`; it must be
    /// attached (committed) within its time, and only to that record.
    pub fn supervisor_sign_off(&self, req: &SignOffRequest) -> Result<SignOffResponse, ErrorBody> {
        let token = lock(&self.session)
            .as_ref()
            .map(|s| s.token.clone())
            .ok_or_else(|| ErrorBody::new(ErrorCode::AuthSignInRequired))?;
        session::check_sign_in(&SignInRequest {
            staff_code: req.staff_code.clone(),
            password: req.password.clone(),
        })?;
        let Some(base) = &self.current_config().central_url else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let asked_at = sync::unix_ms();
        let given = central::sign_off(&self.config, base, &token, req)
            .map_err(|e| self.note_if_revoked(self.seen_from_service(e)))?;
        let within = i64::try_from(given.attach_within_seconds).unwrap_or(0);
        lock(&self.sign_offs).push(HeldSignOff {
            token: given.token.clone(),
            record_key: req.record_key.clone(),
            // Counted from before the request: never later than the service's.
            attach_by_ms: asked_at.saturating_add(within.saturating_mul(1000)),
        });
        Ok(given)
    }

    /// Sign out: the session ends and the identity on screen is cleared.
    /// Queued changes stay queued until somebody signs in again.
    pub fn sign_out(&self) {
        let ending = lock(&self.session).clone();
        if let Some(s) = ending {
            self.audit_or_hold(PendingAudit {
                at_ms: sync::unix_ms(),
                counter_id: s.counter_id,
                staff_code: s.staff.staff_code,
                action: AuditAction::SignOut,
                subject: None,
            });
        }
        *lock(&self.session) = None;
        self.locked
            .store(false, std::sync::atomic::Ordering::SeqCst);
        lock(&self.sign_offs).clear();
        // The task leaves the screen; its draft stays for the same clerk.
        *lock(&self.task) = None;
        *lock(&self.task_result) = None;
        self.with_driver(|d| d.set_token(None));
        self.end_session();
        self.card.finish_task();
        *lock(&self.card_audited) = false;
        self.end_documents();
    }

    /// Open the encrypted local store and, with a central service
    /// configured, start syncing its outbox. Once per process; later calls
    /// do nothing. A store that cannot be opened (wrong or missing key,
    /// newer schema) is an error, and nothing is created in its place; so is
    /// a central address that is not HTTPS, or a machine key file open to
    /// other accounts.
    pub fn open_store(&self) -> Result<(), ErrorBody> {
        self.open_store_with(true)
    }

    /// Open the store without syncing it (support tools beside a running
    /// app: `ehrctl queue status`, `ehrctl db verify`). A running app picks
    /// up what such a tool changed at its next rescan.
    pub fn open_store_without_sync(&self) -> Result<(), ErrorBody> {
        self.open_store_with(false)
    }

    fn open_store_with(&self, sync: bool) -> Result<(), ErrorBody> {
        open_slot(
            &self.current_config(),
            &self.outbox,
            &self.session,
            sync,
            true,
            &self.clock,
        )
    }

    /// Start opening the store (and its sync) on a thread of its own and
    /// return at once: the desktop app's start. Until it is open (a keyring
    /// may take its time to hand over the key), commands that need it answer
    /// `store.opening` instead of waiting, and signing in works.
    pub fn open_store_in_background(&self) {
        {
            let st = lock(&self.outbox.state);
            if !matches!(*st, SlotState::Closed) {
                return;
            }
        }
        let (config, slot, session, clock) = (
            self.config.clone(),
            self.outbox.clone(),
            self.session.clone(),
            self.clock.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("store-open".into())
            .spawn(move || {
                // Training: enrolled at the embedded service before the
                // sync driver needs the machine key.
                let _ = enrolment::enrol_for_training(&config);
                let _ = open_slot(&config, &slot, &session, true, true, &clock);
            });
        if spawned.is_err() {
            let mut st = lock(&self.outbox.state);
            *st = SlotState::Failed(
                ErrorBody::new(ErrorCode::Internal),
                std::time::Instant::now(),
            );
            self.outbox.changed.notify_all();
        }
    }

    /// The open store, without waiting: `store.opening` while it is being
    /// opened elsewhere, the error it failed with (tried again at most once a
    /// minute: a keyring that timed out is not asked again on every status
    /// poll), or opened here and now when nothing opened it yet (support
    /// tools, tests).
    fn store(&self) -> Result<Arc<Mutex<ehr_store::Store>>, ErrorBody> {
        {
            let mut st = lock(&self.outbox.state);
            st.expire_failure();
            match &*st {
                SlotState::Open(o) => return Ok(o.store.clone()),
                SlotState::Opening => return Err(ErrorBody::new(ErrorCode::StoreOpening)),
                SlotState::Failed(e, _) => return Err(e.clone()),
                SlotState::Closed => {}
            }
        }
        open_slot(
            &self.current_config(),
            &self.outbox,
            &self.session,
            true,
            false,
            &self.clock,
        )?;
        match &*lock(&self.outbox.state) {
            SlotState::Open(o) => Ok(o.store.clone()),
            SlotState::Failed(e, _) => Err(e.clone()),
            _ => Err(ErrorBody::new(ErrorCode::StoreOpening)),
        }
    }

    fn with_driver(&self, f: impl FnOnce(&sync::Driver)) {
        if let SlotState::Open(o) = &*lock(&self.outbox.state) {
            if let Some(d) = &o.driver {
                f(d);
            }
        }
    }

    fn driver_state(&self) -> Option<sync::DriverState> {
        match &*lock(&self.outbox.state) {
            SlotState::Open(o) => o.driver.as_ref().map(sync::Driver::state),
            _ => None,
        }
    }

    /// The signed-in staff member; `auth.session_expired` once the session
    /// is past its time (the state stays for a sign-in in place).
    fn staff(&self) -> Result<StaffSession, ErrorBody> {
        let staff = self.staff_any()?;
        if self.session_expired() {
            return Err(ErrorBody::new(ErrorCode::AuthSessionExpired));
        }
        Ok(staff)
    }

    /// Save a change and its outbox rows in one transaction; the sync
    /// driver sends them when it can. Needs a signed-in staff member.
    pub fn commit_change(&self, change: &Change) -> Result<Vec<i64>, ErrorBody> {
        self.commit_change_with(change, &[])
    }

    /// Commit a change whose operations name held captures (their image
    /// ids): each capture's normalised JPEG becomes an `upload_document`
    /// row placed before the change's own operations, in the same
    /// transaction, and leaves the held list. The ids of the change's rows
    /// (uploads included).
    pub fn commit_change_with_captures(
        &self,
        change: &Change,
        image_ids: &[&str],
    ) -> Result<Vec<i64>, ErrorBody> {
        let ids = image_ids
            .iter()
            .map(|i| {
                uuid::Uuid::parse_str(i).map_err(|_| ErrorBody::new(ErrorCode::CaptureNotFound))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.commit_change_with(change, &ids)
    }

    fn commit_change_with(
        &self,
        change: &Change,
        captures: &[uuid::Uuid],
    ) -> Result<Vec<i64>, ErrorBody> {
        self.staff()?;
        let now = sync::unix_ms();
        check_sign_offs(&lock(&self.sign_offs), change, now)?;
        let store = self.store()?;
        let session = lock(&self.session).clone();
        let (staff_code, counter_id) = session
            .map(|s| (s.staff.staff_code, s.counter_id))
            .ok_or_else(|| ErrorBody::new(ErrorCode::AuthSignInRequired))?;
        // The change and the audit event that says who submitted it commit
        // together; the subject is the local record's key.
        let subject = ehr_protocol::audit::subject(&change.record_key);
        let audit = ehr_store::NewAudit {
            counter_id: counter_id.as_deref(),
            staff_code: &staff_code,
            action: AuditAction::ChangeSubmitted.as_str(),
            subject: subject.as_deref(),
            detail: None,
        };
        // Anything held back goes into the chain first, in its order.
        if !lock(&self.outbox.audit_backlog).is_empty() {
            let _ = write_audit(&self.outbox, None);
        }
        let committed = if captures.is_empty() {
            lock(&store).commit_change_audited(change, &audit, now)
        } else {
            lock(&store).commit_change_with_captures(change, captures, &audit, now)
        };
        let queued = match committed {
            Ok(q) => {
                *lock(&self.outbox.write_error) = None;
                q
            }
            Err(ehr_store::StoreError::NotFound) if !captures.is_empty() => {
                return Err(ErrorBody::new(ErrorCode::CaptureNotFound));
            }
            Err(e) => {
                let e = store_err(e);
                if matches!(
                    e.code,
                    ErrorCode::StoreDiskFull
                        | ErrorCode::StoreUnavailable
                        | ErrorCode::StoreCorrupt
                ) {
                    *lock(&self.outbox.write_error) = Some(e.code);
                }
                return Err(e);
            }
        };
        let ids = queued
            .iter()
            .filter(|q| q.record_key == change.record_key)
            .map(|q| q.id)
            .collect();
        // Attached: the counter's part is done; the service checks the rest.
        let used = sign_off_tokens(change);
        lock(&self.sign_offs)
            .retain(|h| !used.contains(&h.token.as_str()) && h.attach_by_ms >= now);
        self.with_driver(|d| {
            for q in queued {
                d.event(ehr_sync::Event::LocalWrite(q));
            }
        });
        Ok(ids)
    }

    /// A local record's status (`queued`, `synced`, `attention`,
    /// `discarded`) and its eHR number once assigned; `None` if unknown.
    pub fn local_record(
        &self,
        record_key: &str,
    ) -> Result<Option<(String, Option<String>)>, ErrorBody> {
        let store = self.store()?;
        let r = lock(&store).record(record_key);
        match r {
            Ok(v) => {
                // A signed-in clerk's view is audited (by the eHR number once
                // there is one); support tools without a sign-in see only the
                // status and number.
                if self.signed_in() {
                    let subject = v.1.clone().unwrap_or_else(|| record_key.to_owned());
                    self.record_audit(AuditAction::RecordView, Some(&subject))?;
                }
                Ok(Some(v))
            }
            Err(ehr_store::StoreError::NotFound) => Ok(None),
            Err(e) => Err(store_err(e)),
        }
    }

    /// What the status bar shows.
    pub fn sync_status(&self) -> Result<SyncStatus, ErrorBody> {
        let store = self.store()?;
        let stats = lock(&store).stats().map_err(store_err)?;
        let driver = self.driver_state();
        let d = driver.clone().unwrap_or_default();
        let waiting_offline = self.offline_changes_waiting();
        Ok(SyncStatus {
            central_configured: driver.is_some(),
            link: match d.link {
                ehr_sync::Link::Unknown => SyncLink::Unknown,
                ehr_sync::Link::Online => SyncLink::Online,
                ehr_sync::Link::Offline => SyncLink::Offline,
            },
            queued: stats.queued.min(u64::from(u32::MAX)) as u32,
            audit_queued: stats.audit_queued.min(u64::from(u32::MAX)) as u32,
            attention: stats.attention.min(u64::from(u32::MAX)) as u32,
            oldest_queued_at_ms: stats.oldest_queued_at_ms.map(|v| v.max(0) as u64),
            last_success_at_ms: stats.last_success_at_ms.map(|v| v.max(0) as u64),
            now_ms: sync::unix_ms().max(0) as u64,
            needs_sign_in: d.needs_sign_in
                || (driver.is_some() && !self.signed_in())
                || (waiting_offline && d.link == ehr_sync::Link::Online),
            waiting_for_online_sign_in: waiting_offline,
            sending: d.sending,
            store_error: (*lock(&self.outbox.write_error))
                .or(d.store_error)
                .map(ErrorBody::new),
        })
    }

    /// Whether the local store takes a write now (`ehrctl queue status`): a
    /// small real write. A failure shows on the status bar too, until a
    /// write succeeds.
    pub fn check_store_writable(&self) -> Result<(), ErrorBody> {
        let store = self.store()?;
        let probed = lock(&store).probe_write(sync::unix_ms());
        match probed {
            Ok(()) => {
                *lock(&self.outbox.write_error) = None;
                Ok(())
            }
            Err(e) => {
                let e = store_err(e);
                *lock(&self.outbox.write_error) = Some(e.code);
                Err(e)
            }
        }
    }

    /// The "needs attention" list, oldest first.
    pub fn attention_list(&self) -> Result<Vec<AttentionItem>, ErrorBody> {
        self.staff()?;
        let store = self.store()?;
        let items = lock(&store).attention_items().map_err(store_err)?;
        Ok(items)
    }

    /// The attention list for support tools (`ehrctl queue status`), which
    /// run without a staff sign-in: the same items, summaries left out.
    pub fn attention_items_for_support(&self) -> Result<Vec<AttentionItem>, ErrorBody> {
        let store = self.store()?;
        let mut items = lock(&store).attention_items().map_err(store_err)?;
        for i in &mut items {
            i.summary.clear();
        }
        Ok(items)
    }

    /// The clerk retries a change on the attention list (audited). It goes
    /// back to the queue under a new idempotency key and is sent at once.
    pub fn retry_attention(&self, id: i64) -> Result<(), ErrorBody> {
        let staff = self.staff()?;
        let store = self.store()?;
        let (q, audit) = lock(&store)
            .retry(id, &staff.staff_code, sync::unix_ms())
            .map_err(store_err)?;
        self.with_driver(|d| {
            d.event(ehr_sync::Event::Retried(q.id));
            for a in audit {
                d.event(ehr_sync::Event::LocalWrite(a));
            }
            d.event(ehr_sync::Event::Connectivity(true));
        });
        Ok(())
    }

    /// A supervisor discards a change on the attention list, with a reason
    /// (audited here and at the central service).
    pub fn discard_attention(&self, req: &DiscardRequest) -> Result<(), ErrorBody> {
        let staff = self.staff()?;
        if staff.role != StaffRole::Supervisor {
            return Err(ErrorBody::new(ErrorCode::QueueSupervisorOnly));
        }
        if req.reason.trim().is_empty() {
            return Err(ErrorBody::new(ErrorCode::QueueReasonRequired).on_field("reason"));
        }
        if req.reason.chars().count() > 500 {
            return Err(ErrorBody::new(ErrorCode::FieldFormat).on_field("reason"));
        }
        let store = self.store()?;
        let now = sync::unix_ms();
        let audit = lock(&store)
            .discard(req.id, &staff.staff_code, &req.reason, now)
            .map_err(store_err)?;
        self.with_driver(|d| {
            d.event(ehr_sync::Event::Discarded(req.id));
            for q in audit {
                d.event(ehr_sync::Event::LocalWrite(q));
            }
        });
        Ok(())
    }

    /// Try to sync now (the network is back, or the clerk asked).
    pub fn sync_now(&self) {
        self.with_driver(|d| d.event(ehr_sync::Event::Connectivity(true)));
    }

    /// Wait until nothing is queued (changes and audit events) and nothing
    /// is on its way, or `timeout` passes; whether it drained. Audit events
    /// go under a sign-in like everything else, so a sign-out's own event
    /// waits for the next one.
    pub fn wait_until_drained(&self, timeout: std::time::Duration) -> Result<bool, ErrorBody> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let st = self.sync_status()?;
            if st.queued == 0 && st.audit_queued == 0 && !st.sending {
                return Ok(true);
            }
            if std::time::Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Audit that a staff member was shown a full document number (`ehrctl
    /// card read --reveal`): a local audit row and an `id.reveal` audit
    /// event queued for the central service, under the signed-in staff
    /// code, with the masked number as the subject. Needs a sign-in; call
    /// it before showing the number, and show nothing if it fails.
    pub fn audit_reveal(&self, document_masked: &str) -> Result<(), ErrorBody> {
        self.record_audit(AuditAction::Reveal, Some(document_masked))
    }

    /// Record an audit event for the signed-in staff member at this
    /// counter: a link in the local audit chain and its `audit_events`
    /// operation for the central service, in one transaction. `subject` is
    /// a reference (an eHR number, a masked document number, a record key),
    /// never personal data; only the characters the service accepts are
    /// kept. Needs a sign-in and the store; call it before showing what it
    /// audits, and show nothing if it fails.
    pub fn record_audit(
        &self,
        action: AuditAction,
        subject: Option<&str>,
    ) -> Result<(), ErrorBody> {
        let session = lock(&self.session).clone();
        let s = session.ok_or_else(|| ErrorBody::new(ErrorCode::AuthSignInRequired))?;
        // Opened here when nothing opened it yet (support tools, tests).
        self.store()?;
        write_audit(
            &self.outbox,
            Some(PendingAudit {
                at_ms: sync::unix_ms(),
                counter_id: s.counter_id,
                staff_code: s.staff.staff_code,
                action,
                subject: subject.and_then(ehr_protocol::audit::subject),
            }),
        )
    }

    /// Record `event` now, or, while the store is not open yet, as soon as
    /// it is (sign-in and sign-out must not wait for a keyring).
    fn audit_or_hold(&self, event: PendingAudit) {
        let open = open_store_of(&self.outbox).is_some();
        if !open || write_audit(&self.outbox, Some(event.clone())).is_err() {
            lock(&self.outbox.audit_backlog).push(event);
            // The store may have opened meanwhile (its backlog written
            // before this was added).
            if open_store_of(&self.outbox).is_some() {
                let _ = write_audit(&self.outbox, None);
            }
        }
    }

    /// Audit the identity on the card side as shown (`card.read`, by its
    /// masked number), once per identity; `false` if it could not be.
    fn audit_card_on_screen(&self) -> bool {
        let v = self.card.view();
        audit_card_read(&self.outbox, &self.session, &self.card_audited, &v)
    }

    /// Walk the local audit chain (`ehrctl audit verify`): the first broken
    /// link, if any. Needs no sign-in: the report names no subject.
    pub fn verify_audit_chain(&self) -> Result<ehr_store::ChainReport, ErrorBody> {
        let store = self.store()?;
        let r = lock(&store).verify_audit_chain().map_err(store_err)?;
        Ok(r)
    }

    /// The local audit events since `since_ms` (`ehrctl audit list`), in
    /// chain order. Needs a staff sign-in.
    pub fn audit_events_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<ehr_store::AuditEntry>, ErrorBody> {
        self.staff()?;
        let store = self.store()?;
        let r = lock(&store).audit_since(since_ms).map_err(store_err)?;
        Ok(r)
    }

    /// The local audit rows of `action` (for support and tests): staff
    /// code, subject, detail.
    pub fn audit_rows(&self, action: &str) -> Result<Vec<ehr_store::AuditRow>, ErrorBody> {
        let store = self.store()?;
        let rows = lock(&store).audit_rows(action).map_err(store_err)?;
        Ok(rows)
    }

    /// `ehrctl db verify`: the store's integrity and key check.
    pub fn verify_store(&self) -> Result<ehr_store::Verification, ErrorBody> {
        let store = self.store()?;
        let v = lock(&store).verify().map_err(store_err)?;
        Ok(v)
    }

    /// Whether a staff member is signed in.
    pub fn signed_in(&self) -> bool {
        signed_in(&self.session)
    }

    /// Start following the card readers (once; later calls do nothing).
    /// `on_change` gets every change of the card side, on the reader thread.
    pub fn start_card_reader<F>(&self, on_change: F) -> Result<(), ErrorBody>
    where
        F: Fn(&card::CardUpdate) + Send + Sync + 'static,
    {
        self.start_card_reader_with(ehr_card_pcsc::MonitorOptions::default(), on_change)
    }

    /// [`App::start_card_reader`] with explicit reader-thread options.
    pub fn start_card_reader_with<F>(
        &self,
        options: ehr_card_pcsc::MonitorOptions,
        on_change: F,
    ) -> Result<(), ErrorBody>
    where
        F: Fn(&card::CardUpdate) + Send + Sync + 'static,
    {
        let mut options = options;
        if options.source.is_none() {
            options.source = card::shared_source(&self.config);
        }
        // Nobody's card data reaches a front end while nobody is signed
        // in, nor before its showing is audited (`card.read`).
        let session = self.session.clone();
        let slot = self.outbox.clone();
        let audited = self.card_audited.clone();
        let locked = self.locked.clone();
        let guarded = move |u: &card::CardUpdate| {
            // A locked screen gets nothing of the person (and nothing is
            // audited as shown); unlocking shows and audits it.
            if signed_in(&session)
                && !locked.load(std::sync::atomic::Ordering::SeqCst)
                && audit_card_read(&slot, &session, &audited, &u.view)
            {
                on_change(u);
            } else {
                on_change(&card::CardUpdate {
                    view: card::without_identity(&u.view),
                    ..u.clone()
                });
            }
        };
        self.card
            .start(options, Box::new(guarded))
            .map_err(|_| ErrorBody::new(ErrorCode::Internal))
    }

    /// Stop following the card readers.
    pub fn stop_card_reader(&self) {
        self.card.stop();
    }

    /// What the card side of the screen shows now.
    pub fn reader_view(&self) -> ReaderView {
        let v = self.card.view();
        if self.signed_in()
            && !self.is_locked()
            && (v.identity.is_none() || *lock(&self.card_audited))
        {
            v
        } else {
            card::without_identity(&v)
        }
    }

    /// The clerk finished the task: the identity on screen is cleared (and a
    /// read in progress is cancelled).
    pub fn finish_task(&self) -> ReaderView {
        let v = self.card.finish_task();
        *lock(&self.card_audited) = false;
        self.end_documents();
        v
    }

    /// Check the manual pane with the domain rules: the identity as the pane
    /// shows it (number masked), or every refused field.
    pub fn check_manual_identity(
        &self,
        req: &ManualIdentityRequest,
    ) -> Result<IdentityView, Vec<FieldIssue>> {
        card::check_manual(req).map(|id| card::identity_view(&id))
    }

    /// Which source reads cards on this counter (`EHR_IDEAS_ENDPOINT` set:
    /// IDEAS; else the open test card profile over PC/SC).
    pub fn identity_source_kind(&self) -> ehr_card::identity::SourceKind {
        self.config.identity_source()
    }

    /// Read the identity on the card in `reader` once, through this
    /// counter's identity source. The caller decides who may see it
    /// (`ehrctl card read` signs in first).
    pub fn read_identity(
        &self,
        reader: &str,
        timeout: std::time::Duration,
        cancel: &ehr_card::identity::Cancel,
    ) -> Result<ehr_card::identity::IdentityRead, ehr_card::identity::SourceError> {
        card::identity_source(&self.config).read_identity(reader, timeout, cancel)
    }

    /// The field engineer's report: version, data directory, PC/SC, central.
    pub fn doctor(&self) -> DoctorReport {
        doctor::run(&self.current_config())
    }
}

fn signed_in(s: &Mutex<Option<central::Session>>) -> bool {
    lock(s).is_some()
}

/// Whether the identity in `view` may be shown: there is none (and the
/// next one is audited afresh), or its showing to the signed-in clerk is
/// audited as `card.read` with its masked number (now, or already). An
/// audit that cannot be written keeps the identity off the screen.
fn audit_card_read(
    slot: &StoreSlot,
    session: &Mutex<Option<central::Session>>,
    audited: &Mutex<bool>,
    view: &ReaderView,
) -> bool {
    let Some(identity) = &view.identity else {
        *lock(audited) = false;
        return true;
    };
    let mut done = lock(audited);
    if *done {
        return true;
    }
    let Some(s) = lock(session).clone() else {
        return false;
    };
    let written = write_audit(
        slot,
        Some(PendingAudit {
            at_ms: sync::unix_ms(),
            counter_id: s.counter_id,
            staff_code: s.staff.staff_code,
            action: AuditAction::CardRead,
            subject: ehr_protocol::audit::subject(&identity.document_masked),
        }),
    );
    *done = written.is_ok();
    *done
}

/// Unix milliseconds as RFC 3339 in UTC (`2026-12-01T06:14:27Z`). The
/// calendar is the domain's (`ehr_domain::Date`).
pub fn rfc3339(unix_ms: i64) -> String {
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

#[cfg(test)]
mod sign_off_tests {
    use super::*;
    use ehr_protocol::wire::batch::{Operation, Withdraw};

    fn change(record: &str, sign_off: Option<&str>) -> Change {
        let mut op = ehr_protocol::wire::batch::RegisterInPerson {
            patient: ehr_protocol::wire::PersonDetails {
                document_type: "hkic".into(),
                document_number: "A123456(3)".into(),
                surname: "CHAN".into(),
                given_names: "Tai Man".into(),
                chinese_name: None,
                date_of_birth: "1980-01-02".into(),
                sex: None,
            },
            capacity: "capable".into(),
            applicant: ehr_protocol::wire::ApplicantDetails::SelfApplicant {},
            no_higher_tier_declared: false,
            supporting_document_image: None,
            patient_document_copy_image: None,
            notification: ehr_protocol::wire::NotificationChoice {
                channel: ehr_protocol::wire::NotificationChannel::Sms,
                language: ehr_protocol::wire::Language::En,
                address: "91234567".into(),
            },
            private_provider_consents: Vec::new(),
            supervisor_sign_off: None,
            transacted_at: None,
        };
        op.supervisor_sign_off = sign_off.map(str::to_owned);
        Change {
            record_key: record.into(),
            kind: "walk_in".into(),
            summary: "Walk-in".into(),
            ops: vec![
                NewOp {
                    op: Operation::RegisterInPerson(op),
                    attachment: None,
                },
                NewOp {
                    op: Operation::Withdraw(Withdraw {
                        ehr_number: "E1".into(),
                        confirmed: true,
                    }),
                    attachment: None,
                },
            ],
        }
    }

    #[test]
    fn only_a_sign_off_given_here_for_this_record_and_in_time_may_be_attached() {
        let held = vec![HeldSignOff {
            token: "tok-1".into(),
            record_key: "walkin-1".into(),
            attach_by_ms: 1_000,
        }];
        let code = |c: &Change, now| check_sign_offs(&held, c, now).map_err(|e| e.code);
        assert_eq!(code(&change("walkin-1", None), 5_000), Ok(()));
        assert_eq!(code(&change("walkin-1", Some("tok-1")), 1_000), Ok(()));
        // A name typed in, or another record's sign-off: not a sign-off.
        assert_eq!(
            code(&change("walkin-1", Some("super01")), 10),
            Err(ErrorCode::SupervisorUnverified)
        );
        assert_eq!(
            code(&change("walkin-2", Some("tok-1")), 10),
            Err(ErrorCode::SupervisorUnverified)
        );
        assert_eq!(
            code(&change("walkin-1", Some("tok-1")), 1_001),
            Err(ErrorCode::SupervisorSignOffExpired)
        );
        assert!(!format!("{:?}", held[0]).contains("tok-1"));
    }
}

#[cfg(test)]
mod store_slot_tests {
    use super::*;

    #[test]
    fn synced_rows_are_kept_for_the_services_retention_once_it_is_known() {
        assert_eq!(retention_ms(None, 5), 5);
        assert_eq!(retention_ms(Some(30), 5), 30 * 86_400_000);
        assert_eq!(retention_ms(Some(0), 5), 0);
    }

    fn app(dir: &std::path::Path) -> App {
        let d = dir.display().to_string();
        App::new(Config::from_lookup(|k| match k {
            "EHR_COUNTER_DATA_DIR" => Some(d.clone()),
            "EHR_COUNTER_KEYRING" => Some("off".to_owned()),
            _ => None,
        }))
    }

    #[test]
    fn a_store_that_failed_to_open_is_not_opened_again_on_every_poll() {
        let dir = std::env::temp_dir().join(format!("ehr-app-slot-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // A store whose key has gone missing.
        drop(ehr_store::Store::open(&dir, ehr_store::KeyPolicy::FileOnly).unwrap());
        let key = std::fs::read(dir.join(ehr_store::key::KEY_FILE)).unwrap();
        std::fs::remove_file(dir.join(ehr_store::key::KEY_FILE)).unwrap();
        let a = app(&dir);
        assert_eq!(
            a.sync_status().unwrap_err().code,
            ErrorCode::StoreKeyMissing
        );
        // The key is back, but the status bar's poll does not open the store
        // again: the failure stands until the app is started again.
        std::fs::write(dir.join(ehr_store::key::KEY_FILE), &key).unwrap();
        for _ in 0..3 {
            assert_eq!(
                a.sync_status().unwrap_err().code,
                ErrorCode::StoreKeyMissing
            );
        }
        assert_eq!(a.open_store().unwrap_err().code, ErrorCode::StoreKeyMissing);
        // A new start opens it.
        let again = app(&dir);
        again.open_store().unwrap();
        assert!(again.sync_status().is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_another_process_relays_still_opens_without_sync() {
        let dir = std::env::temp_dir().join(format!("ehr-app-inuse-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // The running app's driver holds the folder's relay lock.
        let held = std::fs::File::create(dir.join(sync::LOCK_FILE)).unwrap();
        held.lock().unwrap();
        let d = dir.display().to_string();
        let a = App::new(Config::from_lookup(|k| match k {
            "EHR_COUNTER_DATA_DIR" => Some(d.clone()),
            "EHR_COUNTER_KEYRING" => Some("off".to_owned()),
            "EHR_CENTRAL_URL" => Some("http://127.0.0.1:9".to_owned()),
            _ => None,
        }));
        assert_eq!(a.open_store().unwrap_err().code, ErrorCode::StoreInUse);
        // As `ehrctl queue retry` or `card read --reveal` then do.
        a.open_store_without_sync().unwrap();
        assert!(a.sync_status().is_ok());
        drop(held);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn while_the_store_opens_elsewhere_commands_answer_at_once_that_it_is_opening() {
        let dir = std::env::temp_dir().join(format!("ehr-app-opening-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = app(&dir);
        // As while the background thread waits for a keyring.
        *lock(&a.outbox.state) = SlotState::Opening;
        assert_eq!(a.sync_status().unwrap_err().code, ErrorCode::StoreOpening);
        assert_eq!(
            a.attention_items_for_support().unwrap_err().code,
            ErrorCode::StoreOpening
        );
        // It opened: everything answers.
        *lock(&a.outbox.state) = SlotState::Closed;
        a.open_store().unwrap();
        assert!(a.sync_status().is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod rfc3339_tests {
    #[test]
    fn formats_utc() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_796_106_867_000), "2026-12-01T06:34:27Z");
        assert_eq!(super::rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}
