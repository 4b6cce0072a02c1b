//! The lifecycle of a pending application (online or paper).
//!
//! ```text
//! submitted_online ─┐
//!                   ├─ accept ─> pending ─ activate ─> activated
//! keyed_from_paper ─┘               │
//!        │                          ├─ expire ──> expired
//!        └─ expire / cancel ────────┴─ cancel ──> cancelled
//! ```
//!
//! - `accept`: an online submission is accepted by the central service, or
//!   a paper form's keying has passed its second-person check.
//! - An application expires `application_expiry_days` after the day it was
//!   submitted (received, for paper): on that day and after it can no longer
//!   be activated, even if the `expire` event has not been recorded yet.
//!   `expire` is accepted only from that day on, and is then the only step
//!   left (`accept`, `activate` and `cancel` are refused as expired).
//! - `activated`, `expired` and `cancelled` are final. An expired
//!   application is not revived: the counter offers a walk-in registration
//!   prefilled from it.

use serde::{Deserialize, Serialize};

use super::{LifecycleError, Machine, Policy};
use crate::date::{Date, DateError};

/// How the application arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The online form.
    Online,
    /// A paper form received by post.
    PaperPost,
    /// A paper form received by fax.
    PaperFax,
    /// A paper form left in a drop-in box.
    PaperDropIn,
}

/// The state of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// Submitted online, not yet accepted.
    SubmittedOnline,
    /// Keyed from a paper form, awaiting the second-person check.
    KeyedFromPaper,
    /// Waiting for activation (identity verification) at a counter.
    Pending,
    /// Activated: the registration took effect.
    Activated,
    /// Expired before activation.
    Expired,
    /// Cancelled (by the applicant or the eHR Office).
    Cancelled,
}

/// What can happen to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationEvent {
    /// Accepted (online) or checked (paper).
    Accept,
    /// Activated at a counter.
    Activate,
    /// The expiry period passed.
    Expire,
    /// Cancelled.
    Cancel,
}

impl ApplicationState {
    /// Every state.
    pub const ALL: &'static [ApplicationState] = &[
        ApplicationState::SubmittedOnline,
        ApplicationState::KeyedFromPaper,
        ApplicationState::Pending,
        ApplicationState::Activated,
        ApplicationState::Expired,
        ApplicationState::Cancelled,
    ];

    /// The state a new application starts in.
    pub fn initial(origin: Origin) -> ApplicationState {
        match origin {
            Origin::Online => ApplicationState::SubmittedOnline,
            Origin::PaperPost | Origin::PaperFax | Origin::PaperDropIn => {
                ApplicationState::KeyedFromPaper
            }
        }
    }

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ApplicationState::SubmittedOnline => "submitted_online",
            ApplicationState::KeyedFromPaper => "keyed_from_paper",
            ApplicationState::Pending => "pending",
            ApplicationState::Activated => "activated",
            ApplicationState::Expired => "expired",
            ApplicationState::Cancelled => "cancelled",
        }
    }

    /// Whether no event can leave this state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationState::Activated | ApplicationState::Expired | ApplicationState::Cancelled
        )
    }

    /// The transition table, without dates.
    pub fn next(self, event: ApplicationEvent) -> Result<ApplicationState, LifecycleError> {
        use ApplicationEvent as E;
        use ApplicationState as S;
        match (self, event) {
            (S::SubmittedOnline | S::KeyedFromPaper, E::Accept) => Ok(S::Pending),
            (S::Pending, E::Activate) => Ok(S::Activated),
            (S::SubmittedOnline | S::KeyedFromPaper | S::Pending, E::Expire) => Ok(S::Expired),
            (S::SubmittedOnline | S::KeyedFromPaper | S::Pending, E::Cancel) => Ok(S::Cancelled),
            (from, event) => Err(LifecycleError::illegal(
                Machine::Application,
                from.code(),
                event.code(),
            )),
        }
    }
}

impl ApplicationEvent {
    /// Every event.
    pub const ALL: &'static [ApplicationEvent] = &[
        ApplicationEvent::Accept,
        ApplicationEvent::Activate,
        ApplicationEvent::Expire,
        ApplicationEvent::Cancel,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ApplicationEvent::Accept => "accept",
            ApplicationEvent::Activate => "activate",
            ApplicationEvent::Expire => "expire",
            ApplicationEvent::Cancel => "cancel",
        }
    }
}

/// A pending application's lifecycle record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationLifecycle {
    origin: Origin,
    state: ApplicationState,
    submitted_on: Date,
    last_event_on: Date,
}

impl ApplicationLifecycle {
    /// A new application submitted (or received) on `submitted_on`.
    pub fn new(origin: Origin, submitted_on: Date) -> ApplicationLifecycle {
        ApplicationLifecycle {
            origin,
            state: ApplicationState::initial(origin),
            submitted_on,
            last_event_on: submitted_on,
        }
    }

    /// A record as another party holds it: the origin, the state and the
    /// days it was submitted and last changed, as a copy fetched from the
    /// central service says (the counter rebuilds the lifecycle of an
    /// application it looked up). Refused with
    /// [`LifecycleError::DateOrder`] when the last event is dated before the
    /// submission, which no record reaches.
    pub fn restore(
        origin: Origin,
        state: ApplicationState,
        submitted_on: Date,
        last_event_on: Date,
    ) -> Result<ApplicationLifecycle, LifecycleError> {
        if last_event_on < submitted_on {
            return Err(LifecycleError::DateOrder);
        }
        Ok(ApplicationLifecycle {
            origin,
            state,
            submitted_on,
            last_event_on,
        })
    }

    /// How it arrived.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The recorded state (see [`ApplicationLifecycle::effective_state`]).
    pub fn state(&self) -> ApplicationState {
        self.state
    }

    /// The day it was submitted or received.
    pub fn submitted_on(&self) -> Date {
        self.submitted_on
    }

    /// The day of the last recorded event.
    pub fn last_event_on(&self) -> Date {
        self.last_event_on
    }

    /// The first day on which it is expired.
    pub fn expires_on(&self, policy: &Policy) -> Result<Date, DateError> {
        self.submitted_on
            .add_days(i64::from(policy.application_expiry_days))
    }

    /// Whether the expiry date has been reached on `today`.
    pub fn is_due_to_expire(&self, today: Date, policy: &Policy) -> bool {
        // A date beyond the calendar never comes.
        self.expires_on(policy).is_ok_and(|e| today >= e)
    }

    /// The state on `today`: a non-final application past its expiry date is
    /// expired, whether or not the event was recorded.
    pub fn effective_state(&self, today: Date, policy: &Policy) -> ApplicationState {
        if !self.state.is_final() && self.is_due_to_expire(today, policy) {
            ApplicationState::Expired
        } else {
            self.state
        }
    }

    /// Records `event` on `today`. On error nothing changes.
    pub fn apply(
        &mut self,
        event: ApplicationEvent,
        today: Date,
        policy: &Policy,
    ) -> Result<ApplicationState, LifecycleError> {
        if today < self.last_event_on {
            return Err(LifecycleError::DateOrder);
        }
        let next = self.state.next(event)?;
        let due = self.is_due_to_expire(today, policy);
        match event {
            ApplicationEvent::Expire if !due => {
                return Err(LifecycleError::illegal(
                    Machine::Application,
                    "not_yet_due",
                    "expire",
                ));
            }
            ApplicationEvent::Activate | ApplicationEvent::Accept | ApplicationEvent::Cancel
                if due =>
            {
                // Past its expiry date the only step left is `expire`.
                return Err(LifecycleError::ApplicationExpired);
            }
            _ => {}
        }
        self.state = next;
        self.last_event_on = today;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ApplicationEvent as E;
    use ApplicationState as S;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn transition_table_is_total() {
        // Every (state, event) pair: Some(next) if legal, None if illegal.
        let table: &[(S, E, Option<S>)] = &[
            (S::SubmittedOnline, E::Accept, Some(S::Pending)),
            (S::SubmittedOnline, E::Activate, None),
            (S::SubmittedOnline, E::Expire, Some(S::Expired)),
            (S::SubmittedOnline, E::Cancel, Some(S::Cancelled)),
            (S::KeyedFromPaper, E::Accept, Some(S::Pending)),
            (S::KeyedFromPaper, E::Activate, None),
            (S::KeyedFromPaper, E::Expire, Some(S::Expired)),
            (S::KeyedFromPaper, E::Cancel, Some(S::Cancelled)),
            (S::Pending, E::Accept, None),
            (S::Pending, E::Activate, Some(S::Activated)),
            (S::Pending, E::Expire, Some(S::Expired)),
            (S::Pending, E::Cancel, Some(S::Cancelled)),
            (S::Activated, E::Accept, None),
            (S::Activated, E::Activate, None),
            (S::Activated, E::Expire, None),
            (S::Activated, E::Cancel, None),
            (S::Expired, E::Accept, None),
            (S::Expired, E::Activate, None),
            (S::Expired, E::Expire, None),
            (S::Expired, E::Cancel, None),
            (S::Cancelled, E::Accept, None),
            (S::Cancelled, E::Activate, None),
            (S::Cancelled, E::Expire, None),
            (S::Cancelled, E::Cancel, None),
        ];
        assert_eq!(table.len(), S::ALL.len() * E::ALL.len());
        for &(s, e, want) in table {
            match (s.next(e), want) {
                (Ok(got), Some(w)) => assert_eq!(got, w, "{s:?} {e:?}"),
                (
                    Err(LifecycleError::IllegalTransition {
                        machine,
                        from,
                        event,
                    }),
                    None,
                ) => {
                    assert_eq!(machine, Machine::Application);
                    assert_eq!(from, s.code());
                    assert_eq!(event, e.code());
                }
                (got, want) => panic!("{s:?} {e:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn initial_states() {
        assert_eq!(S::initial(Origin::Online), S::SubmittedOnline);
        for o in [Origin::PaperPost, Origin::PaperFax, Origin::PaperDropIn] {
            assert_eq!(S::initial(o), S::KeyedFromPaper);
        }
    }

    #[test]
    fn expiry_is_configurable_and_enforced() {
        let p = Policy::default();
        let mut a = ApplicationLifecycle::new(Origin::Online, d("2026-01-01"));
        assert_eq!(a.expires_on(&p), Ok(d("2026-06-30")));
        a.apply(E::Accept, d("2026-01-02"), &p).unwrap();
        // Day 179: still activatable. Day 180: expired.
        assert!(!a.is_due_to_expire(d("2026-06-29"), &p));
        assert_eq!(a.effective_state(d("2026-06-29"), &p), S::Pending);
        assert_eq!(a.effective_state(d("2026-06-30"), &p), S::Expired);
        let mut late = a.clone();
        assert_eq!(
            late.apply(E::Activate, d("2026-06-30"), &p),
            Err(LifecycleError::ApplicationExpired)
        );
        assert_eq!(late, a, "unchanged on error");
        assert_eq!(late.apply(E::Expire, d("2026-06-30"), &p), Ok(S::Expired));
        assert!(late.apply(E::Activate, d("2026-07-01"), &p).is_err());
        // Expire before it is due is refused.
        let mut early = a.clone();
        assert!(matches!(
            early.apply(E::Expire, d("2026-03-01"), &p),
            Err(LifecycleError::IllegalTransition { .. })
        ));
        assert_eq!(
            early.apply(E::Activate, d("2026-06-29"), &p),
            Ok(S::Activated)
        );
        // A shorter policy.
        let short = Policy {
            application_expiry_days: 30,
            ..Policy::default()
        };
        assert_eq!(
            a.clone().apply(E::Activate, d("2026-01-31"), &short),
            Err(LifecycleError::ApplicationExpired)
        );
        assert_eq!(
            a.clone().apply(E::Activate, d("2026-01-30"), &short),
            Ok(S::Activated)
        );
        // Zero days: expired the day it is submitted.
        let zero = Policy {
            application_expiry_days: 0,
            ..Policy::default()
        };
        let fresh = ApplicationLifecycle::new(Origin::PaperFax, d("2026-01-01"));
        assert_eq!(fresh.effective_state(d("2026-01-01"), &zero), S::Expired);
    }

    #[test]
    fn dates_must_not_go_backwards() {
        let p = Policy::default();
        let mut a = ApplicationLifecycle::new(Origin::PaperPost, d("2026-01-10"));
        assert_eq!(
            a.apply(E::Accept, d("2026-01-09"), &p),
            Err(LifecycleError::DateOrder)
        );
        a.apply(E::Accept, d("2026-01-10"), &p).unwrap();
        assert_eq!(a.last_event_on(), d("2026-01-10"));
        assert_eq!(a.origin(), Origin::PaperPost);
        assert_eq!(a.submitted_on(), d("2026-01-10"));
    }

    #[test]
    fn restore_keeps_what_it_is_given_and_judges_the_same() {
        let p = Policy::default();
        let mut a = ApplicationLifecycle::new(Origin::PaperFax, d("2026-01-01"));
        a.apply(E::Accept, d("2026-01-05"), &p).unwrap();
        let back = ApplicationLifecycle::restore(
            Origin::PaperFax,
            S::Pending,
            d("2026-01-01"),
            d("2026-01-05"),
        )
        .unwrap();
        assert_eq!(back, a);
        assert_eq!(back.effective_state(d("2026-06-30"), &p), S::Expired);
        // Every state restores as itself, final ones stay final.
        for &s in S::ALL {
            let r =
                ApplicationLifecycle::restore(Origin::Online, s, d("2026-01-01"), d("2026-01-01"))
                    .unwrap();
            assert_eq!(r.state(), s);
            assert_eq!(
                r.clone().apply(E::Activate, d("2026-01-02"), &p).is_ok(),
                s == S::Pending
            );
        }
        // The last event before the submission is no record.
        assert_eq!(
            ApplicationLifecycle::restore(
                Origin::Online,
                S::Pending,
                d("2026-01-02"),
                d("2026-01-01")
            ),
            Err(LifecycleError::DateOrder)
        );
    }

    #[test]
    fn serde_shape() {
        let a = ApplicationLifecycle::new(Origin::Online, d("2026-01-01"));
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["state"], "submitted_online");
        assert_eq!(v["submitted_on"], "2026-01-01");
        let back: ApplicationLifecycle = serde_json::from_value(v).unwrap();
        assert_eq!(back, a);
    }

    fn any_origin() -> impl Strategy<Value = Origin> {
        proptest::sample::select(vec![
            Origin::Online,
            Origin::PaperPost,
            Origin::PaperFax,
            Origin::PaperDropIn,
        ])
    }

    proptest! {
        #[test]
        fn random_event_sequences_stay_legal(
            origin in any_origin(),
            expiry in 0u32..400,
            steps in proptest::collection::vec((proptest::sample::select(E::ALL), -5i64..60), 0..30),
        ) {
            let p = Policy { application_expiry_days: expiry, ..Policy::default() };
            let start = d("2026-01-01");
            let mut a = ApplicationLifecycle::new(origin, start);
            let mut today = start;
            let mut activated_on = None;
            for (event, delta) in steps {
                let day = today.add_days(delta).unwrap();
                let before = a.clone();
                match a.apply(event, day, &p) {
                    Ok(next) => {
                        prop_assert_eq!(before.state().next(event), Ok(next));
                        prop_assert!(!before.state().is_final());
                        prop_assert!(day >= before.last_event_on());
                        today = day;
                        if next == S::Activated {
                            activated_on = Some(day);
                        }
                    }
                    Err(_) => prop_assert_eq!(&a, &before),
                }
                // Invariants of every reachable record.
                prop_assert!(a.last_event_on() >= a.submitted_on());
                if let Some(on) = activated_on {
                    prop_assert!(on < a.expires_on(&p).unwrap(), "activated on or after expiry");
                    prop_assert_eq!(a.state(), S::Activated);
                }
                if a.state() == S::Expired {
                    prop_assert!(a.is_due_to_expire(a.last_event_on(), &p));
                }
                if a.state() == S::Cancelled {
                    prop_assert!(!a.is_due_to_expire(a.last_event_on(), &p));
                }
            }
        }
    }
}
