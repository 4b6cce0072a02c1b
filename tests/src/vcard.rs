//! The virtual identity card: the open test card profile on vpcd's reader.
//!
//! vsmartcard's vpcd driver gives pcscd a reader fed over TCP. A card is
//! "inserted" by connecting to the reader's port and "removed" by closing the
//! connection. Every message in either direction is a two-byte big-endian
//! length and a payload. A one-byte payload from vpcd is a control message
//! (0 power off, 1 power on, 2 reset, 4 get ATR: answered with the ATR); any
//! other payload is a command APDU, answered with the response APDU.
//!
//! vpcd writes the length and the APDU as two segments, so with delayed ACK
//! each exchange waits about 40 ms. `TCP_QUICKACK` is not sticky on Linux: it
//! is set again before every read.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use ehr_card::profile::{encode_fci, CardApp, CardRecord};
use serde::Deserialize;

/// The ATR of the virtual card: a T=1 card with historical bytes "EHRTEST".
pub const ATR: [u8; 13] = [
    0x3B, 0x87, 0x80, 0x01, b'E', b'H', b'R', b'T', b'E', b'S', b'T', 0x00, 0x00,
];

/// A person file: a card record, optionally with raw bytes that replace the
/// FCI or the identity EF (to make malformed cards for tests).
#[derive(Debug, Clone, Deserialize)]
pub struct PersonFile {
    /// The identity the card holds.
    #[serde(flatten)]
    pub record: CardRecord,
    /// Hex bytes that replace the identity EF.
    #[serde(default)]
    pub raw_ef_hex: Option<String>,
    /// Hex bytes that replace the FCI.
    #[serde(default)]
    pub raw_fci_hex: Option<String>,
    /// Milliseconds the card waits before answering each READ BINARY (to
    /// test removal in the middle of a read).
    #[serde(default)]
    pub read_delay_ms: u64,
}

/// Why a person file could not be turned into a card.
#[derive(Debug, thiserror::Error)]
pub enum VcardError {
    /// The file could not be read, or the reader could not be reached.
    #[error("input/output: {0}")]
    Io(#[from] io::Error),
    /// The file is not a valid person file.
    #[error("the person file is not valid: {0}")]
    Json(String),
    /// A hex field is not hex.
    #[error("{0} is not hexadecimal")]
    Hex(&'static str),
    /// The record cannot be encoded with the profile.
    #[error("the person cannot be put on a card: {0}")]
    Profile(String),
}

fn hex(s: &str, what: &'static str) -> Result<Vec<u8>, VcardError> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        return Err(VcardError::Hex(what));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| VcardError::Hex(what)))
        .collect()
}

impl PersonFile {
    /// Parse a person file's JSON.
    pub fn from_json(json: &str) -> Result<Self, VcardError> {
        serde_json::from_str(json).map_err(|e| VcardError::Json(e.to_string()))
    }

    /// Read a person file.
    pub fn load(path: &Path) -> Result<Self, VcardError> {
        Self::from_json(&std::fs::read_to_string(path).map_err(VcardError::Io)?)
    }

    /// The card application for this person.
    pub fn card(&self) -> Result<CardApp, VcardError> {
        let good = CardApp::new(&self.record).map_err(|e| VcardError::Profile(e.to_string()))?;
        if self.raw_ef_hex.is_none() && self.raw_fci_hex.is_none() {
            return Ok(good);
        }
        let ef = match &self.raw_ef_hex {
            Some(h) => hex(h, "raw_ef_hex")?,
            None => ehr_card::profile::encode_identity(&self.record)
                .map_err(|e| VcardError::Profile(e.to_string()))?,
        };
        let fci = match &self.raw_fci_hex {
            Some(h) => hex(h, "raw_fci_hex")?,
            None => encode_fci(self.record.generation, ef.len() as u16),
        };
        Ok(CardApp::from_parts(fci, ef))
    }
}

/// A virtual card in the reader. Dropping it (or [`InsertedCard::remove`])
/// takes it out.
pub struct InsertedCard {
    stream: TcpStream,
    stop: Arc<AtomicBool>,
    reads: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl InsertedCard {
    /// Insert `person` into the vpcd reader listening on `addr` (for example
    /// `127.0.0.1:35963`).
    pub fn insert(addr: &str, person: &PersonFile) -> Result<InsertedCard, VcardError> {
        let card = person.card()?;
        let stream = TcpStream::connect(addr).map_err(VcardError::Io)?;
        stream.set_nodelay(true).map_err(VcardError::Io)?;
        let stop = Arc::new(AtomicBool::new(false));
        let reader = stream.try_clone().map_err(VcardError::Io)?;
        let delay = Duration::from_millis(person.read_delay_ms);
        let stop2 = Arc::clone(&stop);
        let reads = Arc::new(AtomicUsize::new(0));
        let reads2 = Arc::clone(&reads);
        let thread = std::thread::Builder::new()
            .name("vcard".into())
            .spawn(move || {
                let _ = serve(reader, card, delay, &stop2, &reads2);
            })
            .map_err(VcardError::Io)?;
        Ok(InsertedCard {
            stream,
            stop,
            reads,
            thread: Some(thread),
        })
    }

    /// How many READ BINARY commands the card has received so far (counted
    /// as each arrives, before any answer or delay), so a test can act in the
    /// middle of a read rather than after a guessed sleep.
    pub fn reads_started(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    /// Take the card out of the reader.
    pub fn remove(mut self) {
        self.close();
    }

    fn close(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for InsertedCard {
    fn drop(&mut self) {
        self.close();
    }
}

fn quickack(stream: &TcpStream) {
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
}

fn read_msg(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    quickack(stream);
    let mut len = [0u8; 2];
    stream.read_exact(&mut len)?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    quickack(stream);
    stream.read_exact(&mut buf)?;
    Ok(buf)
}

fn write_msg(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "message too long"))?;
    let mut msg = Vec::with_capacity(payload.len() + 2);
    msg.extend_from_slice(&len.to_be_bytes());
    msg.extend_from_slice(payload);
    stream.write_all(&msg)
}

fn serve(
    mut stream: TcpStream,
    mut card: CardApp,
    delay: Duration,
    stop: &AtomicBool,
    reads: &AtomicUsize,
) -> io::Result<()> {
    while !stop.load(Ordering::SeqCst) {
        let msg = read_msg(&mut stream)?;
        match msg.as_slice() {
            [0] | [1] | [2] => card.reset(),
            [4] => write_msg(&mut stream, &ATR)?,
            [_] => {}
            apdu => {
                if apdu.get(1) == Some(&0xB0) {
                    reads.fetch_add(1, Ordering::SeqCst);
                }
                if !delay.is_zero() && apdu.get(1) == Some(&0xB0) {
                    std::thread::sleep(delay);
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
                write_msg(&mut stream, &card.respond(apdu).encode())?;
            }
        }
    }
    Ok(())
}

/// The sample person of the tests and the bench: CHAN, Tai Man (陳大文),
/// A123456(3), born 15/01/1980, on a card of `generation`.
pub fn sample_person(generation: ehr_card::profile::CardGeneration) -> PersonFile {
    PersonFile {
        record: CardRecord {
            generation,
            document_number: "A1234563".to_owned(),
            english_name: "CHAN, Tai Man".to_owned(),
            chinese_ccc: vec![7115, 1129, 2429],
            date_of_birth: "19800115".to_owned(),
            sex: 'M',
            date_of_issue: "20190301".to_owned(),
        },
        raw_ef_hex: None,
        raw_fci_hex: None,
        read_delay_ms: 0,
    }
}

/// A demo applicant (from `ehr-central seed --demo`'s `demo_people`), as
/// the JSON fields of its application's person: `document_number`,
/// `surname`, `given_names`, `chinese_name`, `date_of_birth` (`YYYY-MM-DD`)
/// and `sex` (`male`/`female`).
pub fn person_from_demo(person: &serde_json::Value) -> Result<PersonFile, VcardError> {
    let text = |k: &str| person[k].as_str().unwrap_or_default().to_owned();
    let bad = |what: &str| VcardError::Json(format!("demo person: {what}"));
    let number =
        ehr_domain::DocumentNumber::parse(ehr_domain::DocumentType::Hkic, &text("document_number"))
            .map_err(|_| bad("document number"))?;
    let chinese_ccc = match person["chinese_name"].as_str() {
        None | Some("") => Vec::new(),
        Some(name) => ehr_domain::ChineseName::from_text(name)
            .map_err(|_| bad("Chinese name"))?
            .ccc()
            .iter()
            .map(|c| {
                c.map(|c| c.value())
                    .ok_or_else(|| bad("a character without a CCC"))
            })
            .collect::<Result<Vec<u16>, _>>()?,
    };
    let dob = text("date_of_birth").replace('-', "");
    if dob.len() != 8 {
        return Err(bad("date of birth"));
    }
    let sex = match person["sex"].as_str() {
        Some("male") => 'M',
        Some("female") => 'F',
        _ => return Err(bad("sex")),
    };
    Ok(PersonFile {
        record: CardRecord {
            generation: ehr_card::profile::CardGeneration::Gen2018,
            document_number: number.normalized().to_owned(),
            english_name: format!("{}, {}", text("surname"), text("given_names")),
            chinese_ccc,
            date_of_birth: dob,
            sex,
            date_of_issue: "20190301".to_owned(),
        },
        raw_ef_hex: None,
        raw_fci_hex: None,
        read_delay_ms: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAN: &str = r#"{"generation":"gen2018","document_number":"A1234563","english_name":"CHAN, Tai Man","chinese_ccc":[7115,1129,2429],"date_of_birth":"19800115","sex":"M","date_of_issue":"20190301"}"#;

    #[test]
    fn a_person_file_makes_a_readable_card() {
        let p = PersonFile::from_json(CHAN).unwrap();
        let (record, apdus) = ehr_card::profile::read_in_memory(&mut p.card().unwrap()).unwrap();
        assert_eq!(record.english_name, "CHAN, Tai Man");
        assert_eq!(apdus, 2);
    }

    #[test]
    fn a_demo_applicant_becomes_a_card_of_the_same_person() {
        let demo = serde_json::json!({
            "document_type": "hkic", "document_number": "A123456(3)", "surname": "CHAN",
            "given_names": "Tai Man", "chinese_name": "陳大文", "date_of_birth": "1980-01-15",
            "sex": "male"
        });
        let p = person_from_demo(&demo).unwrap();
        let (record, _) = ehr_card::profile::read_in_memory(&mut p.card().unwrap()).unwrap();
        assert_eq!(record.document_number, "A1234563");
        assert_eq!(record.english_name, "CHAN, Tai Man");
        assert_eq!(record.chinese_ccc, vec![7115, 1129, 2429]);
        assert_eq!(
            (record.date_of_birth.as_str(), record.sex),
            ("19800115", 'M')
        );
        let mut wrong = demo.clone();
        wrong["document_number"] = "A1234567".into();
        assert!(person_from_demo(&wrong).is_err());
    }

    #[test]
    fn raw_overrides_make_malformed_cards() {
        let json = CHAN.replace('}', r#","raw_ef_hex":"70 03 80 01"}"#);
        let p = PersonFile::from_json(&json).unwrap();
        let err = ehr_card::profile::read_in_memory(&mut p.card().unwrap()).unwrap_err();
        assert_eq!(err.code(), "card.malformed");
        let bad = CHAN.replace('}', r#","raw_fci_hex":"zz"}"#);
        assert!(matches!(
            PersonFile::from_json(&bad).unwrap().card(),
            Err(VcardError::Hex(_))
        ));
        assert!(matches!(
            PersonFile::from_json("{}"),
            Err(VcardError::Json(_))
        ));
    }
}
