//! `ehrctl capture normalise`, run as the built binary on generated images:
//! one JSON line and the written JPEG on success; the code on stderr and
//! exit 1 on a refused input, with nothing written.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use image::{ImageEncoder, Rgb, RgbImage};
use serde_json::Value;

fn ehrctl(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .arg("capture")
        .arg("normalise")
        .args(args)
        .output()
        .unwrap()
}

/// A PNG, 300 x 200, red on the left half, blue on the right.
fn png(path: &Path) {
    let img = RgbImage::from_fn(300, 200, |x, _| {
        if x < 150 {
            Rgb([220, 30, 30])
        } else {
            Rgb([30, 30, 220])
        }
    });
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 300, 200, image::ExtendedColorType::Rgb8)
        .unwrap();
    std::fs::write(path, out).unwrap();
}

#[test]
fn normalise_writes_the_jpeg_and_prints_one_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.png"), dir.path().join("out.jpg"));
    png(&input);
    let out = ehrctl(&[&input, &output]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let written = std::fs::read(&output).unwrap();
    assert_eq!(v["width"], 300);
    assert_eq!(v["height"], 200);
    assert_eq!(v["orientation"], 1);
    assert_eq!(v["quality"], 85);
    assert_eq!(v["bytes"], written.len());
    let img = image::load_from_memory(&written).unwrap();
    assert_eq!((img.width(), img.height()), (300, 200));
    assert_eq!(img.color(), image::ColorType::Rgb8);
    let left = img.to_rgb8().get_pixel(20, 100).0;
    assert!(left[0] > 180 && left[2] < 80, "{left:?}");

    // --grayscale: one channel.
    let grey = dir.path().join("grey.jpg");
    let out = Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(["capture", "normalise"])
        .args([&input, &grey])
        .arg("--grayscale")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let img = image::load_from_memory(&std::fs::read(&grey).unwrap()).unwrap();
    assert_eq!(img.color(), image::ColorType::L8);
}

#[test]
fn refused_inputs_exit_1_with_the_code_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.jpg");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "letter.txt",
            b"not an image at all".to_vec(),
            "capture.not_an_image",
        ),
        (
            "anim.gif",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
            "capture.unsupported_format",
        ),
        (
            "scan.pdf",
            b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".to_vec(),
            "capture.pdf_not_supported",
        ),
        (
            "cut.png",
            {
                let p = dir.path().join("whole.png");
                png(&p);
                let b = std::fs::read(&p).unwrap();
                b[..b.len() / 2].to_vec()
            },
            "capture.truncated",
        ),
    ];
    for (name, bytes, code) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let out = ehrctl(&[&input, &output]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(&format!("{code}: ")), "{name}: {stderr}");
        assert!(
            stderr.trim_end().len() > code.len() + 10,
            "a sentence follows the code: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}");
        assert!(!output.exists(), "{name}: nothing is written");
    }
    // A missing input is its own refusal.
    let out = ehrctl(&[&dir.path().join("missing.jpg"), &output]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("capture.unreadable: "));
}
