//! The reader thread: follows the PC/SC service, its readers and their
//! cards, reads each card as it arrives, and reports what happened as
//! [`ReaderEvent`]s.
//!
//! One thread owns one PC/SC context and blocks in `SCardGetStatusChange`
//! on every reader plus the PnP pseudo-reader (so reader hot-plug wakes it).
//! When the service stops (pcscd restarted or crashed) the context is
//! dropped, "no service" is reported, and the thread re-establishes a
//! context with a capped back-off until the service is back. Nothing here
//! panics; every failure becomes an event with a stable code.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ehr_card::identity::{Cancel, IdentityRead, IdentitySource, SourceKind};

use crate::read::read_card_within;

/// Something the reader thread saw. Carries card data only in
/// [`ReaderEvent::Read`]'s identity, which the app keeps off logs.
#[derive(Debug, Clone)]
pub enum ReaderEvent {
    /// The PC/SC service cannot be reached (not running, or restarting).
    NoService,
    /// The service is reachable and lists these readers (possibly none).
    Readers(Vec<String>),
    /// A card arrived in `reader`; a read starts at once.
    CardPresent {
        /// The reader.
        reader: String,
        /// When the thread learnt of the card (for the latency figures).
        at: Instant,
    },
    /// A read finished, with the checked identity or a stable error code.
    Read {
        /// The reader.
        reader: String,
        /// The identity, or the code of why there is none.
        result: Result<Box<IdentityRead>, &'static str>,
        /// When the card was reported present (same as in `CardPresent`).
        present_at: Instant,
        /// How many APDUs the read exchanged.
        apdus: usize,
    },
    /// The card left `reader` (or the reader itself went away).
    CardRemoved {
        /// The reader.
        reader: String,
    },
}

/// An identity source shared with the reader thread.
pub type SharedSource = Arc<Mutex<dyn IdentitySource>>;

/// How the reader thread behaves.
#[derive(Clone)]
pub struct MonitorOptions {
    /// The longest a single card read may take.
    pub read_timeout: Duration,
    /// How long one wait for a change lasts before the stop flag is checked.
    pub poll: Duration,
    /// The longest pause between attempts to reach a stopped service.
    pub max_backoff: Duration,
    /// Who reads a card that arrives: `None` reads it here with the open
    /// test card profile; `Some` hands the read to that identity source
    /// (the IDEAS adapter), behind the same boundary.
    pub source: Option<SharedSource>,
}

impl std::fmt::Debug for MonitorOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = self
            .source
            .as_ref()
            .map(|s| s.lock().map(|s| s.kind()).ok());
        f.debug_struct("MonitorOptions")
            .field("read_timeout", &self.read_timeout)
            .field("poll", &self.poll)
            .field("max_backoff", &self.max_backoff)
            .field("source", &source)
            .finish()
    }
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            read_timeout: Duration::from_secs(5),
            poll: Duration::from_millis(250),
            max_backoff: Duration::from_secs(2),
            source: None,
        }
    }
}

/// The running reader thread. Dropping it stops the thread.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    read_cancel: Arc<Mutex<Cancel>>,
    ctx: Arc<Mutex<Option<pcsc::Context>>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor").finish_non_exhaustive()
    }
}

impl Monitor {
    /// Start the reader thread; `sink` receives every event, in order, on
    /// that thread (keep it quick: hand the event over and return).
    pub fn spawn<F>(options: MonitorOptions, sink: F) -> std::io::Result<Monitor>
    where
        F: FnMut(ReaderEvent) + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let read_cancel = Arc::new(Mutex::new(Cancel::new()));
        let ctx = Arc::new(Mutex::new(None));
        let mut worker = Worker {
            options,
            sink: Box::new(sink),
            stop: stop.clone(),
            read_cancel: read_cancel.clone(),
            ctx_slot: ctx.clone(),
            last_service: None,
        };
        let thread = std::thread::Builder::new()
            .name("card-readers".into())
            .spawn(move || worker.run())?;
        Ok(Monitor {
            stop,
            read_cancel,
            ctx,
            thread: Some(thread),
        })
    }

    /// Cancel the read in progress, if any (the card stays where it is).
    pub fn cancel_read(&self) {
        if let Ok(c) = self.read_cancel.lock() {
            c.cancel();
        }
    }

    /// Stop the thread and wait for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cancel_read();
        if let Ok(slot) = self.ctx.lock() {
            if let Some(ctx) = slot.as_ref() {
                // Wakes a blocked SCardGetStatusChange at once.
                let _ = ctx.cancel();
            }
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Up,
    Down,
}

struct Worker {
    options: MonitorOptions,
    sink: Box<dyn FnMut(ReaderEvent) + Send>,
    stop: Arc<AtomicBool>,
    read_cancel: Arc<Mutex<Cancel>>,
    ctx_slot: Arc<Mutex<Option<pcsc::Context>>>,
    last_service: Option<Service>,
}

/// What the thread knows of one reader.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    card: bool,
    events: u32,
}

/// Why the watch over one context ended.
enum Ended {
    Stop,
    ServiceLost,
}

fn is_present(st: pcsc::State) -> bool {
    st.contains(pcsc::State::PRESENT) && !st.contains(pcsc::State::MUTE)
}

fn is_gone(st: pcsc::State) -> bool {
    st.intersects(pcsc::State::UNKNOWN | pcsc::State::IGNORE | pcsc::State::UNAVAILABLE)
}

fn service_lost(e: pcsc::Error) -> bool {
    matches!(
        e,
        pcsc::Error::NoService
            | pcsc::Error::ServiceStopped
            | pcsc::Error::InvalidHandle
            | pcsc::Error::CommError
    )
}

impl Worker {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn emit(&mut self, e: ReaderEvent) {
        (self.sink)(e);
    }

    fn set_service(&mut self, s: Service) {
        if self.last_service != Some(s) && s == Service::Down {
            self.emit(ReaderEvent::NoService);
        }
        self.last_service = Some(s);
    }

    fn sleep(&self, d: Duration) {
        let until = Instant::now() + d;
        while !self.stopping() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20).min(d));
        }
    }

    fn run(&mut self) {
        let mut backoff = Duration::from_millis(100);
        while !self.stopping() {
            let ctx = match pcsc::Context::establish(pcsc::Scope::User) {
                Ok(c) => c,
                Err(_) => {
                    self.set_service(Service::Down);
                    self.sleep(backoff);
                    backoff = (backoff * 2).min(self.options.max_backoff);
                    continue;
                }
            };
            if let Ok(mut slot) = self.ctx_slot.lock() {
                *slot = Some(ctx.clone());
            }
            if self.stopping() {
                break;
            }
            backoff = Duration::from_millis(100);
            let ended = self.watch(&ctx);
            if let Ok(mut slot) = self.ctx_slot.lock() {
                *slot = None;
            }
            match ended {
                Ended::Stop => break,
                Ended::ServiceLost => {
                    self.set_service(Service::Down);
                    self.sleep(backoff);
                }
            }
        }
    }

    /// Follow one context until the service goes away or the thread stops.
    fn watch(&mut self, ctx: &pcsc::Context) -> Ended {
        let mut known: BTreeMap<String, Slot> = BTreeMap::new();
        let mut relist = true;
        let mut listed: Option<Vec<String>> = None;
        let mut states: Vec<pcsc::ReaderState> = Vec::new();
        loop {
            if self.stopping() {
                return Ended::Stop;
            }
            if relist {
                relist = false;
                // Any failure to list means this context is no use: start over.
                let Ok(names) = crate::readers_of(ctx) else {
                    return self.service_lost(&mut known);
                };
                self.set_service(Service::Up);
                // Readers that went away take their cards with them.
                let gone: Vec<String> = known
                    .keys()
                    .filter(|k| !names.contains(k))
                    .cloned()
                    .collect();
                for g in gone {
                    if known.remove(&g).is_some_and(|s| s.card) {
                        self.emit(ReaderEvent::CardRemoved { reader: g });
                    }
                }
                if listed.as_ref() != Some(&names) {
                    self.emit(ReaderEvent::Readers(names.clone()));
                    listed = Some(names.clone());
                }
                // Keep what the service already told us (the PnP entry and
                // the readers still there), so nothing is reported twice.
                let mut old: Vec<pcsc::ReaderState> = std::mem::take(&mut states);
                let pnp = if old.is_empty() {
                    pcsc::ReaderState::new(pcsc::PNP_NOTIFICATION(), pcsc::State::UNAWARE)
                } else {
                    old.remove(0)
                };
                states.push(pnp);
                for n in &names {
                    let kept = old
                        .iter()
                        .position(|rs| rs.name().to_bytes() == n.as_bytes())
                        .map(|i| old.swap_remove(i));
                    match kept {
                        Some(rs) => states.push(rs),
                        None => {
                            if let Ok(c) = CString::new(n.as_str()) {
                                states.push(pcsc::ReaderState::new(c, pcsc::State::UNAWARE));
                            }
                        }
                    }
                    known.entry(n.clone()).or_default();
                }
            }
            match ctx.get_status_change(self.options.poll, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => continue,
                Err(pcsc::Error::Cancelled) => continue,
                Err(pcsc::Error::UnknownReader) => {
                    relist = true;
                    continue;
                }
                Err(e) if service_lost(e) => return self.service_lost(&mut known),
                Err(_) => {
                    self.sleep(self.options.poll);
                    relist = true;
                    continue;
                }
            }
            let at = Instant::now();
            let mut arrived = Vec::new();
            for (i, rs) in states.iter_mut().enumerate() {
                let st = rs.event_state();
                if !st.contains(pcsc::State::CHANGED) {
                    continue;
                }
                rs.sync_current_state();
                if i == 0 {
                    // The PnP pseudo-reader: a reader came or went.
                    relist = true;
                    continue;
                }
                let name = rs.name().to_string_lossy().into_owned();
                let events = rs.event_count();
                let slot = known.entry(name.clone()).or_default();
                if is_gone(st) {
                    relist = true;
                    continue;
                }
                let present = is_present(st);
                // A changed event count with a card still present means the
                // card was swapped between two waits: a removal, then an arrival.
                let swapped = present && slot.card && events != slot.events && events != 0;
                let was = slot.card;
                slot.card = present;
                slot.events = events;
                if was && (!present || swapped) {
                    self.emit(ReaderEvent::CardRemoved {
                        reader: name.clone(),
                    });
                }
                if present && (!was || swapped) {
                    arrived.push(name);
                }
            }
            for reader in arrived {
                self.read_one(ctx, reader, at);
                if self.stopping() {
                    return Ended::Stop;
                }
            }
        }
    }

    /// The service is gone, and every card it knew of goes with it: whoever
    /// follows the readers is told each card left, whichever way the loss
    /// was noticed.
    fn service_lost(&mut self, known: &mut BTreeMap<String, Slot>) -> Ended {
        for (name, slot) in std::mem::take(known) {
            if slot.card {
                self.emit(ReaderEvent::CardRemoved { reader: name });
            }
        }
        Ended::ServiceLost
    }

    fn read_one(&mut self, ctx: &pcsc::Context, reader: String, at: Instant) {
        // The read's cancel handle is in place before the card is announced:
        // a cancel sent in answer to `CardPresent` must reach this read, not
        // the one before it.
        let cancel = Cancel::new();
        if let Ok(mut c) = self.read_cancel.lock() {
            *c = cancel.clone();
        }
        // A stop that came while the handle was being swapped cancelled the
        // old one; this read must not hold up the stop for its whole limit.
        if self.stopping() {
            cancel.cancel();
        }
        self.emit(ReaderEvent::CardPresent {
            reader: reader.clone(),
            at,
        });
        if let Some(source) = self.options.source.clone() {
            // A source that panicked mid-read keeps no state worth refusing
            // the next read for.
            let result = source
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .read_identity(&reader, self.options.read_timeout, &cancel)
                .map(Box::new)
                .map_err(|e| e.code());
            self.emit(ReaderEvent::Read {
                reader,
                result,
                present_at: at,
                apdus: 0,
            });
            return;
        }
        let (result, apdus) =
            match read_card_within(ctx, &reader, self.options.read_timeout, &cancel) {
                Ok(out) => (
                    IdentityRead::from_card(&out.record, SourceKind::OpenTestCard)
                        .map(Box::new)
                        .map_err(|e| ehr_card::identity::SourceError::from(e).code()),
                    out.apdus,
                ),
                Err(e) => (Err(e.code()), 0),
            };
        self.emit(ReaderEvent::Read {
            reader,
            result,
            present_at: at,
            apdus,
        });
    }
}
