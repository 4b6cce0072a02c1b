//! The capture bench (issue #12): normalising a 12-megapixel JPEG photo,
//! with the decode alone beside it (the floor: every normalise decodes).
//!
//!   cargo run --release -p ehr-capture --example capture_bench -- --runs 15 --write docs/benchmarks.md
//!
//! The photo is generated (gradients, shapes and sensor noise, 4000 x 3000,
//! JPEG q 92 4:4:4, EXIF orientation 6 as a phone held upright writes it),
//! so every machine measures the same input. Prints a Markdown section;
//! `--write FILE` replaces (or appends) the section "Image capture" in FILE.

#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use ehr_capture::{normalise, Limits, Options};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let mut runs = 15usize;
    let mut write: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs),
            "--write" => write = args.next(),
            other => panic!("unknown argument {other}"),
        }
    }
    let photo = common::photo(4000, 3000);
    let stored = common::stored_for(&photo, 6);
    let file = common::with_exif(
        &common::jpeg(&stored, 92),
        &common::exif_block(6, Some("Phone")),
    );
    let limits = Limits::default();
    let opts = Options::default();
    let grey_opts = Options {
        grayscale: true,
        ..Options::default()
    };

    // Warm up (page faults, CPU caches), then alternate the two so load on
    // the machine falls on both alike.
    let n = normalise(&file, &opts, &limits).unwrap();
    let (mut decode, mut whole, mut grey) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let img = image::load_from_memory_with_format(&file, image::ImageFormat::Jpeg).unwrap();
        decode.push(t.elapsed());
        drop(img);
        let t = Instant::now();
        let out = normalise(&file, &opts, &limits).unwrap();
        whole.push(t.elapsed());
        assert_eq!(out, n, "the same input gives the same output");
        let t = Instant::now();
        normalise(&file, &grey_opts, &limits).unwrap();
        grey.push(t.elapsed());
    }
    let g = normalise(&file, &grey_opts, &limits).unwrap();
    let (dec, all, gr) = (median(decode), median(whole), median(grey));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load1 = load.split_whitespace().next().unwrap_or("?");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());

    let section = format!(
        "## Image capture\n\n\
Measured by `cargo run --release -p ehr-capture --example capture_bench -- --runs {runs} --write docs/benchmarks.md` on {cores} cores (1-minute load average {load1} at the end, from other work on the machine); one thread. \
Input: a generated 12-megapixel photo (4000 × 3000, gradients, shapes and sensor noise), JPEG q 92 4:4:4, {in_kb} KB, EXIF orientation 6; median of {runs} runs.\n\n\
| measurement | result | goal |\n|---|---|---|\n\
| normalise (decode, upright, fit to A4 at 300 dpi, JPEG under 500 KB, thumbnail) | {all} → {w} × {h}, {kb} KB, quality {q} | ≤ 300 ms, ≤ 500 KB |\n\
| decode alone (image 0.25 / zune-jpeg, the floor) | {dec} | |\n\
| normalise, black and white (one grey channel) | {gr} → {gkb} KB, quality {gq} | |\n\n\
The decode is {pct:.0} % of the whole. The rest is the resize (fast_image_resize, Hamming filter), the quarter turn of the A4-sized result, choosing the quality on a sample of bands, one full encode (jpeg-encoder, 4:2:0) and the thumbnail.\n",
        in_kb = file.len() / 1000,
        w = n.width,
        h = n.height,
        kb = n.jpeg.len() / 1000,
        q = n.quality,
        all = ms(all),
        dec = ms(dec),
        gr = ms(gr),
        gkb = g.jpeg.len() / 1000,
        gq = g.quality,
        pct = dec.as_secs_f64() / all.as_secs_f64() * 100.0,
    );
    print!("{section}");
    if let Some(path) = write {
        let doc = std::fs::read_to_string(&path).unwrap();
        let updated = match doc.find("## Image capture\n") {
            Some(start) => {
                let rest = &doc[start + 3..];
                let end = rest.find("\n## ").map_or(doc.len(), |i| start + 3 + i + 1);
                format!("{}{}\n{}", &doc[..start], section, &doc[end..])
            }
            None => format!("{}\n\n{}", doc.trim_end_matches('\n'), section),
        };
        std::fs::write(&path, updated).unwrap();
    }
}
