//! The automatic trim of a scanner's white border: on a small grey proxy of
//! the (cropped) image, the bounding box of the rows and columns that hold
//! enough dark pixels, with a small margin, mapped back to the source. A
//! speck of dust (a few dark pixels) does not stop the trim; a blank page
//! is left as it is.

use crate::decode::Pixels;
use crate::error::CaptureError;
use crate::geometry::SrcBox;
use crate::resize::resize_box;

/// The long side of the proxy the trim looks at.
const PROXY: u32 = 600;
/// A pixel is ink below this grey level (scanner white is about 235-255).
const INK: u8 = 200;
/// The margin kept around the ink, as a fraction of the proxy's size.
const MARGIN: f64 = 0.01;

/// The part of `b` (a box of `p`) left after trimming its white border.
pub(crate) fn trim(p: &Pixels, b: SrcBox) -> Result<SrcBox, CaptureError> {
    let long = b.width.max(b.height);
    let scale = (f64::from(PROXY) / long).min(1.0);
    let pw = ((b.width * scale).round() as u32).max(1);
    let ph = ((b.height * scale).round() as u32).max(1);
    let proxy = resize_box(p, b, pw, ph)?;
    let (w, h, c) = (pw as usize, ph as usize, usize::from(p.channels));
    let grey: Vec<u8> = if c == 1 {
        proxy.data
    } else {
        proxy
            .data
            .chunks_exact(3)
            .map(|px| {
                ((u32::from(px[0]) * 299 + u32::from(px[1]) * 587 + u32::from(px[2]) * 114) / 1000)
                    as u8
            })
            .collect()
    };
    let mut rows = vec![0usize; h];
    let mut cols = vec![0usize; w];
    for (y, line) in grey.chunks_exact(w).enumerate() {
        for (x, &g) in line.iter().enumerate() {
            if g < INK {
                rows[y] += 1;
                cols[x] += 1;
            }
        }
    }
    // A row (column) holds ink when at least 0.5 % of it, and 2 pixels, is dark.
    let first_last = |counts: &[usize], len: usize| {
        let need = (len / 200).max(2);
        let first = counts.iter().position(|&n| n >= need)?;
        let last = counts.iter().rposition(|&n| n >= need)?;
        Some((first, last))
    };
    let (Some((y0, y1)), Some((x0, x1))) = (first_last(&rows, w), first_last(&cols, h)) else {
        return Ok(b); // blank: nothing to trim to
    };
    let mx = (w as f64 * MARGIN).ceil();
    let my = (h as f64 * MARGIN).ceil();
    let left = (x0 as f64 - mx).max(0.0);
    let top = (y0 as f64 - my).max(0.0);
    let right = (x1 as f64 + 1.0 + mx).min(w as f64);
    let bottom = (y1 as f64 + 1.0 + my).min(h as f64);
    let (sx, sy) = (b.width / w as f64, b.height / h as f64);
    Ok(SrcBox {
        left: b.left + left * sx,
        top: b.top + top * sy,
        width: (right - left) * sx,
        height: (bottom - top) * sy,
    })
}
