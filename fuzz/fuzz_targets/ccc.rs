//! Fuzz target: Chinese Commercial Code lists and Chinese names as text.
//! Checks that nothing panics and names built from codes keep one code per character.
#![no_main]

use ehr_domain::person::{parse_ccc_list, ChineseName, MAX_CCC};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(codes) = parse_ccc_list(s) {
        assert!(!codes.is_empty() && codes.len() <= MAX_CCC);
    }
    if let Ok(n) = ChineseName::from_ccc(s) {
        assert_eq!(n.characters().chars().count(), n.ccc().len());
        let again = n.ccc_string().map(|c| ChineseName::from_ccc(&c));
        assert_eq!(
            again.map(|r| r.map(|m| m.characters().to_owned())),
            Some(Ok(n.characters().to_owned()))
        );
    }
    if let Ok(n) = ChineseName::from_text(s) {
        assert_eq!(n.characters().chars().count(), n.ccc().len());
    }
});
