//! People: English and Chinese names, sex, and the particulars of a person as
//! read from a document.

mod chinese;
mod english;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::DateOfBirth;
use crate::error::{Code, Message};
use crate::id::DocumentNumber;

pub use chinese::{
    ccc_for_char, ccc_table_len, is_han, parse_ccc_list, CccCode, ChineseName, ChineseNameError,
    MAX_CCC, MAX_CHINESE_CHARS,
};
pub use english::{EnglishName, NameError, MAX_GIVEN_NAMES, MAX_SURNAME};

/// Sex as printed on Hong Kong identity documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male (`M`, 男).
    Male,
    /// Female (`F`, 女).
    Female,
}

/// The sex text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sex is not M or F")]
pub struct SexError;

impl SexError {
    /// The stable code.
    pub fn code(self) -> Code {
        Code::SexFormat
    }

    /// The code with its bilingual text.
    pub fn message(self) -> Message {
        Message::new(Code::SexFormat)
    }
}

impl Sex {
    /// Reads `M`/`F`, `male`/`female` (any case, full-width too) or `男`/`女`.
    pub fn parse(input: &str) -> Result<Sex, SexError> {
        let folded: String = input
            .trim()
            .chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
                other => other,
            })
            .collect::<String>()
            .to_ascii_lowercase();
        match folded.as_str() {
            "m" | "male" | "男" => Ok(Sex::Male),
            "f" | "female" | "女" => Ok(Sex::Female),
            _ => Err(SexError),
        }
    }

    /// The one-letter form on the card.
    pub fn letter(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// The particulars of a person on one identity document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Particulars {
    /// The document and its number.
    pub document: DocumentNumber,
    /// The English name.
    pub english_name: Option<EnglishName>,
    /// The Chinese name, if the person has one.
    pub chinese_name: Option<ChineseName>,
    /// The date of birth with its precision.
    pub date_of_birth: Option<DateOfBirth>,
    /// The sex.
    pub sex: Option<Sex>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_table() {
        let ok = [
            ("M", Sex::Male),
            ("m", Sex::Male),
            (" male ", Sex::Male),
            ("Ｍ", Sex::Male),
            ("男", Sex::Male),
            ("F", Sex::Female),
            ("Female", Sex::Female),
            ("女", Sex::Female),
        ];
        for (s, want) in ok {
            assert_eq!(Sex::parse(s), Ok(want), "{s}");
        }
        for s in ["", "X", "mf", "unknown"] {
            assert_eq!(Sex::parse(s), Err(SexError), "{s}");
        }
        assert_eq!(Sex::Female.to_string(), "F");
        assert_eq!(serde_json::to_string(&Sex::Male).unwrap(), "\"male\"");
        assert_eq!(SexError.message().code.as_str(), "sex.format");
    }

    #[test]
    fn debug_of_particulars_shows_no_particulars() {
        let p = Particulars {
            document: crate::DocumentNumber::parse(crate::DocumentType::Hkic, "A123456(3)")
                .unwrap(),
            english_name: Some(EnglishName::new("CHAN", "Tai Man").unwrap()),
            chinese_name: Some(ChineseName::from_text("陳大文").unwrap()),
            date_of_birth: Some(crate::DateOfBirth::parse("02/01/1980").unwrap()),
            sex: Some(Sex::Male),
        };
        for shown in [format!("{p:?}"), format!("{p:#?}")] {
            for secret in ["A123456", "CHAN", "Tai Man", "陳", "大文", "1980", "02"] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
            assert!(shown.contains("Particulars") && shown.contains("Day"));
        }
    }
}
