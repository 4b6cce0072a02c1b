//! Architecture invariants, checked on every test run.
//!
//! - No crate under `crates/` depends on Tauri, directly or through another
//!   crate (the shell is the only Tauri crate).
//! - The UI's commands, the shell's handlers, tauri-build's app manifest and
//!   the window's capability name the same set of commands.
//! - Tauri is locked down: no devtools feature, a CSP with no remote origin,
//!   no dev server URL, and the single-instance plugin registered.
//! - Reader-facing text lives in the message catalogue only (`catalogue`).
//! - The rule crates are pure (`pure_crates`): `ehr-domain` and
//!   `ehr-rules` reach no database, network, runtime or GUI crate, and
//!   their code reads no clock, file, environment or process.

mod catalogue;
mod lockdown;
mod no_tauri_below_shell;
mod pure_crates;
