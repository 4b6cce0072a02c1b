//! Fuzz target: document number normalisation and parsing for every type.
//! Checks that nothing panics, normalisation is idempotent, a parsed number
//! parses back from its normal form, and masking keeps the length.
#![no_main]

use ehr_domain::id::normalize;
use ehr_domain::{DateOfBirth, DocumentNumber, DocumentType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let once = normalize(s);
    assert_eq!(normalize(&once), once, "normalize is idempotent");
    for &t in DocumentType::ALL {
        match DocumentNumber::parse(t, s) {
            Ok(n) => {
                assert_eq!(n.normalized(), once);
                assert_eq!(DocumentNumber::parse(t, n.normalized()).as_ref(), Ok(&n));
                assert_eq!(DocumentNumber::parse(t, &n.display()).as_ref(), Ok(&n));
                let masked = n.masked();
                assert_eq!(masked.len(), n.display().len());
                if n.normalized().len() >= 5 {
                    assert!(masked.contains('*'));
                }
            }
            Err(e) => assert!(e.code().as_str().starts_with("id.")),
        }
        let _ = DocumentNumber::validate(t, s, DateOfBirth::parse("1970").ok());
    }
});
