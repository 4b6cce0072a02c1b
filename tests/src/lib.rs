//! Support for the workspace-level tests.
//!
//! [`harness`] runs the built desktop app in a private X server and drives it
//! through WebDriver; [`workspace`] finds the workspace and its build output;
//! [`vcard`] is the virtual identity card on vpcd's virtual reader, and
//! [`pcscd`] runs a private pcscd with two virtual readers; [`central`] runs
//! a seeded ehr-central on loopback, [`faultproxy`] puts faults between it and
//! the app crate, and [`outbox`] generates changes and reads what the
//! central service holds; [`keyring`] is a Secret Service that never
//! answers.

pub mod bench;
pub mod central;
pub mod faultproxy;
pub mod harness;
pub mod keyring;
pub mod outbox;
pub mod pcscd;
pub mod vcard;
pub mod workspace;

/// Poll `done` every 20 ms until it is true; panic naming `what` once
/// `timeout` has passed. Tests wait for the state they need, never for a
/// guessed time.
pub fn wait_until(what: &str, timeout: std::time::Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
