//! The app opens on its sign-in screen, and its errors reach the clerk in
//! both languages.

use std::time::Duration;

use ehr_tests::harness::{run, wait_for, wait_for_text, window_names};
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn opens_on_sign_in_screen() {
    run("opens_on_sign_in_screen", |client, env| async move {
        let heading = wait_for(&client, Locator::Css("h1#sign-in-heading"), WAIT).await;
        assert!(
            heading.is_displayed().await.unwrap(),
            "the heading is visible"
        );
        let text = heading.text().await.unwrap();
        assert!(
            text.contains("Sign in") && text.contains("登入"),
            "bilingual heading, got {text:?}"
        );

        assert_eq!(
            client.title().await.unwrap(),
            "eHR Counter",
            "document title"
        );
        let names = window_names(&env.display).unwrap();
        assert!(
            names.iter().any(|n| n == "eHR Counter"),
            "a top-level window titled \"eHR Counter\" exists on {}; windows: {names:?}",
            env.display
        );

        // The footer comes from the typed `app_info` command: the round trip
        // UI -> Rust -> UI works and carries the real version.
        let about = wait_for_text(&client, Locator::Css("[data-testid=app-info]"), WAIT, |t| {
            t.contains("eHR Counter")
        })
        .await;
        assert!(
            about.contains(env!("CARGO_PKG_VERSION")),
            "version shown, got {about:?}"
        );
        assert!(
            about.contains("not configured"),
            "no central configured in tests, got {about:?}"
        );
    });
}

#[test]
fn sign_in_errors_are_specific_and_bilingual() {
    run(
        "sign_in_errors_are_specific_and_bilingual",
        |client, _env| async move {
            let submit = wait_for(&client, Locator::Css("button[type=submit]"), WAIT).await;
            submit.click().await.unwrap();
            let alert = wait_for(&client, Locator::Css("[role=alert][data-code]"), WAIT).await;
            assert_eq!(
                alert.attr("data-code").await.unwrap().as_deref(),
                Some("auth.staff_code_required")
            );
            let text = alert.text().await.unwrap();
            assert!(
                text.contains("Enter your staff code.") && text.contains("請輸入職員編號。"),
                "{text:?}"
            );
            let field = client.find(Locator::Id("staff-code")).await.unwrap();
            assert_eq!(
                field.attr("aria-invalid").await.unwrap().as_deref(),
                Some("true")
            );

            // A well-formed attempt reaches the app crate, which says plainly that
            // this counter has no central service.
            field.send_keys("HA-0042").await.unwrap();
            client
                .find(Locator::Id("password"))
                .await
                .unwrap()
                .send_keys("not-a-real-password")
                .await
                .unwrap();
            client
                .find(Locator::Css("button[type=submit]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            let code = wait_for_text(
                &client,
                Locator::Css("[role=alert][data-code]"),
                WAIT,
                |t| t.contains("central"),
            )
            .await;
            assert!(
                code.contains("not connected to a central registration service"),
                "{code:?}"
            );
            assert!(
                code.contains("尚未連接中央登記服務"),
                "Chinese message present: {code:?}"
            );
            let alert = client
                .find(Locator::Css("[role=alert][data-code]"))
                .await
                .unwrap();
            assert_eq!(
                alert.attr("data-code").await.unwrap().as_deref(),
                Some("central.not_configured")
            );
            let pw = client.find(Locator::Id("password")).await.unwrap();
            assert_eq!(
                pw.prop("value").await.unwrap().as_deref(),
                Some(""),
                "password cleared after an attempt"
            );
        },
    );
}
