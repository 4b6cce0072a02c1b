//! Stable error codes for the IPC and HTTP boundaries, with their bilingual
//! messages.
//!
//! The code is the contract: the UI and integrators switch on it, so a code is
//! never renamed or reused. Messages are fixed text written for a clerk and
//! never include personal data.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every error code that crosses a boundary of the app.
///
/// Serialised as a dotted string such as `"auth.staff_code_required"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    /// The staff code field was empty.
    #[serde(rename = "auth.staff_code_required")]
    AuthStaffCodeRequired,
    /// The staff code has characters or a length a staff code never has.
    #[serde(rename = "auth.staff_code_format")]
    AuthStaffCodeFormat,
    /// The password field was empty.
    #[serde(rename = "auth.password_required")]
    AuthPasswordRequired,
    /// This counter has no central service configured, so nobody can sign in.
    #[serde(rename = "central.not_configured")]
    CentralNotConfigured,
    /// This version of the app cannot sign in to a central service yet.
    #[serde(rename = "central.sign_in_unavailable")]
    CentralSignInUnavailable,
    /// The central service could not be reached (network, or the service is down).
    #[serde(rename = "central.unreachable")]
    CentralUnreachable,
    /// The central service answered with something that is not its API.
    #[serde(rename = "central.bad_answer")]
    CentralBadAnswer,
    /// This counter has no machine key: it was never enrolled.
    #[serde(rename = "counter.not_enrolled")]
    CounterNotEnrolled,
    /// The local data directory could not be created or written.
    #[serde(rename = "storage.data_dir")]
    StorageDataDir,
    /// Sign-in failed: unknown staff code or wrong password (which one is not said).
    #[serde(rename = "auth.invalid_credentials")]
    AuthInvalidCredentials,
    /// The account is locked after repeated sign-in failures.
    #[serde(rename = "auth.locked")]
    AuthLocked,
    /// No bearer token was sent.
    #[serde(rename = "auth.token_missing")]
    AuthTokenMissing,
    /// The bearer token is unknown, expired, signed out, or bound to another counter.
    #[serde(rename = "auth.token_invalid")]
    AuthTokenInvalid,
    /// The account's role does not allow the request.
    #[serde(rename = "auth.forbidden")]
    AuthForbidden,
    /// The counter key is missing or unknown, or the counter is disabled.
    #[serde(rename = "counter.unknown")]
    CounterUnknown,
    /// The one-time enrolment code is not known (a typing slip, or a code
    /// from another service). Used and expired codes have codes of their own.
    #[serde(rename = "counter.enrolment_code_invalid")]
    CounterEnrolmentCode,
    /// The body is not valid JSON of the expected shape.
    #[serde(rename = "request.malformed")]
    RequestMalformed,
    /// The body exceeds the size limit.
    #[serde(rename = "request.too_large")]
    RequestTooLarge,
    /// The body is not `application/json` (or form data for /apply).
    #[serde(rename = "request.unsupported_media_type")]
    RequestUnsupportedMediaType,
    /// The query string is missing fields or has invalid values.
    #[serde(rename = "request.query_invalid")]
    RequestQuery,
    /// No route matches the path.
    #[serde(rename = "request.not_found")]
    RequestNotFound,
    /// The route exists but not for this method.
    #[serde(rename = "request.method_not_allowed")]
    RequestMethodNotAllowed,
    /// Validation of the whole request failed; `field` names the first field.
    #[serde(rename = "request.validation")]
    RequestValidation,
    /// No application has the reference.
    #[serde(rename = "application.not_found")]
    ApplicationNotFound,
    /// No registered record matches.
    #[serde(rename = "record.not_found")]
    RecordNotFound,
    /// The batch is empty or too large.
    #[serde(rename = "batch.size")]
    BatchSize,
    /// An idempotency key was replayed with different content.
    #[serde(rename = "batch.idempotency_key_reused")]
    BatchIdempotencyKeyReused,
    /// The operation's sequence number is not above the record's last applied one.
    #[serde(rename = "batch.sequence_stale")]
    BatchSequenceStale,
    /// The application was activated before (maybe at another counter).
    #[serde(rename = "conflict.already_activated")]
    ConflictAlreadyActivated,
    /// The application's expiry date has passed.
    #[serde(rename = "conflict.expired")]
    ConflictExpired,
    /// The application was cancelled or withdrawn.
    #[serde(rename = "conflict.withdrawn")]
    ConflictWithdrawn,
    /// The registered record is withdrawn.
    #[serde(rename = "conflict.record_withdrawn")]
    ConflictRecordWithdrawn,
    /// The document number (or birth-hospital document) is already on another record.
    #[serde(rename = "conflict.number_clash")]
    ConflictNumberClash,
    /// The birth hospital's document is already on a newborn's record.
    #[serde(rename = "conflict.birth_document_registered")]
    ConflictBirthDocumentRegistered,
    /// A registration with the same document already exists.
    #[serde(rename = "conflict.already_registered")]
    ConflictAlreadyRegistered,
    /// The operation names an application that does not exist.
    #[serde(rename = "conflict.application_not_found")]
    ConflictApplicationNotFound,
    /// The operation names a record that does not exist.
    #[serde(rename = "conflict.record_not_found")]
    ConflictRecordNotFound,
    /// Completion of a record that is not a newborn awaiting its birth certificate.
    #[serde(rename = "conflict.not_awaiting_birth_certificate")]
    ConflictNotAwaitingBirthCertificate,
    /// Giving consent already given, or revoking consent not given.
    #[serde(rename = "conflict.consent_state")]
    ConflictConsentState,
    /// An image id was reused for different content.
    #[serde(rename = "conflict.image_exists")]
    ConflictImageExists,
    /// The document presented is not the record's own document.
    #[serde(rename = "conflict.document_mismatch")]
    ConflictDocumentMismatch,
    /// No substitute decision maker keeps this record: the person already holds it.
    #[serde(rename = "conflict.not_kept_by_sdm")]
    ConflictNotKeptBySdm,
    /// The record has no contact details to send an access key to.
    #[serde(rename = "conflict.no_contact")]
    ConflictNoContact,
    /// The record still awaits the birth certificate.
    #[serde(rename = "conflict.awaiting_birth_certificate")]
    ConflictAwaitingBirthCertificate,
    /// The work item was saved meanwhile from another counter.
    #[serde(rename = "conflict.work_item_stale")]
    ConflictWorkItemStale,
    /// The work item was already completed or discarded.
    #[serde(rename = "conflict.work_item_closed")]
    ConflictWorkItemClosed,
    /// The decoded image exceeds 2 MiB.
    #[serde(rename = "document.too_large")]
    DocumentTooLarge,
    /// The sniffed content is not JPEG, PNG or PDF.
    #[serde(rename = "document.type_not_allowed")]
    DocumentTypeNotAllowed,
    /// The image data is not valid base64.
    #[serde(rename = "document.encoding")]
    DocumentEncoding,
    /// An operation refers to an image id that was not uploaded.
    #[serde(rename = "document.image_unknown")]
    DocumentImageUnknown,
    /// A required field is empty.
    #[serde(rename = "field.required")]
    FieldRequired,
    /// A field's value has the wrong shape or length.
    #[serde(rename = "field.format")]
    FieldFormat,
    /// A code (site, provider, relationship, capacity) is not in the reference data.
    #[serde(rename = "field.unknown_code")]
    FieldUnknownCode,
    /// Withdrawal was sent without confirmation.
    #[serde(rename = "withdrawal.not_confirmed")]
    WithdrawalNotConfirmed,
    /// A newborn's date and time of birth are later than the transaction.
    #[serde(rename = "newborn.born_in_future")]
    NewbornBornInFuture,
    /// A newborn born longer ago than the policy's registration days.
    #[serde(rename = "newborn.too_old")]
    NewbornTooOld,
    /// A birth certificate number of the pre-1980 form, which a newborn cannot have.
    #[serde(rename = "newborn.pre_1980_number")]
    NewbornPre1980Number,
    /// The sign-off names no active supervisor.
    #[serde(rename = "supervisor.unknown")]
    SupervisorUnknown,
    /// The online form's CSRF token is missing, wrong or expired.
    #[serde(rename = "apply.form_expired")]
    ApplyFormExpired,
    /// The key of the local store cannot be found.
    #[serde(rename = "store.key_missing")]
    StoreKeyMissing,
    /// The key found does not open the local store.
    #[serde(rename = "store.wrong_key")]
    StoreWrongKey,
    /// The local store was written by a newer version of the app.
    #[serde(rename = "store.newer_schema")]
    StoreNewerSchema,
    /// The disk holding the local store is full.
    #[serde(rename = "store.disk_full")]
    StoreDiskFull,
    /// The local store could not be read or written.
    #[serde(rename = "store.unavailable")]
    StoreUnavailable,
    /// The local store failed its integrity check.
    #[serde(rename = "store.corrupt")]
    StoreCorrupt,
    /// No queued item has that id.
    #[serde(rename = "queue.not_found")]
    QueueNotFound,
    /// The item is not on the needs-attention list.
    #[serde(rename = "queue.not_attention")]
    QueueNotAttention,
    /// Only a supervisor may discard a queued item.
    #[serde(rename = "queue.supervisor_only")]
    QueueSupervisorOnly,
    /// A discard needs a reason.
    #[serde(rename = "queue.reason_required")]
    QueueReasonRequired,
    /// Nobody is signed in at this counter.
    #[serde(rename = "auth.sign_in_required")]
    AuthSignInRequired,
    /// Another process is syncing this counter's data folder.
    #[serde(rename = "store.in_use")]
    StoreInUse,
    /// The local store is still being opened (its key is being fetched).
    #[serde(rename = "store.opening")]
    StoreOpening,
    /// A queued change no longer decodes from the counter's store and cannot be sent.
    #[serde(rename = "outbox.undecodable")]
    OutboxUndecodable,
    /// A queued change is larger than any batch may be.
    #[serde(rename = "outbox.too_large")]
    OutboxTooLarge,
    /// The supervisor's sign-off is not a credential the service can verify.
    #[serde(rename = "supervisor.unverified")]
    SupervisorUnverified,
    /// The sign-off was given too long ago to be attached to a change now.
    #[serde(rename = "supervisor.sign_off_expired")]
    SupervisorSignOffExpired,
    /// Staff cannot sign off their own work.
    #[serde(rename = "supervisor.self_sign_off")]
    SupervisorSelfSignOff,
    /// The operation's envelope has a version this service does not read.
    #[serde(rename = "batch.envelope_version")]
    BatchEnvelopeVersion,
    /// The operation's transaction time is later than the service's clock
    /// (more than five minutes): the counter's clock is wrong.
    #[serde(rename = "batch.transaction_time_future")]
    BatchTransactionTimeFuture,
    /// The counter's connection settings (certificate files) could not be used.
    #[serde(rename = "central.client_setup")]
    CentralClientSetup,
    /// The central service's address is plain `http://` to a host other
    /// than this computer (loopback): only HTTPS is used over a network.
    #[serde(rename = "central.insecure_url")]
    CentralInsecureUrl,
    /// The central service's address is not a usable `https://` URL.
    #[serde(rename = "central.url_invalid")]
    CentralUrlInvalid,
    /// The counter's machine key file is open to other accounts (its mode
    /// is not 0600) or cannot be read, so it is not used.
    #[serde(rename = "counter.key_permissions")]
    CounterKeyPermissions,
    /// The staff session ended at the central service (its time ran out)
    /// while the clerk was working: sign in again with the same staff code
    /// to carry on where they were.
    #[serde(rename = "auth.session_expired")]
    AuthSessionExpired,
    /// The central service cannot be reached and this staff member cannot
    /// sign in offline here: they never signed in online at this counter,
    /// or not within the offline sign-in window, or their account was
    /// deactivated.
    #[serde(rename = "auth.offline_unavailable")]
    AuthOfflineUnavailable,
    /// Audit events arrived that do not continue the counter's audit chain
    /// as the central service holds it (an event changed, removed or out of
    /// order): refused, and logged at the service without personal data.
    #[serde(rename = "audit.chain_broken")]
    AuditChainBroken,
    /// The central service's host name could not be found (DNS): a typing
    /// slip in the address, or the counter's network has no name service.
    #[serde(rename = "central.dns")]
    CentralDns,
    /// A secure (TLS) connection to the central service could not be made:
    /// its certificate is not trusted by this counter, or the TLS
    /// handshake failed.
    #[serde(rename = "central.tls")]
    CentralTls,
    /// Nothing answers at the central service's address and port (the
    /// connection was refused).
    #[serde(rename = "central.refused")]
    CentralRefused,
    /// Something answered at the address, but it is not an eHR central
    /// registration service (an unknown path, or an answer that is not its
    /// API): the address is wrong.
    #[serde(rename = "central.not_a_central_service")]
    CentralNotACentralService,
    /// The one-time enrolment code was right but its time ran out.
    #[serde(rename = "counter.enrolment_code_expired")]
    CounterEnrolmentCodeExpired,
    /// The one-time enrolment code was used already (by this or another
    /// counter).
    #[serde(rename = "counter.enrolment_code_used")]
    CounterEnrolmentCodeUsed,
    /// The central service revoked this counter: its machine key, its staff
    /// sessions and its supervisor sign-offs are refused. It must be
    /// enrolled again.
    #[serde(rename = "counter.revoked")]
    CounterRevoked,
    /// The data folder was enrolled in training mode and the app runs for
    /// production, or the other way round: training and real registrations
    /// never share a folder, so nobody signs in and nothing syncs.
    #[serde(rename = "counter.mode_mismatch")]
    CounterModeMismatch,
    /// The file is not an image this counter can read.
    #[serde(rename = "capture.not_an_image")]
    CaptureNotAnImage,
    /// An image in a format the counter does not take (GIF, BMP, WebP, HEIC).
    #[serde(rename = "capture.unsupported_format")]
    CaptureUnsupportedFormat,
    /// A PDF from a scanner: the counter takes images only.
    #[serde(rename = "capture.pdf_not_supported")]
    CapturePdfNotSupported,
    /// The image file ends before the image does (a copy or a scan cut short).
    #[serde(rename = "capture.truncated")]
    CaptureTruncated,
    /// The image claims more pixels than any scan of a document has (a decompression bomb, or a wrong scanner setting).
    #[serde(rename = "capture.too_many_pixels")]
    CaptureTooManyPixels,
    /// The file is larger than the counter accepts.
    #[serde(rename = "capture.file_too_large")]
    CaptureFileTooLarge,
    /// The image could not be decoded (a damaged file).
    #[serde(rename = "capture.corrupt")]
    CaptureCorrupt,
    /// The crop leaves (almost) nothing of the image.
    #[serde(rename = "capture.empty_crop")]
    CaptureEmptyCrop,
    /// The image cannot be made small enough for the service.
    #[serde(rename = "capture.budget")]
    CaptureBudget,
    /// The captured image is no longer held (the task ended, or it was removed).
    #[serde(rename = "capture.not_found")]
    CaptureNotFound,
    /// The scanner's folder cannot be read (missing, or no permission).
    #[serde(rename = "capture.scan_folder")]
    CaptureScanFolder,
    /// No printer is set up on this counter (and none is the default).
    #[serde(rename = "print.no_printer")]
    PrintNoPrinter,
    /// The chosen printer is not set up on this counter.
    #[serde(rename = "print.unknown_queue")]
    PrintUnknownQueue,
    /// The printer's queue is stopped.
    #[serde(rename = "print.queue_stopped")]
    PrintQueueStopped,
    /// The printer's queue does not accept jobs.
    #[serde(rename = "print.queue_rejecting")]
    PrintQueueRejecting,
    /// The printing system accepted the slip but could not print it.
    #[serde(rename = "print.job_failed")]
    PrintJobFailed,
    /// The system's printing service (CUPS) is not running or not installed.
    #[serde(rename = "print.cups_unavailable")]
    PrintCupsUnavailable,
    /// The Chinese font slips are written with is not installed (a packaging fault).
    #[serde(rename = "slip.font_missing")]
    SlipFontMissing,
    /// The slip could not be rendered.
    #[serde(rename = "slip.render_failed")]
    SlipRenderFailed,
    /// The slip is no longer kept (past the retention period).
    #[serde(rename = "slip.not_found")]
    SlipNotFound,
    /// The slip could not be written to the chosen folder.
    #[serde(rename = "slip.save_failed")]
    SlipSaveFailed,
    /// The file could not be read (gone, no permission, a folder).
    #[serde(rename = "capture.unreadable")]
    CaptureUnreadable,
    /// No task is in hand (it was finished, or another clerk signed in).
    #[serde(rename = "task.none")]
    TaskNone,
    /// Offline, and this application was not looked up at this counter
    /// while it was online: there is nothing to activate it against.
    #[serde(rename = "task.not_cached")]
    TaskNotCached,
    /// An unexpected internal failure; details are in the local log only.
    #[serde(rename = "internal")]
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order (for catalogues and tests).
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::AuthStaffCodeRequired,
        ErrorCode::AuthStaffCodeFormat,
        ErrorCode::AuthPasswordRequired,
        ErrorCode::CentralNotConfigured,
        ErrorCode::CentralSignInUnavailable,
        ErrorCode::CentralUnreachable,
        ErrorCode::CentralBadAnswer,
        ErrorCode::CounterNotEnrolled,
        ErrorCode::StorageDataDir,
        ErrorCode::AuthInvalidCredentials,
        ErrorCode::AuthLocked,
        ErrorCode::AuthTokenMissing,
        ErrorCode::AuthTokenInvalid,
        ErrorCode::AuthForbidden,
        ErrorCode::CounterUnknown,
        ErrorCode::CounterEnrolmentCode,
        ErrorCode::RequestMalformed,
        ErrorCode::RequestTooLarge,
        ErrorCode::RequestUnsupportedMediaType,
        ErrorCode::RequestQuery,
        ErrorCode::RequestNotFound,
        ErrorCode::RequestMethodNotAllowed,
        ErrorCode::RequestValidation,
        ErrorCode::ApplicationNotFound,
        ErrorCode::RecordNotFound,
        ErrorCode::BatchSize,
        ErrorCode::BatchIdempotencyKeyReused,
        ErrorCode::BatchSequenceStale,
        ErrorCode::ConflictAlreadyActivated,
        ErrorCode::ConflictExpired,
        ErrorCode::ConflictWithdrawn,
        ErrorCode::ConflictRecordWithdrawn,
        ErrorCode::ConflictNumberClash,
        ErrorCode::ConflictBirthDocumentRegistered,
        ErrorCode::ConflictAlreadyRegistered,
        ErrorCode::ConflictApplicationNotFound,
        ErrorCode::ConflictRecordNotFound,
        ErrorCode::ConflictNotAwaitingBirthCertificate,
        ErrorCode::ConflictConsentState,
        ErrorCode::ConflictImageExists,
        ErrorCode::ConflictDocumentMismatch,
        ErrorCode::ConflictNotKeptBySdm,
        ErrorCode::ConflictNoContact,
        ErrorCode::ConflictAwaitingBirthCertificate,
        ErrorCode::ConflictWorkItemStale,
        ErrorCode::ConflictWorkItemClosed,
        ErrorCode::DocumentTooLarge,
        ErrorCode::DocumentTypeNotAllowed,
        ErrorCode::DocumentEncoding,
        ErrorCode::DocumentImageUnknown,
        ErrorCode::FieldRequired,
        ErrorCode::FieldFormat,
        ErrorCode::FieldUnknownCode,
        ErrorCode::WithdrawalNotConfirmed,
        ErrorCode::NewbornBornInFuture,
        ErrorCode::NewbornTooOld,
        ErrorCode::NewbornPre1980Number,
        ErrorCode::SupervisorUnknown,
        ErrorCode::ApplyFormExpired,
        ErrorCode::StoreKeyMissing,
        ErrorCode::StoreWrongKey,
        ErrorCode::StoreNewerSchema,
        ErrorCode::StoreDiskFull,
        ErrorCode::StoreUnavailable,
        ErrorCode::StoreCorrupt,
        ErrorCode::QueueNotFound,
        ErrorCode::QueueNotAttention,
        ErrorCode::QueueSupervisorOnly,
        ErrorCode::QueueReasonRequired,
        ErrorCode::AuthSignInRequired,
        ErrorCode::StoreInUse,
        ErrorCode::StoreOpening,
        ErrorCode::OutboxUndecodable,
        ErrorCode::OutboxTooLarge,
        ErrorCode::SupervisorUnverified,
        ErrorCode::SupervisorSignOffExpired,
        ErrorCode::SupervisorSelfSignOff,
        ErrorCode::BatchEnvelopeVersion,
        ErrorCode::BatchTransactionTimeFuture,
        ErrorCode::CentralClientSetup,
        ErrorCode::CentralInsecureUrl,
        ErrorCode::CentralUrlInvalid,
        ErrorCode::CounterKeyPermissions,
        ErrorCode::AuthSessionExpired,
        ErrorCode::AuthOfflineUnavailable,
        ErrorCode::AuditChainBroken,
        ErrorCode::CentralDns,
        ErrorCode::CentralTls,
        ErrorCode::CentralRefused,
        ErrorCode::CentralNotACentralService,
        ErrorCode::CounterEnrolmentCodeExpired,
        ErrorCode::CounterEnrolmentCodeUsed,
        ErrorCode::CounterRevoked,
        ErrorCode::CounterModeMismatch,
        ErrorCode::CaptureNotAnImage,
        ErrorCode::CaptureUnsupportedFormat,
        ErrorCode::CapturePdfNotSupported,
        ErrorCode::CaptureTruncated,
        ErrorCode::CaptureTooManyPixels,
        ErrorCode::CaptureFileTooLarge,
        ErrorCode::CaptureCorrupt,
        ErrorCode::CaptureEmptyCrop,
        ErrorCode::CaptureBudget,
        ErrorCode::CaptureNotFound,
        ErrorCode::CaptureScanFolder,
        ErrorCode::PrintNoPrinter,
        ErrorCode::PrintUnknownQueue,
        ErrorCode::PrintQueueStopped,
        ErrorCode::PrintQueueRejecting,
        ErrorCode::PrintJobFailed,
        ErrorCode::PrintCupsUnavailable,
        ErrorCode::SlipFontMissing,
        ErrorCode::SlipRenderFailed,
        ErrorCode::SlipNotFound,
        ErrorCode::SlipSaveFailed,
        ErrorCode::CaptureUnreadable,
        ErrorCode::TaskNone,
        ErrorCode::TaskNotCached,
        ErrorCode::Internal,
    ];

    /// The stable dotted form of the code, as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AuthStaffCodeRequired => "auth.staff_code_required",
            ErrorCode::AuthStaffCodeFormat => "auth.staff_code_format",
            ErrorCode::AuthPasswordRequired => "auth.password_required",
            ErrorCode::CentralNotConfigured => "central.not_configured",
            ErrorCode::CentralSignInUnavailable => "central.sign_in_unavailable",
            ErrorCode::CentralUnreachable => "central.unreachable",
            ErrorCode::CentralBadAnswer => "central.bad_answer",
            ErrorCode::CounterNotEnrolled => "counter.not_enrolled",
            ErrorCode::StorageDataDir => "storage.data_dir",
            ErrorCode::AuthInvalidCredentials => "auth.invalid_credentials",
            ErrorCode::AuthLocked => "auth.locked",
            ErrorCode::AuthTokenMissing => "auth.token_missing",
            ErrorCode::AuthTokenInvalid => "auth.token_invalid",
            ErrorCode::AuthForbidden => "auth.forbidden",
            ErrorCode::CounterUnknown => "counter.unknown",
            ErrorCode::CounterEnrolmentCode => "counter.enrolment_code_invalid",
            ErrorCode::RequestMalformed => "request.malformed",
            ErrorCode::RequestTooLarge => "request.too_large",
            ErrorCode::RequestUnsupportedMediaType => "request.unsupported_media_type",
            ErrorCode::RequestQuery => "request.query_invalid",
            ErrorCode::RequestNotFound => "request.not_found",
            ErrorCode::RequestMethodNotAllowed => "request.method_not_allowed",
            ErrorCode::RequestValidation => "request.validation",
            ErrorCode::ApplicationNotFound => "application.not_found",
            ErrorCode::RecordNotFound => "record.not_found",
            ErrorCode::BatchSize => "batch.size",
            ErrorCode::BatchIdempotencyKeyReused => "batch.idempotency_key_reused",
            ErrorCode::BatchSequenceStale => "batch.sequence_stale",
            ErrorCode::ConflictAlreadyActivated => "conflict.already_activated",
            ErrorCode::ConflictExpired => "conflict.expired",
            ErrorCode::ConflictWithdrawn => "conflict.withdrawn",
            ErrorCode::ConflictRecordWithdrawn => "conflict.record_withdrawn",
            ErrorCode::ConflictNumberClash => "conflict.number_clash",
            ErrorCode::ConflictBirthDocumentRegistered => "conflict.birth_document_registered",
            ErrorCode::ConflictAlreadyRegistered => "conflict.already_registered",
            ErrorCode::ConflictApplicationNotFound => "conflict.application_not_found",
            ErrorCode::ConflictRecordNotFound => "conflict.record_not_found",
            ErrorCode::ConflictNotAwaitingBirthCertificate => {
                "conflict.not_awaiting_birth_certificate"
            }
            ErrorCode::ConflictConsentState => "conflict.consent_state",
            ErrorCode::ConflictImageExists => "conflict.image_exists",
            ErrorCode::ConflictDocumentMismatch => "conflict.document_mismatch",
            ErrorCode::ConflictNotKeptBySdm => "conflict.not_kept_by_sdm",
            ErrorCode::ConflictNoContact => "conflict.no_contact",
            ErrorCode::ConflictAwaitingBirthCertificate => "conflict.awaiting_birth_certificate",
            ErrorCode::ConflictWorkItemStale => "conflict.work_item_stale",
            ErrorCode::ConflictWorkItemClosed => "conflict.work_item_closed",
            ErrorCode::DocumentTooLarge => "document.too_large",
            ErrorCode::DocumentTypeNotAllowed => "document.type_not_allowed",
            ErrorCode::DocumentEncoding => "document.encoding",
            ErrorCode::DocumentImageUnknown => "document.image_unknown",
            ErrorCode::FieldRequired => "field.required",
            ErrorCode::FieldFormat => "field.format",
            ErrorCode::FieldUnknownCode => "field.unknown_code",
            ErrorCode::WithdrawalNotConfirmed => "withdrawal.not_confirmed",
            ErrorCode::NewbornBornInFuture => "newborn.born_in_future",
            ErrorCode::NewbornTooOld => "newborn.too_old",
            ErrorCode::NewbornPre1980Number => "newborn.pre_1980_number",
            ErrorCode::SupervisorUnknown => "supervisor.unknown",
            ErrorCode::ApplyFormExpired => "apply.form_expired",
            ErrorCode::StoreKeyMissing => "store.key_missing",
            ErrorCode::StoreWrongKey => "store.wrong_key",
            ErrorCode::StoreNewerSchema => "store.newer_schema",
            ErrorCode::StoreDiskFull => "store.disk_full",
            ErrorCode::StoreUnavailable => "store.unavailable",
            ErrorCode::StoreCorrupt => "store.corrupt",
            ErrorCode::QueueNotFound => "queue.not_found",
            ErrorCode::QueueNotAttention => "queue.not_attention",
            ErrorCode::QueueSupervisorOnly => "queue.supervisor_only",
            ErrorCode::QueueReasonRequired => "queue.reason_required",
            ErrorCode::AuthSignInRequired => "auth.sign_in_required",
            ErrorCode::StoreInUse => "store.in_use",
            ErrorCode::StoreOpening => "store.opening",
            ErrorCode::OutboxUndecodable => "outbox.undecodable",
            ErrorCode::OutboxTooLarge => "outbox.too_large",
            ErrorCode::SupervisorUnverified => "supervisor.unverified",
            ErrorCode::SupervisorSignOffExpired => "supervisor.sign_off_expired",
            ErrorCode::SupervisorSelfSignOff => "supervisor.self_sign_off",
            ErrorCode::BatchEnvelopeVersion => "batch.envelope_version",
            ErrorCode::BatchTransactionTimeFuture => "batch.transaction_time_future",
            ErrorCode::CentralClientSetup => "central.client_setup",
            ErrorCode::CentralInsecureUrl => "central.insecure_url",
            ErrorCode::CentralUrlInvalid => "central.url_invalid",
            ErrorCode::CounterKeyPermissions => "counter.key_permissions",
            ErrorCode::AuthSessionExpired => "auth.session_expired",
            ErrorCode::AuthOfflineUnavailable => "auth.offline_unavailable",
            ErrorCode::AuditChainBroken => "audit.chain_broken",
            ErrorCode::CentralDns => "central.dns",
            ErrorCode::CentralTls => "central.tls",
            ErrorCode::CentralRefused => "central.refused",
            ErrorCode::CentralNotACentralService => "central.not_a_central_service",
            ErrorCode::CounterEnrolmentCodeExpired => "counter.enrolment_code_expired",
            ErrorCode::CounterEnrolmentCodeUsed => "counter.enrolment_code_used",
            ErrorCode::CounterRevoked => "counter.revoked",
            ErrorCode::CounterModeMismatch => "counter.mode_mismatch",
            ErrorCode::CaptureNotAnImage => "capture.not_an_image",
            ErrorCode::CaptureUnsupportedFormat => "capture.unsupported_format",
            ErrorCode::CapturePdfNotSupported => "capture.pdf_not_supported",
            ErrorCode::CaptureTruncated => "capture.truncated",
            ErrorCode::CaptureTooManyPixels => "capture.too_many_pixels",
            ErrorCode::CaptureFileTooLarge => "capture.file_too_large",
            ErrorCode::CaptureCorrupt => "capture.corrupt",
            ErrorCode::CaptureEmptyCrop => "capture.empty_crop",
            ErrorCode::CaptureBudget => "capture.budget",
            ErrorCode::CaptureNotFound => "capture.not_found",
            ErrorCode::CaptureScanFolder => "capture.scan_folder",
            ErrorCode::PrintNoPrinter => "print.no_printer",
            ErrorCode::PrintUnknownQueue => "print.unknown_queue",
            ErrorCode::PrintQueueStopped => "print.queue_stopped",
            ErrorCode::PrintQueueRejecting => "print.queue_rejecting",
            ErrorCode::PrintJobFailed => "print.job_failed",
            ErrorCode::PrintCupsUnavailable => "print.cups_unavailable",
            ErrorCode::SlipFontMissing => "slip.font_missing",
            ErrorCode::SlipRenderFailed => "slip.render_failed",
            ErrorCode::SlipNotFound => "slip.not_found",
            ErrorCode::SlipSaveFailed => "slip.save_failed",
            ErrorCode::CaptureUnreadable => "capture.unreadable",
            ErrorCode::TaskNone => "task.none",
            ErrorCode::TaskNotCached => "task.not_cached",
            ErrorCode::Internal => "internal",
        }
    }

    /// The message in English and in Traditional Chinese.
    pub fn messages(self) -> (&'static str, &'static str) {
        ehr_i18n::pair(&self.message_key())
    }

    /// The key of this code's message in the catalogue: `error.<code>`.
    pub fn message_key(self) -> String {
        format!("error.{}", self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error that crosses the IPC or HTTP boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The stable code the UI switches on.
    pub code: ErrorCode,
    /// The form field the error belongs to, if any (a field name, never a value).
    pub field: Option<String>,
    /// The message in English.
    pub message_en: String,
    /// The message in Traditional Chinese.
    pub message_zh: String,
    /// Seconds until the request may succeed (a locked account: the time
    /// left of its lockout). Absent in most errors and in older bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub retry_after_s: Option<u32>,
}

impl ErrorBody {
    /// An error body for `code`, with its catalogue messages.
    pub fn new(code: ErrorCode) -> Self {
        let (en, zh) = code.messages();
        ErrorBody {
            code,
            field: None,
            message_en: en.to_owned(),
            message_zh: zh.to_owned(),
            retry_after_s: None,
        }
    }

    /// The same error, with the seconds until a retry may succeed.
    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after_s = Some(seconds);
        self
    }

    /// The same error, pinned to a form field.
    pub fn on_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<ErrorCode> for ErrorBody {
    fn from(code: ErrorCode) -> Self {
        ErrorBody::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_matches_as_str_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", code.as_str()),
                "serde rename drifted for {code:?}"
            );
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn every_code_has_both_messages_and_codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            for lang in ehr_i18n::Lang::ALL {
                assert!(
                    ehr_i18n::lookup(lang, &code.message_key()).is_some(),
                    "{} is missing from the {} catalogue",
                    code.message_key(),
                    lang.tag()
                );
            }
            let (en, zh) = code.messages();
            assert!(
                !en.is_empty() && en.is_ascii() || en.contains('“'),
                "English message for {code}"
            );
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "Chinese message for {code} has no CJK text"
            );
        }
    }
}
