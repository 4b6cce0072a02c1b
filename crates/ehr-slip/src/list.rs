//! The birth hospital's newborn follow-up list (issue #14): the newborn
//! records still not completed with a birth certificate after the policy's
//! days, oldest first, as an A4 landscape table for the ward office. Every
//! word comes from the catalogue (`list.follow_up.*`); the parent's
//! document and contact are printed as the caller gives them, masked.

use ehr_i18n::{format, text, Lang};

use crate::font::{Fonts, Weight};
use crate::layout::{Style, Writer, INK, MARGIN};
use crate::slip::{check_site, clean, header, per_lang, site_values, table, BODY, FOOTER, VALUE};
use crate::{check_len, AccessKeyChannel, SlipError, SlipLang, SlipTime};

/// The most rows one list prints (about 170 pages); a longer list is
/// refused rather than cut short.
pub const FOLLOW_UP_MAX_ROWS: usize = 2000;

/// The newborn follow-up list as printed. `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct FollowUpList {
    /// When the list was made, Hong Kong time.
    pub time: SlipTime,
    /// The counter's site code (the row is left out when empty).
    pub site_code: String,
    /// The site's name in English.
    pub site_name_en: String,
    /// The site's name in Traditional Chinese.
    pub site_name_zh: String,
    /// Records are listed after this many days.
    pub days: u32,
    /// The birth hospital listed (absent: every hospital).
    pub hospital_code: Option<String>,
    /// The records, printed oldest first (most days waiting first; rows
    /// with the same days keep their order).
    pub rows: Vec<FollowUpListRow>,
    /// The list's language.
    pub lang: SlipLang,
}

/// One newborn record on the list. `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct FollowUpListRow {
    /// The birth hospital's code.
    pub hospital_code: String,
    /// The hospital document's serial.
    pub serial: String,
    /// The day it was registered (`DD/MM/YYYY`).
    pub registered_on: String,
    /// The baby's day of birth (`DD/MM/YYYY`).
    pub date_of_birth: String,
    /// Days since registration.
    pub days_waiting: u32,
    /// The baby's English name.
    pub name_en: String,
    /// The baby's Chinese name, if any.
    pub chinese_name: Option<String>,
    /// The parent's document, masked (printed as given).
    pub parent_document_masked: String,
    /// How the parent is reached ([`AccessKeyChannel::None`]: no contact
    /// kept).
    pub contact_channel: AccessKeyChannel,
    /// The mobile number, email or postal address, masked (printed as
    /// given).
    pub contact_masked: String,
}

impl std::fmt::Debug for FollowUpList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowUpList")
            .field("time", &self.time)
            .field("site_code", &self.site_code)
            .field("days", &self.days)
            .field("hospital_code", &self.hospital_code)
            .field("rows", &self.rows.len())
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for FollowUpListRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowUpListRow")
            .field("hospital_code", &self.hospital_code)
            .field("registered_on", &self.registered_on)
            .field("days_waiting", &self.days_waiting)
            .finish_non_exhaustive()
    }
}

impl FollowUpList {
    fn check(&self) -> Result<(), SlipError> {
        check_site(&self.site_code, &self.site_name_en, &self.site_name_zh)?;
        check_len(
            "hospital_code",
            self.hospital_code.as_deref().unwrap_or_default(),
            40,
        )?;
        if self.rows.len() > FOLLOW_UP_MAX_ROWS {
            return Err(SlipError::TooManyRows {
                max: FOLLOW_UP_MAX_ROWS,
            });
        }
        for r in &self.rows {
            check_len("rows.hospital_code", &r.hospital_code, 40)?;
            check_len("rows.serial", &r.serial, 40)?;
            check_len("rows.registered_on", &r.registered_on, 20)?;
            check_len("rows.date_of_birth", &r.date_of_birth, 20)?;
            check_len("rows.name_en", &r.name_en, 300)?;
            check_len(
                "rows.chinese_name",
                r.chinese_name.as_deref().unwrap_or_default(),
                100,
            )?;
            check_len("rows.parent_document_masked", &r.parent_document_masked, 40)?;
            check_len("rows.contact_masked", &r.contact_masked, 300)?;
        }
        Ok(())
    }
}

const HEAD: Style = Style::new(Weight::Bold, 8.5, INK);
const CELL: Style = Style::new(Weight::Regular, 9.0, INK);
const CELL_STRONG: Style = Style::new(Weight::Bold, 9.0, INK);
/// Padding above and below a row's text.
const PAD: f32 = 4.0;
/// Space between columns.
const GUTTER: f32 = 8.0;

/// A column of the table: its heading's key, its width in points (the
/// last column takes what is left), whether its text is right-aligned.
struct Column {
    head: &'static str,
    width: f32,
    right: bool,
}

const COLUMNS: [Column; 8] = [
    Column {
        head: "list.follow_up.col.registered_on",
        width: 62.0,
        right: false,
    },
    Column {
        head: "list.follow_up.col.days",
        width: 36.0,
        right: true,
    },
    Column {
        head: "list.follow_up.col.hospital",
        width: 52.0,
        right: false,
    },
    Column {
        head: "list.follow_up.col.serial",
        width: 84.0,
        right: false,
    },
    Column {
        head: "list.follow_up.col.date_of_birth",
        width: 62.0,
        right: false,
    },
    Column {
        head: "list.follow_up.col.name",
        width: 150.0,
        right: false,
    },
    Column {
        head: "list.follow_up.col.parent_document",
        width: 92.0,
        right: false,
    },
    Column {
        head: "list.follow_up.col.contact",
        width: 0.0,
        right: false,
    },
];

/// Each column's left edge and width on a page `content` points wide.
fn column_boxes(content: f32) -> Vec<(f32, f32)> {
    let mut x = MARGIN;
    let mut out = Vec::with_capacity(COLUMNS.len());
    let last = COLUMNS.len() - 1;
    for (i, c) in COLUMNS.iter().enumerate() {
        let width = if i == last {
            (MARGIN + content - x).max(40.0)
        } else {
            c.width
        };
        out.push((x, width));
        x += width + GUTTER;
    }
    out
}

/// Text in a column, wrapped to its width: (line, style) from top to
/// bottom.
type Cell = Vec<(String, Style)>;

fn wrap_cell(w: &Writer<'_>, parts: &[(String, Style)], width: f32) -> Cell {
    parts
        .iter()
        .filter(|(t, _)| !t.is_empty())
        .flat_map(|(t, s)| w.wrap(t, width, *s).into_iter().map(|l| (l, *s)))
        .collect()
}

fn cell_height(cell: &Cell) -> f32 {
    cell.iter().map(|(_, s)| s.leading()).sum()
}

/// Draws one row of cells from the cursor down; the cursor moves below it.
fn draw_row(w: &mut Writer<'_>, boxes: &[(f32, f32)], cells: &[Cell], height: f32) {
    let top = w.y + PAD;
    for ((cell, (x, width)), col) in cells.iter().zip(boxes).zip(&COLUMNS) {
        let mut y = top;
        for (line, style) in cell {
            let at = if col.right {
                x + width - w.text_width(line, *style)
            } else {
                *x
            };
            w.draw_text(at, y + style.size, line, *style);
            y += style.leading();
        }
    }
    w.gap(height);
    w.rule();
}

/// The table's heading row (each language's words under each other).
fn heading_row(w: &Writer<'_>, langs: &[Lang], boxes: &[(f32, f32)]) -> (Vec<Cell>, f32) {
    let cells: Vec<Cell> = COLUMNS
        .iter()
        .zip(boxes)
        .map(|(c, (_, width))| {
            let words = per_lang(langs, |l| text(l, c.head).to_owned(), HEAD);
            wrap_cell(w, &words, *width)
        })
        .collect();
    let height = cells.iter().map(cell_height).fold(0.0, f32::max) + 2.0 * PAD;
    (cells, height)
}

fn draw_heading(w: &mut Writer<'_>, boxes: &[(f32, f32)], head: &(Vec<Cell>, f32)) {
    w.rule();
    w.band(head.1);
    draw_row(w, boxes, &head.0, head.1);
}

/// The words of a row's cells, in column order.
fn row_words(langs: &[Lang], r: &FollowUpListRow) -> Vec<Vec<(String, Style)>> {
    let mut name = vec![(clean(&r.name_en), CELL_STRONG)];
    if let Some(zh) = r.chinese_name.as_deref().map(clean) {
        name.push((zh, CELL_STRONG));
    }
    let contact = if r.contact_channel == AccessKeyChannel::None {
        let words = per_lang(
            langs,
            |l| text(l, "list.follow_up.contact_none").to_owned(),
            CELL,
        );
        vec![(join(&words), CELL)]
    } else {
        let key = format!("slip.channel.{}", r.contact_channel.code());
        let words = per_lang(langs, |l| text(l, &key).to_owned(), CELL);
        vec![(join(&words), CELL), (clean(&r.contact_masked), CELL)]
    };
    vec![
        vec![(clean(&r.registered_on), CELL)],
        vec![(r.days_waiting.to_string(), CELL_STRONG)],
        vec![(clean(&r.hospital_code), CELL)],
        vec![(clean(&r.serial), CELL)],
        vec![(clean(&r.date_of_birth), CELL)],
        name,
        vec![(clean(&r.parent_document_masked), CELL)],
        contact,
    ]
}

/// Each language's words on one line (`SMS / …`).
fn join(words: &[(String, Style)]) -> String {
    words
        .iter()
        .map(|(w, _)| w.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The newborn follow-up list as a PDF (A4 landscape): the title, the
/// site, when it was made, the days, then the table, oldest first, its
/// heading row repeated on every page; an empty list says so in words.
/// Every page is numbered.
pub fn render_follow_up_list(list: &FollowUpList, fonts: &Fonts) -> Result<Vec<u8>, SlipError> {
    list.check()?;
    let langs = list.lang.langs();
    let footer = langs
        .iter()
        .map(|&l| (text(l, "list.follow_up.footer").to_owned(), FOOTER))
        .collect();
    let first = langs.first().copied().unwrap_or(Lang::En);
    let mut w = Writer::landscape(fonts, text(first, "list.follow_up.title"), footer);
    let width = w.content_width();

    header(&mut w, langs, width, "list.follow_up.title", None);
    for &l in langs {
        w.paragraph(MARGIN, width, text(l, "list.follow_up.intro"), BODY);
    }
    w.gap(8.0);

    let days = list.days.to_string();
    let mut rows: Vec<(&str, Vec<(String, Style)>)> = Vec::new();
    if !list.site_code.trim().is_empty() {
        rows.push((
            "slip.label.site",
            site_values(
                langs,
                &list.site_code,
                &list.site_name_en,
                &list.site_name_zh,
            ),
        ));
    }
    rows.push((
        "list.follow_up.label.generated",
        per_lang(langs, |l| list.time.text(l), VALUE),
    ));
    let hospital = match list.hospital_code.as_deref().map(clean) {
        Some(code) if !code.is_empty() => vec![(code, VALUE)],
        _ => per_lang(
            langs,
            |l| text(l, "list.follow_up.all_hospitals").to_owned(),
            VALUE,
        ),
    };
    rows.push(("list.follow_up.label.hospital", hospital));
    rows.push((
        "list.follow_up.label.days",
        per_lang(
            langs,
            |l| format(l, "list.follow_up.days", &[("days", &days)]),
            VALUE,
        ),
    ));
    rows.push((
        "list.follow_up.label.count",
        vec![(list.rows.len().to_string(), VALUE)],
    ));
    table(&mut w, langs, &rows);
    w.gap(14.0);

    if list.rows.is_empty() {
        for &l in langs {
            let none = format(l, "list.follow_up.none", &[("days", &days)]);
            w.paragraph(MARGIN, width, &none, BODY);
        }
    } else {
        let mut ordered: Vec<&FollowUpListRow> = list.rows.iter().collect();
        ordered.sort_by_key(|r| std::cmp::Reverse(r.days_waiting));
        let boxes = column_boxes(width);
        let head = heading_row(&w, langs, &boxes);
        // The heading stays with at least the first row.
        let mut on_page = false;
        for r in ordered {
            let cells: Vec<Cell> = row_words(langs, r)
                .iter()
                .zip(&boxes)
                .map(|(words, (_, cw))| wrap_cell(&w, words, *cw))
                .collect();
            let height = cells.iter().map(cell_height).fold(0.0, f32::max) + 2.0 * PAD;
            let need = if on_page { height } else { head.1 + height };
            if !w.fits(need) {
                w.new_page();
                on_page = false;
            }
            if !on_page {
                draw_heading(&mut w, &boxes, &head);
                on_page = true;
            }
            draw_row(&mut w, &boxes, &cells, height);
        }
    }

    // Page numbers, once the pages are known: top right, in the margin.
    let pages = w.page_count();
    let total = pages.to_string();
    for page in 0..pages {
        let n = (page + 1).to_string();
        let words = per_lang(
            langs,
            |l| format(l, "list.follow_up.page", &[("page", &n), ("pages", &total)]),
            FOOTER,
        );
        let line = words
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join("   ");
        let x = w.right() - w.text_width(&line, FOOTER);
        w.draw_text_on(page, x, MARGIN - 18.0, &line, FOOTER);
    }
    w.finish().map(|(bytes, _)| bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_fit_a_landscape_page() {
        let content = 841.89 - 2.0 * MARGIN;
        let boxes = column_boxes(content);
        assert_eq!(boxes.len(), COLUMNS.len());
        let (x, w) = boxes[boxes.len() - 1];
        assert!((x + w - (MARGIN + content)).abs() < 0.01);
        assert!(w >= 120.0, "the contact column is {w} wide");
    }

    #[test]
    fn debug_shows_no_personal_data() {
        let row = FollowUpListRow {
            hospital_code: "QMH".to_owned(),
            serial: "BR-000123".to_owned(),
            registered_on: "01/10/2026".to_owned(),
            date_of_birth: "30/09/2026".to_owned(),
            days_waiting: 61,
            name_en: "BABY OF CHAN, Mei".to_owned(),
            chinese_name: None,
            parent_document_masked: "A123***(3)".to_owned(),
            contact_channel: AccessKeyChannel::Sms,
            contact_masked: "****5678".to_owned(),
        };
        let debug = format!("{row:?}");
        for secret in ["CHAN", "A123", "5678", "BR-000123"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
