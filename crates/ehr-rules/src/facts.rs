//! What the rules need to know beyond the operation itself, and how each
//! side answers it: ehr-central from its transaction, the counter from its
//! encrypted cache of fetched applications, its held captures and its copy
//! of the reference data.

use ehr_domain::lifecycle::application::{
    ApplicationLifecycle, ApplicationState as DState, Origin as DOrigin,
};
use ehr_domain::{Date, DocumentNumber};
use ehr_protocol::wire::{
    ApplicantDetails, ApplicationDetail, ApplicationState, Origin, PersonDetails, ProviderKind,
    SiteType,
};
use uuid::Uuid;

use crate::validate::{self, Errors, ValidPerson};

/// The data the rules read. Every method answers from what the caller
/// holds; an `Err` is the caller's own failure (a database error), never a
/// refusal.
pub trait Facts {
    /// The caller's failure.
    type Error;

    /// The application with this reference, as the operation names it
    /// (normalise as the service does: spaces and `-` dropped, upper case).
    fn application(&self, reference: &str) -> Result<Option<KnownApplication>, Self::Error>;

    /// The applications for this document, newest first (by submission
    /// day, then reference), in any state: the rules pick the one pending on
    /// the judging day.
    fn applications_for(
        &self,
        document: &DocumentNumber,
    ) -> Result<Vec<KnownApplication>, Self::Error>;

    /// Whether a document image with this id is known (uploaded, or held
    /// at the counter to be uploaded before the operation).
    fn image_known(&self, id: Uuid) -> Result<bool, Self::Error>;

    /// Whether this provider id is on the register, and as what.
    fn provider(&self, id: &str) -> Result<Option<ProviderKind>, Self::Error>;

    /// The type of the site with this code, if it is one.
    fn site_type(&self, code: &str) -> Result<Option<SiteType>, Self::Error>;
}

/// An application as the rules see it: its lifecycle and the validated
/// particulars of the people it names. Its `Debug` shows the reference and
/// the lifecycle only.
#[derive(Clone)]
pub struct KnownApplication {
    /// Its reference.
    pub reference: String,
    /// Its lifecycle.
    pub lifecycle: ApplicationLifecycle,
    /// The patient as applied.
    pub patient: ValidPerson,
    /// The SDM or authorised person named on it; `None` when the patient
    /// applied for themselves.
    pub applicant: Option<ValidPerson>,
    /// The private providers it asks sharing consent for.
    pub private_provider_consents: Vec<String>,
}

impl std::fmt::Debug for KnownApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownApplication")
            .field("reference", &self.reference)
            .field("lifecycle", &self.lifecycle)
            .field("patient", &self.patient)
            .field("applicant", &self.applicant)
            .field(
                "private_provider_consents",
                &self.private_provider_consents.len(),
            )
            .finish()
    }
}

impl KnownApplication {
    /// An application from its stored or fetched parts; `None` when the
    /// particulars it holds do not pass the domain rules (a corrupt copy).
    pub fn new(
        reference: &str,
        lifecycle: ApplicationLifecycle,
        patient: &PersonDetails,
        applicant: &ApplicantDetails,
        private_provider_consents: &[String],
    ) -> Option<KnownApplication> {
        // Stored particulars were checked when they were accepted; the day
        // only bounds the date of birth, which is in the past.
        let any_day = Date::new(ehr_domain::date::MAX_YEAR, 12, 31).ok()?;
        let mut scratch = Errors::default();
        let patient = validate::person_at_counter("", patient, any_day, &mut scratch)?;
        let applicant =
            match applicant {
                ApplicantDetails::SelfApplicant {} => None,
                ApplicantDetails::Sdm { person, .. }
                | ApplicantDetails::AuthorisedPerson { person } => Some(
                    validate::person_at_counter("", person, any_day, &mut scratch)?,
                ),
            };
        Some(KnownApplication {
            reference: reference.to_owned(),
            lifecycle,
            patient,
            applicant,
            private_provider_consents: private_provider_consents.to_vec(),
        })
    }

    /// An application from the detail the service answered a lookup with:
    /// its lifecycle rebuilt from the summary (origin, the state on the day
    /// of the lookup, submission day; the detail has no day of the last
    /// event, so the submission day stands in). `None` when the detail does
    /// not read (a date that is no date, particulars that fail the rules).
    pub fn from_detail(detail: &ApplicationDetail) -> Option<KnownApplication> {
        let s = &detail.summary;
        let submitted_on = Date::parse(&s.submitted_on).ok()?;
        let lifecycle = ApplicationLifecycle::restore(
            origin_from_wire(s.origin),
            state_from_wire(s.state),
            submitted_on,
            submitted_on,
        )
        .ok()?;
        KnownApplication::new(
            &s.reference,
            lifecycle,
            &detail.patient,
            &detail.applicant,
            &detail.private_provider_consents,
        )
    }
}

/// The domain origin for a wire origin.
pub fn origin_from_wire(o: Origin) -> DOrigin {
    match o {
        Origin::Online => DOrigin::Online,
        Origin::PaperPost => DOrigin::PaperPost,
        Origin::PaperFax => DOrigin::PaperFax,
        Origin::PaperDropIn => DOrigin::PaperDropIn,
    }
}

/// The wire origin for a domain origin.
pub fn origin_to_wire(o: DOrigin) -> Origin {
    match o {
        DOrigin::Online => Origin::Online,
        DOrigin::PaperPost => Origin::PaperPost,
        DOrigin::PaperFax => Origin::PaperFax,
        DOrigin::PaperDropIn => Origin::PaperDropIn,
    }
}

/// The domain state for a wire state (one to one).
pub fn state_from_wire(s: ApplicationState) -> DState {
    match s {
        ApplicationState::SubmittedOnline => DState::SubmittedOnline,
        ApplicationState::KeyedFromPaper => DState::KeyedFromPaper,
        ApplicationState::Pending => DState::Pending,
        ApplicationState::Activated => DState::Activated,
        ApplicationState::Expired => DState::Expired,
        ApplicationState::Cancelled => DState::Cancelled,
    }
}

/// The wire state for a domain state (one to one).
pub fn state_to_wire(s: DState) -> ApplicationState {
    match s {
        DState::SubmittedOnline => ApplicationState::SubmittedOnline,
        DState::KeyedFromPaper => ApplicationState::KeyedFromPaper,
        DState::Pending => ApplicationState::Pending,
        DState::Activated => ApplicationState::Activated,
        DState::Expired => ApplicationState::Expired,
        DState::Cancelled => ApplicationState::Cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_origins_map_one_to_one_by_code() {
        for &s in DState::ALL {
            let w = state_to_wire(s);
            assert_eq!(state_from_wire(w), s);
            // Same snake_case code on both sides.
            assert_eq!(serde_json::to_value(w).unwrap(), s.code());
        }
        for o in [
            Origin::Online,
            Origin::PaperPost,
            Origin::PaperFax,
            Origin::PaperDropIn,
        ] {
            assert_eq!(origin_to_wire(origin_from_wire(o)), o);
        }
    }
}
