//! English names: surname and given names, and the card's single-string form.
//!
//! # Conventions of the single-string form
//!
//! The Hong Kong Identity Card prints the English name as one string:
//! the surname, a comma, then the given names, for example `CHAN, Tai Man`
//! (surname in capitals, given names as printed). [`EnglishName::parse_card`]
//! splits that form:
//!
//! - Full-width forms are folded to ASCII and the typographic apostrophe
//!   `’` to `'`; runs of whitespace become one space; leading and trailing
//!   spaces are dropped. Spaces around the comma are optional
//!   (`CHAN,Tai Man` is the same name).
//! - Exactly one comma separates the surname (before) from the given names
//!   (after). More than one comma is refused (`name.separator`).
//! - No comma means there are no given names: the whole string is the
//!   surname, which may itself have spaces (`AU YEUNG`, `DE SOUZA`) or a
//!   hyphen. This is how the card prints a person with a single name. A
//!   string such as `CHAN TAI MAN` typed without the comma is therefore one
//!   three-word surname: the counter asks for the two fields separately
//!   when keying by hand.
//! - A comma with nothing before it is refused (`name.surname_missing`); a
//!   comma with nothing after it is a surname-only name.
//! - Letters, spaces, hyphens, apostrophes and full stops only; each part
//!   must have a letter. At most 40 characters of surname and 80 of given
//!   names.
//! - Case is kept as printed. [`EnglishName::same_as`] compares names
//!   ignoring case, full stops and apostrophes, and treating a hyphen as a
//!   space (`AU-YEUNG` and `Au Yeung` are the same surname).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Message};

/// Longest surname accepted, in characters.
pub const MAX_SURNAME: usize = 40;
/// Longest given names accepted, in characters.
pub const MAX_GIVEN_NAMES: usize = 80;

/// Why an English name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing was entered.
    #[error("name is empty")]
    Empty,
    /// Characters other than letters and separators.
    #[error("name has characters a name cannot have")]
    Characters,
    /// Longer than the limits.
    #[error("name is too long")]
    TooLong,
    /// Given names without a surname.
    #[error("surname missing")]
    SurnameMissing,
    /// More than one comma.
    #[error("more than one comma")]
    Separator,
}

impl NameError {
    /// The stable code.
    pub fn code(self) -> Code {
        match self {
            NameError::Empty => Code::NameEmpty,
            NameError::Characters => Code::NameCharacters,
            NameError::TooLong => Code::NameTooLong,
            NameError::SurnameMissing => Code::NameSurnameMissing,
            NameError::Separator => Code::NameSeparator,
        }
    }

    /// The code with its bilingual text.
    pub fn message(self) -> Message {
        Message::new(self.code())
    }
}

/// An English name, as surname and given names.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "EnglishNameRepr")]
pub struct EnglishName {
    surname: String,
    given_names: String,
}

#[derive(Deserialize)]
struct EnglishNameRepr {
    surname: String,
    #[serde(default)]
    given_names: String,
}

impl TryFrom<EnglishNameRepr> for EnglishName {
    type Error = NameError;
    fn try_from(r: EnglishNameRepr) -> Result<Self, NameError> {
        EnglishName::new(&r.surname, &r.given_names)
    }
}

fn fold(input: &str) -> String {
    let mapped: String = input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{2019}' | '\u{2018}' => '\'',
            other => other,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_part(part: &str, max: usize) -> Result<(), NameError> {
    if !part
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
    {
        return Err(NameError::Characters);
    }
    if !part.is_empty() && !part.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(NameError::Characters);
    }
    if part.chars().count() > max {
        return Err(NameError::TooLong);
    }
    Ok(())
}

fn comparison_key(part: &str) -> Vec<String> {
    part.split([' ', '-'])
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphabetic)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

impl EnglishName {
    /// A name from its two fields, each normalised as in the module docs.
    pub fn new(surname: &str, given_names: &str) -> Result<EnglishName, NameError> {
        let surname = fold(surname);
        let given_names = fold(given_names);
        if surname.contains(',') || given_names.contains(',') {
            return Err(NameError::Separator);
        }
        if surname.is_empty() {
            return Err(if given_names.is_empty() {
                NameError::Empty
            } else {
                NameError::SurnameMissing
            });
        }
        check_part(&surname, MAX_SURNAME)?;
        check_part(&given_names, MAX_GIVEN_NAMES)?;
        Ok(EnglishName {
            surname,
            given_names,
        })
    }

    /// Splits the card's single-string form (`CHAN, Tai Man`).
    pub fn parse_card(input: &str) -> Result<EnglishName, NameError> {
        let folded = fold(input);
        if folded.is_empty() {
            return Err(NameError::Empty);
        }
        let mut parts = folded.split(',');
        let surname = parts.next().unwrap_or_default();
        let given = parts.next().unwrap_or_default();
        if parts.next().is_some() {
            return Err(NameError::Separator);
        }
        if surname.trim().is_empty() {
            return Err(NameError::SurnameMissing);
        }
        EnglishName::new(surname, given)
    }

    /// The surname.
    pub fn surname(&self) -> &str {
        &self.surname
    }

    /// The given names; empty for a surname-only name.
    pub fn given_names(&self) -> &str {
        &self.given_names
    }

    /// The card's form: `CHAN, Tai Man`, or `CHAN` with no given names.
    pub fn card_form(&self) -> String {
        if self.given_names.is_empty() {
            self.surname.clone()
        } else {
            format!("{}, {}", self.surname, self.given_names)
        }
    }

    /// Whether the surnames are the same, as defined in the module docs.
    pub fn same_surname(&self, other: &EnglishName) -> bool {
        comparison_key(&self.surname) == comparison_key(&other.surname)
    }

    /// Whether the given names are the same, as defined in the module docs.
    pub fn same_given_names(&self, other: &EnglishName) -> bool {
        comparison_key(&self.given_names) == comparison_key(&other.given_names)
    }

    /// Whether both parts are the same.
    pub fn same_as(&self, other: &EnglishName) -> bool {
        self.same_surname(other) && self.same_given_names(other)
    }
}

impl fmt::Display for EnglishName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.card_form())
    }
}

/// A name is personal data: `Debug` shows only how long each part is.
impl std::fmt::Debug for EnglishName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnglishName")
            .field("surname_chars", &self.surname.chars().count())
            .field("given_names_chars", &self.given_names.chars().count())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_card_table() {
        let ok = [
            ("CHAN, Tai Man", "CHAN", "Tai Man"),
            ("CHAN,Tai Man", "CHAN", "Tai Man"),
            ("  CHAN ,   Tai   Man  ", "CHAN", "Tai Man"),
            ("ＣＨＡＮ，Ｔａｉ Ｍａｎ", "CHAN", "Tai Man"),
            ("AU YEUNG, Tsz Ching", "AU YEUNG", "Tsz Ching"),
            ("AU-YEUNG, Tsz-ching", "AU-YEUNG", "Tsz-ching"),
            ("O’BRIEN, Mary Ann", "O'BRIEN", "Mary Ann"),
            ("CHAN, Tai Man David", "CHAN", "Tai Man David"),
            ("SUKARNO", "SUKARNO", ""),
            ("DE SOUZA", "DE SOUZA", ""),
            ("SUKARNO,", "SUKARNO", ""),
            ("ST. JOHN, Peter", "ST. JOHN", "Peter"),
        ];
        for (raw, surname, given) in ok {
            let n = EnglishName::parse_card(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(n.surname(), surname, "{raw}");
            assert_eq!(n.given_names(), given, "{raw}");
        }
        let bad = [
            ("", NameError::Empty),
            ("   ", NameError::Empty),
            (", Tai Man", NameError::SurnameMissing),
            ("CHAN, Tai, Man", NameError::Separator),
            ("CHAN, Tai Man 2", NameError::Characters),
            ("陳大文", NameError::Characters),
            ("CHAN, Tai_Man", NameError::Characters),
            ("-, Tai Man", NameError::Characters),
            ("CHAN, --", NameError::Characters),
        ];
        for (raw, want) in bad {
            assert_eq!(EnglishName::parse_card(raw), Err(want), "{raw:?}");
        }
        let long = "A".repeat(41);
        assert_eq!(EnglishName::parse_card(&long), Err(NameError::TooLong));
        let long_given = format!("CHAN, {}", "B".repeat(81));
        assert_eq!(
            EnglishName::parse_card(&long_given),
            Err(NameError::TooLong)
        );
    }

    #[test]
    fn new_and_card_form() {
        let n = EnglishName::new(" CHAN ", "Tai  Man").unwrap();
        assert_eq!(n.card_form(), "CHAN, Tai Man");
        assert_eq!(n.to_string(), "CHAN, Tai Man");
        assert_eq!(
            EnglishName::new("SUKARNO", "").unwrap().card_form(),
            "SUKARNO"
        );
        assert_eq!(EnglishName::new("", ""), Err(NameError::Empty));
        assert_eq!(
            EnglishName::new("", "Tai Man"),
            Err(NameError::SurnameMissing)
        );
        assert_eq!(EnglishName::new("CHAN,", "Tai"), Err(NameError::Separator));
    }

    #[test]
    fn comparison_ignores_case_and_hyphen_spacing() {
        let a = EnglishName::parse_card("AU-YEUNG, Tsz Ching").unwrap();
        let b = EnglishName::parse_card("Au Yeung, TSZ-CHING").unwrap();
        let c = EnglishName::parse_card("AU YEUNG, Tsz Chung").unwrap();
        let d = EnglishName::parse_card("AUYEUNG, Tsz Ching").unwrap();
        assert!(a.same_as(&b));
        assert!(a.same_surname(&c) && !a.same_given_names(&c));
        assert!(!a.same_surname(&d));
    }

    #[test]
    fn serde_validates() {
        let n = EnglishName::parse_card("CHAN, Tai Man").unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, r#"{"surname":"CHAN","given_names":"Tai Man"}"#);
        assert_eq!(serde_json::from_str::<EnglishName>(&json).unwrap(), n);
        assert!(
            serde_json::from_str::<EnglishName>(r#"{"surname":"","given_names":"X"}"#).is_err()
        );
        assert_eq!(
            NameError::Separator.message().code.as_str(),
            "name.separator"
        );
    }

    proptest! {
        #[test]
        fn card_form_round_trips(surname in "[A-Z]{1,10}( [A-Z]{1,10})?", given in "([A-Z][a-z]{0,8}( [A-Z][a-z]{0,8}){0,2})?") {
            let n = EnglishName::new(&surname, &given).unwrap();
            prop_assert_eq!(EnglishName::parse_card(&n.card_form()), Ok(n.clone()));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            if let Ok(n) = EnglishName::parse_card(&s) {
                prop_assert!(!n.surname().is_empty());
                prop_assert_eq!(EnglishName::parse_card(&n.card_form()), Ok(n.clone()));
            }
        }
    }
}
