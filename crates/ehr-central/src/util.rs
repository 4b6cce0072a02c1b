//! Small helpers: the clock, randomness, hashing and time formatting.

use ehr_domain::Date;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Where the service reads the time: the system clock in production, or a
/// clock a test sets (lockout, session expiry, application expiry are tested
/// by setting the time, never by sleeping). Cheap to clone; clones share the
/// time. The service's binary never builds a settable one: no time override
/// reaches it from the command line or the environment.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<std::sync::Arc<std::sync::atomic::AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that reads `unix` (seconds) until it is set or advanced.
    pub fn settable(unix: i64) -> Clock {
        Clock(Some(std::sync::Arc::new(
            std::sync::atomic::AtomicI64::new(unix),
        )))
    }

    /// Seconds since the Unix epoch, now.
    pub fn now_unix(&self) -> i64 {
        match &self.0 {
            None => now_unix(),
            Some(t) => t.load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    /// Set a settable clock to `unix` (the system clock is not changed).
    pub fn set(&self, unix: i64) {
        if let Some(t) = &self.0 {
            t.store(unix, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Move a settable clock on by `secs` (the system clock is not changed).
    pub fn advance(&self, secs: i64) {
        if let Some(t) = &self.0 {
            t.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Seconds since the Unix epoch, now, from the system clock. Request
/// handling reads the service's [`Clock`] instead.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The Hong Kong calendar day (UTC+8) of a Unix time.
pub fn hk_date(unix: i64) -> Result<Date> {
    Date::from_days_since_epoch((unix + 8 * 3600).div_euclid(86_400))
        .map_err(|_| Error::Internal("clock outside the calendar"))
}

/// RFC 3339 (UTC) form of a Unix time, for example `2026-01-02T03:04:05Z`.
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let date = Date::from_days_since_epoch(days)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "1970-01-01".to_owned());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| Error::Internal("no randomness"))?;
    Ok(b)
}

/// A uniformly random number below `bound` (`bound` > 0).
pub fn random_below(bound: u64) -> Result<u64> {
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let v = u64::from_le_bytes(random_bytes::<8>()?);
        if v < zone {
            return Ok(v % bound);
        }
    }
}

/// `n` random decimal digits.
pub fn random_digits(n: usize) -> Result<String> {
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        let d = random_below(10)?;
        s.push(char::from(b'0' + d as u8));
    }
    Ok(s)
}

/// The Crockford base-32 alphabet (no I, L, O, U), for references and codes
/// people type.
pub const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `n` random Crockford base-32 characters.
pub fn random_code(n: usize) -> Result<String> {
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        let i = random_below(32)? as usize;
        s.push(char::from(CROCKFORD[i]));
    }
    Ok(s)
}

/// A random 256-bit secret, base64url without padding (43 characters).
pub fn random_secret() -> Result<String> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

/// A small deterministic generator (SplitMix64) for demo and bench data.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (slightly biased; fine for demo data).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// An element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len() as u64) as usize;
        &items[i.min(items.len().saturating_sub(1))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_and_hk_date() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600 + 3661), "2026-01-01T01:01:01Z");
        // 2025-12-31 16:00 UTC is 2026-01-01 00:00 in Hong Kong.
        assert_eq!(hk_date(1_767_196_800).unwrap().to_string(), "2026-01-01");
    }

    #[test]
    fn random_shapes() {
        assert_eq!(random_digits(8).unwrap().len(), 8);
        assert!(random_digits(8)
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit()));
        assert_eq!(random_secret().unwrap().len(), 43);
        let c = random_code(10).unwrap();
        assert!(c.bytes().all(|b| CROCKFORD.contains(&b)));
        let mut a = SplitMix::new(1);
        let mut b = SplitMix::new(1);
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
