//! The supervisors' follow-up lists (issue #15): pending applications
//! about to expire, not activated ([`ExpiringList`], soonest first), and
//! records a substitute decision maker keeps for a child who turns 16 soon
//! ([`TurningList`], soonest first). Both print as A4 landscape tables with
//! the same renderer as the newborn list. Every word comes from the
//! catalogue (`list.expiring.*`, `list.turning_16.*`); documents are
//! printed as the caller gives them, masked; the SDM's relationship in the
//! names the caller gives (the reference data's).

use ehr_i18n::{format, lookup, text, Lang};

use crate::list::{
    check_name, check_opt_len, check_row_count, render_table_list, Column, TableList, Words, CELL,
    CELL_STRONG,
};
use crate::slip::{check_site, clean, per_lang, BODY, VALUE};
use crate::{check_len, Fonts, SlipError, SlipLang, SlipTime};

/// Printed for a value the record does not have.
const ABSENT: &str = "\u{2014}";

/// Pending applications that expire soon and are not activated, as
/// printed. `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct ExpiringList {
    /// When the list was made, Hong Kong time.
    pub time: SlipTime,
    /// The counter's site code (the row is left out when empty).
    pub site_code: String,
    /// The site's name in English.
    pub site_name_en: String,
    /// The site's name in Traditional Chinese.
    pub site_name_zh: String,
    /// Applications are listed when they expire within this many days.
    pub within_days: u32,
    /// The applications, printed soonest first (fewest days left first;
    /// rows with the same days keep their order).
    pub rows: Vec<ExpiringListRow>,
    /// The list's language.
    pub lang: SlipLang,
}

/// One application on the expiring list. `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct ExpiringListRow {
    /// The first day it is expired (`DD/MM/YYYY`).
    pub expires_on: String,
    /// Days from the list's day until then.
    pub days_left: u32,
    /// The application reference.
    pub reference: String,
    /// How it arrived: `online`, `paper_post`, `paper_fax`,
    /// `paper_drop_in` (another code is printed as it is).
    pub origin: String,
    /// Who applied: `self`, `sdm`, `authorised_person` (another code is
    /// printed as it is).
    pub applicant_role: String,
    /// The patient's English name.
    pub name_en: String,
    /// The patient's Chinese name, if any.
    pub chinese_name: Option<String>,
    /// The patient's date of birth (`DD/MM/YYYY`).
    pub date_of_birth: String,
    /// The patient's document, masked (printed as given).
    pub document_masked: String,
}

/// Records an SDM keeps for a child who turns 16 soon, as printed. `Debug`
/// shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct TurningList {
    /// When the list was made, Hong Kong time.
    pub time: SlipTime,
    /// The counter's site code (the row is left out when empty).
    pub site_code: String,
    /// The site's name in English.
    pub site_name_en: String,
    /// The site's name in Traditional Chinese.
    pub site_name_zh: String,
    /// Records are listed when the child turns 16 within this many days.
    pub within_days: u32,
    /// The records, printed soonest first (fewest days left first; rows
    /// with the same days keep their order).
    pub rows: Vec<TurningListRow>,
    /// The list's language.
    pub lang: SlipLang,
}

/// One record on the turning-16 list. `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct TurningListRow {
    /// The day the child turns 16 (`DD/MM/YYYY`).
    pub turns_16_on: String,
    /// Days from the list's day until then.
    pub days_left: u32,
    /// The record's eHR number.
    pub ehr_number: String,
    /// The child's English name.
    pub name_en: String,
    /// The child's Chinese name, if any.
    pub chinese_name: Option<String>,
    /// The child's date of birth (`DD/MM/YYYY`).
    pub date_of_birth: String,
    /// The child's document, masked (printed as given; absent: a dash).
    pub document_masked: Option<String>,
    /// The SDM's document, masked (printed as given; absent: a dash).
    pub sdm_document_masked: Option<String>,
    /// The SDM's relationship to the child in English (empty: not known).
    pub sdm_relationship_en: String,
    /// The SDM's relationship in Traditional Chinese (empty: the English
    /// name is printed).
    pub sdm_relationship_zh: String,
}

/// A supervisor's list's `Debug`: when, where, the window and how many
/// rows, no personal data.
fn debug_list<R>(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    head: ListHead<'_>,
    rows: &[R],
) -> std::fmt::Result {
    f.debug_struct(name)
        .field("time", &head.time)
        .field("site_code", &head.site.0)
        .field("within_days", &head.within_days)
        .field("rows", &rows.len())
        .field("lang", &head.lang)
        .finish_non_exhaustive()
}

impl std::fmt::Debug for ExpiringList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_list(f, "ExpiringList", self.head(), &self.rows)
    }
}

impl std::fmt::Debug for ExpiringListRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpiringListRow")
            .field("expires_on", &self.expires_on)
            .field("days_left", &self.days_left)
            .field("origin", &self.origin)
            .field("applicant_role", &self.applicant_role)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TurningList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_list(f, "TurningList", self.head(), &self.rows)
    }
}

impl std::fmt::Debug for TurningListRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurningListRow")
            .field("days_left", &self.days_left)
            .finish_non_exhaustive()
    }
}

/// What both supervisors' lists share besides their rows: when, where,
/// the window in days and the language.
#[derive(Clone, Copy)]
struct ListHead<'a> {
    time: SlipTime,
    site: (&'a str, &'a str, &'a str),
    within_days: u32,
    lang: SlipLang,
}

impl ListHead<'_> {
    /// The site and the number of rows.
    fn check(&self, rows: usize) -> Result<(), SlipError> {
        check_site(self.site.0, self.site.1, self.site.2)?;
        check_row_count(rows)
    }
}

/// A row's patient or child: the names and the date of birth.
fn check_person(
    name_en: &str,
    chinese_name: Option<&str>,
    date_of_birth: &str,
) -> Result<(), SlipError> {
    check_name(name_en, chinese_name)?;
    check_len("rows.date_of_birth", date_of_birth, 20)
}

impl ExpiringList {
    fn head(&self) -> ListHead<'_> {
        ListHead {
            time: self.time,
            site: (&self.site_code, &self.site_name_en, &self.site_name_zh),
            within_days: self.within_days,
            lang: self.lang,
        }
    }

    fn check(&self) -> Result<(), SlipError> {
        self.head().check(self.rows.len())?;
        for r in &self.rows {
            check_len("rows.expires_on", &r.expires_on, 20)?;
            check_len("rows.reference", &r.reference, 40)?;
            check_len("rows.origin", &r.origin, 40)?;
            check_len("rows.applicant_role", &r.applicant_role, 40)?;
            check_person(&r.name_en, r.chinese_name.as_deref(), &r.date_of_birth)?;
            check_len("rows.document_masked", &r.document_masked, 40)?;
        }
        Ok(())
    }
}

impl TurningList {
    fn head(&self) -> ListHead<'_> {
        ListHead {
            time: self.time,
            site: (&self.site_code, &self.site_name_en, &self.site_name_zh),
            within_days: self.within_days,
            lang: self.lang,
        }
    }

    fn check(&self) -> Result<(), SlipError> {
        self.head().check(self.rows.len())?;
        for r in &self.rows {
            check_len("rows.turns_16_on", &r.turns_16_on, 20)?;
            check_len("rows.ehr_number", &r.ehr_number, 40)?;
            check_person(&r.name_en, r.chinese_name.as_deref(), &r.date_of_birth)?;
            check_opt_len("rows.document_masked", r.document_masked.as_deref(), 40)?;
            check_opt_len(
                "rows.sdm_document_masked",
                r.sdm_document_masked.as_deref(),
                40,
            )?;
            check_len("rows.sdm_relationship_en", &r.sdm_relationship_en, 100)?;
            check_len("rows.sdm_relationship_zh", &r.sdm_relationship_zh, 100)?;
        }
        Ok(())
    }
}

/// A code's words from the catalogue (`{prefix}.{code}`), each language
/// under the other; a code the catalogue does not know is printed as it is.
fn coded(langs: &[Lang], prefix: &str, code: &str) -> Words {
    let code = clean(code);
    let key = format!("{prefix}.{code}");
    if code.is_empty() {
        vec![(ABSENT.to_owned(), CELL)]
    } else if langs.iter().all(|&l| lookup(l, &key).is_some()) {
        per_lang(langs, |l| text(l, &key).to_owned(), CELL)
    } else {
        vec![(code, CELL)]
    }
}

/// A name in English, and in Chinese under it when there is one.
fn name_words(en: &str, zh: Option<&str>) -> Words {
    let mut name = vec![(clean(en), CELL_STRONG)];
    if let Some(zh) = zh.map(clean).filter(|z| !z.is_empty()) {
        name.push((zh, CELL_STRONG));
    }
    name
}

fn or_absent(s: Option<&str>) -> String {
    match s.map(clean) {
        Some(s) if !s.is_empty() => s,
        _ => ABSENT.to_owned(),
    }
}

/// A supervisor's list's catalogue keys.
struct Keys {
    title: &'static str,
    intro: &'static str,
    footer: &'static str,
    page: &'static str,
    generated: &'static str,
    /// The window's label and its sentence (`{days}`).
    window_label: &'static str,
    window: &'static str,
    count_label: &'static str,
    /// What an empty list says (`{days}`).
    none: &'static str,
}

/// A supervisor's list as a PDF: the head's rows, then the table, soonest
/// first (fewest `days_left` first; rows with the same days keep their
/// order), each row's cells from `cells`. The list is checked already.
fn render_list<R>(
    keys: &Keys,
    columns: &[Column],
    head: ListHead<'_>,
    rows: &[R],
    days_left: fn(&R) -> u32,
    cells: fn(&[Lang], &R) -> Vec<Words>,
    fonts: &Fonts,
) -> Result<Vec<u8>, SlipError> {
    let langs = head.lang.langs();
    let days = head.within_days.to_string();
    let mut ordered: Vec<&R> = rows.iter().collect();
    ordered.sort_by_key(|r| days_left(r));
    let table = TableList {
        title: keys.title,
        intro: keys.intro,
        footer: keys.footer,
        page: keys.page,
        generated: keys.generated,
        time: head.time,
        site: head.site,
        summary: vec![
            (
                keys.window_label,
                per_lang(langs, |l| format(l, keys.window, &[("days", &days)]), VALUE),
            ),
            (keys.count_label, vec![(rows.len().to_string(), VALUE)]),
        ],
        none: langs
            .iter()
            .map(|&l| (format(l, keys.none, &[("days", &days)]), BODY))
            .collect(),
        columns,
        rows: ordered.into_iter().map(|r| cells(langs, r)).collect(),
        lang: head.lang,
    };
    render_table_list(&table, fonts)
}

const EXPIRING_KEYS: Keys = Keys {
    title: "list.expiring.title",
    intro: "list.expiring.intro",
    footer: "list.expiring.footer",
    page: "list.expiring.page",
    generated: "list.expiring.label.generated",
    window_label: "list.expiring.label.window",
    window: "list.expiring.window",
    count_label: "list.expiring.label.count",
    none: "list.expiring.none",
};

const EXPIRING_COLUMNS: [Column; 8] = [
    Column::left("list.expiring.col.expires_on", 62.0),
    Column::right("list.expiring.col.days_left", 40.0),
    Column::left("list.expiring.col.reference", 104.0),
    Column::left("list.expiring.col.origin", 72.0),
    Column::left("list.expiring.col.applicant_role", 72.0),
    Column::left("list.expiring.col.name", 150.0),
    Column::left("list.expiring.col.date_of_birth", 62.0),
    Column::left("list.expiring.col.document", 120.0),
];

fn expiring_row(langs: &[Lang], r: &ExpiringListRow) -> Vec<Words> {
    vec![
        vec![(clean(&r.expires_on), CELL)],
        vec![(r.days_left.to_string(), CELL_STRONG)],
        vec![(clean(&r.reference), CELL)],
        coded(langs, "list.expiring.origin", &r.origin),
        coded(langs, "list.expiring.role", &r.applicant_role),
        name_words(&r.name_en, r.chinese_name.as_deref()),
        vec![(clean(&r.date_of_birth), CELL)],
        vec![(or_absent(Some(&r.document_masked)), CELL)],
    ]
}

/// The expiring applications as a PDF (A4 landscape): the title, the site,
/// when it was made, the window, then the table, soonest first, its
/// heading row repeated on every page; an empty list says so in words.
/// Every page is numbered.
pub fn render_expiring_list(list: &ExpiringList, fonts: &Fonts) -> Result<Vec<u8>, SlipError> {
    list.check()?;
    render_list(
        &EXPIRING_KEYS,
        &EXPIRING_COLUMNS,
        list.head(),
        &list.rows,
        |r| r.days_left,
        expiring_row,
        fonts,
    )
}

const TURNING_KEYS: Keys = Keys {
    title: "list.turning_16.title",
    intro: "list.turning_16.intro",
    footer: "list.turning_16.footer",
    page: "list.turning_16.page",
    generated: "list.turning_16.label.generated",
    window_label: "list.turning_16.label.window",
    window: "list.turning_16.window",
    count_label: "list.turning_16.label.count",
    none: "list.turning_16.none",
};

const TURNING_COLUMNS: [Column; 7] = [
    Column::left("list.turning_16.col.turns_16_on", 66.0),
    Column::right("list.turning_16.col.days_left", 40.0),
    Column::left("list.turning_16.col.name", 150.0),
    Column::left("list.turning_16.col.date_of_birth", 62.0),
    Column::left("list.turning_16.col.document", 92.0),
    Column::left("list.turning_16.col.sdm", 140.0),
    Column::left("list.turning_16.col.ehr_number", 134.0),
];

fn turning_row(langs: &[Lang], r: &TurningListRow) -> Vec<Words> {
    let mut sdm = vec![(or_absent(r.sdm_document_masked.as_deref()), CELL)];
    let relationship = per_lang(
        langs,
        |l| {
            let zh = clean(&r.sdm_relationship_zh);
            match l {
                Lang::ZhHk if !zh.is_empty() => zh,
                _ => clean(&r.sdm_relationship_en),
            }
        },
        CELL,
    );
    sdm.extend(relationship.into_iter().filter(|(t, _)| !t.is_empty()));
    vec![
        vec![(clean(&r.turns_16_on), CELL)],
        vec![(r.days_left.to_string(), CELL_STRONG)],
        name_words(&r.name_en, r.chinese_name.as_deref()),
        vec![(clean(&r.date_of_birth), CELL)],
        vec![(or_absent(r.document_masked.as_deref()), CELL)],
        sdm,
        vec![(clean(&r.ehr_number), CELL)],
    ]
}

/// The records of children turning 16 as a PDF (A4 landscape): the title,
/// the site, when it was made, the window, then the table, soonest first,
/// its heading row repeated on every page; an empty list says so in words.
/// Every page is numbered.
pub fn render_turning_list(list: &TurningList, fonts: &Fonts) -> Result<Vec<u8>, SlipError> {
    list.check()?;
    render_list(
        &TURNING_KEYS,
        &TURNING_COLUMNS,
        list.head(),
        &list.rows,
        |r| r.days_left,
        turning_row,
        fonts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_heading_and_code_is_in_the_catalogue() {
        for c in EXPIRING_COLUMNS.iter().chain(&TURNING_COLUMNS) {
            for l in Lang::ALL {
                assert!(lookup(l, c.head).is_some(), "{}", c.head);
            }
        }
        let words = |prefix: &str, code: &str| -> Vec<String> {
            coded(&Lang::ALL, prefix, code)
                .into_iter()
                .map(|(w, _)| w)
                .collect()
        };
        for code in ["online", "paper_post", "paper_fax", "paper_drop_in"] {
            let w = words("list.expiring.origin", code);
            assert_eq!(w.len(), 2, "{code}: {w:?}");
        }
        for code in ["self", "sdm", "authorised_person"] {
            let w = words("list.expiring.role", code);
            assert_eq!(w.len(), 2, "{code}: {w:?}");
        }
        assert_eq!(words("list.expiring.role", "martian"), ["martian"]);
        assert_eq!(words("list.expiring.role", " "), [ABSENT]);
    }

    #[test]
    fn debug_shows_no_personal_data() {
        let row = ExpiringListRow {
            expires_on: "01/12/2026".to_owned(),
            days_left: 3,
            reference: "APP-20261101-0001".to_owned(),
            origin: "online".to_owned(),
            applicant_role: "sdm".to_owned(),
            name_en: "CHAN, Tai Man".to_owned(),
            chinese_name: Some("\u{9673}".to_owned()),
            date_of_birth: "02/03/1950".to_owned(),
            document_masked: "A123***(*)".to_owned(),
        };
        let turning = TurningListRow {
            turns_16_on: "05/12/2026".to_owned(),
            days_left: 7,
            ehr_number: "1234-5678-9012".to_owned(),
            name_en: "WONG, Siu Ming".to_owned(),
            chinese_name: None,
            date_of_birth: "05/12/2010".to_owned(),
            document_masked: Some("Y987***(*)".to_owned()),
            sdm_document_masked: Some("K555***(*)".to_owned()),
            sdm_relationship_en: "Parent".to_owned(),
            sdm_relationship_zh: String::new(),
        };
        let debug = format!("{row:?} {turning:?}");
        for secret in [
            "CHAN", "\u{9673}", "1950", "A123", "WONG", "2010", "Y987", "K555", "1234",
        ] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
