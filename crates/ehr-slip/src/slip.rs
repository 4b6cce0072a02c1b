//! The acknowledgement slip of a completed task.

use ehr_domain::DocumentNumber;
use ehr_i18n::{format, text, Lang};

use crate::font::{Fonts, Weight};
use crate::layout::{Style, Writer, GREY, INK, MARGIN};
use crate::{check_len, SlipError, SlipLang, SlipTime};

/// The task a slip acknowledges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlipTask {
    /// Activation of an application made online.
    Activation,
    /// Registration of an adult in person (walk-in).
    RegisterAdult,
    /// Registration of a minor by a substitute decision maker.
    RegisterSdmMinor,
    /// Registration by a substitute decision maker for an adult who cannot
    /// consent.
    RegisterSdmAdult,
    /// Registration through an authorised person.
    AuthorisedPerson,
    /// Registration of a newborn baby.
    NewbornRegistration,
    /// Completion of a newborn's registration with the birth certificate.
    NewbornCompletion,
    /// Sharing consent given.
    ConsentGiven,
    /// Sharing consent revoked.
    ConsentRevoked,
    /// Withdrawal from eHealth.
    Withdrawal,
    /// A record's particulars corrected.
    ParticularsChanged,
    /// A record's contact details changed.
    ContactChanged,
    /// A new access key sent.
    AccessKeyResent,
    /// A record taken over from the SDM by the person who turned 16.
    TakeOver,
    /// A paper application form keyed at the Registration Office.
    PaperKeyed,
}

impl SlipTask {
    /// Every task, in the order above.
    pub const ALL: [SlipTask; 15] = [
        SlipTask::Activation,
        SlipTask::RegisterAdult,
        SlipTask::RegisterSdmMinor,
        SlipTask::RegisterSdmAdult,
        SlipTask::AuthorisedPerson,
        SlipTask::NewbornRegistration,
        SlipTask::NewbornCompletion,
        SlipTask::ConsentGiven,
        SlipTask::ConsentRevoked,
        SlipTask::Withdrawal,
        SlipTask::ParticularsChanged,
        SlipTask::ContactChanged,
        SlipTask::AccessKeyResent,
        SlipTask::TakeOver,
        SlipTask::PaperKeyed,
    ];

    /// The stable code, also the catalogue key's last part
    /// (`slip.task.<code>`).
    pub fn code(self) -> &'static str {
        match self {
            SlipTask::Activation => "activation",
            SlipTask::RegisterAdult => "register_adult",
            SlipTask::RegisterSdmMinor => "register_sdm_minor",
            SlipTask::RegisterSdmAdult => "register_sdm_adult",
            SlipTask::AuthorisedPerson => "authorised_person",
            SlipTask::NewbornRegistration => "newborn_registration",
            SlipTask::NewbornCompletion => "newborn_completion",
            SlipTask::ConsentGiven => "consent_given",
            SlipTask::ConsentRevoked => "consent_revoked",
            SlipTask::Withdrawal => "withdrawal",
            SlipTask::ParticularsChanged => "particulars_changed",
            SlipTask::ContactChanged => "contact_changed",
            SlipTask::AccessKeyResent => "access_key_resent",
            SlipTask::TakeOver => "take_over",
            SlipTask::PaperKeyed => "paper_keyed",
        }
    }

    /// The task for a code.
    pub fn from_code(code: &str) -> Option<SlipTask> {
        SlipTask::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The catalogue key of the task's name.
    pub fn key(self) -> String {
        format!("slip.task.{}", self.code())
    }

    /// The catalogue key of what happens next to the records.
    fn next_key(self) -> &'static str {
        match self {
            SlipTask::Withdrawal => "slip.next.withdrawal",
            SlipTask::TakeOver => "slip.next.take_over",
            SlipTask::AccessKeyResent => "slip.next.old_key",
            SlipTask::PaperKeyed => "slip.next.paper",
            _ => "slip.next.records",
        }
    }
}

/// How the access key reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKeyChannel {
    /// By SMS.
    Sms,
    /// By email.
    Email,
    /// By post.
    Post,
    /// No access key for this task.
    None,
}

impl AccessKeyChannel {
    /// The stable code (`sms`, `email`, `post`, `none`).
    pub fn code(self) -> &'static str {
        match self {
            AccessKeyChannel::Sms => "sms",
            AccessKeyChannel::Email => "email",
            AccessKeyChannel::Post => "post",
            AccessKeyChannel::None => "none",
        }
    }

    /// The channel for a code.
    pub fn from_code(code: &str) -> Option<AccessKeyChannel> {
        [
            AccessKeyChannel::Sms,
            AccessKeyChannel::Email,
            AccessKeyChannel::Post,
            AccessKeyChannel::None,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// The most providers one slip lists (a consent change gives or revokes
/// at most 50 at once).
pub const SLIP_MAX_PROVIDERS: usize = 50;

/// The providers printed in one row of the slip's table (a long list runs
/// over several rows, each short enough for a page).
const PROVIDERS_PER_ROW: usize = 5;

/// A healthcare provider a consent change gave or revoked sharing consent
/// to, as the slip lists it. `Debug` shows whether it was given, not the
/// provider (which providers a person consents to is theirs).
#[derive(Clone, PartialEq, Eq)]
pub struct SlipProvider {
    /// The provider's name in English.
    pub name_en: String,
    /// The provider's name in Traditional Chinese.
    pub name_zh: String,
    /// Consent given (else revoked).
    pub given: bool,
}

impl std::fmt::Debug for SlipProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlipProvider")
            .field("given", &self.given)
            .finish_non_exhaustive()
    }
}

impl SlipProvider {
    /// The name in `lang`, else in the other language.
    fn name(&self, lang: Lang) -> String {
        let (own, other) = match lang {
            Lang::En => (&self.name_en, &self.name_zh),
            Lang::ZhHk => (&self.name_zh, &self.name_en),
        };
        let own = clean(own);
        if own.is_empty() {
            clean(other)
        } else {
            own
        }
    }
}

/// What a slip shows. Only the masked form of the document number is ever
/// printed (the slip calls [`DocumentNumber::masked`] itself), and `Debug`
/// shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Slip {
    /// The completed task.
    pub task: SlipTask,
    /// When it was completed, Hong Kong time.
    pub time: SlipTime,
    /// The registration centre's code.
    pub site_code: String,
    /// The centre's name in English.
    pub site_name_en: String,
    /// The centre's name in Traditional Chinese.
    pub site_name_zh: String,
    /// The clerk's staff code.
    pub staff_code: String,
    /// The task's reference: 1 to 40 upper-case letters, digits or hyphens
    /// (also the QR code's only content).
    pub reference: String,
    /// The person's identity document (printed masked).
    pub document: Option<DocumentNumber>,
    /// The person's name in English.
    pub name_en: String,
    /// The person's name in Chinese, if they have one.
    pub name_zh: Option<String>,
    /// How the access key is sent.
    pub channel: AccessKeyChannel,
    /// The providers a consent change gave or revoked sharing consent to,
    /// at most [`SLIP_MAX_PROVIDERS`] (empty for other tasks).
    pub providers: Vec<SlipProvider>,
    /// The slip's language.
    pub lang: SlipLang,
}

impl std::fmt::Debug for Slip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slip")
            .field("task", &self.task)
            .field("time", &self.time)
            .field("site_code", &self.site_code)
            .field("reference", &self.reference)
            .field("channel", &self.channel)
            .field(
                "providers_given",
                &self.providers.iter().filter(|p| p.given).count(),
            )
            .field(
                "providers_revoked",
                &self.providers.iter().filter(|p| !p.given).count(),
            )
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

/// Whether `reference` is 1 to 40 upper-case ASCII letters, digits or
/// hyphens.
pub fn valid_reference(reference: &str) -> bool {
    (1..=40).contains(&reference.len())
        && reference
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

impl Slip {
    fn check(&self) -> Result<(), SlipError> {
        if !valid_reference(&self.reference) {
            return Err(SlipError::Reference);
        }
        check_site(&self.site_code, &self.site_name_en, &self.site_name_zh)?;
        check_len("staff_code", &self.staff_code, 40)?;
        check_len("name_en", &self.name_en, 300)?;
        check_len("name_zh", self.name_zh.as_deref().unwrap_or_default(), 100)?;
        if self.providers.len() > SLIP_MAX_PROVIDERS {
            return Err(SlipError::TooManyRows {
                max: SLIP_MAX_PROVIDERS,
            });
        }
        for p in &self.providers {
            check_len("providers.name_en", &p.name_en, 200)?;
            check_len("providers.name_zh", &p.name_zh, 200)?;
            if clean(&p.name_en).is_empty() && clean(&p.name_zh).is_empty() {
                return Err(SlipError::FieldEmpty {
                    field: "providers.name_en",
                });
            }
        }
        Ok(())
    }
}

pub(crate) const TITLE: Style = Style::new(Weight::Bold, 17.0, INK);
pub(crate) const SUBTITLE: Style = Style::new(Weight::Regular, 9.5, GREY);
pub(crate) const BODY: Style = Style::new(Weight::Regular, 10.5, INK);
pub(crate) const LABEL: Style = Style::new(Weight::Regular, 9.5, GREY);
pub(crate) const VALUE: Style = Style::new(Weight::Regular, 11.0, INK);
pub(crate) const STRONG: Style = Style::new(Weight::Bold, 11.0, INK);
pub(crate) const HEADING: Style = Style::new(Weight::Bold, 12.5, INK);
pub(crate) const FOOTER: Style = Style::new(Weight::Regular, 8.0, GREY);
const REFERENCE: Style = Style::new(Weight::Bold, 12.0, INK);

/// QR module size: 1 mm (at least 0.8 mm reads on laser and thermal
/// printers), with the 4-module quiet zone the standard asks for.
const QR_MODULE: f32 = 72.0 / 25.4;
const QR_QUIET_MODULES: usize = 4;

/// The slip as a PDF (A4 portrait).
pub fn render_slip(slip: &Slip, fonts: &Fonts) -> Result<Vec<u8>, SlipError> {
    render_slip_counted(slip, fonts).map(|(bytes, _)| bytes)
}

/// The slip as a PDF, and its number of pages.
pub fn render_slip_counted(slip: &Slip, fonts: &Fonts) -> Result<(Vec<u8>, usize), SlipError> {
    slip.check()?;
    let langs = slip.lang.langs();
    let mut w = writer(fonts, langs, "slip.title");
    let width = w.content_width();

    // The QR code of the reference at the top right, the reference under
    // it; the heading keeps to the left of it.
    let code =
        qrcode::QrCode::with_error_correction_level(slip.reference.as_bytes(), qrcode::EcLevel::M)
            .map_err(|_| SlipError::Qr)?;
    let n = code.width();
    let modules: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    let quiet = QR_QUIET_MODULES as f32 * QR_MODULE;
    let qr_w = n as f32 * QR_MODULE;
    let ref_w = fonts.width(&slip.reference, REFERENCE);
    let block_w = qr_w.max(ref_w);
    let block_x = MARGIN + width - block_w;
    // The quiet zone reaches into the margin above; the modules' top lines
    // up with the heading's.
    w.y = MARGIN - quiet;
    w.qr(
        block_x + (block_w - qr_w) / 2.0 - quiet,
        &modules,
        n,
        QR_MODULE,
        quiet,
    );
    w.gap(qr_w + 2.0 * quiet);
    w.draw_text(
        block_x + (block_w - ref_w) / 2.0,
        w.y + REFERENCE.size,
        &slip.reference,
        REFERENCE,
    );
    let qr_bottom = w.y + REFERENCE.leading() + 6.0;
    w.y = MARGIN;

    header(
        &mut w,
        langs,
        width - block_w - 18.0,
        "slip.title",
        Some("slip.intro"),
    );
    w.y = w.y.max(qr_bottom);

    // The table of labels and values.
    let task_key = slip.task.key();
    let mut names = vec![(clean(&slip.name_en), STRONG)];
    if let Some(zh) = slip.name_zh.as_deref().map(clean).filter(|z| !z.is_empty()) {
        names.push((zh, STRONG));
    }
    let mut rows: Vec<(&str, Vec<(String, Style)>)> = vec![
        (
            "slip.label.task",
            per_lang(langs, |l| text(l, &task_key).to_owned(), STRONG),
        ),
        (
            "slip.label.datetime",
            per_lang(langs, |l| slip.time.text(l), VALUE),
        ),
        (
            "slip.label.site",
            site_values(
                langs,
                &slip.site_code,
                &slip.site_name_en,
                &slip.site_name_zh,
            ),
        ),
        ("slip.label.staff", vec![(clean(&slip.staff_code), VALUE)]),
        (
            "slip.label.reference",
            vec![(slip.reference.clone(), STRONG)],
        ),
        ("slip.label.name", names),
    ];
    // A counter that has no site yet (not enrolled) prints no empty row.
    if slip.site_code.trim().is_empty() {
        rows.retain(|(label, _)| *label != "slip.label.site");
    }
    if let Some(doc) = &slip.document {
        let masked = doc.masked();
        let type_key = format!("doctype.{}.name", doc.doc_type().code());
        rows.push((
            "slip.label.document",
            per_lang(
                langs,
                |l| {
                    format(
                        l,
                        "slip.document",
                        &[("type", text(l, &type_key)), ("number", &masked)],
                    )
                },
                VALUE,
            ),
        ));
    }
    let channel_key = format!("slip.channel.{}", slip.channel.code());
    rows.push((
        "slip.label.access_key",
        per_lang(langs, |l| text(l, &channel_key).to_owned(), VALUE),
    ));
    // The consent change: the providers given, then those revoked, each
    // named in the slip's languages, a few to a row.
    for (given, label) in [
        (true, "slip.label.consent_given"),
        (false, "slip.label.consent_revoked"),
    ] {
        let providers: Vec<&SlipProvider> =
            slip.providers.iter().filter(|p| p.given == given).collect();
        for chunk in providers.chunks(PROVIDERS_PER_ROW) {
            let values = chunk
                .iter()
                .flat_map(|p| per_lang(langs, |l| p.name(l), VALUE))
                .collect();
            rows.push((label, values));
        }
    }
    table(&mut w, langs, &rows);

    // What happens next.
    w.gap(14.0);
    for &l in langs {
        w.ensure(HEADING.leading() * 3.0);
        w.paragraph(MARGIN, width, text(l, "slip.heading.next"), HEADING);
    }
    w.gap(4.0);
    let mut steps = vec![slip.task.next_key().to_owned()];
    if slip.task == SlipTask::NewbornRegistration {
        // What to bring for completion, once the birth is registered.
        steps.push("slip.next.newborn_bring".to_owned());
    }
    steps.push(format!("slip.next.access_key.{}", slip.channel.code()));
    if slip.channel != crate::AccessKeyChannel::None {
        steps.push("slip.next.secret".to_owned());
    }
    steps.push("slip.next.keep".to_owned());
    for key in &steps {
        bullet(&mut w, langs, key, &[]);
    }

    w.finish()
}

/// A page writer with the slips' footer, titled `title_key`.
pub(crate) fn writer<'f>(fonts: &'f Fonts, langs: &[Lang], title_key: &str) -> Writer<'f> {
    let footer = langs
        .iter()
        .map(|&l| (text(l, "slip.footer").to_owned(), FOOTER))
        .collect();
    let first = langs.first().copied().unwrap_or(Lang::En);
    Writer::new(fonts, text(first, title_key), footer)
}

/// Refuses a centre's code or names that are too long.
pub(crate) fn check_site(code: &str, name_en: &str, name_zh: &str) -> Result<(), SlipError> {
    check_len("site_code", code, 40)?;
    check_len("site_name_en", name_en, 200)?;
    check_len("site_name_zh", name_zh, 200)
}

/// The centre's name and code in each language.
pub(crate) fn site_values(
    langs: &[Lang],
    code: &str,
    name_en: &str,
    name_zh: &str,
) -> Vec<(String, Style)> {
    let code = clean(code);
    per_lang(
        langs,
        |l| {
            let name = match l {
                Lang::En => name_en,
                Lang::ZhHk => name_zh,
            };
            format(l, "slip.site", &[("name", &clean(name)), ("code", &code)])
        },
        VALUE,
    )
}

/// The heading: the title in each language, the system's name, an intro.
pub(crate) fn header(
    w: &mut Writer<'_>,
    langs: &[Lang],
    width: f32,
    title: &str,
    intro: Option<&str>,
) {
    for &l in langs {
        w.paragraph(MARGIN, width, text(l, title), TITLE);
    }
    w.gap(2.0);
    for &l in langs {
        w.paragraph(MARGIN, width, text(l, "slip.system"), SUBTITLE);
    }
    if let Some(intro) = intro {
        w.gap(8.0);
        for &l in langs {
            w.paragraph(MARGIN, width, text(l, intro), BODY);
        }
    }
    w.gap(10.0);
}

/// One value per language, the same value once when the languages agree.
pub(crate) fn per_lang(
    langs: &[Lang],
    f: impl Fn(Lang) -> String,
    style: Style,
) -> Vec<(String, Style)> {
    let mut out: Vec<(String, Style)> = Vec::new();
    for &l in langs {
        let v = f(l);
        if !out.iter().any(|(o, _)| *o == v) {
            out.push((v, style));
        }
    }
    out
}

/// Two columns: labels (each language, one under the other) and values,
/// separated by thin rules.
pub(crate) fn table(w: &mut Writer<'_>, langs: &[Lang], rows: &[(&str, Vec<(String, Style)>)]) {
    let width = w.content_width();
    let label_w = (width * 0.32).round();
    let gutter = 12.0;
    let value_x = MARGIN + label_w + gutter;
    let value_w = width - label_w - gutter;
    let pad = 5.0;
    w.rule();
    for (label_key, values) in rows {
        let labels: Vec<String> = langs
            .iter()
            .flat_map(|&l| w.wrap(text(l, label_key), label_w, LABEL))
            .collect();
        let value_lines: Vec<(String, Style)> = values
            .iter()
            .flat_map(|(v, s)| w.wrap(v, value_w, *s).into_iter().map(|line| (line, *s)))
            .collect();
        let label_h: f32 = labels.len() as f32 * LABEL.leading();
        let value_h: f32 = value_lines.iter().map(|(_, s)| s.leading()).sum();
        let row_h = label_h.max(value_h) + 2.0 * pad;
        w.ensure(row_h);
        let top = w.y + pad;
        let mut y = top;
        for line in &labels {
            w.draw_text(MARGIN, y + LABEL.size + 1.0, line, LABEL);
            y += LABEL.leading();
        }
        let mut y = top;
        for (line, style) in &value_lines {
            w.draw_text(value_x, y + style.size, line, *style);
            y += style.leading();
        }
        w.gap(row_h);
        w.rule();
    }
}

/// A bulleted step: the sentence in each language, under one bullet.
pub(crate) fn bullet(w: &mut Writer<'_>, langs: &[Lang], key: &str, args: &[(&str, &str)]) {
    let indent = 14.0;
    let width = w.content_width() - indent;
    let first: Vec<String> = w.wrap(&format(langs[0], key, args), width, BODY);
    w.ensure(BODY.leading() * first.len().min(3) as f32);
    w.draw_text(MARGIN + 2.0, w.y + BODY.size, "\u{2022}", BODY);
    for &l in langs {
        w.paragraph(MARGIN + indent, width, &format(l, key, args), BODY);
    }
    w.gap(5.0);
}

/// Control characters (a pasted newline, a tab) as spaces.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A fixed, clearly fictional slip (`ehrctl slip sample`, the bench): a
/// name and a centre's address-like name with rare Hong Kong characters
/// (U+90A8, U+5CEF, U+5605, U+7DAB, and U+35CE of CJK Extension A), to
/// check the font on a new machine. The document number is the format's
/// textbook example, printed masked like any other.
pub fn sample_slip(lang: SlipLang) -> Result<Slip, SlipError> {
    let date = ehr_domain::Date::new(2026, 12, 1).map_err(|_| SlipError::Time)?;
    let document = DocumentNumber::parse(ehr_domain::DocumentType::Hkic, "A123456(3)")
        .map_err(|_| SlipError::Render)?;
    Ok(Slip {
        task: SlipTask::RegisterAdult,
        time: SlipTime::new(date, 14, 35)?,
        site_code: "SAMPLE-01".to_owned(),
        site_name_en: "Sample Registration Centre (Wah Fu Estate, by the MTR line)".to_owned(),
        // "Sample registration centre (Wah Fu Estate, by the MTR line)".
        site_name_zh: "\u{6a23}\u{672c}\u{767b}\u{8a18}\u{4e2d}\u{5fc3}\u{ff08}\u{83ef}\u{5bcc}\u{90a8}\u{6e2f}\u{9435}\u{7dab}\u{65c1}\u{ff09}".to_owned(),
        staff_code: "S-0001".to_owned(),
        reference: "SAMPLE-20261201-0001".to_owned(),
        document: Some(document),
        name_en: "SAMPLE, Test Person".to_owned(),
        // "Sample" and three rare characters.
        name_zh: Some("\u{6a23}\u{672c} \u{5cef}\u{5605}\u{35ce}".to_owned()),
        channel: AccessKeyChannel::Sms,
        providers: Vec::new(),
        lang,
    })
}
