//! Documents in and out, in the built app with the real parts: a scanner
//! folder on disk feeding the capture dialog, the encrypted store, the
//! reference central service over loopback, poppler for the slip preview,
//! and a private cupsd whose capture backend keeps the printed bytes.
//!
//! One app run: a scan is captured, turned and kept (the scanner's file is
//! gone); a completed task's slip (made beside the app, as a workflow
//! does) is reprinted from today's list on the counter's printer, byte for
//! byte, and saved as a private file; a stopped printer is said in words
//! and the slip stays to save.

use std::time::Duration;

use ehr_protocol::ipc::{SignInRequest, SlipLanguage};
use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use ehr_tests::outbox;
use fantoccini::{Client, Locator};

use crate::ui::{self, assert_accessible, click};

const WAIT: Duration = Duration::from_secs(30);

async fn attr(client: &Client, css: &str, name: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .attr(name)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

#[test]
fn a_scan_is_captured_and_a_slip_is_reprinted_byte_for_byte_and_saved() {
    let central = Central::start("e2e-documents").expect("ehr-central");
    let mut cupsd = ehr_print::testing::PrivateCupsd::start()
        .unwrap_or_else(|e| panic!("a private cupsd is needed (run as root): {e}"));
    cupsd.add_capture_queue("Counter").expect("queue");
    cupsd.set_default("Counter").expect("default queue");
    let scans = tempfile_dir("scans");
    let saves = tempfile_dir("saves");
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
        ("EHR_SCAN_FOLDER".to_owned(), scans.display().to_string()),
        ("EHR_SAVE_FOLDER".to_owned(), saves.display().to_string()),
        (
            "CUPS_SERVER".to_owned(),
            cupsd.socket().display().to_string(),
        ),
    ];
    let clerk = central.clerk.clone();
    let scan_dir = scans.clone();
    let cupsd_socket = cupsd.socket();
    let (tx, rx) = std::sync::mpsc::channel::<u32>();
    run_with("documents", env, move |client, env| async move {
        ui::sign_in(&client, &clerk.0, &clerk.1).await;
        wait_for(&client, Locator::Css("[data-testid=documents-empty]"), WAIT).await;

        // The capture dialog waits for the scanner; a scan arrives.
        click(&client, "[data-testid=open-capture]").await;
        wait_for(
            &client,
            Locator::Css("[data-testid=scan-folder-empty]"),
            WAIT,
        )
        .await;
        let png = ui::page_png(1240, 1754);
        std::fs::write(scan_dir.join("scan_0001.png"), &png).expect("scan");
        let take = wait_for(&client, Locator::Css("[data-testid=scan-file]"), WAIT).await;
        assert_eq!(
            take.attr("data-name").await.ok().flatten().as_deref(),
            Some("scan_0001.png")
        );
        assert_accessible(&client, "capture dialog with a scan waiting").await;
        take.click().await.expect("take the scan");
        wait_for(&client, Locator::Css("[data-testid=capture-size]"), WAIT).await;
        let bytes: u64 = attr(&client, "[data-testid=capture-size]", "data-bytes")
            .await
            .parse()
            .expect("bytes");
        assert!(bytes > 0 && bytes <= 500_000, "{bytes} bytes");
        assert!(
            !scan_dir.join("scan_0001.png").exists(),
            "the scanner's file is gone once captured"
        );
        // Turned a quarter: the size line follows (width and height swap).
        let before = ui::text_of(&client, "[data-testid=capture-size]").await;
        click(&client, "[data-testid=rotate-right]").await;
        let after = wait_for_text(
            &client,
            Locator::Css("[data-testid=capture-size]"),
            WAIT,
            |t| !t.is_empty() && t != before,
        )
        .await;
        let dims = |t: &str| -> (u32, u32) {
            let n: Vec<u32> = t
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .take(2)
                .map(|s| s.parse().unwrap_or(0))
                .collect();
            (n[0], n[1])
        };
        let (w0, h0) = dims(&before);
        assert_eq!(dims(&after), (h0, w0), "{before} -> {after}");
        assert_accessible(&client, "capture dialog adjusting").await;
        click(&client, "[data-testid=capture-keep]").await;
        let doc = wait_for(&client, Locator::Css("[data-testid=document]"), WAIT).await;
        assert_eq!(
            doc.attr("data-kind").await.ok().flatten().as_deref(),
            Some("patient_document_copy")
        );

        // A workflow completes a task beside the app (its slip is kept).
        let (central, reference) = tokio::task::spawn_blocking(move || {
            let app = outbox::app(&env.data_dir, &central.url, &central.counter_key, 300);
            app.sign_in(&SignInRequest {
                staff_code: central.clerk.0.clone(),
                password: central.clerk.1.clone(),
            })
            .expect("sign-in beside the app");
            app.open_store_without_sync().expect("store beside the app");
            let doc = ehr_domain::DocumentNumber::parse(ehr_domain::DocumentType::Hkic, "A1234563")
                .expect("number");
            let slip = app
                .complete_task_slip(&ehr_app::documents::TaskSlip {
                    task: ehr_slip::SlipTask::RegisterAdult,
                    reference: "EHRC-E2E-0001".to_owned(),
                    document: Some(doc),
                    name_en: "CHAN, Tai Man".to_owned(),
                    name_zh: None,
                    channel: ehr_slip::AccessKeyChannel::Sms,
                    providers: Vec::new(),
                    language: SlipLanguage::Both,
                })
                .expect("slip");
            (central, slip.reference)
        })
        .await
        .expect("beside");

        click(&client, "[data-testid=open-today]").await;
        let row = wait_for(&client, Locator::Css("[data-testid=today-slip]"), WAIT).await;
        assert_eq!(
            row.attr("data-reference").await.ok().flatten().as_deref(),
            Some(reference.as_str())
        );
        let row_text = row.text().await.unwrap_or_default();
        assert!(row_text.contains("A123***(3)"), "{row_text}");
        assert!(!row_text.contains("A1234563"), "{row_text}");
        click(&client, "[data-testid=today-reprint]").await;
        wait_for(&client, Locator::Css("[data-testid=slip-pages] img"), WAIT).await;
        assert_accessible(&client, "slip preview").await;
        click(&client, "[data-testid=slip-print]").await;
        let done = ui::text_of(&client, "[data-testid=slip-done]").await;
        assert!(done.contains("Counter"), "{done}");
        // Saved as a file too.
        click(&client, "[data-testid=slip-save]").await;
        let saved = wait_for_text(
            &client,
            Locator::Css("[data-testid=slip-done]"),
            WAIT,
            |t| t.contains(".pdf"),
        )
        .await;
        assert!(saved.contains("slip-EHRC-E2E-0001-"), "{saved}");

        // The printer stops: the clerk is told, and can still save.
        let stopped = std::process::Command::new("cupsdisable")
            .env("CUPS_SERVER", &cupsd_socket)
            .arg("Counter")
            .status()
            .expect("cupsdisable");
        assert!(stopped.success());
        click(&client, "[data-testid=slip-print]").await;
        let err = wait_for(&client, Locator::Css("[data-testid=slip-error]"), WAIT).await;
        assert_eq!(
            err.attr("data-code").await.ok().flatten().as_deref(),
            Some("print.queue_stopped")
        );
        let words = err.text().await.unwrap_or_default();
        assert!(words.contains("saved as a file"), "{words}");
        let pages: u64 = attr(&client, "[data-testid=slip-pages]", "data-bytes")
            .await
            .parse()
            .unwrap_or(0);
        let _ = tx.send(pages as u32);
        click(&client, "[data-testid=slip-close]").await;
        wait_for(&client, Locator::Css("[data-testid=today-slip]"), WAIT).await;
        let prints = wait_for_text(
            &client,
            Locator::Css("[data-testid=today-prints]"),
            WAIT,
            |t| t == "1",
        )
        .await;
        assert_eq!(prints, "1");
        // Every audit event (the capture, the print, the save, and the
        // sign-in made beside the app) reached the service in the chain's
        // order: nothing waits and nothing needs attention.
        click(&client, "[data-testid=close-today]").await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=sync-queued]"),
            WAIT,
            |t| t.contains("Nothing waiting"),
        )
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(
            client
                .find(Locator::Css("[data-testid=open-attention]"))
                .await
                .is_err(),
            "an audit event was refused"
        );
        drop(central);
    });

    // After the app: the printed job is the saved slip, byte for byte.
    let pdf_bytes = rx.recv_timeout(Duration::from_secs(1)).expect("slip size");
    let saved: Vec<_> = std::fs::read_dir(&saves)
        .expect("save folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let file = std::fs::read(&saved[0]).expect("saved slip");
    assert_eq!(file.len() as u32, pdf_bytes);
    let printed = cupsd.captures();
    assert_eq!(printed.len(), 1, "one job reached the printer: {printed:?}");
    assert_eq!(
        std::fs::read(&printed[0]).expect("captured job"),
        file,
        "the printer got the slip, byte for byte"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved[0]).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    cupsd.stop();
    let _ = std::fs::remove_dir_all(&scans);
    let _ = std::fs::remove_dir_all(&saves);
}

fn tempfile_dir(what: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ehr-e2e-documents-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
