//! The host side of the card profile never panics, whatever a card answers:
//! the input is split into responses that feed the sans-IO reader.
#![no_main]

use ehr_card::apdu::{Response, StatusWord};
use ehr_card::profile::{parse_fci, parse_identity, CardGeneration, Reader, Step};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_fci(data);
    let _ = parse_identity(CardGeneration::Gen2018, data);
    // Length-prefixed chunks, each with a status word, as successive responses.
    let mut reader = Reader::new();
    let mut rest = data;
    while let [len, sw1, sw2, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let resp = Response { data: tail[..n].to_vec(), sw: StatusWord::from_bytes(*sw1, *sw2) };
        rest = &tail[n..];
        match reader.on_response(&resp) {
            Ok(Step::Send(cmd)) => assert!(cmd.encode().is_ok()),
            Ok(Step::Done(_)) | Err(_) => break,
        }
    }
});
