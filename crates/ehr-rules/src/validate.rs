//! Validation of wire input with the domain rules, into field errors.
//!
//! Every rule is `ehr-domain`'s; this module only maps its refusals to
//! [`FieldError`]s with field paths. No value ever reaches an error.

use ehr_domain::eligibility::{Capacity, SdmRelationship};
use ehr_domain::person::{ChineseName, EnglishName, Particulars};
use ehr_domain::{
    Code, Date, DateOfBirth, DocumentNumber, DocumentType, IdError, IdOutcome, Message, Sex,
};
use ehr_protocol::wire::{
    self, FieldError, NotificationChannel, NotificationChoice, PersonDetails,
};
use ehr_protocol::ErrorCode;

/// Field errors gathered while validating one request or operation.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    /// Adds a domain refusal on `field`.
    pub fn domain(&mut self, field: &str, m: Message) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: m.code.as_str().to_owned(),
            message_en: m.message_en,
            message_zh: m.message_zh,
        });
    }

    /// Adds a domain code on `field`.
    pub fn code(&mut self, field: &str, c: Code) {
        self.domain(field, Message::new(c));
    }

    /// Adds a service code on `field`.
    pub fn service(&mut self, field: &str, c: ErrorCode) {
        let (en, zh) = c.messages();
        self.0.push(FieldError {
            field: field.to_owned(),
            code: c.as_str().to_owned(),
            message_en: en.to_owned(),
            message_zh: zh.to_owned(),
        });
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// A person whose particulars passed the domain rules. Its `Debug` shows
/// the masked number and the override flag only.
#[derive(Clone)]
pub struct ValidPerson {
    /// The particulars (document, names, date of birth, sex).
    pub particulars: Particulars,
    /// The English name.
    pub english: EnglishName,
    /// The date of birth.
    pub dob: DateOfBirth,
    /// A pre-1980 birth certificate number that fails the check digit: usable
    /// only with a supervisor's sign-off (the domain's rule).
    pub needs_override: bool,
}

impl std::fmt::Debug for ValidPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidPerson")
            .field("document", &self.particulars.document)
            .field("particulars", &"<redacted>")
            .field("needs_override", &self.needs_override)
            .finish_non_exhaustive()
    }
}

/// The domain sex for a wire sex.
pub fn sex(s: wire::Sex) -> Sex {
    match s {
        wire::Sex::Male => Sex::Male,
        wire::Sex::Female => Sex::Female,
    }
}

/// Validates a person's particulars (document type and number, names, date
/// of birth not after `today`).
pub fn person(
    prefix: &str,
    p: &PersonDetails,
    today: Date,
    errs: &mut Errors,
) -> Option<ValidPerson> {
    person_with(prefix, p, today, false, errs)
}

/// Like [`person`], but a Hong Kong birth certificate number of a person
/// born before 1980 that fails the check digit is accepted with
/// [`ValidPerson::needs_override`] set (the caller then needs a
/// supervisor's sign-off).
pub fn person_at_counter(
    prefix: &str,
    p: &PersonDetails,
    today: Date,
    errs: &mut Errors,
) -> Option<ValidPerson> {
    person_with(prefix, p, today, true, errs)
}

/// A stored or looked-up number: valid, or a pre-1980 birth certificate
/// number that was accepted with a supervisor's sign-off.
pub fn known_number(t: DocumentType, raw: &str) -> Option<DocumentNumber> {
    DocumentNumber::parse(t, raw).ok().or_else(|| {
        let before_1980 = DateOfBirth::year_only(1900).ok()?;
        DocumentNumber::validate(t, raw, Some(before_1980))
            .ok()
            .map(|o| o.number().clone())
    })
}

fn person_with(
    prefix: &str,
    p: &PersonDetails,
    today: Date,
    relaxed: bool,
    errs: &mut Errors,
) -> Option<ValidPerson> {
    let before = errs.0.len();
    let doc_type = match DocumentType::from_code(&p.document_type) {
        Ok(t) => Some(t),
        Err(e) => {
            errs.domain(&join(prefix, "document_type"), e.message());
            None
        }
    };
    let dob_for_override = DateOfBirth::parse(&p.date_of_birth).ok();
    let mut needs_override = false;
    let number = doc_type.and_then(|t| {
        let outcome = if relaxed {
            DocumentNumber::validate(t, &p.document_number, dob_for_override)
        } else {
            DocumentNumber::parse(t, &p.document_number).map(IdOutcome::Valid)
        };
        match outcome {
            Ok(IdOutcome::Valid(n)) => Some(n),
            Ok(IdOutcome::NeedsSupervisorOverride { number, .. }) => {
                needs_override = true;
                Some(number)
            }
            Err(e) => {
                errs.domain(&join(prefix, "document_number"), IdError::message(e));
                None
            }
        }
    });
    let english = match EnglishName::new(&p.surname, &p.given_names) {
        Ok(n) => Some(n),
        Err(e) => {
            errs.domain(&join(prefix, "surname"), e.message());
            None
        }
    };
    let chinese = match p.chinese_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => match ChineseName::from_text(c) {
            Ok(n) => Some(n),
            Err(e) => {
                errs.domain(&join(prefix, "chinese_name"), e.message());
                None
            }
        },
    };
    let dob = match DateOfBirth::parse(&p.date_of_birth) {
        Ok(d) if d.earliest() > today => {
            errs.code(
                &join(prefix, "date_of_birth"),
                Code::DateDobAfterTransaction,
            );
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errs.domain(&join(prefix, "date_of_birth"), e.message());
            None
        }
    };
    if errs.0.len() != before {
        return None;
    }
    let (number, english, dob) = (number?, english?, dob?);
    Some(ValidPerson {
        particulars: Particulars {
            document: number,
            english_name: Some(english.clone()),
            chinese_name: chinese,
            date_of_birth: Some(dob),
            sex: p.sex.map(sex),
        },
        english,
        dob,
        needs_override,
    })
}

/// Validates a capacity (`capable` or `incapable:<ground>`).
pub fn capacity(field: &str, s: &str, errs: &mut Errors) -> Option<Capacity> {
    let c = Capacity::parse(s);
    if c.is_none() {
        errs.service(field, ErrorCode::FieldUnknownCode);
    }
    c
}

/// Validates an SDM relationship code.
pub fn relationship(field: &str, s: &str, errs: &mut Errors) -> Option<SdmRelationship> {
    let r = SdmRelationship::from_code(s);
    if r.is_none() {
        errs.service(field, ErrorCode::FieldUnknownCode);
    }
    r
}

/// Validates a calendar date (`YYYY-MM-DD`).
pub fn date(field: &str, s: &str, errs: &mut Errors) -> Option<Date> {
    match Date::parse(s) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.domain(field, e.message());
            None
        }
    }
}

/// Validates the notification address for its channel.
pub fn notification(prefix: &str, n: &NotificationChoice, errs: &mut Errors) {
    let a = n.address.trim();
    let field = join(prefix, "address");
    if a.is_empty() {
        errs.service(&field, ErrorCode::FieldRequired);
        return;
    }
    let ok = match n.channel {
        NotificationChannel::Sms => {
            let digits = a.strip_prefix('+').unwrap_or(a);
            (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        }
        NotificationChannel::Email => {
            a.len() <= 254
                && !a.chars().any(char::is_whitespace)
                && a.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'))
        }
        NotificationChannel::Post => a.chars().count() <= 300 && !a.chars().any(char::is_control),
    };
    if !ok {
        errs.service(&field, ErrorCode::FieldFormat);
    }
}

/// Whether `s` is 1 to `max` characters of letters, digits and `-_:.`.
pub fn token(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(number: &str, dob: &str) -> PersonDetails {
        PersonDetails {
            document_type: "hkic".into(),
            document_number: number.into(),
            surname: "Chan".into(),
            given_names: "Tai Man".into(),
            chinese_name: Some("陳大文".into()),
            date_of_birth: dob.into(),
            sex: None,
        }
    }

    #[test]
    fn person_rules_come_from_the_domain() {
        let today = Date::parse("2026-06-01").unwrap();
        let mut e = Errors::default();
        let v = person("patient", &p("a123456(3)", "1980-02-03"), today, &mut e).unwrap();
        assert!(e.is_empty());
        assert_eq!(v.particulars.document.normalized(), "A1234563");
        let mut e = Errors::default();
        assert!(person("patient", &p("A123456(4)", "2030-01-01"), today, &mut e).is_none());
        let codes: Vec<_> =
            e.0.iter()
                .map(|f| (f.field.as_str(), f.code.as_str()))
                .collect();
        assert_eq!(
            codes,
            [
                ("patient.document_number", "id.check_digit"),
                ("patient.date_of_birth", "date.dob_after_transaction")
            ]
        );
        assert!(e.0.iter().all(|f| !f.message_en.contains("A123456")));
        let shown = format!("{v:?}");
        for secret in ["A123456", "Chan", "Tai Man", "1980", "陳大文"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn notification_addresses() {
        let mut e = Errors::default();
        for (channel, address, ok) in [
            (NotificationChannel::Sms, "91234567", true),
            (NotificationChannel::Sms, "+85291234567", true),
            (NotificationChannel::Sms, "9123", false),
            (NotificationChannel::Email, "a@b.hk", true),
            (NotificationChannel::Email, "a@b", false),
            (
                NotificationChannel::Post,
                "Flat A, 1/F, 1 Queen's Road",
                true,
            ),
        ] {
            e.0.clear();
            notification(
                "n",
                &NotificationChoice {
                    channel,
                    language: wire::Language::En,
                    address: address.into(),
                },
                &mut e,
            );
            assert_eq!(e.is_empty(), ok, "{address}");
        }
    }
}
