//! Lists as A4 landscape tables ([`TableList`], one renderer for every
//! list: the heading row on every page, page numbers, the confidentiality
//! footer, the "none" sentence), and the first of them: the birth
//! hospital's newborn follow-up list (issue #14), the newborn records
//! still not completed with a birth certificate after the policy's days,
//! oldest first, for the ward office. Every word comes from the catalogue
//! (`list.follow_up.*`); the parent's document and contact are printed as
//! the caller gives them, masked. The supervisors' lists are in
//! `supervisor.rs`.

use ehr_i18n::{format, text, Lang};

use crate::font::{Fonts, Weight};
use crate::layout::{Style, Writer, INK, MARGIN};
use crate::slip::{check_site, clean, header, per_lang, site_values, table, BODY, FOOTER, VALUE};
use crate::{check_len, AccessKeyChannel, SlipError, SlipLang, SlipTime};

/// The most rows the newborn follow-up list prints ([`LIST_MAX_ROWS`]).
pub const FOLLOW_UP_MAX_ROWS: usize = LIST_MAX_ROWS;

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
        check_opt_len("hospital_code", self.hospital_code.as_deref(), 40)?;
        check_row_count(self.rows.len())?;
        for r in &self.rows {
            check_len("rows.hospital_code", &r.hospital_code, 40)?;
            check_len("rows.serial", &r.serial, 40)?;
            check_len("rows.registered_on", &r.registered_on, 20)?;
            check_len("rows.date_of_birth", &r.date_of_birth, 20)?;
            check_name(&r.name_en, r.chinese_name.as_deref())?;
            check_len("rows.parent_document_masked", &r.parent_document_masked, 40)?;
            check_len("rows.contact_masked", &r.contact_masked, 300)?;
        }
        Ok(())
    }
}

/// The most rows one list prints (about 170 pages); a longer list is
/// refused rather than cut short.
pub const LIST_MAX_ROWS: usize = 2000;

/// A list of `n` rows is refused when it is longer than [`LIST_MAX_ROWS`].
pub(crate) fn check_row_count(n: usize) -> Result<(), SlipError> {
    if n > LIST_MAX_ROWS {
        return Err(SlipError::TooManyRows { max: LIST_MAX_ROWS });
    }
    Ok(())
}

/// [`check_len`] for a value that may be absent (absent: empty).
pub(crate) fn check_opt_len(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<(), SlipError> {
    check_len(field, value.unwrap_or_default(), max)
}

/// A row's English name (300 characters at most) and Chinese name, if any
/// (100), as every list checks them.
pub(crate) fn check_name(name_en: &str, chinese_name: Option<&str>) -> Result<(), SlipError> {
    check_len("rows.name_en", name_en, 300)?;
    check_opt_len("rows.chinese_name", chinese_name, 100)
}

const HEAD: Style = Style::new(Weight::Bold, 8.5, INK);
/// A cell's ordinary text.
pub(crate) const CELL: Style = Style::new(Weight::Regular, 9.0, INK);
/// A cell's text that stands out (names, days).
pub(crate) const CELL_STRONG: Style = Style::new(Weight::Bold, 9.0, INK);
/// Padding above and below a row's text.
const PAD: f32 = 4.0;
/// Space between columns.
const GUTTER: f32 = 8.0;

/// A column of a list's table: its heading's catalogue key, its width
/// relative to the others' (the columns share the page's width in these
/// proportions), whether its text is right-aligned.
pub(crate) struct Column {
    pub(crate) head: &'static str,
    pub(crate) weight: f32,
    pub(crate) right: bool,
}

impl Column {
    pub(crate) const fn left(head: &'static str, weight: f32) -> Column {
        Column {
            head,
            weight,
            right: false,
        }
    }

    pub(crate) const fn right(head: &'static str, weight: f32) -> Column {
        Column {
            head,
            weight,
            right: true,
        }
    }
}

/// Words in a cell or a summary value, each with its style, one under the
/// other (each wrapped to the width).
pub(crate) type Words = Vec<(String, Style)>;

/// A list as an A4 landscape table, whatever it lists: the title and the
/// intro (catalogue keys), the site, when it was made and the list's own
/// summary rows, then the table (its heading row repeated on every page)
/// or, when there are no rows, the "none" sentence; the confidentiality
/// footer and the page numbers on every page.
pub(crate) struct TableList<'a> {
    /// The title's key (also the PDF's title, in the first language).
    pub(crate) title: &'static str,
    /// The intro's key.
    pub(crate) intro: &'static str,
    /// The footer's key (printed on every page).
    pub(crate) footer: &'static str,
    /// The page number's key (`{page}`, `{pages}`).
    pub(crate) page: &'static str,
    /// The "generated" label's key.
    pub(crate) generated: &'static str,
    /// When the list was made.
    pub(crate) time: SlipTime,
    /// The site: code (its row is left out when empty), English and
    /// Chinese names.
    pub(crate) site: (&'a str, &'a str, &'a str),
    /// The summary rows after the site and the time: a label's key and
    /// the value's words.
    pub(crate) summary: Vec<(&'static str, Words)>,
    /// What an empty list says, in each language.
    pub(crate) none: Words,
    /// The table's columns.
    pub(crate) columns: &'a [Column],
    /// The rows, in printing order: one cell of words per column.
    pub(crate) rows: Vec<Vec<Words>>,
    /// The list's language.
    pub(crate) lang: SlipLang,
}

/// Each column's left edge and width on a page `content` points wide: the
/// width left after the gutters, shared by the columns' weights.
fn column_boxes(columns: &[Column], content: f32) -> Vec<(f32, f32)> {
    let gutters = GUTTER * columns.len().saturating_sub(1) as f32;
    let total: f32 = columns.iter().map(|c| c.weight.max(0.0)).sum();
    let share = if total > 0.0 {
        (content - gutters).max(0.0) / total
    } else {
        0.0
    };
    let mut x = MARGIN;
    let mut out = Vec::with_capacity(columns.len());
    for c in columns {
        let width = c.weight.max(0.0) * share;
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
fn draw_row(
    w: &mut Writer<'_>,
    columns: &[Column],
    boxes: &[(f32, f32)],
    cells: &[Cell],
    height: f32,
) {
    let top = w.y + PAD;
    for ((cell, (x, width)), col) in cells.iter().zip(boxes).zip(columns) {
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
fn heading_row(
    w: &Writer<'_>,
    langs: &[Lang],
    columns: &[Column],
    boxes: &[(f32, f32)],
) -> (Vec<Cell>, f32) {
    let cells: Vec<Cell> = columns
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

fn draw_heading(
    w: &mut Writer<'_>,
    columns: &[Column],
    boxes: &[(f32, f32)],
    head: &(Vec<Cell>, f32),
) {
    w.rule();
    w.band(head.1);
    draw_row(w, columns, boxes, &head.0, head.1);
}

/// Each language's words on one line (`SMS / …`).
pub(crate) fn join(words: &[(String, Style)]) -> String {
    words
        .iter()
        .map(|(w, _)| w.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// One catalogue sentence in each language, on one line (`SMS / …`).
pub(crate) fn joined(langs: &[Lang], key: &str) -> String {
    join(&per_lang(langs, |l| text(l, key).to_owned(), CELL))
}

/// A list as a PDF (A4 landscape); see [`TableList`]. Every page is
/// numbered.
pub(crate) fn render_table_list(list: &TableList<'_>, fonts: &Fonts) -> Result<Vec<u8>, SlipError> {
    let (site_code, site_name_en, site_name_zh) = list.site;
    check_site(site_code, site_name_en, site_name_zh)?;
    check_row_count(list.rows.len())?;
    let langs = list.lang.langs();
    let footer = langs
        .iter()
        .map(|&l| (text(l, list.footer).to_owned(), FOOTER))
        .collect();
    let first = langs.first().copied().unwrap_or(Lang::En);
    let mut w = Writer::landscape(fonts, text(first, list.title), footer);
    let width = w.content_width();

    header(&mut w, langs, width, list.title, None);
    for &l in langs {
        w.paragraph(MARGIN, width, text(l, list.intro), BODY);
    }
    w.gap(8.0);

    let mut rows: Vec<(&str, Words)> = Vec::new();
    if !site_code.trim().is_empty() {
        rows.push((
            "slip.label.site",
            site_values(langs, site_code, site_name_en, site_name_zh),
        ));
    }
    rows.push((
        list.generated,
        per_lang(langs, |l| list.time.text(l), VALUE),
    ));
    rows.extend(list.summary.iter().cloned());
    table(&mut w, langs, &rows);
    w.gap(14.0);

    if list.rows.is_empty() {
        for (none, _) in &list.none {
            w.paragraph(MARGIN, width, none, BODY);
        }
    } else {
        let boxes = column_boxes(list.columns, width);
        let head = heading_row(&w, langs, list.columns, &boxes);
        // The heading stays with at least the first row.
        let mut on_page = false;
        for row in &list.rows {
            let cells: Vec<Cell> = row
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
                draw_heading(&mut w, list.columns, &boxes, &head);
                on_page = true;
            }
            draw_row(&mut w, list.columns, &boxes, &cells, height);
        }
    }

    // Page numbers, once the pages are known: top right, in the margin.
    let pages = w.page_count();
    let total = pages.to_string();
    for page in 0..pages {
        let n = (page + 1).to_string();
        let words = per_lang(
            langs,
            |l| format(l, list.page, &[("page", &n), ("pages", &total)]),
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

/// The newborn list's columns: the widths it has always had (the last,
/// the contact, takes what is left of the page).
const COLUMNS: [Column; 8] = [
    Column::left("list.follow_up.col.registered_on", 62.0),
    Column::right("list.follow_up.col.days", 36.0),
    Column::left("list.follow_up.col.hospital", 52.0),
    Column::left("list.follow_up.col.serial", 84.0),
    Column::left("list.follow_up.col.date_of_birth", 62.0),
    Column::left("list.follow_up.col.name", 150.0),
    Column::left("list.follow_up.col.parent_document", 92.0),
    Column::left("list.follow_up.col.contact", 146.0),
];

/// The words of a row's cells, in column order.
fn row_words(langs: &[Lang], r: &FollowUpListRow) -> Vec<Words> {
    let mut name = vec![(clean(&r.name_en), CELL_STRONG)];
    if let Some(zh) = r.chinese_name.as_deref().map(clean) {
        name.push((zh, CELL_STRONG));
    }
    let contact = if r.contact_channel == AccessKeyChannel::None {
        vec![(joined(langs, "list.follow_up.contact_none"), CELL)]
    } else {
        let key = format!("slip.channel.{}", r.contact_channel.code());
        vec![
            (joined(langs, &key), CELL),
            (clean(&r.contact_masked), CELL),
        ]
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

/// The newborn follow-up list as a PDF (A4 landscape): the title, the
/// site, when it was made, the days, then the table, oldest first, its
/// heading row repeated on every page; an empty list says so in words.
/// Every page is numbered.
pub fn render_follow_up_list(list: &FollowUpList, fonts: &Fonts) -> Result<Vec<u8>, SlipError> {
    list.check()?;
    let langs = list.lang.langs();
    let days = list.days.to_string();
    let hospital = match list.hospital_code.as_deref().map(clean) {
        Some(code) if !code.is_empty() => vec![(code, VALUE)],
        _ => per_lang(
            langs,
            |l| text(l, "list.follow_up.all_hospitals").to_owned(),
            VALUE,
        ),
    };
    let summary = vec![
        ("list.follow_up.label.hospital", hospital),
        (
            "list.follow_up.label.days",
            per_lang(
                langs,
                |l| format(l, "list.follow_up.days", &[("days", &days)]),
                VALUE,
            ),
        ),
        (
            "list.follow_up.label.count",
            vec![(list.rows.len().to_string(), VALUE)],
        ),
    ];
    let mut ordered: Vec<&FollowUpListRow> = list.rows.iter().collect();
    ordered.sort_by_key(|r| std::cmp::Reverse(r.days_waiting));
    let table = TableList {
        title: "list.follow_up.title",
        intro: "list.follow_up.intro",
        footer: "list.follow_up.footer",
        page: "list.follow_up.page",
        generated: "list.follow_up.label.generated",
        time: list.time,
        site: (&list.site_code, &list.site_name_en, &list.site_name_zh),
        summary,
        none: langs
            .iter()
            .map(|&l| (format(l, "list.follow_up.none", &[("days", &days)]), BODY))
            .collect(),
        columns: &COLUMNS,
        rows: ordered.into_iter().map(|r| row_words(langs, r)).collect(),
        lang: list.lang,
    };
    render_table_list(&table, fonts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_fit_a_landscape_page() {
        let content = 841.89 - 2.0 * MARGIN;
        let boxes = column_boxes(&COLUMNS, content);
        assert_eq!(boxes.len(), COLUMNS.len());
        let (x, w) = boxes[boxes.len() - 1];
        assert!((x + w - (MARGIN + content)).abs() < 0.01);
        assert!(w >= 120.0, "the contact column is {w} wide");
        // The widths the newborn list always had, to within a point.
        for ((_, w), c) in boxes.iter().zip(&COLUMNS) {
            assert!((w - c.weight).abs() < 1.0, "{} is {w} wide", c.head);
        }
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
