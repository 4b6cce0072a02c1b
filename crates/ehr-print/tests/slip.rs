//! A real bilingual slip from `ehr-slip`, printed through a private cupsd:
//! the printer receives the same file, and it still reads as the slip.

use std::time::Duration;

use ehr_print::testing::PrivateCupsd;
use ehr_print::JobState;
use ehr_slip::{render_slip, sample_slip, Fonts, SlipLang};

#[test]
fn the_printed_file_is_the_same_slip() {
    let fonts = Fonts::load_system().expect("the slip fonts (fonts-noto-cjk)");
    let slip = sample_slip(SlipLang::Both).unwrap();
    let pdf = render_slip(&slip, &fonts).unwrap();

    let d = PrivateCupsd::start()
        .unwrap_or_else(|e| panic!("cannot start a private cupsd for this test: {e}"));
    d.add_capture_queue("Counter").unwrap();
    d.set_default("Counter").unwrap();
    let cups = d.cups();
    let job = cups.print(None, &pdf).unwrap();
    let state = cups
        .wait(&job, 400, &mut || {
            std::thread::sleep(Duration::from_millis(25))
        })
        .unwrap();
    assert_eq!(state, JobState::Completed);
    let printed = d
        .captured(job.number())
        .unwrap_or_else(|| panic!("nothing captured: {}", d.logs()));
    assert!(printed == pdf, "the printer got another file than the slip");

    // The captured file still reads as the slip (poppler), in both languages.
    let path = d.dir().join("printed.pdf");
    std::fs::write(&path, &printed).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&slip.reference), "{text}");
    for lang in [ehr_i18n::Lang::En, ehr_i18n::Lang::ZhHk] {
        let heading = ehr_i18n::text(lang, "slip.heading.next");
        assert!(text.contains(heading), "{heading} not in {text}");
    }
    // The spool keeps no copy of it.
    assert!(d.spool_files().iter().all(|(_, b)| !b
        .windows(16)
        .any(|w| w == &pdf[pdf.len() / 2..pdf.len() / 2 + 16])));
}
