//! Reading one card through PC/SC with the open test card profile.

use std::ffi::CString;
use std::time::{Duration, Instant};

use ehr_card::apdu::Response;
use ehr_card::identity::Cancel;
use ehr_card::profile::{CardRecord, ReadError, Reader, Step};

/// Why a card could not be read. Carries no card data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardReadError {
    /// The PC/SC service is not running.
    #[error("the PC/SC service is not running or cannot be reached")]
    NoService,
    /// No reader of that name.
    #[error("the card reader is not connected")]
    NoReader,
    /// The reader is empty.
    #[error("there is no card in the reader")]
    NoCard,
    /// The card was taken out (or reset) before the read finished.
    #[error("the card was removed before it could be read")]
    Removed,
    /// No card arrived, or the read did not finish, in time.
    #[error("the card could not be read in time")]
    Timeout,
    /// The read was cancelled (the task was finished or the app is closing).
    #[error("the read was cancelled")]
    Cancelled,
    /// The card does not follow the profile, or refused the read.
    #[error(transparent)]
    Profile(#[from] ReadError),
    /// The card did not answer as a card should (no status word).
    #[error("the card's answer was not a valid response")]
    BadResponse,
    /// Any other PC/SC failure (the text is the PC/SC error name).
    #[error("the PC/SC service reported an error: {0}")]
    Service(String),
}

impl CardReadError {
    /// A stable code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            CardReadError::NoService => "pcsc.no_service",
            CardReadError::NoReader => "pcsc.no_reader",
            CardReadError::NoCard => "card.absent",
            CardReadError::Removed => "card.removed",
            CardReadError::Timeout => "card.timeout",
            CardReadError::Cancelled => "card.cancelled",
            CardReadError::Profile(e) => e.code(),
            CardReadError::BadResponse => "card.malformed",
            CardReadError::Service(_) => "pcsc.service_error",
        }
    }
}

fn map_pcsc(e: pcsc::Error) -> CardReadError {
    use pcsc::Error as E;
    match e {
        E::NoService | E::ServiceStopped => CardReadError::NoService,
        E::UnknownReader | E::ReaderUnavailable => CardReadError::NoReader,
        E::NoSmartcard => CardReadError::NoCard,
        E::RemovedCard | E::ResetCard => CardReadError::Removed,
        E::Timeout => CardReadError::Timeout,
        other => CardReadError::Service(format!("{other:?}")),
    }
}

/// A completed read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOutcome {
    /// What the card holds.
    pub record: CardRecord,
    /// How many APDUs the read took.
    pub apdus: usize,
    /// How long the read took, from connect to the last response.
    pub elapsed: Duration,
}

fn reader_name(name: &str) -> Result<CString, CardReadError> {
    CString::new(name).map_err(|_| CardReadError::NoReader)
}

/// Wait until a card is present in `reader`, for at most `timeout`.
pub fn wait_for_card(
    ctx: &pcsc::Context,
    reader: &str,
    timeout: Duration,
) -> Result<(), CardReadError> {
    let name = reader_name(reader)?;
    let deadline = Instant::now() + timeout;
    let mut states = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        ctx.get_status_change(left, &mut states).map_err(map_pcsc)?;
        let st = states[0].event_state();
        if st.contains(pcsc::State::UNKNOWN) || st.contains(pcsc::State::IGNORE) {
            return Err(CardReadError::NoReader);
        }
        if st.contains(pcsc::State::PRESENT) && !st.contains(pcsc::State::MUTE) {
            return Ok(());
        }
        if left.is_zero() {
            return Err(CardReadError::Timeout);
        }
        states[0].sync_current_state();
    }
}

/// Whether the card has left `reader`, waiting briefly for pcscd to notice.
fn card_gone(ctx: &pcsc::Context, name: &CString) -> bool {
    const SETTLE: Duration = Duration::from_millis(1500);
    let deadline = Instant::now() + SETTLE;
    let mut states = [pcsc::ReaderState::new(name.clone(), pcsc::State::UNAWARE)];
    loop {
        if ctx.get_status_change(Duration::ZERO, &mut states).is_err() {
            return false;
        }
        let st = states[0].event_state();
        if st.contains(pcsc::State::EMPTY) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        states[0].sync_current_state();
        let left = deadline.saturating_duration_since(Instant::now());
        // Wakes on any change of the reader's state, or at the deadline.
        let _ = ctx.get_status_change(left, &mut states);
        if states[0].event_state().contains(pcsc::State::EMPTY) {
            return true;
        }
        states[0].sync_current_state();
    }
}

/// Read the card in `reader` with the open test card profile, with no time
/// limit and no way to cancel (see [`read_card_within`]).
pub fn read_card(ctx: &pcsc::Context, reader: &str) -> Result<ReadOutcome, CardReadError> {
    read_card_within(ctx, reader, Duration::MAX, &Cancel::new())
}

/// Read the card in `reader`, giving up with [`CardReadError::Timeout`] once
/// `timeout` has passed and with [`CardReadError::Cancelled`] once `cancel`
/// is set. Both are checked between APDUs: PC/SC cannot interrupt one
/// exchange, so a single slow answer is waited for, then the limit applies.
pub fn read_card_within(
    ctx: &pcsc::Context,
    reader: &str,
    timeout: Duration,
    cancel: &Cancel,
) -> Result<ReadOutcome, CardReadError> {
    let name = reader_name(reader)?;
    let started = Instant::now();
    let over = |now: Instant| now.saturating_duration_since(started) > timeout;
    let card = ctx
        .connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
        .map_err(map_pcsc)?;
    let mut reader = Reader::new();
    let mut cmd = reader.start();
    let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
    let mut apdus = 0;
    let record = loop {
        if cancel.is_cancelled() {
            return Err(CardReadError::Cancelled);
        }
        if over(Instant::now()) {
            return Err(CardReadError::Timeout);
        }
        let bytes = cmd.encode().map_err(|_| CardReadError::BadResponse)?;
        apdus += 1;
        // A card pulled out mid-exchange shows up either as a PC/SC error or,
        // with some drivers (vpcd), as an answer without a status word before
        // pcscd notices the removal. Both are checked against the reader's
        // state so the clerk is told "removed", not "malformed".
        let answer = match card.transmit(&bytes, &mut buf) {
            Ok(a) => a,
            Err(e) => {
                let mapped = map_pcsc(e);
                if mapped != CardReadError::NoService && card_gone(ctx, &name) {
                    return Err(CardReadError::Removed);
                }
                return Err(mapped);
            }
        };
        if cancel.is_cancelled() {
            return Err(CardReadError::Cancelled);
        }
        if over(Instant::now()) {
            // The read did not finish in time: what came late is discarded.
            return Err(CardReadError::Timeout);
        }
        let Some(resp) = Response::parse(answer) else {
            return Err(if card_gone(ctx, &name) {
                CardReadError::Removed
            } else {
                CardReadError::BadResponse
            });
        };
        match reader.on_response(&resp)? {
            Step::Send(next) => cmd = next,
            Step::Done(record) => break record,
        }
    };
    // Leave the card as it was; a failure to disconnect changes nothing we read.
    let _ = card.disconnect(pcsc::Disposition::LeaveCard);
    Ok(ReadOutcome {
        record,
        apdus,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcsc_errors_map_to_their_own_codes() {
        let cases = [
            (pcsc::Error::NoService, "pcsc.no_service"),
            (pcsc::Error::UnknownReader, "pcsc.no_reader"),
            (pcsc::Error::NoSmartcard, "card.absent"),
            (pcsc::Error::RemovedCard, "card.removed"),
            (pcsc::Error::ResetCard, "card.removed"),
            (pcsc::Error::Timeout, "card.timeout"),
            (pcsc::Error::InternalError, "pcsc.service_error"),
        ];
        for (e, code) in cases {
            assert_eq!(map_pcsc(e).code(), code, "{e:?}");
        }
        assert_eq!(
            CardReadError::Profile(ReadError::OldGeneration).code(),
            "card.old_generation"
        );
    }

    #[test]
    fn a_reader_name_with_a_nul_is_no_reader() {
        assert_eq!(reader_name("bad\0name"), Err(CardReadError::NoReader));
    }
}
