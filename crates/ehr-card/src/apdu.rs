//! ISO 7816-4 APDUs: short command APDUs, response APDUs and status words.

use std::fmt;

/// A command APDU in its short form (Lc and Le of one byte each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter.
    pub p1: u8,
    /// Second parameter.
    pub p2: u8,
    /// Command data (at most 255 bytes).
    pub data: Vec<u8>,
    /// Expected response length: `None` for no response data, `Some(256)`
    /// for "up to 256" (encoded as 00).
    pub le: Option<u16>,
}

/// Why a command APDU cannot be encoded in the short form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// More than 255 bytes of command data.
    #[error("command data longer than 255 bytes")]
    DataTooLong,
    /// Le outside 1..=256.
    #[error("expected length outside 1..=256")]
    BadLe,
}

impl Command {
    /// The bytes of the command, in the ISO 7816-4 short form (cases 1 to 4).
    pub fn encode(&self) -> Result<Vec<u8>, CommandError> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        if !self.data.is_empty() {
            let lc = u8::try_from(self.data.len()).map_err(|_| CommandError::DataTooLong)?;
            out.push(lc);
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            match le {
                1..=255 => out.push(le as u8),
                256 => out.push(0),
                _ => return Err(CommandError::BadLe),
            }
        }
        Ok(out)
    }

    /// Parse a short-form command APDU (the card's side, used by the virtual card).
    pub fn decode(bytes: &[u8]) -> Result<Command, CommandParseError> {
        let [cla, ins, p1, p2, rest @ ..] = bytes else {
            return Err(CommandParseError::TooShort);
        };
        let (data, le) = match rest {
            [] => (Vec::new(), None),
            [le] => (
                Vec::new(),
                Some(if *le == 0 { 256 } else { u16::from(*le) }),
            ),
            [lc, body @ ..] => {
                let lc = usize::from(*lc);
                if lc == 0 {
                    // An extended-length APDU; this profile never uses them.
                    return Err(CommandParseError::ExtendedLength);
                }
                match body.len().checked_sub(lc) {
                    Some(0) => (body.to_vec(), None),
                    Some(1) => {
                        let le = body[lc];
                        (
                            body[..lc].to_vec(),
                            Some(if le == 0 { 256 } else { u16::from(le) }),
                        )
                    }
                    _ => return Err(CommandParseError::LengthMismatch),
                }
            }
        };
        Ok(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
            le,
        })
    }
}

/// Why bytes are not a short command APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommandParseError {
    /// Fewer than four header bytes.
    #[error("shorter than a command header")]
    TooShort,
    /// Lc does not match the bytes that follow.
    #[error("Lc does not match the command data")]
    LengthMismatch,
    /// An extended-length APDU.
    #[error("extended-length APDUs are not supported")]
    ExtendedLength,
}

/// A status word (SW1 SW2).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000: normal processing.
    pub const OK: StatusWord = StatusWord(0x9000);
    /// 6282: end of file reached before Le bytes were read.
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// 6700: wrong length.
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// 6982: security status not satisfied.
    pub const SECURITY_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// 6986: command not allowed (no current EF).
    pub const NOT_ALLOWED: StatusWord = StatusWord(0x6986);
    /// 6A82: file or application not found.
    pub const NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// 6A86: incorrect parameters P1-P2.
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6A86);
    /// 6B00: wrong parameters (offset outside the EF).
    pub const WRONG_OFFSET: StatusWord = StatusWord(0x6B00);
    /// 6D00: instruction not supported.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// 6E00: class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);

    /// SW1 and SW2 from two bytes.
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        StatusWord(u16::from(sw1) << 8 | u16::from(sw2))
    }

    /// The two bytes, SW1 first.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// Whether the command completed normally (9000, or 61xx: more data).
    pub fn is_success(self) -> bool {
        self.0 == 0x9000 || self.0 >> 8 == 0x61
    }

    /// A short English meaning, for logs and diagnostics.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            0x9000 => "normal processing",
            0x6282 => "end of file reached before Le bytes",
            0x6700 => "wrong length",
            0x6982 => "security status not satisfied",
            0x6986 => "command not allowed",
            0x6A82 => "file or application not found",
            0x6A86 => "incorrect parameters P1-P2",
            0x6B00 => "wrong parameters (offset outside the file)",
            0x6D00 => "instruction not supported",
            0x6E00 => "class not supported",
            sw if sw >> 8 == 0x61 => "more data available",
            sw if sw >> 8 == 0x6C => "wrong Le; exact length in SW2",
            _ => "unknown status",
        }
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW {:04X} ({})", self.0, self.meaning())
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// A response APDU: data followed by the status word. `Debug` shows the
/// status word and the data's length only (the data may be card data).
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The response data.
    pub data: Vec<u8>,
    /// The status word.
    pub sw: StatusWord,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("data", &crate::redact::RedactedBytes(self.data.len()))
            .field("sw", &self.sw)
            .finish()
    }
}

impl Response {
    /// Split raw response bytes into data and status word.
    pub fn parse(bytes: &[u8]) -> Option<Response> {
        let (data, sw) = bytes.split_at(bytes.len().checked_sub(2)?);
        Some(Response {
            data: data.to_vec(),
            sw: StatusWord::from_bytes(sw[0], sw[1]),
        })
    }

    /// The bytes of the response (the card's side).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }

    /// A response with no data.
    pub fn status(sw: StatusWord) -> Response {
        Response {
            data: Vec::new(),
            sw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(data: &[u8], le: Option<u16>) -> Command {
        Command {
            cla: 0x00,
            ins: 0xB0,
            p1: 0x81,
            p2: 0x00,
            data: data.to_vec(),
            le,
        }
    }

    #[test]
    fn encodes_the_four_cases() {
        assert_eq!(
            cmd(&[], None).encode().unwrap(),
            vec![0x00, 0xB0, 0x81, 0x00]
        );
        assert_eq!(
            cmd(&[], Some(256)).encode().unwrap(),
            vec![0x00, 0xB0, 0x81, 0x00, 0x00]
        );
        assert_eq!(
            cmd(&[1, 2], None).encode().unwrap(),
            vec![0x00, 0xB0, 0x81, 0x00, 2, 1, 2]
        );
        assert_eq!(
            cmd(&[1], Some(16)).encode().unwrap(),
            vec![0x00, 0xB0, 0x81, 0x00, 1, 1, 16]
        );
        assert_eq!(
            cmd(&[0; 256], None).encode(),
            Err(CommandError::DataTooLong)
        );
        assert_eq!(cmd(&[], Some(0)).encode(), Err(CommandError::BadLe));
        assert_eq!(cmd(&[], Some(257)).encode(), Err(CommandError::BadLe));
    }

    #[test]
    fn decode_inverts_encode_and_refuses_bad_lengths() {
        for c in [
            cmd(&[], None),
            cmd(&[], Some(256)),
            cmd(&[9; 10], None),
            cmd(&[9; 3], Some(7)),
        ] {
            assert_eq!(Command::decode(&c.encode().unwrap()).unwrap(), c);
        }
        assert_eq!(
            Command::decode(&[0, 1, 2]),
            Err(CommandParseError::TooShort)
        );
        assert_eq!(
            Command::decode(&[0, 1, 2, 3, 5, 1]),
            Err(CommandParseError::LengthMismatch)
        );
        assert_eq!(
            Command::decode(&[0, 1, 2, 3, 0, 0, 5]),
            Err(CommandParseError::ExtendedLength)
        );
    }

    #[test]
    fn responses_and_status_words() {
        let r = Response::parse(&[0xAA, 0x90, 0x00]).unwrap();
        assert_eq!(r.data, vec![0xAA]);
        assert_eq!(r.sw, StatusWord::OK);
        assert!(r.sw.is_success());
        assert_eq!(r.encode(), vec![0xAA, 0x90, 0x00]);
        assert_eq!(Response::parse(&[0x90]), None);
        assert!(!StatusWord::NOT_FOUND.is_success());
        assert!(StatusWord(0x6110).is_success());
        assert_eq!(
            format!("{:?}", StatusWord::NOT_FOUND),
            "SW 6A82 (file or application not found)"
        );
        assert_eq!(StatusWord::from_bytes(0x6B, 0x00), StatusWord::WRONG_OFFSET);
    }
}
