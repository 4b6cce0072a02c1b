//! Who may register a person: self-registration, substitute decision makers
//! (SDMs), their tiers, documents and channels.
//!
//! Rules (brief §1.2–1.4 and the product decisions):
//!
//! - Age is computed on the day of the transaction ([`crate::date::age_on`]).
//!   With a month-only or year-only date of birth the **youngest possible
//!   age** decides: a person is treated as 16 or over only when certainly so,
//!   and the decision carries `reason.age_uncertain`.
//! - **Under 16**: an SDM acts; self-registration is refused. Tiers:
//!   a parent, b guardian, c court appointee, d family member or person
//!   residing with the child, e prescribed healthcare provider. A recorded
//!   incapacity ground changes nothing for a child.
//! - **16 or over, able to consent**: registers in person; an SDM is refused.
//! - **16 or over with one of the four incapacity grounds**: an SDM acts;
//!   self-registration is refused. Tiers: a guardian, b Director of Social
//!   Welfare or a guardian under the Mental Health Ordinance, c court
//!   appointee, d family member or person residing with the person,
//!   e prescribed healthcare provider. A *parent* is not on this list: a
//!   parent of an adult acts as family member (or as guardian if appointed);
//!   the public sources disagree here (brief §1.3) and this crate follows
//!   the product decisions.
//! - Tiers d and e need the clerk's declaration that no higher-tier SDM exists.
//! - Guardian, DSW/MHO guardian, court appointee and healthcare provider
//!   SDMs need an image of the supporting document (guardianship or court
//!   order; the HCP's letter of declaration). The DSW/MHO guardian is
//!   included as a guardian under an order (the brief lists guardians).
//! - Every SDM application needs an image of a copy of the patient's
//!   identity document.
//! - Only parent, family member and residing-with SDMs may apply online.

use serde::{Deserialize, Serialize};

use crate::date::{age_on, Age, Date, DateOfBirth};
use crate::decision::{Decision, Need, NeedKind};
use crate::error::Code;

/// The age at which a person registers in person.
pub const AGE_OF_SELF_REGISTRATION: u32 = 16;

/// The four grounds on which a person aged 16 or over may have an SDM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncapacityGround {
    /// Mentally incapacitated (Mental Health Ordinance, Cap. 136, s.2(1)).
    MentallyIncapacitated,
    /// Unable to manage his or her own affairs.
    UnableToManageAffairs,
    /// Unable to give joining consent at the relevant time.
    UnableToGiveJoiningConsent,
    /// Unable to give sharing consent at the relevant time.
    UnableToGiveSharingConsent,
}

impl IncapacityGround {
    /// Every ground.
    pub const ALL: &'static [IncapacityGround] = &[
        IncapacityGround::MentallyIncapacitated,
        IncapacityGround::UnableToManageAffairs,
        IncapacityGround::UnableToGiveJoiningConsent,
        IncapacityGround::UnableToGiveSharingConsent,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            IncapacityGround::MentallyIncapacitated => "mentally_incapacitated",
            IncapacityGround::UnableToManageAffairs => "unable_to_manage_affairs",
            IncapacityGround::UnableToGiveJoiningConsent => "unable_to_give_joining_consent",
            IncapacityGround::UnableToGiveSharingConsent => "unable_to_give_sharing_consent",
        }
    }
}

/// Whether the patient can consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Capacity {
    /// Able to consent.
    Capable,
    /// Not able to consent, on a recorded ground.
    Incapable {
        /// The ground.
        ground: IncapacityGround,
    },
}

impl Capacity {
    /// Reads `capable` or `incapable:<ground>` (ground codes as in
    /// [`IncapacityGround::code`]).
    pub fn parse(s: &str) -> Option<Capacity> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        if s == "capable" {
            return Some(Capacity::Capable);
        }
        let ground = s.strip_prefix("incapable:")?;
        IncapacityGround::ALL
            .iter()
            .copied()
            .find(|g| g.code() == ground)
            .map(|ground| Capacity::Incapable { ground })
    }
}

/// The relationship of an SDM to the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdmRelationship {
    /// Parent.
    Parent,
    /// Guardian.
    Guardian,
    /// Director of Social Welfare, or a guardian under the Mental Health Ordinance.
    DswOrMhoGuardian,
    /// A person appointed by a court to manage the patient's affairs.
    CourtAppointee,
    /// A family member.
    FamilyMember,
    /// A person residing with the patient.
    ResidingWith,
    /// A prescribed healthcare provider that gives the patient care.
    HealthcareProvider,
}

/// SDM tier (a highest to e lowest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdmTier {
    /// Tier a.
    A,
    /// Tier b.
    B,
    /// Tier c.
    C,
    /// Tier d: only if no tier a–c SDM exists.
    D,
    /// Tier e: only if no tier a–d SDM exists.
    E,
}

/// Which rule set applies, by age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBranch {
    /// Under 16 (or possibly so, with an imprecise date of birth).
    #[serde(rename = "under_16")]
    Under16,
    /// Certainly 16 or over.
    SixteenOrOver,
}

impl SdmRelationship {
    /// Every relationship.
    pub const ALL: &'static [SdmRelationship] = &[
        SdmRelationship::Parent,
        SdmRelationship::Guardian,
        SdmRelationship::DswOrMhoGuardian,
        SdmRelationship::CourtAppointee,
        SdmRelationship::FamilyMember,
        SdmRelationship::ResidingWith,
        SdmRelationship::HealthcareProvider,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            SdmRelationship::Parent => "parent",
            SdmRelationship::Guardian => "guardian",
            SdmRelationship::DswOrMhoGuardian => "dsw_or_mho_guardian",
            SdmRelationship::CourtAppointee => "court_appointee",
            SdmRelationship::FamilyMember => "family_member",
            SdmRelationship::ResidingWith => "residing_with",
            SdmRelationship::HealthcareProvider => "healthcare_provider",
        }
    }

    /// The relationship for a code (`-` and `_` interchangeable).
    pub fn from_code(s: &str) -> Option<SdmRelationship> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        SdmRelationship::ALL.iter().copied().find(|r| r.code() == s)
    }

    /// The tier of this relationship for a patient of `branch`, or `None` if
    /// it cannot act for that age.
    pub fn tier(self, branch: AgeBranch) -> Option<SdmTier> {
        use SdmRelationship::*;
        match (branch, self) {
            (AgeBranch::Under16, Parent) => Some(SdmTier::A),
            (AgeBranch::Under16, Guardian) => Some(SdmTier::B),
            (AgeBranch::Under16, CourtAppointee) => Some(SdmTier::C),
            (AgeBranch::Under16, DswOrMhoGuardian) => None,
            (AgeBranch::SixteenOrOver, Guardian) => Some(SdmTier::A),
            (AgeBranch::SixteenOrOver, DswOrMhoGuardian) => Some(SdmTier::B),
            (AgeBranch::SixteenOrOver, CourtAppointee) => Some(SdmTier::C),
            (AgeBranch::SixteenOrOver, Parent) => None,
            (_, FamilyMember | ResidingWith) => Some(SdmTier::D),
            (_, HealthcareProvider) => Some(SdmTier::E),
        }
    }

    /// The relationships that may act for `branch`, in tier order (what the
    /// relationship picker offers).
    pub fn choices(branch: AgeBranch) -> Vec<SdmRelationship> {
        let mut v: Vec<_> = SdmRelationship::ALL
            .iter()
            .copied()
            .filter(|r| r.tier(branch).is_some())
            .collect();
        v.sort_by_key(|r| r.tier(branch));
        v
    }

    /// Whether an image of a supporting document is needed.
    pub fn needs_supporting_document(self) -> bool {
        matches!(
            self,
            SdmRelationship::Guardian
                | SdmRelationship::DswOrMhoGuardian
                | SdmRelationship::CourtAppointee
                | SdmRelationship::HealthcareProvider
        )
    }

    /// Whether this SDM may apply online.
    pub fn may_apply_online(self) -> bool {
        matches!(
            self,
            SdmRelationship::Parent | SdmRelationship::FamilyMember | SdmRelationship::ResidingWith
        )
    }
}

/// Who is applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "role")]
pub enum Applicant {
    /// The patient, for themselves.
    #[serde(rename = "self")]
    SelfApplicant,
    /// A substitute decision maker.
    Sdm {
        /// The SDM's relationship to the patient.
        relationship: SdmRelationship,
    },
}

/// How the application reaches eHealth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// In person at a registration counter.
    #[default]
    Counter,
    /// The online form.
    Online,
    /// A paper form (RE(C)01) by post, fax or drop-in box.
    Paper,
}

/// What the clerk has already done or recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Provided {
    /// The declaration that no higher-tier SDM exists was made.
    #[serde(default)]
    pub no_higher_tier_declared: bool,
    /// The SDM's supporting document image was captured.
    #[serde(default)]
    pub supporting_document_captured: bool,
    /// The image of a copy of the patient's identity document was captured.
    #[serde(default)]
    pub patient_document_copy_captured: bool,
}

/// The facts an eligibility decision is made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityRequest {
    /// The patient's date of birth.
    pub date_of_birth: DateOfBirth,
    /// The day of the transaction.
    pub on: Date,
    /// Whether the patient can consent.
    pub capacity: Capacity,
    /// Who applies.
    pub applicant: Applicant,
    /// Through which channel.
    #[serde(default)]
    pub channel: Channel,
    /// What is already done.
    #[serde(default)]
    pub provided: Provided,
}

/// An eligibility decision with the facts it was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityDecision {
    /// Allowed or refused, what is needed, why.
    #[serde(flatten)]
    pub decision: Decision,
    /// The patient's age on the day (absent if the date of birth is later).
    pub age: Option<Age>,
    /// The rule set applied.
    pub age_branch: Option<AgeBranch>,
    /// The SDM's tier, for an SDM who may act.
    pub sdm_tier: Option<SdmTier>,
}

/// Decides whether `req.applicant` may register the patient.
pub fn decide(req: &EligibilityRequest) -> EligibilityDecision {
    let mut out = EligibilityDecision {
        decision: Decision::allow(),
        age: None,
        age_branch: None,
        sdm_tier: None,
    };
    let age = match age_on(req.date_of_birth, req.on) {
        Ok(a) => a,
        Err(_) => {
            out.decision = out.decision.refuse(Code::EligibilityDobAfterTransaction);
            return out;
        }
    };
    out.age = Some(age);
    let mut d = Decision::allow();
    if !age.is_exact()
        && age.max_years >= AGE_OF_SELF_REGISTRATION
        && age.min_years < AGE_OF_SELF_REGISTRATION
    {
        d = d.because(Code::ReasonAgeUncertain);
    }
    let branch = if age.certainly_at_least(AGE_OF_SELF_REGISTRATION) {
        AgeBranch::SixteenOrOver
    } else {
        AgeBranch::Under16
    };
    out.age_branch = Some(branch);

    let relationship = match (branch, req.capacity, req.applicant) {
        (AgeBranch::Under16, _, Applicant::SelfApplicant) => {
            out.decision = d
                .because(Code::ReasonUnder16)
                .refuse(Code::EligibilitySdmRequiredUnder16);
            return out;
        }
        (AgeBranch::Under16, _, Applicant::Sdm { relationship }) => {
            d = d.because(Code::ReasonUnder16);
            relationship
        }
        (AgeBranch::SixteenOrOver, Capacity::Capable, Applicant::SelfApplicant) => {
            out.decision = d.because(Code::ReasonSelf16Plus);
            return out;
        }
        (AgeBranch::SixteenOrOver, Capacity::Capable, Applicant::Sdm { .. }) => {
            out.decision = d.refuse(Code::EligibilitySdmNeedsIncapacityGround);
            return out;
        }
        (AgeBranch::SixteenOrOver, Capacity::Incapable { .. }, Applicant::SelfApplicant) => {
            out.decision = d
                .because(Code::ReasonIncapable16Plus)
                .refuse(Code::EligibilitySelfLacksCapacity);
            return out;
        }
        (AgeBranch::SixteenOrOver, Capacity::Incapable { .. }, Applicant::Sdm { relationship }) => {
            d = d.because(Code::ReasonIncapable16Plus);
            relationship
        }
    };

    let Some(tier) = relationship.tier(branch) else {
        if relationship == SdmRelationship::Parent {
            d = d.because(Code::ReasonParentOfAdult);
        }
        out.decision = d.refuse(Code::EligibilityRelationshipNotForAge);
        return out;
    };
    out.sdm_tier = Some(tier);
    let tier_reason = match tier {
        SdmTier::A | SdmTier::B | SdmTier::C => Code::ReasonTierTop,
        SdmTier::D => Code::ReasonTierD,
        SdmTier::E => Code::ReasonTierE,
    };
    d = d.because(tier_reason);

    if req.channel == Channel::Online && !relationship.may_apply_online() {
        out.decision = d.refuse(Code::EligibilitySdmTypeNotOnline);
        return out;
    }
    if tier >= SdmTier::D && !req.provided.no_higher_tier_declared {
        d = d.needs(Need::new(
            NeedKind::Declaration,
            Code::NeedNoHigherTierDeclaration,
            tier_reason,
        ));
    }
    if relationship.needs_supporting_document() && !req.provided.supporting_document_captured {
        d = d.needs(Need::new(
            NeedKind::Document,
            Code::NeedSupportingDocument,
            tier_reason,
        ));
    }
    if !req.provided.patient_document_copy_captured {
        let why = if branch == AgeBranch::Under16 {
            Code::ReasonUnder16
        } else {
            Code::ReasonIncapable16Plus
        };
        d = d.needs(Need::new(
            NeedKind::Document,
            Code::NeedPatientDocumentCopy,
            why,
        ));
    }
    out.decision = d;
    out
}

#[cfg(test)]
mod tests;
