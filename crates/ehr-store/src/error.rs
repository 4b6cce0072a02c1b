//! The store's typed error. Never carries personal data: SQLite's own
//! messages (which can quote values) are kept out of `Display`.

use ehr_protocol::ErrorCode;

/// What went wrong in the local store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database exists but its key is in neither the keyring nor the key file.
    #[error("the local store's key is missing")]
    KeyMissing,
    /// The key found does not open the database (or the file is not a database).
    #[error("the key does not open the local store")]
    WrongKey,
    /// The database file is gone although this data folder had one.
    #[error("the local store's database file is missing")]
    DatabaseMissing,
    /// The database was written by a newer build.
    #[error("the local store has schema version {found}; this build knows up to {known}")]
    NewerSchema {
        /// The version in the file.
        found: i64,
        /// The newest version this build writes.
        known: i64,
    },
    /// The disk is full: the transaction was rolled back.
    #[error("the disk holding the local store is full")]
    DiskFull,
    /// The integrity check failed.
    #[error("the local store failed its integrity check")]
    Corrupt,
    /// SQLite was built without SQLCipher (a packaging fault).
    #[error("this build's SQLite has no encryption (SQLCipher missing)")]
    NoCipher,
    /// The outbox has no row with that id.
    #[error("no outbox row has that id")]
    NotFound,
    /// The row is not in the state the action needs.
    #[error("the outbox row is not on the attention list")]
    NotAttention,
    /// A discard without a reason.
    #[error("a discard needs a reason")]
    ReasonRequired,
    /// A change names a held capture that was never normalised.
    #[error("a captured image was not normalised before its change")]
    CaptureNotReady,
    /// A change with no operations (a bug in the caller).
    #[error("a change needs at least one operation")]
    EmptyChange,
    /// A value could not be encoded or decoded (a bug, or a damaged row).
    #[error("a stored value could not be encoded or decoded")]
    Encoding,
    /// A file-system failure (the key file, the data folder).
    #[error("file system: {0}")]
    Io(std::io::ErrorKind),
    /// Another SQLite failure, by its primary result code only.
    #[error("SQLite error code {0}")]
    Sqlite(i32),
}

impl StoreError {
    /// The stable code the IPC boundary carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::KeyMissing => ErrorCode::StoreKeyMissing,
            StoreError::WrongKey => ErrorCode::StoreWrongKey,
            StoreError::NewerSchema { .. } => ErrorCode::StoreNewerSchema,
            StoreError::DiskFull => ErrorCode::StoreDiskFull,
            StoreError::Corrupt => ErrorCode::StoreCorrupt,
            StoreError::NotFound => ErrorCode::QueueNotFound,
            StoreError::NotAttention => ErrorCode::QueueNotAttention,
            StoreError::ReasonRequired => ErrorCode::QueueReasonRequired,
            StoreError::EmptyChange | StoreError::CaptureNotReady => ErrorCode::Internal,
            StoreError::DatabaseMissing
            | StoreError::NoCipher
            | StoreError::Encoding
            | StoreError::Io(_)
            | StoreError::Sqlite(_) => ErrorCode::StoreUnavailable,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        // SQLITE_IOERR_SHMSIZE: the WAL index could not be grown, which on
        // a full disk is what opening a store there fails with.
        const IOERR_SHMSIZE: i32 = 10 | (19 << 8);
        if e.sqlite_error()
            .is_some_and(|s| s.extended_code == IOERR_SHMSIZE)
        {
            return StoreError::DiskFull;
        }
        match e.sqlite_error_code() {
            Some(C::DiskFull) => StoreError::DiskFull,
            Some(C::NotADatabase) => StoreError::WrongKey,
            Some(C::DatabaseCorrupt) => StoreError::Corrupt,
            Some(_) => StoreError::Sqlite(e.sqlite_error().map_or(-1, |s| s.extended_code & 0xff)),
            None => match e {
                rusqlite::Error::ToSqlConversionFailure(_)
                | rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Encoding,
                rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
                _ => StoreError::Sqlite(-1),
            },
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::StorageFull {
            StoreError::DiskFull
        } else {
            StoreError::Io(e.kind())
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(_: serde_json::Error) -> Self {
        StoreError::Encoding
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
