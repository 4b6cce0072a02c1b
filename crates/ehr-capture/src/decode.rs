//! Decoding under limits: the file size first, then the format by its
//! magic, then the structure (a cut-off JPEG or PNG), then the dimensions
//! the header claims, checked against the limits *before* any pixel is
//! decoded (the decoder's own `Limits`, and its `total_bytes()` against
//! `max_alloc`, which `into_decoder` does not check itself). The decoder runs
//! inside `catch_unwind`: the image crate warns that decoders may panic on
//! malicious input.

use std::io::{Cursor, ErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::error::ImageError;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::error::CaptureError;
use crate::sniff::{check_complete, sniff, Format};
use crate::Limits;

/// Decoded 8-bit pixels, interleaved, 1 (grey) or 3 (RGB) channels.
pub(crate) struct Pixels {
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub channels: u8,
}

/// A decoded image and what its file said about it.
pub(crate) struct Decoded {
    pub pixels: Pixels,
    /// EXIF orientation, 1..=8 (1 when the file has none).
    pub orientation: u8,
    pub format: Format,
}

fn image_format(f: Format) -> ImageFormat {
    match f {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Tiff => ImageFormat::Tiff,
    }
}

fn variant(f: Format) -> &'static str {
    match f {
        Format::Jpeg => "JPEG variant",
        Format::Png => "PNG variant",
        Format::Tiff => "TIFF variant",
    }
}

fn map_error(e: &ImageError, f: Format, dims: (u32, u32)) -> CaptureError {
    let eof = |e: &(dyn std::error::Error + 'static)| {
        let mut cur = Some(e);
        while let Some(err) = cur {
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                if io.kind() == ErrorKind::UnexpectedEof {
                    return true;
                }
            }
            cur = err.source();
        }
        false
    };
    match e {
        ImageError::Limits(_) => CaptureError::TooManyPixels {
            width: dims.0,
            height: dims.1,
        },
        ImageError::Unsupported(_) => CaptureError::UnsupportedFormat { format: variant(f) },
        ImageError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => CaptureError::Truncated,
        other if eof(other) => CaptureError::Truncated,
        _ => CaptureError::Corrupt,
    }
}

fn reader(bytes: &[u8], f: Format, limits: image::Limits) -> ImageReader<Cursor<&[u8]>> {
    let mut r = ImageReader::with_format(Cursor::new(bytes), image_format(f));
    r.limits(limits);
    r
}

/// Checks size, format and structure: everything before the decoder runs.
pub(crate) fn precheck(bytes: &[u8], limits: &Limits) -> Result<Format, CaptureError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(CaptureError::FileTooLarge {
            max_bytes: limits.max_file_bytes,
        });
    }
    let format = sniff(bytes)?;
    check_complete(format, bytes)?;
    Ok(format)
}

/// Decodes `bytes` to 8-bit grey (when `grey` or when the image is grey)
/// or RGB, with transparency laid on white.
pub(crate) fn decode(bytes: &[u8], limits: &Limits, grey: bool) -> Result<Decoded, CaptureError> {
    let format = precheck(bytes, limits)?;
    let run = || -> Result<Decoded, CaptureError> {
        // Headers only, without the dimension limits, to learn what the
        // file claims (the decoders read no pixels to answer this).
        let mut header_limits = image::Limits::default();
        header_limits.max_alloc = Some(limits.max_alloc);
        let dims = reader(bytes, format, header_limits)
            .into_dimensions()
            .map_err(|e| map_error(&e, format, (0, 0)))?;
        let (w, h) = dims;
        if w == 0 || h == 0 {
            return Err(CaptureError::Corrupt);
        }
        if w > limits.max_width
            || h > limits.max_height
            || u64::from(w) * u64::from(h) > limits.max_pixels
        {
            return Err(CaptureError::TooManyPixels {
                width: w,
                height: h,
            });
        }
        // The decoder itself, with the limits in force.
        let mut decoder_limits = image::Limits::default();
        decoder_limits.max_image_width = Some(limits.max_width);
        decoder_limits.max_image_height = Some(limits.max_height);
        decoder_limits.max_alloc = Some(limits.max_alloc);
        let mut decoder = reader(bytes, format, decoder_limits)
            .into_decoder()
            .map_err(|e| map_error(&e, format, dims))?;
        if decoder.dimensions() != dims {
            return Err(CaptureError::Corrupt);
        }
        if decoder.total_bytes() > limits.max_alloc {
            return Err(CaptureError::TooManyPixels {
                width: w,
                height: h,
            });
        }
        // An unreadable orientation tag is no reason to refuse the image.
        let orientation = decoder.orientation().map_or(1, |o| o.to_exif());
        let image = DynamicImage::from_decoder(decoder).map_err(|e| map_error(&e, format, dims))?;
        Ok(Decoded {
            pixels: to_pixels(image, grey),
            orientation: orientation.clamp(1, 8),
            format,
        })
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or(Err(CaptureError::Corrupt))
}

/// 8-bit grey or RGB; an alpha channel is laid over white (a transparent
/// PNG must not come out black).
fn to_pixels(image: DynamicImage, grey: bool) -> Pixels {
    let (width, height) = (image.width(), image.height());
    let has_alpha = image.color().has_alpha();
    let is_grey = !image.color().has_color();
    if grey || is_grey {
        let data = if has_alpha {
            image
                .into_luma_alpha8()
                .pixels()
                .map(|p| over_white(p.0[0], p.0[1]))
                .collect()
        } else if let DynamicImage::ImageRgb8(rgb) = image {
            // The usual case (a colour JPEG made grey): integer Rec. 601
            // luma, several times faster than image's float conversion.
            rgb.as_raw().chunks_exact(3).map(luma).collect()
        } else {
            image.into_luma8().into_raw()
        };
        return Pixels {
            data,
            width,
            height,
            channels: 1,
        };
    }
    let data = if has_alpha {
        let rgba = image.into_rgba8();
        let mut out = Vec::with_capacity(rgba.len() / 4 * 3);
        for p in rgba.pixels() {
            let [r, g, b, a] = p.0;
            out.extend_from_slice(&[over_white(r, a), over_white(g, a), over_white(b, a)]);
        }
        out
    } else {
        image.into_rgb8().into_raw()
    };
    Pixels {
        data,
        width,
        height,
        channels: 3,
    }
}

/// Rec. 601 luma of an RGB pixel, in integers.
fn luma(px: &[u8]) -> u8 {
    let (r, g, b) = (u32::from(px[0]), u32::from(px[1]), u32::from(px[2]));
    ((77 * r + 150 * g + 29 * b + 128) >> 8) as u8
}

fn over_white(c: u8, a: u8) -> u8 {
    let (c, a) = (u32::from(c), u32::from(a));
    ((c * a + 255 * (255 - a) + 127) / 255) as u8
}
