//! The font of slips: Debian's Noto Sans CJK HK (package `fonts-noto-cjk`),
//! for Latin and Chinese text alike, chosen from its collection by name.
//!
//! Parse it once (a few tens of milliseconds, about 20 MB kept in memory) and
//! keep the [`Fonts`] for every slip; the PDF embeds only the glyphs a slip
//! uses.

use printpdf::ParsedFont;

use crate::SlipError;

/// The family the slips use: Hong Kong glyph forms, HKSCS, and Latin.
pub const FAMILY: &str = "Noto Sans CJK HK";
/// Debian's regular weight (`fonts-noto-cjk`).
pub const SYSTEM_REGULAR: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// Debian's bold weight (`fonts-noto-cjk`), for headings.
pub const SYSTEM_BOLD: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";

/// The weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

pub(crate) struct Face {
    pub(crate) parsed: ParsedFont,
    units_per_em: f32,
}

impl Face {
    fn parse(bytes: &[u8]) -> Result<Face, SlipError> {
        let index = find_face(bytes, FAMILY)?;
        let mut warnings = Vec::new();
        let parsed =
            ParsedFont::from_bytes(bytes, index, &mut warnings).ok_or(SlipError::FontParse)?;
        let upem = parsed.pdf_font_metrics.units_per_em;
        let units_per_em = if upem == 0 { 1000.0 } else { f32::from(upem) };
        Ok(Face {
            parsed,
            units_per_em,
        })
    }

    /// The advance of `c` at `size` points (the missing-glyph box's for a
    /// character the font lacks).
    pub(crate) fn advance(&self, c: char, size: f32) -> f32 {
        let gid = self.parsed.lookup_glyph_index(u32::from(c)).unwrap_or(0);
        f32::from(self.parsed.get_horizontal_advance(gid)) * size / self.units_per_em
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c, size)).sum()
    }

    fn covers(&self, c: char) -> bool {
        c.is_control()
            || self
                .parsed
                .lookup_glyph_index(u32::from(c))
                .is_some_and(|g| g != 0)
    }
}

/// The parsed fonts of slips: Noto Sans CJK HK, regular and bold.
pub struct Fonts {
    regular: Face,
    bold: Option<Face>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("family", &FAMILY)
            .field("bold", &self.bold.is_some())
            .finish()
    }
}

impl Fonts {
    /// Debian's `fonts-noto-cjk`: [`SYSTEM_REGULAR`] and [`SYSTEM_BOLD`].
    /// Slow-ish (reads and parses about 40 MB): call it once, off the UI
    /// thread, and keep the result.
    pub fn load_system() -> Result<Fonts, SlipError> {
        let regular = std::fs::read(SYSTEM_REGULAR).map_err(|_| SlipError::FontMissing)?;
        let bold = std::fs::read(SYSTEM_BOLD).map_err(|_| SlipError::FontMissing)?;
        Fonts::from_collection(&regular)?.with_bold(&bold)
    }

    /// The face named [`FAMILY`] from a font collection (`.ttc`/`.otc`) or a
    /// single font file, for all text; headings then use it too unless
    /// [`Fonts::with_bold`] adds a bold face.
    pub fn from_collection(bytes: &[u8]) -> Result<Fonts, SlipError> {
        Ok(Fonts {
            regular: Face::parse(bytes)?,
            bold: None,
        })
    }

    /// Adds the bold face named [`FAMILY`] from `bytes`, for headings.
    pub fn with_bold(self, bytes: &[u8]) -> Result<Fonts, SlipError> {
        Ok(Fonts {
            bold: Some(Face::parse(bytes)?),
            ..self
        })
    }

    /// Whether the font has a glyph for every character of `text` (a name
    /// with a character it lacks would print as an empty box).
    pub fn covers(&self, text: &str) -> bool {
        text.chars().all(|c| self.regular.covers(c))
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match (weight, &self.bold) {
            (Weight::Bold, Some(b)) => b,
            _ => &self.regular,
        }
    }

    /// The width of `text` in `style`, in points.
    pub(crate) fn width(&self, text: &str, style: crate::layout::Style) -> f32 {
        self.face(style.weight).width(text, style.size)
    }

    pub(crate) fn has_bold(&self) -> bool {
        self.bold.is_some()
    }
}

/// The index of the first face in `bytes` (a collection or a single font)
/// whose family (name ID 16, else 1) is `family`.
pub fn find_face(bytes: &[u8], family: &str) -> Result<usize, SlipError> {
    let faces = face_offsets(bytes).ok_or(SlipError::FontParse)?;
    for (index, offset) in faces.into_iter().enumerate() {
        let Some(name) = table(bytes, offset, *b"name") else {
            continue;
        };
        if family_names(name).iter().any(|n| n == family) {
            return Ok(index);
        }
    }
    Err(SlipError::FontFaceMissing)
}

/// The family names of every face in `bytes`, in order (empty strings for
/// faces without one).
pub fn face_families(bytes: &[u8]) -> Result<Vec<String>, SlipError> {
    let faces = face_offsets(bytes).ok_or(SlipError::FontParse)?;
    Ok(faces
        .into_iter()
        .map(|o| {
            table(bytes, o, *b"name")
                .and_then(|n| family_names(n).into_iter().next())
                .unwrap_or_default()
        })
        .collect())
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn usize32(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(be32(b, at)?).ok()
}

/// The offset of each face's table directory.
fn face_offsets(bytes: &[u8]) -> Option<Vec<usize>> {
    let tag = bytes.get(0..4)?;
    if tag == b"ttcf" {
        let n = usize32(bytes, 8)?;
        // A collection's header lists at most what the file can hold.
        if n == 0 || n > bytes.len() / 4 {
            return None;
        }
        (0..n).map(|i| usize32(bytes, 12 + 4 * i)).collect()
    } else if tag == [0, 1, 0, 0] || tag == b"OTTO" || tag == b"true" {
        Some(vec![0])
    } else {
        None
    }
}

/// The bytes of table `tag` of the face whose directory is at `face`.
fn table(bytes: &[u8], face: usize, tag: [u8; 4]) -> Option<&[u8]> {
    let count = usize::from(be16(bytes, face.checked_add(4)?)?);
    for i in 0..count {
        let rec = face.checked_add(12 + 16 * i)?;
        if bytes.get(rec..rec + 4)? == tag {
            let offset = usize32(bytes, rec + 8)?;
            let length = usize32(bytes, rec + 12)?;
            return bytes.get(offset..offset.checked_add(length)?);
        }
    }
    None
}

/// The typographic family names (ID 16) of a `name` table, else the family
/// names (ID 1), from Windows Unicode and Mac Roman (ASCII) records.
fn family_names(name: &[u8]) -> Vec<String> {
    let (Some(count), Some(storage)) = (be16(name, 2), be16(name, 4)) else {
        return Vec::new();
    };
    let mut typographic = Vec::new();
    let mut family = Vec::new();
    for i in 0..usize::from(count) {
        let rec = 6 + 12 * i;
        let (Some(platform), Some(id), Some(len), Some(off)) = (
            be16(name, rec),
            be16(name, rec + 6),
            be16(name, rec + 8),
            be16(name, rec + 10),
        ) else {
            break;
        };
        if id != 1 && id != 16 {
            continue;
        }
        let start = usize::from(storage) + usize::from(off);
        let Some(raw) = name.get(start..start + usize::from(len)) else {
            continue;
        };
        let text = match platform {
            0 | 3 => {
                let units: Vec<u16> = raw
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                String::from_utf16(&units).ok()
            }
            1 if raw.is_ascii() => Some(raw.iter().map(|&b| char::from(b)).collect()),
            _ => None,
        };
        if let Some(t) = text {
            if id == 16 {
                typographic.push(t);
            } else {
                family.push(t);
            }
        }
    }
    if typographic.is_empty() {
        family
    } else {
        typographic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_without_panic() {
        for bytes in [
            &b""[..],
            b"ttcf",
            b"ttcf\0\x01\0\0\xff\xff\xff\xff",
            b"OTTO\0\x05",
            b"not a font",
        ] {
            assert!(find_face(bytes, FAMILY).is_err());
            assert!(Fonts::from_collection(bytes).is_err());
        }
    }
}
