//! End-to-end tests: the built desktop app in Xvfb, driven through
//! tauri-driver and WebKitWebDriver. One binary; each area is a module.
//!
//! Run with `bash scripts/test.sh` (which builds the UI and the app first),
//! or, after a build, `cargo test -p ehr-tests --test e2e`.

mod consent;
mod counter;
mod documents;
mod keyring;
mod main_path;
mod newborn;
mod outbox;
mod paper;
mod sign_in;
mod single_instance;
mod training;
mod ui;
