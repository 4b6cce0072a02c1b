//! The outcome of a rule: allowed or refused, what is still needed before
//! going ahead, and why.
//!
//! A [`Decision`] is what eligibility ([`crate::eligibility::decide`]) and
//! activation ([`crate::matching::decide_activation`]) return. `allowed`
//! says whether the rules permit the task at all; `still_needed` lists what
//! the clerk must still do (capture a document image, make a declaration, get
//! a supervisor's sign-off). A task may go ahead when it is allowed and
//! nothing is still needed ([`Decision::complete`]).

use serde::{Deserialize, Serialize};

use crate::error::{Code, Message};

/// What kind of thing is still needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedKind {
    /// An image of a document, captured at the counter.
    Document,
    /// A declaration recorded by the clerk.
    Declaration,
    /// A supervisor signs in and signs off.
    SupervisorSignOff,
}

/// One thing still needed, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// What kind of thing.
    pub kind: NeedKind,
    /// What exactly (code and bilingual text).
    pub what: Message,
    /// Why it is needed (code and bilingual text).
    pub why: Message,
}

impl Need {
    /// A need from its kind and two codes.
    pub fn new(kind: NeedKind, what: Code, why: Code) -> Need {
        Need {
            kind,
            what: Message::new(what),
            why: Message::new(why),
        }
    }
}

/// The outcome of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether the rules permit the task (possibly once `still_needed` is done).
    pub allowed: bool,
    /// Why not, when not allowed.
    pub refusal: Option<Message>,
    /// What must still be done before going ahead (empty when refused).
    pub still_needed: Vec<Need>,
    /// The rules that were applied, in order.
    pub reasons: Vec<Message>,
}

impl Decision {
    /// An allowed decision with no needs and no reasons yet.
    pub fn allow() -> Decision {
        Decision {
            allowed: true,
            refusal: None,
            still_needed: Vec::new(),
            reasons: Vec::new(),
        }
    }

    /// A refusal with its code; the reasons gathered so far are kept, the
    /// needs dropped.
    pub fn refuse(mut self, code: Code) -> Decision {
        self.allowed = false;
        self.refusal = Some(Message::new(code));
        self.still_needed.clear();
        self
    }

    /// Adds a reason.
    pub fn because(mut self, code: Code) -> Decision {
        self.reasons.push(Message::new(code));
        self
    }

    /// Adds a need.
    pub fn needs(mut self, need: Need) -> Decision {
        self.still_needed.push(need);
        self
    }

    /// Allowed and nothing left to do.
    pub fn complete(&self) -> bool {
        self.allowed && self.still_needed.is_empty()
    }

    /// The codes of what is still needed (handy in tests and logs).
    pub fn needed_codes(&self) -> Vec<Code> {
        self.still_needed.iter().map(|n| n.what.code).collect()
    }

    /// The refusal code, if refused.
    pub fn refusal_code(&self) -> Option<Code> {
        self.refusal.as_ref().map(|m| m.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_behaviour() {
        let d = Decision::allow()
            .because(Code::ReasonTierD)
            .needs(Need::new(
                NeedKind::Declaration,
                Code::NeedNoHigherTierDeclaration,
                Code::ReasonTierD,
            ));
        assert!(d.allowed && !d.complete());
        assert_eq!(d.needed_codes(), vec![Code::NeedNoHigherTierDeclaration]);
        let r = d.refuse(Code::EligibilitySdmTypeNotOnline);
        assert!(!r.allowed && !r.complete());
        assert!(r.still_needed.is_empty());
        assert_eq!(r.reasons.len(), 1);
        assert_eq!(r.refusal_code(), Some(Code::EligibilitySdmTypeNotOnline));
        assert!(Decision::allow().complete());
        let json = serde_json::to_value(Decision::allow()).unwrap();
        assert_eq!(json["allowed"], true);
        assert!(json["refusal"].is_null());
    }
}
