//! The service's errors: [`Error`] inside, [`ApiError`] at the HTTP
//! boundary (always a JSON [`ErrorBody`] with a stable code).
//!
//! No error carries personal data: storage errors are reported by kind, and
//! the text of an [`ApiError`] is the code's fixed catalogue text.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ehr_protocol::{ErrorBody, ErrorCode};

/// An internal failure of the service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer version of the service.
    #[error("database schema version {found} is newer than this service supports ({supported})")]
    SchemaTooNew {
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The data directory or a file in it could not be used.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
    /// The database key could not be had (missing, unreadable, not private).
    #[error("database key: {0}")]
    Key(String),
    /// SQLite was built without SQLCipher: the service never stores data
    /// unencrypted.
    #[error("this build of SQLite has no SQLCipher (PRAGMA cipher_version gave no answer); refusing to store data unencrypted")]
    NoCipher,
    /// The database does not open with its key.
    #[error("the database cannot be decrypted with its key (a wrong key, or a file that is not an encrypted ehr-central database, such as one written before encryption); it was left as it is")]
    Undecryptable,
    /// There is no database where one was expected.
    #[error("no database in {0}")]
    NoDatabase(std::path::PathBuf),
    /// Stored JSON did not read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(&'static str),
    /// Something that should not happen.
    #[error("internal: {0}")]
    Internal(&'static str),
    /// Bad command-line input.
    #[error("{0}")]
    Usage(String),
}

/// The service's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error answered to an HTTP client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with `code`'s catalogue text and the status that goes with it.
    pub fn new(code: ErrorCode) -> ApiError {
        ApiError {
            status: status_of(code),
            body: ErrorBody::new(code),
        }
    }

    /// The same error pinned to a field.
    pub fn on_field(mut self, field: &str) -> ApiError {
        self.body = self.body.on_field(field);
        self
    }

    /// The same error with the seconds until a retry may succeed (in the
    /// body's `retry_after_s` and the `Retry-After` header).
    pub fn retry_after(mut self, seconds: u32) -> ApiError {
        self.body = self.body.retry_after(seconds);
        self
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> ApiError {
        ApiError::new(code)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        // The error kinds carry no personal data (rusqlite errors name
        // constraints and columns, never bound values).
        tracing::error!(error = %e, "internal error");
        ApiError::new(ErrorCode::Internal)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        ApiError::from(Error::Sqlite(e))
    }
}

/// The HTTP status for each request-level code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::AuthInvalidCredentials
        | C::AuthTokenMissing
        | C::AuthTokenInvalid
        | C::AuthSessionExpired
        | C::CounterUnknown
        | C::CounterEnrolmentCode
        | C::CounterEnrolmentCodeExpired
        | C::CounterEnrolmentCodeUsed => StatusCode::UNAUTHORIZED,
        C::CounterRevoked => StatusCode::FORBIDDEN,
        C::AuthLocked => StatusCode::TOO_MANY_REQUESTS,
        C::AuthForbidden => StatusCode::FORBIDDEN,
        C::RequestTooLarge | C::DocumentTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::RequestUnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        C::RequestNotFound | C::ApplicationNotFound | C::RecordNotFound => StatusCode::NOT_FOUND,
        C::RequestMethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        C::Internal | C::StorageDataDir => StatusCode::INTERNAL_SERVER_ERROR,
        C::CentralNotConfigured | C::CentralSignInUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        C::ApplyFormExpired => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.body.retry_after_s;
        let mut r = (self.status, Json(self.body)).into_response();
        if let Some(secs) = retry_after {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        r
    }
}
