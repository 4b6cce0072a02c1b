//! Pure smart-card code for eHR Counter: no IO, no clock, no threads.
//!
//! - [`apdu`]: ISO 7816-4 command and response APDUs, and status words.
//! - [`tlv`]: a strict BER-TLV parser and encoder.
//! - [`profile`]: the open test card profile (`docs/card-profile.md`): its
//!   application identifier, files, tags, and a sans-IO reader ([`profile::Reader`])
//!   that says which APDU to send next and parses what comes back.
//!
//! Adapters (PC/SC, the IDEAS service) do the IO; the virtual card in
//! `tests/` answers with the same profile.
//!
//! Invariant: nothing here panics on any input; every refusal is a typed
//! error with a stable code, and no error carries card data.

pub mod apdu;
pub mod identity;
pub mod profile;
mod redact;
pub mod tlv;
