//! The open test card profile, version 1 (`docs/card-profile.md`).
//!
//! A card holds one application with one elementary file. A read is two
//! APDUs for any ordinary identity (SELECT, then READ BINARY by short file
//! identifier), plus one READ BINARY for each further 256 bytes:
//!
//! 1. `SELECT` by AID returns the FCI: profile version, card generation and
//!    the length of the identity file. A 2003-generation card is refused
//!    here, before any personal data is read.
//! 2. `READ BINARY` with SFI 1 at offset 0 for up to 256 bytes; longer files
//!    continue with `READ BINARY` at 15-bit offsets on the (now current) EF.
//!
//! [`Reader`] is the host side as a sans-IO state machine: it returns the
//! next command to send and consumes each response. [`CardApp`] is the card
//! side, used by the virtual card.

use serde::{Deserialize, Serialize};

use crate::apdu::{Command, Response, StatusWord};
use crate::redact::{Redacted, RedactedBytes};
use crate::tlv::{self, Tag, Tlv, TlvError};

/// The application identifier: `F0` (proprietary) then ASCII `EHR-TEST-ID`.
pub const AID: [u8; 12] = [
    0xF0, b'E', b'H', b'R', b'-', b'T', b'E', b'S', b'T', b'-', b'I', b'D',
];
/// The profile version this code reads and writes.
pub const PROFILE_VERSION: u8 = 1;
/// The short file identifier of the identity EF.
pub const SFI_IDENTITY: u8 = 1;
/// The file identifier of the identity EF (for SELECT by FID).
pub const FID_IDENTITY: [u8; 2] = [0x01, 0x01];
/// The largest identity file a reader accepts.
pub const MAX_IDENTITY_LEN: usize = 4096;

/// FCI template.
pub const TAG_FCI: Tag = Tag(0x6F);
/// DF name (the AID) inside the FCI.
pub const TAG_DF_NAME: Tag = Tag(0x84);
/// Proprietary FCI data.
pub const TAG_FCI_PROPRIETARY: Tag = Tag(0xA5);
/// Profile version (1 byte), inside `A5`.
pub const TAG_VERSION: Tag = Tag(0x80);
/// Card generation marker (1 byte), inside `A5`.
pub const TAG_GENERATION: Tag = Tag(0x81);
/// Length of the identity EF (2 bytes, big-endian), inside `A5`.
pub const TAG_EF_LENGTH: Tag = Tag(0x82);

/// Identity template: the whole content of the identity EF.
pub const TAG_IDENTITY: Tag = Tag(0x70);
/// Document number, ASCII, check digit last, no brackets (`A1234563`).
pub const TAG_DOC_NUMBER: Tag = Tag(0x80);
/// English name as printed, UTF-8 (`CHAN, Tai Man`).
pub const TAG_ENGLISH_NAME: Tag = Tag(0x81);
/// Chinese name as CCC codes, packed BCD, two bytes per character.
pub const TAG_CHINESE_CCC: Tag = Tag(0x82);
/// Date of birth, ASCII `YYYYMMDD`; `00` for an unknown month or day.
pub const TAG_DATE_OF_BIRTH: Tag = Tag(0x83);
/// Sex, ASCII `M` or `F`.
pub const TAG_SEX: Tag = Tag(0x84);
/// Date of issue, ASCII `YYYYMMDD`.
pub const TAG_DATE_OF_ISSUE: Tag = Tag(0x85);

/// Which generation of identity card this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardGeneration {
    /// The smart identity card issued from 2003; invalid since 2025.
    Gen2003,
    /// The new smart identity card issued from 2018.
    Gen2018,
}

impl CardGeneration {
    /// The marker byte in the FCI.
    pub fn marker(self) -> u8 {
        match self {
            CardGeneration::Gen2003 => 0x03,
            CardGeneration::Gen2018 => 0x18,
        }
    }

    /// The generation for a marker byte.
    pub fn from_marker(b: u8) -> Option<Self> {
        match b {
            0x03 => Some(CardGeneration::Gen2003),
            0x18 => Some(CardGeneration::Gen2018),
            _ => None,
        }
    }
}

/// What the identity EF says, decoded and checked for shape only. Domain
/// checks (check digit, valid dates, CCC mapping) come after, in the app.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRecord {
    /// The card generation, from the FCI.
    pub generation: CardGeneration,
    /// The document number with its check digit last, no brackets.
    pub document_number: String,
    /// The English name exactly as printed.
    pub english_name: String,
    /// The Chinese name as CCC codes (0 to 9999), possibly empty.
    pub chinese_ccc: Vec<u16>,
    /// Date of birth as `YYYYMMDD`, `00` for an unknown month or day.
    pub date_of_birth: String,
    /// `M` or `F`.
    pub sex: char,
    /// Date of issue as `YYYYMMDD`.
    pub date_of_issue: String,
}

/// Why a card could not be read with this profile. Carries no card data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The card has no application with our AID: not an identity card of this profile.
    #[error("the card is not an identity card this reader knows (SELECT answered {0})")]
    UnknownCard(StatusWord),
    /// A 2003-generation card, invalid since 2025.
    #[error("the card is of the 2003 generation, which is no longer valid")]
    OldGeneration,
    /// A profile version this reader does not know.
    #[error("the card uses profile version {0}, which this reader does not know")]
    UnsupportedVersion(u8),
    /// The card answered with bytes that do not follow the profile.
    #[error("the card's data is malformed: {0}")]
    Malformed(&'static str),
    /// The card's TLV encoding is broken.
    #[error("the card's data is malformed: {0}")]
    Tlv(#[from] TlvError),
    /// The card refused a command the profile says it accepts.
    #[error("the card answered {0} to a read")]
    UnexpectedStatus(StatusWord),
    /// A response arrived after the read had finished.
    #[error("a response arrived after the read had finished")]
    Finished,
}

impl ReadError {
    /// A stable code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::UnknownCard(_) => "card.unknown",
            ReadError::OldGeneration => "card.old_generation",
            ReadError::UnsupportedVersion(_) => "card.unsupported_version",
            ReadError::Malformed(_) | ReadError::Tlv(_) => "card.malformed",
            ReadError::UnexpectedStatus(_) => "card.unexpected_status",
            ReadError::Finished => "card.protocol",
        }
    }
}

/// The SELECT command for the application, asking for the FCI.
pub fn select_command() -> Command {
    Command {
        cla: 0x00,
        ins: 0xA4,
        p1: 0x04,
        p2: 0x00,
        data: AID.to_vec(),
        le: Some(256),
    }
}

/// READ BINARY of the identity EF by short file identifier, from offset 0.
pub fn read_sfi_command(le: u16) -> Command {
    Command {
        cla: 0x00,
        ins: 0xB0,
        p1: 0x80 | SFI_IDENTITY,
        p2: 0x00,
        data: Vec::new(),
        le: Some(le),
    }
}

/// READ BINARY of the current EF at a 15-bit offset.
pub fn read_offset_command(offset: u16, le: u16) -> Command {
    let [hi, lo] = (offset & 0x7FFF).to_be_bytes();
    Command {
        cla: 0x00,
        ins: 0xB0,
        p1: hi,
        p2: lo,
        data: Vec::new(),
        le: Some(le),
    }
}

/// What the reader wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this command and give the response to [`Reader::on_response`].
    Send(Command),
    /// The read is complete.
    Done(CardRecord),
}

#[derive(Clone)]
enum State {
    Selecting,
    Reading {
        generation: CardGeneration,
        len: usize,
        buf: Vec<u8>,
    },
    Finished,
}

/// The host side of a read, as a sans-IO state machine.
#[derive(Debug, Clone)]
pub struct Reader {
    state: State,
}

impl Default for Reader {
    fn default() -> Self {
        Self::new()
    }
}

impl Reader {
    /// A reader about to select the application.
    pub fn new() -> Self {
        Reader {
            state: State::Selecting,
        }
    }

    /// The first command to send.
    pub fn start(&self) -> Command {
        select_command()
    }

    /// Consume the response to the last command; returns the next step.
    pub fn on_response(&mut self, resp: &Response) -> Result<Step, ReadError> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        match state {
            State::Finished => Err(ReadError::Finished),
            State::Selecting => {
                if !resp.sw.is_success() {
                    return Err(ReadError::UnknownCard(resp.sw));
                }
                let (generation, len) = parse_fci(&resp.data)?;
                let le = chunk(len, 0);
                self.state = State::Reading {
                    generation,
                    len,
                    buf: Vec::with_capacity(len),
                };
                Ok(Step::Send(read_sfi_command(le)))
            }
            State::Reading {
                generation,
                len,
                mut buf,
            } => {
                if resp.sw != StatusWord::OK {
                    return Err(ReadError::UnexpectedStatus(resp.sw));
                }
                let want = chunk(len, buf.len());
                if resp.data.len() != usize::from(want) {
                    return Err(ReadError::Malformed(
                        "a read returned a different length than asked",
                    ));
                }
                buf.extend_from_slice(&resp.data);
                if buf.len() < len {
                    let offset = u16::try_from(buf.len())
                        .map_err(|_| ReadError::Malformed("offset out of range"))?;
                    let next = read_offset_command(offset, chunk(len, buf.len()));
                    self.state = State::Reading {
                        generation,
                        len,
                        buf,
                    };
                    return Ok(Step::Send(next));
                }
                parse_identity(generation, &buf).map(Step::Done)
            }
        }
    }
}

/// How many bytes to ask for next: up to 256.
fn chunk(len: usize, have: usize) -> u16 {
    // len <= MAX_IDENTITY_LEN, so the result fits.
    len.saturating_sub(have).min(256) as u16
}

/// Parse the FCI returned by SELECT: the generation and the identity EF length.
pub fn parse_fci(data: &[u8]) -> Result<(CardGeneration, usize), ReadError> {
    let top = tlv::parse_all(data)?;
    let fci = tlv::find(&top, TAG_FCI).ok_or(ReadError::Malformed("no FCI template"))?;
    let fci = fci.children()?;
    let name = tlv::find(&fci, TAG_DF_NAME).ok_or(ReadError::Malformed("no DF name"))?;
    if name.value != AID {
        return Err(ReadError::Malformed("DF name is not this profile's AID"));
    }
    let prop = tlv::find(&fci, TAG_FCI_PROPRIETARY)
        .ok_or(ReadError::Malformed("no proprietary FCI data"))?
        .children()?;
    let version = one_byte(&prop, TAG_VERSION, "profile version")?;
    if version != PROFILE_VERSION {
        return Err(ReadError::UnsupportedVersion(version));
    }
    let marker = one_byte(&prop, TAG_GENERATION, "generation marker")?;
    let generation = CardGeneration::from_marker(marker)
        .ok_or(ReadError::Malformed("unknown generation marker"))?;
    if generation == CardGeneration::Gen2003 {
        return Err(ReadError::OldGeneration);
    }
    let len = match tlv::find(&prop, TAG_EF_LENGTH).map(|t| t.value) {
        Some([hi, lo]) => usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => {
            return Err(ReadError::Malformed(
                "identity file length missing or not two bytes",
            ))
        }
    };
    if len == 0 || len > MAX_IDENTITY_LEN {
        return Err(ReadError::Malformed("identity file length out of range"));
    }
    Ok((generation, len))
}

fn one_byte(objs: &[Tlv<'_>], tag: Tag, what: &'static str) -> Result<u8, ReadError> {
    match tlv::find(objs, tag).map(|t| t.value) {
        Some([b]) => Ok(*b),
        _ => Err(ReadError::Malformed(what)),
    }
}

fn ascii_field(objs: &[Tlv<'_>], tag: Tag, what: &'static str) -> Result<String, ReadError> {
    let v = tlv::find(objs, tag)
        .ok_or(ReadError::Malformed(what))?
        .value;
    if !v.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return Err(ReadError::Malformed(what));
    }
    Ok(String::from_utf8_lossy(v).into_owned())
}

fn date_field(objs: &[Tlv<'_>], tag: Tag, what: &'static str) -> Result<String, ReadError> {
    let s = ascii_field(objs, tag, what)?;
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ReadError::Malformed(what));
    }
    Ok(s)
}

/// Decode packed-BCD CCC codes: two bytes, four decimal digits, per character.
pub fn decode_ccc(bytes: &[u8]) -> Result<Vec<u16>, ReadError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ReadError::Malformed(
            "Chinese name has an odd number of bytes",
        ));
    }
    bytes
        .chunks_exact(2)
        .map(|pair| {
            let digits = [pair[0] >> 4, pair[0] & 0xF, pair[1] >> 4, pair[1] & 0xF];
            if digits.iter().any(|d| *d > 9) {
                return Err(ReadError::Malformed("Chinese name code is not decimal"));
            }
            Ok(digits.iter().fold(0u16, |acc, d| acc * 10 + u16::from(*d)))
        })
        .collect()
}

/// Encode CCC codes as packed BCD (codes above 9999 are refused).
pub fn encode_ccc(codes: &[u16]) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::with_capacity(codes.len() * 2);
    for &c in codes {
        if c > 9999 {
            return Err(ReadError::Malformed("CCC code above 9999"));
        }
        let d = [c / 1000, c / 100 % 10, c / 10 % 10, c % 10];
        out.push((d[0] << 4 | d[1]) as u8);
        out.push((d[2] << 4 | d[3]) as u8);
    }
    Ok(out)
}

/// Parse the identity EF content.
pub fn parse_identity(generation: CardGeneration, data: &[u8]) -> Result<CardRecord, ReadError> {
    let top = tlv::parse_all(data)?;
    if top.len() != 1 {
        return Err(ReadError::Malformed(
            "identity file holds more than one template",
        ));
    }
    let id = tlv::find(&top, TAG_IDENTITY).ok_or(ReadError::Malformed("no identity template"))?;
    let f = id.children()?;
    let document_number = ascii_field(&f, TAG_DOC_NUMBER, "document number")?;
    if document_number.is_empty() || document_number.len() > 16 {
        return Err(ReadError::Malformed("document number length"));
    }
    let name = tlv::find(&f, TAG_ENGLISH_NAME)
        .ok_or(ReadError::Malformed("English name"))?
        .value;
    let english_name = std::str::from_utf8(name)
        .map_err(|_| ReadError::Malformed("English name is not UTF-8"))?
        .to_owned();
    if english_name.trim().is_empty() || english_name.chars().count() > 120 {
        return Err(ReadError::Malformed("English name length"));
    }
    let chinese_ccc = match tlv::find(&f, TAG_CHINESE_CCC) {
        Some(t) => decode_ccc(t.value)?,
        None => Vec::new(),
    };
    let date_of_birth = date_field(&f, TAG_DATE_OF_BIRTH, "date of birth")?;
    let sex = match tlv::find(&f, TAG_SEX).map(|t| t.value) {
        Some(b"M") => 'M',
        Some(b"F") => 'F',
        _ => return Err(ReadError::Malformed("sex")),
    };
    let date_of_issue = date_field(&f, TAG_DATE_OF_ISSUE, "date of issue")?;
    Ok(CardRecord {
        generation,
        document_number,
        english_name,
        chinese_ccc,
        date_of_birth,
        sex,
        date_of_issue,
    })
}

/// The FCI bytes for a card of `generation` whose identity EF is `ef_len` long.
pub fn encode_fci(generation: CardGeneration, ef_len: u16) -> Vec<u8> {
    let mut prop = Vec::new();
    let mut fci = Vec::new();
    let mut out = Vec::new();
    // These values are far below the encoder's limits, so encoding cannot fail.
    let _ = tlv::encode(TAG_VERSION, &[PROFILE_VERSION], &mut prop);
    let _ = tlv::encode(TAG_GENERATION, &[generation.marker()], &mut prop);
    let _ = tlv::encode(TAG_EF_LENGTH, &ef_len.to_be_bytes(), &mut prop);
    let _ = tlv::encode(TAG_DF_NAME, &AID, &mut fci);
    let _ = tlv::encode(TAG_FCI_PROPRIETARY, &prop, &mut fci);
    let _ = tlv::encode(TAG_FCI, &fci, &mut out);
    out
}

/// The identity EF content for `record`.
pub fn encode_identity(record: &CardRecord) -> Result<Vec<u8>, ReadError> {
    let mut inner = Vec::new();
    tlv::encode(
        TAG_DOC_NUMBER,
        record.document_number.as_bytes(),
        &mut inner,
    )?;
    tlv::encode(TAG_ENGLISH_NAME, record.english_name.as_bytes(), &mut inner)?;
    if !record.chinese_ccc.is_empty() {
        tlv::encode(
            TAG_CHINESE_CCC,
            &encode_ccc(&record.chinese_ccc)?,
            &mut inner,
        )?;
    }
    tlv::encode(
        TAG_DATE_OF_BIRTH,
        record.date_of_birth.as_bytes(),
        &mut inner,
    )?;
    tlv::encode(TAG_SEX, &[record.sex as u8], &mut inner)?;
    tlv::encode(
        TAG_DATE_OF_ISSUE,
        record.date_of_issue.as_bytes(),
        &mut inner,
    )?;
    let mut out = Vec::new();
    tlv::encode(TAG_IDENTITY, &inner, &mut out)?;
    Ok(out)
}

/// The card side of the profile: answers command APDUs like a real card.
/// Used by the virtual card, and by tests that need no reader at all.
#[derive(Clone)]
pub struct CardApp {
    fci: Vec<u8>,
    ef: Vec<u8>,
    selected: bool,
    ef_current: bool,
}

impl CardApp {
    /// A card with this FCI and identity EF content (raw bytes, so tests can
    /// also make malformed cards).
    pub fn from_parts(fci: Vec<u8>, ef: Vec<u8>) -> Self {
        CardApp {
            fci,
            ef,
            selected: false,
            ef_current: false,
        }
    }

    /// A well-formed card for `record`.
    pub fn new(record: &CardRecord) -> Result<Self, ReadError> {
        let ef = encode_identity(record)?;
        let len = u16::try_from(ef.len()).map_err(|_| ReadError::Malformed("identity too long"))?;
        Ok(CardApp::from_parts(encode_fci(record.generation, len), ef))
    }

    /// Power-on or reset: nothing is selected.
    pub fn reset(&mut self) {
        self.selected = false;
        self.ef_current = false;
    }

    /// Answer one command APDU.
    pub fn respond(&mut self, apdu: &[u8]) -> Response {
        let Ok(cmd) = Command::decode(apdu) else {
            return Response::status(StatusWord::WRONG_LENGTH);
        };
        if cmd.cla != 0x00 {
            return Response::status(StatusWord::CLA_NOT_SUPPORTED);
        }
        match (cmd.ins, cmd.p1, cmd.p2) {
            (0xA4, 0x04, 0x00 | 0x0C) => {
                if cmd.data == AID {
                    self.selected = true;
                    self.ef_current = false;
                    let data = if cmd.p2 == 0x00 {
                        self.fci.clone()
                    } else {
                        Vec::new()
                    };
                    Response {
                        data,
                        sw: StatusWord::OK,
                    }
                } else {
                    self.selected = false;
                    Response::status(StatusWord::NOT_FOUND)
                }
            }
            (0xA4, 0x02, 0x0C) if self.selected => {
                if cmd.data == FID_IDENTITY {
                    self.ef_current = true;
                    Response::status(StatusWord::OK)
                } else {
                    Response::status(StatusWord::NOT_FOUND)
                }
            }
            (0xA4, _, _) => Response::status(StatusWord::WRONG_P1P2),
            (0xB0, p1, p2) if self.selected => {
                let offset = if p1 & 0x80 != 0 {
                    if p1 & 0x1F != SFI_IDENTITY || p1 & 0x60 != 0 {
                        return Response::status(StatusWord::NOT_FOUND);
                    }
                    self.ef_current = true;
                    usize::from(p2)
                } else {
                    if !self.ef_current {
                        return Response::status(StatusWord::NOT_ALLOWED);
                    }
                    usize::from(u16::from_be_bytes([p1 & 0x7F, p2]))
                };
                if offset > self.ef.len() {
                    return Response::status(StatusWord::WRONG_OFFSET);
                }
                let le = usize::from(cmd.le.unwrap_or(256));
                let end = (offset + le).min(self.ef.len());
                let sw = if end - offset < le {
                    StatusWord::END_OF_FILE
                } else {
                    StatusWord::OK
                };
                Response {
                    data: self.ef[offset..end].to_vec(),
                    sw,
                }
            }
            (0xB0, _, _) => Response::status(StatusWord::NOT_ALLOWED),
            _ => Response::status(StatusWord::INS_NOT_SUPPORTED),
        }
    }
}

/// Run a whole read against `card` in memory; returns the record and the
/// number of APDUs exchanged.
pub fn read_in_memory(card: &mut CardApp) -> Result<(CardRecord, usize), ReadError> {
    let mut reader = Reader::new();
    let mut cmd = reader.start();
    let mut count = 0;
    loop {
        let bytes = cmd
            .encode()
            .map_err(|_| ReadError::Malformed("unencodable command"))?;
        count += 1;
        match reader.on_response(&card.respond(&bytes))? {
            Step::Send(next) => cmd = next,
            Step::Done(record) => return Ok((record, count)),
        }
    }
}

impl std::fmt::Debug for CardRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardRecord")
            .field("generation", &self.generation)
            .field("document_number", &Redacted)
            .field("english_name", &Redacted)
            .field("chinese_ccc", &Redacted)
            .field("date_of_birth", &Redacted)
            .field("sex", &Redacted)
            .field("date_of_issue", &Redacted)
            .finish()
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            State::Selecting => f.write_str("Selecting"),
            State::Reading {
                generation,
                len,
                buf,
            } => f
                .debug_struct("Reading")
                .field("generation", generation)
                .field("len", len)
                .field("buf", &RedactedBytes(buf.len()))
                .finish(),
            State::Finished => f.write_str("Finished"),
        }
    }
}

impl std::fmt::Debug for CardApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardApp")
            .field("fci", &self.fci)
            .field("ef", &RedactedBytes(self.ef.len()))
            .field("selected", &self.selected)
            .field("ef_current", &self.ef_current)
            .finish()
    }
}

#[cfg(test)]
mod tests;
