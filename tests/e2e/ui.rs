//! What the end-to-end tests do to the screen, as a clerk would.

use std::time::Duration;

use ehr_tests::harness::{wait_for, wait_for_text};
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
    let el = client.find(Locator::Css(css)).await.expect(css);
    // Into the middle of the window first: the status bar covers its
    // bottom edge, and a click there would land on the bar.
    if let Ok(arg) = serde_json::to_value(&el) {
        let _ = client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'}); return true;",
                vec![arg],
            )
            .await;
    }
    el.click().await.expect("click");
}

/// The text of the element `css` finds, once it has some.
pub async fn text_of(client: &Client, css: &str) -> String {
    wait_for_text(client, Locator::Css(css), WAIT, |t| !t.is_empty()).await
}

/// Fill the sign-in form and submit it.
pub async fn sign_in(client: &Client, code: &str, password: &str) {
    wait_for(client, Locator::Id("staff-code"), WAIT).await;
    fill(client, "staff-code", code).await;
    fill(client, "password", password).await;
    click(client, "button[type=submit]").await;
}

/// The id of the element that has the keyboard focus.
pub async fn focused_id(client: &Client) -> Option<String> {
    let el = client.active_element().await.ok()?;
    el.attr("id").await.ok().flatten()
}

/// Wait until the element with this id has the keyboard focus.
pub async fn wait_for_focus(client: &Client, id: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if focused_id(client).await.as_deref() == Some(id) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "#{id} never took the focus (focused: {:?})",
            focused_id(client).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Type into whatever has the focus, as a keyboard would.
pub async fn type_keys(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .expect("type");
}

/// The WebDriver keys a clerk presses.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const ESC: &str = "\u{E00C}";

/// axe-core, from the UI's own dev dependencies (`npm ci` installs it).
fn axe_source() -> String {
    let path = ehr_tests::workspace::root().join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup.sh)", path.display()))
}

/// Runs axe-core inside the real window on the screen as it is now and fails
/// on any serious or critical violation of WCAG 2.1 A/AA. Injected once per
/// page (the UI is a single page); every screen the tests reach joins.
pub async fn assert_accessible(client: &Client, screen: &str) {
    let loaded = client
        .execute("return typeof window.axe", vec![])
        .await
        .expect("probe axe");
    if loaded.as_str() != Some("object") {
        client
            .execute(&format!("{};\nreturn true;", axe_source()), vec![])
            .await
            .expect("inject axe-core");
    }
    let violations = client
        .execute(
            "return axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})\
             .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
             .map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))})))",
            vec![],
        )
        .await
        .expect("run axe-core");
    let list = violations.as_array().cloned().unwrap_or_default();
    assert!(
        list.is_empty(),
        "{screen}: serious or critical accessibility violations: {}",
        serde_json::to_string_pretty(&violations).unwrap_or_default()
    );
}

/// A page-like PNG: white margins around a coloured block.
pub fn page_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        if x > w / 6 && x < w * 5 / 6 && y > h / 6 && y < h * 5 / 6 {
            image::Rgb([(x % 250) as u8, 90, (y % 240) as u8])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

/// A still screen paints no new frame, and WebKit's screenshot waits for
/// one: keep one pixel changing while the picture of such a screen is taken.
pub async fn keep_painting(client: &Client) {
    client
        .execute(
            "const d = document.createElement('div'); \
             d.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px'; \
             document.body.appendChild(d); \
             setInterval(() => { d.style.opacity = d.style.opacity === '0' ? '0.01' : '0'; }, 50); \
             return true;",
            vec![],
        )
        .await
        .expect("tick");
}
