//! Helpers for hand-written `Debug` of types that hold card data or a
//! person's particulars: field names stay, values become `<redacted>`.

use std::fmt;

/// Shown in place of a value.
#[derive(Clone, Copy)]
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `Some(<redacted>)` or `None`.
pub(crate) fn option<T>(v: &Option<T>) -> Option<Redacted> {
    v.as_ref().map(|_| Redacted)
}

/// Bytes that may hold personal data, shown by their length only.
pub(crate) struct RedactedBytes(pub(crate) usize);

impl fmt::Debug for RedactedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted; {} bytes>", self.0)
    }
}
