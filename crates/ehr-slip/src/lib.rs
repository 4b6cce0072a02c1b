//! Acknowledgement slips and attention notices as searchable PDF (issue
//! #12, ADR 0005).
//!
//! - [`Fonts::load_system`] parses Debian's Noto Sans CJK HK once; keep it.
//! - [`render_slip`] makes the slip of a completed task, [`render_notice`]
//!   the notice for a person whose change the central service refused,
//!   [`render_follow_up_list`] a birth hospital's newborn follow-up list,
//!   [`render_expiring_list`] and [`render_turning_list`] the supervisors'
//!   lists of applications about to expire and of children turning 16
//!   (lists: A4 landscape, several pages, one table renderer), in English,
//!   Traditional Chinese or both ([`SlipLang`]). Every sentence comes from
//!   the message catalogue (`slip.*`, `notice.attention.*`,
//!   `list.follow_up.*`, `list.expiring.*`, `list.turning_16.*`).
//! - The font is embedded as a subset with a ToUnicode map, so `pdftotext`
//!   gives the text back; the QR code (of the reference only) is vector.
//! - [`render_png_pages`] rasterises a PDF for the app's preview.
//!
//! No clock, no IO except reading the font and running `pdftoppm`; nothing
//! here logs, and errors name fields, never their values.

mod error;
mod font;
mod layout;
mod list;
mod notice;
mod raster;
mod slip;
mod supervisor;
mod time;

pub use error::SlipError;
pub use font::{face_families, find_face, Fonts, FAMILY, SYSTEM_BOLD, SYSTEM_REGULAR};
pub use list::{
    render_follow_up_list, FollowUpList, FollowUpListRow, FOLLOW_UP_MAX_ROWS, LIST_MAX_ROWS,
};
pub use notice::{render_notice, Notice};
pub use raster::render_png_pages;
pub use slip::{
    render_slip, render_slip_counted, sample_slip, valid_reference, AccessKeyChannel, Slip,
    SlipProvider, SlipTask, SLIP_MAX_PROVIDERS,
};
pub use supervisor::{
    render_expiring_list, render_turning_list, ExpiringList, ExpiringListRow, TurningList,
    TurningListRow,
};
pub use time::SlipTime;

use ehr_i18n::Lang;

/// The language of a slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlipLang {
    /// English only.
    En,
    /// Traditional Chinese only.
    Zh,
    /// English first, then Traditional Chinese.
    Both,
}

impl SlipLang {
    /// The stable code (`en`, `zh`, `both`).
    pub fn code(self) -> &'static str {
        match self {
            SlipLang::En => "en",
            SlipLang::Zh => "zh",
            SlipLang::Both => "both",
        }
    }

    /// The language for a code (`en`, `zh` or `zh-HK`, `both`).
    pub fn from_code(code: &str) -> Option<SlipLang> {
        match code {
            "en" => Some(SlipLang::En),
            "zh" | "zh-HK" => Some(SlipLang::Zh),
            "both" => Some(SlipLang::Both),
            _ => None,
        }
    }

    /// The catalogue languages, in printing order.
    pub fn langs(self) -> &'static [Lang] {
        match self {
            SlipLang::En => &[Lang::En],
            SlipLang::Zh => &[Lang::ZhHk],
            SlipLang::Both => &Lang::ALL,
        }
    }
}

/// Refuses a field longer than `max` characters.
fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), SlipError> {
    if value.chars().count() > max {
        return Err(SlipError::FieldTooLong { field });
    }
    Ok(())
}
