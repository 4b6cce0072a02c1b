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
use ehr_domain::eligibility::{
    self, Applicant, Capacity, Channel, EligibilityRequest, Provided, SdmRelationship,
};
use ehr_domain::lifecycle::application::{ApplicationEvent, ApplicationState as DState};
use ehr_domain::lifecycle::consent::ConsentEvent;
use ehr_domain::lifecycle::registration::{BirthHospitalDocument, Identifier, RegistrationState};
use ehr_domain::lifecycle::{LifecycleError, Policy};
use ehr_domain::matching::{self, ActivationProvided, IdentityRead};
use ehr_domain::person::{ChineseName, EnglishName};
use ehr_domain::{Code, Date, DateOfBirth, Decision, DocumentNumber, DocumentType};
use ehr_protocol::audit::{check_next, GENESIS};
use ehr_protocol::wire::{
    self, ActivateApplication, ApplicantDetails, AuditEvents, BatchOp, BatchRequest, BatchResponse,
    CompleteNewborn, ConsentChange, KeyPaperApplication, OpEffect, OpResult, Operation, Outcome,
    RecordState, RegisterInPerson, RegisterNewborn, SiteType, UploadDocument, Withdraw,
    ENVELOPE_VERSION, MAX_BATCH_OPS,
};
use ehr_protocol::ErrorCode;
use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::applications::{self, normalised_details, ApplicationBody};
use crate::auth;
use crate::error::{ApiError, Error, Result};
use crate::records::{self, NewRecord, RecordPerson};
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
    /// The signed-in staff member.
    pub staff_code: String,
    /// Today in Hong Kong.
    pub today: Date,
    /// The policy in force.
    pub policy: Policy,
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

/// Whether a counter at a site of `site` may send `op` (the workflows of
/// each site type, from the product decisions).
pub fn offered_at(site: SiteType, op: &Operation) -> bool {
    use Operation as O;
    use SiteType as S;
    match op {
        O::UploadDocument(_)
        | O::AuditEvents(_)
        | O::ActivateApplication(_)
        | O::CompleteNewborn(_) => true,
        O::RegisterInPerson(_) => site != S::MaternalChildHealthCentre,
        O::GiveConsent(_) | O::RevokeConsent(_) | O::Withdraw(_) => matches!(
            site,
            S::RegistrationCentre | S::RegistrationOffice | S::BirthHospital
        ),
        O::KeyPaperApplication(_) => site == S::RegistrationOffice,
        O::RegisterNewborn(_) => site == S::BirthHospital,
    }
}

fn run(tx: &Transaction<'_>, ctx: &Ctx, record_key: &str, op: &Operation) -> Result<Outcome> {
    if !offered_at(ctx.site_type, op) {
        let mut errs = Errors::default();
        errs.service("op.type", ErrorCode::AuthForbidden);
        return rejected(errs);
    }
    // A sign-off is a credential this service issued for this counter and
    // this record, never a name: anything else is refused as unverified.
    let token = match op {
        Operation::ActivateApplication(a) => a.supervisor_sign_off.as_deref(),
        Operation::RegisterInPerson(r) => r.supervisor_sign_off.as_deref(),
        Operation::KeyPaperApplication(k) => k.supervisor_sign_off.as_deref(),
        _ => None,
    };
    let signed_off = match token {
        None => false,
        Some(t) => match auth::verify_sign_off(tx, &ctx.counter_id, record_key, t)? {
            Some(_) => true,
            None => return conflict(ErrorCode::SupervisorUnverified),
        },
    };
    match op {
        Operation::ActivateApplication(a) => activate(tx, ctx, a, signed_off),
        Operation::RegisterInPerson(r) => register_in_person(tx, ctx, r, signed_off),
        Operation::KeyPaperApplication(k) => key_paper(tx, ctx, k, signed_off),
        Operation::RegisterNewborn(n) => register_newborn(tx, ctx, n),
        Operation::CompleteNewborn(c) => complete_newborn(tx, ctx, c),
        Operation::GiveConsent(c) => change_consent(tx, ctx, c, true),
        Operation::RevokeConsent(c) => change_consent(tx, ctx, c, false),
        Operation::Withdraw(w) => withdraw(tx, ctx, w),
        Operation::UploadDocument(u) => upload(tx, ctx, u),
        Operation::AuditEvents(a) => audit(tx, ctx, a),
    }
}

/// A pre-1980 birth certificate number that fails the check digit needs a
/// supervisor's sign-off (product decision, `ehr-domain`'s rule).
fn require_override<'a>(
    people: impl IntoIterator<Item = Option<&'a ValidPerson>>,
    signed_off: bool,
    errs: &mut Errors,
) {
    if !signed_off && people.into_iter().flatten().any(|p| p.needs_override) {
        errs.code("supervisor_sign_off", Code::NeedSupervisorPre1980);
    }
}

fn image_known(tx: &Transaction<'_>, id: Uuid) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM document_images WHERE image_id = ?1")?
        .query_row([id.to_string()], |_| Ok(()))
        .optional()?
        .is_some())
}

fn check_image(
    tx: &Transaction<'_>,
    field: &str,
    id: Option<Uuid>,
    errs: &mut Errors,
) -> Result<bool> {
    match id {
        None => Ok(false),
        Some(id) => {
            let known = image_known(tx, id)?;
            if !known {
                errs.service(field, ErrorCode::DocumentImageUnknown);
            }
            Ok(known)
        }
    }
}

/// Checks private provider ids against the register.
fn private_providers(
    tx: &Transaction<'_>,
    field: &str,
    ids: &[String],
    errs: &mut Errors,
) -> Result<()> {
    if ids.len() > 50 {
        errs.service(field, ErrorCode::FieldFormat);
        return Ok(());
    }
    for (i, id) in ids.iter().enumerate() {
        let f = format!("{field}[{i}]");
        if ids[..i].contains(id) {
            errs.service(&f, ErrorCode::FieldFormat);
            continue;
        }
        match reference::provider_kind(tx, id)? {
            None => errs.service(&f, ErrorCode::FieldUnknownCode),
            Some(true) => errs.code(&f, Code::ConsentPublicFixed),
            Some(false) => {}
        }
    }
    Ok(())
}

fn need_field(code: Code) -> &'static str {
    match code {
        Code::NeedNoHigherTierDeclaration => "no_higher_tier_declared",
        Code::NeedSupportingDocument => "supporting_document_image",
        Code::NeedPatientDocumentCopy => "patient_document_copy_image",
        _ => "supervisor_sign_off",
    }
}

/// Adds a decision's refusal (on `refusal_field`) or what is still needed.
fn decision_errors(d: &Decision, refusal_field: &str, needs: bool, errs: &mut Errors) {
    if let Some(r) = &d.refusal {
        errs.domain(refusal_field, r.clone());
    } else if needs {
        for n in &d.still_needed {
            errs.domain(need_field(n.what.code), n.what.clone());
        }
    }
}

/// The applicant's domain role and, for SDMs and authorised persons, their
/// validated particulars.
fn applicant(
    a: &ApplicantDetails,
    today: Date,
    errs: &mut Errors,
) -> Option<(Applicant, Option<ValidPerson>)> {
    match a {
        ApplicantDetails::SelfApplicant {} => Some((Applicant::SelfApplicant, None)),
        ApplicantDetails::Sdm {
            relationship,
            person,
        } => {
            let r = validate::relationship("applicant.relationship", relationship, errs);
            let p = validate::person_at_counter("applicant.person", person, today, errs);
            Some((Applicant::Sdm { relationship: r? }, Some(p?)))
        }
        ApplicantDetails::AuthorisedPerson { person } => {
            let p = validate::person_at_counter("applicant.person", person, today, errs)?;
            Some((Applicant::SelfApplicant, Some(p)))
        }
    }
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

fn activate(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    a: &ActivateApplication,
    signed_off: bool,
) -> Result<Outcome> {
    let mut errs = Errors::default();
    let presented = validate::person_at_counter("presented", &a.presented, ctx.today, &mut errs);
    let copy = check_image(
        tx,
        "patient_document_copy_image",
        a.patient_document_copy_image,
        &mut errs,
    )?;
    let Some(presented) = presented.filter(|_| errs.is_empty()) else {
        return rejected(errs);
    };
    if a.reference.len() > 64 {
        return conflict(ErrorCode::ConflictApplicationNotFound);
    }
    let Some(mut app) = applications::get(tx, &a.reference)? else {
        return conflict(ErrorCode::ConflictApplicationNotFound);
    };
    match app.lifecycle.effective_state(ctx.today, &ctx.policy) {
        DState::Pending => {}
        DState::Activated => return conflict(ErrorCode::ConflictAlreadyActivated),
        DState::Expired => return conflict(ErrorCode::ConflictExpired),
        _ => return conflict(ErrorCode::ConflictWithdrawn),
    }
    let mut scratch = Errors::default();
    let applied_as = validate::person_at_counter("", &app.body.patient, ctx.today, &mut scratch)
        .ok_or(Error::Corrupt("stored application"))?;
    let report = matching::compare(&presented.particulars, &applied_as.particulars);
    let read = IdentityRead {
        source: match a.read_source {
            wire::ReadSource::Card => matching::ReadSource::Card,
            wire::ReadSource::Manual => matching::ReadSource::Manual,
        },
        particulars: presented.particulars.clone(),
    };
    let decision = matching::decide_activation(
        &report,
        &read,
        &app.lifecycle,
        ctx.today,
        &ctx.policy,
        ActivationProvided {
            supervisor_signed_off: signed_off,
        },
    );
    match decision.refusal_code() {
        None => {}
        Some(Code::ApplicationExpired) => return conflict(ErrorCode::ConflictExpired),
        Some(Code::ActivationDifferentDocument) => {
            errs.code(
                "presented.document_number",
                Code::ActivationDifferentDocument,
            );
            return rejected(errs);
        }
        Some(_) => return conflict(ErrorCode::ConflictWithdrawn),
    }
    decision_errors(&decision, "presented", true, &mut errs);
    match &app.body.applicant {
        ApplicantDetails::SelfApplicant {} => {}
        ApplicantDetails::Sdm { person, .. } | ApplicantDetails::AuthorisedPerson { person } => {
            match &a.attendee {
                None => errs.service("attendee", ErrorCode::FieldRequired),
                Some(att) => {
                    if let Some(att) =
                        validate::person_at_counter("attendee", att, ctx.today, &mut errs)
                    {
                        require_override([Some(&att)], signed_off, &mut errs);
                        let named =
                            validate::person_at_counter("", person, ctx.today, &mut scratch)
                                .ok_or(Error::Corrupt("stored applicant"))?;
                        if !att
                            .particulars
                            .document
                            .same_document(&named.particulars.document)
                        {
                            errs.code(
                                "attendee.document_number",
                                Code::ActivationDifferentDocument,
                            );
                        }
                    }
                }
            }
            if !copy && a.patient_document_copy_image.is_none() {
                errs.code("patient_document_copy_image", Code::NeedPatientDocumentCopy);
            }
        }
    }
    if !errs.is_empty() {
        return rejected(errs);
    }
    if let Err(e) = app
        .lifecycle
        .apply(ApplicationEvent::Activate, ctx.today, &ctx.policy)
    {
        return conflict(match e {
            LifecycleError::ApplicationExpired => ErrorCode::ConflictExpired,
            _ => ErrorCode::ConflictWithdrawn,
        });
    }
    applications::save_lifecycle(tx, &app.reference, &app.lifecycle)?;
    let mut flags = Vec::new();
    if report.any_different() {
        flags.push("activation.fields_differ_signed_off".to_owned());
    }
    let consents = still_private(tx, &app.body.private_provider_consents)?;
    let registered = records::register(
        tx,
        NewRecord {
            identifier: Identifier::Document {
                number: presented.particulars.document.clone(),
            },
            person: record_person(&presented, a.presented.sex),
            notification: &app.body.notification,
            private_consents: &consents,
            settled_application: Some(&app.reference),
            flags,
            today: ctx.today,
        },
    )?;
    match registered {
        Err(code) => conflict(code),
        Ok(ehr_number) => applied(OpEffect::Registered {
            ehr_number,
            state: RecordState::Effective,
            settled_application: Some(app.reference),
        }),
    }
}

/// The ids that are (still) private providers on the register.
fn still_private(tx: &Transaction<'_>, ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in ids {
        if reference::provider_kind(tx, id)? == Some(false) && !out.contains(id) {
            out.push(id.clone());
        }
    }
    Ok(out)
}

fn register_in_person(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    r: &RegisterInPerson,
    signed_off: bool,
) -> Result<Outcome> {
    let mut errs = Errors::default();
    let patient = validate::person_at_counter("patient", &r.patient, ctx.today, &mut errs);
    let capacity = validate::capacity("capacity", &r.capacity, &mut errs);
    let who = applicant(&r.applicant, ctx.today, &mut errs);
    let supporting = check_image(
        tx,
        "supporting_document_image",
        r.supporting_document_image,
        &mut errs,
    )?;
    let copy = check_image(
        tx,
        "patient_document_copy_image",
        r.patient_document_copy_image,
        &mut errs,
    )?;
    private_providers(
        tx,
        "private_provider_consents",
        &r.private_provider_consents,
        &mut errs,
    )?;
    validate::notification("notification", &r.notification, &mut errs);
    let (Some(patient), Some(capacity), Some((role, attendee))) = (patient, capacity, who) else {
        return rejected(errs);
    };
    require_override([Some(&patient), attendee.as_ref()], signed_off, &mut errs);
    if !errs.is_empty() {
        return rejected(errs);
    }
    let decision = eligibility::decide(&EligibilityRequest {
        date_of_birth: patient.dob,
        on: ctx.today,
        capacity,
        applicant: role,
        channel: Channel::Counter,
        provided: Provided {
            no_higher_tier_declared: r.no_higher_tier_declared,
            supporting_document_captured: supporting,
            patient_document_copy_captured: copy,
        },
    });
    decision_errors(&decision.decision, "applicant", true, &mut errs);
    if !errs.is_empty() {
        return rejected(errs);
    }
    // Offline walk-ins settle the pending application for the same document.
    let mut settled = None;
    let mut flags = Vec::new();
    if let Some(mut app) =
        applications::pending_for(tx, &patient.particulars.document, ctx.today, &ctx.policy)?
    {
        if app
            .lifecycle
            .apply(ApplicationEvent::Activate, ctx.today, &ctx.policy)
            .is_ok()
        {
            applications::save_lifecycle(tx, &app.reference, &app.lifecycle)?;
            let mut scratch = Errors::default();
            if let Some(applied_as) =
                validate::person_at_counter("", &app.body.patient, ctx.today, &mut scratch)
            {
                if matching::compare(&patient.particulars, &applied_as.particulars).any_different()
                {
                    flags.push("settlement.fields_differ".to_owned());
                }
            }
            flags.push("settlement.by_in_person_registration".to_owned());
            settled = Some(app.reference);
        }
    }
    let registered = records::register(
        tx,
        NewRecord {
            identifier: Identifier::Document {
                number: patient.particulars.document.clone(),
            },
            person: record_person(&patient, r.patient.sex),
            notification: &r.notification,
            private_consents: &r.private_provider_consents,
            settled_application: settled.as_deref(),
            flags,
            today: ctx.today,
        },
    )?;
    match registered {
        Err(code) => conflict(code),
        Ok(ehr_number) => applied(OpEffect::Registered {
            ehr_number,
            state: RecordState::Effective,
            settled_application: settled,
        }),
    }
}

fn key_paper(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    k: &KeyPaperApplication,
    signed_off: bool,
) -> Result<Outcome> {
    let mut errs = Errors::default();
    if k.origin == wire::Origin::Online {
        errs.service("origin", ErrorCode::FieldUnknownCode);
    }
    let received = validate::date("received_on", &k.received_on, &mut errs);
    if received.is_some_and(|d| d > ctx.today) {
        errs.code("received_on", Code::DateOutOfRange);
    }
    let patient = validate::person_at_counter("patient", &k.patient, ctx.today, &mut errs);
    let capacity = validate::capacity("capacity", &k.capacity, &mut errs);
    let who = applicant(&k.applicant, ctx.today, &mut errs);
    private_providers(
        tx,
        "private_provider_consents",
        &k.private_provider_consents,
        &mut errs,
    )?;
    validate::notification("notification", &k.notification, &mut errs);
    let (Some(received), Some(patient), Some(capacity), Some((role, attendee))) =
        (received, patient, capacity, who)
    else {
        return rejected(errs);
    };
    require_override([Some(&patient), attendee.as_ref()], signed_off, &mut errs);
    if !errs.is_empty() {
        return rejected(errs);
    }
    let decision = eligibility::decide(&EligibilityRequest {
        date_of_birth: patient.dob,
        on: ctx.today,
        capacity,
        applicant: role,
        channel: Channel::Paper,
        provided: Provided::default(),
    });
    // Documents and declarations are collected at activation.
    decision_errors(&decision.decision, "applicant", false, &mut errs);
    if !errs.is_empty() {
        return rejected(errs);
    }
    let body = ApplicationBody {
        patient: normalised_details(&patient, k.patient.sex),
        capacity: k.capacity.trim().to_ascii_lowercase(),
        applicant: stored_applicant(&k.applicant, attendee.as_ref()),
        notification: k.notification.clone(),
        private_provider_consents: k.private_provider_consents.clone(),
        flags: Vec::new(),
    };
    match applications::insert(
        tx,
        applications::NewApplication {
            origin: applications::origin_from_wire(k.origin),
            submitted_on: received,
            accepted_on: ctx.today,
            patient: &patient,
            body: &body,
            reference: None,
        },
        &ctx.policy,
    )? {
        Ok(reference) => applied(OpEffect::ApplicationKeyed { reference }),
        Err(LifecycleError::ApplicationExpired) => conflict(ErrorCode::ConflictExpired),
        Err(_) => {
            errs.code("received_on", Code::LifecycleDateOrder);
            rejected(errs)
        }
    }
}

fn valid_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

fn register_newborn(tx: &Transaction<'_>, ctx: &Ctx, n: &RegisterNewborn) -> Result<Outcome> {
    let mut errs = Errors::default();
    let hospital = if validate::token(&n.hospital_code, 32) {
        reference::site(tx, &n.hospital_code)?
    } else {
        None
    };
    if hospital.is_none_or(|s| s.site_type != SiteType::BirthHospital) {
        errs.service("hospital_code", ErrorCode::FieldUnknownCode);
    }
    if !validate::token(&n.serial, 32) {
        errs.service("serial", ErrorCode::FieldFormat);
    }
    let born = validate::date("date_of_birth", &n.date_of_birth, &mut errs);
    if born.is_some_and(|d| d > ctx.today) {
        errs.code("date_of_birth", Code::DateDobAfterTransaction);
    }
    if !valid_time(&n.time_of_birth) {
        errs.service("time_of_birth", ErrorCode::FieldFormat);
    }
    let parent = validate::person("parent", &n.parent, ctx.today, &mut errs);
    let relationship = validate::relationship("relationship", &n.relationship, &mut errs);
    if relationship.is_some_and(|r| r != SdmRelationship::Parent) {
        errs.code("relationship", Code::EligibilityRelationshipNotForAge);
    }
    check_image(
        tx,
        "certifying_document_image",
        Some(n.certifying_document_image),
        &mut errs,
    )?;
    validate::notification("notification", &n.notification, &mut errs);
    let chinese = match n.chinese_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => match ChineseName::from_text(c) {
            Ok(c) => Some(c.characters().to_owned()),
            Err(e) => {
                errs.domain("chinese_name", e.message());
                None
            }
        },
    };
    let (Some(born), Some(parent)) = (born, parent) else {
        return rejected(errs);
    };
    let name = match n
        .surname
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => match EnglishName::new(s, n.given_names.as_deref().unwrap_or_default()) {
            Ok(name) => Some(name),
            Err(e) => {
                errs.domain("surname", e.message());
                None
            }
        },
        None => {
            let given = format!(
                "Baby of {} {}",
                parent.english.surname(),
                parent.english.given_names()
            );
            EnglishName::new(parent.english.surname(), &given)
                .or_else(|_| EnglishName::new(parent.english.surname(), "Baby"))
                .ok()
        }
    };
    if !errs.is_empty() {
        return rejected(errs);
    }
    let Some(name) = name else {
        errs.code("surname", Code::NameEmpty);
        return rejected(errs);
    };
    let decision = eligibility::decide(&EligibilityRequest {
        date_of_birth: DateOfBirth::Day(born),
        on: ctx.today,
        capacity: Capacity::Capable,
        applicant: Applicant::Sdm {
            relationship: SdmRelationship::Parent,
        },
        channel: Channel::Counter,
        provided: Provided {
            patient_document_copy_captured: true,
            ..Provided::default()
        },
    });
    decision_errors(&decision.decision, "relationship", true, &mut errs);
    if !errs.is_empty() {
        return rejected(errs);
    }
    let registered = records::register(
        tx,
        NewRecord {
            identifier: Identifier::BirthHospital {
                document: BirthHospitalDocument {
                    hospital_code: n.hospital_code.clone(),
                    serial: n.serial.to_ascii_uppercase(),
                },
            },
            person: RecordPerson {
                surname: name.surname().to_owned(),
                given_names: name.given_names().to_owned(),
                chinese_name: chinese,
                date_of_birth: born.to_string(),
                sex: Some(n.sex),
            },
            notification: &n.notification,
            private_consents: &[],
            settled_application: None,
            flags: Vec::new(),
            today: ctx.today,
        },
    )?;
    match registered {
        Err(code) => conflict(code),
        Ok(ehr_number) => applied(OpEffect::Registered {
            ehr_number,
            state: RecordState::AwaitingBirthCertificate,
            settled_application: None,
        }),
    }
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

fn complete_newborn(tx: &Transaction<'_>, ctx: &Ctx, c: &CompleteNewborn) -> Result<Outcome> {
    let mut errs = Errors::default();
    let number = match DocumentNumber::parse(
        DocumentType::HkBirthCertificate,
        &c.birth_certificate_number,
    ) {
        Ok(n) => Some(n),
        Err(e) => {
            errs.domain("birth_certificate_number", e.message());
            None
        }
    };
    let name = match EnglishName::new(&c.surname, &c.given_names) {
        Ok(n) => Some(n),
        Err(e) => {
            errs.domain("surname", e.message());
            None
        }
    };
    let chinese = match c.chinese_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match ChineseName::from_text(s) {
            Ok(n) => Some(n.characters().to_owned()),
            Err(e) => {
                errs.domain("chinese_name", e.message());
                None
            }
        },
    };
    check_image(
        tx,
        "certificate_image",
        Some(c.certificate_image),
        &mut errs,
    )?;
    let (Some(number), Some(name)) = (number, name) else {
        return rejected(errs);
    };
    if !errs.is_empty() {
        return rejected(errs);
    }
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
    if records::by_document(tx, &number)?.is_some() {
        return conflict(ErrorCode::ConflictNumberClash);
    }
    if let Err(e) = record.lifecycle.complete(number, ctx.today) {
        return match e {
            LifecycleError::NeedsBirthCertificate => {
                errs.code(
                    "birth_certificate_number",
                    Code::RegistrationNeedsBirthCertificate,
                );
                rejected(errs)
            }
            _ => conflict(ErrorCode::ConflictNotAwaitingBirthCertificate),
        };
    }
    record.person.surname = name.surname().to_owned();
    record.person.given_names = name.given_names().to_owned();
    record.person.chinese_name = chinese;
    records::save(tx, &record)?;
    applied(OpEffect::NewbornCompleted {
        ehr_number: record.ehr_number,
    })
}

fn change_consent(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    c: &ConsentChange,
    give: bool,
) -> Result<Outcome> {
    let mut errs = Errors::default();
    if c.provider_ids.is_empty() {
        errs.service("provider_ids", ErrorCode::FieldRequired);
    }
    private_providers(tx, "provider_ids", &c.provider_ids, &mut errs)?;
    if !errs.is_empty() {
        return rejected(errs);
    }
    let mut record = match record_or_conflict(tx, &c.ehr_number)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    if record.lifecycle.state() == RegistrationState::Withdrawn {
        return conflict(ErrorCode::ConflictRecordWithdrawn);
    }
    let ids: Vec<&str> = c.provider_ids.iter().map(String::as_str).collect();
    let event = if give {
        ConsentEvent::Give { on: ctx.today }
    } else {
        ConsentEvent::Revoke { on: ctx.today }
    };
    if let Err(e) = record.consents.apply_many(&ids, event) {
        return match e.error {
            LifecycleError::PublicProviderFixed => {
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

fn withdraw(tx: &Transaction<'_>, ctx: &Ctx, w: &Withdraw) -> Result<Outcome> {
    if !w.confirmed {
        let mut errs = Errors::default();
        errs.service("confirmed", ErrorCode::WithdrawalNotConfirmed);
        return rejected(errs);
    }
    let mut record = match record_or_conflict(tx, &w.ehr_number)? {
        Ok(r) => r,
        Err(code) => return conflict(code),
    };
    if record.lifecycle.withdraw(ctx.today).is_err() {
        return conflict(ErrorCode::ConflictRecordWithdrawn);
    }
    records::save(tx, &record)?;
    applied(OpEffect::Withdrawn {
        ehr_number: record.ehr_number,
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
