//! The acceptance rules of eHR Counter's operations, held once for both
//! sides: the counter refuses offline exactly what `ehr-central` would
//! refuse for the data it has, and the service decides with the same code.
//!
//! Each operation has a check that takes the judging context ([`Ctx`]),
//! the operation and what the caller knows ([`Facts`]), and answers a
//! [`Verdict`]: either a plan (what the service writes: the validated
//! person, the application to settle, the flags) or the refusal the
//! service answers (`Outcome::Rejected` with field errors, or
//! `Outcome::Conflict` with a code), with the same codes and field paths.
//!
//! Pure: no IO, no clock (the day to judge by is [`Ctx::on`], computed with
//! [`time::judging_day`]), no database, no async runtime. The records a
//! registration would clash with, sequences and idempotency stay with the
//! service (`ehr-central`'s `ops`).

pub mod checks;
pub mod facts;
pub mod time;
pub mod validate;

use ehr_domain::lifecycle::Policy;
use ehr_domain::Date;
use ehr_protocol::wire::{Operation, Outcome, SiteType};
use ehr_protocol::ErrorCode;

pub use checks::{
    activation, change_contact, change_particulars, complete_newborn, consent_change, key_paper,
    register_in_person, register_newborn, resend_access_key, save_work_item, take_over, withdraw,
    ActivationPlan, InPersonPlan, KeyPaperPlan, NewbornCompletion, NewbornPlan, Settlement,
};
pub use facts::{Facts, KnownApplication};
pub use time::judging_day;
use validate::{Errors, ValidPerson};

/// What an operation is judged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ctx {
    /// The type of the sending counter's site.
    pub site_type: SiteType,
    /// The day time rules judge by (expiry, age on the day, "not after
    /// today"): [`time::judging_day`] of the operation.
    pub on: Date,
    /// The policy in force.
    pub policy: Policy,
    /// A supervisor's sign-off for this operation was verified (the service
    /// checks the token; the counter passes `true` when its sign-off step
    /// succeeded).
    pub signed_off: bool,
}

/// A check's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<T> {
    /// Acceptable: what to write.
    Accept(T),
    /// Refused, exactly as the service answers: `Rejected` or `Conflict`.
    Refuse(Outcome),
}

impl<T> Verdict<T> {
    /// The plan, if accepted.
    pub fn accepted(self) -> Option<T> {
        match self {
            Verdict::Accept(t) => Some(t),
            Verdict::Refuse(_) => None,
        }
    }

    /// The refusal, if refused.
    pub fn refusal(&self) -> Option<&Outcome> {
        match self {
            Verdict::Accept(_) => None,
            Verdict::Refuse(o) => Some(o),
        }
    }

    /// The plan mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Verdict<U> {
        match self {
            Verdict::Accept(t) => Verdict::Accept(f(t)),
            Verdict::Refuse(o) => Verdict::Refuse(o),
        }
    }
}

/// A conflict with the code's catalogue text.
pub(crate) fn conflict<T>(code: ErrorCode) -> Verdict<T> {
    Verdict::Refuse(Outcome::conflict(code))
}

/// A rejection with the field errors gathered.
pub(crate) fn rejected<T>(errs: Errors) -> Verdict<T> {
    Verdict::Refuse(Outcome::Rejected {
        field_errors: errs.0,
    })
}

/// Whether a counter at a site of `site` may send `op` (the workflows of
/// each site type, from the product decisions).
pub fn offered_at(site: SiteType, op: &Operation) -> bool {
    offered_type(site, op.type_name())
}

/// [`offered_at`] by the operation's wire type name (`register_newborn`,
/// ...): what a counter's screen offers before there is an operation.
pub fn offered_type(site: SiteType, type_name: &str) -> bool {
    use SiteType as S;
    match type_name {
        "register_in_person" => site != S::MaternalChildHealthCentre,
        // The record's life after registration: where consent is given.
        "give_consent" | "revoke_consent" | "withdraw" | "change_particulars"
        | "change_contact" | "resend_access_key" | "take_over_record" => matches!(
            site,
            S::RegistrationCentre | S::RegistrationOffice | S::BirthHospital
        ),
        "key_paper_application" | "save_work_item" => site == S::RegistrationOffice,
        "register_newborn" => site == S::BirthHospital,
        // Completion: registration centres, the RO, birth hospitals (which
        // do all an HA centre does) and MCHCs; not private providers.
        "complete_newborn" => site != S::PrivateProviderCentre,
        "upload_document" | "audit_events" | "activate_application" => true,
        _ => false,
    }
}

/// [`offered_at`] as a verdict: refused on `op.type` as `auth.forbidden`.
pub fn offering(site: SiteType, op: &Operation) -> Verdict<()> {
    if offered_at(site, op) {
        Verdict::Accept(())
    } else {
        let mut errs = Errors::default();
        errs.service("op.type", ErrorCode::AuthForbidden);
        rejected(errs)
    }
}

/// The transaction time an operation carries, if its type has one.
pub fn transacted_at(op: &Operation) -> Option<&str> {
    match op {
        Operation::ActivateApplication(a) => a.transacted_at.as_deref(),
        Operation::RegisterInPerson(r) => r.transacted_at.as_deref(),
        Operation::KeyPaperApplication(k) => k.transacted_at.as_deref(),
        Operation::RegisterNewborn(n) => n.transacted_at.as_deref(),
        Operation::CompleteNewborn(c) => c.transacted_at.as_deref(),
        Operation::ChangeParticulars(c) => c.transacted_at.as_deref(),
        Operation::TakeOverRecord(t) => t.transacted_at.as_deref(),
        Operation::ChangeContact(_)
        | Operation::ResendAccessKey(_)
        | Operation::SaveWorkItem(_)
        | Operation::GiveConsent(_)
        | Operation::RevokeConsent(_)
        | Operation::Withdraw(_)
        | Operation::UploadDocument(_)
        | Operation::AuditEvents(_) => None,
    }
}

/// The supervisor's sign-off token an operation carries, if any.
pub fn sign_off_token(op: &Operation) -> Option<&str> {
    match op {
        Operation::ActivateApplication(a) => a.supervisor_sign_off.as_deref(),
        Operation::RegisterInPerson(r) => r.supervisor_sign_off.as_deref(),
        Operation::KeyPaperApplication(k) => k.supervisor_sign_off.as_deref(),
        _ => None,
    }
}

/// What an accepted operation leads to.
#[derive(Debug, Clone)]
pub enum Plan {
    /// An activation.
    Activation(ActivationPlan),
    /// A walk-in registration.
    InPerson(InPersonPlan),
    /// A keyed paper application.
    KeyPaper(KeyPaperPlan),
    /// A newborn's registration.
    Newborn(NewbornPlan),
    /// A newborn's completion, still to be checked against the record.
    CompleteNewborn(NewbornCompletion),
    /// A consent change or withdrawal, a contact change or a new access
    /// key, still to be checked against the record (the rules have no
    /// records yet).
    RecordChange,
    /// A correction of particulars (the corrected person), still to be
    /// checked against the record.
    Particulars(ValidPerson),
    /// A take-over by the person (their own document, validated), still to
    /// be checked against the record.
    TakeOver(ValidPerson),
    /// An upload or audit events: the service's own checks only.
    ServiceOnly,
}

/// Every rule for `op` the rules can judge: the site type's offering,
/// then the operation's check. The service verifies a sign-off token
/// between the two ([`Ctx::signed_off`]).
pub fn check<F: Facts>(ctx: &Ctx, op: &Operation, facts: &F) -> Result<Verdict<Plan>, F::Error> {
    if let Verdict::Refuse(o) = offering(ctx.site_type, op) {
        return Ok(Verdict::Refuse(o));
    }
    Ok(match op {
        Operation::ActivateApplication(a) => activation(ctx, a, facts)?.map(Plan::Activation),
        Operation::RegisterInPerson(r) => register_in_person(ctx, r, facts)?.map(Plan::InPerson),
        Operation::KeyPaperApplication(k) => key_paper(ctx, k, facts)?.map(Plan::KeyPaper),
        Operation::RegisterNewborn(n) => register_newborn(ctx, n, facts)?.map(Plan::Newborn),
        Operation::CompleteNewborn(c) => complete_newborn(c, facts)?.map(Plan::CompleteNewborn),
        Operation::GiveConsent(c) | Operation::RevokeConsent(c) => {
            consent_change(c, facts)?.map(|()| Plan::RecordChange)
        }
        Operation::Withdraw(w) => withdraw(w).map(|()| Plan::RecordChange),
        Operation::ChangeParticulars(c) => {
            change_particulars(ctx, c, facts)?.map(Plan::Particulars)
        }
        Operation::ChangeContact(c) => change_contact(c).map(|()| Plan::RecordChange),
        Operation::ResendAccessKey(r) => resend_access_key(r).map(|()| Plan::RecordChange),
        Operation::TakeOverRecord(t) => take_over(ctx, t, facts)?.map(Plan::TakeOver),
        Operation::SaveWorkItem(w) => save_work_item(w).map(|()| Plan::ServiceOnly),
        Operation::UploadDocument(_) | Operation::AuditEvents(_) => {
            Verdict::Accept(Plan::ServiceOnly)
        }
    })
}

#[cfg(test)]
mod tests;
