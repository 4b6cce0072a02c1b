//! The lifecycle of a registration, including a newborn registered before
//! the birth certificate exists.
//!
//! ```text
//! awaiting_birth_certificate ─ complete ─> effective ─ withdraw ─> withdrawn
//!            └────────────────── withdraw ─────────────────────────┘
//! ```
//!
//! - A walk-in registration or an activation starts `effective`.
//! - A newborn registered at a birth-hospital desk starts
//!   `awaiting_birth_certificate`, identified by the hospital's certifying
//!   document (hospital code and serial). It is effective for sharing from
//!   the start; `complete` upgrades its identifier in place to the Hong Kong
//!   birth certificate number (which must pass the check digit), making the
//!   record `effective` ("completed") with no second registration.
//! - `withdrawn` is final. Re-registration after withdrawal is not public
//!   (brief §6, GAP): it would be a new registration, outside this machine.

use serde::{Deserialize, Serialize};

use super::{LifecycleError, Machine, Policy};
use crate::date::Date;
use crate::id::{CheckStatus, DocumentNumber, DocumentType};

/// The state of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    /// In effect, identified by an identity document.
    Effective,
    /// A newborn's registration, in effect, awaiting the birth certificate.
    AwaitingBirthCertificate,
    /// Withdrawn from eHealth.
    Withdrawn,
}

/// What can happen to a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationEvent {
    /// A newborn's record is completed with the birth certificate.
    Complete,
    /// The person (or SDM) withdraws.
    Withdraw,
    /// A withdrawn person registers again: the record is reopened (the same
    /// eHR number), as the service decides re-joining works.
    Rejoin,
}

impl RegistrationState {
    /// Every state.
    pub const ALL: &'static [RegistrationState] = &[
        RegistrationState::Effective,
        RegistrationState::AwaitingBirthCertificate,
        RegistrationState::Withdrawn,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            RegistrationState::Effective => "effective",
            RegistrationState::AwaitingBirthCertificate => "awaiting_birth_certificate",
            RegistrationState::Withdrawn => "withdrawn",
        }
    }

    /// The transition table, without identifiers or dates.
    pub fn next(self, event: RegistrationEvent) -> Result<RegistrationState, LifecycleError> {
        use RegistrationEvent as E;
        use RegistrationState as S;
        match (self, event) {
            (S::AwaitingBirthCertificate, E::Complete) => Ok(S::Effective),
            (S::Effective | S::AwaitingBirthCertificate, E::Withdraw) => Ok(S::Withdrawn),
            (S::Withdrawn, E::Rejoin) => Ok(S::Effective),
            (from, event) => Err(LifecycleError::illegal(
                Machine::Registration,
                from.code(),
                event.code(),
            )),
        }
    }
}

impl RegistrationEvent {
    /// Every event.
    pub const ALL: &'static [RegistrationEvent] = &[
        RegistrationEvent::Complete,
        RegistrationEvent::Withdraw,
        RegistrationEvent::Rejoin,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            RegistrationEvent::Complete => "complete",
            RegistrationEvent::Withdraw => "withdraw",
            RegistrationEvent::Rejoin => "rejoin",
        }
    }
}

/// The birth hospital's certifying document, identifying a newborn before
/// the birth certificate exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BirthHospitalDocument {
    /// The birth hospital's code (from the site list).
    pub hospital_code: String,
    /// The document's serial number.
    pub serial: String,
}

/// What identifies the registered person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Identifier {
    /// An identity document.
    Document {
        /// The document number.
        number: DocumentNumber,
    },
    /// A newborn's birth-hospital document.
    BirthHospital {
        /// The document.
        document: BirthHospitalDocument,
    },
}

/// A registration's lifecycle record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationLifecycle {
    state: RegistrationState,
    identifier: Identifier,
    registered_on: Date,
    last_event_on: Date,
}

impl RegistrationLifecycle {
    /// A registration in effect from `on`, identified by `number`.
    pub fn effective(number: DocumentNumber, on: Date) -> RegistrationLifecycle {
        RegistrationLifecycle {
            state: RegistrationState::Effective,
            identifier: Identifier::Document { number },
            registered_on: on,
            last_event_on: on,
        }
    }

    /// A newborn's registration from `on`, awaiting the birth certificate.
    pub fn newborn(document: BirthHospitalDocument, on: Date) -> RegistrationLifecycle {
        RegistrationLifecycle {
            state: RegistrationState::AwaitingBirthCertificate,
            identifier: Identifier::BirthHospital { document },
            registered_on: on,
            last_event_on: on,
        }
    }

    /// The state.
    pub fn state(&self) -> RegistrationState {
        self.state
    }

    /// What identifies the person.
    pub fn identifier(&self) -> &Identifier {
        &self.identifier
    }

    /// The day the registration took effect.
    pub fn registered_on(&self) -> Date {
        self.registered_on
    }

    /// Whether a birth hospital should follow this record up on `today`:
    /// still awaiting the birth certificate `newborn_follow_up_days` or more
    /// after registration.
    pub fn needs_newborn_follow_up(&self, today: Date, policy: &Policy) -> bool {
        self.state == RegistrationState::AwaitingBirthCertificate
            && self.registered_on.days_until(today) >= i64::from(policy.newborn_follow_up_days)
    }

    /// Completes a newborn's record with its birth certificate number, which
    /// must be a Hong Kong birth certificate number with a verified check
    /// digit. On error nothing changes.
    pub fn complete(
        &mut self,
        birth_certificate: DocumentNumber,
        today: Date,
    ) -> Result<(), LifecycleError> {
        if today < self.last_event_on {
            return Err(LifecycleError::DateOrder);
        }
        let next = self.state.next(RegistrationEvent::Complete)?;
        if birth_certificate.doc_type() != DocumentType::HkBirthCertificate
            || birth_certificate.check() != CheckStatus::Verified
        {
            return Err(LifecycleError::NeedsBirthCertificate);
        }
        self.state = next;
        self.identifier = Identifier::Document {
            number: birth_certificate,
        };
        self.last_event_on = today;
        Ok(())
    }

    /// Reopens a withdrawn registration identified by a document: in effect
    /// again from `today` (a newborn's record withdrawn before its birth
    /// certificate is not reopened: the baby registers with the
    /// certificate). On error nothing changes.
    pub fn rejoin(&mut self, today: Date) -> Result<(), LifecycleError> {
        if today < self.last_event_on {
            return Err(LifecycleError::DateOrder);
        }
        let next = self.state.next(RegistrationEvent::Rejoin)?;
        if !matches!(self.identifier, Identifier::Document { .. }) {
            return Err(LifecycleError::NeedsBirthCertificate);
        }
        self.state = next;
        self.registered_on = today;
        self.last_event_on = today;
        Ok(())
    }

    /// The person takes over a record an SDM kept for them (they turned
    /// 16): identified from now on by `presented`, their own document, which
    /// must be the record's document or its Hong Kong twin (the identity
    /// card bearing the birth certificate's number). Only a record in
    /// effect; the state does not change. On error nothing changes.
    pub fn take_over(
        &mut self,
        presented: DocumentNumber,
        today: Date,
    ) -> Result<(), LifecycleError> {
        if today < self.last_event_on {
            return Err(LifecycleError::DateOrder);
        }
        let Identifier::Document { number } = &self.identifier else {
            return Err(LifecycleError::NeedsBirthCertificate);
        };
        if self.state != RegistrationState::Effective {
            return Err(LifecycleError::illegal(
                Machine::Registration,
                self.state.code(),
                "take_over",
            ));
        }
        if !number.same_person_number(&presented) {
            return Err(LifecycleError::DifferentDocument);
        }
        self.identifier = Identifier::Document { number: presented };
        self.last_event_on = today;
        Ok(())
    }

    /// Withdraws the registration. On error nothing changes.
    pub fn withdraw(&mut self, today: Date) -> Result<(), LifecycleError> {
        if today < self.last_event_on {
            return Err(LifecycleError::DateOrder);
        }
        self.state = self.state.next(RegistrationEvent::Withdraw)?;
        self.last_event_on = today;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use RegistrationEvent as E;
    use RegistrationState as S;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn hospital_doc() -> BirthHospitalDocument {
        BirthHospitalDocument {
            hospital_code: "QMH".into(),
            serial: "2026-000123".into(),
        }
    }

    fn bc() -> DocumentNumber {
        DocumentNumber::parse(DocumentType::HkBirthCertificate, "A123456(3)").unwrap()
    }

    #[test]
    fn transition_table_is_total() {
        let table: &[(S, E, Option<S>)] = &[
            (S::Effective, E::Complete, None),
            (S::Effective, E::Withdraw, Some(S::Withdrawn)),
            (S::AwaitingBirthCertificate, E::Complete, Some(S::Effective)),
            (S::AwaitingBirthCertificate, E::Withdraw, Some(S::Withdrawn)),
            (S::Withdrawn, E::Complete, None),
            (S::Withdrawn, E::Withdraw, None),
            (S::Effective, E::Rejoin, None),
            (S::AwaitingBirthCertificate, E::Rejoin, None),
            (S::Withdrawn, E::Rejoin, Some(S::Effective)),
        ];
        assert_eq!(table.len(), S::ALL.len() * E::ALL.len());
        for &(s, e, want) in table {
            match (s.next(e), want) {
                (Ok(got), Some(w)) => assert_eq!(got, w),
                (Err(LifecycleError::IllegalTransition { machine, .. }), None) => {
                    assert_eq!(machine, Machine::Registration)
                }
                (got, want) => panic!("{s:?} {e:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn newborn_completion_upgrades_identifier_in_place() {
        let mut r = RegistrationLifecycle::newborn(hospital_doc(), d("2026-11-01"));
        assert_eq!(r.state(), S::AwaitingBirthCertificate);
        let hkic = DocumentNumber::parse(DocumentType::Hkic, "A123456(3)").unwrap();
        let before = r.clone();
        assert_eq!(
            r.complete(hkic, d("2026-11-20")),
            Err(LifecycleError::NeedsBirthCertificate)
        );
        assert_eq!(r, before);
        assert_eq!(
            r.complete(bc(), d("2026-10-31")),
            Err(LifecycleError::DateOrder)
        );
        r.complete(bc(), d("2026-11-20")).unwrap();
        assert_eq!(r.state(), S::Effective);
        assert_eq!(r.identifier(), &Identifier::Document { number: bc() });
        assert_eq!(r.registered_on(), d("2026-11-01"));
        assert!(matches!(
            r.complete(bc(), d("2026-11-21")),
            Err(LifecycleError::IllegalTransition { .. })
        ));
    }

    #[test]
    fn unverified_birth_certificate_cannot_complete() {
        let dob = crate::date::DateOfBirth::parse("1975").ok();
        let out =
            DocumentNumber::validate(DocumentType::HkBirthCertificate, "A123456(4)", dob).unwrap();
        let mut r = RegistrationLifecycle::newborn(hospital_doc(), d("2026-11-01"));
        assert_eq!(
            r.complete(out.number().clone(), d("2026-11-02")),
            Err(LifecycleError::NeedsBirthCertificate)
        );
    }

    #[test]
    fn withdrawal() {
        let mut r = RegistrationLifecycle::effective(bc(), d("2026-01-01"));
        r.withdraw(d("2026-02-01")).unwrap();
        assert_eq!(r.state(), S::Withdrawn);
        assert!(matches!(
            r.withdraw(d("2026-02-02")),
            Err(LifecycleError::IllegalTransition { .. })
        ));
        let mut n = RegistrationLifecycle::newborn(hospital_doc(), d("2026-01-01"));
        assert_eq!(n.withdraw(d("2025-12-31")), Err(LifecycleError::DateOrder));
        n.withdraw(d("2026-01-01")).unwrap();
        assert_eq!(n.state(), S::Withdrawn);
    }

    #[test]
    fn newborn_follow_up_uses_policy() {
        let p = Policy::default();
        let r = RegistrationLifecycle::newborn(hospital_doc(), d("2026-01-01"));
        assert!(!r.needs_newborn_follow_up(d("2026-03-01"), &p)); // day 59
        assert!(r.needs_newborn_follow_up(d("2026-03-02"), &p)); // day 60
        let p42 = Policy {
            newborn_follow_up_days: 42,
            ..Policy::default()
        };
        assert!(r.needs_newborn_follow_up(d("2026-02-12"), &p42));
        let done = RegistrationLifecycle::effective(bc(), d("2026-01-01"));
        assert!(!done.needs_newborn_follow_up(d("2027-01-01"), &p));
    }

    #[test]
    fn a_withdrawn_record_is_reopened_but_not_a_newborns() {
        let mut r = RegistrationLifecycle::effective(bc(), d("2026-01-01"));
        assert!(r.rejoin(d("2026-01-02")).is_err());
        r.withdraw(d("2026-02-01")).unwrap();
        assert!(r.rejoin(d("2026-01-31")).is_err());
        r.rejoin(d("2026-03-01")).unwrap();
        assert_eq!(r.state(), S::Effective);
        assert_eq!(r.registered_on(), d("2026-03-01"));
        let mut n = RegistrationLifecycle::newborn(hospital_doc(), d("2026-01-01"));
        n.withdraw(d("2026-01-02")).unwrap();
        let before = n.clone();
        assert_eq!(
            n.rejoin(d("2026-01-03")),
            Err(LifecycleError::NeedsBirthCertificate)
        );
        assert_eq!(n, before);
    }

    #[test]
    fn a_child_takes_over_with_the_card_bearing_the_certificates_number() {
        let mut r = RegistrationLifecycle::effective(bc(), d("2010-01-02"));
        let card = bc().hong_kong_twin().unwrap();
        assert_eq!(card.doc_type(), DocumentType::Hkic);
        // Another person's card, and an earlier day, change nothing.
        let other = DocumentNumber::parse(DocumentType::Hkic, "E364912(5)").unwrap();
        assert_eq!(
            r.take_over(other, d("2026-06-01")),
            Err(LifecycleError::DifferentDocument)
        );
        assert_eq!(
            r.take_over(card.clone(), d("2009-01-01")),
            Err(LifecycleError::DateOrder)
        );
        assert!(
            matches!(r.identifier(), Identifier::Document { number } if number.doc_type() == DocumentType::HkBirthCertificate)
        );
        r.take_over(card.clone(), d("2026-06-01")).unwrap();
        assert_eq!(r.state(), S::Effective);
        assert!(
            matches!(r.identifier(), Identifier::Document { number } if number.same_document(&card))
        );
        // A newborn's record awaiting its certificate and a withdrawn one
        // are not taken over.
        let mut n = RegistrationLifecycle::newborn(hospital_doc(), d("2026-01-01"));
        assert!(n.take_over(card.clone(), d("2026-06-01")).is_err());
        let mut w = RegistrationLifecycle::effective(bc(), d("2010-01-02"));
        w.withdraw(d("2020-01-01")).unwrap();
        assert!(w.take_over(card, d("2026-06-01")).is_err());
        assert_eq!(w.state(), S::Withdrawn);
    }

    #[test]
    fn serde_shape() {
        let r = RegistrationLifecycle::newborn(hospital_doc(), d("2026-01-01"));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["state"], "awaiting_birth_certificate");
        assert_eq!(v["identifier"]["kind"], "birth_hospital");
        assert_eq!(
            serde_json::from_value::<RegistrationLifecycle>(v).unwrap(),
            r
        );
    }

    proptest! {
        #[test]
        fn random_sequences_stay_legal(newborn in any::<bool>(), steps in proptest::collection::vec((proptest::sample::select(E::ALL), any::<bool>(), -3i64..30), 0..12)) {
            let start = d("2026-01-01");
            let mut r = if newborn {
                RegistrationLifecycle::newborn(hospital_doc(), start)
            } else {
                RegistrationLifecycle::effective(bc(), start)
            };
            let mut today = start;
            for (event, good_doc, delta) in steps {
                let day = today.add_days(delta).unwrap();
                let before = r.clone();
                let result = match event {
                    E::Complete => {
                        let doc = if good_doc { bc() } else { DocumentNumber::parse(DocumentType::Hkic, "A123456(3)").unwrap() };
                        r.complete(doc, day)
                    }
                    E::Withdraw => r.withdraw(day),
                    E::Rejoin => r.rejoin(day),
                };
                match result {
                    Ok(()) => {
                        prop_assert_eq!(before.state().next(event), Ok(r.state()));
                        today = day;
                    }
                    Err(_) => prop_assert_eq!(&r, &before),
                }
                // Invariant: awaiting the certificate iff identified by the hospital document.
                let by_hospital = matches!(r.identifier(), Identifier::BirthHospital { .. });
                if r.state() != S::Withdrawn {
                    prop_assert_eq!(r.state() == S::AwaitingBirthCertificate, by_hospital);
                }
                if let Identifier::Document { number } = r.identifier() {
                    prop_assert_eq!(number.check(), CheckStatus::Verified);
                }
            }
        }
    }
}
