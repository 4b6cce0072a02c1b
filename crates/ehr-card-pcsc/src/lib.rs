//! The PC/SC adapter: talks to the smart-card service (pcscd on Linux,
//! WinSCard on Windows) through the `pcsc` crate.
//!
//! It answers the field engineer's first question, "can this PC see its card
//! readers?", through [`probe`], and reads a card of the open test card
//! profile with [`read_card`] (after [`wait_for_card`]). The reader thread
//! with hot-plug events builds on these.
//!
//! Boundary: every call here may block; callers run it off the UI thread.

use serde::Serialize;

mod read;
pub use read::{read_card, wait_for_card, CardReadError, ReadOutcome};

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
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        // pcscd answers "no readers" as an error; for us it is an empty list.
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_err(e)),
    }
}

fn map_err(e: pcsc::Error) -> PcscError {
    match e {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => PcscError::NoService,
        other => PcscError::Service(other.to_string()),
    }
}
