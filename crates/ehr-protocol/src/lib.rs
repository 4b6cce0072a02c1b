//! Wire and IPC types shared by every front end of eHR Counter.
//!
//! One set of types crosses every boundary: the Tauri IPC between the UI and
//! the app crate, and (from issue 4 on) the HTTP API between the counter and
//! ehr-central. TypeScript declarations for the UI are generated from these
//! types by [`bindings::typescript`]; the file `ui/src/lib/bindings.ts` is
//! checked in and a test fails when it is stale.
//!
//! Invariant: nothing in this crate carries an access key, and error bodies
//! carry no personal data (codes, field names and fixed messages only).

pub mod audit;
pub mod bindings;
pub mod card;
pub mod error;
pub mod ipc;
pub mod redact;
pub mod task;
pub mod wire;

pub use error::{ErrorBody, ErrorCode};
