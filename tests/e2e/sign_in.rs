//! First run and sign-in: a counter that was never enrolled opens on the
//! first-run screen, refuses bad input with its own specific error each, is
//! enrolled with a code from `ehr-central counter enrol`, and then opens on
//! its sign-in screen, in either language, keyboard first.

use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text, window_names};
use fantoccini::{Client, Locator};

use crate::ui::{assert_accessible, click, fill, type_keys, wait_for_focus, ENTER, TAB, WAIT};

/// Submit the first-run form with `url` and `code`; the refusal's code.
async fn enrol_refused(client: &Client, url: &str, code: &str) -> String {
    fill(client, "enrol-central", url).await;
    fill(client, "enrol-code", code).await;
    // An earlier refusal goes when the new one comes: wait for a change.
    let before = match client.find(Locator::Css("#enrol-error")).await {
        Ok(e) => e.attr("data-code").await.ok().flatten(),
        Err(_) => None,
    };
    click(client, "[data-testid=enrol-submit]").await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Ok(e) = client.find(Locator::Css("#enrol-error")).await {
            let now = e.attr("data-code").await.ok().flatten();
            if now.is_some() && now != before {
                return now.unwrap_or_default();
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no new refusal for {url} (still {before:?})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn first_run_enrols_the_counter_then_opens_on_sign_in() {
    let central = Central::start("first-run").expect("ehr-central");
    let code = central
        .mint_enrolment_code("HA-QEH", "QEH counter 7")
        .expect("enrolment code");
    let (staff, password) = central.clerk.clone();
    let url = central.url.clone();
    let mut central = central;
    let refused_port = format!("http://127.0.0.1:{}", free_port());
    // No machine key and no address: a counter fresh from the installer.
    run_with("first_run", Vec::new(), move |client, env| async move {
        let heading = wait_for(&client, Locator::Css("h1#enrol-heading"), WAIT).await;
        assert!(heading.is_displayed().await.unwrap());
        assert!(heading
            .text()
            .await
            .unwrap()
            .contains("Set up this counter"));
        assert_eq!(client.title().await.unwrap(), "eHR Counter");
        let names = window_names(&env.display).unwrap();
        assert!(
            names.iter().any(|n| n == "eHR Counter"),
            "a top-level window titled \"eHR Counter\" on {}: {names:?}",
            env.display
        );
        wait_for_focus(&client, "enrol-central").await;
        assert_accessible(&client, "first run").await;
        // The header offers the other language, and the screen follows it.
        click(&client, "[data-testid=switch-language]").await;
        wait_for_text(&client, Locator::Css("h1#enrol-heading"), WAIT, |t| {
            t.contains("設定此櫃位")
        })
        .await;
        assert_accessible(&client, "first run (zh-HK)").await;
        click(&client, "[data-testid=switch-language]").await;

        // Each kind of bad input has its own words.
        assert_eq!(
            enrol_refused(&client, "http://central.example", "ABC").await,
            "central.insecure_url"
        );
        assert_eq!(
            enrol_refused(&client, &refused_port, "ABC").await,
            "central.refused"
        );
        assert_eq!(
            enrol_refused(&client, "https://no-such-host.invalid", "ABC").await,
            "central.dns"
        );
        assert_eq!(
            enrol_refused(&client, &url, "NOT-A-CODE").await,
            "counter.enrolment_code_invalid"
        );
        assert_accessible(&client, "first run with a refusal").await;

        // The real code: the counter knows its site and opens on sign-in.
        fill(&client, "enrol-central", &url).await;
        fill(&client, "enrol-code", &code).await;
        click(&client, "[data-testid=enrol-submit]").await;
        wait_for(&client, Locator::Css("h1#sign-in-heading"), WAIT).await;
        let site = wait_for_text(&client, Locator::Css("[data-testid=site]"), WAIT, |t| {
            t.contains("HA-QEH")
        })
        .await;
        assert!(site.contains("Queen Elizabeth"), "{site}");
        let about = wait_for_text(&client, Locator::Css("[data-testid=app-info]"), WAIT, |t| {
            t.contains("eHR Counter")
        })
        .await;
        assert!(about.contains(env!("CARGO_PKG_VERSION")), "{about}");
        assert!(
            about.contains(&url),
            "the enrolled address in force: {about}"
        );
        assert_accessible(&client, "sign-in").await;

        // Sign-in refusals are specific, next to the field, and cleared
        // passwords never linger; all by keyboard.
        wait_for_focus(&client, "staff-code").await;
        type_keys(&client, ENTER).await;
        let alert = wait_for(&client, Locator::Css("[role=alert][data-code]"), WAIT).await;
        assert_eq!(
            alert.attr("data-code").await.unwrap().as_deref(),
            Some("auth.staff_code_required")
        );
        assert!(alert
            .text()
            .await
            .unwrap()
            .contains("Enter your staff code."));
        let field = client.find(Locator::Id("staff-code")).await.unwrap();
        assert_eq!(
            field.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true")
        );
        assert_accessible(&client, "sign-in with a refused field").await;
        wait_for_focus(&client, "staff-code").await;
        type_keys(&client, &staff).await;
        type_keys(&client, TAB).await;
        type_keys(&client, &format!("{password}{ENTER}")).await;
        let who = wait_for_text(
            &client,
            Locator::Css("[data-testid=staff-code]"),
            WAIT,
            |t| !t.is_empty(),
        )
        .await;
        assert_eq!(who, staff);
        assert!(client
            .find(Locator::Css("[data-testid=signed-in-offline]"))
            .await
            .is_err());

        // The service goes away. The same clerk signs in offline with the
        // verifier kept at the online sign-in, and the header says so.
        click(&client, "[data-testid=sign-out]").await;
        wait_for(&client, Locator::Css("h1#sign-in-heading"), WAIT).await;
        central.stop();
        wait_for_focus(&client, "staff-code").await;
        type_keys(&client, &staff).await;
        type_keys(&client, TAB).await;
        type_keys(&client, &format!("{password}{ENTER}")).await;
        let offline = wait_for_text(
            &client,
            Locator::Css("[data-testid=signed-in-offline]"),
            WAIT,
            |t| !t.is_empty(),
        )
        .await;
        assert!(offline.contains("offline"), "{offline}");
        assert_accessible(&client, "signed in offline").await;

        // Wrong passwords offline count toward the lockout like online
        // ones; the refusal says how long is left.
        click(&client, "[data-testid=sign-out]").await;
        wait_for_focus(&client, "staff-code").await;
        type_keys(&client, &staff).await;
        type_keys(&client, TAB).await;
        let mut last = String::new();
        for _ in 0..8 {
            wait_for_focus(&client, "password").await;
            type_keys(&client, &format!("not-the-password{ENTER}")).await;
            last = attempt_answer(&client).await;
            if last == "auth.locked" {
                break;
            }
            assert_eq!(last, "auth.invalid_credentials");
        }
        assert_eq!(last, "auth.locked");
        let left = wait_for_text(
            &client,
            Locator::Css("[data-testid=sign-in-retry-after]"),
            WAIT,
            |t| !t.is_empty(),
        )
        .await;
        assert!(left.contains("min"), "{left}");
        // Locked means locked: the right password is refused too.
        wait_for_focus(&client, "password").await;
        type_keys(&client, &format!("{password}{ENTER}")).await;
        assert_eq!(attempt_answer(&client).await, "auth.locked");
        assert_accessible(&client, "sign-in locked").await;
    });
}

/// The refusal's code once the attempt just submitted has been answered
/// (the password field is cleared when the answer comes).
async fn attempt_answer(client: &Client) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let cleared = client
            .find(Locator::Id("password"))
            .await
            .ok()
            .map(|e| async move { e.prop("value").await.ok().flatten() });
        let value = match cleared {
            Some(f) => f.await,
            None => None,
        };
        if value.as_deref() == Some("") {
            if let Ok(alert) = client.find(Locator::Css("#sign-in-error")).await {
                if let Ok(Some(code)) = alert.attr("data-code").await {
                    return code;
                }
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no answer to the attempt"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A loopback port nothing listens on (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A configuration file with a mistake: the app opens on a screen naming
/// the file, the line and column and what is wrong, and nothing else (no
/// sign-in, no first run) until it is corrected (issue #16, item 3).
#[test]
fn a_malformed_configuration_file_is_said_on_screen() {
    let dir = std::env::temp_dir().join(format!("ehr-e2e-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let conf = dir.join("config.toml");
    std::fs::write(
        &conf,
        "central_url = \"https://central.example\"\nlog_level = \"loud\"\n",
    )
    .expect("config");
    let env = vec![("EHR_COUNTER_CONFIG".to_owned(), conf.display().to_string())];
    let path = conf.display().to_string();
    run_with("config_problem", env, move |client, _env| async move {
        let screen = wait_for(&client, Locator::Css("[data-testid=config-problem]"), WAIT).await;
        assert_eq!(
            screen.attr("data-line").await.ok().flatten().as_deref(),
            Some("2")
        );
        let text = screen.text().await.expect("text");
        assert!(text.contains(&path), "{text}");
        assert!(text.contains("line 2, column 13"), "{text}");
        assert!(text.contains("log_level must be one of"), "{text}");
        assert!(client.find(Locator::Css("#staff-code")).await.is_err());
        assert!(client.find(Locator::Css("h1#enrol-heading")).await.is_err());
        assert_accessible(&client, "configuration problem").await;
        // In Chinese too (and a change, so the screen paints for its picture).
        click(&client, "[data-testid=switch-language]").await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=config-problem] h2"),
            WAIT,
            |t| t.contains("設定檔有錯誤"),
        )
        .await;
        crate::ui::keep_painting(&client).await;
        crate::main_path::shot(&client, "config_problem").await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
