//! The crate's one error type. No variant carries personal data: a field is
//! named, never quoted.

/// Why a slip, a notice or a preview could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlipError {
    /// The system font file is not there (package `fonts-noto-cjk`).
    #[error("the font file is missing (install fonts-noto-cjk)")]
    FontMissing,
    /// The font file has no face of the family the slips use.
    #[error("the font collection has no face named Noto Sans CJK HK")]
    FontFaceMissing,
    /// The font file could not be parsed.
    #[error("the font could not be parsed")]
    FontParse,
    /// The reference is not 1 to 40 upper-case letters, digits or hyphens.
    #[error("the reference must be 1 to 40 upper-case letters, digits or hyphens")]
    Reference,
    /// A text field is longer than a slip can hold.
    #[error("the field {field} is too long for a slip")]
    FieldTooLong {
        /// Which field (a fixed name, never its value).
        field: &'static str,
    },
    /// A text field a slip must print is empty.
    #[error("the field {field} is empty")]
    FieldEmpty {
        /// Which field (a fixed name).
        field: &'static str,
    },
    /// A list has more rows than it prints.
    #[error("the list has more than {max} rows")]
    TooManyRows {
        /// The most rows a list prints.
        max: usize,
    },
    /// A time that does not exist, or not in Hong Kong time.
    #[error("the date and time are not a valid Hong Kong time")]
    Time,
    /// The reference could not be encoded as a QR code.
    #[error("the reference could not be encoded as a QR code")]
    Qr,
    /// The PDF writer produced nothing.
    #[error("the PDF could not be written")]
    Render,
    /// `pdftoppm` (package `poppler-utils`) could not be started.
    #[error("pdftoppm could not be started (install poppler-utils)")]
    RasterUnavailable,
    /// `pdftoppm` failed, or its pages could not be read back.
    #[error("the PDF could not be rendered to images")]
    RasterFailed,
    /// The PDF could not be written to its file.
    #[error("the PDF could not be written to its file")]
    Write,
    /// A resolution outside 36 to 600 dpi.
    #[error("the resolution must be between 36 and 600 dpi")]
    Dpi,
}

impl SlipError {
    /// The stable code (for logs, the UI's message and `ehrctl`'s exit).
    pub fn code(&self) -> &'static str {
        match self {
            SlipError::FontMissing => "slip.font_missing",
            SlipError::FontFaceMissing => "slip.font_face_missing",
            SlipError::FontParse => "slip.font_parse",
            SlipError::Reference => "slip.reference_invalid",
            SlipError::FieldTooLong { .. } => "slip.field_too_long",
            SlipError::FieldEmpty { .. } => "slip.field_empty",
            SlipError::TooManyRows { .. } => "slip.too_many_rows",
            SlipError::Time => "slip.time_invalid",
            SlipError::Qr => "slip.qr",
            SlipError::Render => "slip.render",
            SlipError::RasterUnavailable => "slip.raster_unavailable",
            SlipError::RasterFailed => "slip.raster_failed",
            SlipError::Write => "slip.write",
            SlipError::Dpi => "slip.dpi",
        }
    }
}
