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
        ErrorCode::ConflictAlreadyRegistered,
        ErrorCode::ConflictApplicationNotFound,
        ErrorCode::ConflictRecordNotFound,
        ErrorCode::ConflictNotAwaitingBirthCertificate,
        ErrorCode::ConflictConsentState,
        ErrorCode::ConflictImageExists,
        ErrorCode::DocumentTooLarge,
        ErrorCode::DocumentTypeNotAllowed,
        ErrorCode::DocumentEncoding,
        ErrorCode::DocumentImageUnknown,
        ErrorCode::FieldRequired,
        ErrorCode::FieldFormat,
        ErrorCode::FieldUnknownCode,
        ErrorCode::WithdrawalNotConfirmed,
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
            ErrorCode::ConflictAlreadyRegistered => "conflict.already_registered",
            ErrorCode::ConflictApplicationNotFound => "conflict.application_not_found",
            ErrorCode::ConflictRecordNotFound => "conflict.record_not_found",
            ErrorCode::ConflictNotAwaitingBirthCertificate => {
                "conflict.not_awaiting_birth_certificate"
            }
            ErrorCode::ConflictConsentState => "conflict.consent_state",
            ErrorCode::ConflictImageExists => "conflict.image_exists",
            ErrorCode::DocumentTooLarge => "document.too_large",
            ErrorCode::DocumentTypeNotAllowed => "document.type_not_allowed",
            ErrorCode::DocumentEncoding => "document.encoding",
            ErrorCode::DocumentImageUnknown => "document.image_unknown",
            ErrorCode::FieldRequired => "field.required",
            ErrorCode::FieldFormat => "field.format",
            ErrorCode::FieldUnknownCode => "field.unknown_code",
            ErrorCode::WithdrawalNotConfirmed => "withdrawal.not_confirmed",
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
            ErrorCode::Internal => "internal",
        }
    }

    /// The message in English and in Traditional Chinese.
    pub fn messages(self) -> (&'static str, &'static str) {
        match self {
            ErrorCode::AuthStaffCodeRequired => ("Enter your staff code.", "請輸入職員編號。"),
            ErrorCode::AuthStaffCodeFormat => (
                "A staff code has 3 to 20 letters, digits or hyphens.",
                "職員編號由 3 至 20 個英文字母、數字或連字號組成。",
            ),
            ErrorCode::AuthPasswordRequired => ("Enter your password.", "請輸入密碼。"),
            ErrorCode::CentralNotConfigured => (
                "This counter is not connected to a central registration service yet. Ask your field engineer to run “ehrctl doctor”.",
                "此櫃位尚未連接中央登記服務。請聯絡技術支援人員執行「ehrctl doctor」。",
            ),
            ErrorCode::CentralSignInUnavailable => (
                "This version of the counter cannot sign in to the central service yet. Use a counter with the current release.",
                "此版本的櫃位程式尚未能登入中央服務。請使用已安裝最新版本的櫃位。",
            ),
            ErrorCode::CentralUnreachable => (
                "The central registration service cannot be reached. Check the network cable, then try again. If it goes on, tell your supervisor.",
                "未能連接中央登記服務。請檢查網絡線後再試。如問題持續，請通知主管。",
            ),
            ErrorCode::CentralBadAnswer => (
                "The central registration service gave an answer the counter cannot use. Try again; if it goes on, ask your field engineer to run “ehrctl doctor”.",
                "中央登記服務的回覆無法使用。請再試；如問題持續，請聯絡技術支援人員執行「ehrctl doctor」。",
            ),
            ErrorCode::CounterNotEnrolled => (
                "This counter is not enrolled with the central service, so nobody can sign in on it. Ask your field engineer to enrol it.",
                "此櫃位未在中央服務登記，因此無法登入。請聯絡技術支援人員為櫃位登記。",
            ),
            ErrorCode::StorageDataDir => (
                "The counter cannot write its data folder. Ask your field engineer to run “ehrctl doctor”.",
                "此櫃位無法寫入資料夾。請聯絡技術支援人員執行「ehrctl doctor」。",
            ),
            ErrorCode::AuthInvalidCredentials => (
                "The staff code or password is wrong.",
                "職員編號或密碼不正確。",
            ),
            ErrorCode::AuthLocked => (
                "This account is locked after too many failed sign-ins. Wait 15 minutes or ask a supervisor.",
                "此帳戶因多次登入失敗已被鎖定。請等候15分鐘或聯絡主管。",
            ),
            ErrorCode::AuthTokenMissing => (
                "Sign in first.",
                "請先登入。",
            ),
            ErrorCode::AuthTokenInvalid => (
                "Your session has ended. Sign in again.",
                "你的登入時段已結束。請重新登入。",
            ),
            ErrorCode::AuthForbidden => (
                "Your account cannot do this.",
                "你的帳戶不可執行此操作。",
            ),
            ErrorCode::CounterUnknown => (
                "This counter is not enrolled with the central service. Ask your field engineer to enrol it.",
                "此櫃位尚未在中央服務登記。請聯絡技術支援人員為櫃位登記。",
            ),
            ErrorCode::CounterEnrolmentCode => (
                "The enrolment code is not known. Check it and type it again, or ask your field engineer for a new one.",
                "登記碼不正確。請檢查後重新輸入，或向技術支援人員索取新的登記碼。",
            ),
            ErrorCode::RequestMalformed => (
                "The request could not be read. Update the counter application.",
                "無法讀取請求。請更新櫃位程式。",
            ),
            ErrorCode::RequestTooLarge => (
                "The request is too large.",
                "請求過大。",
            ),
            ErrorCode::RequestUnsupportedMediaType => (
                "The request has the wrong content type.",
                "請求的內容類型不正確。",
            ),
            ErrorCode::RequestQuery => (
                "The search could not be read. Check the search fields.",
                "無法讀取搜尋條件。請檢查搜尋欄位。",
            ),
            ErrorCode::RequestNotFound => (
                "There is no such page or endpoint.",
                "沒有此頁面或端點。",
            ),
            ErrorCode::RequestMethodNotAllowed => (
                "This endpoint does not accept that method.",
                "此端點不接受該方法。",
            ),
            ErrorCode::RequestValidation => (
                "Some fields are not valid. Check the highlighted fields.",
                "部分欄位無效。請檢查標示的欄位。",
            ),
            ErrorCode::ApplicationNotFound => (
                "No application has this reference.",
                "沒有此參考編號的申請。",
            ),
            ErrorCode::RecordNotFound => (
                "No registration was found.",
                "找不到登記紀錄。",
            ),
            ErrorCode::BatchSize => (
                "A batch has 1 to 200 operations.",
                "每批須有1至200項操作。",
            ),
            ErrorCode::BatchIdempotencyKeyReused => (
                "This change was already sent with different content. It needs attention: key the change again.",
                "此變更先前已以不同內容傳送。需要跟進：請重新輸入此變更。",
            ),
            ErrorCode::BatchSequenceStale => (
                "A later change to this record was already applied. Review the record before trying again.",
                "此紀錄較後的變更已經生效。請先檢視紀錄再重試。",
            ),
            ErrorCode::ConflictAlreadyActivated => (
                "This application was already activated. Look up the registration instead.",
                "此申請已經啟動。請改為查閱登記紀錄。",
            ),
            ErrorCode::ConflictExpired => (
                "This application has expired. Register the person in person instead; the form can be prefilled from it.",
                "此申請已過期。請改為即場登記，可沿用申請資料。",
            ),
            ErrorCode::ConflictWithdrawn => (
                "This application was withdrawn or cancelled.",
                "此申請已撤回或取消。",
            ),
            ErrorCode::ConflictRecordWithdrawn => (
                "This registration was withdrawn from eHealth.",
                "此登記已退出醫健通。",
            ),
            ErrorCode::ConflictNumberClash => (
                "Another registration already has this document number. Refer the case to the eHR Registration Office.",
                "另一登記紀錄已使用此證件號碼。請將個案轉交醫健通登記辦事處。",
            ),
            ErrorCode::ConflictAlreadyRegistered => (
                "This person is already registered with eHealth. Look up the registration instead.",
                "此人已登記醫健通。請改為查閱登記紀錄。",
            ),
            ErrorCode::ConflictApplicationNotFound => (
                "The application was not found. Check the reference.",
                "找不到此申請。請核對參考編號。",
            ),
            ErrorCode::ConflictRecordNotFound => (
                "The registration was not found. Check the eHR number.",
                "找不到此登記紀錄。請核對醫健通號碼。",
            ),
            ErrorCode::ConflictNotAwaitingBirthCertificate => (
                "This record is not waiting for a birth certificate.",
                "此紀錄並非等待出生證明書。",
            ),
            ErrorCode::ConflictConsentState => (
                "The consent was already in that state. Look up the registration to see its consents.",
                "同意已處於該狀態。請查閱登記紀錄以檢視其同意。",
            ),
            ErrorCode::ConflictImageExists => (
                "A different image with this id was already uploaded.",
                "已上載另一張相同識別碼的影像。",
            ),
            ErrorCode::DocumentTooLarge => (
                "The image is too large (at most 2 MB).",
                "影像過大（最多2MB）。",
            ),
            ErrorCode::DocumentTypeNotAllowed => (
                "The image must be a JPEG, PNG or PDF file.",
                "影像必須是JPEG、PNG或PDF檔案。",
            ),
            ErrorCode::DocumentEncoding => (
                "The image could not be read.",
                "無法讀取影像。",
            ),
            ErrorCode::DocumentImageUnknown => (
                "The document image was not uploaded. Capture it again.",
                "文件影像尚未上載。請重新擷取。",
            ),
            ErrorCode::FieldRequired => (
                "This field is required.",
                "此欄必須填寫。",
            ),
            ErrorCode::FieldFormat => (
                "This field does not have the expected format.",
                "此欄格式不正確。",
            ),
            ErrorCode::FieldUnknownCode => (
                "This value is not on the reference list.",
                "此值不在參考清單內。",
            ),
            ErrorCode::WithdrawalNotConfirmed => (
                "Withdrawal needs the person's explicit confirmation.",
                "退出須由當事人明確確認。",
            ),
            ErrorCode::SupervisorUnknown => (
                "The sign-off must be by a supervisor's staff code.",
                "簽批必須由主管的職員編號作出。",
            ),
            ErrorCode::ApplyFormExpired => (
                "The form has expired. Start again.",
                "表格已逾時。請重新開始。",
            ),
            ErrorCode::StoreKeyMissing => (
                "The counter's local data cannot be opened: its key is missing from this machine. Nothing was deleted. Ask your field engineer to run “ehrctl db verify”.",
                "未能開啟此櫃位的本機資料：本機找不到其密鑰。資料沒有被刪除。請聯絡技術支援人員執行「ehrctl db verify」。",
            ),
            ErrorCode::StoreWrongKey => (
                "The counter's local data cannot be opened with the key on this machine. Nothing was deleted. Ask your field engineer to run “ehrctl db verify”.",
                "未能以本機的密鑰開啟此櫃位的本機資料。資料沒有被刪除。請聯絡技術支援人員執行「ehrctl db verify」。",
            ),
            ErrorCode::StoreNewerSchema => (
                "The counter's local data was written by a newer version of eHR Counter. Install the current release; nothing was changed.",
                "此櫃位的本機資料由較新版本的程式寫入。請安裝最新版本；資料沒有被更改。",
            ),
            ErrorCode::StoreDiskFull => (
                "The counter's disk is full, so the last change was not saved. Nothing saved before was lost. Tell your field engineer, then try again.",
                "櫃位的磁碟已滿，最後一項更改未能儲存。之前已儲存的資料沒有遺失。請通知技術支援人員，然後再試。",
            ),
            ErrorCode::StoreUnavailable => (
                "The counter's local data could not be read or written. Nothing saved before was lost. Try again; if it goes on, ask your field engineer to run “ehrctl db verify”.",
                "未能讀寫此櫃位的本機資料。之前已儲存的資料沒有遺失。請再試；如問題持續，請聯絡技術支援人員執行「ehrctl db verify」。",
            ),
            ErrorCode::StoreCorrupt => (
                "The counter's local data failed its integrity check. Stop using this counter and call your field engineer; do not delete anything.",
                "此櫃位的本機資料未能通過完整性檢查。請停用此櫃位並聯絡技術支援人員；切勿刪除任何資料。",
            ),
            ErrorCode::QueueNotFound => (
                "That item is no longer in the queue. Refresh the list.",
                "該項目已不在佇列中。請重新整理清單。",
            ),
            ErrorCode::QueueNotAttention => (
                "That item does not need attention any more. Refresh the list.",
                "該項目已無須處理。請重新整理清單。",
            ),
            ErrorCode::QueueSupervisorOnly => (
                "Only a supervisor can discard an item. Ask your supervisor to sign in.",
                "只有主管可以捨棄項目。請主管登入。",
            ),
            ErrorCode::QueueReasonRequired => (
                "Enter the reason for discarding this item.",
                "請輸入捨棄此項目的原因。",
            ),
            ErrorCode::AuthSignInRequired => (
                "Sign in first.",
                "請先登入。",
            ),
            ErrorCode::OutboxUndecodable => (
                "This change could not be read back from the counter's store to be sent. The other changes go on. A supervisor should discard it and the change be made again.",
                "未能從此櫃位的本機資料讀回此項更改以作傳送。其他更改會繼續傳送。請主管刪除此項，並重新辦理此更改。",
            ),
            ErrorCode::OutboxTooLarge => (
                "This change is too large to send to the central service (its document image is too big). The other changes go on. A supervisor should discard it and the change be made again with a smaller image.",
                "此項更改太大，未能傳送至中央服務（文件影像太大）。其他更改會繼續傳送。請主管刪除此項，並以較小的影像重新辦理。",
            ),
            ErrorCode::SupervisorUnverified => (
                "The supervisor's sign-off could not be verified. A supervisor must sign off again at the counter with their own staff code and password.",
                "未能核實主管的簽批。主管須在櫃位以其職員編號及密碼重新簽批。",
            ),
            ErrorCode::SupervisorSignOffExpired => (
                "The supervisor's sign-off has expired before it was used. Ask the supervisor to sign off again.",
                "主管的簽批在使用前已逾時。請主管重新簽批。",
            ),
            ErrorCode::SupervisorSelfSignOff => (
                "A supervisor cannot sign off a change they are making themselves. Ask another supervisor.",
                "主管不可為自己辦理的更改簽批。請另一位主管簽批。",
            ),
            ErrorCode::BatchEnvelopeVersion => (
                "This change was sent in a format the central service does not read. Update eHR Counter.",
                "此項更改的傳送格式不為中央服務所接受。請更新eHR Counter。",
            ),
            ErrorCode::StoreOpening => (
                "The counter is still opening its local data (waiting for the key from this computer's keyring). You can sign in meanwhile; changes can be saved once it is open.",
                "櫃位仍在開啟本機資料（正等待此電腦的密鑰庫提供密鑰）。期間可先登入；開啟後即可儲存更改。",
            ),
            ErrorCode::StoreInUse => (
                "Another copy of eHR Counter (or a support tool) is using this counter's data. Close it, then start again.",
                "另一個eHR Counter程式（或支援工具）正在使用此櫃位的資料。請先關閉，然後重新開始。",
            ),
            ErrorCode::CentralClientSetup => (
                "The counter's connection settings to the central service cannot be used (certificate files). Ask your field engineer to run “ehrctl doctor”.",
                "此櫃位連接中央服務的設定（證書檔案）無法使用。請聯絡技術支援人員執行「ehrctl doctor」。",
            ),
            ErrorCode::CentralInsecureUrl => (
                "The central service's address starts with http://, which is not encrypted. The counter only connects to it over https://. Ask your field engineer to correct EHR_CENTRAL_URL.",
                "中央服務的地址以 http:// 開頭，連線未經加密。櫃位只會經 https:// 連接中央服務。請聯絡技術支援人員更正 EHR_CENTRAL_URL。",
            ),
            ErrorCode::CentralUrlInvalid => (
                "The central service's address is not a valid https:// address. Ask your field engineer to correct EHR_CENTRAL_URL.",
                "中央服務的地址不是有效的 https:// 地址。請聯絡技術支援人員更正 EHR_CENTRAL_URL。",
            ),
            ErrorCode::CounterKeyPermissions => (
                "This counter's key file (counter.key) is open to other users of this computer, or cannot be read, so it is not used. Ask your field engineer to make it private to the counter's account (mode 0600).",
                "此櫃位的金鑰檔案（counter.key）開放給這部電腦的其他使用者，或無法讀取，因此不會使用。請聯絡技術支援人員把檔案設為只限櫃位帳戶存取（權限 0600）。",
            ),
            ErrorCode::AuthSessionExpired => (
                "Your session has timed out. Enter your password to carry on where you were; nothing you entered was lost.",
                "你的登入時段已逾時。請輸入密碼，以便繼續剛才的工作；已輸入的資料沒有遺失。",
            ),
            ErrorCode::AuthOfflineUnavailable => (
                "The central registration service cannot be reached, and you cannot sign in offline at this counter: offline sign-in is only for staff who signed in online at this counter recently. Check the network, or use a counter that is online.",
                "未能連接中央登記服務，而你無法在此櫃位離線登入：只有最近曾在此櫃位於網上登入的職員才可離線登入。請檢查網絡，或使用已連線的櫃位。",
            ),
            ErrorCode::AuditChainBroken => (
                "The audit events from this counter do not follow on from the last ones the central service holds: some were changed, removed or sent out of order. The events are kept on the counter. Ask your field engineer to run “ehrctl audit verify”.",
                "此櫃位的審計紀錄未能接續中央服務最後收到的紀錄：部分紀錄可能曾被更改、刪除或未按次序送出。紀錄仍保留在櫃位內。請聯絡技術支援人員執行「ehrctl audit verify」。",
            ),
            ErrorCode::CentralDns => (
                "The central service's address cannot be found on the network. Check the address for typing slips and that the network cable is in; if it goes on, ask your field engineer.",
                "網絡上找不到中央服務的地址。請檢查地址有否打錯，以及網絡線是否已接好；如問題持續，請聯絡技術支援人員。",
            ),
            ErrorCode::CentralTls => (
                "A secure connection to the central service cannot be made: its certificate is not trusted by this counter. Check the address; if it is right, ask your field engineer.",
                "未能與中央服務建立安全連線：此櫃位不信任其證書。請檢查地址；如地址正確，請聯絡技術支援人員。",
            ),
            ErrorCode::CentralRefused => (
                "Nothing answers at the central service's address. Check the address and its port number; if they are right, the service may be down: tell your supervisor.",
                "中央服務的地址沒有回應。請檢查地址及連接埠號碼；如兩者正確，服務可能已停止，請通知主管。",
            ),
            ErrorCode::CentralNotACentralService => (
                "The address answers, but it is not the central registration service. Check the address with your field engineer.",
                "此地址有回應，但不是中央登記服務。請與技術支援人員核對地址。",
            ),
            ErrorCode::CounterEnrolmentCodeExpired => (
                "This enrolment code has expired. Ask your field engineer for a new one.",
                "此登記碼已過期。請向技術支援人員索取新的登記碼。",
            ),
            ErrorCode::CounterEnrolmentCodeUsed => (
                "This enrolment code has already been used. Each code enrols one counter once: ask your field engineer for a new one.",
                "此登記碼已經使用過。每個登記碼只可為一部櫃位登記一次，請向技術支援人員索取新的登記碼。",
            ),
            ErrorCode::CounterRevoked => (
                "This counter has been withdrawn from the central service, so nobody can sign in or send records on it. Everyone has been signed out. Ask your field engineer to enrol it again.",
                "此櫃位已被中央服務撤銷，任何人都不能在此櫃位登入或傳送紀錄。所有人員已被登出。請聯絡技術支援人員重新登記此櫃位。",
            ),
            ErrorCode::Internal => (
                "Something went wrong inside the counter application. Nothing you entered was lost; try again.",
                "櫃位程式發生內部錯誤。已輸入的資料沒有遺失，請再試一次。",
            ),
        }
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
