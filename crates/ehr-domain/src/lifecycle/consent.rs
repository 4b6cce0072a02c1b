//! The lifecycle of sharing consent to healthcare providers.
//!
//! ```text
//! not_given ─ give ─> given ─ revoke ─> revoked ─ give ─> given …
//! automatic (public providers): no event applies
//! ```
//!
//! - Public providers (HA, DH, the Primary Healthcare Commission, government
//!   and HA facilities) hold consent automatically from registration; it
//!   cannot be given or revoked at the counter ([`LifecycleError::PublicProviderFixed`]).
//! - A private provider's consent is given on a date, which is kept (rules
//!   differ for consent given before and after 1 December 2025); revoking
//!   keeps the date it was given. Consent can be given again after revoking.
//! - [`ConsentBook`] changes one or several providers at once, all or nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{LifecycleError, Machine};
use crate::date::Date;

/// Whether a provider is public (automatic consent) or private.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Public: consent is automatic and fixed.
    Public,
    /// Private: consent is given and revoked by the patient or SDM.
    Private,
}

/// The consent state for one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ConsentState {
    /// A public provider's automatic consent.
    Automatic,
    /// Never given.
    NotGiven,
    /// Given on a date.
    Given {
        /// The day it was given.
        given_on: Date,
    },
    /// Given, then revoked.
    Revoked {
        /// The day it was given.
        given_on: Date,
        /// The day it was revoked.
        revoked_on: Date,
    },
}

/// What can happen to a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum ConsentEvent {
    /// Consent given on a day.
    Give {
        /// The day.
        on: Date,
    },
    /// Consent revoked on a day.
    Revoke {
        /// The day.
        on: Date,
    },
}

impl ConsentState {
    /// The starting state for a provider of `kind`.
    pub fn initial(kind: ProviderKind) -> ConsentState {
        match kind {
            ProviderKind::Public => ConsentState::Automatic,
            ProviderKind::Private => ConsentState::NotGiven,
        }
    }

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ConsentState::Automatic => "automatic",
            ConsentState::NotGiven => "not_given",
            ConsentState::Given { .. } => "given",
            ConsentState::Revoked { .. } => "revoked",
        }
    }

    /// Whether the provider holds consent in this state.
    pub fn holds_consent(self) -> bool {
        matches!(self, ConsentState::Automatic | ConsentState::Given { .. })
    }

    /// The date of the state's latest event, if any.
    fn last_date(self) -> Option<Date> {
        match self {
            ConsentState::Automatic | ConsentState::NotGiven => None,
            ConsentState::Given { given_on } => Some(given_on),
            ConsentState::Revoked { revoked_on, .. } => Some(revoked_on),
        }
    }

    /// The transition table.
    pub fn next(self, event: ConsentEvent) -> Result<ConsentState, LifecycleError> {
        let on = match event {
            ConsentEvent::Give { on } | ConsentEvent::Revoke { on } => on,
        };
        if self == ConsentState::Automatic {
            return Err(LifecycleError::PublicProviderFixed);
        }
        if self.last_date().is_some_and(|last| on < last) {
            return Err(LifecycleError::DateOrder);
        }
        match (self, event) {
            (ConsentState::NotGiven | ConsentState::Revoked { .. }, ConsentEvent::Give { on }) => {
                Ok(ConsentState::Given { given_on: on })
            }
            (ConsentState::Given { given_on }, ConsentEvent::Revoke { on }) => {
                Ok(ConsentState::Revoked {
                    given_on,
                    revoked_on: on,
                })
            }
            (from, event) => Err(LifecycleError::illegal(
                Machine::Consent,
                from.code(),
                event.code(),
            )),
        }
    }
}

impl ConsentEvent {
    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ConsentEvent::Give { .. } => "give",
            ConsentEvent::Revoke { .. } => "revoke",
        }
    }
}

/// A provider's consent entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEntry {
    /// Public or private.
    pub kind: ProviderKind,
    /// The consent state.
    pub state: ConsentState,
}

/// Why a change to several providers was refused: the first provider that
/// failed (by its id from the provider register) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("consent change refused for provider {provider_id}: {error}")]
pub struct ConsentBookError {
    /// The provider's id in the register (not personal data).
    pub provider_id: String,
    /// Why.
    pub error: LifecycleError,
}

/// One patient's consents, by provider id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentBook {
    entries: BTreeMap<String, ConsentEntry>,
}

impl ConsentBook {
    /// A book with the public providers' automatic consent.
    pub fn with_public_providers<'a>(public_ids: impl IntoIterator<Item = &'a str>) -> ConsentBook {
        let entries = public_ids
            .into_iter()
            .map(|id| {
                let e = ConsentEntry {
                    kind: ProviderKind::Public,
                    state: ConsentState::Automatic,
                };
                (id.to_owned(), e)
            })
            .collect();
        ConsentBook { entries }
    }

    /// The entry for a provider, if known.
    pub fn get(&self, provider_id: &str) -> Option<&ConsentEntry> {
        self.entries.get(provider_id)
    }

    /// Every entry, by provider id.
    pub fn entries(&self) -> &BTreeMap<String, ConsentEntry> {
        &self.entries
    }

    /// Applies `event` to every provider in `provider_ids`, all or nothing.
    /// A provider not in the book yet is a private provider whose consent
    /// was never given.
    pub fn apply_many(
        &mut self,
        provider_ids: &[&str],
        event: ConsentEvent,
    ) -> Result<(), ConsentBookError> {
        let mut staged = Vec::with_capacity(provider_ids.len());
        for &id in provider_ids {
            let current = self.entries.get(id).copied().unwrap_or(ConsentEntry {
                kind: ProviderKind::Private,
                state: ConsentState::NotGiven,
            });
            let state = current
                .state
                .next(event)
                .map_err(|error| ConsentBookError {
                    provider_id: id.to_owned(),
                    error,
                })?;
            staged.push((
                id,
                ConsentEntry {
                    kind: current.kind,
                    state,
                },
            ));
        }
        for (id, entry) in staged {
            self.entries.insert(id.to_owned(), entry);
        }
        Ok(())
    }

    /// Gives consent to several providers on `on`.
    pub fn give(&mut self, provider_ids: &[&str], on: Date) -> Result<(), ConsentBookError> {
        self.apply_many(provider_ids, ConsentEvent::Give { on })
    }

    /// Revokes consent from several providers on `on`.
    pub fn revoke(&mut self, provider_ids: &[&str], on: Date) -> Result<(), ConsentBookError> {
        self.apply_many(provider_ids, ConsentEvent::Revoke { on })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn transition_table() {
        let day = d("2026-01-10");
        let earlier = d("2026-01-05");
        let given = ConsentState::Given { given_on: earlier };
        let revoked = ConsentState::Revoked {
            given_on: earlier,
            revoked_on: earlier,
        };
        let give = ConsentEvent::Give { on: day };
        let revoke = ConsentEvent::Revoke { on: day };
        let cases: &[(ConsentState, ConsentEvent, Result<ConsentState, &str>)] = &[
            (ConsentState::Automatic, give, Err("consent.public_fixed")),
            (ConsentState::Automatic, revoke, Err("consent.public_fixed")),
            (
                ConsentState::NotGiven,
                give,
                Ok(ConsentState::Given { given_on: day }),
            ),
            (
                ConsentState::NotGiven,
                revoke,
                Err("lifecycle.illegal_transition"),
            ),
            (given, give, Err("lifecycle.illegal_transition")),
            (
                given,
                revoke,
                Ok(ConsentState::Revoked {
                    given_on: earlier,
                    revoked_on: day,
                }),
            ),
            (revoked, give, Ok(ConsentState::Given { given_on: day })),
            (revoked, revoke, Err("lifecycle.illegal_transition")),
            (
                ConsentState::Given { given_on: day },
                ConsentEvent::Revoke { on: earlier },
                Err("lifecycle.date_order"),
            ),
        ];
        for (s, e, want) in cases {
            let got = s.next(*e).map_err(|err| err.code().as_str());
            assert_eq!(&got, want, "{s:?} {e:?}");
        }
        assert!(ConsentState::Automatic.holds_consent());
        assert!(given.holds_consent());
        assert!(!revoked.holds_consent() && !ConsentState::NotGiven.holds_consent());
        assert_eq!(
            ConsentState::initial(ProviderKind::Public),
            ConsentState::Automatic
        );
        assert_eq!(
            ConsentState::initial(ProviderKind::Private),
            ConsentState::NotGiven
        );
    }

    #[test]
    fn book_changes_all_or_nothing() {
        let mut book = ConsentBook::with_public_providers(["HA", "DH", "PHCC"]);
        book.give(&["P001", "P002"], d("2026-01-01")).unwrap();
        assert_eq!(
            book.get("P001").unwrap().state,
            ConsentState::Given {
                given_on: d("2026-01-01")
            }
        );
        // Revoking a public provider along with a private one changes nothing.
        let before = book.clone();
        let err = book.revoke(&["P001", "HA"], d("2026-02-01")).unwrap_err();
        assert_eq!(err.provider_id, "HA");
        assert_eq!(err.error, LifecycleError::PublicProviderFixed);
        assert_eq!(book, before);
        // Giving twice is refused, all or nothing.
        let err = book.give(&["P003", "P002"], d("2026-02-01")).unwrap_err();
        assert_eq!(err.provider_id, "P002");
        assert!(book.get("P003").is_none());
        book.revoke(&["P001", "P002"], d("2026-02-01")).unwrap();
        assert_eq!(
            book.get("P002").unwrap().state,
            ConsentState::Revoked {
                given_on: d("2026-01-01"),
                revoked_on: d("2026-02-01")
            }
        );
        assert_eq!(book.get("HA").unwrap().state, ConsentState::Automatic);
        assert_eq!(book.entries().len(), 5);
        let v = serde_json::to_value(&book).unwrap();
        assert_eq!(v["entries"]["P001"]["state"]["state"], "revoked");
        assert_eq!(serde_json::from_value::<ConsentBook>(v).unwrap(), book);
    }

    fn any_event() -> impl Strategy<Value = (bool, i64)> {
        (any::<bool>(), -3i64..30)
    }

    proptest! {
        #[test]
        fn random_sequences_stay_legal(public in any::<bool>(), steps in proptest::collection::vec(any_event(), 0..20)) {
            let kind = if public { ProviderKind::Public } else { ProviderKind::Private };
            let mut s = ConsentState::initial(kind);
            let mut today = d("2026-01-01");
            for (give, delta) in steps {
                let on = today.add_days(delta).unwrap();
                let event = if give { ConsentEvent::Give { on } } else { ConsentEvent::Revoke { on } };
                match s.next(event) {
                    Ok(next) => {
                        prop_assert!(!public);
                        s = next;
                        today = on;
                    }
                    Err(e) => {
                        if public {
                            prop_assert_eq!(e, LifecycleError::PublicProviderFixed);
                        }
                    }
                }
                match s {
                    ConsentState::Automatic => prop_assert!(public),
                    ConsentState::Revoked { given_on, revoked_on } => prop_assert!(given_on <= revoked_on),
                    ConsentState::Given { .. } | ConsentState::NotGiven => prop_assert!(!public),
                }
            }
        }
    }
}
