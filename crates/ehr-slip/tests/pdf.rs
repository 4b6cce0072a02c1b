//! Slips and notices checked with the real tools: poppler's `pdftotext`,
//! `pdffonts` and `pdftoppm`, and zbar's `zbarimg`.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use ehr_domain::{Date, DocumentNumber, DocumentType};
use ehr_i18n::{format, text, Lang};
use ehr_slip::{
    render_expiring_list, render_follow_up_list, render_notice, render_png_pages, render_slip,
    render_slip_counted, render_turning_list, AccessKeyChannel, ExpiringList, ExpiringListRow,
    FollowUpList, FollowUpListRow, Fonts, Notice, Slip, SlipError, SlipLang, SlipProvider,
    SlipTask, SlipTime, TurningList, TurningListRow,
};

/// The four rare Hong Kong characters of the issue, and one of Extension A.
const CHUEN: &str = "\u{90a8}"; // estate (as in a housing estate's name)
const FUNG: &str = "\u{5cef}"; // peak, the Hong Kong form
const GE: &str = "\u{5605}"; // Cantonese possessive
const SIN: &str = "\u{7dab}"; // line, the Hong Kong form
const GA: &str = "\u{35ce}"; // Cantonese particle, CJK Extension A

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let t = std::time::Instant::now();
        let fonts = Fonts::load_system().expect("fonts-noto-cjk is installed");
        println!("fonts loaded in {:?}", t.elapsed());
        fonts
    })
}

/// Where the tests keep what they made (under target/).
fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("slip-test");
    std::fs::create_dir_all(&dir).expect("out dir");
    dir
}

fn keep(name: &str, bytes: &[u8]) -> PathBuf {
    let path = out_dir().join(name);
    std::fs::write(&path, bytes).expect("write");
    println!("kept {}", path.display());
    path
}

/// Runs `cmd args…` with `input` on stdin; its stdout.
fn run(cmd: &str, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn pdftotext(pdf: &[u8]) -> String {
    run("pdftotext", &["-enc", "UTF-8", "-", "-"], pdf)
}

/// Without any whitespace: a wrapped sentence compares equal to its
/// catalogue text character for character.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_has(extracted: &str, wanted: &str) {
    assert!(
        squash(extracted).contains(&squash(wanted)),
        "not in the extracted text: {wanted:?}\n---\n{extracted}"
    );
}

/// A valid HKIC number with the digits 683491, found by trying check
/// characters (so no check digit is worked out by hand here).
fn hkic() -> DocumentNumber {
    "0123456789A"
        .chars()
        .find_map(|c| DocumentNumber::parse(DocumentType::Hkic, &format!("Z683491({c})")).ok())
        .expect("one check character fits")
}

fn slip(lang: SlipLang) -> Slip {
    Slip {
        task: SlipTask::RegisterSdmMinor,
        time: SlipTime::new(Date::new(2026, 12, 1).expect("date"), 9, 5).expect("time"),
        site_code: "KWC-02".to_owned(),
        site_name_en: "Kwai Chung Registration Centre".to_owned(),
        site_name_zh: format!("\u{8475}\u{6d8c}{CHUEN}\u{767b}\u{8a18}\u{4e2d}\u{5fc3}"),
        staff_code: "CLERK-17".to_owned(),
        reference: "REG-20261201-0042".to_owned(),
        document: Some(hkic()),
        name_en: "LEUNG, Fung Sin".to_owned(),
        name_zh: Some(format!("\u{6881}{FUNG}{SIN}{GE}{GA}")),
        channel: AccessKeyChannel::Sms,
        providers: Vec::new(),
        lang,
    }
}

fn catalogue_lines(lang: Lang, s: &Slip) -> Vec<String> {
    let mut v: Vec<String> = [
        "slip.title",
        "slip.system",
        "slip.intro",
        "slip.label.task",
        "slip.label.datetime",
        "slip.label.site",
        "slip.label.staff",
        "slip.label.reference",
        "slip.label.name",
        "slip.label.document",
        "slip.label.access_key",
        "slip.heading.next",
        "slip.next.records",
        "slip.next.access_key.sms",
        "slip.next.secret",
        "slip.next.keep",
        "slip.footer",
        "slip.channel.sms",
    ]
    .iter()
    .map(|k| text(lang, k).to_owned())
    .collect();
    v.push(text(lang, &s.task.key()).to_owned());
    let name = match lang {
        Lang::En => &s.site_name_en,
        Lang::ZhHk => &s.site_name_zh,
    };
    v.push(format(
        lang,
        "slip.site",
        &[("name", name), ("code", &s.site_code)],
    ));
    v
}

#[test]
fn bilingual_slip_extracts_exactly_embeds_subset_fonts_and_scans() {
    let s = slip(SlipLang::Both);
    let t = std::time::Instant::now();
    let pdf = render_slip(&s, fonts()).expect("slip");
    println!("rendered in {:?}, {} bytes", t.elapsed(), pdf.len());
    keep("both.pdf", &pdf);
    assert!(pdf.len() <= 200 * 1024, "{} bytes", pdf.len());

    let extracted = pdftotext(&pdf);
    for lang in Lang::ALL {
        for line in catalogue_lines(lang, &s) {
            assert_has(&extracted, &line);
        }
    }
    // Short lines come out exactly, on a line of their own.
    let lines: Vec<&str> = extracted.lines().map(str::trim).collect();
    for key in ["slip.title", "slip.heading.next"] {
        for lang in Lang::ALL {
            assert!(lines.contains(&text(lang, key)), "{key} {lang:?}");
        }
    }
    // The name with the rare characters, exactly.
    let name_zh = s.name_zh.clone().expect("name");
    assert!(extracted.contains(&name_zh), "{extracted}");
    for c in [CHUEN, FUNG, GE, SIN, GA] {
        assert!(extracted.contains(c));
    }
    assert!(extracted.contains("LEUNG, Fung Sin"));
    assert!(extracted.contains("01/12/2026 09:05"));
    assert!(extracted.contains("2026\u{5e74}12\u{6708}01\u{65e5} 09:05"));
    assert!(extracted.contains(&s.reference));

    // Every font embedded, subset, with a ToUnicode map.
    let fonts_out = run("pdffonts", &["-"], &pdf);
    let rows: Vec<&str> = fonts_out.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts_out}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{row}");
        // name type… emb sub uni object-id generation
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{fonts_out}");
        assert!(cols[0].contains("+NotoSansCJK"), "{row}");
    }

    // The QR code decodes to the reference, from the preview's PNG.
    let pages = render_png_pages(&pdf, 110).expect("png");
    assert_eq!(pages.len(), 1);
    assert!(pages[0].starts_with(b"\x89PNG"));
    let png = keep("both.png", &pages[0]);
    let decoded = run(
        "zbarimg",
        &["--quiet", "--raw", png.to_str().expect("path")],
        b"",
    );
    assert_eq!(decoded.trim_end(), s.reference);
}

/// The PDF's streams inflated (so a search sees what the page draws).
fn inflated_streams(pdf: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = pdf;
    while let Some(i) = find(rest, b"stream") {
        let body = &rest[i + 6..];
        let body = body.strip_prefix(b"\r").unwrap_or(body);
        let body = body.strip_prefix(b"\n").unwrap_or(body);
        let Some(end) = find(body, b"endstream") else {
            break;
        };
        let mut dec = flate2::read::ZlibDecoder::new(&body[..end]);
        let mut buf = Vec::new();
        if dec.read_to_end(&mut buf).is_ok() {
            out.extend_from_slice(&buf);
        }
        out.extend_from_slice(&body[..end]);
        rest = &body[end..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn no_full_identity_number_anywhere_in_the_file() {
    let s = slip(SlipLang::Both);
    let number = s.document.clone().expect("document");
    let pdf = render_slip(&s, fonts()).expect("slip");
    let streams = inflated_streams(&pdf);
    let extracted = pdftotext(&pdf);
    assert!(
        extracted.contains(&number.masked()),
        "the masked number is printed"
    );
    for needle in [
        number.normalized().to_owned(),
        number.display(),
        number.identifier().to_owned(),
        "683491".to_owned(),
        "83491".to_owned(),
    ] {
        assert!(
            find(&pdf, needle.as_bytes()).is_none(),
            "raw bytes hold {needle}"
        );
        assert!(
            find(&streams, needle.as_bytes()).is_none(),
            "a stream holds {needle}"
        );
        assert!(!extracted.contains(&needle), "the text holds {needle}");
    }
    // The search itself works: the reference is found in the same places.
    assert!(extracted.contains(&s.reference));
}

/// A slip in one language: its catalogue lines, none of the other's, the
/// person's Chinese name (their name, in every language), the QR code.
fn one_language(lang: SlipLang, own: Lang, other: Lang) {
    let s = slip(lang);
    let pdf = render_slip(&s, fonts()).expect("slip");
    keep(&format!("{}.pdf", lang.code()), &pdf);
    assert!(pdf.len() <= 200 * 1024);
    let extracted = pdftotext(&pdf);
    for line in catalogue_lines(own, &s) {
        assert_has(&extracted, &line);
    }
    for key in ["slip.title", "slip.next.records", "slip.label.site"] {
        assert!(!extracted.contains(text(other, key)), "{key}");
    }
    assert!(extracted.contains(s.name_zh.as_deref().expect("name")));
    let pages = render_png_pages(&pdf, 110).expect("png");
    let png = keep(&format!("{}.png", lang.code()), &pages[0]);
    let decoded = run(
        "zbarimg",
        &["--quiet", "--raw", png.to_str().expect("path")],
        b"",
    );
    assert_eq!(decoded.trim_end(), s.reference);
}

#[test]
fn english_slip_has_only_english() {
    one_language(SlipLang::En, Lang::En, Lang::ZhHk);
}

#[test]
fn chinese_slip_has_only_chinese() {
    one_language(SlipLang::Zh, Lang::ZhHk, Lang::En);
}

#[test]
fn every_task_and_channel_has_its_sentence() {
    for task in SlipTask::ALL {
        for channel in [
            AccessKeyChannel::Sms,
            AccessKeyChannel::Email,
            AccessKeyChannel::Post,
            AccessKeyChannel::None,
        ] {
            let s = Slip {
                task,
                channel,
                ..slip(SlipLang::En)
            };
            let extracted = pdftotext(&render_slip(&s, fonts()).expect("slip"));
            assert_has(&extracted, text(Lang::En, &s.task.key()));
            assert_has(
                &extracted,
                text(
                    Lang::En,
                    &format!("slip.next.access_key.{}", channel.code()),
                ),
            );
            let next = match task {
                SlipTask::Withdrawal => "slip.next.withdrawal",
                SlipTask::TakeOver => "slip.next.take_over",
                SlipTask::AccessKeyResent => "slip.next.old_key",
                SlipTask::PaperKeyed => "slip.next.paper",
                _ => "slip.next.records",
            };
            assert_has(&extracted, text(Lang::En, next));
        }
    }
}

/// Words (with their boxes) from `pdftotext -bbox`.
fn word_boxes(pdf: &[u8]) -> (f32, Vec<(String, f32, f32)>) {
    let html = run("pdftotext", &["-bbox", "-enc", "UTF-8", "-", "-"], pdf);
    let attr = |line: &str, name: &str| -> f32 {
        let start = line.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        let end = line[start..].find('"').expect("quote") + start;
        line[start..end].parse().expect("number")
    };
    let mut width = 0.0;
    let mut words = Vec::new();
    for line in html.lines() {
        if line.contains("<page ") {
            width = attr(line, "width");
        } else if line.contains("<word ") {
            let w = line.split('>').nth(1).unwrap_or_default();
            let w = w.split('<').next().unwrap_or_default().to_owned();
            words.push((w, attr(line, "xMin"), attr(line, "xMax")));
        }
    }
    (width, words)
}

#[test]
fn long_names_wrap_inside_the_page() {
    let long_en = "WONGSAKULCHAROENPHONGSATHORNCHAIYAPRUEKSAWONG, Maximiliana Alexandrina Konstantinopolitana Bartholomew-Featherstonehaugh Cholmondeley".to_owned();
    let long_zh: String = std::iter::repeat_n(format!("{CHUEN}{FUNG}{GE}{SIN}{GA}"), 14).collect();
    let s = Slip {
        name_en: long_en.clone(),
        name_zh: Some(long_zh.clone()),
        site_name_en: "A Very Long Registration Centre Name That Goes On And On, Ground Floor, Block Z, Sample Estate, New Territories".to_owned(),
        ..slip(SlipLang::Both)
    };
    let pdf = render_slip(&s, fonts()).expect("slip");
    keep("long.pdf", &pdf);
    let (width, words) = word_boxes(&pdf);
    assert!(width > 500.0, "A4 width {width}");
    assert!(!words.is_empty());
    for (w, x0, x1) in &words {
        assert!(
            *x0 >= 40.0 && *x1 <= width - 40.0,
            "{w:?} runs off: {x0}..{x1} of {width}"
        );
    }
    let extracted = pdftotext(&pdf);
    assert_has(&extracted, &long_en);
    assert_has(&extracted, &long_zh);
}

/// The error of a slip that must be refused (without printing a PDF that
/// was made instead).
fn refused(s: &Slip) -> SlipError {
    match render_slip(s, fonts()) {
        Ok(pdf) => panic!("accepted ({} bytes)", pdf.len()),
        Err(e) => e,
    }
}

#[test]
fn refusals_name_the_field_never_the_value() {
    let bad_refs = [
        "",
        "ref-lower",
        "REF 1",
        "REF/1",
        &"A".repeat(41),
        "REF\u{ff11}",
    ];
    for r in bad_refs {
        let s = Slip {
            reference: r.to_owned(),
            ..slip(SlipLang::En)
        };
        let e = refused(&s);
        assert_eq!(e, SlipError::Reference);
        assert_eq!(e.code(), "slip.reference_invalid");
    }
    let s = Slip {
        name_en: "X".repeat(301),
        ..slip(SlipLang::En)
    };
    let e = refused(&s);
    assert_eq!(e, SlipError::FieldTooLong { field: "name_en" });
    assert!(!e.to_string().contains("XXX"));
    // Debug shows no name and no number.
    let debug = format!("{:?}", slip(SlipLang::Both));
    assert!(
        !debug.contains("LEUNG") && !debug.contains("683"),
        "{debug}"
    );
}

/// Two private providers, named in both languages, and a third.
fn providers() -> [SlipProvider; 3] {
    let p = |en: &str, zh: &str, given| SlipProvider {
        name_en: en.to_owned(),
        name_zh: zh.to_owned(),
        given,
    };
    [
        // "Kwai Chung Family Clinic".
        p(
            "Kwai Chung Family Clinic",
            "\u{8475}\u{6d8c}\u{5bb6}\u{5ead}\u{8a3a}\u{6240}",
            true,
        ),
        // "Sample Medical Centre".
        p(
            "Sample Medical Centre",
            "\u{6a23}\u{672c}\u{91ab}\u{7642}\u{4e2d}\u{5fc3}",
            true,
        ),
        // "Wan Chai Specialist Centre".
        p(
            "Wan Chai Specialist Centre",
            "\u{7063}\u{4ed4}\u{5c08}\u{79d1}\u{4e2d}\u{5fc3}",
            false,
        ),
    ]
}

#[test]
fn a_consent_slip_lists_each_provider_given_in_both_languages() {
    let [a, b, c] = providers();
    let s = Slip {
        task: SlipTask::ConsentGiven,
        channel: AccessKeyChannel::None,
        providers: vec![a.clone(), b.clone()],
        ..slip(SlipLang::Both)
    };
    let pdf = render_slip(&s, fonts()).expect("slip");
    keep("consent-given.pdf", &pdf);
    let extracted = pdftotext(&pdf);
    for l in Lang::ALL {
        assert_has(&extracted, text(l, "slip.task.consent_given"));
        assert_has(&extracted, text(l, "slip.label.consent_given"));
        assert!(
            !extracted.contains(text(l, "slip.label.consent_revoked")),
            "{extracted}"
        );
    }
    for p in [&a, &b] {
        assert_has(&extracted, &p.name_en);
        assert_has(&extracted, &p.name_zh);
    }
    assert!(!extracted.contains(&c.name_en));
    // In the order given, after the person's particulars (the row's label
    // is the last "given": the first is the task's name).
    let at = |needle: &str| squash(&extracted).find(&squash(needle)).expect(needle);
    let label = squash(&extracted)
        .rfind(&squash(text(Lang::En, "slip.label.consent_given")))
        .expect("label");
    assert!(at(&s.name_en) < label && label < at(&a.name_en));
    assert!(at(&a.name_en) < at(&b.name_en));
    assert!(at(&a.name_en) < at(&a.name_zh));

    // Given and revoked at once, in English only: both rows, English names.
    let s = Slip {
        task: SlipTask::ConsentRevoked,
        providers: vec![c.clone(), a.clone()],
        ..slip(SlipLang::En)
    };
    let extracted = pdftotext(&render_slip(&s, fonts()).expect("slip"));
    let count = |key: &str| {
        squash(&extracted)
            .matches(&squash(text(Lang::En, key)))
            .count()
    };
    // The task's name, then one row each way.
    assert_eq!(count("slip.label.consent_given"), 1);
    assert_eq!(count("slip.label.consent_revoked"), 2);
    let at = |needle: &str| squash(&extracted).find(&squash(needle)).expect(needle);
    assert!(at(&a.name_en) < at(&c.name_en));
    assert!(!extracted.contains(&c.name_zh) && !extracted.contains(&a.name_zh));
    // A name missing in the slip's language is printed in the other.
    let s = Slip {
        providers: vec![SlipProvider {
            name_zh: String::new(),
            ..b.clone()
        }],
        ..slip(SlipLang::Zh)
    };
    let extracted = pdftotext(&render_slip(&s, fonts()).expect("slip"));
    assert_has(&extracted, text(Lang::ZhHk, "slip.label.consent_given"));
    assert_has(&extracted, &b.name_en);
}

#[test]
fn the_most_providers_a_slip_lists_stay_inside_the_pages() {
    let many: Vec<SlipProvider> = (0..ehr_slip::SLIP_MAX_PROVIDERS)
        .map(|i| SlipProvider {
            name_en: format!("Provider Number {i:02} Medical Group, Tower {i}, Queen's Road Central, Hong Kong Island"),
            name_zh: format!("{i:02}{CHUEN}{FUNG}{GE}{SIN}\u{91ab}\u{7642}\u{4e2d}\u{5fc3}"),
            given: i % 3 != 0,
        })
        .collect();
    let s = Slip {
        task: SlipTask::ConsentGiven,
        providers: many.clone(),
        ..slip(SlipLang::Both)
    };
    let (pdf, pages) = render_slip_counted(&s, fonts()).expect("slip");
    keep("consent-many.pdf", &pdf);
    assert!(pages > 1, "{pages}");
    let (width, words) = word_boxes(&pdf);
    for (w, x0, x1) in &words {
        assert!(*x0 >= 40.0 && *x1 <= width - 40.0, "{w:?}: {x0}..{x1}");
    }
    let extracted = pdftotext(&pdf);
    for p in &many {
        assert_has(&extracted, &p.name_en);
        assert_has(&extracted, &p.name_zh);
    }
}

#[test]
fn provider_refusals_name_the_field_never_the_value() {
    let [a, ..] = providers();
    let with = |providers: Vec<SlipProvider>| Slip {
        task: SlipTask::ConsentGiven,
        providers,
        ..slip(SlipLang::Both)
    };
    let e = refused(&with(vec![a.clone(); ehr_slip::SLIP_MAX_PROVIDERS + 1]));
    assert_eq!(e, SlipError::TooManyRows { max: 50 });
    let e = refused(&with(vec![SlipProvider {
        name_en: "X".repeat(201),
        ..a.clone()
    }]));
    assert_eq!(
        e,
        SlipError::FieldTooLong {
            field: "providers.name_en"
        }
    );
    assert!(!e.to_string().contains("XXX"));
    let e = refused(&with(vec![SlipProvider {
        name_zh: CHUEN.repeat(201),
        ..a.clone()
    }]));
    assert_eq!(
        e,
        SlipError::FieldTooLong {
            field: "providers.name_zh"
        }
    );
    let e = refused(&with(vec![SlipProvider {
        name_en: " \t".to_owned(),
        name_zh: String::new(),
        given: false,
    }]));
    assert_eq!(
        e,
        SlipError::FieldEmpty {
            field: "providers.name_en"
        }
    );
    assert_eq!(e.code(), "slip.field_empty");
    // Debug counts the providers and names none.
    let [a, b, c] = providers();
    let s = with(vec![a, b, c]);
    let debug = format!("{s:?}");
    assert!(
        debug.contains("providers_given: 2") && debug.contains("providers_revoked: 1"),
        "{debug}"
    );
    assert!(
        !debug.contains("Clinic") && !debug.contains("Kwai"),
        "{debug}"
    );
    let debug = format!("{:?}", s.providers[0]);
    assert!(!debug.contains("Kwai"), "{debug}");
}

#[test]
fn notice_extracts_in_each_language() {
    let reason_en = text(Lang::En, "error.conflict.already_registered");
    let reason_zh = text(Lang::ZhHk, "error.conflict.already_registered");
    for lang in [SlipLang::En, SlipLang::Zh, SlipLang::Both] {
        let n = Notice {
            time: SlipTime::from_unix_ms(1_796_106_900_000).expect("time"),
            summary: format!(
                "Registration in person: LEUNG, Fung Sin, {}",
                hkic().masked()
            ),
            reference: Some("REG-20261201-0042".to_owned()),
            site_code: "KWC-02".to_owned(),
            site_name_en: "Kwai Chung Registration Centre".to_owned(),
            site_name_zh: format!("\u{8475}\u{6d8c}{CHUEN}"),
            reason_en: reason_en.to_owned(),
            reason_zh: reason_zh.to_owned(),
            lang,
        };
        let pdf = render_notice(&n, fonts()).expect("notice");
        keep(&format!("notice-{}.pdf", lang.code()), &pdf);
        assert!(pdf.len() <= 200 * 1024);
        let extracted = pdftotext(&pdf);
        assert!(extracted.contains("01/12/2026 14:35") || lang == SlipLang::Zh);
        assert_has(&extracted, &n.summary);
        for &l in lang.langs() {
            let reason = if l == Lang::En { reason_en } else { reason_zh };
            for line in [
                text(l, "notice.attention.title").to_owned(),
                text(l, "notice.attention.what").to_owned(),
                format(l, "notice.attention.reason", &[("reason", reason)]),
                text(l, "notice.attention.next").to_owned(),
            ] {
                assert_has(&extracted, &line);
            }
        }
        if lang == SlipLang::En {
            assert!(!extracted.contains(text(Lang::ZhHk, "notice.attention.title")));
        }
        let bad = Notice {
            reference: Some("not a reference".to_owned()),
            ..n.clone()
        };
        assert_eq!(render_notice(&bad, fonts()), Err(SlipError::Reference));
    }
}

#[test]
fn preview_refuses_what_it_cannot_render() {
    assert_eq!(render_png_pages(b"%PDF-1.7", 0), Err(SlipError::Dpi));
    assert_eq!(
        render_png_pages(b"not a pdf", 96),
        Err(SlipError::RasterFailed)
    );
    let (pdf, pages) = render_slip_counted(&slip(SlipLang::Both), fonts()).expect("slip");
    assert_eq!(render_png_pages(&pdf, 72).expect("png").len(), pages);
}

#[test]
fn the_face_is_chosen_by_name() {
    let bytes = std::fs::read(ehr_slip::SYSTEM_REGULAR).expect("font");
    let families = ehr_slip::face_families(&bytes).expect("faces");
    let index = ehr_slip::find_face(&bytes, ehr_slip::FAMILY).expect("face");
    assert_eq!(families[index], ehr_slip::FAMILY);
    assert!(families.len() > 1, "{families:?}");
    assert_eq!(
        ehr_slip::find_face(&bytes, "Noto Sans CJK XX"),
        Err(SlipError::FontFaceMissing)
    );
}

/// A follow-up row; `i` makes its serial, document and days its own.
fn follow_up_row(i: u32) -> FollowUpListRow {
    let channel = match i % 4 {
        0 => AccessKeyChannel::Sms,
        1 => AccessKeyChannel::Email,
        2 => AccessKeyChannel::Post,
        _ => AccessKeyChannel::None,
    };
    FollowUpListRow {
        hospital_code: "QMH".to_owned(),
        serial: format!("BR-{:06}", 1000 + i),
        registered_on: format!("{:02}/09/2026", 1 + i % 28),
        date_of_birth: format!("{:02}/09/2026", 1 + i % 28),
        days_waiting: 61 + i,
        name_en: format!("BABY OF CHAN, Tai Man {i}"),
        chinese_name: i.is_multiple_of(2).then(|| format!("\u{9673}{FUNG}{SIN}")),
        parent_document_masked: format!("K{:03}***(*)", 100 + i),
        contact_channel: channel,
        contact_masked: match channel {
            AccessKeyChannel::Email => format!("c***{i}@example.com"),
            AccessKeyChannel::Post => format!("Flat {i}, ***"),
            _ => format!("****{:04}", 5000 + i),
        },
    }
}

fn follow_up_list(lang: SlipLang, rows: u32) -> FollowUpList {
    FollowUpList {
        time: SlipTime::new(Date::new(2026, 12, 1).expect("date"), 9, 5).expect("time"),
        site_code: "QMH".to_owned(),
        site_name_en: "Queen Mary Hospital".to_owned(),
        site_name_zh: "\u{746a}\u{9e97}\u{91ab}\u{9662}".to_owned(),
        days: 60,
        hospital_code: Some("QMH".to_owned()),
        // Given newest first: the list prints them oldest first.
        rows: (0..rows).map(follow_up_row).collect(),
        lang,
    }
}

fn pdftotext_layout(pdf: &[u8]) -> String {
    run("pdftotext", &["-layout", "-enc", "UTF-8", "-", "-"], pdf)
}

#[test]
fn follow_up_list_prints_every_row_oldest_first_over_pages_with_the_heading_repeated() {
    let list = follow_up_list(SlipLang::Both, 60);
    let t = std::time::Instant::now();
    let pdf = render_follow_up_list(&list, fonts()).expect("list");
    println!("60 rows rendered in {:?}, {} bytes", t.elapsed(), pdf.len());
    keep("follow-up-both.pdf", &pdf);
    let extracted = pdftotext_layout(&pdf);
    // pdftotext ends each page with a form feed.
    let pages: Vec<&str> = extracted
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() > 1, "60 rows take several pages");
    assert_eq!(
        render_png_pages(&pdf, 36).expect("png").len(),
        pages.len(),
        "every page has text"
    );

    // The title, the site, the time, the days, in both languages.
    for l in Lang::ALL {
        for key in [
            "list.follow_up.title",
            "list.follow_up.intro",
            "list.follow_up.label.generated",
            "list.follow_up.label.days",
            "list.follow_up.footer",
        ] {
            assert_has(pages[0], text(l, key));
        }
        assert_has(
            pages[0],
            &format(l, "list.follow_up.days", &[("days", "60")]),
        );
    }
    assert_has(pages[0], "Queen Mary Hospital (QMH)");
    assert_has(pages[0], "\u{746a}\u{9e97}\u{91ab}\u{9662}");
    assert!(pages[0].contains("01/12/2026 09:05"));
    let total = pages.len().to_string();
    // Every page: the heading row in both languages, its number, the footer.
    for (i, page) in pages.iter().enumerate() {
        for key in [
            "list.follow_up.col.registered_on",
            "list.follow_up.col.parent_document",
            "list.follow_up.col.contact",
        ] {
            for l in Lang::ALL {
                assert_has(page, text(l, key));
            }
        }
        let n = (i + 1).to_string();
        assert_has(
            page,
            &format(
                Lang::En,
                "list.follow_up.page",
                &[("page", &n), ("pages", &total)],
            ),
        );
        assert_has(page, text(Lang::ZhHk, "list.follow_up.footer"));
    }

    // Every row exactly once, oldest (most days) first, on one line with
    // its masked document.
    let mut last_at = 0;
    for i in (0..60).rev() {
        let row = follow_up_row(i);
        assert_eq!(
            extracted.matches(&row.serial).count(),
            1,
            "{} once",
            row.serial
        );
        let at = extracted.find(&row.serial).expect("serial");
        assert!(at > last_at, "{} is after the older rows", row.serial);
        last_at = at;
        let line = extracted
            .lines()
            .find(|l| l.contains(&row.serial))
            .expect("line");
        assert!(line.contains(&row.parent_document_masked), "{line}");
        assert!(line.contains(&row.days_waiting.to_string()), "{line}");
        assert!(line.contains(&row.registered_on), "{line}");
    }
    // Names and contacts, Chinese included.
    assert!(extracted.contains("BABY OF CHAN, Tai Man 7"));
    assert!(extracted.contains(&format!("\u{9673}{FUNG}{SIN}")));
    assert!(extracted.contains("c***1@example.com"));
    assert_has(
        &extracted,
        &format!(
            "{} / {}",
            text(Lang::En, "slip.channel.sms"),
            text(Lang::ZhHk, "slip.channel.sms")
        ),
    );
    assert_has(&extracted, text(Lang::ZhHk, "list.follow_up.contact_none"));

    // The words stay inside the landscape page.
    let (width, words) = word_boxes(&pdf);
    assert!(width > 800.0, "A4 landscape width {width}");
    for (w, x0, x1) in &words {
        assert!(
            *x0 >= 40.0 && *x1 <= width - 40.0,
            "{w:?} runs off: {x0}..{x1} of {width}"
        );
    }
}

#[test]
fn follow_up_list_in_one_language_and_empty() {
    let list = follow_up_list(SlipLang::Zh, 3);
    let pdf = render_follow_up_list(&list, fonts()).expect("list");
    keep("follow-up-zh.pdf", &pdf);
    let extracted = pdftotext_layout(&pdf);
    assert_has(&extracted, text(Lang::ZhHk, "list.follow_up.title"));
    assert_has(&extracted, text(Lang::ZhHk, "list.follow_up.col.name"));
    assert!(!extracted.contains(text(Lang::En, "list.follow_up.title")));
    assert!(!extracted.contains(text(Lang::En, "list.follow_up.col.name")));
    assert!(extracted.contains("K100***(*)"));

    for lang in [SlipLang::En, SlipLang::Both] {
        let empty = FollowUpList {
            rows: Vec::new(),
            hospital_code: None,
            ..follow_up_list(lang, 0)
        };
        let pdf = render_follow_up_list(&empty, fonts()).expect("empty list");
        keep(&format!("follow-up-empty-{}.pdf", lang.code()), &pdf);
        let extracted = pdftotext_layout(&pdf);
        for &l in lang.langs() {
            assert_has(
                &extracted,
                &format(l, "list.follow_up.none", &[("days", "60")]),
            );
            assert_has(&extracted, text(l, "list.follow_up.all_hospitals"));
        }
        assert!(!extracted.contains(text(Lang::En, "list.follow_up.col.serial")));
        assert_eq!(render_png_pages(&pdf, 36).expect("png").len(), 1);
    }
}

#[test]
fn follow_up_list_refusals_name_the_field_never_the_value() {
    let mut list = follow_up_list(SlipLang::En, 2);
    list.rows[1].name_en = "X".repeat(301);
    let e = render_follow_up_list(&list, fonts()).unwrap_err();
    assert_eq!(
        e,
        SlipError::FieldTooLong {
            field: "rows.name_en"
        }
    );
    assert!(!e.to_string().contains("XXX"));

    let mut list = follow_up_list(SlipLang::En, 1);
    list.rows[0].parent_document_masked = "A".repeat(41);
    assert_eq!(
        render_follow_up_list(&list, fonts()),
        Err(SlipError::FieldTooLong {
            field: "rows.parent_document_masked"
        })
    );

    let mut list = follow_up_list(SlipLang::En, 1);
    let row = list.rows[0].clone();
    list.rows = vec![row; ehr_slip::FOLLOW_UP_MAX_ROWS + 1];
    let e = render_follow_up_list(&list, fonts()).unwrap_err();
    assert_eq!(e, SlipError::TooManyRows { max: 2000 });
    assert_eq!(e.code(), "slip.too_many_rows");

    // Debug shows no name, document, serial or contact.
    let debug = format!("{:?}", follow_up_list(SlipLang::Both, 3));
    for secret in ["CHAN", "K100", "BR-", "5000", "example"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

/// An expiring application; `i` makes its reference, document and days
/// its own.
fn expiring_row(i: u32) -> ExpiringListRow {
    let origins = ["online", "paper_post", "paper_fax", "paper_drop_in"];
    let roles = ["self", "sdm", "authorised_person"];
    ExpiringListRow {
        expires_on: format!("{:02}/12/2026", 1 + i % 28),
        days_left: 30 - i % 31,
        reference: format!("APP-20261101-{:04}", 100 + i),
        origin: origins[i as usize % 4].to_owned(),
        applicant_role: roles[i as usize % 3].to_owned(),
        name_en: format!("CHAN, Tai Man {i}"),
        chinese_name: i.is_multiple_of(2).then(|| format!("\u{9673}{FUNG}{SIN}")),
        date_of_birth: "02/03/1950".to_owned(),
        document_masked: format!("E{:03}***(*)", 100 + i),
    }
}

fn expiring_list(lang: SlipLang, rows: u32) -> ExpiringList {
    ExpiringList {
        time: SlipTime::new(Date::new(2026, 12, 1).expect("date"), 9, 5).expect("time"),
        site_code: "KWC-02".to_owned(),
        site_name_en: "Kwai Chung Registration Centre".to_owned(),
        site_name_zh: format!("\u{8475}\u{6d8c}{CHUEN}\u{767b}\u{8a18}\u{4e2d}\u{5fc3}"),
        within_days: 30,
        // Given in no particular order: the list prints the soonest first.
        rows: (0..rows).map(expiring_row).collect(),
        lang,
    }
}

/// A record of a child turning 16; `i` makes its eHR number, documents
/// and days its own.
fn turning_row(i: u32) -> TurningListRow {
    TurningListRow {
        turns_16_on: format!("{:02}/01/2027", 1 + i % 28),
        days_left: 60 - i % 61,
        ehr_number: format!("EHR{:09}", 500 + i),
        name_en: format!("WONG, Siu Ming {i}"),
        chinese_name: i.is_multiple_of(3).then(|| format!("\u{9ec3}{FUNG}")),
        date_of_birth: format!("{:02}/01/2011", 1 + i % 28),
        document_masked: (i % 5 != 4).then(|| format!("Y{:03}***(*)", 100 + i)),
        sdm_document_masked: Some(format!("K{:03}***(*)", 300 + i)),
        sdm_relationship_en: "Parent".to_owned(),
        sdm_relationship_zh: if i.is_multiple_of(2) {
            "\u{7236}\u{6bcd}".to_owned()
        } else {
            String::new()
        },
    }
}

fn turning_list(lang: SlipLang, rows: u32) -> TurningList {
    TurningList {
        within_days: 60,
        rows: (0..rows).map(turning_row).collect(),
        ..turning_list_empty(lang)
    }
}

fn turning_list_empty(lang: SlipLang) -> TurningList {
    let e = expiring_list(lang, 0);
    TurningList {
        time: e.time,
        site_code: e.site_code,
        site_name_en: e.site_name_en,
        site_name_zh: e.site_name_zh,
        within_days: 60,
        rows: Vec::new(),
        lang,
    }
}

/// The pages of a layout extraction (pdftotext ends each with a form feed).
fn pages_of(extracted: &str) -> Vec<&str> {
    extracted
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// Every page: the heading row's `keys` in both languages, its number
/// (`page_key`) and the footer (`footer_key`) in Chinese.
fn assert_every_page(pages: &[&str], keys: &[&str], page_key: &str, footer_key: &str) {
    let total = pages.len().to_string();
    for (i, page) in pages.iter().enumerate() {
        for key in keys {
            for l in Lang::ALL {
                assert_has(page, text(l, key));
            }
        }
        let n = (i + 1).to_string();
        for l in Lang::ALL {
            assert_has(
                page,
                &format(l, page_key, &[("page", &n), ("pages", &total)]),
            );
        }
        assert_has(page, text(Lang::ZhHk, footer_key));
    }
}

fn assert_inside_the_page(pdf: &[u8]) {
    let (width, words) = word_boxes(pdf);
    assert!(width > 800.0, "A4 landscape width {width}");
    for (w, x0, x1) in &words {
        assert!(
            *x0 >= 40.0 && *x1 <= width - 40.0,
            "{w:?} runs off: {x0}..{x1} of {width}"
        );
    }
}

#[test]
fn expiring_list_prints_every_application_soonest_first_over_pages() {
    let list = expiring_list(SlipLang::Both, 62);
    let pdf = render_expiring_list(&list, fonts()).expect("list");
    keep("expiring-both.pdf", &pdf);
    let extracted = pdftotext_layout(&pdf);
    let pages = pages_of(&extracted);
    assert!(pages.len() > 1, "62 rows take several pages");
    assert_eq!(render_png_pages(&pdf, 36).expect("png").len(), pages.len());

    for l in Lang::ALL {
        for key in [
            "list.expiring.title",
            "list.expiring.intro",
            "list.expiring.label.generated",
            "list.expiring.label.window",
            "list.expiring.label.count",
            "slip.label.site",
        ] {
            assert_has(pages[0], text(l, key));
        }
        assert_has(
            pages[0],
            &format(l, "list.expiring.window", &[("days", "30")]),
        );
    }
    assert_has(pages[0], "Kwai Chung Registration Centre (KWC-02)");
    assert!(pages[0].contains("01/12/2026 09:05"));
    assert_every_page(
        &pages,
        &[
            "list.expiring.col.expires_on",
            "list.expiring.col.days_left",
            "list.expiring.col.reference",
            "list.expiring.col.origin",
            "list.expiring.col.applicant_role",
            "list.expiring.col.name",
            "list.expiring.col.date_of_birth",
            "list.expiring.col.document",
        ],
        "list.expiring.page",
        "list.expiring.footer",
    );

    // Every application exactly once, on one line with its masked document,
    // expiry and days left; the fewest days left first (the order given
    // kept among equal days).
    let mut expected: Vec<ExpiringListRow> = (0..62).map(expiring_row).collect();
    expected.sort_by_key(|r| r.days_left);
    let mut last_at = 0;
    for row in &expected {
        assert_eq!(
            extracted.matches(&row.reference).count(),
            1,
            "{}",
            row.reference
        );
        let at = extracted.find(&row.reference).expect("reference");
        assert!(at > last_at, "{} is after the sooner ones", row.reference);
        last_at = at;
        let line = extracted
            .lines()
            .find(|l| l.contains(&row.reference))
            .expect("line");
        assert!(line.contains(&row.document_masked), "{line}");
        assert!(line.contains(&row.expires_on), "{line}");
        assert!(line.contains(&format!(" {} ", row.days_left)), "{line}");
        assert!(line.contains(&row.date_of_birth), "{line}");
    }
    // How it arrived and who applied, in both languages (in drawing order:
    // a cell's lines together); names, Chinese too.
    let raw = run("pdftotext", &["-raw", "-enc", "UTF-8", "-", "-"], &pdf);
    for key in [
        "list.expiring.origin.online",
        "list.expiring.origin.paper_post",
        "list.expiring.origin.paper_fax",
        "list.expiring.origin.paper_drop_in",
        "list.expiring.role.self",
        "list.expiring.role.sdm",
        "list.expiring.role.authorised_person",
    ] {
        for l in Lang::ALL {
            assert_has(&raw, text(l, key));
        }
    }
    assert!(extracted.contains("CHAN, Tai Man 7"));
    assert!(extracted.contains(&format!("\u{9673}{FUNG}{SIN}")));
    assert_inside_the_page(&pdf);
}

#[test]
fn turning_16_list_prints_every_record_soonest_first_with_the_sdm() {
    let list = turning_list(SlipLang::Both, 45);
    let pdf = render_turning_list(&list, fonts()).expect("list");
    keep("turning-16-both.pdf", &pdf);
    let extracted = pdftotext_layout(&pdf);
    let pages = pages_of(&extracted);
    assert!(pages.len() > 1, "45 rows take several pages");
    assert_eq!(render_png_pages(&pdf, 36).expect("png").len(), pages.len());
    for l in Lang::ALL {
        for key in [
            "list.turning_16.title",
            "list.turning_16.intro",
            "list.turning_16.label.generated",
            "list.turning_16.label.window",
            "list.turning_16.label.count",
        ] {
            assert_has(pages[0], text(l, key));
        }
        assert_has(
            pages[0],
            &format(l, "list.turning_16.window", &[("days", "60")]),
        );
    }
    assert_every_page(
        &pages,
        &[
            "list.turning_16.col.turns_16_on",
            "list.turning_16.col.days_left",
            "list.turning_16.col.name",
            "list.turning_16.col.date_of_birth",
            "list.turning_16.col.document",
            "list.turning_16.col.sdm",
            "list.turning_16.col.ehr_number",
        ],
        "list.turning_16.page",
        "list.turning_16.footer",
    );

    let mut expected: Vec<TurningListRow> = (0..45).map(turning_row).collect();
    expected.sort_by_key(|r| r.days_left);
    let mut last_at = 0;
    for row in &expected {
        assert_eq!(
            extracted.matches(&row.ehr_number).count(),
            1,
            "{}",
            row.ehr_number
        );
        let at = extracted.find(&row.ehr_number).expect("eHR number");
        assert!(at > last_at, "{} is after the sooner ones", row.ehr_number);
        last_at = at;
        let line = extracted
            .lines()
            .find(|l| l.contains(&row.ehr_number))
            .expect("line");
        assert!(line.contains(&row.turns_16_on), "{line}");
        assert!(line.contains(&format!(" {} ", row.days_left)), "{line}");
        assert!(line.contains(&row.date_of_birth), "{line}");
        let sdm = row.sdm_document_masked.as_deref().expect("sdm");
        assert!(line.contains(sdm), "{line}");
        match &row.document_masked {
            Some(d) => assert!(line.contains(d.as_str()), "{line}"),
            // No document of the child's: a dash in its place.
            None => assert!(line.contains('\u{2014}'), "{line}"),
        }
    }
    // The relationship in each language, under the SDM's document (the
    // English name where there is no Chinese one).
    let raw = squash(&run(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", "-", "-"],
        &pdf,
    ));
    let row = turning_row(0);
    let sdm = row.sdm_document_masked.as_deref().expect("sdm");
    assert!(
        raw.contains(&format!("{sdm}Parent\u{7236}\u{6bcd}")),
        "{raw}"
    );
    let row = turning_row(1);
    let sdm = row.sdm_document_masked.as_deref().expect("sdm");
    assert!(
        raw.contains(&format!("{sdm}Parent{}", row.ehr_number)),
        "{raw}"
    );
    assert!(extracted.contains("WONG, Siu Ming 7"));
    assert!(extracted.contains(&format!("\u{9ec3}{FUNG}")));
    assert_inside_the_page(&pdf);
}

#[test]
fn supervisors_lists_in_one_language_and_empty() {
    let pdf = render_expiring_list(&expiring_list(SlipLang::Zh, 3), fonts()).expect("list");
    let extracted = pdftotext_layout(&pdf);
    assert_has(&extracted, text(Lang::ZhHk, "list.expiring.title"));
    assert_has(
        &extracted,
        text(Lang::ZhHk, "list.expiring.origin.paper_post"),
    );
    assert!(!extracted.contains(text(Lang::En, "list.expiring.title")));
    assert!(!extracted.contains(text(Lang::En, "list.expiring.origin.paper_post")));
    assert!(extracted.contains("E100***(*)"));

    let pdf = render_turning_list(&turning_list(SlipLang::En, 3), fonts()).expect("list");
    let extracted = pdftotext_layout(&pdf);
    assert_has(&extracted, text(Lang::En, "list.turning_16.col.sdm"));
    assert!(!extracted.contains(text(Lang::ZhHk, "list.turning_16.col.sdm")));
    // English only: the English relationship, never the Chinese one.
    assert!(extracted.contains("Parent"));
    assert!(!extracted.contains("\u{7236}\u{6bcd}"));

    for lang in [SlipLang::En, SlipLang::Zh, SlipLang::Both] {
        let pdf = render_expiring_list(&expiring_list(lang, 0), fonts()).expect("empty");
        keep(&format!("expiring-empty-{}.pdf", lang.code()), &pdf);
        let extracted = pdftotext_layout(&pdf);
        for &l in lang.langs() {
            assert_has(
                &extracted,
                &format(l, "list.expiring.none", &[("days", "30")]),
            );
            assert!(!extracted.contains(text(l, "list.expiring.col.reference")));
        }
        assert_eq!(render_png_pages(&pdf, 36).expect("png").len(), 1);

        let pdf = render_turning_list(&turning_list_empty(lang), fonts()).expect("empty");
        let extracted = pdftotext_layout(&pdf);
        for &l in lang.langs() {
            assert_has(
                &extracted,
                &format(l, "list.turning_16.none", &[("days", "60")]),
            );
            assert!(!extracted.contains(text(l, "list.turning_16.col.ehr_number")));
        }
        assert_eq!(render_png_pages(&pdf, 36).expect("png").len(), 1);
    }
}

#[test]
fn supervisors_lists_refuse_naming_the_field_never_the_value() {
    let mut list = expiring_list(SlipLang::En, 2);
    list.rows[1].name_en = "X".repeat(301);
    let e = render_expiring_list(&list, fonts()).unwrap_err();
    assert_eq!(
        e,
        SlipError::FieldTooLong {
            field: "rows.name_en"
        }
    );
    assert!(!e.to_string().contains("XXX"));

    let mut list = expiring_list(SlipLang::En, 1);
    list.rows[0].document_masked = "A".repeat(41);
    assert_eq!(
        render_expiring_list(&list, fonts()),
        Err(SlipError::FieldTooLong {
            field: "rows.document_masked"
        })
    );

    let mut list = turning_list(SlipLang::En, 1);
    list.rows[0].sdm_relationship_zh = "\u{7236}".repeat(101);
    assert_eq!(
        render_turning_list(&list, fonts()),
        Err(SlipError::FieldTooLong {
            field: "rows.sdm_relationship_zh"
        })
    );

    let mut list = turning_list(SlipLang::En, 1);
    let row = list.rows[0].clone();
    list.rows = vec![row; ehr_slip::LIST_MAX_ROWS + 1];
    let e = render_turning_list(&list, fonts()).unwrap_err();
    assert_eq!(e, SlipError::TooManyRows { max: 2000 });

    let mut list = expiring_list(SlipLang::En, 1);
    list.site_name_en = "S".repeat(201);
    assert_eq!(
        render_expiring_list(&list, fonts()),
        Err(SlipError::FieldTooLong {
            field: "site_name_en"
        })
    );

    // Debug shows no name, document, reference or eHR number.
    let debug = format!(
        "{:?} {:?} {:?} {:?}",
        expiring_list(SlipLang::Both, 3),
        expiring_row(1),
        turning_list(SlipLang::Both, 3),
        turning_row(1)
    );
    for secret in [
        "CHAN", "WONG", "E10", "Y10", "K30", "APP-", "EHR0", "1950", "2011",
    ] {
        assert!(!debug.contains(secret), "{debug}");
    }
}
