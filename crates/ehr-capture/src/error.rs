//! Why an input was refused: one variant per refusal, each with a stable
//! code (`capture.*`) and a sentence in the catalogue (`capture.error.*`).
//!
//! Nothing here holds pixels, file names or paths: an error can be logged.

use ehr_i18n::Lang;

/// Why [`normalise`](crate::normalise), [`preview`](crate::preview) or a
/// file read refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The bytes are not an image of any kind we know (text, an office
    /// document, an empty file).
    #[error("the file is not an image")]
    NotAnImage,
    /// An image format the counter does not take (GIF, BMP, WebP, HEIC, ...).
    #[error("the image format ({format}) is not supported; use JPEG, PNG or TIFF")]
    UnsupportedFormat {
        /// A short, fixed name of the format that was recognised.
        format: &'static str,
    },
    /// A PDF: the scanner must be set to save images (ADR 0004).
    #[error("PDF files are not supported; set the scanner to JPEG, PNG or TIFF")]
    PdfNotSupported,
    /// The file ends before the image does (an interrupted copy or scan).
    #[error("the image file is incomplete")]
    Truncated,
    /// The image claims more pixels (or more decoded bytes) than the limits
    /// allow: refused before any pixel is decoded.
    #[error("the image is too large: {width} x {height} pixels")]
    TooManyPixels {
        /// The width the file claims.
        width: u32,
        /// The height the file claims.
        height: u32,
    },
    /// The file is larger than the size limit; it was not read in full.
    #[error("the file is larger than {max_bytes} bytes")]
    FileTooLarge {
        /// The limit.
        max_bytes: u64,
    },
    /// The decoder failed (or panicked) on the data.
    #[error("the image data is damaged")]
    Corrupt,
    /// The crop (with the automatic trim) leaves too little of the image.
    #[error("the crop leaves too little of the image")]
    EmptyCrop,
    /// The image cannot be made to fit the size budget.
    #[error("the image cannot be made to fit {budget_bytes} bytes")]
    Budget {
        /// The budget asked for.
        budget_bytes: usize,
    },
    /// The file could not be read (gone, no permission, a folder).
    #[error("the file could not be read")]
    Unreadable,
}

impl CaptureError {
    /// The stable code and the catalogue key of the sentence, side by side.
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            CaptureError::NotAnImage => ("capture.not_an_image", "capture.error.not_an_image"),
            CaptureError::UnsupportedFormat { .. } => (
                "capture.unsupported_format",
                "capture.error.unsupported_format",
            ),
            CaptureError::PdfNotSupported => (
                "capture.pdf_not_supported",
                "capture.error.pdf_not_supported",
            ),
            CaptureError::Truncated => ("capture.truncated", "capture.error.truncated"),
            CaptureError::TooManyPixels { .. } => {
                ("capture.too_many_pixels", "capture.error.too_many_pixels")
            }
            CaptureError::FileTooLarge { .. } => {
                ("capture.file_too_large", "capture.error.file_too_large")
            }
            CaptureError::Corrupt => ("capture.corrupt", "capture.error.corrupt"),
            CaptureError::EmptyCrop => ("capture.empty_crop", "capture.error.empty_crop"),
            CaptureError::Budget { .. } => ("capture.budget", "capture.error.budget"),
            CaptureError::Unreadable => ("capture.unreadable", "capture.error.unreadable"),
        }
    }

    /// The stable code, for logs, the CLI and the app's error mapping.
    pub fn code(&self) -> &'static str {
        self.names().0
    }

    /// The catalogue key of the sentence a clerk reads: `capture.error.<name>`.
    pub fn message_key(&self) -> &'static str {
        self.names().1
    }

    /// The sentence for the clerk, from the catalogue, with its values
    /// (`{format}`, `{max_mb}`, `{width}`, `{height}`, `{budget_kb}`) filled.
    pub fn message(&self, lang: Lang) -> String {
        let key = self.message_key();
        match self {
            CaptureError::UnsupportedFormat { format } => {
                ehr_i18n::format(lang, key, &[("format", format)])
            }
            CaptureError::TooManyPixels { width, height } => ehr_i18n::format(
                lang,
                key,
                &[
                    ("width", &width.to_string()),
                    ("height", &height.to_string()),
                ],
            ),
            CaptureError::FileTooLarge { max_bytes } => {
                let mb = max_bytes.div_ceil(1024 * 1024).to_string();
                ehr_i18n::format(lang, key, &[("max_mb", &mb)])
            }
            CaptureError::Budget { budget_bytes } => {
                let kb = budget_bytes.div_ceil(1000).to_string();
                ehr_i18n::format(lang, key, &[("budget_kb", &kb)])
            }
            _ => ehr_i18n::text(lang, key).to_string(),
        }
    }
}
