//! The eight ways an image can lie (EXIF orientation, then the clerk's extra
//! turns), as one transform: an optional mirror, then clockwise quarter
//! turns. Crops chosen on the upright image are mapped back to the stored
//! image, so the big image is only cropped and shrunk, and only the small
//! result is turned.

/// Extra clockwise turns the clerk asks for, on top of the EXIF orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rotation {
    /// As the preview shows it.
    #[default]
    None,
    /// A quarter turn clockwise.
    Cw90,
    /// Upside down.
    Cw180,
    /// A quarter turn anticlockwise.
    Cw270,
}

impl Rotation {
    /// The rotation for a number of degrees (0, 90, 180, 270, or any
    /// multiple of 90, negative meaning anticlockwise); `None` otherwise.
    pub fn from_degrees(degrees: i32) -> Option<Rotation> {
        if degrees % 90 != 0 {
            return None;
        }
        Some(match (degrees / 90).rem_euclid(4) {
            0 => Rotation::None,
            1 => Rotation::Cw90,
            2 => Rotation::Cw180,
            _ => Rotation::Cw270,
        })
    }

    /// Clockwise quarter turns, 0 to 3.
    pub fn quarter_turns(self) -> u8 {
        match self {
            Rotation::None => 0,
            Rotation::Cw90 => 1,
            Rotation::Cw180 => 2,
            Rotation::Cw270 => 3,
        }
    }
}

/// A mirror (left-right) followed by clockwise quarter turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transform {
    pub mirror: bool,
    pub turns: u8,
}

impl Transform {
    /// The transform that shows a stored image with EXIF orientation
    /// `exif` (1..=8) upright.
    pub fn from_exif(exif: u8) -> Transform {
        let (mirror, turns) = match exif {
            2 => (true, 0),  // mirrored left-right
            3 => (false, 2), // upside down
            4 => (true, 2),  // mirrored top-bottom
            5 => (true, 3),  // transposed
            6 => (false, 1), // turn clockwise to view
            7 => (true, 1),  // transversed
            8 => (false, 3), // turn anticlockwise to view
            _ => (false, 0),
        };
        Transform { mirror, turns }
    }

    /// This transform, then `r`.
    pub fn then(self, r: Rotation) -> Transform {
        Transform {
            mirror: self.mirror,
            turns: (self.turns + r.quarter_turns()) % 4,
        }
    }

    /// Whether width and height swap.
    pub fn swaps(self) -> bool {
        self.turns % 2 == 1
    }

    /// Maps a point of the output (upright) image, in fractions of its
    /// width and height, to the stored image.
    pub fn to_source(self, (mut u, mut v): (f64, f64)) -> (f64, f64) {
        // Undo the turns (each clockwise turn maps (u, v) to (1 - v, u)),
        // then the mirror.
        for _ in 0..self.turns {
            (u, v) = (v, 1.0 - u);
        }
        if self.mirror {
            u = 1.0 - u;
        }
        (u, v)
    }

    /// Where the stored pixel (x, y) of a `w` x `h` image lands.
    fn map(self, x: isize, y: isize, w: isize, h: isize) -> (isize, isize) {
        let (mut px, mut py) = if self.mirror { (w - 1 - x, y) } else { (x, y) };
        let mut ch = h;
        let mut cw = w;
        for _ in 0..self.turns {
            // Clockwise: (x, y) -> (ch - 1 - y, x) in a cw x ch image.
            (px, py) = (ch - 1 - py, px);
            (cw, ch) = (ch, cw);
        }
        let _ = cw;
        (px, py)
    }

    /// Applies the transform to an interleaved 8-bit image with `channels`
    /// (1 or 3) bytes per pixel. Returns the new pixels, width and height.
    pub fn apply(
        self,
        pixels: Vec<u8>,
        w: usize,
        h: usize,
        channels: usize,
    ) -> (Vec<u8>, usize, usize) {
        if !self.mirror && self.turns == 0 {
            return (pixels, w, h);
        }
        let (ow, oh) = if self.swaps() { (h, w) } else { (w, h) };
        // The map is affine: the output offset of (x, y) is
        // base + x * step_x + y * step_y.
        let off = |x: isize, y: isize| {
            let (ox, oy) = self.map(x, y, w as isize, h as isize);
            (oy * ow as isize + ox) * channels as isize
        };
        let base = off(0, 0);
        let steps = (base, off(1, 0) - base, off(0, 1) - base);
        let mut out = vec![0u8; pixels.len()];
        if channels == 1 {
            turn_tiles::<1>(&pixels, &mut out, w, h, steps);
        } else {
            turn_tiles::<3>(&pixels, &mut out, w, h, steps);
        }
        (out, ow, oh)
    }
}

/// Copies each pixel of `src` (`w` x `h`, `N` bytes a pixel) to its place in
/// `out`, in 64 x 64 tiles so a quarter turn's scattered writes stay in the
/// cache.
fn turn_tiles<const N: usize>(
    src: &[u8],
    out: &mut [u8],
    w: usize,
    h: usize,
    (base, step_x, step_y): (isize, isize, isize),
) {
    const TILE: usize = 64;
    for ty in (0..h).step_by(TILE) {
        for tx in (0..w).step_by(TILE) {
            let xe = (tx + TILE).min(w);
            for y in ty..(ty + TILE).min(h) {
                let row = &src[(y * w + tx) * N..(y * w + xe) * N];
                let mut at = base + step_y * y as isize + step_x * tx as isize;
                for px in row.chunks_exact(N) {
                    let a = at as usize;
                    out[a..a + N].copy_from_slice(px);
                    at += step_x;
                }
            }
        }
    }
}

/// A crop, in fractions (0 to 1) of the upright, turned image as the
/// preview shows it: left, top, width, height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    /// Left edge, from 0 (left) to 1.
    pub x: f64,
    /// Top edge, from 0 (top) to 1.
    pub y: f64,
    /// Width, as a fraction of the image's width.
    pub w: f64,
    /// Height, as a fraction of the image's height.
    pub h: f64,
}

/// A box in the stored image's pixels (may be fractional).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SrcBox {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl SrcBox {
    pub fn whole(w: u32, h: u32) -> SrcBox {
        SrcBox {
            left: 0.0,
            top: 0.0,
            width: f64::from(w),
            height: f64::from(h),
        }
    }
}

/// The crop on the upright image as a box of the stored `w` x `h` image;
/// `None` when a value is not a number.
pub(crate) fn crop_to_source(crop: &Crop, t: Transform, w: u32, h: u32) -> Option<SrcBox> {
    let vals = [crop.x, crop.y, crop.w, crop.h];
    if vals.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let x0 = crop.x.clamp(0.0, 1.0);
    let y0 = crop.y.clamp(0.0, 1.0);
    let x1 = (crop.x + crop.w).clamp(0.0, 1.0);
    let y1 = (crop.y + crop.h).clamp(0.0, 1.0);
    let (a, b) = (t.to_source((x0, y0)), t.to_source((x1, y1)));
    let (u0, u1) = (a.0.min(b.0), a.0.max(b.0));
    let (v0, v1) = (a.1.min(b.1), a.1.max(b.1));
    let (wf, hf) = (f64::from(w), f64::from(h));
    Some(SrcBox {
        left: u0 * wf,
        top: v0 * hf,
        width: (u1 - u0) * wf,
        height: (v1 - v0) * hf,
    })
}

/// The size (upright) that fits `w` x `h` (upright) into a page of
/// `long` x `short` pixels either way round, never larger than it is.
pub(crate) fn fit(w: f64, h: f64, long: u32, short: u32) -> (u32, u32) {
    let (l, s) = (w.max(h), w.min(h));
    let scale = (f64::from(long) / l).min(f64::from(short) / s).min(1.0);
    let ow = (w * scale).round().max(1.0);
    let oh = (h * scale).round().max(1.0);
    (ow as u32, oh as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 x 2 image with pixel values 0..6, one channel.
    const SRC: [u8; 6] = [0, 1, 2, 3, 4, 5];

    fn apply(exif: u8) -> (Vec<u8>, usize, usize) {
        Transform::from_exif(exif).apply(SRC.to_vec(), 3, 2, 1)
    }

    #[test]
    fn each_exif_orientation_moves_pixels_as_the_standard_says() {
        // Stored:  0 1 2
        //          3 4 5
        assert_eq!(apply(1), (vec![0, 1, 2, 3, 4, 5], 3, 2));
        assert_eq!(apply(2), (vec![2, 1, 0, 5, 4, 3], 3, 2));
        assert_eq!(apply(3), (vec![5, 4, 3, 2, 1, 0], 3, 2));
        assert_eq!(apply(4), (vec![3, 4, 5, 0, 1, 2], 3, 2));
        assert_eq!(apply(5), (vec![0, 3, 1, 4, 2, 5], 2, 3)); // transpose
        assert_eq!(apply(6), (vec![3, 0, 4, 1, 5, 2], 2, 3)); // clockwise
        assert_eq!(apply(7), (vec![5, 2, 4, 1, 3, 0], 2, 3)); // transverse
        assert_eq!(apply(8), (vec![2, 5, 1, 4, 0, 3], 2, 3)); // anticlockwise
    }

    #[test]
    fn crop_maps_back_through_every_transform() {
        // The upright top-left quarter is, in the stored image, where the
        // transform's inverse puts it: check with pixel centres.
        for exif in 1..=8u8 {
            let t = Transform::from_exif(exif);
            let (out, ow, oh) = t.apply(SRC.to_vec(), 3, 2, 1);
            let b = crop_to_source(
                &Crop {
                    x: 0.0,
                    y: 0.0,
                    w: 1.0 / ow as f64,
                    h: 1.0 / oh as f64,
                },
                t,
                3,
                2,
            )
            .unwrap_or(SrcBox::whole(0, 0));
            // The box covers exactly one stored pixel: the upright top-left one.
            let (sx, sy) = (
                (b.left + b.width / 2.0) as usize,
                (b.top + b.height / 2.0) as usize,
            );
            assert!((b.width * b.height - 1.0).abs() < 1e-9, "{exif}: {b:?}");
            assert_eq!(SRC[sy * 3 + sx], out[0], "exif {exif}");
        }
    }

    #[test]
    fn fit_never_enlarges_and_keeps_a4() {
        assert_eq!(fit(4000.0, 3000.0, 3508, 2480), (3307, 2480));
        assert_eq!(fit(3000.0, 4000.0, 3508, 2480), (2480, 3307));
        assert_eq!(fit(800.0, 600.0, 3508, 2480), (800, 600));
        assert_eq!(fit(10000.0, 100.0, 3508, 2480), (3508, 35));
        assert_eq!(Rotation::from_degrees(-90), Some(Rotation::Cw270));
        assert_eq!(Rotation::from_degrees(45), None);
    }
}
