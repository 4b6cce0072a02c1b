//! Every refusal has its own case and its own code, and none of them costs
//! more than a moment or much memory: the cases run one after another in
//! this binary's only test, which then checks the process's peak memory
//! (VmHWM) and each case's time.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use ehr_capture::{normalise, preview, read_file, CaptureError, Crop, Limits, Options};

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    opts: Options,
    limits: Limits,
    code: &'static str,
}

fn case(name: &'static str, bytes: Vec<u8>, code: &'static str) -> Case {
    Case {
        name,
        bytes,
        opts: Options::default(),
        limits: Limits::default(),
        code,
    }
}

fn cases() -> Vec<Case> {
    let small = quadrants(64, 48);
    let good_jpeg = jpeg(&small, 90);
    let good_png = png(&small);
    let mut truncated_png = good_png.clone();
    truncated_png.truncate(good_png.len() - 20);
    let mut bad_crc = good_png.clone();
    bad_crc[29] ^= 0xFF; // inside IHDR's CRC
                         // The scan names a component the frame does not have (id 9).
    let mut bad_scan = good_jpeg.clone();
    let sos = good_jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .unwrap();
    bad_scan[sos + 5] = 9;
    // A JPEG frame claiming 0 x 0 pixels.
    let mut zero = good_jpeg.clone();
    let sof = good_jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .unwrap();
    zero[sof + 5..sof + 9].copy_from_slice(&[0, 0, 0, 0]);
    let tiny_limits = Limits {
        max_file_bytes: 500,
        ..Limits::default()
    };
    let big_tiff = Tiff {
        img: &small,
        claim: Some((100_000, 100_000)),
        strip_len: None,
        orientation: None,
    }
    .build();
    // Plausible dimensions (10,000 x 10,000 = 100 MP, under the pixel
    // limit) but a strip claiming 4 GB in a file of a few kilobytes.
    let huge_strip = Tiff {
        img: &small,
        claim: Some((10_000, 10_000)),
        strip_len: Some(0xFFFF_FFF0),
        orientation: None,
    }
    .build();
    let noise = jpeg(&photo(1200, 900), 95);
    vec![
        case("empty file", Vec::new(), "capture.not_an_image"),
        case("text", b"Dear clerk, this is a letter, not a scan.\n".to_vec(), "capture.not_an_image"),
        case("zip", b"PK\x03\x04\x14\x00\x00\x00".to_vec(), "capture.not_an_image"),
        case("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec(), "capture.unsupported_format"),
        case("bmp", [b"BM".as_slice(), &[0u8; 60]].concat(), "capture.unsupported_format"),
        case("webp", b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00".to_vec(), "capture.unsupported_format"),
        case("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec(), "capture.pdf_not_supported"),
        case("truncated jpeg", good_jpeg[..good_jpeg.len() / 2].to_vec(), "capture.truncated"),
        case("jpeg without its end marker", good_jpeg[..good_jpeg.len() - 2].to_vec(), "capture.truncated"),
        case("truncated png", truncated_png, "capture.truncated"),
        case("png claiming 100,000 x 100,000", png_claiming(100_000, 100_000), "capture.too_many_pixels"),
        case("png claiming 15,000 x 15,000 (under the side limit, over the pixel limit)", png_claiming(15_000, 15_000), "capture.too_many_pixels"),
        case("tiff claiming 100,000 x 100,000", big_tiff, "capture.too_many_pixels"),
        case("tiff with a 4 GB strip", huge_strip, "capture.too_many_pixels"),
        Case { limits: tiny_limits, ..case("file over the size limit", good_jpeg.clone(), "capture.file_too_large") },
        case("png with a bad CRC", bad_crc, "capture.corrupt"),
        case("jpeg whose scan names no component of the frame", bad_scan, "capture.corrupt"),
        case("jpeg claiming 0 x 0", zero, "capture.corrupt"),
        Case {
            opts: Options { crop: Some(Crop { x: 0.5, y: 0.5, w: 0.01, h: 0.5 }), ..Options::default() },
            ..case("crop of one pixel", good_jpeg.clone(), "capture.empty_crop")
        },
        Case {
            opts: Options { crop: Some(Crop { x: f64::NAN, y: 0.0, w: 1.0, h: 1.0 }), ..Options::default() },
            ..case("crop that is not a number", good_jpeg.clone(), "capture.empty_crop")
        },
        Case {
            opts: Options { budget_bytes: 2_000, ..Options::default() },
            ..case("budget no image can meet", noise, "capture.budget")
        },
    ]
}

#[test]
fn each_refusal_has_its_code_and_costs_little() {
    let mut codes = std::collections::BTreeSet::new();
    for c in cases() {
        let t = Instant::now();
        let got = normalise(&c.bytes, &c.opts, &c.limits);
        let took = t.elapsed();
        match got {
            Err(e) => {
                assert_eq!(e.code(), c.code, "{}: {e}", c.name);
                // The message comes from the catalogue, in both languages.
                for lang in ehr_i18n::Lang::ALL {
                    let m = e.message(lang);
                    assert!(
                        !m.is_empty() && !m.contains("error.capture") && !m.contains('{'),
                        "{}: {m}",
                        c.name
                    );
                }
                codes.insert(e.code());
            }
            Ok(n) => panic!("{}: accepted: {n:?}", c.name),
        }
        // The budget case encodes a few times; everything else refuses
        // before or at the first decode.
        let max = if c.code == "capture.budget" {
            Duration::from_secs(10)
        } else {
            Duration::from_secs(2)
        };
        assert!(took < max, "{}: took {took:?}", c.name);
        // preview refuses the same inputs the same way (crop and budget are
        // normalise's only).
        if !matches!(c.code, "capture.empty_crop" | "capture.budget") {
            let p = preview(&c.bytes, &c.limits).map(|_| ()).unwrap_err();
            assert_eq!(p.code(), c.code, "preview: {}", c.name);
        }
    }
    assert_eq!(
        codes.len(),
        10 - 1,
        "every code but unreadable (tested below): {codes:?}"
    );
    let peak = peak_rss_kib();
    eprintln!("peak memory: {} MiB", peak / 1024);
    assert!(peak < 200 * 1024, "peak memory {} MiB", peak / 1024);

    // Reading a file from disk: a 10 GiB (sparse) file is refused from its
    // size, without being read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jpg");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(10 << 30)
        .unwrap();
    let t = Instant::now();
    let e = read_file(&path, Limits::default().max_file_bytes).unwrap_err();
    assert_eq!(
        e,
        CaptureError::FileTooLarge {
            max_bytes: 40 << 20
        }
    );
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(
        read_file(&dir.path().join("gone.jpg"), 1000)
            .unwrap_err()
            .code(),
        "capture.unreadable"
    );
    assert_eq!(
        read_file(dir.path(), 1000).unwrap_err().code(),
        "capture.unreadable"
    );
    assert!(peak_rss_kib() < 200 * 1024);
}

#[test]
fn codes_and_catalogue_keys_are_distinct() {
    let all = [
        CaptureError::NotAnImage,
        CaptureError::UnsupportedFormat { format: "GIF" },
        CaptureError::PdfNotSupported,
        CaptureError::Truncated,
        CaptureError::TooManyPixels {
            width: 1,
            height: 1,
        },
        CaptureError::FileTooLarge { max_bytes: 1 },
        CaptureError::Corrupt,
        CaptureError::EmptyCrop,
        CaptureError::Budget { budget_bytes: 1 },
        CaptureError::Unreadable,
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.code()).collect();
    let keys: std::collections::BTreeSet<_> = all.iter().map(|e| e.message_key()).collect();
    assert_eq!((codes.len(), keys.len()), (all.len(), all.len()));
    for e in &all {
        let name = e.code().strip_prefix("capture.").unwrap();
        assert_eq!(e.message_key(), format!("error.capture.{name}"));
        for lang in ehr_i18n::Lang::ALL {
            assert!(
                ehr_i18n::lookup(lang, e.message_key()).is_some(),
                "{lang:?} lacks {}",
                e.message_key()
            );
        }
    }
    assert!(CaptureError::FileTooLarge {
        max_bytes: 40 << 20
    }
    .message(ehr_i18n::Lang::En)
    .contains("300 dpi"));
}
