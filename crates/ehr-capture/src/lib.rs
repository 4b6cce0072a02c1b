//! Image capture of documents for eHR Counter (issue #12, ADR 0004).
//!
//! One pipeline for every source (a file, the scanner folder, a drop on the
//! dialog): [`normalise`] takes the bytes of a JPEG, PNG or TIFF and gives
//! one JPEG of the document, upright (EXIF orientation and the clerk's
//! turns), cropped, trimmed of the scanner's white border, no larger than A4
//! at 300 dpi, within a size budget, with no metadata, and a thumbnail.
//! [`preview`] gives the upright image for the dialog's crop handles.
//!
//! Every refusal is a [`CaptureError`] with its own code. The limits
//! ([`Limits`]) are checked before decoding: the file size, then the
//! dimensions the header claims, then the bytes the decoder would allocate;
//! a decoder that panics is caught. A PDF is refused (ADR 0004).
//!
//! No IO here but [`ScanFolder`] and [`read_file`]; no threads, no clock.
//! The pixels and bytes never appear in `Debug` output or errors.

use std::fmt;

mod decode;
mod encode;
mod error;
mod geometry;
mod resize;
mod scan;
mod sniff;
mod trim;

pub use encode::QUALITIES;
pub use error::CaptureError;
pub use geometry::{Crop, Rotation};
pub use scan::{ignored_name, read_file, ScanFile, ScanFolder};
pub use sniff::Format;

use decode::{decode, Pixels};
use geometry::{crop_to_source, fit, SrcBox, Transform};

/// A4 at 300 dpi: the long side, in pixels.
pub const A4_LONG: u32 = 3508;
/// A4 at 300 dpi: the short side, in pixels.
pub const A4_SHORT: u32 = 2480;
/// The thumbnail's long side, at most.
pub const THUMBNAIL_LONG: u32 = 320;
/// The preview's long side, at most.
pub const PREVIEW_LONG: u32 = 1200;
/// A crop (after the trim) must keep at least this many source pixels
/// each way.
pub const MIN_CROP_PIXELS: f64 = 16.0;

const THUMBNAIL_QUALITY: u8 = 75;
const PREVIEW_QUALITY: u8 = 80;

/// What an input may be, checked before decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest file, in bytes (default 40 MiB).
    pub max_file_bytes: u64,
    /// The widest image, in pixels (default 16,000).
    pub max_width: u32,
    /// The tallest image, in pixels (default 16,000).
    pub max_height: u32,
    /// The most pixels (default 120 million: A3 at 1200 dpi is 70 million).
    pub max_pixels: u64,
    /// The most bytes the decoder may allocate for the decoded image and
    /// its buffers (default 512 MiB).
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 40 * 1024 * 1024,
            max_width: 16_000,
            max_height: 16_000,
            max_pixels: 120_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

/// What the clerk chose in the capture dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Extra clockwise turns, after the EXIF orientation.
    pub rotate: Rotation,
    /// The crop, on the upright and turned image as the preview shows it.
    pub crop: Option<Crop>,
    /// Trim the scanner's near-white border (inside the crop).
    pub auto_trim: bool,
    /// Black and white documents: one grey channel (smaller).
    pub grayscale: bool,
    /// The most bytes the JPEG may have (default 500,000).
    pub budget_bytes: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rotate: Rotation::None,
            crop: None,
            auto_trim: false,
            grayscale: false,
            budget_bytes: 500_000,
        }
    }
}

/// The normalised document.
#[derive(Clone, PartialEq, Eq)]
pub struct Normalised {
    /// The JPEG (baseline, 4:2:0 or grey, no metadata).
    pub jpeg: Vec<u8>,
    /// Its width, in pixels.
    pub width: u32,
    /// Its height, in pixels.
    pub height: u32,
    /// The JPEG quality it was encoded at (one of [`QUALITIES`]).
    pub quality: u8,
    /// The EXIF orientation that was applied (1..=8; 1 when none).
    pub orientation: u8,
    /// The input's format.
    pub source: Format,
    /// A JPEG thumbnail, long side at most [`THUMBNAIL_LONG`].
    pub thumbnail: Vec<u8>,
}

impl fmt::Debug for Normalised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Normalised")
            .field("jpeg_bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("quality", &self.quality)
            .field("orientation", &self.orientation)
            .field("source", &self.source)
            .field("thumbnail_bytes", &self.thumbnail.len())
            .finish()
    }
}

/// The upright image for the capture dialog (no crop, no trim).
#[derive(Clone, PartialEq, Eq)]
pub struct Preview {
    /// A JPEG, long side at most [`PREVIEW_LONG`].
    pub jpeg: Vec<u8>,
    /// Its width, in pixels.
    pub width: u32,
    /// Its height, in pixels.
    pub height: u32,
    /// The EXIF orientation that was applied (1..=8).
    pub orientation: u8,
    /// The upright image's full size (before shrinking), width.
    pub full_width: u32,
    /// The upright image's full size (before shrinking), height.
    pub full_height: u32,
}

impl fmt::Debug for Preview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Preview")
            .field("jpeg_bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("orientation", &self.orientation)
            .finish_non_exhaustive()
    }
}

/// The box of the source, the transform and the upright output size for
/// a decoded image and the clerk's options.
fn plan(
    src: &Pixels,
    orientation: u8,
    opts: &Options,
) -> Result<(SrcBox, Transform), CaptureError> {
    let t = Transform::from_exif(orientation).then(opts.rotate);
    let mut b = match &opts.crop {
        Some(c) => crop_to_source(c, t, src.width, src.height).ok_or(CaptureError::EmptyCrop)?,
        None => SrcBox::whole(src.width, src.height),
    };
    if b.width < MIN_CROP_PIXELS || b.height < MIN_CROP_PIXELS {
        return Err(CaptureError::EmptyCrop);
    }
    if opts.auto_trim {
        b = trim::trim(src, b)?;
        if b.width < MIN_CROP_PIXELS || b.height < MIN_CROP_PIXELS {
            return Err(CaptureError::EmptyCrop);
        }
    }
    Ok((b, t))
}

/// `src`'s box `b`, shrunk to fit `long` x `short` either way round (never
/// enlarged), then turned upright by `t`.
fn upright(
    src: Pixels,
    b: SrcBox,
    t: Transform,
    long: u32,
    short: u32,
) -> Result<Pixels, CaptureError> {
    let (uw, uh) = if t.swaps() {
        (b.height, b.width)
    } else {
        (b.width, b.height)
    };
    let (ow, oh) = fit(uw, uh, long, short);
    let (rw, rh) = if t.swaps() { (oh, ow) } else { (ow, oh) };
    let whole = b == SrcBox::whole(src.width, src.height);
    let small = if whole && rw == src.width && rh == src.height {
        src
    } else {
        resize::resize_box(&src, b, rw, rh)?
    };
    let (data, w, h) = t.apply(
        small.data,
        small.width as usize,
        small.height as usize,
        usize::from(small.channels),
    );
    Ok(Pixels {
        data,
        width: w as u32,
        height: h as u32,
        channels: small.channels,
    })
}

/// Normalises a captured document: see the crate's documentation for the
/// steps. `bytes` is the whole file.
pub fn normalise(
    bytes: &[u8],
    opts: &Options,
    limits: &Limits,
) -> Result<Normalised, CaptureError> {
    let decoded = decode(bytes, limits, opts.grayscale)?;
    let orientation = decoded.orientation;
    let (b, t) = plan(&decoded.pixels, orientation, opts)?;
    let page = upright(decoded.pixels, b, t, A4_LONG, A4_SHORT)?;
    let fitted = encode::fit_budget(page, opts.budget_bytes)?;
    let thumb = resize::shrink_to(&fitted.pixels, THUMBNAIL_LONG)?;
    let thumbnail = encode::encode(&thumb, THUMBNAIL_QUALITY)?;
    Ok(Normalised {
        jpeg: fitted.jpeg,
        width: fitted.pixels.width,
        height: fitted.pixels.height,
        quality: fitted.quality,
        orientation,
        source: decoded.format,
        thumbnail,
    })
}

/// The upright image (EXIF orientation applied, nothing else) as a JPEG with
/// a long side of at most [`PREVIEW_LONG`], for the dialog to draw the crop
/// on. Crop fractions taken on it apply to [`normalise`] with
/// [`Rotation::None`] (turning the preview turns the fractions' frame).
pub fn preview(bytes: &[u8], limits: &Limits) -> Result<Preview, CaptureError> {
    let decoded = decode(bytes, limits, false)?;
    let orientation = decoded.orientation;
    let t = Transform::from_exif(orientation);
    let (fw, fh) = (decoded.pixels.width, decoded.pixels.height);
    let (full_width, full_height) = if t.swaps() { (fh, fw) } else { (fw, fh) };
    let b = SrcBox::whole(fw, fh);
    let small = upright(decoded.pixels, b, t, PREVIEW_LONG, PREVIEW_LONG)?;
    let jpeg = encode::encode(&small, PREVIEW_QUALITY)?;
    Ok(Preview {
        jpeg,
        width: small.width,
        height: small.height,
        orientation,
        full_width,
        full_height,
    })
}
