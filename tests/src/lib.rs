//! Support for the workspace-level tests.
//!
//! [`harness`] runs the built desktop app in a private X server and drives it
//! through WebDriver; [`workspace`] finds the workspace and its build output;
//! [`vcard`] is the virtual identity card on vpcd's virtual reader, and
//! [`pcscd`] runs a private pcscd with two virtual readers.

pub mod central;
pub mod harness;
pub mod pcscd;
pub mod vcard;
pub mod workspace;
