//! The card side of the counter: the reader thread's events become the
//! [`ReaderView`] the UI shows, and manual entry is checked with the same
//! domain rules as a card read.
//!
//! Invariant: one person's card data never outlives their card or task.
//! Removing the card, or finishing the task, clears the identity.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ehr_card::identity::{IdentityError, IdentityRead, IdentitySource, ManualEntry, SourceKind};
use ehr_card_ideas::IdeasSource;
use ehr_card_pcsc::{Monitor, MonitorOptions, PcscSource, ReaderEvent, SharedSource};
use ehr_protocol::card::{
    CardCode, CardProblem, FieldIssue, IdentityView, ManualIdentityRequest, ReaderStatus,
    ReaderView,
};

/// The view as it changed, with the timing of the read that changed it.
#[derive(Debug, Clone)]
pub struct CardUpdate {
    /// The new view.
    pub view: ReaderView,
    /// For a finished read: from PC/SC reporting the card present to the
    /// identity being available here, in the app crate.
    pub present_to_available: Option<Duration>,
    /// For a finished read: how many APDUs it took.
    pub apdus: Option<usize>,
}

type Listener = Box<dyn Fn(&CardUpdate) + Send + Sync>;

/// The reader thread and the state it feeds.
#[derive(Default)]
pub(crate) struct CardDesk {
    view: Arc<Mutex<ReaderView>>,
    /// The identity the view shows, in full (for the task's look-up and its
    /// operation), with the view's revision it belongs to. Cleared whenever
    /// the view's identity is.
    read: Arc<Mutex<Option<(u64, IdentityRead)>>>,
    monitor: Mutex<Option<Monitor>>,
}

impl std::fmt::Debug for CardDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardDesk").finish_non_exhaustive()
    }
}

fn lock(m: &Mutex<ReaderView>) -> MutexGuard<'_, ReaderView> {
    // A panic elsewhere cannot leave the view half-written: every change is
    // a plain assignment. Recover the guard rather than stop reading cards.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CardDesk {
    pub(crate) fn start(&self, options: MonitorOptions, listener: Listener) -> std::io::Result<()> {
        let mut slot = self.monitor.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Ok(());
        }
        let view = self.view.clone();
        let read = self.read.clone();
        let monitor = Monitor::spawn(options, move |event| {
            let update = {
                let mut v = lock(&view);
                apply(&mut v, &event);
                v.present_at_us = match &event {
                    ReaderEvent::Read {
                        present_at,
                        result: Ok(_),
                        ..
                    } if v.identity.is_some() => Some(epoch_us_of(*present_at)),
                    _ if v.identity.is_some() => v.present_at_us,
                    _ => None,
                };
                {
                    let mut r = read.lock().unwrap_or_else(|p| p.into_inner());
                    *r = match (&event, &v.identity) {
                        (ReaderEvent::Read { result: Ok(id), .. }, Some(_)) => {
                            Some((v.revision, (**id).clone()))
                        }
                        (_, Some(_)) => r.take(),
                        (_, None) => None,
                    };
                }
                let (present_to_available, apdus) = match &event {
                    ReaderEvent::Read {
                        present_at, apdus, ..
                    } => (Some(present_at.elapsed()), Some(*apdus)),
                    _ => (None, None),
                };
                CardUpdate {
                    view: v.clone(),
                    present_to_available,
                    apdus,
                }
            };
            listener(&update);
        })?;
        *slot = Some(monitor);
        Ok(())
    }

    pub(crate) fn view(&self) -> ReaderView {
        lock(&self.view).clone()
    }

    /// The identity on screen now, in full, if a card read put it there.
    pub(crate) fn current_read(&self) -> Option<IdentityRead> {
        let v = lock(&self.view);
        let r = self.read.lock().unwrap_or_else(|p| p.into_inner());
        match (&v.identity, r.as_ref()) {
            (Some(_), Some((_, id))) => Some(id.clone()),
            _ => None,
        }
    }

    pub(crate) fn finish_task(&self) -> ReaderView {
        if let Some(m) = self
            .monitor
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            m.cancel_read();
        }
        let mut v = lock(&self.view);
        clear(&mut v);
        *self.read.lock().unwrap_or_else(|p| p.into_inner()) = None;
        v.clone()
    }

    pub(crate) fn stop(&self) {
        let m = self
            .monitor
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(m) = m {
            m.stop();
        }
    }
}

/// The wall-clock time (Unix microseconds) of an instant in the past.
fn epoch_us_of(at: std::time::Instant) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(now.saturating_sub(at.elapsed()).as_micros()).unwrap_or(0)
}

/// The view with the identity taken out (for when nobody is signed in).
pub fn without_identity(v: &ReaderView) -> ReaderView {
    ReaderView {
        identity: None,
        ..v.clone()
    }
}

fn clear(v: &mut ReaderView) {
    v.identity = None;
    v.present_at_us = None;
    v.problem = None;
    v.reader = None;
    v.status = if v.status == ReaderStatus::NoService {
        ReaderStatus::NoService
    } else if v.readers.is_empty() {
        ReaderStatus::NoReader
    } else {
        ReaderStatus::Waiting
    };
    v.revision += 1;
}

/// Apply one reader event to the view.
pub fn apply(v: &mut ReaderView, event: &ReaderEvent) {
    match event {
        ReaderEvent::NoService => {
            v.readers.clear();
            v.status = ReaderStatus::NoService;
            v.identity = None;
            v.problem = None;
            v.reader = None;
        }
        ReaderEvent::Readers(names) => {
            v.readers = names.clone();
            if v.reader.as_ref().is_some_and(|r| !names.contains(r)) {
                v.identity = None;
                v.problem = None;
                v.reader = None;
            }
            if names.is_empty() {
                v.status = ReaderStatus::NoReader;
            } else if matches!(v.status, ReaderStatus::NoService | ReaderStatus::NoReader)
                || v.reader.is_none()
            {
                v.status = ReaderStatus::Waiting;
            }
        }
        ReaderEvent::CardPresent { reader, .. } => {
            // A new card replaces whatever was on screen, at once.
            v.status = ReaderStatus::Reading;
            v.reader = Some(reader.clone());
            v.identity = None;
            v.problem = None;
        }
        ReaderEvent::Read { reader, result, .. } => {
            // The monitor announces every read with `CardPresent` first. A
            // result that finds the view elsewhere (the task was finished
            // while it was on its way) belongs to nobody now: showing it would
            // bring the last person back onto a cleared screen.
            if v.status != ReaderStatus::Reading || v.reader.as_deref() != Some(reader.as_str()) {
                return;
            }
            match result {
                Ok(id) => {
                    v.status = ReaderStatus::Read;
                    v.identity = Some(identity_view(id));
                    v.problem = None;
                }
                Err(code) => {
                    v.status = ReaderStatus::Error;
                    v.identity = None;
                    v.problem = Some(CardProblem::new(CardCode::from_wire(code)));
                }
            }
        }
        ReaderEvent::CardRemoved { reader } => {
            if v.reader.as_deref() == Some(reader.as_str()) {
                v.identity = None;
                v.problem = None;
                v.reader = None;
                v.status = ReaderStatus::Waiting;
            }
        }
    }
    v.revision += 1;
}

/// This counter's identity source: IDEAS when `EHR_IDEAS_ENDPOINT` is set
/// (which refuses with `ideas.unavailable` until a transport is built in),
/// else the open test card profile over PC/SC.
pub fn identity_source(config: &crate::Config) -> Box<dyn IdentitySource> {
    match config.identity_source() {
        SourceKind::Ideas => Box::new(IdeasSource::new(config.ideas.clone())),
        _ => Box::new(PcscSource::new()),
    }
}

/// The source the reader thread hands reads to: `None` for the open test
/// card profile, which the thread reads itself.
pub fn shared_source(config: &crate::Config) -> Option<SharedSource> {
    match config.identity_source() {
        SourceKind::Ideas => Some(std::sync::Arc::new(Mutex::new(IdeasSource::new(
            config.ideas.clone(),
        )))),
        _ => None,
    }
}

/// The stable name of a source (`open_test_card`, `ideas`, `manual`).
pub fn source_name(s: SourceKind) -> &'static str {
    match s {
        SourceKind::OpenTestCard => "open_test_card",
        SourceKind::Ideas => "ideas",
        SourceKind::Manual => "manual",
    }
}

/// What the identity pane shows of an identity: the number masked.
pub fn identity_view(id: &IdentityRead) -> IdentityView {
    let t = id.document.doc_type();
    let (en, zh) = t.names();
    IdentityView {
        source: source_name(id.source).to_owned(),
        document_type: t.code().to_owned(),
        document_type_en: en.to_owned(),
        document_type_zh: zh.to_owned(),
        document_masked: id.document.masked(),
        english_name: id.english_name_printed.clone(),
        surname: id.english_name.surname().to_owned(),
        given_names: id.english_name.given_names().to_owned(),
        chinese_name: id.chinese_name.as_ref().map(|n| n.characters().to_owned()),
        chinese_ccc: id.chinese_name.as_ref().and_then(|n| n.ccc_string()),
        date_of_birth: id.date_of_birth.to_hk_string(),
        sex: id.sex.letter().to_string(),
        date_of_issue: id.date_of_issue.map(|d| d.to_hk_string()),
        generation: id.generation.map(|g| {
            match g {
                ehr_card::profile::CardGeneration::Gen2003 => "gen2003",
                ehr_card::profile::CardGeneration::Gen2018 => "gen2018",
            }
            .to_owned()
        }),
    }
}

/// The manual pane's entry, checked; every refused field at once.
pub fn check_manual(req: &ManualIdentityRequest) -> Result<IdentityRead, Vec<FieldIssue>> {
    let entry = ManualEntry {
        document_type: req.document_type.clone(),
        document_number: req.document_number.clone(),
        surname: req.surname.clone(),
        given_names: req.given_names.clone(),
        chinese_name: req.chinese_name.clone(),
        date_of_birth: req.date_of_birth.clone(),
        sex: req.sex.clone(),
    };
    IdentityRead::from_manual(&entry).map_err(|errs| errs.iter().map(field_issue).collect())
}

fn field_issue(e: &IdentityError) -> FieldIssue {
    let (field, code) = match e {
        IdentityError::Field { field, code } => (*field, *code),
        IdentityError::OldGeneration => ("document_number", ehr_domain::Code::IdFormat),
    };
    let (en, zh) = code.messages();
    FieldIssue {
        field: field.to_owned(),
        code: code.as_str().to_owned(),
        message_en: en.to_owned(),
        message_zh: zh.to_owned(),
    }
}

#[cfg(test)]
mod tests;
