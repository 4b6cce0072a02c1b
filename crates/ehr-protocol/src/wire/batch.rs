//! The batch operations endpoint: the counter's outbox, applied once each.
//!
//! Every operation carries an idempotency key (a UUID the counter assigns
//! when it writes the outbox row) and a per-record sequence: `record_key`
//! names the counter's local record the operation changes and `seq` counts
//! that record's operations from 1. The service answers each operation with
//! an [`Outcome`]:
//!
//! - `applied`: done now, with its result;
//! - `duplicate`: the key was applied before with the same content; the
//!   original result is returned and nothing changes;
//! - `conflict`: refused because of the state of the register (already
//!   activated, expired, withdrawn, number clash, stale sequence, a key
//!   replayed with different content, …), with a code and a reason in words;
//! - `rejected`: refused by validation, with field errors.
//!
//! A conflict or rejection is final for that key: sending the same key and
//! content again returns the same outcome.
//!
//! # The envelope, and why the operation travels as bytes
//!
//! The counter fixes an operation's JSON bytes when it queues it, and sends
//! exactly those bytes on every retry ([`QueuedOperation`]); the service
//! judges a retry by a hash of those bytes (and of the attachment), never by
//! re-serialising its own structs. So a service (or counter) upgraded
//! between the first try and a retry, whose operation structs gained an
//! optional field, still recognises the retry as the same operation.
//! Envelope format [`ENVELOPE_VERSION`] (2) carries an upload's image beside
//! the operation in `attachment_base64`; format 1 (no `v`) carried it inside
//! the operation's `data_base64`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::applications::{ApplicantDetails, Origin};
use super::records::RecordState;
use super::{FieldError, NotificationChoice, PersonDetails, Sex};
use crate::ErrorCode;

/// A batch of outbox operations, applied in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchRequest {
    /// The operations (1 to 200).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
    pub ops: Vec<BatchOp>,
}

/// The envelope format this build writes.
pub const ENVELOPE_VERSION: u32 = 2;

/// The largest operation (its JSON and its attachment as base64) a counter
/// may queue: a batch body is at most 8 MiB, and an operation larger than
/// this could never be carried, so the counter puts it on the attention
/// list instead of sending it.
pub const MAX_OP_BYTES: u64 = 7 * 1024 * 1024;

fn envelope_v1() -> u32 {
    1
}

/// One outbox operation, in its envelope.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchOp {
    /// The envelope's format: 2 ([`ENVELOPE_VERSION`]); absent means 1.
    #[serde(default = "envelope_v1")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 2))]
    pub v: u32,
    /// Assigned by the counter when the outbox row is written; the same key
    /// is sent on every retry.
    pub idempotency_key: Uuid,
    /// The counter's local record the operation belongs to (1 to 64 letters,
    /// digits, `-`, `_`, `:` or `.`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_:.-]{1,64}$"))]
    pub record_key: String,
    /// The operation's place in that record's sequence, from 1.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 9_223_372_036_854_775_807_u64)
    )]
    pub seq: u64,
    /// What to do: an [`Operation`], as the JSON bytes fixed when it was
    /// queued.
    #[cfg_attr(feature = "openapi", schema(value_type = Operation))]
    pub op: QueuedOperation,
    /// Format 2, `upload_document` only: the image, standard base64 (the
    /// operation's own `data_base64` is then empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_base64: Option<String>,
}

impl BatchOp {
    /// An envelope of the current format around `op`, serialised now.
    pub fn new(idempotency_key: Uuid, record_key: &str, seq: u64, op: &Operation) -> BatchOp {
        BatchOp {
            v: ENVELOPE_VERSION,
            idempotency_key,
            record_key: record_key.to_owned(),
            seq,
            op: QueuedOperation::from_operation(op),
            attachment_base64: None,
        }
    }
}

/// An operation as the JSON bytes the counter fixed when it queued it. It
/// is sent as those bytes, unchanged, on every try. Its `Debug` names the
/// operation's type only: operations carry personal data.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QueuedOperation(Box<serde_json::value::RawValue>);

impl QueuedOperation {
    /// `op` serialised by this build.
    pub fn from_operation(op: &Operation) -> QueuedOperation {
        // Serialising an enum of plain structs and strings cannot fail.
        let raw = serde_json::value::to_raw_value(op)
            .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned());
        QueuedOperation(raw)
    }

    /// Bytes kept from when the operation was queued, if they are JSON.
    pub fn from_json(text: String) -> Result<QueuedOperation, serde_json::Error> {
        serde_json::value::RawValue::from_string(text).map(QueuedOperation)
    }

    /// The bytes, exactly as queued.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The operation, as this build reads it.
    pub fn decode(&self) -> Result<Operation, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

impl PartialEq for QueuedOperation {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for QueuedOperation {}

impl std::fmt::Debug for QueuedOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ty = self.decode().map_or("undecodable", |o| o.type_name());
        write!(f, "QueuedOperation({ty}, {} bytes)", self.as_str().len())
    }
}

/// The operations a counter sends.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Operation {
    /// Activate a pending application after identity verification.
    ActivateApplication(ActivateApplication),
    /// Register a person in person (walk-in).
    RegisterInPerson(RegisterInPerson),
    /// Key a paper application (RE(C)01) received by post, fax or drop-in box.
    KeyPaperApplication(KeyPaperApplication),
    /// Register a newborn before the birth certificate exists.
    RegisterNewborn(RegisterNewborn),
    /// Complete a newborn's record with the birth certificate.
    CompleteNewborn(CompleteNewborn),
    /// Give sharing consent to private providers.
    GiveConsent(ConsentChange),
    /// Revoke sharing consent from private providers.
    RevokeConsent(ConsentChange),
    /// Withdraw a registration from eHealth.
    Withdraw(Withdraw),
    /// Correct a record's particulars (names, date of birth) from a
    /// corrected document, whose image is the proof.
    ChangeParticulars(ChangeParticulars),
    /// Change a record's contact details and notification channel.
    ChangeContact(ChangeContact),
    /// Send a new access key through the record's channel (the old key
    /// stops working).
    ResendAccessKey(ResendAccessKey),
    /// A child kept by an SDM who has turned 16 takes the record over: their
    /// own document, contact and consent; the SDM's authority ends.
    TakeOverRecord(TakeOverRecord),
    /// Save a half-keyed paper form as a Registration Office work item.
    SaveWorkItem(SaveWorkItem),
    /// Upload a document image captured at the counter.
    UploadDocument(UploadDocument),
    /// Send audit events recorded at the counter.
    AuditEvents(AuditEvents),
}

impl Operation {
    /// The operation's type tag, as on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            Operation::ActivateApplication(_) => "activate_application",
            Operation::RegisterInPerson(_) => "register_in_person",
            Operation::KeyPaperApplication(_) => "key_paper_application",
            Operation::RegisterNewborn(_) => "register_newborn",
            Operation::CompleteNewborn(_) => "complete_newborn",
            Operation::GiveConsent(_) => "give_consent",
            Operation::RevokeConsent(_) => "revoke_consent",
            Operation::Withdraw(_) => "withdraw",
            Operation::ChangeParticulars(_) => "change_particulars",
            Operation::ChangeContact(_) => "change_contact",
            Operation::ResendAccessKey(_) => "resend_access_key",
            Operation::TakeOverRecord(_) => "take_over_record",
            Operation::SaveWorkItem(_) => "save_work_item",
            Operation::UploadDocument(_) => "upload_document",
            Operation::AuditEvents(_) => "audit_events",
        }
    }
}

/// Where the identity at the counter came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadSource {
    /// Read from a smart identity card.
    Card,
    /// Keyed by the clerk from a document.
    Manual,
}

/// Activation of a pending application.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivateApplication {
    /// The application reference.
    pub reference: String,
    /// The patient's identity as presented (card read or keyed).
    pub presented: PersonDetails,
    /// Card or manual entry.
    pub read_source: ReadSource,
    /// For SDM and authorised-person applications: the attending person's
    /// own document, as read.
    #[serde(default)]
    pub attendee: Option<PersonDetails>,
    /// For SDM and authorised-person applications: the uploaded image of a
    /// copy of the patient's document.
    #[serde(default)]
    pub patient_document_copy_image: Option<Uuid>,
    /// The supervisor who signed off differences, by staff code.
    #[serde(default)]
    pub supervisor_sign_off: Option<String>,
    /// When the clerk completed the transaction at the counter (RFC 3339
    /// with an offset, for example `2026-06-29T17:05:00+08:00`). The
    /// service judges expiry and age by the Hong Kong day of this time when
    /// it is within the policies' `transaction_time_tolerance_hours` of its
    /// own clock (by today when older or absent); more than five minutes
    /// ahead of its clock is refused (`batch.transaction_time_future`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transacted_at: Option<String>,
    /// The contact details and notification channel as confirmed at the
    /// counter; absent: the application's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationChoice>,
}

/// A walk-in registration.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterInPerson {
    /// The patient's particulars.
    pub patient: PersonDetails,
    /// The patient's capacity: `capable` or `incapable:<ground>`.
    pub capacity: String,
    /// Who applies.
    pub applicant: ApplicantDetails,
    /// The clerk's declaration that no higher-tier SDM exists.
    #[serde(default)]
    pub no_higher_tier_declared: bool,
    /// The uploaded image of the SDM's supporting document.
    #[serde(default)]
    pub supporting_document_image: Option<Uuid>,
    /// The uploaded image of a copy of the patient's document.
    #[serde(default)]
    pub patient_document_copy_image: Option<Uuid>,
    /// How the access key reaches the person.
    pub notification: NotificationChoice,
    /// Private providers to give sharing consent to.
    #[serde(default)]
    pub private_provider_consents: Vec<String>,
    /// The supervisor who signed off a pre-1980 birth certificate number
    /// that fails the check digit, by staff code.
    #[serde(default)]
    pub supervisor_sign_off: Option<String>,
    /// When the clerk completed the transaction at the counter (RFC 3339
    /// with an offset, for example `2026-06-29T17:05:00+08:00`). The
    /// service judges expiry and age by the Hong Kong day of this time when
    /// it is within the policies' `transaction_time_tolerance_hours` of its
    /// own clock (by today when older or absent); more than five minutes
    /// ahead of its clock is refused (`batch.transaction_time_future`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transacted_at: Option<String>,
}

/// A paper application keyed at the Registration Office.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyPaperApplication {
    /// How the form arrived (`paper_post`, `paper_fax` or `paper_drop_in`).
    pub origin: Origin,
    /// The day the form was received (`YYYY-MM-DD`).
    pub received_on: String,
    /// The patient's particulars.
    pub patient: PersonDetails,
    /// The patient's capacity: `capable` or `incapable:<ground>`.
    pub capacity: String,
    /// Who applies.
    pub applicant: ApplicantDetails,
    /// How the access key reaches the person.
    pub notification: NotificationChoice,
    /// Private providers to give sharing consent to.
    #[serde(default)]
    pub private_provider_consents: Vec<String>,
    /// The supervisor who signed off a pre-1980 birth certificate number
    /// that fails the check digit, by staff code.
    #[serde(default)]
    pub supervisor_sign_off: Option<String>,
    /// When the clerk completed the transaction at the counter (RFC 3339
    /// with an offset, for example `2026-06-29T17:05:00+08:00`). The
    /// service judges expiry and age by the Hong Kong day of this time when
    /// it is within the policies' `transaction_time_tolerance_hours` of its
    /// own clock (by today when older or absent); more than five minutes
    /// ahead of its clock is refused (`batch.transaction_time_future`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transacted_at: Option<String>,
    /// The uploaded image of the form (scanned or photographed); required.
    /// The service links it to the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_image: Option<Uuid>,
    /// The Registration Office work item this keying completes (closed in
    /// the same transaction, its keyed particulars erased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_item: Option<Uuid>,
}

/// A half-keyed paper form, saved as a work item of the Registration
/// Office: visible to that site's RO clerks, resumed by any of them. Each
/// save makes the next version; a save from an older version is refused
/// (`conflict.work_item_stale`), so two clerks never overwrite each other.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveWorkItem {
    /// The work item's id (made by the counter that opened it).
    pub id: Uuid,
    /// The version this save makes: 1 for the first, then one more than
    /// the version the clerk resumed.
    pub version: u32,
    /// Where the keying stands: `first_keying`, `second_keying`,
    /// `reconcile`, or `discarded` (closes it).
    pub stage: String,
    /// How the form arrived (`paper_post`, `paper_fax`, `paper_drop_in`).
    pub origin: Origin,
    /// The day the form was received (`YYYY-MM-DD`).
    pub received_on: String,
    /// The patient's document as keyed, masked (the list's label).
    pub document_masked: String,
    /// The counter's keyed form (JSON it owns; at most 64 KiB). Personal
    /// data: kept in the service's encrypted database, erased when the
    /// item closes.
    pub payload: String,
}

/// A newborn's registration at a birth-hospital desk.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterNewborn {
    /// The birth hospital's site code.
    pub hospital_code: String,
    /// The certifying document's serial number.
    pub serial: String,
    /// The baby's date of birth (`YYYY-MM-DD`).
    pub date_of_birth: String,
    /// The baby's time of birth (`HH:MM`).
    pub time_of_birth: String,
    /// The baby's sex.
    pub sex: Sex,
    /// The baby's surname, if chosen (else "Baby of" the parent).
    #[serde(default)]
    pub surname: Option<String>,
    /// The baby's given names, if chosen.
    #[serde(default)]
    pub given_names: Option<String>,
    /// The baby's Chinese name, if chosen.
    #[serde(default)]
    pub chinese_name: Option<String>,
    /// The parent's own particulars, as read.
    pub parent: PersonDetails,
    /// The parent's relationship code (a first-tier SDM: `parent`).
    pub relationship: String,
    /// The uploaded image of the certifying document (mandatory).
    pub certifying_document_image: Uuid,
    /// How the access key reaches the parent.
    pub notification: NotificationChoice,
    /// When the clerk completed the transaction at the counter (RFC 3339
    /// with an offset, for example `2026-06-29T17:05:00+08:00`). The
    /// service judges expiry and age by the Hong Kong day of this time when
    /// it is within the policies' `transaction_time_tolerance_hours` of its
    /// own clock (by today when older or absent); more than five minutes
    /// ahead of its clock is refused (`batch.transaction_time_future`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transacted_at: Option<String>,
}

/// Completion of a newborn's record with the birth certificate.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteNewborn {
    /// The record's eHR number.
    pub ehr_number: String,
    /// The birth certificate number (check digit verified).
    pub birth_certificate_number: String,
    /// The surname as on the certificate.
    pub surname: String,
    /// The given names as on the certificate.
    #[serde(default)]
    pub given_names: String,
    /// The Chinese name as on the certificate.
    #[serde(default)]
    pub chinese_name: Option<String>,
    /// The uploaded image of the birth certificate.
    pub certificate_image: Uuid,
    /// When the clerk completed the transaction at the counter (RFC 3339
    /// with an offset, for example `2026-06-29T17:05:00+08:00`). The
    /// service judges expiry and age by the Hong Kong day of this time when
    /// it is within the policies' `transaction_time_tolerance_hours` of its
    /// own clock (by today when older or absent); more than five minutes
    /// ahead of its clock is refused (`batch.transaction_time_future`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transacted_at: Option<String>,
}

/// A change of sharing consent for one or several private providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentChange {
    /// The record's eHR number.
    pub ehr_number: String,
    /// Provider ids from the private provider register (1 to 50).
    pub provider_ids: Vec<String>,
}

/// Withdrawal from eHealth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdraw {
    /// The record's eHR number.
    pub ehr_number: String,
    /// The person (or SDM) confirmed explicitly after identity verification.
    pub confirmed: bool,
}

/// A correction of a record's particulars, proved by the corrected
/// document presented at the counter.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeParticulars {
    /// The record's eHR number.
    pub ehr_number: String,
    /// The corrected document as presented: the record's own document type
    /// and number, with the names and date of birth as corrected.
    pub person: PersonDetails,
    /// Card or manual entry.
    pub read_source: ReadSource,
    /// The uploaded image of the corrected document (the proof).
    pub document_image: Uuid,
    /// When the clerk completed the transaction at the counter (RFC 3339
    /// with an offset); judged as on the other operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transacted_at: Option<String>,
}

/// A change of a record's contact details and notification channel.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeContact {
    /// The record's eHR number.
    pub ehr_number: String,
    /// The new contact details and channel.
    pub notification: NotificationChoice,
}

/// A new access key, sent through the record's notification channel by the
/// service (the counter never sees it); the old key stops working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResendAccessKey {
    /// The record's eHR number.
    pub ehr_number: String,
}

/// A record kept by an SDM for a child who has turned 16, taken over by
/// the person: their own document as read, their own contact and sharing
/// consent; the SDM's authority ends and a new access key goes to them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TakeOverRecord {
    /// The record's eHR number.
    pub ehr_number: String,
    /// The person's own document, as read (the record's document, or the
    /// identity card bearing the number of the record's Hong Kong birth
    /// certificate).
    pub presented: PersonDetails,
    /// Card or manual entry.
    pub read_source: ReadSource,
    /// How the new access key reaches the person.
    pub notification: NotificationChoice,
    /// The private providers the person consents to share with from now on
    /// (those the SDM gave and not listed here are revoked).
    #[serde(default)]
    pub private_provider_consents: Vec<String>,
    /// When the clerk completed the transaction at the counter (RFC 3339
    /// with an offset); the person's age is judged on its day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transacted_at: Option<String>,
}

/// What an uploaded image shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentImageKind {
    /// A copy of the patient's identity document.
    PatientDocumentCopy,
    /// An SDM's supporting document (guardianship or court order, HCP letter).
    SupportingDocument,
    /// A birth hospital's certifying document.
    BirthHospitalDocument,
    /// A birth certificate.
    BirthCertificate,
    /// A paper application form (RE(C)01).
    PaperForm,
}

/// A document image (JPEG, PNG or PDF, at most 2 MiB), base64-encoded.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadDocument {
    /// The image's id, assigned by the counter and referred to by later
    /// operations.
    pub image_id: Uuid,
    /// What the image shows.
    pub kind: DocumentImageKind,
    /// The bytes, standard base64; the type is sniffed from the content.
    pub data_base64: String,
}

/// One audit event recorded at the counter. Never carries personal data:
/// `subject` is a reference, an eHR number or a masked number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// When it happened (RFC 3339).
    pub at: String,
    /// What happened, as a dotted code (for example `id.reveal`).
    pub action: String,
    /// What it happened to, if anything.
    #[serde(default)]
    pub subject: Option<String>,
    /// The staff member who did it, when that is not whoever's session
    /// sends the event (a supervisor's discard synced after the next
    /// clerk signed in). Must be a known staff code.
    #[serde(default)]
    pub actor: Option<String>,
    /// The event's link in the counter's audit chain (absent in events
    /// from builds before the chain): the service checks that it follows
    /// the last event it holds of that chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<AuditLink>,
}

/// An audit event's place in its counter's tamper-evident chain
/// ([`crate::audit`]). The hash covers the chain id, `seq`, `at_ms`,
/// `counter_id`, the event's `actor`, `action` and `subject`,
/// `detail_sha256` and `prev_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLink {
    /// The chain (a UUID, one per counter store).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{32}$"))]
    pub chain_id: String,
    /// The event's place in the chain, from 1.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 9_223_372_036_854_775_807_u64)
    )]
    pub seq: u64,
    /// When it happened, Unix milliseconds (hashed; `at` is for people).
    pub at_ms: i64,
    /// The counter's id as the counter knew it (empty for events recorded
    /// before it knew).
    #[serde(default)]
    pub counter_id: String,
    /// The SHA-256 (hex) of a free-text detail kept on the counter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_sha256: Option<String>,
    /// The previous event's hash (hex; 64 zeros for the first).
    pub prev_hash: String,
    /// This event's hash (hex).
    pub hash: String,
}

impl AuditEvent {
    /// The chain entry this event claims to be, with its claimed hash;
    /// `None` for an unchained event or one whose link does not decode
    /// (hex of the wrong length, no actor).
    pub fn chain_entry(&self) -> Option<(crate::audit::ChainEntry<'_>, [u8; 32])> {
        use crate::audit::{hash_from_hex, ChainEntry};
        let link = self.chain.as_ref()?;
        let detail_sha256 = match &link.detail_sha256 {
            None => None,
            Some(d) => Some(hash_from_hex(d)?),
        };
        Some((
            ChainEntry {
                chain_id: &link.chain_id,
                seq: link.seq,
                at_ms: link.at_ms,
                counter_id: &link.counter_id,
                staff_code: self.actor.as_deref()?,
                action: &self.action,
                subject: self.subject.as_deref(),
                detail_sha256,
                prev_hash: hash_from_hex(&link.prev_hash)?,
            },
            hash_from_hex(&link.hash)?,
        ))
    }
}

/// Audit events (1 to 500).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvents {
    /// The events.
    pub events: Vec<AuditEvent>,
}

/// The batch's answer: one result per operation, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchResponse {
    /// The results.
    pub results: Vec<OpResult>,
}

/// One operation's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpResult {
    /// The operation's idempotency key.
    pub idempotency_key: Uuid,
    /// What happened.
    pub outcome: Outcome,
}

/// What happened to one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied now.
    Applied {
        /// The effect.
        result: OpEffect,
    },
    /// Applied before with the same content; nothing changed now.
    Duplicate {
        /// The original effect.
        result: OpEffect,
    },
    /// Refused because of the register's state.
    Conflict {
        /// The stable code.
        code: ErrorCode,
        /// The reason in English, with what to do next.
        reason_en: String,
        /// The reason in Traditional Chinese.
        reason_zh: String,
    },
    /// Refused by validation.
    Rejected {
        /// What is wrong, field by field.
        field_errors: Vec<FieldError>,
    },
}

impl Outcome {
    /// A conflict with the code's catalogue text.
    pub fn conflict(code: ErrorCode) -> Outcome {
        let (en, zh) = code.messages();
        Outcome::Conflict {
            code,
            reason_en: en.to_owned(),
            reason_zh: zh.to_owned(),
        }
    }

    /// The status tag, as on the wire.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Applied { .. } => "applied",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::Conflict { .. } => "conflict",
            Outcome::Rejected { .. } => "rejected",
        }
    }
}

/// The effect of an applied operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OpEffect {
    /// A registration took effect (activation, walk-in or newborn); the
    /// access key went to the notification outbox, never to the counter.
    Registered {
        /// The assigned eHR number.
        ehr_number: String,
        /// The record's state.
        state: RecordState,
        /// The pending application this settled, if any.
        settled_application: Option<String>,
    },
    /// A paper application was keyed.
    ApplicationKeyed {
        /// Its reference.
        reference: String,
    },
    /// A newborn's record was completed.
    NewbornCompleted {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// Sharing consents changed.
    ConsentsChanged {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// The registration was withdrawn.
    Withdrawn {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// A record's particulars were corrected.
    ParticularsChanged {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// A record's contact details changed.
    ContactChanged {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// A new access key went to the notification outbox.
    AccessKeySent {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// The person took their record over from the SDM.
    RecordTakenOver {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// A Registration Office work item was saved (or discarded).
    WorkItemSaved {
        /// Its id.
        id: Uuid,
        /// The version saved.
        version: u32,
    },
    /// A document image was stored.
    DocumentStored {
        /// Its id.
        image_id: Uuid,
        /// The sniffed media type.
        content_type: String,
        /// Its size in bytes.
        bytes: u64,
    },
    /// Audit events were recorded.
    AuditRecorded {
        /// How many.
        count: u64,
    },
}

/// `Debug` for the operations and their envelope: what kind of thing it is,
/// never the particulars, numbers, names or images it carries.
macro_rules! redacted_debug {
    ($($t:ident),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { <redacted> }"))
            }
        }
    )*};
}

redacted_debug!(
    ActivateApplication,
    RegisterInPerson,
    KeyPaperApplication,
    RegisterNewborn,
    CompleteNewborn,
    ChangeParticulars,
    ChangeContact,
    TakeOverRecord,
    SaveWorkItem,
    UploadDocument
);

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Operation({} <redacted>)", self.type_name())
    }
}

impl std::fmt::Debug for BatchOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOp")
            .field("v", &self.v)
            .field("idempotency_key", &self.idempotency_key)
            .field("record_key", &self.record_key)
            .field("seq", &self.seq)
            .field("op", &self.op)
            .field(
                "attachment_bytes",
                &self.attachment_base64.as_ref().map(String::len),
            )
            .finish()
    }
}
