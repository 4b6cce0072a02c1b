//! JPEG out: baseline, 4:2:0 for colour, one component for grey, no
//! metadata of any kind (the encoder writes only its JFIF header), and the
//! size budget met by stepping the quality down, then by shrinking.
//!
//! Encoding a full A4 page at every step would take most of a second, so
//! the quality is chosen on a sample (evenly spaced bands of rows, about a
//! tenth of the image: JPEG's cost is local to 8 x 8 blocks, so the
//! sample's size scales with its area) and only the chosen quality is
//! encoded in full; if the full image still misses the budget the next
//! quality down is tried in full.

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::decode::Pixels;
use crate::error::CaptureError;
use crate::resize::resize_whole;

/// The qualities tried, best first.
pub const QUALITIES: [u8; 6] = [85, 75, 65, 55, 45, 35];

/// The long side the image may shrink to, at the lowest quality, to meet the
/// budget before giving up.
const MIN_LONG_SIDE: u32 = 600;

/// Encodes `p` as a JPEG at `quality`.
pub(crate) fn encode(p: &Pixels, quality: u8) -> Result<Vec<u8>, CaptureError> {
    let (w, h) = match (u16::try_from(p.width), u16::try_from(p.height)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => return Err(CaptureError::Corrupt),
    };
    let mut out = Vec::with_capacity(p.data.len() / 8);
    let mut enc = Encoder::new(&mut out, quality);
    let color = if p.channels == 1 {
        ColorType::Luma
    } else {
        enc.set_sampling_factor(SamplingFactor::F_2_2);
        ColorType::Rgb
    };
    // Standard Huffman tables: with optimised tables jpeg-encoder 0.7.1
    // writes 4:2:0 files that zune-jpeg 0.5 (the image crate's decoder)
    // decodes without colour, though libjpeg reads them (ADR 0004). One
    // interleaved baseline scan is what every decoder reads.
    enc.set_optimized_huffman_tables(false);
    enc.encode(&p.data, w, h, color)
        .map_err(|_| CaptureError::Corrupt)?;
    Ok(out)
}

/// Rows per band of the sample (a multiple of 16, the 4:2:0 block height).
const BAND: u32 = 32;
/// Bands in the sample.
const BANDS: u32 = 8;

/// Evenly spaced bands of rows, stacked into one image.
fn sample(p: &Pixels) -> Option<Pixels> {
    if p.height < BAND * BANDS * 4 {
        return None;
    }
    let row = p.width as usize * usize::from(p.channels);
    let mut data = Vec::with_capacity(row * (BAND * BANDS) as usize);
    for b in 0..BANDS {
        let top = (u64::from(p.height - BAND) * u64::from(b) / u64::from(BANDS - 1)) as usize;
        let from = top * row;
        data.extend_from_slice(p.data.get(from..from + row * BAND as usize)?);
    }
    Some(Pixels {
        data,
        width: p.width,
        height: BAND * BANDS,
        channels: p.channels,
    })
}

/// The best quality whose estimated full size is within `budget`, as the
/// index in [`QUALITIES`] to start full encodes at: the top quality first
/// (most documents fit), then a bisection of the rest (sizes fall with
/// quality), so at most four sample encodes.
fn estimate_start(p: &Pixels, budget: usize) -> Result<usize, CaptureError> {
    let Some(s) = sample(p) else { return Ok(0) };
    let scale = f64::from(p.height) / f64::from(s.height);
    let fits = |i: usize| -> Result<bool, CaptureError> {
        let size = encode(&s, QUALITIES[i])?.len() as f64;
        // About 600 bytes of the sample are headers and tables, paid once.
        let estimate = 600.0 + (size - 600.0).max(0.0) * scale;
        Ok(estimate <= budget as f64 * 0.95)
    };
    if fits(0)? {
        return Ok(0);
    }
    let (mut lo, mut hi) = (1, QUALITIES.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fits(mid)? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

/// The encoded image, its quality, and the pixels it was made from (smaller
/// than `p` when shrinking was needed).
pub(crate) struct Fitted {
    pub jpeg: Vec<u8>,
    pub quality: u8,
    pub pixels: Pixels,
}

/// Encodes `p` within `budget` bytes: quality stepped down from the
/// estimate, then the image shrunk at the lowest quality.
pub(crate) fn fit_budget(mut p: Pixels, budget: usize) -> Result<Fitted, CaptureError> {
    let start = estimate_start(&p, budget)?;
    let mut last = Vec::new();
    for &q in &QUALITIES[start..] {
        last = encode(&p, q)?;
        if last.len() <= budget {
            return Ok(Fitted {
                jpeg: last,
                quality: q,
                pixels: p,
            });
        }
    }
    let lowest = QUALITIES[QUALITIES.len() - 1];
    // Shrink by the square root of the overshoot (size goes with area),
    // a little more to land under it, until it fits or is too small.
    loop {
        let long = p.width.max(p.height);
        let ratio = (budget as f64 / last.len().max(1) as f64).sqrt() * 0.95;
        let ratio = ratio.min(0.9);
        let next_long = (f64::from(long) * ratio) as u32;
        if next_long < MIN_LONG_SIDE {
            return Err(CaptureError::Budget {
                budget_bytes: budget,
            });
        }
        let w = ((f64::from(p.width) * ratio).round() as u32).max(1);
        let h = ((f64::from(p.height) * ratio).round() as u32).max(1);
        p = resize_whole(&p, w, h)?;
        last = encode(&p, lowest)?;
        if last.len() <= budget {
            return Ok(Fitted {
                jpeg: last,
                quality: lowest,
                pixels: p,
            });
        }
    }
}
