//! The capture pipeline's entry points never panic (a decoder's panic is
//! caught and refused as corrupt), never exceed small limits, and what they
//! accept is a JPEG within the limits they were given.
#![no_main]

use ehr_capture::{normalise, preview, Crop, Limits, Options, Rotation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits: the fuzzer's inputs claim any size they like; nothing
    // may allocate for more than these.
    let limits = Limits {
        max_file_bytes: 256 * 1024,
        max_width: 1024,
        max_height: 1024,
        max_pixels: 512 * 512,
        max_alloc: 8 * 1024 * 1024,
    };
    // The first byte picks the options, so crops, turns, the trim and grey
    // are fuzzed too.
    let (sel, bytes) = match data.split_first() {
        Some((s, rest)) => (*s, rest),
        None => (0, data),
    };
    let rotate = match sel & 3 {
        0 => Rotation::None,
        1 => Rotation::Cw90,
        2 => Rotation::Cw180,
        _ => Rotation::Cw270,
    };
    let crop = (sel & 4 != 0).then(|| Crop {
        x: f64::from(sel >> 4) / 16.0,
        y: 0.1,
        w: 0.5,
        h: 0.8,
    });
    let opts = Options {
        rotate,
        crop,
        auto_trim: sel & 8 != 0,
        grayscale: sel & 0x40 != 0,
        budget_bytes: 60_000,
    };
    if let Ok(n) = normalise(bytes, &opts, &limits) {
        assert!(n.jpeg.len() <= 60_000);
        assert!(n.width.max(n.height) <= 3508 && n.width.min(n.height) <= 2480);
        assert!(n.jpeg.starts_with(&[0xFF, 0xD8]));
        assert!((1..=8).contains(&n.orientation));
    }
    if let Ok(p) = preview(bytes, &limits) {
        assert!(p.width.max(p.height) <= 1200);
        assert!(p.jpeg.starts_with(&[0xFF, 0xD8]));
    }
});
