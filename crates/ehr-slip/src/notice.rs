//! The notice for a person whose change the central service refused: the
//! same content as the app's `attention_notice` (the `notice.attention.*`
//! messages), as a PDF.

use ehr_i18n::{format, text, Lang};

use crate::font::Fonts;
use crate::layout::MARGIN;
use crate::slip::{
    check_site, clean, header, per_lang, site_values, table, valid_reference, writer, BODY, STRONG,
    VALUE,
};
use crate::{check_len, SlipError, SlipLang, SlipTime};

/// What an attention notice shows. `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Notice {
    /// When the change was made at the counter, Hong Kong time (the
    /// outbox's `saved_at_ms`, through [`SlipTime::from_unix_ms`]).
    pub time: SlipTime,
    /// The change as the clerk saw it: the task, a name, a masked number
    /// (`AttentionItem::summary`).
    pub summary: String,
    /// The task's reference, if it has one.
    pub reference: Option<String>,
    /// The registration centre's code (the row is left out when empty).
    pub site_code: String,
    /// The centre's name in English.
    pub site_name_en: String,
    /// The centre's name in Traditional Chinese.
    pub site_name_zh: String,
    /// Why the central service refused it, in English, from the catalogue
    /// (`AttentionItem::reason_en`).
    pub reason_en: String,
    /// The same reason in Traditional Chinese (`AttentionItem::reason_zh`).
    pub reason_zh: String,
    /// The notice's language.
    pub lang: SlipLang,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notice")
            .field("time", &self.time)
            .field("reference", &self.reference)
            .field("site_code", &self.site_code)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

/// The attention notice as a PDF (A4 portrait).
pub fn render_notice(notice: &Notice, fonts: &Fonts) -> Result<Vec<u8>, SlipError> {
    if let Some(r) = &notice.reference {
        if !valid_reference(r) {
            return Err(SlipError::Reference);
        }
    }
    check_len("summary", &notice.summary, 500)?;
    check_site(
        &notice.site_code,
        &notice.site_name_en,
        &notice.site_name_zh,
    )?;
    check_len("reason_en", &notice.reason_en, 2000)?;
    check_len("reason_zh", &notice.reason_zh, 2000)?;

    let langs = notice.lang.langs();
    let mut w = writer(fonts, langs, "notice.attention.title");
    let width = w.content_width();
    header(&mut w, langs, width, "notice.attention.title", None);

    let mut rows = vec![
        ("slip.label.task", vec![(clean(&notice.summary), STRONG)]),
        (
            "slip.label.datetime",
            per_lang(langs, |l| notice.time.text(l), VALUE),
        ),
    ];
    if !notice.site_code.trim().is_empty() {
        rows.push((
            "slip.label.site",
            site_values(
                langs,
                &notice.site_code,
                &notice.site_name_en,
                &notice.site_name_zh,
            ),
        ));
    }
    if let Some(r) = &notice.reference {
        rows.push(("slip.label.reference", vec![(r.clone(), STRONG)]));
    }
    table(&mut w, langs, &rows);
    w.gap(14.0);

    for (i, &l) in langs.iter().enumerate() {
        if i > 0 {
            w.gap(10.0);
        }
        let reason = match l {
            Lang::En => clean(&notice.reason_en),
            Lang::ZhHk => clean(&notice.reason_zh),
        };
        for para in [
            text(l, "notice.attention.what").to_owned(),
            format(l, "notice.attention.reason", &[("reason", &reason)]),
            text(l, "notice.attention.next").to_owned(),
        ] {
            w.paragraph(MARGIN, width, &para, BODY);
            w.gap(5.0);
        }
    }
    w.finish().map(|(bytes, _)| bytes)
}
