//! What the bytes are, by their first bytes (never by a file name), and
//! whether a JPEG or PNG is complete, by walking its structure: a lenient
//! decoder fills a cut-off scan with grey rather than failing, and a clerk
//! must be told the file is incomplete instead.

use crate::error::CaptureError;

/// An input format the pipeline decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JPEG (JFIF or EXIF), baseline or progressive.
    Jpeg,
    /// PNG.
    Png,
    /// TIFF (first page), including BigTIFF.
    Tiff,
}

impl Format {
    /// A short lowercase name: `jpeg`, `png`, `tiff`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Tiff => "tiff",
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The format of `bytes`, or the refusal for a format we do not take.
pub fn sniff(bytes: &[u8]) -> Result<Format, CaptureError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Ok(Format::Png);
    }
    if bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"II+\0")
        || bytes.starts_with(b"MM\0+")
    {
        return Ok(Format::Tiff);
    }
    // A PDF's header may follow a little junk (the format allows it within
    // the first 1024 bytes).
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or(bytes);
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Err(CaptureError::PdfNotSupported);
    }
    let unsupported = |format| Err(CaptureError::UnsupportedFormat { format });
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return unsupported("GIF");
    }
    if bytes.starts_with(b"BM") && bytes.len() >= 26 {
        return unsupported("BMP");
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return unsupported("WebP");
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        let brand = bytes.get(8..12).unwrap_or_default();
        return match brand {
            b"avif" | b"avis" => unsupported("AVIF"),
            b"heic" | b"heix" | b"hevc" | b"mif1" | b"msf1" => unsupported("HEIC"),
            _ => Err(CaptureError::NotAnImage),
        };
    }
    if bytes.starts_with(b"\0\0\0\x0CjP  ") || bytes.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
        return unsupported("JPEG 2000");
    }
    if bytes.starts_with(&[0xFF, 0x0A]) || bytes.starts_with(b"\0\0\0\x0CJXL ") {
        return unsupported("JPEG XL");
    }
    if bytes.starts_with(b"8BPS") {
        return unsupported("PSD");
    }
    if bytes.starts_with(b"qoif") {
        return unsupported("QOI");
    }
    Err(CaptureError::NotAnImage)
}

/// Refuses a JPEG or PNG whose structure ends before its image does.
/// TIFF is left to its decoder (offsets point anywhere in the file; a strip
/// past the end fails to read).
pub fn check_complete(format: Format, bytes: &[u8]) -> Result<(), CaptureError> {
    match format {
        Format::Jpeg => jpeg_complete(bytes),
        Format::Png => png_complete(bytes),
        Format::Tiff => Ok(()),
    }
}

fn be16(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_be_bytes([b[0], b[1]])))
}

/// Walks the JPEG's segments from SOI to EOI. Marker segments carry their
/// length; an entropy-coded scan runs to the next marker that is neither a
/// stuffed 0xFF00 nor a restart marker. Reaching the end of the bytes
/// before EOI means the file was cut off. Data after EOI (some cameras
/// append a trailer) is allowed.
fn jpeg_complete(bytes: &[u8]) -> Result<(), CaptureError> {
    let mut at = 2; // after SOI
    let mut seen_frame = false;
    loop {
        // Fill bytes (0xFF repeated) may precede a marker.
        let Some(&ff) = bytes.get(at) else {
            return Err(CaptureError::Truncated);
        };
        if ff != 0xFF {
            return Err(CaptureError::Corrupt);
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else {
            return Err(CaptureError::Truncated);
        };
        at += 1;
        match marker {
            0xD9 => {
                return if seen_frame {
                    Ok(())
                } else {
                    Err(CaptureError::Corrupt)
                };
            }
            // Standalone markers: TEM, RSTn (outside a scan, tolerated).
            0x01 | 0xD0..=0xD7 => {}
            0xD8 | 0x00 => return Err(CaptureError::Corrupt),
            _ => {
                let Some(len) = be16(bytes, at) else {
                    return Err(CaptureError::Truncated);
                };
                if len < 2 {
                    return Err(CaptureError::Corrupt);
                }
                if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                    seen_frame = true;
                }
                at = at.checked_add(len).ok_or(CaptureError::Corrupt)?;
                if at > bytes.len() {
                    return Err(CaptureError::Truncated);
                }
                if marker == 0xDA {
                    at = skip_scan(bytes, at)?;
                }
            }
        }
    }
}

/// From the first byte of entropy-coded data, the index of the 0xFF that
/// starts the next real marker.
fn skip_scan(bytes: &[u8], mut at: usize) -> Result<usize, CaptureError> {
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        let Some(i) = rest.iter().position(|&b| b == 0xFF) else {
            return Err(CaptureError::Truncated);
        };
        at += i;
        match bytes.get(at + 1) {
            None => return Err(CaptureError::Truncated),
            Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => at += 1,
            Some(_) => return Ok(at),
        }
    }
}

/// Walks the PNG's chunks (length, type, data, CRC) to IEND.
fn png_complete(bytes: &[u8]) -> Result<(), CaptureError> {
    let mut at = PNG_SIGNATURE.len();
    loop {
        let Some(head) = bytes.get(at..at + 8) else {
            return Err(CaptureError::Truncated);
        };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        if len > 0x7FFF_FFFF {
            return Err(CaptureError::Corrupt);
        }
        let kind = &head[4..8];
        let end = at
            .checked_add(12)
            .and_then(|n| n.checked_add(len as usize))
            .ok_or(CaptureError::Corrupt)?;
        if end > bytes.len() {
            return Err(CaptureError::Truncated);
        }
        if kind == b"IEND" {
            return Ok(());
        }
        at = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_magic() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Ok(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok(Format::Png));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Ok(Format::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Ok(Format::Tiff));
        assert_eq!(sniff(b"%PDF-1.7\n"), Err(CaptureError::PdfNotSupported));
        assert_eq!(
            sniff(b"GIF89a\x01\0\x01\0"),
            Err(CaptureError::UnsupportedFormat { format: "GIF" })
        );
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Err(CaptureError::UnsupportedFormat { format: "WebP" })
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Err(CaptureError::UnsupportedFormat { format: "HEIC" })
        );
        assert_eq!(sniff(b""), Err(CaptureError::NotAnImage));
        assert_eq!(sniff(b"hello, world"), Err(CaptureError::NotAnImage));
        assert_eq!(sniff(b"\xFF\xD8"), Err(CaptureError::NotAnImage));
    }

    #[test]
    fn jpeg_walk_needs_eoi_after_the_scan() {
        // SOI, SOF0 (len 2), SOS (len 2), data with a stuffed FF00 and RST0, EOI.
        let whole = b"\xFF\xD8\xFF\xC0\x00\x02\xFF\xDA\x00\x02\x12\xFF\x00\x34\xFF\xD0\x56\xFF\xD9";
        assert_eq!(jpeg_complete(whole), Ok(()));
        for cut in 2..whole.len() {
            assert_eq!(
                jpeg_complete(&whole[..cut]),
                Err(CaptureError::Truncated),
                "{cut}"
            );
        }
        let mut trailer = whole.to_vec();
        trailer.extend_from_slice(b"camera trailer");
        assert_eq!(jpeg_complete(&trailer), Ok(()));
    }
}
