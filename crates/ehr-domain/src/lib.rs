//! The registration rules of eHR Counter, held once: identity documents,
//! people, age, eligibility and substitute decision makers, lifecycles of
//! applications, registrations and consents, and activation matching.
//!
//! The crate is pure: no IO, no clock (every rule that depends on the day
//! takes it as an argument), no Tauri, no database, no async runtime. The
//! desktop app, `ehr-central` and `ehrctl` all use it, so a rule changes in
//! one place. Policy values the central service owns (expiry periods,
//! follow-up days) are passed in as [`lifecycle::Policy`].
//!
//! Every refusal carries a stable [`Code`] and fixed text in English and
//! Traditional Chinese ([`Message`]); no message ever contains the input,
//! so no personal data reaches an error, a log or a slip through this crate.
//! Public types serialise with serde in snake_case.
//!
//! Sources of the rules: `shared/domain/product-decisions.md` and the
//! registration brief beside it.

pub mod date;
pub mod decision;
pub mod eligibility;
pub mod error;
pub mod id;
pub mod lifecycle;
pub mod matching;
pub mod person;

pub use date::{age_on, date_of_turning, Age, Date, DateError, DateOfBirth, Precision};
pub use decision::{Decision, Need, NeedKind};
pub use error::{Code, Message};
pub use id::{CheckStatus, DocumentNumber, DocumentType, IdError, IdOutcome};
pub use person::{ChineseName, EnglishName, Sex};
