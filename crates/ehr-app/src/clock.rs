//! Where the app reads the wall-clock time: the system clock in production,
//! or a clock a test sets (the lockout, the offline sign-in window, session
//! expiry are tested by setting the time, never by sleeping). No production
//! binary builds a settable clock from the environment or a flag.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A wall clock in Unix milliseconds. Cheap to clone; clones share the time.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that reads `unix_ms` until it is set or advanced.
    pub fn settable(unix_ms: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(unix_ms))))
    }

    /// Unix milliseconds, now.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            None => crate::sync::unix_ms(),
            Some(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Set a settable clock (the system clock is not changed).
    pub fn set_ms(&self, unix_ms: i64) {
        if let Some(t) = &self.0 {
            t.store(unix_ms, Ordering::SeqCst);
        }
    }

    /// Move a settable clock on (the system clock is not changed).
    pub fn advance(&self, by: std::time::Duration) {
        if let Some(t) = &self.0 {
            let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
            t.fetch_add(ms, Ordering::SeqCst);
        }
    }
}
