//! BER-TLV parsing never panics, and what parses re-encodes (shortest length
//! forms) into bytes that parse to the same objects.
#![no_main]

use ehr_card::tlv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(objects) = tlv::parse_all(data) {
        let mut out = Vec::new();
        for o in &objects {
            tlv::encode(o.tag, o.value, &mut out).expect("parsed values re-encode");
            if o.tag.is_constructed() {
                let _ = o.children();
            }
        }
        let reparsed = tlv::parse_all(&out).expect("our own encoding parses");
        assert_eq!(reparsed, objects);
    }
});
