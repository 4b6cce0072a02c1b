//! The day time-dependent rules judge by (application expiry, age on the
//! day, "not after today").
//!
//! An operation queued offline reaches the service late. It carries the
//! counter's transaction time (`transacted_at`), and the rules judge it by
//! the Hong Kong day of that time, so an activation keyed on the last day
//! of an application is not refused because it arrived the day after.

use ehr_domain::Date;
use ehr_protocol::wire::FieldError;
use ehr_protocol::ErrorCode;

use crate::validate::Errors;

/// How far a transaction time may be ahead of the judge's clock (clocks
/// drift): five minutes.
pub const FUTURE_SLACK_SECS: i64 = 5 * 60;

/// Hong Kong's offset from UTC (no daylight saving).
const HK_OFFSET_SECS: i64 = 8 * 3600;

/// The Hong Kong calendar day (UTC+8) of a Unix time.
pub fn hk_day(unix: i64) -> Option<Date> {
    Date::from_days_since_epoch((unix + HK_OFFSET_SECS).div_euclid(86_400)).ok()
}

/// The day to judge an operation by, given its transaction time
/// (`transacted_at`, RFC 3339 with an offset), the judge's clock
/// (`now_unix`, seconds) and the tolerance the policies set (hours):
///
/// - absent: today (the Hong Kong day of `now_unix`), as before the field;
/// - not RFC 3339 with an offset: refused on `transacted_at` as
///   `field.format`;
/// - more than [`FUTURE_SLACK_SECS`] after `now_unix`: refused on
///   `transacted_at` as `batch.transaction_time_future`;
/// - older than the tolerance: judged by **today**, as if it had no
///   transaction time (an operation held back longer than a counter may
///   work offline earns no grace; a counter cannot backdate a change
///   without limit);
/// - otherwise: the Hong Kong day of the transaction time.
pub fn judging_day(
    transacted_at: Option<&str>,
    now_unix: i64,
    tolerance_hours: u32,
) -> Result<Date, FieldError> {
    let refuse = |code: ErrorCode| {
        let mut errs = Errors::default();
        errs.service("transacted_at", code);
        errs.0.remove(0)
    };
    let today = hk_day(now_unix).ok_or_else(|| refuse(ErrorCode::FieldFormat))?;
    let Some(text) = transacted_at else {
        return Ok(today);
    };
    let at = parse_rfc3339(text).ok_or_else(|| refuse(ErrorCode::FieldFormat))?;
    if at > now_unix.saturating_add(FUTURE_SLACK_SECS) {
        return Err(refuse(ErrorCode::BatchTransactionTimeFuture));
    }
    if now_unix.saturating_sub(at) > i64::from(tolerance_hours) * 3600 {
        return Ok(today);
    }
    hk_day(at).ok_or_else(|| refuse(ErrorCode::FieldFormat))
}

/// Seconds since the Unix epoch of an RFC 3339 date-time with an offset
/// (`2026-06-29T17:05:00+08:00`, `2026-06-29T09:05:00.123Z`); fractions of
/// a second are dropped. `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if s.len() > 40 || b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let date = Date::parse(s.get(..10)?).ok()?;
    let num = |i: usize| -> Option<i64> {
        let d = s.get(i..i + 2)?;
        d.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| d.parse().ok())
            .flatten()
    };
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, m, sec) = (num(11)?, num(14)?, num(17)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let oh = num(s.len() - 5)?;
            let om = num(s.len() - 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some(date.days_since_epoch() * 86_400 + h * 3600 + m * 60 + sec.min(59) - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    // 2026-06-30T00:00:00+08:00
    const NOW: i64 = 1_782_748_800;

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T08:00:00+08:00"), Some(0));
        assert_eq!(parse_rfc3339("1969-12-31T23:00:00-01:00"), Some(0));
        assert_eq!(parse_rfc3339("2026-06-29T16:00:00.250Z"), Some(NOW));
        assert_eq!(parse_rfc3339("2026-06-30t00:00:00+08:00"), Some(NOW));
        for bad in [
            "",
            "2026-06-30",
            "2026-06-30T00:00:00",
            "2026-06-30 00:00:00Z",
            "2026-06-30T24:00:00Z",
            "2026-06-30T00:60:00Z",
            "2026-02-30T00:00:00Z",
            "2026-06-30T00:00:00+8:00",
            "2026-06-30T00:00:00.Z",
            "2026-06-30T0a:00:00Z",
            "2026-06-30T00:00:00+08:00 ",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_day_a_transaction_is_judged_by() {
        let week = 168;
        // Absent: today in Hong Kong.
        assert_eq!(judging_day(None, NOW, week), Ok(d("2026-06-30")));
        assert_eq!(judging_day(None, NOW - 1, week), Ok(d("2026-06-29")));
        // Within the tolerance: the Hong Kong day of the transaction.
        assert_eq!(
            judging_day(Some("2026-06-28T23:59:00+08:00"), NOW, week),
            Ok(d("2026-06-28"))
        );
        assert_eq!(
            judging_day(Some("2026-06-28T16:30:00Z"), NOW, week),
            Ok(d("2026-06-29"))
        );
        // Exactly the tolerance old still counts; older is judged by today.
        assert_eq!(
            judging_day(Some("2026-06-23T00:00:00+08:00"), NOW, week),
            Ok(d("2026-06-23"))
        );
        assert_eq!(
            judging_day(Some("2026-06-22T23:59:59+08:00"), NOW, week),
            Ok(d("2026-06-30"))
        );
        // A little ahead (clock drift) is fine; more is refused.
        assert_eq!(
            judging_day(Some("2026-06-30T00:05:00+08:00"), NOW, week),
            Ok(d("2026-06-30"))
        );
        let future = judging_day(Some("2026-06-30T00:05:01+08:00"), NOW, week).unwrap_err();
        assert_eq!(
            (future.field.as_str(), future.code.as_str()),
            ("transacted_at", "batch.transaction_time_future")
        );
        let garbled = judging_day(Some("yesterday"), NOW, week).unwrap_err();
        assert_eq!(
            (garbled.field.as_str(), garbled.code.as_str()),
            ("transacted_at", "field.format")
        );
    }
}
