//! Training mode, as the training package's launcher runs it: the counter
//! enrols itself at the training service with the code the launcher
//! minted, and every screen says training (sign-in, the counter, the lock,
//! in both languages). The same data folder under the production app is
//! refused: training and real registrations never share a folder.

use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use fantoccini::{Client, Locator};

use crate::ui::{assert_accessible, click, sign_in, WAIT};

/// The training strip is on screen and says what it should.
async fn strip(client: &Client, screen: &str, words: &str) {
    let text = wait_for_text(
        client,
        Locator::Css("[data-testid=training-banner]"),
        WAIT,
        |t| t.contains(words),
    )
    .await;
    assert!(
        !text.is_empty(),
        "the training strip on the {screen} screen"
    );
    let el = client
        .find(Locator::Css("[data-testid=training-banner]"))
        .await
        .expect("strip");
    assert!(el.is_displayed().await.unwrap_or(false), "{screen}: shown");
}

#[test]
fn training_says_so_on_every_screen_and_keeps_its_folder_to_itself() {
    let central = Central::start("e2e-training").expect("ehr-central");
    let code = central
        .mint_enrolment_code("HA-QEH", "TRAINING")
        .expect("enrolment code");
    let (staff, password) = central.clerk.clone();
    let url = central.url.clone();
    let folder = std::env::temp_dir().join(format!("ehr-e2e-training-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let data = folder.display().to_string();

    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), url.clone()),
        ("EHR_TRAINING".to_owned(), "1".to_owned()),
        ("EHR_TRAINING_ENROLMENT_CODE".to_owned(), code),
        ("EHR_COUNTER_DATA_DIR".to_owned(), data.clone()),
    ];
    run_with("training", env, move |client, _env| async move {
        // Enrolled by itself at the training service: the sign-in screen.
        wait_for(&client, Locator::Id("staff-code"), WAIT).await;
        wait_for_text(&client, Locator::Css("[data-testid=site]"), WAIT, |t| {
            t.contains("HA-QEH")
        })
        .await;
        strip(&client, "sign-in", "Never register a real person here").await;
        assert_accessible(&client, "training sign-in").await;
        sign_in(&client, &staff, &password).await;
        wait_for(&client, Locator::Css("[data-testid=staff-code]"), WAIT).await;
        strip(&client, "counter", "Training").await;
        click(&client, "[data-testid=lock]").await;
        wait_for(&client, Locator::Css("[data-testid=lock-screen]"), WAIT).await;
        strip(&client, "lock", "Training").await;
        click(&client, "[data-testid=switch-language]").await;
        strip(&client, "lock, in Chinese", "培訓模式").await;
        assert_accessible(&client, "training lock").await;
    });

    // The same folder under the production app: refused, and said so.
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), url),
        ("EHR_COUNTER_DATA_DIR".to_owned(), data),
    ];
    run_with(
        "training_folder_in_production",
        env,
        move |client, _env| async move {
            let said = wait_for_text(
                &client,
                Locator::Css("[data-testid=counter-mode-mismatch]"),
                WAIT,
                |t| t.contains("other mode"),
            )
            .await;
            assert!(said.contains("field engineer"), "{said}");
            assert!(client.find(Locator::Id("staff-code")).await.is_err());
            assert!(client
                .find(Locator::Css("[data-testid=training-banner]"))
                .await
                .is_err());
            assert_accessible(&client, "mode mismatch").await;
        },
    );
    let _ = std::fs::remove_dir_all(&folder);
    drop(central);
}
