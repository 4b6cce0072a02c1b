//! One check per operation: validation with the domain rules, eligibility
//! and SDM tiers, the images and providers named, activation matching and
//! the settlement of a pending application.

use ehr_domain::eligibility::{
    self, Applicant, Capacity, Channel, EligibilityRequest, Provided, SdmRelationship,
};
use ehr_domain::lifecycle::application::{
    ApplicationEvent, ApplicationLifecycle, ApplicationState as DState,
};
use ehr_domain::lifecycle::LifecycleError;
use ehr_domain::matching::{self, ActivationProvided, IdentityRead, MatchReport};
use ehr_domain::person::{ChineseName, EnglishName};
use ehr_domain::{Code, Date, Decision, DocumentNumber, DocumentType};
use ehr_protocol::wire::{
    self, ActivateApplication, ApplicantDetails, ChangeContact, ChangeParticulars, CompleteNewborn,
    ConsentChange, KeyPaperApplication, NotificationChoice, PersonDetails, ProviderKind,
    RegisterInPerson, RegisterNewborn, ResendAccessKey, SaveWorkItem, SiteType, TakeOverRecord,
    Withdraw,
};
use ehr_protocol::ErrorCode;
use uuid::Uuid;

use crate::facts::{origin_from_wire, Facts, KnownApplication};
use crate::validate::{self, Errors, ValidPerson};
use crate::{conflict, rejected, Ctx, Verdict};

/// The flag on a record whose activation's differences were signed off.
pub const FLAG_FIELDS_DIFFER_SIGNED_OFF: &str = "activation.fields_differ_signed_off";
/// The flag on a walk-in that settled a pending application.
pub const FLAG_SETTLED_IN_PERSON: &str = "settlement.by_in_person_registration";
/// The flag on a settlement whose particulars differ from the application's.
pub const FLAG_SETTLEMENT_FIELDS_DIFFER: &str = "settlement.fields_differ";

/// An activation the rules accept.
#[derive(Debug, Clone)]
pub struct ActivationPlan {
    /// The application's reference (as stored).
    pub reference: String,
    /// The identity presented, validated.
    pub presented: ValidPerson,
    /// The comparison of the presented identity with the application.
    pub report: MatchReport,
    /// The application's lifecycle after the activation on [`Ctx::on`].
    pub lifecycle: ApplicationLifecycle,
    /// Flags for the record ([`FLAG_FIELDS_DIFFER_SIGNED_OFF`]).
    pub flags: Vec<String>,
    /// The application's consents to providers that are (still) private on
    /// the register, without repeats.
    pub private_consents: Vec<String>,
}

/// The pending application a walk-in settles.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// Its reference.
    pub reference: String,
    /// Its lifecycle after the activation on [`Ctx::on`].
    pub lifecycle: ApplicationLifecycle,
    /// The walk-in's particulars differ from the application's.
    pub fields_differ: bool,
}

/// A walk-in registration the rules accept.
#[derive(Debug, Clone)]
pub struct InPersonPlan {
    /// The patient, validated.
    pub patient: ValidPerson,
    /// The SDM or authorised person, validated.
    pub applicant: Option<ValidPerson>,
    /// The pending application for the same document it settles.
    pub settlement: Option<Settlement>,
    /// Flags for the record ([`FLAG_SETTLEMENT_FIELDS_DIFFER`],
    /// [`FLAG_SETTLED_IN_PERSON`]).
    pub flags: Vec<String>,
}

/// A keyed paper application the rules accept.
#[derive(Debug, Clone)]
pub struct KeyPaperPlan {
    /// The patient, validated.
    pub patient: ValidPerson,
    /// The SDM or authorised person, validated.
    pub applicant: Option<ValidPerson>,
    /// The day the form was received.
    pub received_on: Date,
    /// The application's lifecycle, accepted on [`Ctx::on`].
    pub lifecycle: ApplicationLifecycle,
}

/// A newborn's registration the rules accept.
#[derive(Clone)]
pub struct NewbornPlan {
    /// The day of birth.
    pub born: Date,
    /// The baby's English name (chosen, or "Baby of" the parent).
    pub name: EnglishName,
    /// The baby's Chinese name in characters (chosen, or "Baby of" the
    /// parent's).
    pub chinese_name: Option<String>,
    /// The parent's document (the SDM who keeps the record).
    pub parent: DocumentNumber,
}

/// A newborn's completion the rules accept (the record's state is the
/// service's to check).
#[derive(Clone)]
pub struct NewbornCompletion {
    /// The verified birth certificate number.
    pub number: DocumentNumber,
    /// The name as on the certificate.
    pub name: EnglishName,
    /// The Chinese name in characters, if any.
    pub chinese_name: Option<String>,
}

impl std::fmt::Debug for NewbornPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewbornPlan")
            .field("born", &"<redacted>")
            .field("name", &self.name)
            .field(
                "chinese_name",
                &self.chinese_name.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl std::fmt::Debug for NewbornCompletion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewbornCompletion")
            .field("number", &self.number)
            .field("name", &self.name)
            .field(
                "chinese_name",
                &self.chinese_name.as_ref().map(|_| "<redacted>"),
            )
            .finish()
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

/// Whether the named image is known; an unknown one is refused on `field`.
fn check_image<F: Facts>(
    facts: &F,
    field: &str,
    id: Option<Uuid>,
    errs: &mut Errors,
) -> Result<bool, F::Error> {
    match id {
        None => Ok(false),
        Some(id) => {
            let known = facts.image_known(id)?;
            if !known {
                errs.service(field, ErrorCode::DocumentImageUnknown);
            }
            Ok(known)
        }
    }
}

/// Checks private provider ids against the register: at most 50, no
/// repeats, known, not public.
fn private_providers<F: Facts>(
    facts: &F,
    field: &str,
    ids: &[String],
    errs: &mut Errors,
) -> Result<(), F::Error> {
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
        match facts.provider(id)? {
            None => errs.service(&f, ErrorCode::FieldUnknownCode),
            Some(ProviderKind::Public) => errs.code(&f, Code::ConsentPublicFixed),
            Some(ProviderKind::Private) => {}
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
    on: Date,
    errs: &mut Errors,
) -> Option<(Applicant, Option<ValidPerson>)> {
    match a {
        ApplicantDetails::SelfApplicant {} => Some((Applicant::SelfApplicant, None)),
        ApplicantDetails::Sdm {
            relationship,
            person,
        } => {
            let r = validate::relationship("applicant.relationship", relationship, errs);
            let p = validate::person_at_counter("applicant.person", person, on, errs);
            Some((Applicant::Sdm { relationship: r? }, Some(p?)))
        }
        ApplicantDetails::AuthorisedPerson { person } => {
            let p = validate::person_at_counter("applicant.person", person, on, errs)?;
            Some((Applicant::SelfApplicant, Some(p)))
        }
    }
}

/// The fields every application (walk-in or paper) carries.
struct ApplicationFields<'a> {
    patient: &'a PersonDetails,
    capacity: &'a str,
    applicant: &'a ApplicantDetails,
    private_provider_consents: &'a [String],
    notification: &'a NotificationChoice,
    channel: Channel,
    /// The operation's own fields before these passed (else only their
    /// errors are gathered).
    ready: bool,
}

/// An application's people, validated, and the eligibility decision.
struct Validated {
    patient: ValidPerson,
    applicant: Option<ValidPerson>,
    decision: Decision,
}

/// Validates an application's fields in the order their errors are
/// reported (the documents, from `documents`, after the applicant), then
/// the pre-1980 override, then decides eligibility on the judging day.
/// `None` when anything was refused (the errors are in `errs`).
fn validate_application<F: Facts>(
    ctx: &Ctx,
    facts: &F,
    fields: ApplicationFields<'_>,
    errs: &mut Errors,
    documents: impl FnOnce(&mut Errors) -> Result<Provided, F::Error>,
) -> Result<Option<Validated>, F::Error> {
    let patient = validate::person_at_counter("patient", fields.patient, ctx.on, errs);
    let capacity = validate::capacity("capacity", fields.capacity, errs);
    let who = applicant(fields.applicant, ctx.on, errs);
    let provided = documents(errs)?;
    private_providers(
        facts,
        "private_provider_consents",
        fields.private_provider_consents,
        errs,
    )?;
    validate::notification("notification", fields.notification, errs);
    let (true, Some(patient), Some(capacity), Some((role, attendee))) =
        (fields.ready, patient, capacity, who)
    else {
        return Ok(None);
    };
    require_override([Some(&patient), attendee.as_ref()], ctx.signed_off, errs);
    // The eligibility decision is taken even when other fields were refused:
    // every refusal comes back at once (a clerk fixing the address should
    // not learn only then that an SDM is needed). Callers refuse on any
    // error.
    let decision = eligibility::decide(&EligibilityRequest {
        date_of_birth: patient.dob,
        on: ctx.on,
        capacity,
        applicant: role,
        channel: fields.channel,
        provided,
    });
    Ok(Some(Validated {
        patient,
        applicant: attendee,
        decision: decision.decision,
    }))
}

/// The application pending on `ctx.on` for a document (the newest first),
/// if any.
pub fn pending_application<F: Facts>(
    ctx: &Ctx,
    document: &DocumentNumber,
    facts: &F,
) -> Result<Option<KnownApplication>, F::Error> {
    Ok(facts
        .applications_for(document)?
        .into_iter()
        .find(|a| a.lifecycle.effective_state(ctx.on, &ctx.policy) == DState::Pending))
}

/// Activation of a pending application: the presented identity, the
/// application's state on the day, the matching of particulars (differences
/// need a sign-off), and for SDM and authorised-person applications the
/// attendee's own document and the copy of the patient's.
pub fn activation<F: Facts>(
    ctx: &Ctx,
    a: &ActivateApplication,
    facts: &F,
) -> Result<Verdict<ActivationPlan>, F::Error> {
    let mut errs = Errors::default();
    let presented = validate::person_at_counter("presented", &a.presented, ctx.on, &mut errs);
    let copy = check_image(
        facts,
        "patient_document_copy_image",
        a.patient_document_copy_image,
        &mut errs,
    )?;
    let Some(presented) = presented.filter(|_| errs.is_empty()) else {
        return Ok(rejected(errs));
    };
    if a.reference.len() > 64 {
        return Ok(conflict(ErrorCode::ConflictApplicationNotFound));
    }
    let Some(app) = facts.application(&a.reference)? else {
        return Ok(conflict(ErrorCode::ConflictApplicationNotFound));
    };
    match app.lifecycle.effective_state(ctx.on, &ctx.policy) {
        DState::Pending => {}
        DState::Activated => return Ok(conflict(ErrorCode::ConflictAlreadyActivated)),
        DState::Expired => return Ok(conflict(ErrorCode::ConflictExpired)),
        _ => return Ok(conflict(ErrorCode::ConflictWithdrawn)),
    }
    let report = matching::compare(&presented.particulars, &app.patient.particulars);
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
        ctx.on,
        &ctx.policy,
        ActivationProvided {
            supervisor_signed_off: ctx.signed_off,
        },
    );
    match decision.refusal_code() {
        None => {}
        Some(Code::ApplicationExpired) => return Ok(conflict(ErrorCode::ConflictExpired)),
        Some(Code::ActivationDifferentDocument) => {
            errs.code(
                "presented.document_number",
                Code::ActivationDifferentDocument,
            );
            return Ok(rejected(errs));
        }
        Some(_) => return Ok(conflict(ErrorCode::ConflictWithdrawn)),
    }
    decision_errors(&decision, "presented", true, &mut errs);
    if let Some(named) = &app.applicant {
        match &a.attendee {
            None => errs.service("attendee", ErrorCode::FieldRequired),
            Some(att) => {
                if let Some(att) = validate::person_at_counter("attendee", att, ctx.on, &mut errs) {
                    require_override([Some(&att)], ctx.signed_off, &mut errs);
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
    // Contact details confirmed (or changed) at the counter.
    if let Some(n) = &a.notification {
        validate::notification("notification", n, &mut errs);
    }
    if !errs.is_empty() {
        return Ok(rejected(errs));
    }
    let mut lifecycle = app.lifecycle.clone();
    if let Err(e) = lifecycle.apply(ApplicationEvent::Activate, ctx.on, &ctx.policy) {
        return Ok(conflict(match e {
            LifecycleError::ApplicationExpired => ErrorCode::ConflictExpired,
            _ => ErrorCode::ConflictWithdrawn,
        }));
    }
    let mut flags = Vec::new();
    if report.any_different() {
        flags.push(FLAG_FIELDS_DIFFER_SIGNED_OFF.to_owned());
    }
    let mut private_consents: Vec<String> = Vec::new();
    for id in &app.private_provider_consents {
        if facts.provider(id)? == Some(ProviderKind::Private) && !private_consents.contains(id) {
            private_consents.push(id.clone());
        }
    }
    Ok(Verdict::Accept(ActivationPlan {
        reference: app.reference,
        presented,
        report,
        lifecycle,
        flags,
        private_consents,
    }))
}

/// A walk-in registration: the patient, capacity and applicant, images,
/// providers and notification address; eligibility and SDM tier on the
/// day; then the settlement of the application pending for the same
/// document, if any.
pub fn register_in_person<F: Facts>(
    ctx: &Ctx,
    r: &RegisterInPerson,
    facts: &F,
) -> Result<Verdict<InPersonPlan>, F::Error> {
    let mut errs = Errors::default();
    let fields = ApplicationFields {
        patient: &r.patient,
        capacity: &r.capacity,
        applicant: &r.applicant,
        private_provider_consents: &r.private_provider_consents,
        notification: &r.notification,
        channel: Channel::Counter,
        ready: true,
    };
    let documents = |errs: &mut Errors| {
        let supporting = check_image(
            facts,
            "supporting_document_image",
            r.supporting_document_image,
            errs,
        )?;
        let copy = check_image(
            facts,
            "patient_document_copy_image",
            r.patient_document_copy_image,
            errs,
        )?;
        Ok(Provided {
            no_higher_tier_declared: r.no_higher_tier_declared,
            supporting_document_captured: supporting,
            patient_document_copy_captured: copy,
        })
    };
    let Some(Validated {
        patient,
        applicant: attendee,
        decision,
    }) = validate_application(ctx, facts, fields, &mut errs, documents)?
    else {
        return Ok(rejected(errs));
    };
    decision_errors(&decision, "applicant", true, &mut errs);
    if !errs.is_empty() {
        return Ok(rejected(errs));
    }
    // Offline walk-ins settle the pending application for the same document.
    let mut settlement = None;
    let mut flags = Vec::new();
    if let Some(app) = pending_application(ctx, &patient.particulars.document, facts)? {
        let mut lifecycle = app.lifecycle;
        if lifecycle
            .apply(ApplicationEvent::Activate, ctx.on, &ctx.policy)
            .is_ok()
        {
            let fields_differ =
                matching::compare(&patient.particulars, &app.patient.particulars).any_different();
            if fields_differ {
                flags.push(FLAG_SETTLEMENT_FIELDS_DIFFER.to_owned());
            }
            flags.push(FLAG_SETTLED_IN_PERSON.to_owned());
            settlement = Some(Settlement {
                reference: app.reference,
                lifecycle,
                fields_differ,
            });
        }
    }
    Ok(Verdict::Accept(InPersonPlan {
        patient,
        applicant: attendee,
        settlement,
        flags,
    }))
}

/// A paper application keyed at the Registration Office: as a walk-in's
/// particulars, eligibility on the paper channel (documents and
/// declarations are collected at activation), and the day received: not
/// after the judging day, and not so long ago that it is already expired.
pub fn key_paper<F: Facts>(
    ctx: &Ctx,
    k: &KeyPaperApplication,
    facts: &F,
) -> Result<Verdict<KeyPaperPlan>, F::Error> {
    let mut errs = Errors::default();
    if k.origin == wire::Origin::Online {
        errs.service("origin", ErrorCode::FieldUnknownCode);
    }
    // The form itself is kept with the application.
    if k.form_image.is_none() {
        errs.service("form_image", ErrorCode::FieldRequired);
    }
    check_image(facts, "form_image", k.form_image, &mut errs)?;
    let received = validate::date("received_on", &k.received_on, &mut errs);
    if received.is_some_and(|d| d > ctx.on) {
        errs.code("received_on", Code::DateOutOfRange);
    }
    let fields = ApplicationFields {
        patient: &k.patient,
        capacity: &k.capacity,
        applicant: &k.applicant,
        private_provider_consents: &k.private_provider_consents,
        notification: &k.notification,
        channel: Channel::Paper,
        ready: received.is_some(),
    };
    // Documents and declarations are collected at activation.
    let documents = |_: &mut Errors| Ok(Provided::default());
    let (Some(received), Some(valid)) = (
        received,
        validate_application(ctx, facts, fields, &mut errs, documents)?,
    ) else {
        return Ok(rejected(errs));
    };
    let Validated {
        patient,
        applicant: attendee,
        decision,
    } = valid;
    decision_errors(&decision, "applicant", false, &mut errs);
    if !errs.is_empty() {
        return Ok(rejected(errs));
    }
    let mut lifecycle = ApplicationLifecycle::new(origin_from_wire(k.origin), received);
    match lifecycle.apply(ApplicationEvent::Accept, ctx.on, &ctx.policy) {
        Ok(_) => {}
        Err(LifecycleError::ApplicationExpired) => return Ok(conflict(ErrorCode::ConflictExpired)),
        Err(_) => {
            errs.code("received_on", Code::LifecycleDateOrder);
            return Ok(rejected(errs));
        }
    }
    Ok(Verdict::Accept(KeyPaperPlan {
        patient,
        applicant: attendee,
        received_on: received,
        lifecycle,
    }))
}

/// "Baby of" `parent` in `lang` (the catalogue's `newborn.baby_of`): a
/// newborn's name until one is chosen.
pub fn baby_of(lang: ehr_i18n::Lang, parent: &str) -> String {
    ehr_i18n::format(lang, "newborn.baby_of", &[("name", parent)])
}

/// Whether a birth at `time` (`HH:MM`) on `day` lies after the
/// transaction time (with the clock slack): only decidable with one.
fn born_after(time: &str, transacted_at: Option<&str>, day: Date) -> bool {
    let Some(at) = transacted_at.and_then(crate::time::parse_rfc3339) else {
        return false;
    };
    let (Ok(h), Ok(m)) = (time[..2].parse::<i64>(), time[3..].parse::<i64>()) else {
        return false;
    };
    // The birth as a Unix time: the Hong Kong day's midnight (UTC+8)
    // plus the time of day.
    let birth = day.days_since_epoch() * 86_400 - 8 * 3600 + h * 3600 + m * 60;
    birth > at + crate::time::FUTURE_SLACK_SECS
}

fn valid_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// A Chinese name as typed: absent or blank is none; else it must read.
fn chinese_name(field: &str, text: Option<&str>, errs: &mut Errors) -> Option<String> {
    match text.map(str::trim) {
        None | Some("") => None,
        Some(s) => match ChineseName::from_text(s) {
            Ok(n) => Some(n.characters().to_owned()),
            Err(e) => {
                errs.domain(field, e.message());
                None
            }
        },
    }
}

/// A newborn's registration at a birth hospital's desk: the hospital, the
/// certifying document and its image, the day and time of birth, the
/// parent (a first-tier SDM), the name ("Baby of" the parent when none is
/// chosen).
pub fn register_newborn<F: Facts>(
    ctx: &Ctx,
    n: &RegisterNewborn,
    facts: &F,
) -> Result<Verdict<NewbornPlan>, F::Error> {
    let mut errs = Errors::default();
    let hospital = if validate::token(&n.hospital_code, 32) {
        facts.site_type(&n.hospital_code)?
    } else {
        None
    };
    if hospital != Some(SiteType::BirthHospital) {
        errs.service("hospital_code", ErrorCode::FieldUnknownCode);
    }
    if !validate::token(&n.serial, 32) {
        errs.service("serial", ErrorCode::FieldFormat);
    }
    let born = validate::date("date_of_birth", &n.date_of_birth, &mut errs);
    if born.is_some_and(|d| d > ctx.on) {
        errs.code("date_of_birth", Code::DateDobAfterTransaction);
    }
    // Older than the policy allows: a birth must be registered within
    // this many days, so the baby has a certificate and registers with it.
    let earliest = ctx
        .on
        .add_days(-i64::from(ctx.policy.newborn_registration_days))
        .ok();
    if let (Some(b), Some(first)) = (born, earliest) {
        if b < first {
            errs.service("date_of_birth", ErrorCode::NewbornTooOld);
        }
    }
    if !valid_time(&n.time_of_birth) {
        errs.service("time_of_birth", ErrorCode::FieldFormat);
    } else if born.is_some_and(|b| b == ctx.on)
        && born_after(&n.time_of_birth, n.transacted_at.as_deref(), ctx.on)
    {
        errs.service("time_of_birth", ErrorCode::NewbornBornInFuture);
    }
    let parent = validate::person("parent", &n.parent, ctx.on, &mut errs);
    let relationship = validate::relationship("relationship", &n.relationship, &mut errs);
    if relationship.is_some_and(|r| r != SdmRelationship::Parent) {
        errs.code("relationship", Code::EligibilityRelationshipNotForAge);
    }
    check_image(
        facts,
        "certifying_document_image",
        Some(n.certifying_document_image),
        &mut errs,
    )?;
    validate::notification("notification", &n.notification, &mut errs);
    let chinese = chinese_name("chinese_name", n.chinese_name.as_deref(), &mut errs);
    let (Some(born), Some(parent)) = (born, parent) else {
        return Ok(rejected(errs));
    };
    // No Chinese name chosen: "Baby of" the parent in Chinese too, when
    // the parent has one.
    let chinese = chinese.or_else(|| {
        parent
            .particulars
            .chinese_name
            .as_ref()
            .map(|c| baby_of(ehr_i18n::Lang::ZhHk, c.characters()))
    });
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
            let given = baby_of(
                ehr_i18n::Lang::En,
                &format!(
                    "{} {}",
                    parent.english.surname(),
                    parent.english.given_names()
                ),
            );
            EnglishName::new(parent.english.surname(), &given)
                .or_else(|_| EnglishName::new(parent.english.surname(), "Baby"))
                .ok()
        }
    };
    if !errs.is_empty() {
        return Ok(rejected(errs));
    }
    let Some(name) = name else {
        errs.code("surname", Code::NameEmpty);
        return Ok(rejected(errs));
    };
    let decision = eligibility::decide(&EligibilityRequest {
        date_of_birth: ehr_domain::DateOfBirth::Day(born),
        on: ctx.on,
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
        return Ok(rejected(errs));
    }
    Ok(Verdict::Accept(NewbornPlan {
        born,
        name,
        chinese_name: chinese,
        parent: parent.particulars.document,
    }))
}

/// The particulars of a newborn's completion: a verified birth certificate
/// number, the name, the certificate's image. Whether the record awaits a
/// certificate, and whether the number is someone else's, is the
/// service's to check.
pub fn complete_newborn<F: Facts>(
    c: &CompleteNewborn,
    facts: &F,
) -> Result<Verdict<NewbornCompletion>, F::Error> {
    let mut errs = Errors::default();
    let number = match DocumentNumber::parse(
        DocumentType::HkBirthCertificate,
        &c.birth_certificate_number,
    ) {
        Ok(n) => Some(n),
        Err(e) => {
            // A number that would pass only as a pre-1980 certificate (its
            // check digit fails or is missing) cannot be a newborn's.
            let old_form = DocumentNumber::validate(
                DocumentType::HkBirthCertificate,
                &c.birth_certificate_number,
                Date::new(1970, 1, 1).ok().map(ehr_domain::DateOfBirth::Day),
            )
            .is_ok_and(|o| !matches!(o, ehr_domain::IdOutcome::Valid(_)));
            if old_form {
                errs.service("birth_certificate_number", ErrorCode::NewbornPre1980Number);
            } else {
                errs.domain("birth_certificate_number", e.message());
            }
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
    let chinese = chinese_name("chinese_name", c.chinese_name.as_deref(), &mut errs);
    check_image(
        facts,
        "certificate_image",
        Some(c.certificate_image),
        &mut errs,
    )?;
    let (Some(number), Some(name)) = (number, name) else {
        return Ok(rejected(errs));
    };
    if !errs.is_empty() {
        return Ok(rejected(errs));
    }
    Ok(Verdict::Accept(NewbornCompletion {
        number,
        name,
        chinese_name: chinese,
    }))
}

/// The providers of a consent change: at least one, each a private
/// provider on the register.
pub fn consent_change<F: Facts>(c: &ConsentChange, facts: &F) -> Result<Verdict<()>, F::Error> {
    let mut errs = Errors::default();
    if c.provider_ids.is_empty() {
        errs.service("provider_ids", ErrorCode::FieldRequired);
    }
    private_providers(facts, "provider_ids", &c.provider_ids, &mut errs)?;
    if !errs.is_empty() {
        return Ok(rejected(errs));
    }
    Ok(Verdict::Accept(()))
}

/// A withdrawal must be confirmed explicitly.
pub fn withdraw(w: &Withdraw) -> Verdict<()> {
    if w.confirmed {
        return Verdict::Accept(());
    }
    let mut errs = Errors::default();
    errs.service("confirmed", ErrorCode::WithdrawalNotConfirmed);
    rejected(errs)
}

/// An eHR number as an operation names it: opaque, but short and plain.
fn ehr_number(n: &str, errs: &mut Errors) {
    if !validate::token(n, 32) {
        errs.service("ehr_number", ErrorCode::FieldFormat);
    }
}

/// A correction of particulars: the corrected document validated as any
/// person's (names, date of birth not after the day), with its image as
/// the proof. Whether it is the record's own document is the service's
/// check against the record (`conflict.document_mismatch`).
pub fn change_particulars<F: Facts>(
    ctx: &Ctx,
    c: &ChangeParticulars,
    facts: &F,
) -> Result<Verdict<ValidPerson>, F::Error> {
    let mut errs = Errors::default();
    ehr_number(&c.ehr_number, &mut errs);
    let person = validate::person("person", &c.person, ctx.on, &mut errs);
    check_image(facts, "document_image", Some(c.document_image), &mut errs)?;
    Ok(match person {
        Some(p) if errs.is_empty() => Verdict::Accept(p),
        _ => rejected(errs),
    })
}

/// A change of contact details: the address valid for its channel.
pub fn change_contact(c: &ChangeContact) -> Verdict<()> {
    let mut errs = Errors::default();
    ehr_number(&c.ehr_number, &mut errs);
    validate::notification("notification", &c.notification, &mut errs);
    if errs.is_empty() {
        Verdict::Accept(())
    } else {
        rejected(errs)
    }
}

/// A new access key: only the record to send it for.
pub fn resend_access_key(r: &ResendAccessKey) -> Verdict<()> {
    let mut errs = Errors::default();
    ehr_number(&r.ehr_number, &mut errs);
    if errs.is_empty() {
        Verdict::Accept(())
    } else {
        rejected(errs)
    }
}

/// A take-over by a child who turned 16: their own document valid, aged
/// 16 or over on the day (under 16 an SDM keeps the record), their contact
/// and the private providers they consent to. Whether the document is the
/// record's (or its Hong Kong twin) and whether an SDM keeps it are the
/// service's checks against the record.
pub fn take_over<F: Facts>(
    ctx: &Ctx,
    t: &TakeOverRecord,
    facts: &F,
) -> Result<Verdict<ValidPerson>, F::Error> {
    let mut errs = Errors::default();
    ehr_number(&t.ehr_number, &mut errs);
    let person = validate::person("presented", &t.presented, ctx.on, &mut errs);
    if let Some(p) = &person {
        let under_16 = ehr_domain::age_on(p.dob, ctx.on).map_or(true, |a| a.min_years < 16);
        if under_16 {
            errs.code(
                "presented.date_of_birth",
                Code::EligibilitySdmRequiredUnder16,
            );
        }
    }
    validate::notification("notification", &t.notification, &mut errs);
    private_providers(
        facts,
        "private_provider_consents",
        &t.private_provider_consents,
        &mut errs,
    )?;
    Ok(match person {
        Some(p) if errs.is_empty() => Verdict::Accept(p),
        _ => rejected(errs),
    })
}

/// The stages of a Registration Office work item.
pub const WORK_ITEM_STAGES: [&str; 4] = ["first_keying", "second_keying", "reconcile", "discarded"];

/// The most bytes a work item's keyed form takes.
pub const MAX_WORK_ITEM_PAYLOAD: usize = 64 * 1024;

/// A work item save: a known stage, a paper origin, a received day, a short
/// masked label and a bounded JSON form. Whether the version follows the
/// one held is the service's check (`conflict.work_item_stale`).
pub fn save_work_item(w: &SaveWorkItem) -> Verdict<()> {
    let mut errs = Errors::default();
    if w.id.is_nil() {
        errs.service("id", ErrorCode::FieldFormat);
    }
    if w.version == 0 {
        errs.service("version", ErrorCode::FieldFormat);
    }
    if !WORK_ITEM_STAGES.contains(&w.stage.as_str()) {
        errs.service("stage", ErrorCode::FieldUnknownCode);
    }
    if w.origin == wire::Origin::Online {
        errs.service("origin", ErrorCode::FieldUnknownCode);
    }
    validate::date("received_on", &w.received_on, &mut errs);
    let label_ok =
        w.document_masked.chars().count() <= 32 && !w.document_masked.chars().any(char::is_control);
    if !label_ok {
        errs.service("document_masked", ErrorCode::FieldFormat);
    }
    let payload_ok = w.payload.len() <= MAX_WORK_ITEM_PAYLOAD
        && serde_json::from_str::<serde_json::Value>(&w.payload).is_ok_and(|v| v.is_object());
    if !payload_ok {
        errs.service("payload", ErrorCode::FieldFormat);
    }
    if errs.is_empty() {
        Verdict::Accept(())
    } else {
        rejected(errs)
    }
}
