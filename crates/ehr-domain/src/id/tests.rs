//! Table-driven and property tests of document numbers.

use super::*;
use proptest::prelude::*;

use DocumentType as T;

#[test]
fn hkid_and_birth_certificate_table() {
    let ok = [
        ("A123456(3)", "A1234563", "A123456(3)", "A123***(3)"),
        ("a123456(3)", "A1234563", "A123456(3)", "A123***(3)"),
        ("A1234563", "A1234563", "A123456(3)", "A123***(3)"),
        ("A123456 3", "A1234563", "A123456(3)", "A123***(3)"),
        (
            "Ａ１２３４５６（３）",
            "A1234563",
            "A123456(3)",
            "A123***(3)",
        ),
        ("E364912(5)", "E3649125", "E364912(5)", "E364***(5)"),
        ("AB987654(3)", "AB9876543", "AB987654(3)", "AB987***(3)"),
        ("y100007(a)", "Y100007A", "Y100007(A)", "Y100***(A)"),
    ];
    for t in [T::Hkic, T::HkBirthCertificate] {
        for (raw, norm, display, masked) in ok {
            let n = DocumentNumber::parse(t, raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(n.normalized(), norm, "{raw}");
            assert_eq!(n.display(), display, "{raw}");
            assert_eq!(n.masked(), masked, "{raw}");
            assert_eq!(n.check(), CheckStatus::Verified);
            assert_eq!(n.doc_type(), t);
        }
    }
    let bad = [
        ("", IdError::Empty),
        ("  ( ) ", IdError::Empty),
        ("A123456(4)", IdError::CheckDigit),
        ("A123456(A)", IdError::CheckDigit),
        ("A123456", IdError::CheckDigitMissing),
        ("AB987654", IdError::CheckDigitMissing),
        ("A12345(6)", IdError::CheckDigitMissing),
        ("A1234(5)", IdError::Format(T::Hkic)),
        ("ABC123456(7)", IdError::Format(T::Hkic)),
        ("1234567(8)", IdError::Format(T::Hkic)),
        ("A123456(B)", IdError::Format(T::Hkic)),
        ("A123-456(3)", IdError::Characters),
        ("A123456/3", IdError::Characters),
        ("陳123456(3)", IdError::Characters),
    ];
    for (raw, want) in bad {
        assert_eq!(DocumentNumber::parse(T::Hkic, raw), Err(want), "{raw:?}");
    }
}

#[test]
fn other_types_table() {
    let ok: &[(DocumentType, &str, &str, &str)] = &[
        (T::MacaoId, "1234567(8)", "1234567(8)", "1234***(8)"),
        (T::MacaoId, "12345678", "1234567(8)", "1234***(8)"),
        (T::TwoWayPermit, "c12345678", "C12345678", "C123****8"),
        (T::TwoWayPermit, "W1234567", "W1234567", "W123***7"),
        (T::PrcTravelDocument, "E12345678", "E12345678", "E123****8"),
        (T::PrcTravelDocument, "EA1234567", "EA1234567", "EA12****7"),
        (T::ForeignPassport, "K1234567", "K1234567", "K123***7"),
        (T::ForeignPassport, "ABCDE", "ABCDE", "AB***"),
        (
            T::ForeignPassport,
            "123456789012",
            "123456789012",
            "1234*******2",
        ),
        (T::DocumentOfIdentity, "D123456(7)", "D1234567", "D123***7"),
        (T::ReEntryPermit, "R1234567", "R1234567", "R123***7"),
        (T::CertificateOfExemption, "CE12345", "CE12345", "CE1***5"),
        (T::OneWayPermit, "S12345678", "S12345678", "S123****8"),
        (T::AdoptionCertificate, "123", "123", "1**"),
        (T::RecognizanceForm, "ID144-0001", "", ""),
    ];
    for &(t, raw, display, masked) in ok {
        if display.is_empty() {
            // Hyphens are not part of any format: refused, not silently dropped.
            assert_eq!(DocumentNumber::parse(t, raw), Err(IdError::Characters));
            continue;
        }
        let n = DocumentNumber::parse(t, raw).unwrap_or_else(|e| panic!("{t} {raw}: {e}"));
        assert_eq!(n.display(), display, "{t} {raw}");
        assert_eq!(n.masked(), masked, "{t} {raw}");
        assert_eq!(n.check(), CheckStatus::NotApplicable);
        assert!(!n.masked().contains(n.normalized()) || n.normalized().len() < 3);
    }
    let bad: &[(DocumentType, &str)] = &[
        (T::MacaoId, "1234567"),
        (T::MacaoId, "A1234567"),
        (T::TwoWayPermit, "12345678"),
        (T::TwoWayPermit, "C123456"),
        (T::TwoWayPermit, "C1234567890"),
        (T::PrcTravelDocument, "ABC1234567"),
        (T::ForeignPassport, "K123"),
        (T::ForeignPassport, "K12345678901234567890"),
        (T::DocumentOfIdentity, "ABCDEFG"),
        (T::ReEntryPermit, "R123"),
        (T::AdoptionCertificate, "12"),
        (T::RecognizanceForm, "ABCDEF"),
    ];
    for &(t, raw) in bad {
        assert_eq!(
            DocumentNumber::parse(t, raw),
            Err(IdError::Format(t)),
            "{t} {raw}"
        );
    }
}

#[test]
fn masked_never_shows_the_hidden_digits() {
    let n = DocumentNumber::parse(T::Hkic, "A123456(3)").unwrap();
    assert!(!n.masked().contains("456"));
    let debug = format!("{n:?}");
    assert!(!debug.contains("A123456"), "{debug}");
    assert!(debug.contains("A123***(3)"));
}

#[test]
fn doc_type_codes_round_trip() {
    for &t in DocumentType::ALL {
        assert_eq!(DocumentType::from_code(t.code()), Ok(t));
        assert_eq!(
            DocumentType::from_code(&t.code().replace('_', "-").to_uppercase()),
            Ok(t)
        );
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, format!("\"{}\"", t.code()));
        let (en, zh) = t.names();
        assert!(!en.is_empty() && !zh.is_empty());
    }
    assert_eq!(DocumentType::ALL.len(), 12);
    assert_eq!(
        DocumentType::from_code("library_card"),
        Err(IdError::UnknownType)
    );
    assert!(T::Hkic.has_verified_check_digit());
    assert!(!T::ForeignPassport.has_verified_check_digit());
    assert_eq!(T::ForeignPassport.implied_issuing_region(), None);
    assert_eq!(T::MacaoId.implied_issuing_region(), Some("MO"));
    assert_eq!(T::TwoWayPermit.implied_issuing_region(), Some("CN"));
    assert_eq!(T::Hkic.implied_issuing_region(), Some("HK"));
}

#[test]
fn errors_have_codes_and_never_echo_input() {
    let raw = "Z987654(9)";
    let e = DocumentNumber::parse(T::Hkic, raw).unwrap_err();
    let m = e.message();
    assert_eq!(m.code, Code::IdCheckDigit);
    assert!(!m.message_en.contains("Z987654") && !m.message_zh.contains("Z987654"));
    let m = IdError::Format(T::MacaoId).message();
    assert_eq!(m.code.as_str(), "id.format");
    assert!(m.message_en.contains("1234567(8)"), "{}", m.message_en);
    assert_eq!(IdError::Empty.code().as_str(), "id.empty");
    assert_eq!(IdError::UnknownType.code().as_str(), "id.unknown_type");
}

#[test]
fn pre_1980_birth_certificate_needs_supervisor() {
    let born_1975 = DateOfBirth::parse("1975").ok();
    let born_1985 = DateOfBirth::parse("01/02/1985").ok();
    let born_1979_12 = DateOfBirth::parse("12/1979").ok();
    // Bad check digit, pre-1980: override offered.
    let out = DocumentNumber::validate(T::HkBirthCertificate, "A123456(4)", born_1975).unwrap();
    match &out {
        IdOutcome::NeedsSupervisorOverride {
            number,
            need,
            reason,
        } => {
            assert_eq!(number.check(), CheckStatus::Unverified);
            assert_eq!(number.display(), "A123456(4)");
            assert_eq!(need.code, Code::NeedSupervisorPre1980);
            assert_eq!(reason.code, Code::IdPre1980Override);
        }
        IdOutcome::Valid(_) => panic!("should need an override"),
    }
    // No check digit at all, pre-1980.
    let out = DocumentNumber::validate(T::HkBirthCertificate, "A123456", born_1979_12).unwrap();
    assert_eq!(out.number().masked(), "A123***");
    assert!(matches!(out, IdOutcome::NeedsSupervisorOverride { .. }));
    // 1980 or later, or unknown: refused.
    assert_eq!(
        DocumentNumber::validate(T::HkBirthCertificate, "A123456(4)", born_1985),
        Err(IdError::CheckDigit)
    );
    assert_eq!(
        DocumentNumber::validate(T::HkBirthCertificate, "A123456(4)", None),
        Err(IdError::CheckDigit)
    );
    // Year-only 1980 may be after the cutoff: refused.
    assert_eq!(
        DocumentNumber::validate(
            T::HkBirthCertificate,
            "A123456(4)",
            DateOfBirth::parse("1980").ok()
        ),
        Err(IdError::CheckDigit)
    );
    // HKIC never gets the override.
    assert_eq!(
        DocumentNumber::validate(T::Hkic, "A123456(4)", born_1975),
        Err(IdError::CheckDigit)
    );
    // Wrong shape is refused even before 1980.
    assert_eq!(
        DocumentNumber::validate(T::HkBirthCertificate, "A12(4)", born_1975),
        Err(IdError::Format(T::HkBirthCertificate))
    );
    // A valid number is simply valid.
    let out = DocumentNumber::validate(T::HkBirthCertificate, "A123456(3)", born_1975).unwrap();
    assert!(matches!(out, IdOutcome::Valid(_)));
}

#[test]
fn serde_round_trip_revalidates() {
    let n = DocumentNumber::parse(T::Hkic, "A123456(3)").unwrap();
    let json = serde_json::to_string(&n).unwrap();
    assert_eq!(
        json,
        r#"{"doc_type":"hkic","normalized":"A1234563","check":"verified"}"#
    );
    assert_eq!(serde_json::from_str::<DocumentNumber>(&json).unwrap(), n);
    let forged = r#"{"doc_type":"hkic","normalized":"A1234564","check":"verified"}"#;
    assert!(serde_json::from_str::<DocumentNumber>(forged).is_err());
    let lying = r#"{"doc_type":"hkic","normalized":"A1234563","check":"not_applicable"}"#;
    assert!(serde_json::from_str::<DocumentNumber>(lying).is_err());
    let unverified =
        r#"{"doc_type":"hk_birth_certificate","normalized":"A1234564","check":"unverified"}"#;
    let n: DocumentNumber = serde_json::from_str(unverified).unwrap();
    assert_eq!(n.check(), CheckStatus::Unverified);
    let bad_unverified = r#"{"doc_type":"hkic","normalized":"A1234564","check":"unverified"}"#;
    assert!(serde_json::from_str::<DocumentNumber>(bad_unverified).is_err());
}

#[test]
fn same_document_needs_type_and_number() {
    let a = DocumentNumber::parse(T::Hkic, "A123456(3)").unwrap();
    let b = DocumentNumber::parse(T::Hkic, "a1234563").unwrap();
    let c = DocumentNumber::parse(T::HkBirthCertificate, "A123456(3)").unwrap();
    assert!(a.same_document(&b));
    assert!(!a.same_document(&c));
}

fn valid_hkid() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(proptest::char::range('A', 'Z'), 1..=2),
        0u32..1_000_000,
    )
        .prop_filter_map("check", |(letters, n)| {
            let id: String = letters.into_iter().collect::<String>() + &format!("{n:06}");
            hkid_check_char(&id).map(|c| format!("{id}({c})"))
        })
}

proptest! {
    #[test]
    fn generated_hkid_and_bc_numbers_parse(raw in valid_hkid()) {
        for t in [T::Hkic, T::HkBirthCertificate] {
            let n = DocumentNumber::parse(t, &raw);
            prop_assert!(n.is_ok(), "{} {}", t, raw);
            let n = n.unwrap();
            prop_assert_eq!(n.display(), raw.clone());
            prop_assert_eq!(DocumentNumber::parse(t, n.normalized()), Ok(n.clone()));
            prop_assert_eq!(n.masked().len(), raw.len());
            prop_assert!(n.masked().contains("***"));
        }
    }

    #[test]
    fn every_digit_or_check_change_fails(raw in valid_hkid(), pos_seed in any::<usize>(), delta in 1u32..10) {
        let n = DocumentNumber::parse(T::Hkic, &raw).unwrap();
        let s = n.normalized().to_owned();
        let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
        let pos = letters + pos_seed % (s.len() - letters);
        let mut chars: Vec<char> = s.chars().collect();
        let old = chars[pos];
        let alphabet: Vec<char> = if pos == s.len() - 1 {
            ('0'..='9').chain(std::iter::once('A')).collect()
        } else {
            ('0'..='9').collect()
        };
        let idx = alphabet.iter().position(|&c| c == old).unwrap();
        chars[pos] = alphabet[(idx + delta as usize) % alphabet.len()];
        prop_assume!(chars[pos] != old);
        let changed: String = chars.into_iter().collect();
        prop_assert_eq!(DocumentNumber::parse(T::Hkic, &changed), Err(IdError::CheckDigit));
    }

    #[test]
    fn parse_never_panics_and_errors_are_coded(t in proptest::sample::select(DocumentType::ALL), s in "\\PC{0,30}") {
        match DocumentNumber::parse(t, &s) {
            Ok(n) => {
                prop_assert!(n.normalized().bytes().all(|b| b.is_ascii_alphanumeric()));
                prop_assert_eq!(DocumentNumber::parse(t, n.normalized()), Ok(n.clone()));
            }
            Err(e) => prop_assert!(e.code().as_str().starts_with("id.")),
        }
    }

    #[test]
    fn parse_depends_only_on_normal_form(t in proptest::sample::select(DocumentType::ALL), s in "[ a-zA-Z0-9()（）]{0,16}") {
        prop_assert_eq!(DocumentNumber::parse(t, &s), DocumentNumber::parse(t, &normalize(&s)));
    }
}

#[test]
fn hong_kong_twin_is_the_same_number_on_the_other_document() {
    let bc = DocumentNumber::parse(T::HkBirthCertificate, "A123456(3)").unwrap();
    let card = bc.hong_kong_twin().unwrap();
    assert_eq!(card.doc_type(), T::Hkic);
    assert_eq!(card.normalized(), bc.normalized());
    assert!(bc.same_person_number(&card) && card.same_person_number(&bc));
    assert!(bc.same_person_number(&bc));
    let other = DocumentNumber::parse(T::Hkic, "E364912(5)").unwrap();
    assert!(!bc.same_person_number(&other));
    let passport = DocumentNumber::parse(T::ForeignPassport, "A1234563").unwrap();
    assert!(passport.hong_kong_twin().is_none());
    assert!(!passport.same_person_number(&card));
}
