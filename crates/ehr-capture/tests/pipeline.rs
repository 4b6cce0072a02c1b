//! The pipeline on generated images, checked by pixel: orientation, crop,
//! turns, trim, grey, size, budget, thumbnail, preview, no metadata.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::*;
use ehr_capture::{normalise, preview, Crop, Format, Limits, Options, Rotation};

fn run(bytes: &[u8], opts: &Options) -> ehr_capture::Normalised {
    normalise(bytes, opts, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", e.code()))
}

#[test]
fn each_exif_orientation_comes_out_upright() {
    let upright = quadrants(400, 300);
    for o in 1..=8u8 {
        let file = oriented_jpeg(&upright, o);
        let n = run(&file, &Options::default());
        assert_eq!(n.orientation, o);
        assert_eq!(n.source, Format::Jpeg);
        assert_eq!((n.width, n.height), (400, 300), "orientation {o}");
        let out = decode_rgb(&n.jpeg);
        assert_eq!(out.dimensions(), (400, 300));
        assert_corners(
            &out,
            [RED, GREEN, BLUE, YELLOW],
            &format!("orientation {o}"),
        );
    }
}

#[test]
fn png_exif_and_tiff_orientation_are_applied() {
    let upright = quadrants(200, 120);
    // PNG with an eXIf chunk saying "turn clockwise to view".
    let file = png_with_exif(&png(&stored_for(&upright, 6)), 6);
    let n = run(&file, &Options::default());
    assert_eq!((n.source, n.orientation), (Format::Png, 6));
    assert_eq!((n.width, n.height), (200, 120));
    assert_corners(
        &decode_rgb(&n.jpeg),
        [RED, GREEN, BLUE, YELLOW],
        "png eXIf 6",
    );
    // TIFF with its own Orientation tag (274).
    for o in [3u16, 8] {
        let stored = stored_for(&upright, o as u8);
        let file = Tiff {
            img: &stored,
            claim: None,
            strip_len: None,
            orientation: Some(o),
        }
        .build();
        let n = run(&file, &Options::default());
        assert_eq!((n.source, n.orientation), (Format::Tiff, o as u8));
        assert_eq!((n.width, n.height), (200, 120));
        assert_corners(
            &decode_rgb(&n.jpeg),
            [RED, GREEN, BLUE, YELLOW],
            &format!("tiff {o}"),
        );
    }
}

#[test]
fn twelve_megapixel_photo_fits_the_budget_and_a4() {
    let img = photo(4000, 3000);
    let file = with_exif(&jpeg(&img, 92), &exif_block(1, Some("SECRET-SERIAL-1234")));
    assert!(
        file.len() > 1_000_000,
        "the input is a real photo-sized file: {}",
        file.len()
    );
    let t = Instant::now();
    let n = run(&file, &Options::default());
    eprintln!("12 MP normalise: {:?} -> {:?}", t.elapsed(), n);
    assert!(n.jpeg.len() <= 500_000, "{} bytes", n.jpeg.len());
    let (long, short) = (n.width.max(n.height), n.width.min(n.height));
    assert!(long <= 3508 && short <= 2480, "{}x{}", n.width, n.height);
    // Fitted to A4, not shrunk further than the budget needs.
    assert_eq!((n.width, n.height), (3307, 2480));
    let out = decode_rgb(&n.jpeg);
    assert_eq!(out.dimensions(), (n.width, n.height));
    // The picture survives: a sample of colours matches the input's.
    for (fx, fy) in [(0.2, 0.2), (0.6, 0.4), (0.8, 0.8)] {
        let a = at(&img, fx, fy);
        let b = at(&out, fx, fy);
        assert!(close(a, b, 40), "{a:?} vs {b:?} at {fx},{fy}");
    }
    // No metadata: the camera's EXIF (with its serial) is gone.
    assert_eq!(
        jpeg_markers(&n.jpeg)
            .iter()
            .filter(|m| (0xE1..=0xEF).contains(*m))
            .count(),
        0
    );
    assert!(!n.jpeg.windows(4).any(|w| w == b"Exif"));
    assert!(!n.jpeg.windows(13).any(|w| w == b"SECRET-SERIAL"));
    assert!(!n.thumbnail.windows(4).any(|w| w == b"Exif"));
}

#[test]
fn crop_is_taken_on_the_upright_turned_image() {
    let upright = quadrants(400, 300);
    // Stored turned (EXIF 6) so the crop must go through the orientation.
    let file = oriented_jpeg(&upright, 6);
    let top_left = Some(Crop {
        x: 0.0,
        y: 0.0,
        w: 0.5,
        h: 0.5,
    });
    let n = run(
        &file,
        &Options {
            crop: top_left,
            ..Options::default()
        },
    );
    assert_eq!((n.width, n.height), (200, 150));
    assert_corners(&decode_rgb(&n.jpeg), [RED; 4], "crop top-left");
    // Turned a quarter clockwise, the top-left quarter is what was bottom-left.
    let n = run(
        &file,
        &Options {
            crop: top_left,
            rotate: Rotation::Cw90,
            ..Options::default()
        },
    );
    assert_eq!((n.width, n.height), (150, 200));
    assert_corners(
        &decode_rgb(&n.jpeg),
        [BLUE; 4],
        "turn 90 then crop top-left",
    );
    // The bottom-right quarter, turned upside down, is what was top-left.
    let br = Some(Crop {
        x: 0.5,
        y: 0.5,
        w: 0.5,
        h: 0.5,
    });
    let n = run(
        &file,
        &Options {
            crop: br,
            rotate: Rotation::Cw180,
            ..Options::default()
        },
    );
    assert_corners(
        &decode_rgb(&n.jpeg),
        [RED; 4],
        "turn 180 then crop bottom-right",
    );
}

#[test]
fn clerk_turns_add_to_the_exif_orientation() {
    let upright = quadrants(400, 300);
    let file = oriented_jpeg(&upright, 8);
    let cases = [
        (Rotation::None, (400, 300), [RED, GREEN, BLUE, YELLOW]),
        (Rotation::Cw90, (300, 400), [BLUE, RED, YELLOW, GREEN]),
        (Rotation::Cw180, (400, 300), [YELLOW, BLUE, GREEN, RED]),
        (Rotation::Cw270, (300, 400), [GREEN, YELLOW, RED, BLUE]),
    ];
    for (rotate, dims, want) in cases {
        let n = run(
            &file,
            &Options {
                rotate,
                ..Options::default()
            },
        );
        assert_eq!((n.width, n.height), dims, "{rotate:?}");
        assert_corners(&decode_rgb(&n.jpeg), want, &format!("{rotate:?}"));
    }
}

/// A white scanner page (1200 x 1600) with a document at (300..900,
/// 400..1000), some specks of dust, as a PNG.
fn scanned_page() -> Vec<u8> {
    let mut page = image::RgbImage::from_pixel(1200, 1600, image::Rgb([250, 250, 248]));
    let doc = quadrants(600, 600);
    image::imageops::overlay(&mut page, &doc, 300, 400);
    for (x, y) in [(50, 50), (1100, 120), (600, 1500)] {
        page.put_pixel(x, y, image::Rgb([0, 0, 0]));
    }
    png(&page)
}

#[test]
fn auto_trim_removes_the_white_border() {
    let file = scanned_page();
    let n = run(
        &file,
        &Options {
            auto_trim: true,
            ..Options::default()
        },
    );
    // The document (600 x 600) with a margin of about 1 % of the page.
    assert!(
        (600..=640).contains(&n.width) && (600..=640).contains(&n.height),
        "{n:?}"
    );
    assert_corners(&decode_rgb(&n.jpeg), [RED, GREEN, BLUE, YELLOW], "trimmed");
    // Without the trim the page stays whole.
    let n = run(&file, &Options::default());
    assert_eq!((n.width, n.height), (1200, 1600));
    // A blank page is left as it is, not trimmed to nothing.
    let blank = png(&image::RgbImage::from_pixel(
        300,
        200,
        image::Rgb([255, 255, 255]),
    ));
    let n = run(
        &blank,
        &Options {
            auto_trim: true,
            ..Options::default()
        },
    );
    assert_eq!((n.width, n.height), (300, 200));
}

#[test]
fn grayscale_gives_one_channel() {
    let file = oriented_jpeg(&quadrants(400, 300), 1);
    let n = run(
        &file,
        &Options {
            grayscale: true,
            ..Options::default()
        },
    );
    let out = image::load_from_memory(&n.jpeg).unwrap();
    assert_eq!(out.color(), image::ColorType::L8);
    // Each quadrant has its own grey: the luma of its colour (Rec. 601).
    let grey = out.to_luma8();
    for (fx, fy, c) in [
        (0.1, 0.1, RED),
        (0.9, 0.1, GREEN),
        (0.1, 0.9, BLUE),
        (0.9, 0.9, YELLOW),
    ] {
        let want = 0.299 * f64::from(c[0]) + 0.587 * f64::from(c[1]) + 0.114 * f64::from(c[2]);
        let got = f64::from(grey.get_pixel((400.0 * fx) as u32, (300.0 * fy) as u32).0[0]);
        assert!(
            (got - want).abs() < 8.0,
            "{c:?}: grey {got}, want {want:.0}"
        );
    }
    // Colour is the default.
    let n = run(&file, &Options::default());
    assert_eq!(
        image::load_from_memory(&n.jpeg).unwrap().color(),
        image::ColorType::Rgb8
    );
}

#[test]
fn thumbnail_is_a_small_jpeg_of_the_same_picture() {
    let file = oriented_jpeg(&quadrants(1600, 1200), 6);
    let n = run(&file, &Options::default());
    let thumb = decode_rgb(&n.thumbnail);
    assert_eq!(thumb.dimensions(), (320, 240));
    assert_corners(&thumb, [RED, GREEN, BLUE, YELLOW], "thumbnail");
    // A picture smaller than a thumbnail is not enlarged.
    let n = run(&oriented_jpeg(&quadrants(100, 60), 1), &Options::default());
    assert_eq!(decode_rgb(&n.thumbnail).dimensions(), (100, 60));
}

#[test]
fn small_images_are_never_enlarged() {
    let n = run(&png(&quadrants(64, 48)), &Options::default());
    assert_eq!((n.width, n.height, n.quality), (64, 48, 85));
}

#[test]
fn quality_steps_down_to_meet_a_tight_budget() {
    let file = jpeg(&photo(1000, 800), 95);
    let generous = run(&file, &Options::default());
    assert_eq!(generous.quality, 85);
    let budget = generous.jpeg.len() / 2;
    let tight = run(
        &file,
        &Options {
            budget_bytes: budget,
            ..Options::default()
        },
    );
    assert!(tight.jpeg.len() <= budget);
    assert!(tight.quality < 85, "{tight:?}");
    // Tighter than the lowest quality allows: the image is shrunk too.
    let tiny = run(
        &file,
        &Options {
            budget_bytes: 20_000,
            ..Options::default()
        },
    );
    assert!(tiny.jpeg.len() <= 20_000, "{tiny:?}");
    assert_eq!(tiny.quality, 35);
    assert!(tiny.width < 1000, "{tiny:?}");
}

#[test]
fn preview_is_upright_and_at_most_1200() {
    let upright = quadrants(2400, 1800);
    let file = oriented_jpeg(&upright, 6);
    let p = preview(&file, &Limits::default()).unwrap();
    assert_eq!((p.width, p.height, p.orientation), (1200, 900, 6));
    assert_eq!((p.full_width, p.full_height), (2400, 1800));
    let img = decode_rgb(&p.jpeg);
    assert_eq!(img.dimensions(), (1200, 900));
    assert_corners(&img, [RED, GREEN, BLUE, YELLOW], "preview");
    // Debug shows sizes, never bytes.
    let dbg = format!("{p:?}");
    assert!(dbg.contains("jpeg_bytes") && dbg.len() < 200, "{dbg}");
}

#[test]
fn normalised_debug_prints_sizes_only() {
    let n = run(&oriented_jpeg(&quadrants(100, 60), 1), &Options::default());
    let dbg = format!("{n:?}");
    assert!(
        dbg.contains(&format!("jpeg_bytes: {}", n.jpeg.len())),
        "{dbg}"
    );
    assert!(dbg.len() < 250, "{dbg}");
}
