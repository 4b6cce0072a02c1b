//! Table-driven tests of the eligibility rules.

use super::*;
use crate::error::Code as C;
use SdmRelationship as R;

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn req(dob: &str, on: &str, capacity: Capacity, applicant: Applicant) -> EligibilityRequest {
    EligibilityRequest {
        date_of_birth: DateOfBirth::parse(dob).unwrap(),
        on: date(on),
        capacity,
        applicant,
        channel: Channel::Counter,
        provided: Provided::default(),
    }
}

const CAPABLE: Capacity = Capacity::Capable;
const INCAPABLE: Capacity = Capacity::Incapable {
    ground: IncapacityGround::MentallyIncapacitated,
};
const SELF: Applicant = Applicant::SelfApplicant;

fn sdm(r: SdmRelationship) -> Applicant {
    Applicant::Sdm { relationship: r }
}

#[test]
fn age_gate_table() {
    // (dob, on, capacity, applicant, refusal, branch)
    type Case = (
        &'static str,
        &'static str,
        Capacity,
        Applicant,
        Option<C>,
        AgeBranch,
    );
    let cases: &[Case] = &[
        (
            "2010-06-15",
            "2026-06-14",
            CAPABLE,
            SELF,
            Some(C::EligibilitySdmRequiredUnder16),
            AgeBranch::Under16,
        ),
        (
            "2010-06-15",
            "2026-06-15",
            CAPABLE,
            SELF,
            None,
            AgeBranch::SixteenOrOver,
        ),
        (
            "2008-02-29",
            "2024-02-28",
            CAPABLE,
            SELF,
            Some(C::EligibilitySdmRequiredUnder16),
            AgeBranch::Under16,
        ),
        (
            "2008-02-29",
            "2024-02-29",
            CAPABLE,
            SELF,
            None,
            AgeBranch::SixteenOrOver,
        ),
        (
            "2012-02-29",
            "2028-02-28",
            CAPABLE,
            SELF,
            Some(C::EligibilitySdmRequiredUnder16),
            AgeBranch::Under16,
        ),
        (
            "2010-06-15",
            "2026-06-15",
            CAPABLE,
            sdm(R::Parent),
            Some(C::EligibilitySdmNeedsIncapacityGround),
            AgeBranch::SixteenOrOver,
        ),
        (
            "2010-06-15",
            "2026-06-15",
            INCAPABLE,
            SELF,
            Some(C::EligibilitySelfLacksCapacity),
            AgeBranch::SixteenOrOver,
        ),
        (
            "2010-06-15",
            "2026-06-15",
            INCAPABLE,
            sdm(R::Guardian),
            None,
            AgeBranch::SixteenOrOver,
        ),
        (
            "2010-06-15",
            "2026-06-14",
            INCAPABLE,
            sdm(R::Parent),
            None,
            AgeBranch::Under16,
        ),
        (
            "2012-03-01",
            "2026-11-25",
            CAPABLE,
            sdm(R::Parent),
            None,
            AgeBranch::Under16,
        ),
        (
            "1950",
            "2026-11-25",
            CAPABLE,
            SELF,
            None,
            AgeBranch::SixteenOrOver,
        ),
        // Year-only, possibly 16: treated as under 16.
        (
            "2010",
            "2026-06-01",
            CAPABLE,
            SELF,
            Some(C::EligibilitySdmRequiredUnder16),
            AgeBranch::Under16,
        ),
        (
            "2010",
            "2026-12-31",
            CAPABLE,
            SELF,
            None,
            AgeBranch::SixteenOrOver,
        ),
        (
            "05/2010",
            "2026-06-01",
            CAPABLE,
            SELF,
            None,
            AgeBranch::SixteenOrOver,
        ),
        (
            "06/2010",
            "2026-06-15",
            CAPABLE,
            SELF,
            Some(C::EligibilitySdmRequiredUnder16),
            AgeBranch::Under16,
        ),
    ];
    for (i, &(dob, on, cap, app, refusal, branch)) in cases.iter().enumerate() {
        let out = decide(&req(dob, on, cap, app));
        assert_eq!(
            out.decision.refusal_code(),
            refusal,
            "case {i}: {dob} on {on}"
        );
        assert_eq!(out.decision.allowed, refusal.is_none(), "case {i}");
        assert_eq!(out.age_branch, Some(branch), "case {i}");
    }
}

#[test]
fn uncertain_age_is_explained() {
    let out = decide(&req("2010", "2026-06-01", CAPABLE, SELF));
    assert!(out
        .decision
        .reasons
        .iter()
        .any(|r| r.code == C::ReasonAgeUncertain));
    let out = decide(&req("2000", "2026-06-01", CAPABLE, SELF));
    assert!(!out
        .decision
        .reasons
        .iter()
        .any(|r| r.code == C::ReasonAgeUncertain));
    assert_eq!(out.decision.reasons[0].code, C::ReasonSelf16Plus);
    assert!(out.decision.complete());
}

#[test]
fn dob_after_transaction_is_refused() {
    let out = decide(&req("2026-12-01", "2026-11-25", CAPABLE, SELF));
    assert_eq!(
        out.decision.refusal_code(),
        Some(C::EligibilityDobAfterTransaction)
    );
    assert_eq!(out.age, None);
}

#[test]
fn tier_table() {
    use AgeBranch::*;
    let cases: &[(AgeBranch, SdmRelationship, Option<SdmTier>)] = &[
        (Under16, R::Parent, Some(SdmTier::A)),
        (Under16, R::Guardian, Some(SdmTier::B)),
        (Under16, R::CourtAppointee, Some(SdmTier::C)),
        (Under16, R::DswOrMhoGuardian, None),
        (Under16, R::FamilyMember, Some(SdmTier::D)),
        (Under16, R::ResidingWith, Some(SdmTier::D)),
        (Under16, R::HealthcareProvider, Some(SdmTier::E)),
        (SixteenOrOver, R::Parent, None),
        (SixteenOrOver, R::Guardian, Some(SdmTier::A)),
        (SixteenOrOver, R::DswOrMhoGuardian, Some(SdmTier::B)),
        (SixteenOrOver, R::CourtAppointee, Some(SdmTier::C)),
        (SixteenOrOver, R::FamilyMember, Some(SdmTier::D)),
        (SixteenOrOver, R::ResidingWith, Some(SdmTier::D)),
        (SixteenOrOver, R::HealthcareProvider, Some(SdmTier::E)),
    ];
    for &(b, r, t) in cases {
        assert_eq!(r.tier(b), t, "{b:?} {r:?}");
    }
    assert_eq!(
        SdmRelationship::choices(Under16),
        vec![
            R::Parent,
            R::Guardian,
            R::CourtAppointee,
            R::FamilyMember,
            R::ResidingWith,
            R::HealthcareProvider
        ]
    );
    assert_eq!(
        SdmRelationship::choices(SixteenOrOver),
        vec![
            R::Guardian,
            R::DswOrMhoGuardian,
            R::CourtAppointee,
            R::FamilyMember,
            R::ResidingWith,
            R::HealthcareProvider
        ]
    );
}

#[test]
fn documents_and_online_table() {
    // (relationship, supporting document, may apply online)
    let cases = [
        (R::Parent, false, true),
        (R::Guardian, true, false),
        (R::DswOrMhoGuardian, true, false),
        (R::CourtAppointee, true, false),
        (R::FamilyMember, false, true),
        (R::ResidingWith, false, true),
        (R::HealthcareProvider, true, false),
    ];
    for (r, doc, online) in cases {
        assert_eq!(r.needs_supporting_document(), doc, "{r:?}");
        assert_eq!(r.may_apply_online(), online, "{r:?}");
        assert_eq!(SdmRelationship::from_code(r.code()), Some(r));
    }
    assert_eq!(
        SdmRelationship::from_code("court-appointee"),
        Some(R::CourtAppointee)
    );
    assert_eq!(SdmRelationship::from_code("uncle"), None);
}

#[test]
fn needs_per_relationship_for_a_child() {
    // (relationship, expected needs at a counter with nothing provided)
    let cases: &[(SdmRelationship, &[C])] = &[
        (R::Parent, &[C::NeedPatientDocumentCopy]),
        (
            R::Guardian,
            &[C::NeedSupportingDocument, C::NeedPatientDocumentCopy],
        ),
        (
            R::CourtAppointee,
            &[C::NeedSupportingDocument, C::NeedPatientDocumentCopy],
        ),
        (
            R::FamilyMember,
            &[C::NeedNoHigherTierDeclaration, C::NeedPatientDocumentCopy],
        ),
        (
            R::ResidingWith,
            &[C::NeedNoHigherTierDeclaration, C::NeedPatientDocumentCopy],
        ),
        (
            R::HealthcareProvider,
            &[
                C::NeedNoHigherTierDeclaration,
                C::NeedSupportingDocument,
                C::NeedPatientDocumentCopy,
            ],
        ),
    ];
    for &(r, want) in cases {
        let out = decide(&req("2015-01-01", "2026-11-25", CAPABLE, sdm(r)));
        assert!(out.decision.allowed, "{r:?}");
        assert_eq!(out.decision.needed_codes(), want, "{r:?}");
        assert!(!out.decision.complete());
        for n in &out.decision.still_needed {
            assert!(
                n.why.code.as_str().starts_with("reason."),
                "{r:?}: {:?}",
                n.why
            );
        }
    }
}

#[test]
fn provided_items_are_not_needed_again() {
    let mut r = req(
        "2015-01-01",
        "2026-11-25",
        CAPABLE,
        sdm(R::HealthcareProvider),
    );
    r.provided = Provided {
        no_higher_tier_declared: true,
        supporting_document_captured: true,
        patient_document_copy_captured: true,
    };
    let out = decide(&r);
    assert!(out.decision.complete(), "{:?}", out.decision);
    assert_eq!(out.sdm_tier, Some(SdmTier::E));
    r.provided.no_higher_tier_declared = false;
    assert_eq!(
        decide(&r).decision.needed_codes(),
        vec![C::NeedNoHigherTierDeclaration]
    );
}

#[test]
fn relationship_not_for_age() {
    let out = decide(&req(
        "2015-01-01",
        "2026-11-25",
        CAPABLE,
        sdm(R::DswOrMhoGuardian),
    ));
    assert_eq!(
        out.decision.refusal_code(),
        Some(C::EligibilityRelationshipNotForAge)
    );
    let out = decide(&req("1990-01-01", "2026-11-25", INCAPABLE, sdm(R::Parent)));
    assert_eq!(
        out.decision.refusal_code(),
        Some(C::EligibilityRelationshipNotForAge)
    );
    assert!(out
        .decision
        .reasons
        .iter()
        .any(|m| m.code == C::ReasonParentOfAdult));
    assert_eq!(out.sdm_tier, None);
}

#[test]
fn every_ground_allows_an_sdm_for_an_adult() {
    for &ground in IncapacityGround::ALL {
        let out = decide(&req(
            "1990-01-01",
            "2026-11-25",
            Capacity::Incapable { ground },
            sdm(R::FamilyMember),
        ));
        assert!(out.decision.allowed, "{ground:?}");
        assert_eq!(
            Capacity::parse(&format!("incapable:{}", ground.code())),
            Some(Capacity::Incapable { ground })
        );
    }
    assert_eq!(Capacity::parse("capable"), Some(Capacity::Capable));
    assert_eq!(Capacity::parse("incapable"), None);
    assert_eq!(Capacity::parse("incapable:sleepy"), None);
}

#[test]
fn online_channel_table() {
    for &r in SdmRelationship::ALL {
        let mut q = req("2015-01-01", "2026-11-25", CAPABLE, sdm(r));
        q.channel = Channel::Online;
        let out = decide(&q);
        if r.tier(AgeBranch::Under16).is_none() {
            assert_eq!(
                out.decision.refusal_code(),
                Some(C::EligibilityRelationshipNotForAge)
            );
        } else if r.may_apply_online() {
            assert!(out.decision.allowed, "{r:?}");
        } else {
            assert_eq!(
                out.decision.refusal_code(),
                Some(C::EligibilitySdmTypeNotOnline),
                "{r:?}"
            );
        }
        q.channel = Channel::Paper;
        assert_eq!(
            decide(&q).decision.allowed,
            r.tier(AgeBranch::Under16).is_some(),
            "{r:?} paper"
        );
    }
}

#[test]
fn json_shape() {
    let out = decide(&req("2012-03-01", "2026-11-25", CAPABLE, sdm(R::Parent)));
    let v = serde_json::to_value(&out).unwrap();
    assert_eq!(v["allowed"], true);
    assert_eq!(v["age_branch"], "under_16");
    assert_eq!(v["sdm_tier"], "a");
    assert_eq!(v["age"]["min_years"], 14);
    assert_eq!(v["still_needed"][0]["kind"], "document");
    assert_eq!(
        v["still_needed"][0]["what"]["code"],
        "need.patient_document_copy"
    );
    let back: EligibilityDecision = serde_json::from_value(v).unwrap();
    assert_eq!(back, out);
    let app = serde_json::to_value(sdm(R::Parent)).unwrap();
    assert_eq!(
        app,
        serde_json::json!({"role": "sdm", "relationship": "parent"})
    );
    assert_eq!(
        serde_json::to_value(SELF).unwrap(),
        serde_json::json!({"role": "self"})
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn any_capacity() -> impl Strategy<Value = Capacity> {
        prop_oneof![
            Just(Capacity::Capable),
            proptest::sample::select(IncapacityGround::ALL)
                .prop_map(|ground| Capacity::Incapable { ground }),
        ]
    }

    fn any_applicant() -> impl Strategy<Value = Applicant> {
        prop_oneof![
            Just(Applicant::SelfApplicant),
            proptest::sample::select(SdmRelationship::ALL)
                .prop_map(|relationship| Applicant::Sdm { relationship }),
        ]
    }

    proptest! {
        #[test]
        fn invariants(days in 0i64..40_000, back in 0i64..40_000, cap in any_capacity(), app in any_applicant(),
                      online in any::<bool>(), declared in any::<bool>()) {
            let on = date("2026-11-25").add_days(days - 20_000).unwrap();
            let born = on.add_days(-back).unwrap();
            let mut q = req(&born.to_string(), &on.to_string(), cap, app);
            q.channel = if online { Channel::Online } else { Channel::Counter };
            q.provided.no_higher_tier_declared = declared;
            let out = decide(&q);
            let d = &out.decision;
            // Allowed xor refused with a code.
            prop_assert_eq!(d.allowed, d.refusal.is_none());
            // A refusal never lists needs.
            prop_assert!(d.allowed || d.still_needed.is_empty());
            let adult = out.age.unwrap().min_years >= 16;
            match app {
                Applicant::SelfApplicant => prop_assert_eq!(d.allowed, adult && cap == Capacity::Capable),
                Applicant::Sdm { relationship } => {
                    if d.allowed {
                        prop_assert!(!adult || cap != Capacity::Capable);
                        let tier = out.sdm_tier.unwrap();
                        prop_assert_eq!(d.needed_codes().contains(&C::NeedNoHigherTierDeclaration), tier >= SdmTier::D && !declared);
                        prop_assert_eq!(d.needed_codes().contains(&C::NeedSupportingDocument), relationship.needs_supporting_document());
                        prop_assert!(!online || relationship.may_apply_online());
                    }
                }
            }
        }
    }
}
