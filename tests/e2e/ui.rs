//! What the end-to-end tests do to the screen, as a clerk would.

use std::time::Duration;

use ehr_tests::harness::wait_for;
use fantoccini::{Client, Locator};

/// How long a test waits for the screen to show something.
pub const WAIT: Duration = Duration::from_secs(20);

/// Replace the text of the input with this id.
pub async fn fill(client: &Client, id: &str, text: &str) {
    let el = client.find(Locator::Id(id)).await.expect(id);
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

/// Click the element `css` finds, once it is there.
pub async fn click(client: &Client, css: &str) {
    wait_for(client, Locator::Css(css), WAIT).await;
    client
        .find(Locator::Css(css))
        .await
        .expect(css)
        .click()
        .await
        .expect("click");
}

/// Fill the sign-in form and submit it.
pub async fn sign_in(client: &Client, code: &str, password: &str) {
    wait_for(client, Locator::Id("staff-code"), WAIT).await;
    fill(client, "staff-code", code).await;
    fill(client, "password", password).await;
    click(client, "button[type=submit]").await;
}
