//! The date and time printed on a slip: Hong Kong local time (UTC+8, no
//! daylight saving since 1979), passed in by the caller; this crate has no
//! clock.

use ehr_domain::Date;

use crate::SlipError;

const HK_OFFSET_MS: i64 = 8 * 3_600_000;

/// A Hong Kong local date and time to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlipTime {
    date: Date,
    hour: u8,
    minute: u8,
}

impl SlipTime {
    /// A time on `date`; the hour is 0 to 23, the minute 0 to 59.
    pub fn new(date: Date, hour: u8, minute: u8) -> Result<SlipTime, SlipError> {
        if hour > 23 || minute > 59 {
            return Err(SlipError::Time);
        }
        Ok(SlipTime { date, hour, minute })
    }

    /// The Hong Kong time of a Unix timestamp in milliseconds (as the
    /// outbox keeps `saved_at_ms`).
    pub fn from_unix_ms(ms: u64) -> Result<SlipTime, SlipError> {
        let ms = i64::try_from(ms).map_err(|_| SlipError::Time)?;
        let local = ms.checked_add(HK_OFFSET_MS).ok_or(SlipError::Time)?;
        let days = local.div_euclid(86_400_000);
        let minutes = local.rem_euclid(86_400_000) / 60_000;
        let date = Date::from_days_since_epoch(days).map_err(|_| SlipError::Time)?;
        let hour = u8::try_from(minutes / 60).map_err(|_| SlipError::Time)?;
        let minute = u8::try_from(minutes % 60).map_err(|_| SlipError::Time)?;
        SlipTime::new(date, hour, minute)
    }

    /// An RFC 3339 time in Hong Kong's offset, such as
    /// `2026-12-01T14:35:00+08:00` (seconds and fractions are dropped; any
    /// other offset is refused rather than converted, so a slip never shows
    /// a time the clerk did not see).
    pub fn parse_rfc3339(s: &str) -> Result<SlipTime, SlipError> {
        let s = s.trim();
        let (date, rest) = s.split_once(['T', 't', ' ']).ok_or(SlipError::Time)?;
        let time = rest.strip_suffix("+08:00").ok_or(SlipError::Time)?;
        let date = Date::parse(date).map_err(|_| SlipError::Time)?;
        let mut parts = time.split(':');
        let num = |p: Option<&str>| -> Result<u8, SlipError> {
            let p = p.ok_or(SlipError::Time)?;
            if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SlipError::Time);
            }
            p.parse().map_err(|_| SlipError::Time)
        };
        let hour = num(parts.next())?;
        let minute = num(parts.next())?;
        if let Some(sec) = parts.next() {
            let whole = sec.split('.').next().unwrap_or_default();
            if num(Some(whole))? > 60 {
                return Err(SlipError::Time);
            }
        }
        SlipTime::new(date, hour, minute)
    }

    /// The date.
    pub fn date(self) -> Date {
        self.date
    }

    /// `HH:MM`, 24-hour.
    pub fn hh_mm(self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }

    /// The catalogue's `slip.datetime` in `lang`.
    pub(crate) fn text(self, lang: ehr_i18n::Lang) -> String {
        let d = self.date;
        ehr_i18n::format(
            lang,
            "slip.datetime",
            &[
                ("day", &format!("{:02}", d.day())),
                ("month", &format!("{:02}", d.month())),
                ("year", &format!("{:04}", d.year())),
                ("time", &self.hh_mm()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_ms_is_hong_kong_time() {
        // 2026-12-01T06:35:00Z is 14:35 in Hong Kong.
        let t = SlipTime::from_unix_ms(1_796_106_900_000).expect("time");
        assert_eq!(t.date(), Date::new(2026, 12, 1).expect("date"));
        assert_eq!(t.hh_mm(), "14:35");
        // 20:00Z is the next day in Hong Kong.
        let t = SlipTime::from_unix_ms(1_796_155_200_000).expect("time");
        assert_eq!(t.date(), Date::new(2026, 12, 2).expect("date"));
        assert_eq!(t.hh_mm(), "04:00");
    }

    #[test]
    fn rfc3339_needs_the_hong_kong_offset() {
        let t = SlipTime::parse_rfc3339("2026-12-01T14:35:07.25+08:00").expect("time");
        assert_eq!(t.hh_mm(), "14:35");
        assert_eq!(t.text(ehr_i18n::Lang::En), "01/12/2026 14:35");
        for bad in [
            "2026-12-01T14:35:00Z",
            "2026-12-01T14:35:00+09:00",
            "2026-12-01T24:00:00+08:00",
            "2026-02-30T10:00:00+08:00",
            "2026-12-01T1:5+08:00",
            "",
        ] {
            assert_eq!(SlipTime::parse_rfc3339(bad), Err(SlipError::Time), "{bad}");
        }
    }
}
