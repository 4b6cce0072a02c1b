//! The batch operations endpoint: each outbox operation applied once.
//!
//! For each operation, in order, inside the request's one transaction:
//!
//! 1. If its idempotency key was seen: with the same content the original
//!    outcome is returned (`applied` becomes `duplicate`); with different
//!    content the answer is the conflict `batch.idempotency_key_reused` and
//!    nothing changes. The content is the record key, the sequence, the
//!    operation's JSON bytes exactly as the counter queued them and its
//!    attachment ([`content_hash`]): never this service's re-serialisation,
//!    so a retry still matches after either side was upgraded and the
//!    operation structs gained a field. (Rows stored before that rule keep
//!    their old hash and are compared the old way.)
//! 2. Otherwise the sequence must be above the last one seen for the
//!    counter's record key (`batch.sequence_stale` if not).
//! 3. The operation runs inside a savepoint: applied, its changes are kept;
//!    a conflict or rejection rolls them back. The outcome is stored under
//!    the key and the record's sequence advances.
//!
//! All writers share one connection behind a mutex, so fifty concurrent
//! copies of one operation are applied exactly once.

use base64::Engine as _;
use ehr_domain::eligibility::SdmRelationship;
use ehr_domain::lifecycle::consent::ConsentEvent;
use ehr_domain::lifecycle::registration::{BirthHospitalDocument, Identifier, RegistrationState};
use ehr_domain::lifecycle::{LifecycleError, Policy};
use ehr_domain::{Code, DocumentNumber};
use ehr_protocol::audit::{check_next, GENESIS};
use ehr_protocol::wire::{
    self, ActivateApplication, ApplicantDetails, AuditEvents, BatchOp, BatchRequest, BatchResponse,
    ChangeContact, ChangeParticulars, CompleteNewborn, ConsentChange, KeyPaperApplication,
    OpEffect, OpResult, Operation, Outcome, ProviderKind, RecordState, RegisterInPerson,
    RegisterNewborn, ResendAccessKey, SaveWorkItem, SiteType, TakeOverRecord, UploadDocument,
    Withdraw, ENVELOPE_VERSION, MAX_BATCH_OPS,
};
use ehr_protocol::ErrorCode;
use ehr_rules::{Ctx as RulesCtx, Facts, KnownApplication, Verdict};
use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::applications::{self, normalised_details, ApplicationBody};
use crate::auth;
use crate::error::{ApiError, Error, Result};
use crate::records::{self, NewRecord, RecordPerson, RecordSdm};
use crate::reference;
use crate::util::{now_unix, sha256};
use crate::validate::{self, Errors, ValidPerson};

/// The largest document image, decoded.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// Who sends the batch, and when.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The counter.
    pub counter_id: String,
    /// The counter's site type.
    pub site_type: SiteType,
    /// The counter's site code.
    pub site_code: String,
    /// The signed-in staff member.
    pub staff_code: String,
    /// The service's clock when the batch arrived (Unix seconds): today,
    /// and the reference transaction times are judged against.
    pub now_unix: i64,
    /// The policy in force.
    pub policy: Policy,
    /// How old a transaction time may be and still be judged by its own
    /// day (the policies' `transaction_time_tolerance_hours`).
    pub tolerance_hours: u32,
}

fn conflict(code: ErrorCode) -> Result<Outcome> {
    Ok(Outcome::conflict(code))
}

fn rejected(errs: Errors) -> Result<Outcome> {
    Ok(Outcome::Rejected {
        field_errors: errs.0,
    })
}

fn applied(result: OpEffect) -> Result<Outcome> {
    Ok(Outcome::Applied { result })
}

/// Applies a batch.
pub fn apply_batch(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    req: &BatchRequest,
) -> Result<BatchResponse, ApiError> {
    if req.ops.is_empty() || req.ops.len() > MAX_BATCH_OPS {
        return Err(ApiError::new(ErrorCode::BatchSize).on_field("ops"));
    }
    let mut results = Vec::with_capacity(req.ops.len());
    for op in &req.ops {
        let outcome = apply_one(tx, ctx, op)?;
        results.push(OpResult {
            idempotency_key: op.idempotency_key,
            outcome,
        });
    }
    Ok(BatchResponse { results })
}

/// The content hash of an operation in its envelope (scheme 2): SHA-256
/// over the record key, the sequence, the operation's JSON bytes as queued
/// and the attachment's base64, each length-prefixed. An upload is hashed
/// by what it is, whichever format carries it (record key, sequence, image
/// id, kind and the image's base64): a counter that sent it in format 1 (the
/// image inside the operation) and, upgraded, sends it again in format 2
/// (the image beside it) is retrying the same upload.
pub fn content_hash(op: &BatchOp) -> Vec<u8> {
    let mut content = Vec::with_capacity(op.op.as_str().len() + 128);
    let mut part = |b: &[u8]| {
        content.extend_from_slice(&(b.len() as u64).to_be_bytes());
        content.extend_from_slice(b);
    };
    part(op.record_key.as_bytes());
    part(&op.seq.to_be_bytes());
    match decoded(op) {
        Some(Operation::UploadDocument(u)) => {
            let kind = serde_json::to_value(u.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            part(b"upload_document");
            part(u.image_id.to_string().as_bytes());
            part(kind.as_bytes());
            part(u.data_base64.trim().as_bytes());
        }
        _ => {
            part(op.op.as_str().as_bytes());
            part(
                op.attachment_base64
                    .as_deref()
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
    }
    sha256(&content)
}

/// The operation an envelope carries, with a format-2 attachment put back
/// in its place.
fn decoded(op: &BatchOp) -> Option<Operation> {
    let mut decoded = op.op.decode().ok()?;
    if let (Operation::UploadDocument(u), Some(data)) = (&mut decoded, &op.attachment_base64) {
        if u.data_base64.is_empty() {
            u.data_base64.clone_from(data);
        }
    }
    Some(decoded)
}

/// The hash this service stored before [`content_hash`] (scheme 1): of its
/// own re-serialisation of the operation.
fn legacy_hash(op: &BatchOp) -> Option<Vec<u8>> {
    let decoded = decoded(op)?;
    let content = serde_json::to_vec(&(&op.record_key, op.seq, &decoded)).ok()?;
    Some(sha256(&content))
}

fn apply_one(tx: &Transaction<'_>, ctx: &Ctx, op: &BatchOp) -> Result<Outcome> {
    let hash = content_hash(op);
    let key = op.idempotency_key.to_string();
    let seen: Option<(Vec<u8>, i64, String)> = tx
        .prepare_cached(
            "SELECT content_hash, hash_scheme, outcome FROM idempotency WHERE key = ?1",
        )?
        .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((stored_hash, scheme, stored)) = seen {
        let same = match scheme {
            1 => legacy_hash(op).is_some_and(|h| h == stored_hash),
            _ => stored_hash == hash,
        };
        if !same {
            return conflict(ErrorCode::BatchIdempotencyKeyReused);
        }
        let original: Outcome =
            serde_json::from_str(&stored).map_err(|_| Error::Corrupt("stored outcome"))?;
        return Ok(match original {
            Outcome::Applied { result } => Outcome::Duplicate { result },
            other => other,
        });
    }
    let mut errs = Errors::default();
    if !validate::token(&op.record_key, 64) {
        errs.service("record_key", ErrorCode::FieldFormat);
    }
    if op.seq == 0 || op.seq > i64::MAX as u64 {
        errs.service("seq", ErrorCode::FieldFormat);
    }
    if !(1..=ENVELOPE_VERSION).contains(&op.v) {
        errs.service("v", ErrorCode::BatchEnvelopeVersion);
    } else if op.v < 2 && op.attachment_base64.is_some() {
        errs.service("attachment_base64", ErrorCode::BatchEnvelopeVersion);
    }
    let operation = decoded(op);
    if operation.is_none() && errs.is_empty() {
        errs.service("op", ErrorCode::RequestMalformed);
    }
    let Some(operation) = operation.filter(|_| errs.is_empty()) else {
        return rejected(errs);
    };
    let seq = op.seq as i64;
    let last: Option<i64> = tx
        .prepare_cached(
            "SELECT last_seq FROM record_sequences WHERE counter_id = ?1 AND record_key = ?2",
        )?
        .query_row(params![ctx.counter_id, op.record_key], |r| r.get(0))
        .optional()?;
    if last.is_some_and(|l| seq <= l) {
        return conflict(ErrorCode::BatchSequenceStale);
    }
    tx.execute_batch("SAVEPOINT op")?;
    let outcome = match run(tx, ctx, &op.record_key, &operation) {
        Ok(o) => o,
        Err(e) => {
            tx.execute_batch("ROLLBACK TO op; RELEASE op")?;
            return Err(e);
        }
    };
    if matches!(outcome, Outcome::Applied { .. }) {
        tx.execute_batch("RELEASE op")?;
    } else {
        tx.execute_batch("ROLLBACK TO op; RELEASE op")?;
    }
    let stored = serde_json::to_string(&outcome).map_err(|_| Error::Internal("json"))?;
    tx.prepare_cached(
        "INSERT INTO idempotency (key, counter_id, record_key, seq, content_hash, hash_scheme, outcome, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 2, ?6, ?7)",
    )?
    .execute(params![key, ctx.counter_id, op.record_key, seq, hash, stored, now_unix()])?;
    tx.prepare_cached(
        "INSERT INTO record_sequences (counter_id, record_key, last_seq) VALUES (?1, ?2, ?3) \
         ON CONFLICT (counter_id, record_key) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
    )?
    .execute(params![ctx.counter_id, op.record_key, seq])?;
    Ok(outcome)
}

/// The checks' answer, or the refusal returned from the calling function.
macro_rules! plan {
    ($verdict:expr) => {
        match $verdict {
            Verdict::Accept(plan) => plan,
            Verdict::Refuse(outcome) => return Ok(outcome),
        }
    };
}

/// What the rules read, from this transaction.
struct TxFacts<'a, 'c>(&'a Transaction<'c>);

impl Facts for TxFacts<'_, '_> {
    type Error = Error;

    fn application(&self, reference: &str) -> Result<Option<KnownApplication>> {
        applications::get(self.0, reference)?
            .map(|a| a.known())
            .transpose()
    }

    fn applications_for(&self, document: &DocumentNumber) -> Result<Vec<KnownApplication>> {
        applications::by_document(self.0, document)?
            .iter()
            .map(applications::StoredApplication::known)
            .collect()
    }

    fn image_known(&self, id: Uuid) -> Result<bool> {
        Ok(self
            .0
            .prepare_cached("SELECT 1 FROM document_images WHERE image_id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn provider(&self, id: &str) -> Result<Option<ProviderKind>> {
        Ok(reference::provider_kind(self.0, id)?.map(|public| {
            if public {
                ProviderKind::Public
            } else {
                ProviderKind::Private
            }
        }))
    }

    fn site_type(&self, code: &str) -> Result<Option<SiteType>> {
        Ok(reference::site(self.0, code)?.map(|s| s.site_type))
    }
}

/// Every decision comes from `ehr-rules`: the site type's offering, the
/// day to judge by (the operation's transaction time within the
/// tolerance), the sign-off token (verified here: it is a credential this
/// service issued), then the operation's own check. What stays here is
/// what the rules cannot see: the records a registration would clash with
/// or change, and the writes.
fn run(tx: &Transaction<'_>, ctx: &Ctx, record_key: &str, op: &Operation) -> Result<Outcome> {
    plan!(ehr_rules::offering(ctx.site_type, op));
    let on = match ehr_rules::judging_day(
        ehr_rules::transacted_at(op),
        ctx.now_unix,
        ctx.tolerance_hours,
    ) {
        Ok(on) => on,
        Err(e) => {
            return Ok(Outcome::Rejected {
                field_errors: vec![e],
            })
        }
    };
    // A sign-off is a credential this service issued for this counter and
    // this record, never a name: anything else is refused as unverified.
    let signed_off = match ehr_rules::sign_off_token(op) {
        None => false,
        Some(t) => match auth::verify_sign_off(tx, &ctx.counter_id, record_key, t)? {
            Some(_) => true,
            None => return conflict(ErrorCode::SupervisorUnverified),
        },
    };
    let rules = RulesCtx {
        site_type: ctx.site_type,
        on,
        policy: ctx.policy,
        signed_off,
    };
    let facts = TxFacts(tx);
    match op {
        Operation::ActivateApplication(a) => activate(tx, &rules, a, &facts),
        Operation::RegisterInPerson(r) => register_in_person(tx, &rules, r, &facts),
        Operation::KeyPaperApplication(k) => key_paper(tx, ctx, &rules, k, &facts),
        Operation::RegisterNewborn(n) => register_newborn(tx, &rules, n, &facts),
        Operation::CompleteNewborn(c) => complete_newborn(tx, &rules, c, &facts),
        Operation::GiveConsent(c) => change_consent(tx, &rules, c, &facts, true),
        Operation::RevokeConsent(c) => change_consent(tx, &rules, c, &facts, false),
        Operation::Withdraw(w) => withdraw(tx, &rules, w),
        Operation::ChangeParticulars(c) => change_particulars(tx, &rules, c, &facts),
        Operation::ChangeContact(c) => change_contact(tx, c),
        Operation::ResendAccessKey(r) => resend_access_key(tx, r),
        Operation::TakeOverRecord(t) => take_over(tx, &rules, t, &facts),
        Operation::SaveWorkItem(w) => save_work_item(tx, ctx, w),
        Operation::UploadDocument(u) => upload(tx, ctx, u),
        Operation::AuditEvents(a) => audit(tx, ctx, a),
    }
}

/// The SDM an application names, as the record keeps it.
fn stored_sdm(applicant: &ApplicantDetails) -> Option<RecordSdm> {
    let ApplicantDetails::Sdm {
        relationship,
        person,
    } = applicant
    else {
        return None;
    };
    let t = ehr_domain::DocumentType::from_code(&person.document_type).ok()?;
    let n = crate::validate::known_number(t, &person.document_number)?;
    Some(RecordSdm::new(relationship, &n))
}

/// The stored form of the applicant (normalised particulars).
fn stored_applicant(a: &ApplicantDetails, p: Option<&ValidPerson>) -> ApplicantDetails {
    match (a, p) {
        (
            ApplicantDetails::Sdm {
                relationship,
                person,
            },
            Some(v),
        ) => ApplicantDetails::Sdm {
            relationship: SdmRelationship::from_code(relationship)
                .map(|r| r.code().to_owned())
                .unwrap_or_else(|| relationship.clone()),
            person: normalised_details(v, person.sex),
        },
        (ApplicantDetails::AuthorisedPerson { person }, Some(v)) => {
            ApplicantDetails::AuthorisedPerson {
                person: normalised_details(v, person.sex),
            }
        }
        (other, _) => other.clone(),
    }
}

fn record_person(p: &ValidPerson, sex: Option<wire::Sex>) -> RecordPerson {
    let d = normalised_details(p, sex);
    RecordPerson {
        surname: d.surname,
        given_names: d.given_names,
        chinese_name: d.chinese_name,
        date_of_birth: d.date_of_birth,
        sex,
    }
}

fn registered(
    registered: Result<String, ErrorCode>,
    state: RecordState,
    settled: Option<String>,
) -> Result<Outcome> {
    match registered {
        Err(code) => conflict(code),
        Ok(ehr_number) => applied(OpEffect::Registered {
            ehr_number,
            state,
            settled_application: settled,
        }),
    }
}

fn activate(
    tx: &Transaction<'_>,
    rules: &RulesCtx,
    a: &ActivateApplication,
    facts: &TxFacts<'_, '_>,
) -> Result<Outcome> {
    let plan = plan!(ehr_rules::activation(rules, a, facts)?);
    let app = applications::get(tx, &plan.reference)?.ok_or(Error::Corrupt("application"))?;
    applications::save_lifecycle(tx, &plan.reference, &plan.lifecycle)?;
    let outcome = records::register(
        tx,
        NewRecord {
            identifier: Identifier::Document {
                number: plan.presented.particulars.document.clone(),
            },
            person: record_person(&plan.presented, a.presented.sex),
            // The contact confirmed at the counter, else the application's.
            notification: a.notification.as_ref().unwrap_or(&app.body.notification),
            private_consents: &plan.private_consents,
            settled_application: Some(&plan.reference),
            flags: plan.flags,
            sdm: stored_sdm(&app.body.applicant),
            images: a.patient_document_copy_image.into_iter().collect(),
            today: rules.on,
        },
    )?;
    registered(outcome, RecordState::Effective, Some(plan.reference))
}

fn register_in_person(
    tx: &Transaction<'_>,
    rules: &RulesCtx,
    r: &RegisterInPerson,
    facts: &TxFacts<'_, '_>,
) -> Result<Outcome> {
    let plan = plan!(ehr_rules::register_in_person(rules, r, facts)?);
    if let Some(s) = &plan.settlement {
        applications::save_lifecycle(tx, &s.reference, &s.lifecycle)?;
    }
    let settled = plan.settlement.map(|s| s.reference);
    let outcome = records::register(
        tx,
        NewRecord {
            identifier: Identifier::Document {
                number: plan.patient.particulars.document.clone(),
            },
            person: record_person(&plan.patient, r.patient.sex),
            notification: &r.notification,
            private_consents: &r.private_provider_consents,
            settled_application: settled.as_deref(),
            flags: plan.flags,
            sdm: match (&r.applicant, &plan.applicant) {
                (ApplicantDetails::Sdm { relationship, .. }, Some(v)) => Some(RecordSdm::new(
                    &SdmRelationship::from_code(relationship)
                        .map(|r| r.code().to_owned())
                        .unwrap_or_else(|| relationship.clone()),
                    &v.particulars.document,
                )),
                _ => None,
            },
            images: r
                .patient_document_copy_image
                .into_iter()
                .chain(r.supporting_document_image)
                .collect(),
            today: rules.on,
        },
    )?;
    registered(outcome, RecordState::Effective, settled)
}

fn key_paper(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    rules: &RulesCtx,
    k: &KeyPaperApplication,
    facts: &TxFacts<'_, '_>,
) -> Result<Outcome> {
    let plan = plan!(ehr_rules::key_paper(rules, k, facts)?);
    let body = ApplicationBody {
        patient: normalised_details(&plan.patient, k.patient.sex),
        capacity: k.capacity.trim().to_ascii_lowercase(),
        applicant: stored_applicant(&k.applicant, plan.applicant.as_ref()),
        notification: k.notification.clone(),
        private_provider_consents: k.private_provider_consents.clone(),
        flags: Vec::new(),
    };
    let reference = applications::insert(
        tx,
        applications::NewApplication {
            origin: plan.lifecycle.origin(),
            submitted_on: plan.received_on,
            accepted_on: rules.on,
            patient: &plan.patient,
            body: &body,
            reference: None,
        },
        &rules.policy,
    )?
    // The rules accepted this very lifecycle step.
    .map_err(|_| Error::Internal("application lifecycle"))?;
    if let Some(image) = k.form_image {
        tx.execute(
            "UPDATE document_images SET application_reference = ?1 \
             WHERE image_id = ?2 AND application_reference IS NULL",
            params![reference, image.to_string()],
        )?;
    }
    // The work item this keying completes closes with it (its keyed
    // particulars erased); one closed already is refused as a whole.
    if let Some(item) = k.work_item {
        let closed = tx.execute(
            "UPDATE work_items SET state = 'done', payload = NULL, application_reference = ?1, \
             updated_by = ?2, updated_at = ?3 WHERE id = ?4 AND state = 'open'",
            params![reference, ctx.staff_code, now_unix(), item.to_string()],
        )?;
        if closed == 0 {
            // Not applied: the savepoint drops the application again.
            return conflict(ErrorCode::ConflictWorkItemClosed);
        }
    }
    applied(OpEffect::ApplicationKeyed { reference })
}

fn register_newborn(
    tx: &Transaction<'_>,
    rules: &RulesCtx,
    n: &RegisterNewborn,
    facts: &TxFacts<'_, '_>,
) -> Result<Outcome> {
    let plan = plan!(ehr_rules::register_newborn(rules, n, facts)?);
    let outcome = records::register(
        tx,
        NewRecord {
            identifier: Identifier::BirthHospital {
                document: BirthHospitalDocument {
                    hospital_code: n.hospital_code.clone(),
                    serial: n.serial.to_ascii_uppercase(),
                },
            },
            person: RecordPerson {
                surname: plan.name.surname().to_owned(),
                given_names: plan.name.given_names().to_owned(),
                chinese_name: plan.chinese_name,
                date_of_birth: plan.born.to_string(),
                sex: Some(n.sex),
            },
            notification: &n.notification,
            private_consents: &[],
            settled_application: None,
            flags: Vec::new(),
            sdm: Some(RecordSdm::new(SdmRelationship::Parent.code(), &plan.parent)),
            images: vec![n.certifying_document_image],
            today: rules.on,
        },
    )?;
    registered(outcome, RecordState::AwaitingBirthCertificate, None)
}

fn record_or_conflict(
    tx: &Transaction<'_>,
    ehr_number: &str,
) -> Result<Result<records::StoredRecord, ErrorCode>> {
    if !validate::token(ehr_number, 32) {
        return Ok(Err(ErrorCode::ConflictRecordNotFound));
    }
    Ok(records::get(tx, ehr_number)?.ok_or(ErrorCode::ConflictRecordNotFound))
}

fn complete_newborn(
    tx: &Transaction<'_>,
    rules: &RulesCtx,
    c: &CompleteNewborn,
    facts: &TxFacts<'_, '_>,
) -> Result<Outcome> {
    let plan = plan!(ehr_rules::complete_newborn(c, facts)?);
    let mut record = match record_or_conflict(tx, &c.ehr_number)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    match record.lifecycle.state() {
        RegistrationState::AwaitingBirthCertificate => {}
        RegistrationState::Withdrawn => return conflict(ErrorCode::ConflictRecordWithdrawn),
        RegistrationState::Effective => {
            return conflict(ErrorCode::ConflictNotAwaitingBirthCertificate)
        }
    }
    if records::by_document(tx, &plan.number)?.is_some() {
        return conflict(ErrorCode::ConflictNumberClash);
    }
    if let Err(e) = record.lifecycle.complete(plan.number, rules.on) {
        return match e {
            LifecycleError::NeedsBirthCertificate => {
                let mut errs = Errors::default();
                errs.code(
                    "birth_certificate_number",
                    Code::RegistrationNeedsBirthCertificate,
                );
                rejected(errs)
            }
            _ => conflict(ErrorCode::ConflictNotAwaitingBirthCertificate),
        };
    }
    record.person.surname = plan.name.surname().to_owned();
    record.person.given_names = plan.name.given_names().to_owned();
    record.person.chinese_name = plan.chinese_name;
    records::save(tx, &record)?;
    records::link_images(tx, &record.ehr_number, &[c.certificate_image])?;
    applied(OpEffect::NewbornCompleted {
        ehr_number: record.ehr_number,
    })
}

fn change_consent(
    tx: &Transaction<'_>,
    rules: &RulesCtx,
    c: &ConsentChange,
    facts: &TxFacts<'_, '_>,
    give: bool,
) -> Result<Outcome> {
    plan!(ehr_rules::consent_change(c, facts)?);
    let mut record = match record_or_conflict(tx, &c.ehr_number)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    if record.lifecycle.state() == RegistrationState::Withdrawn {
        return conflict(ErrorCode::ConflictRecordWithdrawn);
    }
    let ids: Vec<&str> = c.provider_ids.iter().map(String::as_str).collect();
    let event = if give {
        ConsentEvent::Give { on: rules.on }
    } else {
        ConsentEvent::Revoke { on: rules.on }
    };
    if let Err(e) = record.consents.apply_many(&ids, event) {
        return match e.error {
            LifecycleError::PublicProviderFixed => {
                let mut errs = Errors::default();
                errs.code("provider_ids", Code::ConsentPublicFixed);
                rejected(errs)
            }
            _ => conflict(ErrorCode::ConflictConsentState),
        };
    }
    records::save(tx, &record)?;
    applied(OpEffect::ConsentsChanged {
        ehr_number: record.ehr_number,
    })
}

fn withdraw(tx: &Transaction<'_>, rules: &RulesCtx, w: &Withdraw) -> Result<Outcome> {
    plan!(ehr_rules::withdraw(w));
    let mut record = match record_or_conflict(tx, &w.ehr_number)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    if record.lifecycle.withdraw(rules.on).is_err() {
        return conflict(ErrorCode::ConflictRecordWithdrawn);
    }
    records::save(tx, &record)?;
    applied(OpEffect::Withdrawn {
        ehr_number: record.ehr_number,
    })
}

/// The record `ehr_number` if a change after registration may touch it:
/// not withdrawn, and (unless `awaiting_ok`) not a newborn's record still
/// awaiting its birth certificate.
fn changeable(
    tx: &Transaction<'_>,
    ehr_number: &str,
    awaiting_ok: bool,
) -> Result<Result<records::StoredRecord, ErrorCode>> {
    let record = match record_or_conflict(tx, ehr_number)? {
        Ok(r) => r,
        Err(code) => return Ok(Err(code)),
    };
    Ok(match record.lifecycle.state() {
        RegistrationState::Withdrawn => Err(ErrorCode::ConflictRecordWithdrawn),
        RegistrationState::AwaitingBirthCertificate if !awaiting_ok => {
            Err(ErrorCode::ConflictAwaitingBirthCertificate)
        }
        _ => Ok(record),
    })
}

/// The particulars corrected from the record's own document (its image the
/// proof): names, date of birth and sex as on it; the identifier stays.
fn change_particulars(
    tx: &Transaction<'_>,
    rules: &RulesCtx,
    c: &ChangeParticulars,
    facts: &TxFacts<'_, '_>,
) -> Result<Outcome> {
    let person = plan!(ehr_rules::change_particulars(rules, c, facts)?);
    let mut record = match changeable(tx, &c.ehr_number, false)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    let Identifier::Document { number } = record.lifecycle.identifier() else {
        return conflict(ErrorCode::ConflictAwaitingBirthCertificate);
    };
    if !number.same_document(&person.particulars.document) {
        return conflict(ErrorCode::ConflictDocumentMismatch);
    }
    let sex = c.person.sex.or(record.person.sex);
    record.person = record_person(&person, sex);
    records::save(tx, &record)?;
    records::link_images(tx, &record.ehr_number, &[c.document_image])?;
    applied(OpEffect::ParticularsChanged {
        ehr_number: record.ehr_number,
    })
}

/// New contact details and channel (a newborn's record too: its parent's).
fn change_contact(tx: &Transaction<'_>, c: &ChangeContact) -> Result<Outcome> {
    plan!(ehr_rules::change_contact(c));
    let mut record = match changeable(tx, &c.ehr_number, true)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    let mut n = c.notification.clone();
    n.address = n.address.trim().to_owned();
    record.notification = Some(n);
    records::save(tx, &record)?;
    applied(OpEffect::ContactChanged {
        ehr_number: record.ehr_number,
    })
}

/// A new access key through the record's channel (the notification
/// outbox; never in the answer).
fn resend_access_key(tx: &Transaction<'_>, r: &ResendAccessKey) -> Result<Outcome> {
    plan!(ehr_rules::resend_access_key(r));
    let record = match changeable(tx, &r.ehr_number, true)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    let Some(notification) = &record.notification else {
        return conflict(ErrorCode::ConflictNoContact);
    };
    records::send_access_key(tx, &record.ehr_number, notification)?;
    applied(OpEffect::AccessKeySent {
        ehr_number: record.ehr_number,
    })
}

/// A child kept by an SDM who turned 16 takes the record over: identified
/// by their own document from now on (the record's, or the identity card
/// bearing its birth certificate's number), their particulars as read,
/// their contact, the private providers they consent to (the SDM's others
/// revoked); the SDM's authority ends, and a new access key goes to them.
fn take_over(
    tx: &Transaction<'_>,
    rules: &RulesCtx,
    t: &TakeOverRecord,
    facts: &TxFacts<'_, '_>,
) -> Result<Outcome> {
    let person = plan!(ehr_rules::take_over(rules, t, facts)?);
    let mut record = match changeable(tx, &t.ehr_number, false)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    if record.sdm.is_none() {
        return conflict(ErrorCode::ConflictNotKeptBySdm);
    }
    let presented = person.particulars.document.clone();
    if let Some(other) = records::by_document(tx, &presented)? {
        if other.ehr_number != record.ehr_number {
            return conflict(ErrorCode::ConflictNumberClash);
        }
    }
    if let Err(e) = record.lifecycle.take_over(presented, rules.on) {
        return conflict(match e {
            LifecycleError::DifferentDocument => ErrorCode::ConflictDocumentMismatch,
            _ => ErrorCode::ConflictRecordWithdrawn,
        });
    }
    // Sharing consent is the person's own now: the private providers they
    // name hold it, the SDM's others are revoked.
    let wanted: Vec<&str> = t
        .private_provider_consents
        .iter()
        .map(String::as_str)
        .collect();
    let held: Vec<String> = record
        .consents
        .entries()
        .iter()
        .filter(|(_, e)| e.kind == ehr_domain::lifecycle::consent::ProviderKind::Private)
        .filter(|(_, e)| e.state.holds_consent())
        .map(|(id, _)| id.clone())
        .collect();
    let revoke: Vec<&str> = held
        .iter()
        .map(String::as_str)
        .filter(|id| !wanted.contains(id))
        .collect();
    let give: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|id| !held.iter().any(|h| h == id))
        .collect();
    record
        .consents
        .revoke(&revoke, rules.on)
        .and_then(|()| record.consents.give(&give, rules.on))
        .map_err(|_| Error::Internal("consent on take-over"))?;
    let sex = t.presented.sex.or(record.person.sex);
    record.person = record_person(&person, sex);
    record.sdm = None;
    let mut n = t.notification.clone();
    n.address = n.address.trim().to_owned();
    record.notification = Some(n.clone());
    records::save(tx, &record)?;
    records::send_access_key(tx, &record.ehr_number, &n)?;
    applied(OpEffect::RecordTakenOver {
        ehr_number: record.ehr_number,
    })
}

/// A half-keyed paper form saved as a work item of the counter's site: the
/// first save makes version 1; each next save must follow the version held
/// (else `conflict.work_item_stale`: another clerk saved meanwhile); a
/// closed item takes no more (`conflict.work_item_closed`); `discarded`
/// closes it, its keyed form erased. Another site's item with this id is
/// not found, never overwritten.
fn save_work_item(tx: &Transaction<'_>, ctx: &Ctx, w: &SaveWorkItem) -> Result<Outcome> {
    plan!(ehr_rules::save_work_item(w));
    let id = w.id.to_string();
    let held: Option<(String, i64, String)> = tx
        .query_row(
            "SELECT site_code, version, state FROM work_items WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let origin = serde_json::to_value(w.origin)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let discarded = w.stage == "discarded";
    let now = now_unix();
    match held {
        None if w.version == 1 && !discarded => {
            tx.execute(
                "INSERT INTO work_items (id, site_code, version, state, stage, origin, received_on, \
                 document_masked, payload, created_by, updated_by, created_at, updated_at) \
                 VALUES (?1, ?2, 1, 'open', ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?9)",
                params![
                    id,
                    ctx.site_code,
                    w.stage,
                    origin,
                    w.received_on,
                    w.document_masked,
                    w.payload,
                    ctx.staff_code,
                    now
                ],
            )?;
        }
        None => return conflict(ErrorCode::ConflictWorkItemStale),
        Some((site, _, _)) if site != ctx.site_code => {
            return conflict(ErrorCode::ConflictWorkItemStale)
        }
        Some((_, _, state)) if state != "open" => {
            return conflict(ErrorCode::ConflictWorkItemClosed)
        }
        Some((_, version, _)) if i64::from(w.version) != version + 1 => {
            return conflict(ErrorCode::ConflictWorkItemStale)
        }
        Some(_) => {
            tx.execute(
                "UPDATE work_items SET version = ?2, state = ?3, stage = ?4, origin = ?5, \
                 received_on = ?6, document_masked = ?7, payload = ?8, updated_by = ?9, \
                 updated_at = ?10 WHERE id = ?1",
                params![
                    id,
                    w.version,
                    if discarded { "discarded" } else { "open" },
                    w.stage,
                    origin,
                    w.received_on,
                    w.document_masked,
                    (!discarded).then_some(&w.payload),
                    ctx.staff_code,
                    now
                ],
            )?;
        }
    }
    applied(OpEffect::WorkItemSaved {
        id: w.id,
        version: w.version,
    })
}

/// The media type of an image, sniffed from its first bytes.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

fn upload(tx: &Transaction<'_>, ctx: &Ctx, u: &UploadDocument) -> Result<Outcome> {
    let mut errs = Errors::default();
    if u.data_base64.len() > MAX_IMAGE_BYTES / 3 * 4 + 8 {
        errs.service("data_base64", ErrorCode::DocumentTooLarge);
        return rejected(errs);
    }
    let Ok(data) = base64::engine::general_purpose::STANDARD.decode(u.data_base64.trim()) else {
        errs.service("data_base64", ErrorCode::DocumentEncoding);
        return rejected(errs);
    };
    if data.len() > MAX_IMAGE_BYTES {
        errs.service("data_base64", ErrorCode::DocumentTooLarge);
        return rejected(errs);
    }
    let Some(content_type) = sniff(&data) else {
        errs.service("data_base64", ErrorCode::DocumentTypeNotAllowed);
        return rejected(errs);
    };
    let digest = sha256(&data);
    let id = u.image_id.to_string();
    let existing: Option<Vec<u8>> = tx
        .query_row(
            "SELECT sha256 FROM document_images WHERE image_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    match existing {
        Some(h) if h != digest => return conflict(ErrorCode::ConflictImageExists),
        Some(_) => {}
        None => {
            let kind = serde_json::to_value(u.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            tx.execute(
                "INSERT INTO document_images (image_id, counter_id, kind, content_type, sha256, data, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, ctx.counter_id, kind, content_type, digest, data, now_unix()],
            )?;
        }
    }
    applied(OpEffect::DocumentStored {
        image_id: u.image_id,
        content_type: content_type.to_owned(),
        bytes: data.len() as u64,
    })
}

fn audit(tx: &Transaction<'_>, ctx: &Ctx, a: &AuditEvents) -> Result<Outcome> {
    let mut errs = Errors::default();
    if a.events.is_empty() || a.events.len() > 500 {
        errs.service("events", ErrorCode::FieldFormat);
        return rejected(errs);
    }
    for (i, e) in a.events.iter().enumerate() {
        if e.at.is_empty() || e.at.len() > 40 || !e.at.bytes().all(|b| b.is_ascii_graphic()) {
            errs.service(&format!("events[{i}].at"), ErrorCode::FieldFormat);
        }
        let action_ok = !e.action.is_empty()
            && e.action.len() <= 64
            && e.action
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
        if !action_ok {
            errs.service(&format!("events[{i}].action"), ErrorCode::FieldFormat);
        }
        let subject_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'-' | b'_' | b':' | b'.' | b'*' | b'(' | b')')
                })
        };
        if e.subject.as_deref().is_some_and(|s| !subject_ok(s)) {
            errs.service(&format!("events[{i}].subject"), ErrorCode::FieldFormat);
        }
        if let Some(link) = &e.chain {
            let id_ok = !link.chain_id.is_empty()
                && link.chain_id.len() <= 64
                && link.chain_id.bytes().all(|b| b.is_ascii_hexdigit());
            let counter_ok = link.counter_id.len() <= 64;
            if !id_ok || !counter_ok || link.seq == 0 || e.chain_entry().is_none() {
                errs.service(&format!("events[{i}].chain"), ErrorCode::FieldFormat);
            }
        }
        if let Some(actor) = &e.actor {
            let known: Option<i64> = tx
                .query_row("SELECT 1 FROM staff WHERE staff_code = ?1", [actor], |r| {
                    r.get(0)
                })
                .optional()?;
            if known.is_none() {
                errs.service(&format!("events[{i}].actor"), ErrorCode::FieldUnknownCode);
            }
        }
    }
    if !errs.is_empty() {
        return rejected(errs);
    }
    if let Some(refused) = check_chains(tx, ctx, a)? {
        return Ok(refused);
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO audit_events (counter_id, staff_code, at, action, subject, received_at, sent_by, \
         chain_id, chain_seq, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for e in &a.events {
        let link = e.chain_entry();
        stmt.execute(params![
            ctx.counter_id,
            e.actor.as_deref().unwrap_or(&ctx.staff_code),
            e.at,
            e.action,
            e.subject,
            now_unix(),
            ctx.staff_code,
            link.as_ref().map(|(l, _)| l.chain_id),
            link.as_ref().map(|(l, _)| l.seq as i64),
            link.as_ref().map(|(l, _)| l.prev_hash.to_vec()),
            link.as_ref().map(|(_, h)| h.to_vec()),
        ])?;
    }
    applied(OpEffect::AuditRecorded {
        count: a.events.len() as u64,
    })
}

/// Check the chained events of `a` against the chains this service holds
/// for the sending counter (one per counter store), and advance them: each
/// event must follow the last link held of its chain (a new chain starts at
/// 1 from [`GENESIS`]) and hash to what it claims, with the one function
/// the counter hashes with ([`check_next`]). The first that does not is
/// refused as `audit.chain_broken` (the whole operation: its savepoint
/// rolls back) and logged with the counter, chain, sequence and what is
/// wrong; never a subject. Unchained events (older counters) pass as
/// before.
fn check_chains(tx: &Transaction<'_>, ctx: &Ctx, a: &AuditEvents) -> Result<Option<Outcome>> {
    use std::collections::BTreeMap;
    let mut tails: BTreeMap<String, (u64, [u8; 32], bool)> = BTreeMap::new();
    for e in &a.events {
        let Some((entry, hash)) = e.chain_entry() else {
            continue;
        };
        if !tails.contains_key(entry.chain_id) {
            let held: Option<(i64, Vec<u8>)> = tx
                .prepare_cached(
                    "SELECT last_seq, last_hash FROM audit_chains WHERE counter_id = ?1 AND chain_id = ?2",
                )?
                .query_row(params![ctx.counter_id, entry.chain_id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let tail = match held {
                None => (0, GENESIS, true),
                Some((seq, h)) => {
                    let h: [u8; 32] = h
                        .try_into()
                        .map_err(|_| Error::Corrupt("audit chain hash"))?;
                    (seq.max(0) as u64, h, false)
                }
            };
            tails.insert(entry.chain_id.to_owned(), tail);
        }
        let Some(tail) = tails.get_mut(entry.chain_id) else {
            continue;
        };
        if let Err(kind) = check_next(tail.0, &tail.1, &entry, &hash) {
            tracing::warn!(
                counter = %ctx.counter_id,
                chain = %entry.chain_id,
                seq = entry.seq,
                expected_seq = tail.0 + 1,
                problem = kind.as_str(),
                "audit chain broken: audit events refused"
            );
            return Ok(Some(Outcome::conflict(ErrorCode::AuditChainBroken)));
        }
        tail.0 = entry.seq;
        tail.1 = hash;
    }
    for (chain_id, (seq, hash, new)) in &tails {
        if *new {
            tracing::info!(counter = %ctx.counter_id, chain = %chain_id, "audit chain started");
        }
        tx.prepare_cached(
            "INSERT INTO audit_chains (counter_id, chain_id, last_seq, last_hash, started_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (counter_id, chain_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
        )?
        .execute(params![ctx.counter_id, chain_id, *seq as i64, &hash[..], now_unix()])?;
    }
    Ok(None)
}
