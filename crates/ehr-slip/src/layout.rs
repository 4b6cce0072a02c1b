//! A small page writer: lines of text measured with the font's own advances,
//! wrapped inside the column (between words in English, between characters
//! in Chinese, never starting a line with closing punctuation), pages added
//! as the content needs them, and a QR code as filled rectangles.

use printpdf::{
    Color, FontId, Greyscale, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, TextItem,
};

use crate::font::{Fonts, Weight};
use crate::SlipError;

/// A4 portrait, in points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
/// A4, in millimetres.
const A4_MM: (f32, f32) = (210.0, 297.0);
/// 18 mm margins.
pub(crate) const MARGIN: f32 = 51.0;
/// Room kept at the bottom of every page for the footer.
const FOOTER_ROOM: f32 = 40.0;

pub(crate) const INK: f32 = 0.0;
pub(crate) const GREY: f32 = 0.33;
const RULE: f32 = 0.8;
const BAND: f32 = 0.93;

/// A line's style.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) weight: Weight,
    pub(crate) size: f32,
    pub(crate) grey: f32,
}

impl Style {
    pub(crate) const fn new(weight: Weight, size: f32, grey: f32) -> Style {
        Style { weight, size, grey }
    }

    /// The distance between baselines.
    pub(crate) fn leading(self) -> f32 {
        self.size * 1.42
    }
}

pub(crate) struct Writer<'f> {
    fonts: &'f Fonts,
    doc: PdfDocument,
    regular: FontId,
    bold: FontId,
    pages: Vec<Vec<Op>>,
    /// The page's width and height in points (A4, portrait or landscape).
    page_w: f32,
    page_h: f32,
    /// Distance from the top of the page to the top of the next line.
    pub(crate) y: f32,
    footer: Vec<(String, Style)>,
}

impl<'f> Writer<'f> {
    /// A4 portrait pages.
    pub(crate) fn new(fonts: &'f Fonts, title: &str, footer: Vec<(String, Style)>) -> Self {
        Writer::with_page(fonts, title, footer, false)
    }

    /// A4 landscape pages (for a wide table).
    pub(crate) fn landscape(fonts: &'f Fonts, title: &str, footer: Vec<(String, Style)>) -> Self {
        Writer::with_page(fonts, title, footer, true)
    }

    fn with_page(
        fonts: &'f Fonts,
        title: &str,
        footer: Vec<(String, Style)>,
        landscape: bool,
    ) -> Self {
        let (page_w, page_h) = if landscape {
            (PAGE_H, PAGE_W)
        } else {
            (PAGE_W, PAGE_H)
        };
        let mut doc = PdfDocument::new(title);
        let regular = doc.add_font(&fonts.face(Weight::Regular).parsed);
        let bold = if fonts.has_bold() {
            doc.add_font(&fonts.face(Weight::Bold).parsed)
        } else {
            regular.clone()
        };
        let mut w = Writer {
            fonts,
            doc,
            regular,
            bold,
            pages: Vec::new(),
            page_w,
            page_h,
            y: MARGIN,
            footer,
        };
        w.new_page();
        w
    }

    pub(crate) fn content_width(&self) -> f32 {
        self.page_w - 2.0 * MARGIN
    }

    /// How many pages so far.
    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        let footer = std::mem::take(&mut self.footer);
        // The footer sits above the bottom margin, last line lowest.
        let mut baseline = self.page_h - MARGIN;
        for (text, style) in footer.iter().rev() {
            for line in self.wrap(text, self.content_width(), *style).iter().rev() {
                self.draw_text(MARGIN, baseline, line, *style);
                baseline -= style.leading();
            }
        }
        self.footer = footer;
    }

    /// Whether `height` more points fit on this page (or nothing is on it
    /// yet, so a new page would not help).
    pub(crate) fn fits(&self, height: f32) -> bool {
        self.y + height <= self.page_h - MARGIN - FOOTER_ROOM || self.y <= MARGIN
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub(crate) fn ensure(&mut self, height: f32) {
        if !self.fits(height) {
            self.new_page();
        }
    }

    pub(crate) fn gap(&mut self, height: f32) {
        self.y += height;
    }

    fn font_id(&self, weight: Weight) -> FontId {
        match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        }
    }

    /// One line of text with its baseline `baseline` points from the top.
    pub(crate) fn draw_text(&mut self, x: f32, baseline: f32, text: &str, style: Style) {
        let ops = self.text_ops(x, baseline, text, style);
        self.ops().extend(ops);
    }

    /// One line of text on page `page` (0-based; an earlier one too), for
    /// what is known only once every page is laid out (page numbers).
    pub(crate) fn draw_text_on(
        &mut self,
        page: usize,
        x: f32,
        baseline: f32,
        text: &str,
        style: Style,
    ) {
        let ops = self.text_ops(x, baseline, text, style);
        if let Some(p) = self.pages.get_mut(page) {
            p.extend(ops);
        }
    }

    /// The page's right edge of the column.
    pub(crate) fn right(&self) -> f32 {
        self.page_w - MARGIN
    }

    fn text_ops(&self, x: f32, baseline: f32, text: &str, style: Style) -> Vec<Op> {
        if text.is_empty() {
            return Vec::new();
        }
        let font = PdfFontHandle::External(self.font_id(style.weight));
        vec![
            Op::StartTextSection,
            Op::SetFillColor {
                col: grey(style.grey),
            },
            Op::SetFont {
                font,
                size: Pt(style.size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x),
                    y: Pt(self.page_h - baseline),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]
    }

    /// `text` wrapped to `width` at `x`, from the cursor down; the cursor
    /// moves below it.
    pub(crate) fn paragraph(&mut self, x: f32, width: f32, text: &str, style: Style) {
        for line in self.wrap(text, width, style) {
            self.ensure(style.leading());
            let baseline = self.y + style.size;
            self.draw_text(x, baseline, &line, style);
            self.y += style.leading();
        }
    }

    /// A thin horizontal rule across the column at the cursor.
    pub(crate) fn rule(&mut self) {
        let y = self.page_h - self.y;
        let r = filled(MARGIN, y, self.content_width(), 0.5);
        let ops = vec![
            Op::SetFillColor { col: grey(RULE) },
            r,
            Op::SetFillColor { col: grey(INK) },
        ];
        self.ops().extend(ops);
    }

    /// A light band across the column from the cursor, `height` high
    /// (behind a table's heading row: draw it before the text).
    pub(crate) fn band(&mut self, height: f32) {
        let y = self.page_h - self.y - height;
        let r = filled(MARGIN, y, self.content_width(), height);
        let ops = vec![
            Op::SetFillColor { col: grey(BAND) },
            r,
            Op::SetFillColor { col: grey(INK) },
        ];
        self.ops().extend(ops);
    }

    /// The width of `text` in `style`, in points.
    pub(crate) fn text_width(&self, text: &str, style: Style) -> f32 {
        self.fonts.width(text, style)
    }

    /// Dark modules of a QR code (row-major, `width` per row, quiet zone
    /// not included) as filled rectangles, one per horizontal run, with the
    /// top-left module's corner at (`x`, cursor + quiet zone).
    pub(crate) fn qr(&mut self, x: f32, modules: &[bool], width: usize, module: f32, quiet: f32) {
        let top = self.y + quiet;
        let mut ops = vec![Op::SetFillColor { col: grey(INK) }];
        for (row, cells) in modules.chunks(width.max(1)).enumerate() {
            let mut col = 0;
            while col < cells.len() {
                if !cells[col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < cells.len() && cells[col] {
                    col += 1;
                }
                let y_top = top + row as f32 * module;
                ops.push(filled(
                    x + quiet + start as f32 * module,
                    self.page_h - y_top - module,
                    (col - start) as f32 * module,
                    module,
                ));
            }
        }
        self.ops().extend(ops);
    }

    /// `text` broken into lines no wider than `width`.
    pub(crate) fn wrap(&self, text: &str, width: f32, style: Style) -> Vec<String> {
        let face = self.fonts.face(style.weight);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for seg in segments(para) {
                let seg_w = face.width(seg, style.size);
                let visible_w = face.width(seg.trim_end(), style.size);
                if line_w + visible_w <= width || line.is_empty() && visible_w <= width {
                    line.push_str(seg);
                    line_w += seg_w;
                    continue;
                }
                if !line.trim_end().is_empty() {
                    lines.push(line.trim_end().to_owned());
                }
                line = String::new();
                line_w = 0.0;
                if visible_w <= width {
                    line.push_str(seg);
                    line_w = seg_w;
                } else {
                    // A word wider than the column: break it between characters.
                    for c in seg.chars() {
                        let cw = face.advance(c, style.size);
                        if line_w + cw > width && !line.is_empty() {
                            lines.push(line.trim_end().to_owned());
                            line = String::new();
                            line_w = 0.0;
                        }
                        line.push(c);
                        line_w += cw;
                    }
                }
            }
            let last = line.trim_end();
            if !last.is_empty() {
                lines.push(last.to_owned());
            }
        }
        lines
    }

    /// The PDF's bytes, and how many pages.
    pub(crate) fn finish(mut self) -> Result<(Vec<u8>, usize), SlipError> {
        let (w, h) = if self.page_w > self.page_h {
            (A4_MM.1, A4_MM.0)
        } else {
            A4_MM
        };
        let pages: Vec<PdfPage> = std::mem::take(&mut self.pages)
            .into_iter()
            .map(|ops| PdfPage::new(Mm(w), Mm(h), ops))
            .collect();
        let count = pages.len();
        let opts = PdfSaveOptions {
            optimize: true,
            subset_fonts: true,
            ..PdfSaveOptions::default()
        };
        let mut warnings = Vec::new();
        let bytes = self.doc.with_pages(pages).save(&opts, &mut warnings);
        if !bytes.starts_with(b"%PDF-") {
            return Err(SlipError::Render);
        }
        Ok((bytes, count))
    }
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

fn filled(x: f32, y: f32, width: f32, height: f32) -> Op {
    Op::DrawRectangle {
        rectangle: Rect {
            x: Pt(x),
            y: Pt(y),
            width: Pt(width),
            height: Pt(height),
            mode: Some(PaintMode::Fill),
            winding_order: None,
        },
    }
}

/// Ideographs, kana, and CJK and full-width punctuation: a line may break
/// before or after any of them.
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Punctuation that must not start a line.
fn no_line_start(c: char) -> bool {
    "\u{3001}\u{3002}\u{FF0C}\u{FF0E}\u{FF1A}\u{FF1B}\u{FF1F}\u{FF01}\u{FF09}\u{300D}\u{300F}\u{300B}\u{3009}\u{3011}\u{FF5D}\u{2026}\u{00B7},.;:?!)]}%".contains(c)
}

/// Punctuation that must not end a line.
fn no_line_end(c: char) -> bool {
    "\u{FF08}\u{300C}\u{300E}\u{300A}\u{3008}\u{3010}\u{FF5B}([{".contains(c)
}

/// `text` cut where a line may break; each piece keeps its trailing spaces.
fn segments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = prev {
            let after_space = p == ' ' && c != ' ';
            let cjk = (is_cjk(p) || is_cjk(c)) && p != ' ' && c != ' ';
            if (after_space || cjk) && !no_line_start(c) && !no_line_end(p) {
                out.push(&text[start..i]);
                start = i;
            }
        }
        prev = Some(c);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn segments_break_between_words_and_ideographs() {
        assert_eq!(segments("Keep this slip."), vec!["Keep ", "this ", "slip."]);
        assert_eq!(
            segments("\u{8acb}\u{4fdd}\u{7559}\u{3002}A"),
            vec!["\u{8acb}", "\u{4fdd}", "\u{7559}\u{3002}", "A"]
        );
        assert_eq!(segments("(\u{8acb})"), vec!["(\u{8acb})"]);
        assert!(segments("").is_empty());
    }
}
