//! Support for the workspace-level tests.
//!
//! [`harness`] runs the built desktop app in a private X server and drives it
//! through WebDriver; [`workspace`] finds the workspace and its build output.

pub mod harness;
pub mod workspace;
