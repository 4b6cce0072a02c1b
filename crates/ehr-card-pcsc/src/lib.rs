//! The PC/SC adapter: talks to the smart-card service (pcscd on Linux,
//! WinSCard on Windows) through the `pcsc` crate.
//!
//! It answers the field engineer's first question, "can this PC see its card
//! readers?", through [`probe`], and reads a card of the open test card
//! profile with [`read_card`] (after [`wait_for_card`]). [`Monitor`] is the
//! reader thread: hot-plug, insert and remove events, a read of each card as
//! it arrives, and recovery when pcscd restarts. [`PcscSource`] is the same
//! read behind the identity-source boundary.
//!
//! Boundary: every call here may block; callers run it off the UI thread.

use serde::Serialize;

mod monitor;
mod read;
pub use monitor::{Monitor, MonitorOptions, ReaderEvent, SharedSource};
pub use read::{read_card, read_card_within, wait_for_card, CardReadError, ReadOutcome};

use std::time::Duration;

use ehr_card::identity::{Cancel, IdentityRead, IdentitySource, SourceError, SourceKind};

/// The open test card profile through PC/SC, behind the identity-source
/// boundary: one blocking read of the card in a named reader.
#[derive(Debug, Default)]
pub struct PcscSource {
    _private: (),
}

impl PcscSource {
    /// A source over the local PC/SC service.
    pub fn new() -> Self {
        PcscSource::default()
    }
}

impl IdentitySource for PcscSource {
    fn kind(&self) -> SourceKind {
        SourceKind::OpenTestCard
    }

    fn read_identity(
        &mut self,
        reader: &str,
        timeout: Duration,
        cancel: &Cancel,
    ) -> Result<IdentityRead, SourceError> {
        let card = |e: CardReadError| match e {
            CardReadError::Cancelled => SourceError::Cancelled,
            other => SourceError::Card(other.code()),
        };
        let ctx = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(|e| SourceError::Card(map_err(e).code()))?;
        let started = std::time::Instant::now();
        wait_for_card(&ctx, reader, timeout).map_err(card)?;
        let left = timeout.saturating_sub(started.elapsed());
        let out = read_card_within(&ctx, reader, left, cancel).map_err(card)?;
        Ok(IdentityRead::from_card(
            &out.record,
            SourceKind::OpenTestCard,
        )?)
    }
}

/// Why the PC/SC service could not be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum PcscError {
    /// The PC/SC service (pcscd) is not running or cannot be reached.
    #[error("the PC/SC service is not running or cannot be reached")]
    NoService,
    /// Any other failure reported by the PC/SC layer.
    #[error("the PC/SC service reported an error: {0}")]
    Service(String),
}

impl PcscError {
    /// A stable code for logs and the doctor report.
    pub fn code(&self) -> &'static str {
        match self {
            PcscError::NoService => "pcsc.no_service",
            PcscError::Service(_) => "pcsc.service_error",
        }
    }
}

/// What the PC/SC service looks like from this process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PcscStatus {
    /// Whether a context could be established with the service.
    pub reachable: bool,
    /// The readers the service reports (empty when none, or unreachable).
    pub readers: Vec<String>,
    /// The stable error code when the service could not be used.
    pub error: Option<String>,
}

/// Ask the PC/SC service which readers it sees. Never panics; an unreachable
/// service is reported as such, not as an error of the caller.
pub fn probe() -> PcscStatus {
    match list_readers() {
        Ok(readers) => PcscStatus {
            reachable: true,
            readers,
            error: None,
        },
        Err(e) => PcscStatus {
            reachable: false,
            readers: Vec::new(),
            error: Some(e.code().to_owned()),
        },
    }
}

/// List the readers the PC/SC service reports.
pub fn list_readers() -> Result<Vec<String>, PcscError> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(map_err)?;
    readers_of(&ctx).map_err(map_err)
}

/// The readers `ctx`'s service lists.
pub(crate) fn readers_of(ctx: &pcsc::Context) -> Result<Vec<String>, pcsc::Error> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        // pcscd answers "no readers" as an error; for us it is an empty list.
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

fn map_err(e: pcsc::Error) -> PcscError {
    match e {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => PcscError::NoService,
        other => PcscError::Service(other.to_string()),
    }
}
