//! The task in hand as a typed state machine: pure (no IO, no clock: the
//! caller passes the day, the reference data and what the store holds), so
//! every step is testable without a window, a store or a network.
//!
//! identify → (look-up) found → compare (activation) → details → done
//!
//! What the task may submit is decided by the shared rules (`ehr-rules`),
//! the same code ehr-central runs: the task builds the operation it would
//! send and asks the rules about it on every change, so the screen's list
//! of what is still needed is the service's own refusal, before the person
//! leaves.

use std::collections::HashSet;
use std::convert::Infallible;

use ehr_card::identity::IdentityRead;
use ehr_domain::matching::{self, FieldMatch};
use ehr_domain::{Date, DocumentNumber};
use ehr_protocol::card::{FieldIssue, IdentityView};
use ehr_protocol::ipc::CaptureKind;
use ehr_protocol::task::{
    ApplicationRow, CompletionForm, ConsentForm, ConsentRow, ContactChangeForm, FieldRow,
    LookupSource, LookupView, NewbornForm, PaperPerson, ParticularsForm, RecordRow, TakeOverForm,
    TaskForm, TaskKind, TaskStage, TaskView, WithdrawalForm,
};
use ehr_protocol::wire::{
    self, ActivateApplication, ApplicantDetails, ApplicantRole, ApplicationDetail,
    ApplicationState, ApplicationSummary, ChangeContact, ChangeParticulars, CompleteNewborn,
    ConsentChange, FieldError, Language, NotificationChannel, NotificationChoice, Operation,
    Outcome, PersonDetails, ProviderKind, ReadSource, RecordState, ReferenceData, RegisterInPerson,
    RegisterNewborn, RegisteredRecord, ResendAccessKey, SiteType, TakeOverRecord, Withdraw,
};
use ehr_protocol::ErrorCode;
use ehr_rules::{Facts, KnownApplication};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most characters any free-text field of the form takes.
pub(crate) const MAX_TEXT: usize = 200;

/// A person as read or keyed: the particulars that travel, where they came
/// from, and what the screen shows (masked).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Person {
    pub details: PersonDetails,
    pub source: ReadSource,
    pub view: IdentityView,
}

impl Person {
    /// A person from a card read or a checked manual entry.
    pub(crate) fn from_read(id: &IdentityRead) -> Person {
        let source = match id.source {
            ehr_card::identity::SourceKind::Manual => ReadSource::Manual,
            _ => ReadSource::Card,
        };
        Person {
            details: PersonDetails {
                document_type: id.document.doc_type().code().to_owned(),
                document_number: id.document.display(),
                surname: id.english_name.surname().to_owned(),
                given_names: id.english_name.given_names().to_owned(),
                chinese_name: id.chinese_name.as_ref().map(|n| n.characters().to_owned()),
                date_of_birth: id.date_of_birth.to_string(),
                sex: Some(match id.sex {
                    ehr_domain::Sex::Male => wire::Sex::Male,
                    ehr_domain::Sex::Female => wire::Sex::Female,
                }),
            },
            source,
            view: crate::card::identity_view(id),
        }
    }

    /// The document, as the rules read it.
    pub(crate) fn document(&self) -> Option<DocumentNumber> {
        let t = ehr_domain::DocumentType::from_code(&self.details.document_type).ok()?;
        ehr_rules::validate::known_number(t, &self.details.document_number)
    }
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("source", &self.source)
            .field("view", &self.view)
            .finish_non_exhaustive()
    }
}

/// What a look-up found, as the service (or the cache) answered.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Found {
    pub applications: Vec<ApplicationSummary>,
    pub records: Vec<RegisteredRecord>,
    /// Records the person keeps as SDM (a parent's newborns).
    #[serde(default)]
    pub kept_as_sdm: Vec<RegisteredRecord>,
    pub source: LookupSource,
}

/// The task. Serialised as the clerk's draft (encrypted in the store).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Task {
    pub id: String,
    pub record_key: String,
    pub kind: TaskKind,
    pub stage: TaskStage,
    pub patient: Option<Person>,
    pub attendee: Option<Person>,
    pub found: Option<Found>,
    pub application: Option<ApplicationDetail>,
    pub form: TaskForm,
    pub patient_copy_image: Option<String>,
    pub supporting_image: Option<String>,
    /// The supervisor's sign-off token for this record.
    pub sign_off: Option<String>,
    /// Refusals of the last submit (or of the last event), by field.
    pub errors: Vec<FieldIssue>,
    /// The last look-up or fetch could not reach the service.
    pub offline: bool,
    /// A newborn's registration: the form.
    #[serde(default)]
    pub newborn: Option<NewbornForm>,
    /// A completion: the form.
    #[serde(default)]
    pub completion: Option<CompletionForm>,
    /// A completion: the record (as looked up).
    #[serde(default)]
    pub record: Option<RegisteredRecord>,
    /// The held capture of the birth hospital's certifying document.
    #[serde(default)]
    pub hospital_image: Option<String>,
    /// The held capture of the birth certificate.
    #[serde(default)]
    pub certificate_image: Option<String>,
    /// A consent change: the form.
    #[serde(default)]
    pub consent: Option<ConsentForm>,
    /// A withdrawal: the form.
    #[serde(default)]
    pub withdrawal: Option<WithdrawalForm>,
    /// A correction of particulars: the form (the proof is
    /// `patient_copy_image`).
    #[serde(default)]
    pub particulars: Option<ParticularsForm>,
    /// A contact change or a new access key: the form.
    #[serde(default)]
    pub contact_change: Option<ContactChangeForm>,
    /// A take-over by the person who turned 16: the form.
    #[serde(default)]
    pub take_over: Option<TakeOverForm>,
    /// The held capture of a paper application form (attached into the
    /// paper form's state).
    #[serde(default)]
    pub paper_image: Option<String>,
    /// A paper form: its keying.
    #[serde(default)]
    pub paper: Option<super::paper::PaperState>,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("stage", &self.stage)
            .field("patient", &self.patient)
            .field("attendee", &self.attendee)
            .finish_non_exhaustive()
    }
}

/// What the rules and the screen need besides the task: the day, the
/// policy, the site, the reference data, the held captures' ids.
#[derive(Clone, Copy)]
pub(crate) struct Judge<'a> {
    /// Today in Hong Kong (the transaction's day).
    pub today: Date,
    /// The policy in force.
    pub policy: ehr_domain::lifecycle::Policy,
    /// This counter's site type.
    pub site_type: SiteType,
    /// The reference data (providers, relationships).
    pub reference: Option<&'a ReferenceData>,
    /// The ids of the captures held for this task.
    pub held: &'a HashSet<Uuid>,
    /// The transaction time (RFC 3339).
    pub now_rfc3339: &'a str,
    /// A newborn's hospital document (as the form has it) was registered
    /// at this counter already.
    pub birth_document_here: bool,
}

/// The counter's answers to the rules: what this task fetched, the
/// captures held for it, the reference data.
struct CounterFacts<'a> {
    applications: Vec<KnownApplication>,
    held: &'a HashSet<Uuid>,
    reference: Option<&'a ReferenceData>,
    /// An image another counter (or this one, earlier) uploaded already:
    /// a resumed paper form's.
    uploaded: Option<Uuid>,
}

impl Facts for CounterFacts<'_> {
    type Error = Infallible;

    fn application(&self, reference: &str) -> Result<Option<KnownApplication>, Infallible> {
        let want = normalise_reference(reference);
        Ok(self
            .applications
            .iter()
            .find(|a| normalise_reference(&a.reference) == want)
            .cloned())
    }

    fn applications_for(
        &self,
        document: &DocumentNumber,
    ) -> Result<Vec<KnownApplication>, Infallible> {
        Ok(self
            .applications
            .iter()
            .filter(|a| a.patient.particulars.document.same_document(document))
            .cloned()
            .collect())
    }

    fn image_known(&self, id: Uuid) -> Result<bool, Infallible> {
        if self.uploaded == Some(id) {
            return Ok(true);
        }
        Ok(self.held.contains(&id))
    }

    fn provider(&self, id: &str) -> Result<Option<ProviderKind>, Infallible> {
        let Some(r) = self.reference else {
            return Ok(None);
        };
        if r.public_providers.iter().any(|p| p.id == id) {
            Ok(Some(ProviderKind::Public))
        } else if r.private_providers.iter().any(|p| p.id == id) {
            Ok(Some(ProviderKind::Private))
        } else {
            Ok(None)
        }
    }

    fn site_type(&self, code: &str) -> Result<Option<SiteType>, Infallible> {
        Ok(self
            .reference
            .and_then(|r| r.sites.iter().find(|s| s.code == code))
            .map(|s| s.site_type))
    }
}

/// A reference as typed or scanned: spaces and hyphens dropped, upper case
/// (a scanner typing through a Chinese input method may send full-width
/// forms: they are folded to ASCII first).
pub(crate) fn normalise_reference(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{3000}')
        .collect::<String>()
        .to_ascii_uppercase()
}

fn issue(field: &str, code: &str, en: &str, zh: &str) -> FieldIssue {
    FieldIssue {
        field: field.to_owned(),
        code: code.to_owned(),
        message_en: en.to_owned(),
        message_zh: zh.to_owned(),
    }
}

/// A service code on `field`, in words.
pub(crate) fn service_issue(field: &str, code: ErrorCode) -> FieldIssue {
    let (en, zh) = code.messages();
    issue(field, code.as_str(), en, zh)
}

fn from_field_error(e: &FieldError) -> FieldIssue {
    issue(&e.field, &e.code, &e.message_en, &e.message_zh)
}

/// The words for a code the service flags (a domain code), if the
/// catalogue has them.
fn flag_issue(code: &str) -> FieldIssue {
    let key = format!("domain.{code}");
    let en = ehr_i18n::lookup(ehr_i18n::Lang::En, &key).unwrap_or(code);
    let zh = ehr_i18n::lookup(ehr_i18n::Lang::ZhHk, &key).unwrap_or(code);
    issue("application", code, en, zh)
}

/// A refusal as the screen lists it.
fn outcome_issues(o: &Outcome) -> Vec<FieldIssue> {
    match o {
        Outcome::Rejected { field_errors } => field_errors.iter().map(from_field_error).collect(),
        Outcome::Conflict { code, .. } => vec![service_issue("application", *code)],
        _ => Vec::new(),
    }
}

impl Task {
    /// A new task with nobody identified yet.
    pub(crate) fn new(id: Uuid) -> Task {
        let short = id.simple().to_string()[..12].to_ascii_uppercase();
        Task {
            id: id.to_string(),
            record_key: format!("T-{short}"),
            kind: TaskKind::Lookup,
            stage: TaskStage::Identify,
            patient: None,
            attendee: None,
            found: None,
            application: None,
            form: TaskForm::default(),
            patient_copy_image: None,
            supporting_image: None,
            sign_off: None,
            errors: Vec::new(),
            offline: false,
            newborn: None,
            completion: None,
            record: None,
            hospital_image: None,
            certificate_image: None,
            consent: None,
            withdrawal: None,
            particulars: None,
            contact_change: None,
            take_over: None,
            paper_image: None,
            paper: None,
        }
    }

    /// The patient was identified (card or keyed): the look-up follows.
    pub(crate) fn identified(&mut self, p: Person) {
        self.patient = Some(p);
        self.stage = TaskStage::Identify;
        self.errors.clear();
    }

    /// A look-up's answer.
    pub(crate) fn found(&mut self, f: Found) {
        self.offline = f.source == LookupSource::Cache;
        self.found = Some(f);
        self.kind = TaskKind::Lookup;
        self.stage = TaskStage::Found;
        self.application = None;
        self.errors.clear();
    }

    /// The chosen application's detail: an activation, unless it cannot be
    /// activated (expired: the screen offers a walk-in instead).
    pub(crate) fn chose(&mut self, detail: ApplicationDetail) {
        self.kind = TaskKind::Activation;
        self.stage = TaskStage::Compare;
        self.errors.clear();
        self.sign_off = None;
        self.form.channel = channel_code(detail.notification_channel).to_owned();
        self.form.language = language_code(detail.notification_language).to_owned();
        self.form.slip_language = self.form.language.clone();
        self.form.consents = detail.private_provider_consents.clone();
        self.form.applicant_role = role_code(detail.applicant.role()).to_owned();
        // The card in the reader may be the applicant's (an SDM or an
        // authorised person attending): then it is the attendee, and the
        // patient's own document is keyed from the copy.
        if let (Some(p), ApplicantDetails::Sdm { person, .. })
        | (Some(p), ApplicantDetails::AuthorisedPerson { person }) =
            (self.patient.as_ref(), &detail.applicant)
        {
            let named = ehr_domain::DocumentType::from_code(&person.document_type)
                .ok()
                .and_then(|t| ehr_rules::validate::known_number(t, &person.document_number));
            if let (Some(named), Some(doc)) = (named, p.document()) {
                if named.same_document(&doc) && self.attendee.is_none() {
                    self.attendee = self.patient.take();
                }
            }
        }
        self.application = Some(detail);
    }

    /// Start a walk-in: prefilled from the identity read and, when it came
    /// from an expired application, from that application's choices.
    pub(crate) fn walk_in(&mut self) {
        self.kind = TaskKind::WalkIn;
        self.stage = TaskStage::Details;
        self.errors.clear();
        if let Some(d) = &self.application {
            self.form.channel = channel_code(d.notification_channel).to_owned();
            self.form.language = language_code(d.notification_language).to_owned();
            self.form.consents = d.private_provider_consents.clone();
            self.form.capacity = d.capacity.clone();
            self.form.applicant_role = role_code(d.applicant.role()).to_owned();
            if let ApplicantDetails::Sdm { relationship, .. } = &d.applicant {
                self.form.relationship = relationship.clone();
            }
        }
        // The application's signed-off differences do not carry over.
        self.sign_off = None;
    }

    /// Register a newborn of the person identified, who is the parent (a
    /// first-tier SDM): the hospital is this counter's site by default.
    pub(crate) fn newborn(&mut self, site_code: Option<&str>) {
        self.kind = TaskKind::Newborn;
        self.stage = TaskStage::Details;
        self.errors.clear();
        self.sign_off = None;
        if self.newborn.is_none() {
            self.newborn = Some(NewbornForm {
                hospital_code: site_code.unwrap_or_default().to_owned(),
                ..NewbornForm::default()
            });
        }
    }

    /// Complete the newborn record `ehr_number` from the look-up's lists.
    /// The names start as registered unless they are the "Baby of" ones.
    pub(crate) fn complete(&mut self, ehr_number: &str) -> Result<(), FieldIssue> {
        let record = self
            .found
            .iter()
            .flat_map(|f| f.records.iter().chain(&f.kept_as_sdm))
            .find(|r| r.ehr_number == ehr_number)
            .cloned()
            .ok_or_else(|| service_issue("ehr_number", ErrorCode::ConflictRecordNotFound))?;
        if record.state != RecordState::AwaitingBirthCertificate {
            return Err(service_issue(
                "ehr_number",
                ErrorCode::ConflictNotAwaitingBirthCertificate,
            ));
        }
        let baby_of = record
            .given_names
            .starts_with(&ehr_rules::checks::baby_of(ehr_i18n::Lang::En, ""));
        self.completion = Some(CompletionForm {
            birth_certificate_number: String::new(),
            surname: if baby_of {
                String::new()
            } else {
                record.surname.clone()
            },
            given_names: if baby_of {
                String::new()
            } else {
                record.given_names.clone()
            },
            chinese_name: record
                .chinese_name
                .clone()
                .filter(|c| !c.ends_with(&ehr_rules::checks::baby_of(ehr_i18n::Lang::ZhHk, "")))
                .unwrap_or_default(),
            slip_language: "both".into(),
        });
        self.record = Some(record);
        self.kind = TaskKind::Completion;
        self.stage = TaskStage::Details;
        self.errors.clear();
        self.sign_off = None;
        Ok(())
    }

    /// The record `ehr_number` from the look-up's lists (the person's own,
    /// or one they keep as SDM), if it is in effect.
    fn effective_record(&self, ehr_number: &str) -> Result<RegisteredRecord, FieldIssue> {
        let record = self
            .found
            .iter()
            .flat_map(|f| f.records.iter().chain(&f.kept_as_sdm))
            .find(|r| r.ehr_number == ehr_number)
            .cloned()
            .ok_or_else(|| service_issue("ehr_number", ErrorCode::ConflictRecordNotFound))?;
        match record.state {
            RecordState::Effective => Ok(record),
            RecordState::Withdrawn => Err(service_issue(
                "ehr_number",
                ErrorCode::ConflictRecordWithdrawn,
            )),
            RecordState::AwaitingBirthCertificate => Err(service_issue(
                "ehr_number",
                ErrorCode::ConflictNotAwaitingBirthCertificate,
            )),
        }
    }

    /// Change the sharing consent of the record `ehr_number`: the person
    /// identified is its holder or their SDM.
    pub(crate) fn consent_of(&mut self, ehr_number: &str) -> Result<(), FieldIssue> {
        let record = self.effective_record(ehr_number)?;
        self.record = Some(record);
        self.consent = Some(ConsentForm {
            slip_language: "both".into(),
            ..ConsentForm::default()
        });
        self.kind = TaskKind::Consent;
        self.stage = TaskStage::Details;
        self.errors.clear();
        self.sign_off = None;
        Ok(())
    }

    /// Withdraw the record `ehr_number` from eHealth.
    pub(crate) fn withdrawal_of(&mut self, ehr_number: &str) -> Result<(), FieldIssue> {
        let record = self.effective_record(ehr_number)?;
        self.record = Some(record);
        self.withdrawal = Some(WithdrawalForm {
            confirmed: false,
            slip_language: "both".into(),
        });
        self.kind = TaskKind::Withdrawal;
        self.stage = TaskStage::Details;
        self.errors.clear();
        self.sign_off = None;
        Ok(())
    }

    /// The record `ehr_number` is the identified person's own (found by
    /// their document), not one they keep as SDM.
    fn own_record(&self, ehr_number: &str) -> bool {
        self.found
            .iter()
            .flat_map(|f| f.records.iter())
            .any(|r| r.ehr_number == ehr_number)
    }

    fn start_on(&mut self, record: RegisteredRecord, kind: TaskKind) {
        self.record = Some(record);
        self.kind = kind;
        self.stage = TaskStage::Details;
        self.errors.clear();
        self.sign_off = None;
        self.patient_copy_image = None;
    }

    /// Correct the particulars of the record `ehr_number` from its
    /// corrected document: prefilled from the person's own document as
    /// read when it is theirs, else (an SDM acting) from the record.
    pub(crate) fn particulars_of(&mut self, ehr_number: &str) -> Result<(), FieldIssue> {
        let record = self.effective_record(ehr_number)?;
        let wire::RecordIdentifier::Document { document_type, .. } = &record.identifier else {
            return Err(service_issue(
                "ehr_number",
                ErrorCode::ConflictAwaitingBirthCertificate,
            ));
        };
        let form = match (&self.patient, self.own_record(ehr_number)) {
            (Some(p), true) => ParticularsForm {
                document_type: p.details.document_type.clone(),
                document_number: p.details.document_number.clone(),
                surname: p.details.surname.clone(),
                given_names: p.details.given_names.clone(),
                chinese_name: p.details.chinese_name.clone().unwrap_or_default(),
                date_of_birth: hk_date(&p.details.date_of_birth),
                sex: String::new(),
                declaration: false,
                slip_language: "both".into(),
            },
            _ => ParticularsForm {
                document_type: document_type.clone(),
                surname: record.surname.clone(),
                given_names: record.given_names.clone(),
                chinese_name: record.chinese_name.clone().unwrap_or_default(),
                date_of_birth: hk_date(&record.date_of_birth),
                slip_language: "both".into(),
                ..ParticularsForm::default()
            },
        };
        self.particulars = Some(form);
        self.start_on(record, TaskKind::Particulars);
        Ok(())
    }

    /// Change the contact of the record `ehr_number` (a newborn's record
    /// awaiting its certificate too: its parent's contact), or send a new
    /// access key.
    pub(crate) fn contact_of(&mut self, ehr_number: &str) -> Result<(), FieldIssue> {
        let record = match self.effective_record(ehr_number) {
            Ok(r) => r,
            Err(i) if i.code == ErrorCode::ConflictNotAwaitingBirthCertificate.as_str() => self
                .found
                .iter()
                .flat_map(|f| f.records.iter().chain(&f.kept_as_sdm))
                .find(|r| r.ehr_number == ehr_number)
                .cloned()
                .ok_or(i)?,
            Err(i) => return Err(i),
        };
        let held = record.contact.as_ref();
        self.contact_change = Some(ContactChangeForm {
            change_contact: held.is_none(),
            channel: held.map_or("sms", |c| channel_code(c.channel)).to_owned(),
            language: held.map_or("zh", |c| language_code(c.language)).to_owned(),
            address: String::new(),
            resend_key: false,
            slip_language: "both".into(),
        });
        self.start_on(record, TaskKind::Contact);
        Ok(())
    }

    /// The person identified takes over their own record an SDM keeps
    /// (they turned 16): the private providers the SDM gave are prefilled.
    pub(crate) fn take_over_of(&mut self, ehr_number: &str) -> Result<(), FieldIssue> {
        let record = self.effective_record(ehr_number)?;
        if record.sdm.is_none() || !self.own_record(ehr_number) {
            return Err(service_issue("ehr_number", ErrorCode::ConflictNotKeptBySdm));
        }
        self.take_over = Some(TakeOverForm {
            channel: "sms".into(),
            language: "zh".into(),
            address: String::new(),
            consents: record
                .consents
                .iter()
                .filter(|c| {
                    c.kind == wire::ProviderKind::Private && c.state == wire::ConsentState::Given
                })
                .map(|c| c.provider_id.clone())
                .collect(),
            declaration: false,
            slip_language: "both".into(),
        });
        self.start_on(record, TaskKind::TakeOver);
        Ok(())
    }

    /// The particulars form as the clerk has it (over-long text cut).
    pub(crate) fn edit_particulars(&mut self, mut form: ParticularsForm) {
        cut_all([
            &mut form.document_type,
            &mut form.document_number,
            &mut form.surname,
            &mut form.given_names,
            &mut form.chinese_name,
            &mut form.date_of_birth,
            &mut form.sex,
            &mut form.slip_language,
        ]);
        self.particulars = Some(form);
        self.errors.clear();
    }

    /// The contact form as the clerk has it.
    pub(crate) fn edit_contact(&mut self, mut form: ContactChangeForm) {
        cut_all([
            &mut form.channel,
            &mut form.language,
            &mut form.address,
            &mut form.slip_language,
        ]);
        self.contact_change = Some(form);
        self.errors.clear();
    }

    /// The take-over form as the clerk has it (providers trimmed, repeats
    /// dropped, at most 50).
    pub(crate) fn edit_take_over(&mut self, mut form: TakeOverForm) {
        cut_all([
            &mut form.channel,
            &mut form.language,
            &mut form.address,
            &mut form.slip_language,
        ]);
        provider_ids(&mut form.consents);
        self.take_over = Some(form);
        self.errors.clear();
    }

    /// The consent form as the clerk has it: ids trimmed, repeats dropped,
    /// at most 50 each way.
    pub(crate) fn edit_consent(&mut self, mut form: ConsentForm) {
        provider_ids(&mut form.give);
        provider_ids(&mut form.revoke);
        cut(&mut form.slip_language);
        self.consent = Some(form);
        self.errors.clear();
    }

    /// The withdrawal form as the clerk has it.
    pub(crate) fn edit_withdrawal(&mut self, mut form: WithdrawalForm) {
        cut(&mut form.slip_language);
        self.withdrawal = Some(form);
        self.errors.clear();
    }

    /// The newborn form as the clerk has it (over-long text cut).
    pub(crate) fn edit_newborn(&mut self, mut form: NewbornForm) {
        cut_all([
            &mut form.hospital_code,
            &mut form.serial,
            &mut form.date_of_birth,
            &mut form.time_of_birth,
            &mut form.sex,
            &mut form.surname,
            &mut form.given_names,
            &mut form.chinese_name,
            &mut form.relationship,
            &mut form.channel,
            &mut form.language,
            &mut form.address,
            &mut form.slip_language,
        ]);
        self.newborn = Some(form);
        self.errors.clear();
    }

    /// The completion form as the clerk has it (over-long text cut).
    pub(crate) fn edit_completion(&mut self, mut form: CompletionForm) {
        cut_all([
            &mut form.birth_certificate_number,
            &mut form.surname,
            &mut form.given_names,
            &mut form.chinese_name,
            &mut form.slip_language,
        ]);
        self.completion = Some(form);
        self.errors.clear();
    }

    /// The patient's document keyed from a copy. When the card read so far
    /// is the attending person's (nobody attends yet and the task is not a
    /// self-application), it becomes the attendee.
    pub(crate) fn patient_keyed(&mut self, p: Person) {
        if self.attendee.is_none() && self.form.applicant_role != "self" {
            self.attendee = self.patient.take();
        }
        self.patient = Some(p);
        self.sign_off = None;
        self.errors.clear();
    }

    /// The attending SDM or authorised person, read or keyed.
    pub(crate) fn attendee_read(&mut self, p: Person) {
        self.attendee = Some(p);
        self.sign_off = None;
        self.errors.clear();
    }

    /// The form as the clerk has it. Over-long text is cut to
    /// [`MAX_TEXT`] (and refused by the rules as it stands); never a panic.
    pub(crate) fn edit(&mut self, mut form: TaskForm) {
        for s in [
            &mut form.capacity,
            &mut form.applicant_role,
            &mut form.relationship,
            &mut form.channel,
            &mut form.language,
            &mut form.address,
            &mut form.slip_language,
        ] {
            if s.chars().count() > MAX_TEXT {
                *s = s.chars().take(MAX_TEXT).collect();
            }
        }
        form.consents.truncate(60);
        for c in &mut form.consents {
            c.truncate(64);
        }
        if form.applicant_role != self.form.applicant_role && form.applicant_role == "self" {
            // Nobody attends for a person applying themselves.
            self.attendee = None;
        }
        self.form = form;
        self.errors.clear();
    }

    /// A held capture is this task's document of `kind`.
    pub(crate) fn attach(&mut self, kind: CaptureKind, image_id: Uuid) -> Result<(), FieldIssue> {
        match kind {
            CaptureKind::PatientDocumentCopy => {
                self.patient_copy_image = Some(image_id.to_string());
            }
            CaptureKind::SupportingDocument => {
                self.supporting_image = Some(image_id.to_string());
            }
            CaptureKind::BirthHospitalDocument => {
                self.hospital_image = Some(image_id.to_string());
            }
            CaptureKind::BirthCertificate => {
                self.certificate_image = Some(image_id.to_string());
            }
            CaptureKind::PaperForm => {
                self.paper_image = Some(image_id.to_string());
                if let Some(p) = &mut self.paper {
                    p.form_image = Some(image_id.to_string());
                    p.form_image_uploaded = false;
                }
            }
        }
        Ok(())
    }

    /// From the comparison to the details.
    pub(crate) fn next(&mut self) {
        if self.stage == TaskStage::Compare {
            self.stage = TaskStage::Details;
        }
    }

    /// One step back.
    pub(crate) fn back(&mut self) {
        self.errors.clear();
        self.stage = match (self.kind, self.stage) {
            (TaskKind::Activation, TaskStage::Details) => TaskStage::Compare,
            (_, TaskStage::Details | TaskStage::Compare) if self.found.is_some() => {
                self.kind = TaskKind::Lookup;
                TaskStage::Found
            }
            (_, TaskStage::Details | TaskStage::Compare) => {
                self.kind = TaskKind::Lookup;
                TaskStage::Identify
            }
            (_, s) => s,
        };
    }

    fn uuid(s: &Option<String>) -> Option<Uuid> {
        s.as_deref().and_then(|s| Uuid::parse_str(s).ok())
    }

    fn notification(&self) -> NotificationChoice {
        NotificationChoice {
            channel: match self.form.channel.as_str() {
                "email" => NotificationChannel::Email,
                "post" => NotificationChannel::Post,
                _ => NotificationChannel::Sms,
            },
            language: if self.form.language == "en" {
                Language::En
            } else {
                Language::Zh
            },
            address: self.form.address.clone(),
        }
    }

    /// The contact an activation sends: the application's own (not shown
    /// at the counter) when the clerk keyed no new address and kept its
    /// channel and language; else what the clerk keyed, which the rules
    /// then check like any other.
    fn confirmed_contact(&self, app: &ApplicationDetail) -> Option<NotificationChoice> {
        let n = self.notification();
        let unchanged = n.channel == app.notification_channel
            && n.language == app.notification_language
            && n.address.trim().is_empty();
        (!unchanged).then_some(n)
    }

    /// The operation this task would send now, or what is missing before
    /// there is one to send.
    pub(crate) fn operation(&self, judge: &Judge<'_>) -> Result<Operation, Vec<FieldIssue>> {
        let transacted_at = Some(judge.now_rfc3339.to_owned());
        // A paper form names its people itself: nobody is at the counter.
        if self.kind == TaskKind::PaperForm {
            let Some(paper) = &self.paper else {
                return Err(vec![service_issue("task", ErrorCode::FieldRequired)]);
            };
            return Ok(Operation::KeyPaperApplication(
                paper.operation(judge.now_rfc3339),
            ));
        }
        // A completion is of the record found (by the hospital document or
        // the parent's): nobody needs to be identified for it.
        if self.kind == TaskKind::Completion {
            let Some(record) = &self.record else {
                return Err(vec![service_issue("ehr_number", ErrorCode::FieldRequired)]);
            };
            let f = self.completion.clone().unwrap_or_default();
            return Ok(Operation::CompleteNewborn(CompleteNewborn {
                ehr_number: record.ehr_number.clone(),
                birth_certificate_number: f.birth_certificate_number.trim().to_owned(),
                surname: f.surname.trim().to_owned(),
                given_names: f.given_names.trim().to_owned(),
                chinese_name: Some(f.chinese_name.trim().to_owned()).filter(|s| !s.is_empty()),
                certificate_image: Self::uuid(&self.certificate_image).unwrap_or(Uuid::nil()),
                transacted_at,
            }));
        }
        let Some(patient) = &self.patient else {
            return Err(vec![service_issue("patient", ErrorCode::FieldRequired)]);
        };
        match self.kind {
            TaskKind::Activation => {
                let Some(app) = &self.application else {
                    return Err(vec![service_issue("application", ErrorCode::FieldRequired)]);
                };
                Ok(Operation::ActivateApplication(ActivateApplication {
                    reference: app.summary.reference.clone(),
                    presented: patient.details.clone(),
                    read_source: patient.source,
                    attendee: self.attendee.as_ref().map(|a| a.details.clone()),
                    patient_document_copy_image: Self::uuid(&self.patient_copy_image),
                    supervisor_sign_off: self.sign_off.clone(),
                    transacted_at,
                    notification: self.confirmed_contact(app),
                }))
            }
            TaskKind::WalkIn => {
                let applicant = match self.form.applicant_role.as_str() {
                    "self" => ApplicantDetails::SelfApplicant {},
                    role => {
                        let Some(a) = &self.attendee else {
                            return Err(vec![service_issue("attendee", ErrorCode::FieldRequired)]);
                        };
                        if role == "sdm" {
                            ApplicantDetails::Sdm {
                                relationship: self.form.relationship.clone(),
                                person: a.details.clone(),
                            }
                        } else {
                            ApplicantDetails::AuthorisedPerson {
                                person: a.details.clone(),
                            }
                        }
                    }
                };
                Ok(Operation::RegisterInPerson(RegisterInPerson {
                    patient: patient.details.clone(),
                    capacity: self.form.capacity.clone(),
                    applicant,
                    no_higher_tier_declared: self.form.no_higher_tier_declared,
                    supporting_document_image: Self::uuid(&self.supporting_image),
                    patient_document_copy_image: Self::uuid(&self.patient_copy_image),
                    notification: self.notification(),
                    private_provider_consents: self.form.consents.clone(),
                    supervisor_sign_off: self.sign_off.clone(),
                    transacted_at,
                }))
            }
            TaskKind::Newborn => {
                let f = self.newborn.clone().unwrap_or_default();
                let contact = contact(&f.channel, &f.language, &f.address);
                Ok(Operation::RegisterNewborn(RegisterNewborn {
                    hospital_code: f.hospital_code.trim().to_ascii_uppercase(),
                    serial: f.serial.trim().to_ascii_uppercase(),
                    date_of_birth: iso_day(&f.date_of_birth),
                    time_of_birth: f.time_of_birth.trim().to_owned(),
                    // An unchosen sex is a need of the form's (see
                    // `check`); the rules see a placeholder never sent.
                    sex: if f.sex == "male" {
                        wire::Sex::Male
                    } else {
                        wire::Sex::Female
                    },
                    surname: Some(f.surname.trim().to_owned()).filter(|s| !s.is_empty()),
                    given_names: Some(f.given_names.trim().to_owned()).filter(|s| !s.is_empty()),
                    chinese_name: Some(f.chinese_name.trim().to_owned()).filter(|s| !s.is_empty()),
                    parent: patient.details.clone(),
                    relationship: f.relationship.clone(),
                    certifying_document_image: Self::uuid(&self.hospital_image)
                        .unwrap_or(Uuid::nil()),
                    notification: contact,
                    transacted_at,
                }))
            }
            TaskKind::TakeOver => {
                let Some(record) = &self.record else {
                    return Err(vec![service_issue("ehr_number", ErrorCode::FieldRequired)]);
                };
                let f = self.take_over.clone().unwrap_or_default();
                Ok(Operation::TakeOverRecord(TakeOverRecord {
                    ehr_number: record.ehr_number.clone(),
                    presented: patient.details.clone(),
                    read_source: patient.source,
                    notification: contact(&f.channel, &f.language, &f.address),
                    private_provider_consents: f.consents.clone(),
                    transacted_at,
                }))
            }
            TaskKind::Particulars => {
                let Some(record) = &self.record else {
                    return Err(vec![service_issue("ehr_number", ErrorCode::FieldRequired)]);
                };
                let f = self.particulars.clone().unwrap_or_default();
                // The corrected document as keyed, read as a paper form's
                // person is.
                let person = super::paper::details(&PaperPerson {
                    document_type: f.document_type,
                    document_number: f.document_number,
                    surname: f.surname,
                    given_names: f.given_names,
                    chinese_name: f.chinese_name,
                    date_of_birth: f.date_of_birth,
                    sex: f.sex,
                });
                // Read from the card when it is the document identified.
                let read_source = if patient.details.document_type == person.document_type
                    && patient.document().map(|d| d.normalized().to_owned())
                        == ehr_domain::DocumentType::from_code(&person.document_type)
                            .ok()
                            .and_then(|t| {
                                ehr_rules::validate::known_number(t, &person.document_number)
                            })
                            .map(|d| d.normalized().to_owned())
                {
                    patient.source
                } else {
                    ReadSource::Manual
                };
                Ok(Operation::ChangeParticulars(ChangeParticulars {
                    ehr_number: record.ehr_number.clone(),
                    person,
                    read_source,
                    document_image: Self::uuid(&self.patient_copy_image).unwrap_or(Uuid::nil()),
                    transacted_at,
                }))
            }
            TaskKind::Completion
            | TaskKind::Consent
            | TaskKind::Withdrawal
            | TaskKind::Contact
            | TaskKind::PaperForm
            | TaskKind::Lookup => Err(vec![service_issue("task", ErrorCode::FieldRequired)]),
        }
    }

    /// What the shared rules say of the operation this task would send:
    /// accepted (nothing missing), or every refusal in words. The counter's
    /// own conditions (the declaration) come after the rules'.
    /// The operations this task would send now (a consent change may give
    /// and revoke at once: two operations of one change).
    pub(crate) fn operations(&self, judge: &Judge<'_>) -> Result<Vec<Operation>, Vec<FieldIssue>> {
        match self.kind {
            TaskKind::Consent => {
                let Some(record) = &self.record else {
                    return Err(vec![service_issue("ehr_number", ErrorCode::FieldRequired)]);
                };
                let f = self.consent.clone().unwrap_or_default();
                let change = |ids: &[String]| ConsentChange {
                    ehr_number: record.ehr_number.clone(),
                    provider_ids: ids.to_vec(),
                };
                let mut ops = Vec::new();
                if !f.give.is_empty() {
                    ops.push(Operation::GiveConsent(change(&f.give)));
                }
                if !f.revoke.is_empty() {
                    ops.push(Operation::RevokeConsent(change(&f.revoke)));
                }
                if ops.is_empty() {
                    return Err(vec![service_issue(
                        "provider_ids",
                        ErrorCode::FieldRequired,
                    )]);
                }
                Ok(ops)
            }
            TaskKind::Withdrawal => {
                let Some(record) = &self.record else {
                    return Err(vec![service_issue("ehr_number", ErrorCode::FieldRequired)]);
                };
                Ok(vec![Operation::Withdraw(Withdraw {
                    ehr_number: record.ehr_number.clone(),
                    confirmed: self.withdrawal.as_ref().is_some_and(|w| w.confirmed),
                })])
            }
            TaskKind::Contact => {
                let Some(record) = &self.record else {
                    return Err(vec![service_issue("ehr_number", ErrorCode::FieldRequired)]);
                };
                let f = self.contact_change.clone().unwrap_or_default();
                let mut ops = Vec::new();
                if f.change_contact {
                    ops.push(Operation::ChangeContact(ChangeContact {
                        ehr_number: record.ehr_number.clone(),
                        notification: contact(&f.channel, &f.language, &f.address),
                    }));
                }
                // After the change: the new key goes by the new channel.
                if f.resend_key {
                    ops.push(Operation::ResendAccessKey(ResendAccessKey {
                        ehr_number: record.ehr_number.clone(),
                    }));
                }
                if ops.is_empty() {
                    return Err(vec![service_issue(
                        "contact_change",
                        ErrorCode::FieldRequired,
                    )]);
                }
                Ok(ops)
            }
            _ => Ok(vec![self.operation(judge)?]),
        }
    }

    /// The first of [`Task::check_all`]'s operations.
    pub(crate) fn check(&self, judge: &Judge<'_>) -> Result<Operation, Vec<FieldIssue>> {
        self.check_all(judge).and_then(|ops| {
            ops.into_iter()
                .next()
                .ok_or_else(|| vec![service_issue("task", ErrorCode::FieldRequired)])
        })
    }

    pub(crate) fn check_all(&self, judge: &Judge<'_>) -> Result<Vec<Operation>, Vec<FieldIssue>> {
        let ops = self.operations(judge)?;
        let facts = CounterFacts {
            applications: self
                .application
                .iter()
                .filter_map(KnownApplication::from_detail)
                .collect(),
            held: judge.held,
            reference: judge.reference,
            uploaded: self
                .paper
                .as_ref()
                .filter(|p| p.form_image_uploaded)
                .and_then(|p| p.form_image.as_deref())
                .and_then(|s| Uuid::parse_str(s).ok()),
        };
        let ctx = ehr_rules::Ctx {
            site_type: judge.site_type,
            on: judge.today,
            policy: judge.policy,
            signed_off: self.sign_off.is_some(),
        };
        let mut issues = Vec::new();
        for op in &ops {
            let refused = match ehr_rules::check(&ctx, op, &facts) {
                Ok(ehr_rules::Verdict::Accept(_)) => Vec::new(),
                Ok(ehr_rules::Verdict::Refuse(o)) => outcome_issues(&o),
                Err(never) => match never {},
            };
            // A consent change gives and revokes in two operations: which
            // list a provider's refusal is about goes in its field
            // (`provider_ids.give[1]`, `provider_ids.revoke[0]`).
            let list = match op {
                Operation::GiveConsent(_) => Some("give"),
                Operation::RevokeConsent(_) => Some("revoke"),
                _ => None,
            };
            issues.extend(refused.into_iter().map(|mut i| {
                if let (Some(list), Some(rest)) = (list, i.field.strip_prefix("provider_ids")) {
                    if rest.starts_with('[') {
                        i.field = format!("provider_ids.{list}{rest}");
                    }
                }
                i
            }));
        }
        // The form's own needs: what the rules cannot see (an image not yet
        // captured reads as "required", not as an unknown image).
        let missing_image = |issues: &mut Vec<FieldIssue>, field: &str, held: &Option<String>| {
            if held.is_none() {
                issues.retain(|i| i.field != field);
                issues.push(service_issue(field, ErrorCode::FieldRequired));
            }
        };
        match self.kind {
            TaskKind::Newborn => {
                let f = self.newborn.clone().unwrap_or_default();
                if !matches!(f.sex.as_str(), "male" | "female") {
                    issues.push(service_issue("sex", ErrorCode::FieldRequired));
                }
                missing_image(
                    &mut issues,
                    "certifying_document_image",
                    &self.hospital_image,
                );
                if judge.birth_document_here {
                    issues.push(service_issue(
                        "serial",
                        ErrorCode::ConflictBirthDocumentRegistered,
                    ));
                }
                if !f.declaration {
                    issues.push(service_issue("declaration", ErrorCode::FieldRequired));
                }
            }
            TaskKind::Completion => {
                missing_image(&mut issues, "certificate_image", &self.certificate_image);
            }
            TaskKind::Consent => {
                let f = self.consent.clone().unwrap_or_default();
                // What the record holds now (as looked up): consent given
                // twice, or revoked where none is held, is the service's
                // conflict; said here first.
                let held = |id: &str| {
                    self.record.as_ref().is_some_and(|r| {
                        r.consents
                            .iter()
                            .any(|c| c.provider_id == id && c.state == wire::ConsentState::Given)
                    })
                };
                if f.give.iter().any(|id| f.revoke.contains(id)) {
                    issues.push(service_issue("provider_ids", ErrorCode::FieldFormat));
                }
                let private =
                    |id: &str| matches!(facts.provider(id), Ok(Some(ProviderKind::Private)));
                if f.give.iter().any(|id| private(id) && held(id))
                    || f.revoke.iter().any(|id| private(id) && !held(id))
                {
                    issues.push(service_issue(
                        "provider_ids",
                        ErrorCode::ConflictConsentState,
                    ));
                }
                if !f.declaration {
                    issues.push(service_issue("declaration", ErrorCode::FieldRequired));
                }
            }
            TaskKind::Withdrawal => {}
            TaskKind::Particulars => {
                let f = self.particulars.clone().unwrap_or_default();
                missing_image(&mut issues, "document_image", &self.patient_copy_image);
                // The record's own document: said before the person leaves
                // (the service's conflict.document_mismatch).
                let keyed = ehr_domain::DocumentType::from_code(f.document_type.trim())
                    .ok()
                    .and_then(|t| DocumentNumber::parse(t, &f.document_number).ok());
                if let (
                    Some(keyed),
                    Some(wire::RecordIdentifier::Document {
                        document_type,
                        document_number_masked,
                    }),
                ) = (keyed, self.record.as_ref().map(|r| &r.identifier))
                {
                    if keyed.doc_type().code() != document_type
                        || keyed.masked() != *document_number_masked
                    {
                        issues.push(service_issue(
                            "person.document_number",
                            ErrorCode::ConflictDocumentMismatch,
                        ));
                    }
                }
                if !f.declaration {
                    issues.push(service_issue("declaration", ErrorCode::FieldRequired));
                }
            }
            TaskKind::Contact => {
                let f = self.contact_change.clone().unwrap_or_default();
                let held = self.record.as_ref().is_some_and(|r| r.contact.is_some());
                if f.resend_key && !f.change_contact && !held {
                    issues.push(service_issue("resend_key", ErrorCode::ConflictNoContact));
                }
            }
            TaskKind::TakeOver => {
                if !self.take_over.as_ref().is_some_and(|f| f.declaration) {
                    issues.push(service_issue("declaration", ErrorCode::FieldRequired));
                }
            }
            TaskKind::PaperForm => {
                let paper = self.paper.as_ref();
                let image = paper.and_then(|p| p.form_image.clone());
                missing_image(&mut issues, "form_image", &image);
                match paper.map(|p| p.stage.as_str()) {
                    // Keyed blind: only the second keying's own needs.
                    Some(super::paper::SECOND) => {
                        issues = paper
                            .map(|p| p.second_needs())
                            .unwrap_or_default()
                            .into_iter()
                            .map(|f| {
                                service_issue(&format!("second.{f}"), ErrorCode::FieldRequired)
                            })
                            .collect();
                    }
                    Some(super::paper::RECONCILE) if !paper.is_some_and(|p| p.decided()) => {
                        issues.push(service_issue("differences", ErrorCode::FieldRequired));
                    }
                    _ => {}
                }
            }
            _ => {
                if !self.form.declaration {
                    issues.push(service_issue("declaration", ErrorCode::FieldRequired));
                }
            }
        }
        if issues.is_empty() {
            Ok(ops)
        } else {
            Err(issues)
        }
    }

    /// The screen's view of the task.
    pub(crate) fn view(&self, judge: &Judge<'_>) -> TaskView {
        let mut comparison = Vec::new();
        let mut sign_off_needed = false;
        let mut attendee_needed = false;
        let mut patient_needed = self.patient.is_none();
        let mut application_flags = Vec::new();
        if let (TaskKind::Activation, Some(app)) = (self.kind, &self.application) {
            application_flags = app.flags.iter().map(|c| flag_issue(c)).collect();
            if let (Some(p), Some(known)) = (&self.patient, KnownApplication::from_detail(app)) {
                let mut scratch = ehr_rules::validate::Errors::default();
                if let Some(read) = ehr_rules::validate::person_at_counter(
                    "",
                    &p.details,
                    judge.today,
                    &mut scratch,
                ) {
                    let report = matching::compare(&read.particulars, &known.patient.particulars);
                    sign_off_needed = report.any_different() || read.needs_override;
                    comparison = compare_rows(&report, p, app);
                }
            }
            if app.applicant.role() != ApplicantRole::SelfApplicant {
                attendee_needed = self.attendee.is_none();
                patient_needed = self.patient.is_none();
            }
        }
        let parts = self.parts();
        let (needs, errors) = if matches!(self.stage, TaskStage::Compare | TaskStage::Details) {
            let needs = self.check(judge).err().unwrap_or_default();
            (needs, self.errors.clone())
        } else {
            (Vec::new(), self.errors.clone())
        };
        if needs
            .iter()
            .any(|n| n.field == "supervisor_sign_off" || n.code.starts_with("need.supervisor"))
        {
            sign_off_needed = true;
        }
        TaskView {
            task_id: self.id.clone(),
            kind: self.kind,
            stage: self.stage,
            patient: self.patient.as_ref().map(|p| p.view.clone()),
            attendee: self.attendee.as_ref().map(|p| p.view.clone()),
            attendee_needed,
            patient_needed,
            lookup: self.found.as_ref().map(|f| lookup_view(f, judge)),
            application: self
                .application
                .as_ref()
                .map(|a| application_row(&a.summary, judge)),
            application_flags,
            comparison,
            form: self.form.clone(),
            patient_copy_image: self.patient_copy_image.clone(),
            supporting_image: self.supporting_image.clone(),
            needs,
            errors,
            parts,
            sign_off_needed,
            signed_off: self.sign_off.is_some(),
            offline: self.offline,
            record_key: self.record_key.clone(),
            result: None,
            newborn: self
                .newborn
                .clone()
                .filter(|_| self.kind == TaskKind::Newborn),
            newborn_default_name: (self.kind == TaskKind::Newborn)
                .then(|| self.patient.as_ref().map(baby_of))
                .flatten(),
            completion: self
                .completion
                .clone()
                .filter(|_| self.kind == TaskKind::Completion),
            record: self
                .record
                .as_ref()
                .filter(|_| {
                    matches!(
                        self.kind,
                        TaskKind::Completion
                            | TaskKind::Consent
                            | TaskKind::Withdrawal
                            | TaskKind::Particulars
                            | TaskKind::Contact
                            | TaskKind::TakeOver
                    )
                })
                .map(|r| record_row(r, judge)),
            consent: self
                .consent
                .clone()
                .filter(|_| self.kind == TaskKind::Consent),
            withdrawal: self
                .withdrawal
                .clone()
                .filter(|_| self.kind == TaskKind::Withdrawal),
            particulars: self
                .particulars
                .clone()
                .filter(|_| self.kind == TaskKind::Particulars),
            contact_change: self
                .contact_change
                .clone()
                .filter(|_| self.kind == TaskKind::Contact),
            record_contact: self
                .record
                .as_ref()
                .filter(|_| self.kind == TaskKind::Contact)
                .and_then(|r| r.contact.as_ref())
                .map(|c| (channel_code(c.channel).to_owned(), c.address_masked.clone())),
            take_over: self
                .take_over
                .clone()
                .filter(|_| self.kind == TaskKind::TakeOver),
            paper: self
                .paper
                .as_ref()
                .filter(|_| self.kind == TaskKind::PaperForm)
                .map(|p| p.view("")),
            hospital_image: self.hospital_image.clone(),
            certificate_image: self.certificate_image.clone(),
            offers: [
                ("register_in_person", "walk_in"),
                ("register_newborn", "newborn"),
                ("complete_newborn", "completion"),
                ("give_consent", "consent"),
                ("withdraw", "withdrawal"),
                ("change_particulars", "particulars"),
                ("change_contact", "contact"),
                ("take_over_record", "take_over"),
                ("key_paper_application", "paper"),
            ]
            .into_iter()
            .filter(|(op, _)| ehr_rules::offered_type(judge.site_type, op))
            .map(|(_, name)| name.to_owned())
            .collect(),
        }
    }

    /// Which parts of the form apply, from the applicant's role and
    /// relationship (the eligibility decision says what each needs).
    fn parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        match self.kind {
            TaskKind::WalkIn => {
                parts.push("applicant".to_owned());
                parts.push("capacity".to_owned());
                parts.push("consents".to_owned());
                match self.form.applicant_role.as_str() {
                    "sdm" => {
                        parts.push("relationship".to_owned());
                        parts.push("attendee".to_owned());
                        parts.push("patient_copy".to_owned());
                        parts.push("no_higher_tier".to_owned());
                        let rel = ehr_domain::eligibility::SdmRelationship::from_code(
                            &self.form.relationship,
                        );
                        if rel.is_some_and(|r| r.needs_supporting_document()) {
                            parts.push("supporting_document".to_owned());
                        }
                    }
                    "authorised_person" => {
                        parts.push("attendee".to_owned());
                        parts.push("patient_copy".to_owned());
                    }
                    _ => {}
                }
            }
            TaskKind::Activation => {
                if self
                    .application
                    .as_ref()
                    .is_some_and(|a| a.applicant.role() != ApplicantRole::SelfApplicant)
                {
                    parts.push("attendee".to_owned());
                    parts.push("patient_copy".to_owned());
                }
            }
            TaskKind::Newborn
            | TaskKind::Completion
            | TaskKind::Consent
            | TaskKind::Withdrawal
            | TaskKind::Particulars
            | TaskKind::Contact
            | TaskKind::TakeOver
            | TaskKind::PaperForm
            | TaskKind::Lookup => {}
        }
        parts
    }
}

fn cut(s: &mut String) {
    if s.chars().count() > MAX_TEXT {
        *s = s.chars().take(MAX_TEXT).collect();
    }
}

/// [`cut`] each of `fields`.
pub(crate) fn cut_all<const N: usize>(fields: [&mut String; N]) {
    for f in fields {
        cut(f);
    }
}

/// Provider ids as the clerk picked them: trimmed, repeats dropped, at most
/// 50 (the most one change names).
pub(crate) fn provider_ids(list: &mut Vec<String>) {
    let mut seen = HashSet::new();
    list.retain_mut(|id| {
        *id = id.trim().chars().take(64).collect();
        !id.is_empty() && seen.insert(id.clone())
    });
    list.truncate(50);
}

/// The contact as keyed.
pub(crate) fn contact(channel: &str, language: &str, address: &str) -> NotificationChoice {
    NotificationChoice {
        channel: match channel {
            "email" => NotificationChannel::Email,
            "post" => NotificationChannel::Post,
            _ => NotificationChannel::Sms,
        },
        language: if language == "en" {
            Language::En
        } else {
            Language::Zh
        },
        address: address.to_owned(),
    }
}

/// A day as keyed (`DD/MM/YYYY` or `YYYY-MM-DD`) in the wire's form; as
/// keyed when it does not read (the rules then refuse it).
pub(crate) fn iso_day(s: &str) -> String {
    let t = s.trim();
    match ehr_domain::DateOfBirth::parse(t) {
        Ok(ehr_domain::DateOfBirth::Day(d)) => d.to_string(),
        _ => t.to_owned(),
    }
}

/// The name a newborn is registered under when none is chosen: "Baby of"
/// the parent, in English and (when the parent has one) Chinese, as the
/// rules compose it.
pub(crate) fn baby_of(parent: &Person) -> (String, Option<String>) {
    let d = &parent.details;
    (
        format!(
            "{}, {}",
            d.surname,
            ehr_rules::checks::baby_of(
                ehr_i18n::Lang::En,
                &format!("{} {}", d.surname, d.given_names)
            )
        ),
        d.chinese_name
            .as_ref()
            .map(|c| ehr_rules::checks::baby_of(ehr_i18n::Lang::ZhHk, c)),
    )
}

pub(crate) fn channel_code(c: NotificationChannel) -> &'static str {
    match c {
        NotificationChannel::Sms => "sms",
        NotificationChannel::Email => "email",
        NotificationChannel::Post => "post",
    }
}

fn language_code(l: Language) -> &'static str {
    match l {
        Language::En => "en",
        Language::Zh => "zh",
    }
}

fn role_code(r: ApplicantRole) -> &'static str {
    match r {
        ApplicantRole::SelfApplicant => "self",
        ApplicantRole::Sdm => "sdm",
        ApplicantRole::AuthorisedPerson => "authorised_person",
    }
}

fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub(crate) fn hk_date(iso: &str) -> String {
    match ehr_domain::DateOfBirth::parse(iso) {
        Ok(d) => d.to_hk_string(),
        Err(_) => iso.to_owned(),
    }
}

fn name_en(surname: &str, given: &str) -> String {
    if given.is_empty() {
        surname.to_owned()
    } else {
        format!("{surname}, {given}")
    }
}

/// A summary as the list shows it.
pub(crate) fn application_row(s: &ApplicationSummary, judge: &Judge<'_>) -> ApplicationRow {
    let expires = Date::parse(&s.expires_on).ok();
    let expired = s.state == ApplicationState::Expired
        || (matches!(
            s.state,
            ApplicationState::Pending
                | ApplicationState::SubmittedOnline
                | ApplicationState::KeyedFromPaper
        ) && expires.is_some_and(|e| judge.today >= e));
    ApplicationRow {
        reference: s.reference.clone(),
        state: if expired {
            "expired".to_owned()
        } else {
            snake(&s.state)
        },
        origin: snake(&s.origin),
        submitted_on: hk_date(&s.submitted_on),
        expires_on: hk_date(&s.expires_on),
        expired,
        document_type: s.document_type.clone(),
        document_masked: s.document_number_masked.clone(),
        name_en: name_en(&s.surname, &s.given_names),
        chinese_name: s.chinese_name.clone(),
        date_of_birth: hk_date(&s.date_of_birth),
        applicant_role: role_code(s.applicant_role).to_owned(),
    }
}

fn provider_names(judge: &Judge<'_>, id: &str) -> (String, String) {
    judge
        .reference
        .and_then(|r| {
            r.public_providers
                .iter()
                .chain(r.private_providers.iter())
                .find(|p| p.id == id)
        })
        .map(|p| (p.name_en.clone(), p.name_zh.clone()))
        .unwrap_or_else(|| (id.to_owned(), id.to_owned()))
}

pub(crate) fn record_row(r: &RegisteredRecord, judge: &Judge<'_>) -> RecordRow {
    RecordRow {
        ehr_number: r.ehr_number.clone(),
        state: snake(&r.state),
        document_masked: match &r.identifier {
            wire::RecordIdentifier::Document {
                document_number_masked,
                ..
            } => Some(document_number_masked.clone()),
            wire::RecordIdentifier::BirthHospital { .. } => None,
        },
        name_en: name_en(&r.surname, &r.given_names),
        chinese_name: r.chinese_name.clone(),
        registered_on: hk_date(&r.registered_on),
        hospital_code: match &r.identifier {
            wire::RecordIdentifier::BirthHospital { hospital_code, .. } => {
                Some(hospital_code.clone())
            }
            wire::RecordIdentifier::Document { .. } => None,
        },
        serial: match &r.identifier {
            wire::RecordIdentifier::BirthHospital { serial, .. } => Some(serial.clone()),
            wire::RecordIdentifier::Document { .. } => None,
        },
        date_of_birth: hk_date(&r.date_of_birth),
        sdm_document_masked: r.sdm.as_ref().map(|s| s.document_number_masked.clone()),
        sdm_relationship: r.sdm.as_ref().map(|s| {
            judge
                .reference
                .and_then(|d| {
                    d.sdm_relationships
                        .iter()
                        .find(|x| x.code == s.relationship)
                })
                .map(|x| (x.name_en.clone(), x.name_zh.clone()))
                .unwrap_or_else(|| (s.relationship.clone(), s.relationship.clone()))
        }),
        consents: r
            .consents
            .iter()
            .map(|c| {
                let (name_en, name_zh) = provider_names(judge, &c.provider_id);
                ConsentRow {
                    provider_id: c.provider_id.clone(),
                    name_en,
                    name_zh,
                    kind: snake(&c.kind),
                    state: snake(&c.state),
                    given_on: c.given_on.as_deref().map(hk_date),
                }
            })
            .collect(),
    }
}

fn lookup_view(f: &Found, judge: &Judge<'_>) -> LookupView {
    LookupView {
        applications: f
            .applications
            .iter()
            .map(|a| application_row(a, judge))
            .collect(),
        records: f.records.iter().map(|r| record_row(r, judge)).collect(),
        kept_as_sdm: f.kept_as_sdm.iter().map(|r| record_row(r, judge)).collect(),
        source: f.source,
    }
}

fn compare_rows(
    report: &matching::MatchReport,
    read: &Person,
    app: &ApplicationDetail,
) -> Vec<FieldRow> {
    use matching::Field as F;
    let result = |fields: &[F]| {
        let mut out = "same";
        for f in fields {
            match report.get(*f) {
                Some(FieldMatch::Different) => return "different",
                Some(FieldMatch::Missing) => out = "missing",
                _ => {}
            }
        }
        out
    };
    let r = &read.details;
    let a = &app.patient;
    let masked = |p: &PersonDetails| {
        ehr_domain::DocumentType::from_code(&p.document_type)
            .ok()
            .and_then(|t| ehr_rules::validate::known_number(t, &p.document_number))
            .map(|n| n.masked())
            .unwrap_or_default()
    };
    let sex = |s: Option<wire::Sex>| match s {
        Some(wire::Sex::Male) => "M".to_owned(),
        Some(wire::Sex::Female) => "F".to_owned(),
        None => String::new(),
    };
    vec![
        FieldRow {
            field: "document".into(),
            read: masked(r),
            applied: masked(a),
            result: if report.same_document {
                "same".into()
            } else {
                "different".into()
            },
        },
        FieldRow {
            field: "english_name".into(),
            read: name_en(&r.surname, &r.given_names),
            applied: name_en(&a.surname, &a.given_names),
            result: result(&[F::Surname, F::GivenNames]).into(),
        },
        FieldRow {
            field: "chinese_name".into(),
            read: r.chinese_name.clone().unwrap_or_default(),
            applied: a.chinese_name.clone().unwrap_or_default(),
            // Neither side has one: nothing differs.
            result: if r.chinese_name.is_none() && a.chinese_name.is_none() {
                "same".into()
            } else {
                result(&[F::ChineseName]).into()
            },
        },
        FieldRow {
            field: "date_of_birth".into(),
            read: hk_date(&r.date_of_birth),
            applied: hk_date(&a.date_of_birth),
            result: result(&[F::DateOfBirth]).into(),
        },
        FieldRow {
            field: "sex".into(),
            read: sex(r.sex),
            applied: sex(a.sex),
            result: result(&[F::Sex]).into(),
        },
    ]
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
