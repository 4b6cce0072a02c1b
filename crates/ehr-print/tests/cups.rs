//! Printing through a real, private cupsd (`ehr_print::testing`): a raw
//! queue whose backend captures the job's bytes, one whose backend fails.
//! Needs root and the cups packages; without them these tests fail with the
//! reason (they never pass silently).

use std::time::Duration;

use ehr_print::testing::{Options, PrivateCupsd};
use ehr_print::{Cups, JobState, PrintError, JOB_TITLE};

fn cupsd_with(options: Options) -> PrivateCupsd {
    PrivateCupsd::start_with(options)
        .unwrap_or_else(|e| panic!("cannot start a private cupsd for this test: {e}"))
}

fn cupsd() -> PrivateCupsd {
    cupsd_with(Options::default())
}

/// A short pause between two looks at a job: the test decides, not the library.
fn pause() {
    std::thread::sleep(Duration::from_millis(25));
}

/// At most 10 s of polling (400 × 25 ms); a job on these queues ends in
/// well under a second.
const POLLS: u32 = 400;

/// A small, valid one-page PDF whose text holds `marker`.
fn small_pdf(marker: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 720 Td ({marker}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_printed_pdf_reaches_the_printer_byte_for_byte_and_the_spool_keeps_nothing() {
    let d = cupsd();
    d.add_capture_queue("Capture").unwrap();
    d.set_default("Capture").unwrap();
    let cups = d.cups();
    let marker = "CHAN TAI MAN A123456(3)";
    let pdf = small_pdf(marker);

    let queues = cups.queues().unwrap();
    assert_eq!(queues.len(), 1);
    assert!(queues[0].is_default && queues[0].enabled && queues[0].accepting);

    // The default queue, by not naming one.
    let job = cups.print(None, &pdf).unwrap();
    assert_eq!(job.queue(), "Capture");
    assert_eq!(
        cups.wait(&job, POLLS, &mut pause).unwrap(),
        JobState::Completed
    );
    assert_eq!(cups.job_state(&job).unwrap(), JobState::Completed);

    let captured = d
        .captured(job.number())
        .unwrap_or_else(|| panic!("the capture backend got nothing: {}", d.logs()));
    assert!(
        captured == pdf,
        "the printer got other bytes than were sent"
    );

    // CUPS's record of the job names no one: the title is the neutral one.
    assert_eq!(
        d.job_attribute(job.number(), "job-name").unwrap(),
        JOB_TITLE
    );
    // And with PreserveJobFiles No the document is gone from the spool: no
    // d* file, and no file holding the document's text.
    let spool = d.spool_files();
    assert!(!spool.is_empty(), "the job history (c* file) is expected");
    for (path, bytes) in &spool {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(!name.starts_with('d'), "job file kept: {}", path.display());
        assert!(
            !contains(bytes, marker.as_bytes()),
            "{} holds the document's text",
            path.display()
        );
        assert!(!contains(bytes, b"%PDF-"), "{} holds a PDF", path.display());
    }
    // The history does hold the (neutral) title.
    assert!(spool.iter().any(|(_, b)| contains(b, JOB_TITLE.as_bytes())));
    assert!(!cups.preserves_job_files().unwrap());
}

#[test]
fn cups_default_keeps_the_document_in_its_spool_which_doctor_reports() {
    // The reason for the counter set-up's PreserveJobFiles No: without it,
    // the printed slip stays in the spool after the job has completed.
    let d = cupsd_with(Options {
        preserve_job_files: true,
    });
    d.add_capture_queue("Capture").unwrap();
    let cups = d.cups();
    assert!(cups.preserves_job_files().unwrap());
    let marker = "KEPT-IN-SPOOL";
    let pdf = small_pdf(marker);
    let job = cups.print(Some("Capture"), &pdf).unwrap();
    assert_eq!(
        cups.wait(&job, POLLS, &mut pause).unwrap(),
        JobState::Completed
    );
    let kept = d
        .spool_files()
        .into_iter()
        .filter(|(p, b)| p.file_name().unwrap().to_string_lossy().starts_with('d') && *b == pdf)
        .count();
    assert_eq!(kept, 1, "CUPS's default keeps the job file");
}

#[test]
fn no_printer_set_up_or_no_default_is_no_printer_and_an_unknown_name_is_unknown_queue() {
    let d = cupsd();
    let cups = d.cups();
    let pdf = small_pdf("NOTHING");
    assert_eq!(cups.queues().unwrap(), vec![]);
    assert_eq!(cups.print(None, &pdf), Err(PrintError::NoPrinter));
    assert_eq!(
        cups.print(Some("Capture"), &pdf),
        Err(PrintError::NoPrinter)
    );
    d.add_capture_queue("Capture").unwrap();
    // A queue, but none is the default and none is named.
    assert_eq!(cups.print(None, &pdf), Err(PrintError::NoPrinter));
    assert_eq!(
        cups.print(Some("Elsewhere"), &pdf),
        Err(PrintError::UnknownQueue)
    );
    // A name that would read as an option to lp.
    assert_eq!(
        cups.print(Some("-oraw"), &pdf),
        Err(PrintError::UnknownQueue)
    );
    assert!(d.captures().is_empty());
    // Names are case-insensitive in CUPS.
    let job = cups.print(Some("capture"), &pdf).unwrap();
    assert_eq!(
        cups.wait(&job, POLLS, &mut pause).unwrap(),
        JobState::Completed
    );
    assert_eq!(d.captured(job.number()).as_deref(), Some(&pdf[..]));
}

#[test]
fn a_stopped_queue_is_queue_stopped_and_nothing_prints() {
    let d = cupsd();
    d.add_capture_queue("Capture").unwrap();
    d.tool("cupsdisable", &["Capture"]).unwrap();
    let cups = d.cups();
    assert!(!cups.queues().unwrap()[0].enabled);
    assert_eq!(
        cups.print(Some("Capture"), &small_pdf("STOPPED")),
        Err(PrintError::QueueStopped)
    );
    // No job was made at all.
    assert_eq!(d.tool("lpstat", &["-W", "all", "-o"]).unwrap().trim(), "");
    // A job that reached the queue anyway (queued by hand while it is
    // stopped): waiting for it says the queue is stopped.
    let pdf_path = d.dir().join("q.pdf");
    std::fs::write(&pdf_path, small_pdf("QUEUED")).unwrap();
    let answer = d
        .tool(
            "lp",
            &[
                "-d",
                "Capture",
                "-t",
                JOB_TITLE,
                &pdf_path.to_string_lossy(),
            ],
        )
        .unwrap();
    let job = ehr_print::parse_request_id(&answer).unwrap();
    assert_eq!(
        cups.wait(&job, POLLS, &mut pause),
        Err(PrintError::QueueStopped)
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(d.captures().is_empty(), "a stopped queue printed");
}

#[test]
fn a_queue_that_refuses_jobs_is_queue_rejecting() {
    let d = cupsd();
    d.add_capture_queue("Capture").unwrap();
    d.tool("cupsreject", &["Capture"]).unwrap();
    assert_eq!(
        d.cups().print(Some("Capture"), &small_pdf("REJECT")),
        Err(PrintError::QueueRejecting)
    );
    assert!(d.captures().is_empty());
}

#[test]
fn a_job_the_printer_fails_is_job_failed() {
    let d = cupsd();
    d.add_failing_queue("Broken").unwrap();
    let cups = d.cups();
    let job = cups.print(Some("Broken"), &small_pdf("FAILS")).unwrap();
    let outcome = cups.wait(&job, POLLS, &mut pause);
    assert_eq!(outcome, Err(PrintError::JobFailed), "{}", d.logs());
    assert_eq!(cups.job_state(&job).unwrap(), JobState::Aborted);
    assert_eq!(outcome.unwrap_err().clerk_code(), "print.job_failed");
}

#[test]
fn without_cupsd_everything_is_cups_unavailable() {
    let mut d = cupsd();
    d.add_capture_queue("Capture").unwrap();
    let cups = d.cups();
    let job = cups.print(Some("Capture"), &small_pdf("BEFORE")).unwrap();
    d.stop();
    let pdf = small_pdf("DOWN");
    assert!(!cups.is_running().unwrap());
    for e in [
        cups.queues().unwrap_err(),
        cups.print(Some("Capture"), &pdf).unwrap_err(),
        cups.print(None, &pdf).unwrap_err(),
        cups.job_state(&job).unwrap_err(),
        cups.wait(&job, 3, &mut pause).unwrap_err(),
        cups.preserves_job_files().unwrap_err(),
    ] {
        assert_eq!(e.code(), "print.cups_unavailable", "{e}");
    }
    // A server that never existed (no root needed for this one).
    let nowhere = Cups::with_server(d.dir().join("none.sock").to_string_lossy().into_owned());
    assert_eq!(
        nowhere.print(None, &pdf).unwrap_err().code(),
        "print.cups_unavailable"
    );
}

#[test]
fn what_is_not_a_pdf_is_not_sent() {
    let d = cupsd();
    d.add_capture_queue("Capture").unwrap();
    let cups = d.cups();
    assert_eq!(
        cups.print(Some("Capture"), b""),
        Err(PrintError::EmptyDocument)
    );
    assert_eq!(
        cups.print(Some("Capture"), b"plain text, not a slip"),
        Err(PrintError::NotPdf)
    );
    assert_eq!(d.tool("lpstat", &["-W", "all", "-o"]).unwrap().trim(), "");
}
