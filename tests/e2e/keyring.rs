//! The window never waits for the keyring. With a Secret Service that never
//! answers (`ehr_tests::keyring`: the store's request for its key is left
//! waiting on a prompt nobody can complete), the clerk signs in and works
//! the counter's screen while the status bar says the local data is still
//! opening; once the keyring answers, the store opens.

use std::time::Duration;

use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use ehr_tests::keyring::PromptingKeyring;
use fantoccini::Locator;

use crate::ui::{sign_in, WAIT};

#[test]
fn the_window_answers_while_the_keyring_never_does() {
    let central = Central::start("keyring").expect("ehr-central");
    let keyring = std::sync::Arc::new(PromptingKeyring::start("e2e").expect("keyring"));
    let (code, password) = central.clerk.clone();
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
        // The keyring's bus, and the keyring allowed (the harness turns it off).
        (
            "DBUS_SESSION_BUS_ADDRESS".to_owned(),
            keyring.address.clone(),
        ),
        ("EHR_COUNTER_KEYRING".to_owned(), "on".to_owned()),
        // The store's own limit on a keyring call, far beyond this test.
        ("EHR_COUNTER_KEYRING_TIMEOUT_S".to_owned(), "600".to_owned()),
    ];
    let held = keyring.clone();
    run_with(
        "keyring_never_answers",
        env,
        move |client, _env| async move {
            // The store asked the keyring for its key and is waiting.
            ehr_tests::wait_until("the keyring holding the counter", WAIT, || {
                held.holding_a_client()
            });
            // The sign-in screen answers, and so does the service behind it.
            sign_in(&client, &code, &password).await;
            let who = wait_for_text(
                &client,
                Locator::Css("[data-testid=staff-code]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert_eq!(who, code);
            wait_for(&client, Locator::Css("[data-testid=manual-pane]"), WAIT).await;
            wait_for(&client, Locator::Css("[data-testid=card-pane]"), WAIT).await;
            // The status bar says the local data is still opening, in words.
            let opening = wait_for_text(
                &client,
                Locator::Css("[data-testid=sync-error][data-code='store.opening']"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert!(opening.contains("opening"), "{opening}");
            // And that is still so: the keyring has not answered.
            assert!(held.holding_a_client());
            // The keyring answers at last (its prompt fails): a new store
            // keys from its file, opens, and the status bar shows the outbox.
            held.answer();
            wait_for_text(
                &client,
                Locator::Css("[data-testid=sync-link]"),
                Duration::from_secs(60),
                |t| !t.is_empty(),
            )
            .await;
        },
    );
    drop(keyring);
}
