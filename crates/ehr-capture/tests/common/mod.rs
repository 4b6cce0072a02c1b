//! Generated inputs for the capture tests: no binary fixtures. Images are
//! drawn here, encoded with the image crate or jpeg-encoder, and the EXIF,
//! PNG chunks and TIFF files are written by hand, so a test says exactly
//! what the file claims.
#![allow(dead_code, clippy::unwrap_used)]

use image::{ImageEncoder, Rgb, RgbImage};

pub const RED: [u8; 3] = [230, 20, 20];
pub const GREEN: [u8; 3] = [20, 200, 20];
pub const BLUE: [u8; 3] = [20, 20, 230];
pub const YELLOW: [u8; 3] = [240, 220, 20];

/// An upright test picture: red top-left, green top-right, blue
/// bottom-left, yellow bottom-right quadrant.
pub fn quadrants(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let c = match (x < w / 2, y < h / 2) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => YELLOW,
        };
        Rgb(c)
    })
}

/// out(x, y) = in(y, x).
pub fn transpose(img: &RgbImage) -> RgbImage {
    RgbImage::from_fn(img.height(), img.width(), |x, y| *img.get_pixel(y, x))
}

/// Transpose across the other diagonal.
pub fn transverse(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    RgbImage::from_fn(h, w, |x, y| *img.get_pixel(w - 1 - y, h - 1 - x))
}

/// The stored image that a viewer honouring EXIF orientation `o` shows as
/// `upright` (the inverse of the orientation, written out per case).
pub fn stored_for(upright: &RgbImage, o: u8) -> RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    match o {
        1 => upright.clone(),
        2 => flip_horizontal(upright),
        3 => rotate180(upright),
        4 => flip_vertical(upright),
        5 => transpose(upright),
        6 => rotate270(upright), // shown turned clockwise
        7 => transverse(upright),
        8 => rotate90(upright), // shown turned anticlockwise
        _ => panic!("orientation {o}"),
    }
}

/// A JPEG (q 92, 4:4:4) of `img` by jpeg-encoder.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    enc.encode(
        img.as_raw(),
        img.width() as u16,
        img.height() as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .unwrap();
    out
}

/// A TIFF-structured EXIF block ("MM" big-endian) with one IFD entry:
/// Orientation (0x0112, SHORT) = `o`, and optionally an ASCII Make.
pub fn exif_block(o: u16, make: Option<&str>) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0*");
    t.extend_from_slice(&8u32.to_be_bytes());
    let entries: u16 = if make.is_some() { 2 } else { 1 };
    t.extend_from_slice(&entries.to_be_bytes());
    let data_at = 8 + 2 + 12 * u32::from(entries) + 4;
    if let Some(make) = make {
        let mut m = make.as_bytes().to_vec();
        m.push(0);
        t.extend_from_slice(&0x010Fu16.to_be_bytes()); // Make
        t.extend_from_slice(&2u16.to_be_bytes()); // ASCII
        t.extend_from_slice(&(m.len() as u32).to_be_bytes());
        t.extend_from_slice(&data_at.to_be_bytes());
    }
    t.extend_from_slice(&0x0112u16.to_be_bytes());
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&o.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    if let Some(make) = make {
        t.extend_from_slice(make.as_bytes());
        t.push(0);
    }
    t
}

/// `jpeg` with an APP1 "Exif" segment right after SOI.
pub fn with_exif(jpeg: &[u8], exif: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(exif);
    let len = (seg.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A JPEG of `upright` stored so that EXIF orientation `o` shows it upright.
pub fn oriented_jpeg(upright: &RgbImage, o: u8) -> Vec<u8> {
    with_exif(
        &jpeg(&stored_for(upright, o), 92),
        &exif_block(u16::from(o), None),
    )
}

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One PNG chunk with a correct CRC.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A PNG whose IHDR claims `w` x `h` RGB 8-bit, with a tiny IDAT (a valid
/// zlib stream of a few zero bytes) and IEND: a decompression bomb's header.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    // zlib: stored block of 4 zero bytes.
    let idat = [
        0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01,
    ];
    out.extend(png_chunk(b"IDAT", &idat));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// A PNG of `img` (by the image crate).
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// `png` with an eXIf chunk (orientation `o`) inserted after IHDR.
pub fn png_with_exif(png: &[u8], o: u8) -> Vec<u8> {
    let ihdr_end = 8 + 8 + 13 + 4;
    let mut out = png[..ihdr_end].to_vec();
    out.extend(png_chunk(b"eXIf", &exif_block(u16::from(o), None)));
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

/// A little-endian, uncompressed, single-strip RGB TIFF written by hand.
/// `claim` overrides the width and height the IFD states, `strip_len` the
/// strip's byte count (to build bombs); `orientation` adds tag 274.
pub struct Tiff<'a> {
    pub img: &'a RgbImage,
    pub claim: Option<(u32, u32)>,
    pub strip_len: Option<u32>,
    pub orientation: Option<u16>,
}

impl Tiff<'_> {
    pub fn build(&self) -> Vec<u8> {
        let (w, h) = self.claim.unwrap_or((self.img.width(), self.img.height()));
        let pixels = self.img.as_raw();
        let strip_len = self.strip_len.unwrap_or(pixels.len() as u32);
        let mut entries: Vec<(u16, u16, u32, u32)> = vec![
            (256, 4, 1, w),         // ImageWidth, LONG
            (257, 4, 1, h),         // ImageLength
            (258, 3, 3, 0),         // BitsPerSample 8,8,8 (offset filled below)
            (259, 3, 1, 1),         // Compression none
            (262, 3, 1, 2),         // RGB
            (273, 4, 1, 0),         // StripOffsets (filled below)
            (277, 3, 1, 3),         // SamplesPerPixel
            (278, 4, 1, h),         // RowsPerStrip
            (279, 4, 1, strip_len), // StripByteCounts
        ];
        if let Some(o) = self.orientation {
            entries.push((274, 3, 1, u32::from(o)));
        }
        entries.sort_by_key(|e| e.0);
        let ifd_len = 2 + 12 * entries.len() + 4;
        let bps_at = 8 + ifd_len as u32;
        let strip_at = bps_at + 6;
        let mut out = b"II*\0".to_vec();
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, ty, count, mut value) in entries {
            if tag == 258 {
                value = bps_at;
            }
            if tag == 273 {
                value = strip_at;
            }
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&ty.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            if ty == 3 && count == 1 {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
        for _ in 0..3 {
            out.extend_from_slice(&8u16.to_le_bytes());
        }
        out.extend_from_slice(pixels);
        out
    }
}

/// A photo-like picture: smooth gradients, a few shapes, and sensor noise
/// (a fixed xorshift, so every run is the same).
pub fn photo(w: u32, h: u32) -> RgbImage {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut img = RgbImage::new(w, h);
    for (x, y, p) in img.enumerate_pixels_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 25) as i32 - 12;
        let fx = x as f32 / w as f32;
        let fy = y as f32 / h as f32;
        let r = 60.0 + 150.0 * fx + 30.0 * (fy * 9.0).sin();
        let g = 80.0 + 120.0 * fy + 25.0 * (fx * 13.0).cos();
        let mut b = 150.0 - 90.0 * fx * fy;
        let dx = fx - 0.6;
        let dy = fy - 0.4;
        if dx * dx + dy * dy < 0.03 {
            b = 230.0;
        }
        let c = |v: f32| (v as i32 + n).clamp(0, 255) as u8;
        *p = Rgb([c(r), c(g), c(b)]);
    }
    img
}

/// The colour at fractions (fx, fy) of a decoded image.
pub fn at(img: &RgbImage, fx: f64, fy: f64) -> [u8; 3] {
    let x = ((img.width() as f64 * fx) as u32).min(img.width() - 1);
    let y = ((img.height() as f64 * fy) as u32).min(img.height() - 1);
    img.get_pixel(x, y).0
}

pub fn close(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(&x, y)| (i32::from(x) - i32::from(y)).abs() <= tol)
}

/// The four corners (10 % in from each edge): TL, TR, BL, BR.
pub fn corners(img: &RgbImage) -> [[u8; 3]; 4] {
    [
        at(img, 0.1, 0.1),
        at(img, 0.9, 0.1),
        at(img, 0.1, 0.9),
        at(img, 0.9, 0.9),
    ]
}

/// Asserts the corners are `want` (TL, TR, BL, BR) within JPEG tolerance.
pub fn assert_corners(img: &RgbImage, want: [[u8; 3]; 4], what: &str) {
    let got = corners(img);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            close(*g, w, 40),
            "{what}: corner {i} is {g:?}, want {w:?} (all: {got:?})"
        );
    }
}

pub fn decode_rgb(jpeg: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .unwrap()
        .to_rgb8()
}

/// The markers of a JPEG's header segments, up to SOS.
pub fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut at = 2;
    let mut out = Vec::new();
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let m = jpeg[at + 1];
        out.push(m);
        if m == 0xDA {
            break;
        }
        let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
        at += 2 + len;
    }
    out
}
