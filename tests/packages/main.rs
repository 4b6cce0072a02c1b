//! The Debian packages, installed, used, upgraded and removed in a clean
//! Debian 12 root (issue #16; ADR 0007).
//!
//! The packages are made by `scripts/package.sh --no-build --profile dev`
//! from the binaries the other tests built (release packages come from
//! `scripts/package.sh` alone), and lintian passes them there. The root is
//! made once per run by `scripts/clean-root.sh` (debootstrap's minimal
//! base; `scripts/test.sh` starts it in the background while the code
//! builds); each test starts from none of our packages installed and
//! shares the root's apt cache. Needs root (chroot), debootstrap, lintian,
//! cargo-deb and Debian's mirror, so the tests are `#[ignore]`d and
//! `scripts/test.sh` runs them after the workspace's tests:
//! `cargo test -p ehr-tests --test packages -- --ignored --test-threads=1`.

// Test set-up fails loudly: a failure to copy a package is a failed test.
#![allow(clippy::unwrap_used)]

mod central;
mod counter;
mod root;
mod training;
mod upgrade;
