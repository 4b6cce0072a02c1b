//! Fuzz target: splitting the card's single-string English name.
//! Checks that nothing panics and a parsed name round-trips through its card form.
#![no_main]

use ehr_domain::EnglishName;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = EnglishName::parse_card(s) {
        assert!(!n.surname().is_empty());
        assert_eq!(EnglishName::parse_card(&n.card_form()).as_ref(), Ok(&n));
        assert!(n.same_as(&n));
    }
    if let Some((a, b)) = s.split_once('|') {
        let _ = EnglishName::new(a, b);
    }
});
