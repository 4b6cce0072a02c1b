//! The card side never panics on any command APDU, and decoded commands
//! encode back to the same bytes.
#![no_main]

use ehr_card::apdu::Command;
use ehr_card::profile::{CardApp, CardGeneration, CardRecord};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = Command::decode(data) {
        assert_eq!(cmd.encode().ok().as_deref(), Some(data));
    }
    let record = CardRecord {
        generation: CardGeneration::Gen2018,
        document_number: "A1234563".into(),
        english_name: "CHAN, Tai Man".into(),
        chinese_ccc: vec![7115, 1129, 2429],
        date_of_birth: "19800115".into(),
        sex: 'M',
        date_of_issue: "20190301".into(),
    };
    if let Ok(mut card) = CardApp::new(&record) {
        let r = card.respond(data);
        assert!(r.data.len() <= 256);
    }
});
