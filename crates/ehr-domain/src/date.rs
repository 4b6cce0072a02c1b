//! Civil dates (proleptic Gregorian, no time zone), dates of birth with their
//! precision, and age on a given day.
//!
//! The crate has no clock: every rule that depends on "today" takes the day
//! as an argument. A [`Date`] is a validated year, month and day between the
//! years [`MIN_YEAR`] and [`MAX_YEAR`]; ordering is calendar order.
//!
//! Accepted text layouts ([`Date::parse`], [`DateOfBirth::parse`]); full-width
//! digits and separators are accepted too, and surrounding spaces ignored:
//!
//! | layout | precision | example |
//! |---|---|---|
//! | `YYYY-MM-DD` | day | `2012-03-01` |
//! | `DD/MM/YYYY` (also `DD-MM-YYYY`, `DD.MM.YYYY`) | day | `01/03/2012` |
//! | `YYYY-MM` or `MM/YYYY` | month (dates of birth only) | `03/2012` |
//! | `YYYY` | year (dates of birth only) | `2012` |
//!
//! Age: a person turns a year older on the birthday; someone born on
//! 29 February turns a year older on 1 March in common years (the Hong Kong
//! legal convention, also the product decision). With a month-only or
//! year-only date of birth the exact age may be unknown: [`age_on`] returns
//! the youngest and oldest possible ages, and the eligibility rules use the
//! youngest (conservative: an SDM is required until the person is certainly 16).

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Message};

/// The earliest year a [`Date`] can have.
pub const MIN_YEAR: i32 = 1800;
/// The latest year a [`Date`] can have.
pub const MAX_YEAR: i32 = 9999;

/// Why a date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Nothing was entered.
    #[error("date is empty")]
    Empty,
    /// Not one of the accepted layouts.
    #[error("date is not in an accepted layout")]
    Format,
    /// The day, month or year does not exist or is outside the years accepted.
    #[error("date does not exist or is out of range")]
    OutOfRange,
    /// A date of birth after the day it is compared with.
    #[error("date of birth is after the transaction date")]
    DobAfterTransaction,
}

impl DateError {
    /// The stable code.
    pub fn code(self) -> Code {
        match self {
            DateError::Empty => Code::DateEmpty,
            DateError::Format => Code::DateFormat,
            DateError::OutOfRange => Code::DateOutOfRange,
            DateError::DobAfterTransaction => Code::DateDobAfterTransaction,
        }
    }

    /// The code with its bilingual text.
    pub fn message(self) -> Message {
        Message::new(self.code())
    }
}

/// Whether `year` is a leap year in the Gregorian calendar.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in `month` (1 to 12) of `year`; 0 for a month that does
/// not exist.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A calendar day: validated year, month and day.
///
/// Serialised as `"YYYY-MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if it exists and its year is within [`MIN_YEAR`]..=[`MAX_YEAR`].
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::OutOfRange);
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Parses `YYYY-MM-DD` or `DD/MM/YYYY` (with `/`, `-` or `.`).
    pub fn parse(input: &str) -> Result<Date, DateError> {
        match DateOfBirth::parse(input)? {
            DateOfBirth::Day(d) => Ok(d),
            DateOfBirth::Month { .. } | DateOfBirth::Year { .. } => Err(DateError::Format),
        }
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's
    /// `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days since 1970-01-01, if within the years accepted.
    pub fn from_days_since_epoch(days: i64) -> Result<Date, DateError> {
        let z = days.checked_add(719_468).ok_or(DateError::OutOfRange)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = i32::try_from(year).map_err(|_| DateError::OutOfRange)?;
        let month = u8::try_from(month).map_err(|_| DateError::OutOfRange)?;
        let day = u8::try_from(day).map_err(|_| DateError::OutOfRange)?;
        Date::new(year, month, day)
    }

    /// This date moved by `days` (negative moves back).
    pub fn add_days(self, days: i64) -> Result<Date, DateError> {
        let d = self
            .days_since_epoch()
            .checked_add(days)
            .ok_or(DateError::OutOfRange)?;
        Date::from_days_since_epoch(d)
    }

    /// Days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// `DD/MM/YYYY`, the layout on Hong Kong forms and cards.
    pub fn to_hk_string(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.year, self.month, self.day).cmp(&(other.year, other.month, other.day))
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(s: String) -> Result<Date, DateError> {
        Date::parse(&s)
    }
}

/// A date of birth with its precision, as in the DH DOB indicator
/// (`DD/MM/YYYY`, `MM/YYYY`, `YYYY`).
///
/// Serialised as `"YYYY-MM-DD"`, `"YYYY-MM"` or `"YYYY"`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DateOfBirth {
    /// The full date is known.
    Day(Date),
    /// Only the month and year are known.
    Month {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u8,
    },
    /// Only the year is known.
    Year {
        /// The year.
        year: i32,
    },
}

/// How much of a date of birth is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// Day, month and year.
    Day,
    /// Month and year.
    Month,
    /// Year only.
    Year,
}

/// Keeps ASCII digits and maps full-width digits and separators to ASCII.
fn ascii_fold(input: &str) -> String {
    input
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

fn number(s: &str, min_len: usize, max_len: usize) -> Result<u32, DateError> {
    if s.len() < min_len || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Format);
    }
    s.parse::<u32>().map_err(|_| DateError::Format)
}

fn year_of(s: &str) -> Result<i32, DateError> {
    let y = number(s, 4, 4)?;
    let y = i32::try_from(y).map_err(|_| DateError::Format)?;
    if (MIN_YEAR..=MAX_YEAR).contains(&y) {
        Ok(y)
    } else {
        Err(DateError::OutOfRange)
    }
}

fn month_of(s: &str) -> Result<u8, DateError> {
    let m = number(s, 1, 2)?;
    match u8::try_from(m) {
        Ok(m @ 1..=12) => Ok(m),
        _ => Err(DateError::OutOfRange),
    }
}

fn day_of(s: &str) -> Result<u8, DateError> {
    u8::try_from(number(s, 1, 2)?).map_err(|_| DateError::OutOfRange)
}

impl DateOfBirth {
    /// Parses any layout in the module table.
    pub fn parse(input: &str) -> Result<DateOfBirth, DateError> {
        let s = ascii_fold(input);
        if s.is_empty() {
            return Err(DateError::Empty);
        }
        let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
        let iso = s.contains('-') && parts.first().is_some_and(|p| p.len() == 4);
        if (s.contains('/') || s.contains('.')) && s.contains('-') {
            return Err(DateError::Format);
        }
        match parts.as_slice() {
            [y] => Ok(DateOfBirth::Year { year: year_of(y)? }),
            [y, m] if iso => Ok(DateOfBirth::Month {
                year: year_of(y)?,
                month: month_of(m)?,
            }),
            [m, y] if !iso => Ok(DateOfBirth::Month {
                year: year_of(y)?,
                month: month_of(m)?,
            }),
            [y, m, d] if iso => Ok(DateOfBirth::Day(Date::new(
                year_of(y)?,
                month_of(m)?,
                day_of(d)?,
            )?)),
            [d, m, y] => Ok(DateOfBirth::Day(Date::new(
                year_of(y)?,
                month_of(m)?,
                day_of(d)?,
            )?)),
            _ => Err(DateError::Format),
        }
    }

    /// A month-precision date of birth, if the month exists.
    pub fn month(year: i32, month: u8) -> Result<DateOfBirth, DateError> {
        Date::new(year, month, 1)?;
        Ok(DateOfBirth::Month { year, month })
    }

    /// A year-precision date of birth, if the year is accepted.
    pub fn year_only(year: i32) -> Result<DateOfBirth, DateError> {
        Date::new(year, 1, 1)?;
        Ok(DateOfBirth::Year { year })
    }

    /// How much is known.
    pub fn precision(self) -> Precision {
        match self {
            DateOfBirth::Day(_) => Precision::Day,
            DateOfBirth::Month { .. } => Precision::Month,
            DateOfBirth::Year { .. } => Precision::Year,
        }
    }

    /// The year of birth.
    pub fn year(self) -> i32 {
        match self {
            DateOfBirth::Day(d) => d.year(),
            DateOfBirth::Month { year, .. } | DateOfBirth::Year { year } => year,
        }
    }

    /// The earliest day the person can have been born.
    pub fn earliest(self) -> Date {
        match self {
            DateOfBirth::Day(d) => d,
            DateOfBirth::Month { year, month } => Date {
                year,
                month,
                day: 1,
            },
            DateOfBirth::Year { year } => Date {
                year,
                month: 1,
                day: 1,
            },
        }
    }

    /// The latest day the person can have been born.
    pub fn latest(self) -> Date {
        match self {
            DateOfBirth::Day(d) => d,
            DateOfBirth::Month { year, month } => Date {
                year,
                month,
                day: days_in_month(year, month),
            },
            DateOfBirth::Year { year } => Date {
                year,
                month: 12,
                day: 31,
            },
        }
    }

    /// The Hong Kong layout: `DD/MM/YYYY`, `MM/YYYY` or `YYYY`.
    pub fn to_hk_string(self) -> String {
        match self {
            DateOfBirth::Day(d) => d.to_hk_string(),
            DateOfBirth::Month { year, month } => format!("{month:02}/{year:04}"),
            DateOfBirth::Year { year } => format!("{year:04}"),
        }
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateOfBirth::Day(d) => write!(f, "{d}"),
            DateOfBirth::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            DateOfBirth::Year { year } => write!(f, "{year:04}"),
        }
    }
}

impl From<DateOfBirth> for String {
    fn from(d: DateOfBirth) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for DateOfBirth {
    type Error = DateError;
    fn try_from(s: String) -> Result<DateOfBirth, DateError> {
        DateOfBirth::parse(&s)
    }
}

/// Completed years from `born` to `on`; `None` if `on` is before `born`.
///
/// The birthday of someone born on 29 February is 1 March in common years.
pub fn completed_years(born: Date, on: Date) -> Option<u32> {
    if on < born {
        return None;
    }
    let birthday_this_year = if born.month == 2 && born.day == 29 && !is_leap_year(on.year) {
        (3, 1)
    } else {
        (born.month, born.day)
    };
    let mut years = on.year - born.year;
    if (on.month, on.day) < birthday_this_year {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The day a person born on `born` turns `years` old: the birthday in that
/// year, or 1 March for a 29 February birthday in a common year. `None` past
/// [`MAX_YEAR`]. Used to list SDM-managed children who turn 16.
pub fn date_of_turning(born: Date, years: u32) -> Option<Date> {
    let year = born.year.checked_add(i32::try_from(years).ok()?)?;
    Date::new(year, born.month, born.day)
        .or_else(|_| Date::new(year, 3, 1))
        .ok()
}

/// Age on a day, for a date of birth that may be imprecise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Age {
    /// The youngest the person can be (born on the latest possible day).
    pub min_years: u32,
    /// The oldest the person can be (born on the earliest possible day).
    pub max_years: u32,
    /// The precision of the date of birth it was computed from.
    pub precision: Precision,
}

impl Age {
    /// Whether the age is known exactly.
    pub fn is_exact(self) -> bool {
        self.min_years == self.max_years
    }

    /// Whether the person is certainly at least `years` old on the day.
    pub fn certainly_at_least(self, years: u32) -> bool {
        self.min_years >= years
    }
}

/// The age on `on` of a person with date of birth `dob`.
///
/// With an imprecise date of birth, the youngest possible age counts from the
/// latest possible birthday and the oldest from the earliest. If even the
/// earliest possible birthday is after `on`, this is
/// [`DateError::DobAfterTransaction`]; if only the latest is after `on` (born
/// this month or year, day unknown) the youngest age is 0.
pub fn age_on(dob: DateOfBirth, on: Date) -> Result<Age, DateError> {
    let max_years = completed_years(dob.earliest(), on).ok_or(DateError::DobAfterTransaction)?;
    let min_years = completed_years(dob.latest(), on).unwrap_or(0);
    Ok(Age {
        min_years,
        max_years,
        precision: dob.precision(),
    })
}

/// A date of birth is personal data: `Debug` shows only its precision.
impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateOfBirth({:?}, <redacted>)", self.precision())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn validation_table() {
        let cases: &[(i32, u8, u8, bool)] = &[
            (2024, 2, 29, true),
            (2023, 2, 29, false),
            (1900, 2, 29, false),
            (2000, 2, 29, true),
            (2024, 4, 31, false),
            (2024, 12, 31, true),
            (2024, 13, 1, false),
            (2024, 0, 1, false),
            (2024, 1, 0, false),
            (1799, 12, 31, false),
            (1800, 1, 1, true),
            (9999, 12, 31, true),
            (10000, 1, 1, false),
        ];
        for &(y, m, day, ok) in cases {
            assert_eq!(Date::new(y, m, day).is_ok(), ok, "{y}-{m}-{day}");
        }
    }

    #[test]
    fn parse_table() {
        let ok: &[(&str, DateOfBirth)] = &[
            ("2012-03-01", DateOfBirth::Day(d(2012, 3, 1))),
            ("01/03/2012", DateOfBirth::Day(d(2012, 3, 1))),
            ("1/3/2012", DateOfBirth::Day(d(2012, 3, 1))),
            ("01-03-2012", DateOfBirth::Day(d(2012, 3, 1))),
            ("01.03.2012", DateOfBirth::Day(d(2012, 3, 1))),
            (" ２０１２－０３－０１ ", DateOfBirth::Day(d(2012, 3, 1))),
            (
                "03/2012",
                DateOfBirth::Month {
                    year: 2012,
                    month: 3,
                },
            ),
            (
                "2012-03",
                DateOfBirth::Month {
                    year: 2012,
                    month: 3,
                },
            ),
            ("2012", DateOfBirth::Year { year: 2012 }),
        ];
        for (s, want) in ok {
            assert_eq!(DateOfBirth::parse(s), Ok(*want), "{s}");
        }
        let bad: &[(&str, DateError)] = &[
            ("", DateError::Empty),
            ("   ", DateError::Empty),
            ("2012-02-30", DateError::OutOfRange),
            ("31/04/2012", DateError::OutOfRange),
            ("13/2012", DateError::OutOfRange),
            ("1700", DateError::OutOfRange),
            ("12", DateError::Format),
            ("2012/03-01", DateError::Format),
            ("2012-3-1-1", DateError::Format),
            ("abcd", DateError::Format),
            ("+012", DateError::Format),
            ("2012--01", DateError::Format),
            ("001/03/2012", DateError::Format),
        ];
        for (s, want) in bad {
            assert_eq!(DateOfBirth::parse(s), Err(*want), "{s:?}");
        }
        assert_eq!(Date::parse("2012-03"), Err(DateError::Format));
        assert_eq!(Date::parse("2012-03-01"), Ok(d(2012, 3, 1)));
    }

    #[test]
    fn epoch_days_known_values() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(d(1969, 12, 31).days_since_epoch(), -1);
        assert_eq!(d(2026, 11, 25).add_days(180), Ok(d(2027, 5, 24)));
        assert_eq!(d(2024, 2, 28).add_days(1), Ok(d(2024, 2, 29)));
        assert_eq!(d(2023, 2, 28).add_days(1), Ok(d(2023, 3, 1)));
        assert_eq!(d(2024, 3, 1).days_until(d(2024, 2, 28)), -2);
        assert_eq!(d(9999, 12, 31).add_days(1), Err(DateError::OutOfRange));
        assert_eq!(d(2000, 1, 1).add_days(i64::MAX), Err(DateError::OutOfRange));
    }

    #[test]
    fn ordering_is_calendar_order() {
        assert!(d(2024, 1, 31) < d(2024, 2, 1));
        assert!(d(2023, 12, 31) < d(2024, 1, 1));
        assert!(d(2024, 2, 10) > d(2024, 2, 9));
    }

    #[test]
    fn age_table() {
        let cases: &[(Date, Date, Option<u32>)] = &[
            (d(2010, 6, 15), d(2026, 6, 14), Some(15)),
            (d(2010, 6, 15), d(2026, 6, 15), Some(16)),
            (d(2010, 6, 15), d(2026, 6, 16), Some(16)),
            (d(2008, 2, 29), d(2024, 2, 28), Some(15)),
            (d(2008, 2, 29), d(2024, 2, 29), Some(16)),
            (d(2012, 2, 29), d(2028, 2, 28), Some(15)),
            (d(2012, 2, 29), d(2028, 2, 29), Some(16)),
            (d(2011, 2, 28), d(2027, 2, 28), Some(16)),
            (d(2010, 2, 29 - 1), d(2026, 2, 27), Some(15)),
            (d(2009, 2, 28), d(2025, 3, 1), Some(16)),
            (d(2026, 1, 1), d(2025, 12, 31), None),
            (d(2026, 1, 1), d(2026, 1, 1), Some(0)),
        ];
        for &(born, on, want) in cases {
            assert_eq!(completed_years(born, on), want, "{born} on {on}");
        }
        // 29 February in a common year: still 15 on 28 February, 16 on 1 March.
        let leapling = d(2008, 2, 29);
        assert_eq!(completed_years(leapling, d(2025, 2, 28)), Some(16));
        let leapling = d(2012, 2, 29);
        assert_eq!(completed_years(leapling, d(2027, 2, 28)), Some(14));
        assert_eq!(completed_years(leapling, d(2027, 3, 1)), Some(15));
        let leapling16 = d(2011, 3, 1);
        assert_eq!(completed_years(leapling16, d(2027, 2, 28)), Some(15));
        let born = d(2009, 2, 28);
        assert_eq!(completed_years(born, d(2025, 2, 27)), Some(15));
        // Day-by-day: a 2008-02-29 child turns 16 on 2024-02-29, and a 2012-02-29
        // child turns 16 on 2028-02-29 (leap) but 15 only on 2027-03-01.
        let born = d(2013, 2, 28).add_days(1).unwrap();
        assert_eq!(born, d(2013, 3, 1));
    }

    #[test]
    fn common_year_leapling_turns_over_on_first_of_march() {
        let born = d(2004, 2, 29);
        assert_eq!(completed_years(born, d(2021, 2, 28)), Some(16));
        let born = d(2008, 2, 29);
        assert_eq!(completed_years(born, d(2023, 2, 28)), Some(14));
        assert_eq!(completed_years(born, d(2023, 3, 1)), Some(15));
    }

    #[test]
    fn date_of_turning_table() {
        assert_eq!(date_of_turning(d(2010, 6, 15), 16), Some(d(2026, 6, 15)));
        assert_eq!(date_of_turning(d(2012, 2, 29), 16), Some(d(2028, 2, 29)));
        assert_eq!(date_of_turning(d(2011, 2, 28), 16), Some(d(2027, 2, 28)));
        assert_eq!(date_of_turning(d(2009, 2, 28), 15), Some(d(2024, 2, 28)));
        assert_eq!(date_of_turning(d(2008, 2, 29), 17), Some(d(2025, 3, 1)));
        assert_eq!(date_of_turning(d(9990, 1, 1), 16), None);
        for (born, years) in [(d(2008, 2, 29), 17u32), (d(2010, 6, 15), 16)] {
            let day = date_of_turning(born, years).unwrap();
            assert_eq!(completed_years(born, day), Some(years));
            assert_eq!(
                completed_years(born, day.add_days(-1).unwrap()),
                Some(years - 1)
            );
        }
    }

    #[test]
    fn imprecise_age() {
        let on = d(2026, 6, 1);
        let y = DateOfBirth::Year { year: 2010 };
        let a = age_on(y, on).unwrap();
        assert_eq!((a.min_years, a.max_years), (15, 16));
        assert!(!a.is_exact());
        assert!(!a.certainly_at_least(16));
        let m = DateOfBirth::Month {
            year: 2010,
            month: 5,
        };
        let a = age_on(m, on).unwrap();
        assert_eq!((a.min_years, a.max_years), (16, 16));
        assert!(a.certainly_at_least(16));
        let m = DateOfBirth::Month {
            year: 2010,
            month: 6,
        };
        let a = age_on(m, on).unwrap();
        assert_eq!((a.min_years, a.max_years), (15, 16));
        // Born this year, day unknown: the youngest age is 0, not an error.
        let a = age_on(DateOfBirth::Year { year: 2026 }, on).unwrap();
        assert_eq!((a.min_years, a.max_years), (0, 0));
        assert_eq!(
            age_on(DateOfBirth::Year { year: 2027 }, on),
            Err(DateError::DobAfterTransaction)
        );
        assert_eq!(
            age_on(DateOfBirth::Day(d(2026, 6, 2)), on),
            Err(DateError::DobAfterTransaction)
        );
    }

    #[test]
    fn serde_forms() {
        let dob = DateOfBirth::Month {
            year: 2012,
            month: 3,
        };
        assert_eq!(serde_json::to_string(&dob).unwrap(), "\"2012-03\"");
        let back: DateOfBirth = serde_json::from_str("\"2012-03\"").unwrap();
        assert_eq!(back, dob);
        assert_eq!(
            serde_json::to_string(&d(2026, 1, 9)).unwrap(),
            "\"2026-01-09\""
        );
        assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
        assert_eq!(dob.to_hk_string(), "03/2012");
        assert_eq!(DateOfBirth::Day(d(2012, 3, 1)).to_hk_string(), "01/03/2012");
        assert_eq!(DateOfBirth::year_only(1700), Err(DateError::OutOfRange));
        assert_eq!(DateOfBirth::month(2000, 13), Err(DateError::OutOfRange));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn any_date() -> impl Strategy<Value = Date> {
            (MIN_YEAR..=MAX_YEAR, 1u8..=12, 1u8..=31)
                .prop_filter_map("valid", |(y, m, d)| Date::new(y, m, d).ok())
        }

        proptest! {
            #[test]
            fn epoch_round_trip(date in any_date()) {
                prop_assert_eq!(Date::from_days_since_epoch(date.days_since_epoch()), Ok(date));
            }

            #[test]
            fn next_day_is_one_more(date in any_date()) {
                if let Ok(next) = date.add_days(1) {
                    prop_assert!(next > date);
                    prop_assert_eq!(date.days_until(next), 1);
                }
            }

            #[test]
            fn display_parses_back(date in any_date()) {
                prop_assert_eq!(Date::parse(&date.to_string()), Ok(date));
                prop_assert_eq!(Date::parse(&date.to_hk_string()), Ok(date));
            }

            #[test]
            fn age_increases_by_one_on_each_birthday(born in any_date(), years in 0i32..120) {
                let target = born.year() + years;
                if let Ok(on) = Date::new(target, born.month(), born.day())
                    .or_else(|_| Date::new(target, 3, 1))
                {
                    prop_assert_eq!(completed_years(born, on), u32::try_from(years).ok());
                    if let Ok(eve) = on.add_days(-1) {
                        if years > 0 {
                            prop_assert_eq!(completed_years(born, eve), u32::try_from(years - 1).ok());
                        }
                    }
                }
            }

            #[test]
            fn parse_never_panics(s in "\\PC{0,20}") {
                let _ = DateOfBirth::parse(&s);
            }
        }
    }
}
