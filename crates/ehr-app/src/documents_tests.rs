#![allow(clippy::unwrap_used, clippy::panic)]

//! Documents through the app, with the real parts: a scanner folder on
//! disk, the encrypted store, the reference central service in-process on
//! loopback (for the sign-in), the Noto CJK font, poppler for the preview,
//! and a private cupsd with a capture backend for printing.

use std::path::Path;

use ehr_protocol::ipc::{CaptureAdjust, CaptureKind, CropBox, SlipLanguage};
use ehr_protocol::ErrorCode;

use super::{
    expiring_list, follow_up_list, turning_list, TaskSlip, DEFAULT_ADJUST, EXPIRING_REFERENCE,
    FOLLOW_UP_REFERENCE, TURNING_16_REFERENCE,
};
use crate::staff::service_tests::Rig;

/// A page-like PNG: white with a dark block (so the trim has a border).
pub(crate) fn page_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        if x > w / 5 && x < w * 4 / 5 && y > h / 5 && y < h * 4 / 5 {
            image::Rgb([(x % 200) as u8, 40, (y % 180) as u8])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Whether any file under `dir` holds `needle`.
fn anywhere(dir: &Path, needle: &[u8]) -> bool {
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .map(|b| b.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
            {
                return true;
            }
        }
    }
    false
}

fn signed_in(extra: &[(&str, String)]) -> Rig {
    let r = Rig::with(extra);
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    r
}

#[test]
fn a_scan_is_taken_once_complete_held_encrypted_and_leaves_no_plain_file() {
    let scans = tempfile::tempdir().unwrap();
    let r = signed_in(&[("EHR_SCAN_FOLDER", scans.path().display().to_string())]);
    let png = page_png(1200, 1600);
    // A distinctive run of the file's bytes, to look for afterwards.
    let needle = &png[png.len() / 2..png.len() / 2 + 64];

    // Nothing there yet; then a file appears and is offered once stable.
    assert!(r.app.scan_folder().unwrap().files.is_empty());
    std::fs::write(scans.path().join("scan_0001.png"), &png).unwrap();
    std::fs::write(scans.path().join(".scan_0002.png.part"), b"half").unwrap();
    let mut offered = Vec::new();
    for _ in 0..3 {
        offered = r.app.scan_folder().unwrap().files;
        if !offered.is_empty() {
            break;
        }
    }
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert_eq!(offered[0].name, "scan_0001.png");

    let view = r
        .app
        .capture_scan("scan_0001.png", CaptureKind::SupportingDocument)
        .unwrap();
    assert_eq!(view.kind, CaptureKind::SupportingDocument);
    assert!(view.bytes > 0 && view.bytes <= 500_000, "{}", view.bytes);
    assert!(view.preview_base64.is_some() && view.thumbnail_base64.is_some());
    // The trim took the white border off: the page is about 3/5 of the scan.
    assert!(view.width < 1200 * 7 / 10, "{} wide", view.width);
    assert!(
        !scans.path().join("scan_0001.png").exists(),
        "the scanner's file is gone once held"
    );
    assert!(!anywhere(scans.path(), needle));
    assert!(
        !anywhere(&r.app.config().data_dir, needle),
        "the data folder holds no plain copy"
    );
    let audit = {
        let store = r.app.store().unwrap();
        let rows = crate::lock(&store).audit_rows("document.capture").unwrap();
        rows
    };
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].1.as_deref(), Some(view.image_id.as_str()));

    // Adjusted: grey, a quarter turn, the left half.
    let turned = r
        .app
        .capture_adjust(
            &view.image_id,
            &CaptureAdjust {
                quarter_turns: 1,
                crop: Some(CropBox {
                    x: 0.0,
                    y: 0.0,
                    w: 0.5,
                    h: 1.0,
                }),
                auto_trim: false,
                grayscale: true,
            },
        )
        .unwrap();
    // The left half of a 1200 x 1600 page, turned: 1600 x 600.
    assert_eq!((turned.width, turned.height), (1600, 600));
    assert_eq!(turned.adjust.quarter_turns, 1);
    let listed = r.app.captures().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].width, listed[0].height), (1600, 600));
    assert!(
        listed[0].preview_base64.is_none(),
        "the list carries thumbnails only"
    );

    // The task ends: nothing of it stays.
    r.app.finish_task();
    assert!(r.app.captures().unwrap().is_empty());
    assert_eq!(
        r.app.capture_open(&view.image_id).unwrap_err().code,
        ErrorCode::CaptureNotFound
    );
}

#[test]
fn a_refused_file_is_said_in_its_own_words_and_stays_where_it_was() {
    let scans = tempfile::tempdir().unwrap();
    let r = signed_in(&[("EHR_SCAN_FOLDER", scans.path().display().to_string())]);
    std::fs::write(
        scans.path().join("notes.jpg"),
        b"these are not pixels at all",
    )
    .unwrap();
    let mut files = Vec::new();
    for _ in 0..3 {
        files = r.app.scan_folder().unwrap().files;
        if !files.is_empty() {
            break;
        }
    }
    assert_eq!(files.len(), 1);
    let err = r
        .app
        .capture_scan("notes.jpg", CaptureKind::PatientDocumentCopy)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::CaptureNotAnImage);
    assert!(!err.message_zh.is_empty());
    assert!(
        scans.path().join("notes.jpg").exists(),
        "never lose the clerk's file"
    );
    assert!(r.app.captures().unwrap().is_empty());
    // A name that was never offered (or tries to leave the folder).
    assert_eq!(
        r.app
            .capture_scan("../../etc/passwd", CaptureKind::PatientDocumentCopy)
            .unwrap_err()
            .code,
        ErrorCode::CaptureNotFound
    );
    // Bytes from a drop: a GIF is not taken.
    let err = r
        .app
        .capture_bytes(
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            "patient_document_copy",
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::CaptureUnsupportedFormat);
    // And a good PNG dropped is.
    let v = r
        .app
        .capture_bytes(&page_png(400, 500), "birth_certificate")
        .unwrap();
    assert_eq!(v.kind, CaptureKind::BirthCertificate);
    assert_eq!(v.adjust, DEFAULT_ADJUST);
}

#[test]
fn documents_need_a_signed_in_clerk_and_an_unlocked_screen() {
    let r = Rig::with(&[]);
    assert_eq!(
        r.app.captures().unwrap_err().code,
        ErrorCode::AuthSignInRequired
    );
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    assert!(r.app.captures().unwrap().is_empty());
    r.app.lock().unwrap();
    assert_eq!(
        r.app.slips_today().unwrap_err().code,
        ErrorCode::AuthSignInRequired
    );
}

fn task_slip() -> TaskSlip {
    TaskSlip {
        task: ehr_slip::SlipTask::RegisterAdult,
        reference: "EHRC-2026-000123".to_owned(),
        document: Some(
            ehr_domain::DocumentNumber::parse(ehr_domain::DocumentType::Hkic, "A1234563").unwrap(),
        ),
        name_en: "CHAN, Tai Man".to_owned(),
        name_zh: None,
        channel: ehr_slip::AccessKeyChannel::Sms,
        providers: Vec::new(),
        language: SlipLanguage::Both,
    }
}

#[test]
fn a_completed_task_slip_is_kept_listed_today_printed_byte_for_byte_and_saved_privately() {
    let mut cupsd = match ehr_print::testing::PrivateCupsd::start() {
        Ok(c) => c,
        Err(e) => panic!("a private cupsd is needed for this test (run as root): {e}"),
    };
    cupsd.add_capture_queue("Counter").unwrap();
    cupsd.set_default("Counter").unwrap();
    let saves = tempfile::tempdir().unwrap();
    let r = signed_in(&[
        ("CUPS_SERVER", cupsd.socket().display().to_string()),
        (
            "EHR_SAVE_FOLDER",
            saves.path().join("slips").display().to_string(),
        ),
    ]);

    let opened = r.app.complete_task_slip(&task_slip()).unwrap();
    assert_eq!(opened.reference, "EHRC-2026-000123");
    assert!(!opened.pages_png_base64.is_empty());
    let today = r.app.slips_today().unwrap();
    assert_eq!(today.len(), 1);
    assert_eq!(today[0].reference, "EHRC-2026-000123");
    assert_eq!(today[0].summary, "A123***(3)", "masked only");
    assert_eq!(today[0].prints, 0);

    // The reprint: the kept PDF, printed on the default queue.
    let again = r.app.kept_slip(today[0].id).unwrap();
    let printers = r.app.printers().unwrap();
    assert!(printers
        .iter()
        .any(|p| p.name == "Counter" && p.preferred && p.ready));
    let printed = r.app.print_slip(again.handle, None).unwrap();
    assert_eq!(printed.printer, "Counter");
    let number: u32 = printed.job.rsplit('-').next().unwrap().parse().unwrap();
    let captured = cupsd.captured(number).expect("the printed bytes");
    let kept = {
        let store = r.app.store().unwrap();
        let pdf = crate::lock(&store).slip_pdf(today[0].id).unwrap().1;
        pdf
    };
    assert_eq!(
        captured, kept,
        "the printer got the kept slip, byte for byte"
    );
    assert_eq!(r.app.slips_today().unwrap()[0].prints, 1);

    // Saved: 0600, named by the reference, never by the person.
    let saved = r.app.save_slip(again.handle).unwrap();
    let path = std::path::PathBuf::from(&saved.path);
    assert!(path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("slip-EHRC-2026-000123-"));
    assert!(!saved.path.contains("CHAN"));
    assert_eq!(std::fs::read(&path).unwrap(), kept);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let store = r.app.store().unwrap();
    let s = crate::lock(&store);
    assert_eq!(s.audit_rows("slip.print").unwrap().len(), 1);
    assert_eq!(s.audit_rows("slip.save").unwrap().len(), 1);
    drop(s);

    // A stopped printer: said in words, the slip stays open to save.
    cupsd.tool("cupsdisable", &["Counter"]).unwrap();
    let err = r.app.print_slip(again.handle, Some("Counter")).unwrap_err();
    assert_eq!(err.code, ErrorCode::PrintQueueStopped);
    assert!(r.app.save_slip(again.handle).is_ok());
    r.app.close_slip(again.handle);
    assert_eq!(
        r.app.save_slip(again.handle).unwrap_err().code,
        ErrorCode::SlipNotFound
    );
    cupsd.stop();
}

#[test]
fn a_held_capture_travels_before_its_change_and_the_service_stores_it() {
    let r = signed_in(&[]);
    let v = r
        .app
        .capture_bytes(&page_png(600, 800), "supporting_document")
        .unwrap();
    // The change that names it (here it carries nothing else: the upload
    // is the change's first and only row).
    let change = crate::Change {
        record_key: "docs-1".to_owned(),
        kind: "documents".to_owned(),
        summary: "Supporting document".to_owned(),
        ops: Vec::new(),
    };
    let missing = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        r.app
            .commit_change_with_captures(&change, &[&missing])
            .unwrap_err()
            .code,
        ErrorCode::CaptureNotFound
    );
    let ids = r
        .app
        .commit_change_with_captures(&change, &[&v.image_id])
        .unwrap();
    assert_eq!(ids.len(), 1);
    assert!(r.app.captures().unwrap().is_empty(), "no longer held");
    assert!(r
        .app
        .wait_until_drained(std::time::Duration::from_secs(30))
        .unwrap());
    assert!(r.app.attention_list().unwrap().is_empty());
    assert_eq!(
        r.app
            .local_record("docs-1")
            .unwrap()
            .map(|l| l.0)
            .as_deref(),
        Some("synced")
    );
}

fn follow_up_row(serial: &str, days: u32, channel: &str) -> ehr_protocol::task::FollowUpRow {
    ehr_protocol::task::FollowUpRow {
        ehr_number: format!("EHR{serial}"),
        hospital_code: "QMH".to_owned(),
        serial: serial.to_owned(),
        registered_on: "01/10/2026".to_owned(),
        date_of_birth: "30/09/2026".to_owned(),
        days_waiting: days,
        name_en: format!("BABY OF CHAN, {serial}"),
        chinese_name: Some(String::new()),
        parent_document_masked: "A123***(*)".to_owned(),
        contact_channel: channel.to_owned(),
        contact_masked: "****5678".to_owned(),
    }
}

#[test]
fn the_follow_up_list_prints_the_view_oldest_first_with_masked_contacts() {
    let view = ehr_protocol::task::FollowUpView {
        days: 60,
        hospital_code: Some("QMH".to_owned()),
        items: vec![
            follow_up_row("BR-0003", 75, "sms"),
            follow_up_row("BR-0002", 61, ""),
            follow_up_row("BR-0001", 90, "fax"),
        ],
    };
    let time = ehr_slip::SlipTime::from_unix_ms(1_796_106_900_000).unwrap();
    let site = (
        "QMH".to_owned(),
        "Queen Mary Hospital".to_owned(),
        "QMH".to_owned(),
    );
    let list = follow_up_list(&view, site, time, ehr_slip::SlipLang::En);
    assert_eq!(list.days, 60);
    assert_eq!(list.rows.len(), 3);
    assert_eq!(
        list.rows[0].contact_channel,
        ehr_slip::AccessKeyChannel::Sms
    );
    // No channel, or one the list does not know: "no contact kept".
    for r in &list.rows[1..] {
        assert_eq!(r.contact_channel, ehr_slip::AccessKeyChannel::None);
    }
    assert_eq!(list.rows[0].chinese_name, None, "an empty name is none");
    assert!(!format!("{list:?}").contains("CHAN"));

    let fonts = ehr_slip::Fonts::load_system().unwrap();
    let pdf = ehr_slip::render_follow_up_list(&list, &fonts).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().unwrap().write_all(&pdf)?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
    assert!(at("BR-0001") < at("BR-0003") && at("BR-0003") < at("BR-0002"));
    assert!(text.contains("A123***(*)") && text.contains("****5678"));
    assert!(text.contains("Queen Mary Hospital (QMH)"));
    assert!(!text.contains("EHRBR-"), "the eHR number is not printed");
}

#[test]
fn the_follow_up_list_needs_a_signed_in_clerk_at_a_birth_hospital() {
    let r = Rig::with(&[]);
    assert_eq!(
        r.app.follow_up_slip(SlipLanguage::Both).unwrap_err().code,
        ErrorCode::AuthSignInRequired
    );
    // A registration centre keeps no follow-up list: the service's refusal.
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    assert_eq!(
        r.app.follow_up_slip(SlipLanguage::Both).unwrap_err().code,
        ErrorCode::AuthForbidden
    );
}

#[test]
fn a_birth_hospital_previews_and_saves_its_follow_up_list() {
    let saves = tempfile::tempdir().unwrap();
    let r = Rig::at(
        "QMH",
        &[(
            "EHR_SAVE_FOLDER",
            saves.path().join("lists").display().to_string(),
        )],
    );
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    let view = r.app.follow_up_slip(SlipLanguage::En).unwrap();
    assert_eq!(view.reference, FOLLOW_UP_REFERENCE);
    assert_eq!(view.language, SlipLanguage::En);
    assert_eq!(view.pages_png_base64.len(), 1, "an empty list is one page");
    let saved = r.app.save_slip(view.handle).unwrap();
    let path = std::path::PathBuf::from(&saved.path);
    assert!(path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("slip-FOLLOW-UP-"));
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let none = ehr_i18n::format(ehr_i18n::Lang::En, "list.follow_up.none", &[("days", "60")]);
    assert!(text.contains(&none), "{text}");
    assert!(text.contains("QMH"), "{text}");
    let store = r.app.store().unwrap();
    assert_eq!(
        crate::lock(&store).audit_rows("slip.save").unwrap()[0]
            .1
            .as_deref(),
        Some(FOLLOW_UP_REFERENCE)
    );
    r.app.close_slip(view.handle);
}

/// The text of a PDF, laid out as on the page (poppler's `pdftotext`).
fn pdf_text(pdf: &[u8]) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().unwrap().write_all(pdf)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn application_row(reference: &str, expires_on: &str) -> ehr_protocol::task::ApplicationRow {
    ehr_protocol::task::ApplicationRow {
        reference: reference.to_owned(),
        state: "pending".to_owned(),
        origin: "paper_post".to_owned(),
        submitted_on: "01/11/2026".to_owned(),
        expires_on: expires_on.to_owned(),
        expired: false,
        document_type: "hkic".to_owned(),
        document_masked: format!("A{}***(*)", &reference[reference.len() - 3..]),
        name_en: format!("CHAN, {reference}"),
        chinese_name: Some(" ".to_owned()),
        date_of_birth: "02/03/1950".to_owned(),
        applicant_role: "sdm".to_owned(),
    }
}

fn list_site() -> (String, String, String) {
    (
        "HA-QEH".to_owned(),
        "Queen Elizabeth Hospital".to_owned(),
        "QEH".to_owned(),
    )
}

#[test]
fn the_expiring_list_counts_the_days_left_from_the_day_it_is_made() {
    let view = ehr_protocol::task::ExpiringView {
        within_days: 30,
        items: vec![
            application_row("APP-20261101-0001", "04/12/2026"),
            application_row("APP-20261101-0002", "31/12/2026"),
            // Not a day, or already past: no days left.
            application_row("APP-20261101-0003", "soon"),
            application_row("APP-20261101-0004", "30/11/2026"),
        ],
    };
    // 2026-12-01 14:35 in Hong Kong.
    let time = ehr_slip::SlipTime::from_unix_ms(1_796_106_900_000).unwrap();
    let list = expiring_list(&view, list_site(), time, ehr_slip::SlipLang::Both);
    assert_eq!(list.within_days, 30);
    let days: Vec<u32> = list.rows.iter().map(|r| r.days_left).collect();
    assert_eq!(days, [3, 30, 0, 0]);
    let r = &list.rows[0];
    assert_eq!(r.reference, "APP-20261101-0001");
    assert_eq!(r.origin, "paper_post");
    assert_eq!(r.applicant_role, "sdm");
    assert_eq!(r.document_masked, "A001***(*)");
    assert_eq!(r.chinese_name, None, "a blank name is none");
    assert_eq!(list.site_code, "HA-QEH");
    assert!(!format!("{list:?}").contains("CHAN"));

    let fonts = ehr_slip::Fonts::load_system().unwrap();
    let text = pdf_text(&ehr_slip::render_expiring_list(&list, &fonts).unwrap());
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
    // Soonest first; the same days keep the service's order.
    assert!(at("APP-20261101-0003") < at("APP-20261101-0004"));
    assert!(at("APP-20261101-0004") < at("APP-20261101-0001"));
    assert!(at("APP-20261101-0001") < at("APP-20261101-0002"));
    assert!(text.contains("A002***(*)"));
    assert!(text.contains("Queen Elizabeth Hospital (HA-QEH)"));
}

#[test]
fn the_turning_16_list_prints_the_record_with_its_sdm_masked() {
    let record = |n: u32, document: Option<&str>| ehr_protocol::task::RecordRow {
        ehr_number: format!("EHR00000{n}"),
        state: "effective".to_owned(),
        document_masked: document.map(str::to_owned),
        name_en: format!("WONG, Siu Ming {n}"),
        chinese_name: (n == 1).then(|| "\u{9ec3}".to_owned()),
        registered_on: "01/01/2020".to_owned(),
        consents: Vec::new(),
        hospital_code: None,
        serial: None,
        date_of_birth: "05/12/2010".to_owned(),
        sdm_document_masked: Some(format!("K{n}55***(*)")),
        sdm_relationship: Some(("Parent".to_owned(), "Parent".to_owned())),
    };
    let view = ehr_protocol::task::TurningView {
        within_days: 60,
        items: vec![
            ehr_protocol::task::TurningRow {
                record: record(1, Some("Y111***(*)")),
                turns_16_on: "05/12/2026".to_owned(),
                days_left: 4,
            },
            ehr_protocol::task::TurningRow {
                record: record(2, None),
                turns_16_on: "20/01/2027".to_owned(),
                days_left: 50,
            },
        ],
    };
    let time = ehr_slip::SlipTime::from_unix_ms(1_796_106_900_000).unwrap();
    let list = turning_list(&view, list_site(), time, ehr_slip::SlipLang::En);
    assert_eq!(list.within_days, 60);
    assert_eq!(list.rows.len(), 2);
    assert_eq!(list.rows[0].ehr_number, "EHR000001");
    assert_eq!(list.rows[0].document_masked.as_deref(), Some("Y111***(*)"));
    assert_eq!(list.rows[1].document_masked, None);
    assert_eq!(
        list.rows[1].sdm_document_masked.as_deref(),
        Some("K255***(*)")
    );
    assert_eq!(list.rows[0].days_left, 4);
    assert!(!format!("{list:?}").contains("WONG"));

    let fonts = ehr_slip::Fonts::load_system().unwrap();
    let text = pdf_text(&ehr_slip::render_turning_list(&list, &fonts).unwrap());
    let line = |s: &str| {
        text.lines()
            .find(|l| l.contains(s))
            .unwrap_or_else(|| panic!("{s} in {text}"))
            .to_owned()
    };
    let first = line("EHR000001");
    assert!(first.contains("Y111***(*)") && first.contains("K155***(*)"));
    assert!(first.contains("05/12/2026"), "{first}");
    assert!(line("EHR000002").contains("K255***(*)"));
    assert!(text.find("EHR000001").unwrap() < text.find("EHR000002").unwrap());
}

#[test]
fn the_supervisors_lists_preview_for_a_supervisor_and_a_clerk_is_refused() {
    let saves = tempfile::tempdir().unwrap();
    let r = Rig::at(
        "HA-QEH",
        &[(
            "EHR_SAVE_FOLDER",
            saves.path().join("lists").display().to_string(),
        )],
    );
    for e in [
        r.app.follow_up_expiring_slip(SlipLanguage::Both),
        r.app.follow_up_turning_16_slip(SlipLanguage::Both),
    ] {
        assert_eq!(e.unwrap_err().code, ErrorCode::AuthSignInRequired);
    }
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    for e in [
        r.app.follow_up_expiring_slip(SlipLanguage::Both),
        r.app.follow_up_turning_16_slip(SlipLanguage::Both),
    ] {
        assert_eq!(e.unwrap_err().code, ErrorCode::AuthForbidden);
    }
    r.app.sign_out();

    r.sign_in("super01", &Rig::password("super01")).unwrap();
    let expiring = r.app.follow_up_expiring_slip(SlipLanguage::En).unwrap();
    assert_eq!(expiring.reference, EXPIRING_REFERENCE);
    assert_eq!(expiring.language, SlipLanguage::En);
    assert!(!expiring.pages_png_base64.is_empty());
    let turning = r.app.follow_up_turning_16_slip(SlipLanguage::Zh).unwrap();
    assert_eq!(turning.reference, TURNING_16_REFERENCE);
    assert!(!turning.pages_png_base64.is_empty());

    let saved = r.app.save_slip(turning.handle).unwrap();
    let path = std::path::PathBuf::from(&saved.path);
    assert!(path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("slip-TURNING-16-"));
    let text = pdf_text(&std::fs::read(&path).unwrap());
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    assert!(
        squash(&text).contains(&squash(ehr_i18n::text(
            ehr_i18n::Lang::ZhHk,
            "list.turning_16.title"
        ))),
        "{text}"
    );
    let store = r.app.store().unwrap();
    assert_eq!(
        crate::lock(&store).audit_rows("slip.save").unwrap()[0]
            .1
            .as_deref(),
        Some(TURNING_16_REFERENCE)
    );
    r.app.close_slip(expiring.handle);
    r.app.close_slip(turning.handle);
}
