//! The IDEAS adapter (see `docs/ideas-adapter.md`).
//!
//! In production the smart identity card is read through the government's
//! card-authentication service. Its client library and interface are not
//! public, so this adapter holds the place of that integration behind the
//! same [`IdentitySource`] boundary as the PC/SC reader, and refuses clearly:
//!
//! - with no endpoint configured: `ideas.not_configured`;
//! - with one configured: `ideas.unavailable`, because this build carries no
//!   transport for the service; the refusal names the gap rather than
//!   pretending a read happened.
//!
//! The counter always offers manual entry beside it, so a refusal never
//! stops a registration.

use std::time::Duration;

use ehr_card::identity::{Cancel, IdentityRead, IdentitySource, SourceError, SourceKind};

/// Environment variable naming the IDEAS endpoint.
pub const ENV_ENDPOINT: &str = "EHR_IDEAS_ENDPOINT";

/// How this counter reaches IDEAS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdeasConfig {
    /// The service endpoint issued to the site, if any.
    pub endpoint: Option<String>,
}

impl IdeasConfig {
    /// From any key lookup (the environment, or a test's map). Blank is unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        IdeasConfig {
            endpoint: get(ENV_ENDPOINT).filter(|v| !v.trim().is_empty()),
        }
    }

    /// The configuration from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Whether an endpoint is configured.
    pub fn is_configured(&self) -> bool {
        self.endpoint.is_some()
    }
}

/// The IDEAS identity source.
#[derive(Debug, Clone, Default)]
pub struct IdeasSource {
    config: IdeasConfig,
}

impl IdeasSource {
    /// A source over `config`.
    pub fn new(config: IdeasConfig) -> Self {
        IdeasSource { config }
    }

    /// Whether a read could succeed, without reading: the refusal every
    /// read would give now (`ideas.not_configured`, else `ideas.unavailable`
    /// while this build carries no transport). For `ehrctl doctor`.
    pub fn status(&self) -> Result<(), SourceError> {
        if !self.config.is_configured() {
            return Err(SourceError::NotConfigured);
        }
        Err(SourceError::Unavailable)
    }
}

impl IdentitySource for IdeasSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Ideas
    }

    fn read_identity(
        &mut self,
        _reader: &str,
        _timeout: Duration,
        cancel: &Cancel,
    ) -> Result<IdentityRead, SourceError> {
        if cancel.is_cancelled() {
            return Err(SourceError::Cancelled);
        }
        self.status()?;
        // The transport of an integration reads here (docs/ideas-adapter.md).
        Err(SourceError::Unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cfg: IdeasConfig) -> Result<IdentityRead, SourceError> {
        IdeasSource::new(cfg).read_identity("any", Duration::from_secs(1), &Cancel::new())
    }

    #[test]
    fn refuses_until_configured_then_says_it_cannot_reach_the_service() {
        let none = IdeasConfig::from_lookup(|_| Some("  ".into()));
        assert!(!none.is_configured());
        let err = read(none).unwrap_err();
        assert_eq!(err.code(), "ideas.not_configured");
        let set = IdeasConfig::from_lookup(|k| {
            (k == ENV_ENDPOINT).then(|| "https://ideas.invalid".into())
        });
        assert!(set.is_configured());
        assert_eq!(read(set).unwrap_err().code(), "ideas.unavailable");
        let c = Cancel::new();
        c.cancel();
        let err = IdeasSource::default()
            .read_identity("any", Duration::ZERO, &c)
            .unwrap_err();
        assert_eq!(err, SourceError::Cancelled);
        assert_eq!(IdeasSource::default().kind(), SourceKind::Ideas);
        assert_eq!(
            IdeasSource::default().status(),
            Err(SourceError::NotConfigured)
        );
    }
}
