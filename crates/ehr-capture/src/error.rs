//! Why an input was refused: one variant per refusal, each with a stable
//! code (`capture.*`) and a sentence in the catalogue (`error.capture.*`, shared with the app).
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
            CaptureError::NotAnImage => ("capture.not_an_image", "error.capture.not_an_image"),
            CaptureError::UnsupportedFormat { .. } => (
                "capture.unsupported_format",
                "error.capture.unsupported_format",
            ),
            CaptureError::PdfNotSupported => (
                "capture.pdf_not_supported",
                "error.capture.pdf_not_supported",
            ),
            CaptureError::Truncated => ("capture.truncated", "error.capture.truncated"),
            CaptureError::TooManyPixels { .. } => {
                ("capture.too_many_pixels", "error.capture.too_many_pixels")
            }
            CaptureError::FileTooLarge { .. } => {
                ("capture.file_too_large", "error.capture.file_too_large")
            }
            CaptureError::Corrupt => ("capture.corrupt", "error.capture.corrupt"),
            CaptureError::EmptyCrop => ("capture.empty_crop", "error.capture.empty_crop"),
            CaptureError::Budget { .. } => ("capture.budget", "error.capture.budget"),
            CaptureError::Unreadable => ("capture.unreadable", "error.capture.unreadable"),
        }
    }

    /// The stable code, for logs, the CLI and the app's error mapping.
    pub fn code(&self) -> &'static str {
        self.names().0
    }

    /// The catalogue key of the sentence a clerk reads: `error.<code>`, the
    /// same sentence the app shows for this code.
    pub fn message_key(&self) -> &'static str {
        self.names().1
    }

    /// The sentence for the clerk, from the catalogue.
    pub fn message(&self, lang: Lang) -> String {
        ehr_i18n::text(lang, self.message_key()).to_string()
    }
}
