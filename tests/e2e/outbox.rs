//! The status bar and the "needs attention" list of the built app, with a
//! real ehr-central: a change the service refuses shows up with its reason
//! in both languages, prints a notice, and a supervisor discards it with a
//! reason. The refused change is put into the running app's store by the
//! app crate beside it (as `ehrctl` would), which the app's driver picks up.

use std::time::Duration;

use ehr_protocol::ipc::SignInRequest;
use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use ehr_tests::outbox;
use fantoccini::{Client, Locator};

use crate::ui::{self, assert_accessible, click, fill};

const WAIT: Duration = Duration::from_secs(30);

async fn sign_in(client: &Client, who: &(String, String)) {
    ui::sign_in(client, &who.0, &who.1).await;
    wait_for(client, Locator::Css("[data-testid=sync-status]"), WAIT).await;
}

fn signed_in_app(dir: &std::path::Path, central: &Central) -> ehr_app::App {
    let app = outbox::app(dir, &central.url, &central.counter_key, 300);
    app.sign_in(&SignInRequest {
        staff_code: central.clerk.0.clone(),
        password: central.clerk.1.clone(),
    })
    .expect("sign-in beside the app");
    app
}

#[test]
fn a_refused_change_is_explained_noticed_and_discarded_by_a_supervisor() {
    let central = Central::start("e2e-outbox").expect("ehr-central");
    // The person is registered first, elsewhere.
    let elsewhere = std::env::temp_dir().join(format!("ehr-e2e-elsewhere-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&elsewhere);
    {
        let app = signed_in_app(&elsewhere, &central);
        app.open_store().expect("store");
        app.commit_change(&outbox::walk_in(42)).expect("commit");
        assert!(app.wait_until_drained(WAIT).expect("status"));
    }
    let saves = std::env::temp_dir().join(format!("ehr-e2e-notices-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&saves);
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
        ("EHR_SAVE_FOLDER".to_owned(), saves.display().to_string()),
        // No printing system answers here.
        (
            "CUPS_SERVER".to_owned(),
            saves.join("no-cupsd.sock").display().to_string(),
        ),
    ];
    let (clerk, supervisor) = (central.clerk.clone(), central.supervisor.clone());
    run_with("outbox_attention", env, move |client, env| async move {
        sign_in(&client, &clerk).await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=sync-queued]"),
            WAIT,
            |t| t.contains("Nothing waiting"),
        )
        .await;

        // The same person again, committed into this app's store.
        let beside = tokio::task::spawn_blocking(move || {
            let app = signed_in_app(&env.data_dir, &central);
            app.open_store_without_sync().expect("store beside the app");
            let mut dup = outbox::walk_in(42);
            dup.record_key = "dup-42".into();
            app.commit_change(&dup).expect("commit beside the app");
            central
        })
        .await
        .expect("beside");

        // The app's driver finds it (its rescan runs every 10 s), sends it,
        // and the refusal surfaces.
        wait_for(&client, Locator::Css("[data-testid=open-attention]"), WAIT).await;
        click(&client, "[data-testid=open-attention]").await;
        let reason = ui::text_of(&client, "[data-testid=attention-reason]").await;
        assert!(reason.contains("already registered"), "{reason}");
        // The same reason in Chinese, when the screen is switched.
        click(&client, "[data-testid=switch-language]").await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=attention-reason]"),
            WAIT,
            |t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        )
        .await;
        click(&client, "[data-testid=switch-language]").await;
        let item = client
            .find(Locator::Css("[data-testid=attention-item]"))
            .await
            .unwrap();
        assert_eq!(
            item.attr("data-code").await.unwrap().as_deref(),
            Some("conflict.already_registered")
        );
        assert!(item.text().await.unwrap().contains("Walk-in registration"));
        // A clerk cannot discard.
        assert!(client
            .find(Locator::Css("[data-testid=attention-discard]"))
            .await
            .is_err());

        // The notice for the person, in both languages, as a PDF: previewed,
        // and with no printing system reachable, said in words and saved.
        click(&client, "[data-testid=attention-notice]").await;
        wait_for(&client, Locator::Css("[data-testid=slip-pages] img"), WAIT).await;
        click(&client, "[data-testid=slip-print]").await;
        let err = wait_for(&client, Locator::Css("[data-testid=slip-error]"), WAIT).await;
        assert_eq!(
            err.attr("data-code").await.ok().flatten().as_deref(),
            Some("print.cups_unavailable")
        );
        click(&client, "[data-testid=slip-save]").await;
        let saved = wait_for_text(
            &client,
            Locator::Css("[data-testid=slip-done]"),
            WAIT,
            |t| t.contains(".pdf"),
        )
        .await;
        let path = saved
            .split_whitespace()
            .find(|w| w.ends_with(".pdf"))
            .unwrap_or_default()
            .to_owned();
        let text = std::process::Command::new("pdftotext")
            .args([path.as_str(), "-"])
            .output()
            .expect("pdftotext");
        let notice = String::from_utf8_lossy(&text.stdout);
        assert!(
            notice.contains("not complete yet")
                && notice.contains("\u{5c1a}\u{672a}\u{5b8c}\u{6210}"),
            "{notice}"
        );
        assert_accessible(&client, "attention notice preview").await;
        // The list and the notice as the clerk sees them, beside the final
        // screen (after WebKit has painted).
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Ok(png) = client.screenshot().await {
            let path = ehr_tests::harness::screenshot_path("outbox_attention_list");
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(path, png);
        }

        click(&client, "[data-testid=slip-close]").await;
        // A supervisor discards it, with a reason.
        click(&client, "[data-testid=sign-out]").await;
        sign_in(&client, &supervisor).await;
        click(&client, "[data-testid=open-attention]").await;
        click(&client, "[data-testid=attention-discard]").await;
        click(&client, "[data-testid=discard-confirm]").await;
        let err = ui::text_of(&client, "[data-testid=attention-error]").await;
        assert!(err.contains("reason"), "{err}");
        fill(&client, "discard-reason", "Registered at another centre").await;
        click(&client, "[data-testid=discard-confirm]").await;
        wait_for(&client, Locator::Css("[data-testid=attention-empty]"), WAIT).await;
        click(&client, "[data-testid=close-attention]").await;
        // The status bar no longer offers the list.
        let deadline = std::time::Instant::now() + WAIT;
        while client
            .find(Locator::Css("[data-testid=open-attention]"))
            .await
            .is_ok()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the attention button stayed"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        wait_for_text(
            &client,
            Locator::Css("[data-testid=sync-link]"),
            WAIT,
            |t| t.contains("Online"),
        )
        .await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=sync-queued]"),
            WAIT,
            |t| t.contains("Nothing waiting"),
        )
        .await;
        drop(beside);
    });
    let _ = std::fs::remove_dir_all(&elsewhere);
    let _ = std::fs::remove_dir_all(&saves);
}
