//! The counter's main path (issue #13): from a card read (or a keyed
//! document, a reference, a name and date of birth) to a look-up, an
//! activation of the pending application or a walk-in registration, the
//! operation through the outbox and the slip.
//!
//! The task is a pure state machine ([`machine::Task`]); this module does
//! its IO: the look-ups at ehr-central with the encrypted cache behind them
//! (offline, only the cache answers, and the view says so), the draft kept
//! in the store as the clerk goes (offered back to the same clerk only),
//! the supervisor's sign-off, the submit through the outbox and the slip.
//!
//! Invariant: the task decides with `ehr-rules`, the code ehr-central runs:
//! what the counter submits, the service accepts, for the data the counter
//! had.

pub(crate) mod follow_up;
pub(crate) mod machine;
mod paper;

use std::collections::HashSet;

use ehr_protocol::audit::AuditAction;
use ehr_protocol::card::{ManualIdentityRequest, ReaderView};
use ehr_protocol::ipc::SlipLanguage;
use ehr_protocol::task::{
    Choice, DraftOffer, LookupQuery, LookupSource, TaskChoices, TaskEvent, TaskKind, TaskResult,
    TaskSignOffRequest, TaskStage, TaskView, WorkItemRow,
};
use ehr_protocol::wire::{
    self, ApplicationDetail, ApplicationList, ApplicationQuery, Operation, RecordList, RecordQuery,
    ReferenceData, SignOffRequest, SiteType,
};
use ehr_protocol::{ErrorBody, ErrorCode};
use machine::{Found, Judge, Person, Task};
use uuid::Uuid;

use crate::{lock, store_err, App};

/// The reader of a task's events: codes that mean "the service could not
/// be reached" (the look-up falls back to the cache).
fn unreachable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::CentralUnreachable
            | ErrorCode::CentralRefused
            | ErrorCode::CentralDns
            | ErrorCode::CentralTls
            | ErrorCode::CentralNotConfigured
            | ErrorCode::CentralBadAnswer
            | ErrorCode::CentralNotACentralService
    )
}

/// The cache key of a document's look-up: a hash, so the key column holds
/// no number even inside the encrypted file.
fn document_key(doc: &ehr_domain::DocumentNumber) -> String {
    let h = ehr_protocol::audit::detail_sha256(&format!(
        "{}:{}",
        doc.doc_type().code(),
        doc.normalized()
    ));
    format!("doc:{}", hex(&h[..16]))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The cache key of a birth hospital document (hashed): kept when a
/// newborn is registered here, so a second registration of the same
/// document at this counter is refused before it is queued; also the key
/// of a look-up by that document.
fn birth_key(hospital: &str, serial: &str) -> String {
    let h = ehr_protocol::audit::detail_sha256(&format!(
        "birth:{}:{}",
        hospital.trim().to_ascii_uppercase(),
        serial.trim().to_ascii_uppercase()
    ));
    format!("nb:{}", hex(&h[..16]))
}

fn birth_lookup_key(hospital: &str, serial: &str) -> String {
    format!("hosp-{}", birth_key(hospital, serial))
}

fn application_key(reference: &str) -> String {
    format!("app:{}", machine::normalise_reference(reference))
}

fn site_type(t: ehr_protocol::ipc::CounterSiteType) -> SiteType {
    use ehr_protocol::ipc::CounterSiteType as C;
    match t {
        C::RegistrationCentre => SiteType::RegistrationCentre,
        C::RegistrationOffice => SiteType::RegistrationOffice,
        C::PrivateProviderCentre => SiteType::PrivateProviderCentre,
        C::BirthHospital => SiteType::BirthHospital,
        C::MaternalChildHealthCentre => SiteType::MaternalChildHealthCentre,
    }
}

/// What a judge borrows, owned.
struct JudgeData {
    today: ehr_domain::Date,
    policy: ehr_domain::lifecycle::Policy,
    site_type: SiteType,
    reference: Option<ReferenceData>,
    held: HashSet<Uuid>,
    now: String,
    birth_document_here: bool,
}

impl JudgeData {
    fn judge(&self) -> Judge<'_> {
        Judge {
            today: self.today,
            policy: self.policy,
            site_type: self.site_type,
            reference: self.reference.as_ref(),
            held: &self.held,
            now_rfc3339: &self.now,
            birth_document_here: self.birth_document_here,
        }
    }
}

impl App {
    fn judge_data(&self) -> JudgeData {
        let now = self.clock.now_ms();
        let reference = self.reference().ok().flatten().map(|(r, _)| r);
        let policies = reference
            .as_ref()
            .map(|r| r.policies)
            .unwrap_or(crate::staff::DEFAULT_POLICIES);
        let held = crate::open_store_of(&self.outbox)
            .and_then(|s| lock(&s).held_captures().ok())
            .map(|c| c.into_iter().map(|i| i.image_id).collect())
            .unwrap_or_default();
        JudgeData {
            today: ehr_rules::time::hk_day(now / 1000)
                .unwrap_or_else(|| ehr_domain::Date::new(2026, 1, 1).expect("a valid day")),
            policy: ehr_domain::lifecycle::Policy {
                application_expiry_days: policies.application_expiry_days,
                newborn_follow_up_days: policies.newborn_follow_up_days,
                newborn_registration_days: policies.newborn_registration_days,
            },
            site_type: self
                .enrolment()
                .site
                .map(|s| site_type(s.site_type))
                .unwrap_or(SiteType::RegistrationCentre),
            reference,
            held,
            now: crate::rfc3339(now),
            birth_document_here: false,
        }
    }

    /// [`App::judge_data`] for `task`: with whether its newborn's hospital
    /// document was registered at this counter already.
    fn judge_data_for(&self, task: &Task) -> JudgeData {
        let mut data = self.judge_data();
        if let (TaskKind::Newborn, Some(f)) = (task.kind, &task.newborn) {
            if let Ok(store) = self.store() {
                data.birth_document_here = lock(&store)
                    .cache_get(&birth_key(&f.hospital_code, &f.serial), self.clock.now_ms())
                    .ok()
                    .flatten()
                    .is_some();
            }
        }
        data
    }

    /// The task's holder: only while somebody is signed in and the screen
    /// is not locked.
    fn task_session(&self) -> Result<String, ErrorBody> {
        if self.is_locked() {
            return Err(ErrorBody::new(ErrorCode::AuthSignInRequired));
        }
        Ok(self.staff()?.staff_code)
    }

    fn view_of(&self, task: &Task) -> TaskView {
        let data = self.judge_data_for(task);
        let mut v = task.view(&data.judge());
        v.result = lock(&self.task_result).clone();
        if let (Some(p), Ok(staff)) = (v.paper.as_mut(), self.staff()) {
            p.same_clerk = p.first_keyed_by == staff.staff_code;
        }
        v
    }

    /// Keep the task (encrypted) as the clerk goes, and show it.
    fn keep(&self, staff: &str, task: Task) -> Result<TaskView, ErrorBody> {
        let state =
            serde_json::to_string(&task).map_err(|_| ErrorBody::new(ErrorCode::Internal))?;
        let kind = kind_code(task.kind);
        let store = self.store()?;
        lock(&store)
            .save_draft(staff, &task.id, kind, &state, self.clock.now_ms())
            .map_err(store_err)?;
        let view = self.view_of(&task);
        *lock(&self.task) = Some(task);
        Ok(view)
    }

    /// The task in hand, if any.
    pub fn task_current(&self) -> Result<Option<TaskView>, ErrorBody> {
        self.task_session()?;
        let t = lock(&self.task).clone();
        Ok(t.map(|t| self.view_of(&t)))
    }

    /// A new task with nobody identified (to look up by reference or by
    /// name and date of birth). Replaces a task in hand.
    pub fn task_new(&self) -> Result<TaskView, ErrorBody> {
        let staff = self.task_session()?;
        self.clear_task_state();
        self.keep(&staff, Task::new(Uuid::new_v4()))
    }

    /// The card on screen starts a task and looks the person up at once.
    pub fn task_from_card(&self) -> Result<TaskView, ErrorBody> {
        let staff = self.task_session()?;
        let Some(read) = self.card.current_read() else {
            return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("patient"));
        };
        self.start_with(&staff, Person::from_read(&read))
    }

    /// A checked manual entry starts a task and looks the person up.
    pub fn task_from_manual(&self, req: &ManualIdentityRequest) -> Result<TaskView, ErrorBody> {
        let staff = self.task_session()?;
        let read = crate::card::check_manual(req)
            .map_err(|_| ErrorBody::new(ErrorCode::FieldFormat).on_field("patient"))?;
        self.start_with(&staff, Person::from_read(&read))
    }

    fn start_with(&self, staff: &str, person: Person) -> Result<TaskView, ErrorBody> {
        self.clear_task_state();
        let mut task = Task::new(Uuid::new_v4());
        let doc = person.document();
        task.identified(person);
        if let Some(doc) = doc {
            self.record_audit(AuditAction::Lookup, Some(&doc.masked()))?;
            let found = self.look_up_document(&doc)?;
            task.found(found);
        }
        self.keep(staff, task)
    }

    fn clear_task_state(&self) {
        *lock(&self.task) = None;
        *lock(&self.task_result) = None;
    }

    /// Applications and records for a document: from the service, else
    /// (unreachable) from the cache.
    fn look_up_document(&self, doc: &ehr_domain::DocumentNumber) -> Result<Found, ErrorBody> {
        let key = document_key(doc);
        let online = self.online_lookup(
            Some(ApplicationQuery {
                document_type: Some(doc.doc_type().code().to_owned()),
                document_number: Some(doc.display()),
                ..ApplicationQuery::default()
            }),
            Some(RecordQuery {
                document_type: Some(doc.doc_type().code().to_owned()),
                document_number: Some(doc.display()),
                ..RecordQuery::default()
            }),
        );
        self.found_or_cached(online, &key)
    }

    fn found_or_cached(
        &self,
        online: Result<Found, ErrorBody>,
        key: &str,
    ) -> Result<Found, ErrorBody> {
        let store = self.store()?;
        let now = self.clock.now_ms();
        match online {
            Ok(found) => {
                let ttl = self.cache_ttl_ms();
                if let Ok(json) = serde_json::to_string(&found) {
                    lock(&store)
                        .cache_put(key, &json, ttl, now)
                        .map_err(store_err)?;
                }
                // The details of what was found, for an offline activation
                // later at this counter.
                for a in &found.applications {
                    let _ = self.fetch_detail(&a.reference);
                }
                Ok(found)
            }
            Err(e) if unreachable(e.code) => {
                let cached = lock(&store).cache_get(key, now).map_err(store_err)?;
                let mut found = cached
                    .and_then(|j| serde_json::from_str::<Found>(&j).ok())
                    .unwrap_or(Found {
                        applications: Vec::new(),
                        records: Vec::new(),
                        kept_as_sdm: Vec::new(),
                        source: LookupSource::Cache,
                    });
                found.source = LookupSource::Cache;
                Ok(found)
            }
            Err(e) => Err(e),
        }
    }

    fn cache_ttl_ms(&self) -> i64 {
        i64::from(self.policies().application_cache_hours) * 3_600_000
    }

    fn online_lookup(
        &self,
        apps: Option<ApplicationQuery>,
        records: Option<RecordQuery>,
    ) -> Result<Found, ErrorBody> {
        let token = self.online_token()?;
        let Some(central) = self.config.central()? else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let applications = match apps {
            Some(q) => {
                let list: ApplicationList = crate::central::post_json(
                    &self.config,
                    &central.base,
                    &token,
                    "applications/search",
                    q,
                )
                .map_err(|e| self.seen_from_service(e))?;
                list.items
            }
            None => Vec::new(),
        };
        let records = match records {
            Some(q) => {
                crate::central::post_json(&self.config, &central.base, &token, "records/search", q)
                    .map_err(|e| self.seen_from_service(e))?
            }
            None => RecordList {
                items: Vec::new(),
                kept_as_sdm: Vec::new(),
            },
        };
        Ok(Found {
            applications,
            records: records.items,
            kept_as_sdm: records.kept_as_sdm,
            source: LookupSource::Central,
        })
    }

    /// One application in full: from the service (and kept in the cache),
    /// else from the cache.
    fn fetch_detail(&self, reference: &str) -> Result<(ApplicationDetail, bool), ErrorBody> {
        let key = application_key(reference);
        let store = self.store()?;
        let now = self.clock.now_ms();
        let online = self.online_token().and_then(|token: String| {
            let Some(central) = self.config.central()? else {
                return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
            };
            crate::central::get_application(&self.config, &central.base, &token, reference)
                .map_err(|e| self.seen_from_service(e))
        });
        match online {
            Ok(d) => {
                let ttl = self.cache_ttl_ms();
                if let Ok(json) = serde_json::to_string(&d) {
                    lock(&store)
                        .cache_put(&key, &json, ttl, now)
                        .map_err(store_err)?;
                }
                Ok((d, false))
            }
            Err(e) if unreachable(e.code) => lock(&store)
                .cache_get(&key, now)
                .map_err(store_err)?
                .and_then(|j| serde_json::from_str(&j).ok())
                .map(|d| (d, true))
                .ok_or_else(|| ErrorBody::new(ErrorCode::TaskNotCached).on_field("reference")),
            Err(e) => Err(e),
        }
    }

    /// The UI's event for the task in hand.
    pub fn task_event(&self, event: &TaskEvent) -> Result<TaskView, ErrorBody> {
        let staff = self.task_session()?;
        // A paper form starts its own task: nobody is at the counter.
        if matches!(
            event,
            TaskEvent::PaperForm | TaskEvent::ResumeWorkItem { .. }
        ) {
            return self.paper_start(&staff, event);
        }
        let Some(mut task) = lock(&self.task).clone() else {
            return Err(ErrorBody::new(ErrorCode::TaskNone));
        };
        if task.stage == TaskStage::Done {
            return Err(ErrorBody::new(ErrorCode::TaskNone));
        }
        match event {
            TaskEvent::Lookup { query } => {
                let found = match query {
                    LookupQuery::Reference { reference } => {
                        let r = machine::normalise_reference(reference);
                        if r.is_empty()
                            || r.len() > 64
                            || !r.bytes().all(|b| b.is_ascii_alphanumeric())
                        {
                            return Err(
                                ErrorBody::new(ErrorCode::FieldFormat).on_field("reference")
                            );
                        }
                        self.record_audit(AuditAction::Lookup, Some(&r))?;
                        let online = self.online_lookup(
                            Some(ApplicationQuery {
                                reference: Some(r.clone()),
                                ..ApplicationQuery::default()
                            }),
                            None,
                        );
                        let mut found = self.found_or_cached(online, &format!("ref:{r}"))?;
                        // Offline, an application fetched here by its
                        // document answers to its reference too.
                        if found.source == LookupSource::Cache && found.applications.is_empty() {
                            let store = self.store()?;
                            let cached = lock(&store)
                                .cache_get(&application_key(&r), self.clock.now_ms())
                                .map_err(store_err)?;
                            if let Some(d) = cached
                                .and_then(|j| serde_json::from_str::<ApplicationDetail>(&j).ok())
                            {
                                found.applications.push(d.summary);
                            }
                        }
                        found
                    }
                    LookupQuery::NameAndBirth {
                        surname,
                        given_names,
                        date_of_birth,
                    } => {
                        let dob = ehr_domain::DateOfBirth::parse(date_of_birth).map_err(|_| {
                            ErrorBody::new(ErrorCode::FieldFormat).on_field("date_of_birth")
                        })?;
                        let surname = ehr_domain::person::EnglishName::new(surname, given_names)
                            .map_err(|_| {
                                ErrorBody::new(ErrorCode::FieldFormat).on_field("surname")
                            })?;
                        self.record_audit(AuditAction::Lookup, None)?;
                        let online = self.online_lookup(
                            Some(ApplicationQuery {
                                surname: Some(surname.surname().to_owned()),
                                given_names: Some(surname.given_names().to_owned())
                                    .filter(|g| !g.is_empty()),
                                date_of_birth: Some(dob.to_string()),
                                ..ApplicationQuery::default()
                            }),
                            None,
                        );
                        // Offline, a name search has no cache of its own.
                        match online {
                            Err(e) if unreachable(e.code) => Found {
                                applications: Vec::new(),
                                records: Vec::new(),
                                kept_as_sdm: Vec::new(),
                                source: LookupSource::Cache,
                            },
                            other => other?,
                        }
                    }
                    LookupQuery::HospitalDocument {
                        hospital_code,
                        serial,
                    } => {
                        let h = hospital_code.trim().to_ascii_uppercase();
                        let sn = serial.trim().to_ascii_uppercase();
                        let token = |v: &str| {
                            !v.is_empty()
                                && v.len() <= 32
                                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        };
                        if !token(&h) {
                            return Err(
                                ErrorBody::new(ErrorCode::FieldFormat).on_field("hospital_code")
                            );
                        }
                        if !token(&sn) {
                            return Err(ErrorBody::new(ErrorCode::FieldFormat).on_field("serial"));
                        }
                        self.record_audit(AuditAction::Lookup, Some(&h))?;
                        let online = self.online_lookup(
                            None,
                            Some(RecordQuery {
                                hospital_code: Some(h.clone()),
                                serial: Some(sn.clone()),
                                ..RecordQuery::default()
                            }),
                        );
                        self.found_or_cached(online, &birth_lookup_key(&h, &sn))?
                    }
                };
                task.found(found);
            }
            TaskEvent::Choose { reference } => {
                let (detail, from_cache) = self.fetch_detail(reference)?;
                self.record_audit(
                    AuditAction::ApplicationView,
                    Some(&detail.summary.reference),
                )?;
                task.offline = from_cache;
                task.chose(detail);
            }
            TaskEvent::WalkIn => {
                if task.patient.is_none() {
                    return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("patient"));
                }
                task.walk_in();
            }
            TaskEvent::PatientManual { entry } => match crate::card::check_manual(entry) {
                Ok(read) => task.patient_keyed(Person::from_read(&read)),
                Err(issues) => {
                    task.errors = prefixed("patient", issues);
                }
            },
            TaskEvent::AttendeeFromCard => {
                let Some(read) = self.card.current_read() else {
                    return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("attendee"));
                };
                task.attendee_read(Person::from_read(&read));
            }
            TaskEvent::AttendeeManual { entry } => match crate::card::check_manual(entry) {
                Ok(read) => task.attendee_read(Person::from_read(&read)),
                Err(issues) => {
                    task.errors = prefixed("attendee", issues);
                }
            },
            TaskEvent::Edit { form } => task.edit(form.clone()),
            TaskEvent::Attach { kind, image_id } => {
                let id = Uuid::parse_str(image_id)
                    .map_err(|_| ErrorBody::new(ErrorCode::CaptureNotFound))?;
                if !self.judge_data().held.contains(&id) {
                    return Err(ErrorBody::new(ErrorCode::CaptureNotFound));
                }
                if let Err(i) = task.attach(*kind, id) {
                    task.errors = vec![i];
                }
            }
            TaskEvent::Newborn => {
                if task.patient.is_none() {
                    return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("patient"));
                }
                let data = self.judge_data();
                if !ehr_rules::offered_type(data.site_type, "register_newborn") {
                    return Err(ErrorBody::new(ErrorCode::AuthForbidden));
                }
                let site = self.enrolment().site.map(|s| s.code);
                task.newborn(site.as_deref());
            }
            TaskEvent::Complete { ehr_number } => {
                let data = self.judge_data();
                if !ehr_rules::offered_type(data.site_type, "complete_newborn") {
                    return Err(ErrorBody::new(ErrorCode::AuthForbidden));
                }
                if let Err(i) = task.complete(ehr_number) {
                    task.errors = vec![i];
                }
            }
            TaskEvent::Consent { ehr_number } | TaskEvent::Withdraw { ehr_number } => {
                let consent = matches!(event, TaskEvent::Consent { .. });
                let op = if consent { "give_consent" } else { "withdraw" };
                if !ehr_rules::offered_type(self.judge_data().site_type, op) {
                    return Err(ErrorBody::new(ErrorCode::AuthForbidden));
                }
                // Identity first: the person, or their SDM, was read or keyed.
                if task.patient.is_none() {
                    return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("patient"));
                }
                let chosen = if consent {
                    task.consent_of(ehr_number)
                } else {
                    task.withdrawal_of(ehr_number)
                };
                if let Err(i) = chosen {
                    task.errors = vec![i];
                }
            }
            TaskEvent::ChangeParticulars { ehr_number }
            | TaskEvent::ChangeContact { ehr_number }
            | TaskEvent::TakeOver { ehr_number } => {
                let op = match event {
                    TaskEvent::ChangeParticulars { .. } => "change_particulars",
                    TaskEvent::ChangeContact { .. } => "change_contact",
                    _ => "take_over_record",
                };
                if !ehr_rules::offered_type(self.judge_data().site_type, op) {
                    return Err(ErrorBody::new(ErrorCode::AuthForbidden));
                }
                // Identity first: the person (for a take-over, the person
                // themselves), or their SDM, was read or keyed.
                if task.patient.is_none() {
                    return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("patient"));
                }
                let chosen = match event {
                    TaskEvent::ChangeParticulars { .. } => task.particulars_of(ehr_number),
                    TaskEvent::ChangeContact { .. } => task.contact_of(ehr_number),
                    _ => task.take_over_of(ehr_number),
                };
                if let Err(i) = chosen {
                    task.errors = vec![i];
                }
            }
            TaskEvent::PaperForm | TaskEvent::ResumeWorkItem { .. } => {}
            TaskEvent::EditPaper { form } => {
                if let Some(p) = task.paper.as_mut().filter(|p| p.stage == paper::FIRST) {
                    p.edit_first(form.as_ref().clone());
                    task.errors.clear();
                }
            }
            TaskEvent::EditPaperSecond { form } => {
                if let Some(p) = task.paper.as_mut().filter(|p| p.stage == paper::SECOND) {
                    p.edit_second(form.clone());
                    task.errors.clear();
                }
            }
            TaskEvent::PaperFirstDone | TaskEvent::PaperSecondDone => {
                return self.paper_keyed(&staff, task, event);
            }
            TaskEvent::PaperChoose { field, take } => {
                let chosen = task
                    .paper
                    .as_mut()
                    .filter(|p| p.stage == paper::RECONCILE)
                    .is_some_and(|p| p.choose(field, take));
                if !chosen {
                    return Err(ErrorBody::new(ErrorCode::FieldUnknownCode).on_field("differences"));
                }
                task.errors.clear();
            }
            TaskEvent::PaperDiscard => {
                if let Some(p) = task.paper.as_ref().filter(|p| p.version > 0) {
                    let change = ehr_store::Change {
                        record_key: task.record_key.clone(),
                        kind: "paper_form".to_owned(),
                        summary: summary_of(&task).1,
                        ops: vec![ehr_store::NewOp {
                            op: Operation::SaveWorkItem(p.save("discarded")),
                            attachment: None,
                        }],
                    };
                    self.commit_change_with_captures(&change, &[])?;
                }
                self.task_finish();
                return self.task_new();
            }
            TaskEvent::EditParticulars { form } => task.edit_particulars(form.clone()),
            TaskEvent::EditContact { form } => task.edit_contact(form.clone()),
            TaskEvent::EditTakeOver { form } => task.edit_take_over(form.clone()),
            TaskEvent::EditConsent { form } => task.edit_consent(form.clone()),
            TaskEvent::EditWithdrawal { form } => task.edit_withdrawal(form.clone()),
            TaskEvent::EditNewborn { form } => task.edit_newborn(form.clone()),
            TaskEvent::EditCompletion { form } => task.edit_completion(form.clone()),
            TaskEvent::Next => task.next(),
            // Back from a paper form leaves it in the RO's list for any
            // clerk to resume: a first keying begun is saved as it stands
            // (nothing keyed yet: nothing to keep).
            TaskEvent::Back if task.kind == TaskKind::PaperForm => {
                if let Some(p) = task.paper.as_mut() {
                    if p.stage == paper::FIRST && p.keyed_anything() {
                        self.paper_save(&task.record_key, p, paper::FIRST)?;
                    }
                }
                self.task_finish();
                return self.task_new();
            }
            TaskEvent::Back => task.back(),
            TaskEvent::Submit => return self.submit(&staff, task),
        }
        self.keep(&staff, task)
    }

    /// A new paper form, or an open work item of this Registration Office
    /// resumed: a task of its own (whatever was on screen goes).
    fn paper_start(&self, staff: &str, event: &TaskEvent) -> Result<TaskView, ErrorBody> {
        let data = self.judge_data();
        if !ehr_rules::offered_type(data.site_type, "key_paper_application") {
            return Err(ErrorBody::new(ErrorCode::AuthForbidden));
        }
        let state = match event {
            TaskEvent::ResumeWorkItem { id } => {
                let id = Uuid::parse_str(id)
                    .map_err(|_| ErrorBody::new(ErrorCode::FieldFormat).on_field("id"))?;
                let item: wire::WorkItemDetail = self.follow_up_get(&format!("work-items/{id}"))?;
                paper::PaperState::from_work_item(&item.item, &item.payload)
                    .ok_or_else(|| ErrorBody::new(ErrorCode::CentralBadAnswer))?
            }
            _ => paper::PaperState::new(staff, data.today),
        };
        self.clear_task_state();
        // The task's own record key: its saves and its keying go in order;
        // the work item's version orders the saves of every counter.
        let mut task = Task::new(Uuid::new_v4());
        task.kind = TaskKind::PaperForm;
        task.stage = TaskStage::Details;
        task.paper = Some(state);
        self.keep(staff, task)
    }

    /// The first keying or the second is done: checked, then saved as the
    /// work item's next version through the outbox (the form's image with
    /// the first save), the second keying compared with the first.
    fn paper_keyed(
        &self,
        staff: &str,
        mut task: Task,
        event: &TaskEvent,
    ) -> Result<TaskView, ErrorBody> {
        let first = matches!(event, TaskEvent::PaperFirstDone);
        let want = if first { paper::FIRST } else { paper::SECOND };
        if task.paper.as_ref().map(|p| p.stage.as_str()) != Some(want) {
            return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("second"));
        }
        let data = self.judge_data_for(&task);
        if let Err(issues) = task.check_all(&data.judge()) {
            task.errors = issues;
            return self.keep(staff, task);
        }
        let Some(p) = task.paper.as_mut() else {
            return Err(ErrorBody::new(ErrorCode::Internal));
        };
        let next = if first {
            // Who finished the first keying: the second is another's, or
            // theirs without seeing it.
            p.first_keyed_by = staff.to_owned();
            paper::SECOND
        } else {
            p.compare();
            paper::RECONCILE
        };
        self.paper_save(&task.record_key, p, next)?;
        task.errors.clear();
        self.keep(staff, task)
    }

    /// Save the paper form `p` as its work item's next version at `stage`
    /// through the outbox (with the form's image, the first time).
    fn paper_save(
        &self,
        record_key: &str,
        p: &mut paper::PaperState,
        stage: &str,
    ) -> Result<(), ErrorBody> {
        let image = p
            .form_image
            .clone()
            .filter(|_| !p.form_image_uploaded)
            .into_iter()
            .collect::<Vec<_>>();
        let save = p.save(stage);
        let change = ehr_store::Change {
            record_key: record_key.to_owned(),
            kind: "paper_form".to_owned(),
            summary: save.document_masked.clone(),
            ops: vec![ehr_store::NewOp {
                op: Operation::SaveWorkItem(save),
                attachment: None,
            }],
        };
        let images: Vec<&str> = image.iter().map(String::as_str).collect();
        self.commit_change_with_captures(&change, &images)?;
        p.version += 1;
        p.stage = stage.to_owned();
        p.form_image_uploaded = p.form_image.is_some();
        Ok(())
    }

    /// The open work items (half-keyed paper forms) of this Registration
    /// Office, oldest first. Needs the service.
    pub fn work_items(&self) -> Result<Vec<WorkItemRow>, ErrorBody> {
        let list: wire::WorkItemList = self.follow_up_get("work-items")?;
        Ok(list.items.iter().map(paper::row).collect())
    }

    /// A supervisor signs off the task's differences (or a pre-1980
    /// number) with their own credential, at the service.
    pub fn task_sign_off(&self, req: &TaskSignOffRequest) -> Result<TaskView, ErrorBody> {
        let staff = self.task_session()?;
        let Some(mut task) = lock(&self.task).clone() else {
            return Err(ErrorBody::new(ErrorCode::TaskNone));
        };
        let given = self.supervisor_sign_off(&SignOffRequest {
            staff_code: req.staff_code.clone(),
            password: req.password.clone(),
            record_key: task.record_key.clone(),
            reason: req.reason.clone(),
        })?;
        task.sign_off = Some(given.token);
        self.keep(&staff, task)
    }

    fn submit(&self, staff: &str, mut task: Task) -> Result<TaskView, ErrorBody> {
        // A paper form goes once both keyings agree (or each disagreement
        // is decided).
        if task.kind == TaskKind::PaperForm
            && task.paper.as_ref().map(|p| p.stage.as_str()) != Some(paper::RECONCILE)
        {
            task.errors = vec![machine::service_issue("second", ErrorCode::FieldRequired)];
            return self.keep(staff, task);
        }
        let data = self.judge_data_for(&task);
        let ops = match task.check_all(&data.judge()) {
            Ok(ops) => ops,
            Err(issues) => {
                task.errors = issues;
                return self.keep(staff, task);
            }
        };
        let Some(op) = ops.first().cloned() else {
            return Err(ErrorBody::new(ErrorCode::Internal));
        };
        let (kind, summary) = summary_of(&task);
        let change = ehr_store::Change {
            record_key: task.record_key.clone(),
            kind: kind.to_owned(),
            summary,
            ops: ops
                .iter()
                .map(|op| ehr_store::NewOp {
                    op: op.clone(),
                    attachment: None,
                })
                .collect(),
        };
        let paper_image = task
            .paper
            .as_ref()
            .filter(|p| !p.form_image_uploaded)
            .and_then(|p| p.form_image.clone());
        let images: Vec<&str> = match task.kind {
            TaskKind::Newborn => vec![&task.hospital_image],
            TaskKind::Completion => vec![&task.certificate_image],
            TaskKind::PaperForm => vec![&paper_image],
            _ => vec![&task.patient_copy_image, &task.supporting_image],
        }
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
        self.commit_change_with_captures(&change, &images)?;
        tracing::info!(
            task = kind,
            record = %task.record_key,
            ops = change.ops.len(),
            captures = images.len(),
            "task submitted to the outbox"
        );
        // What was fetched for this person was used: it leaves the cache
        // (the application's detail, and the look-up by their document).
        if let Ok(store) = self.store() {
            let mut store = lock(&store);
            if let Some(a) = &task.application {
                let _ = store.cache_remove(&application_key(&a.summary.reference));
            }
            if let Some(doc) = task.patient.as_ref().and_then(Person::document) {
                let _ = store.cache_remove(&document_key(&doc));
            }
            match &op {
                // This counter registered this hospital document: a second
                // registration here is refused before it is queued (kept
                // as long as the record may wait for its certificate).
                Operation::RegisterNewborn(n) => {
                    let ttl =
                        i64::from(data.policy.newborn_follow_up_days.max(60)) * 86_400_000 * 2;
                    let _ = store.cache_put(
                        &birth_key(&n.hospital_code, &n.serial),
                        "1",
                        ttl,
                        self.clock.now_ms(),
                    );
                }
                Operation::CompleteNewborn(_) => {
                    if let Some(wire::RecordIdentifier::BirthHospital {
                        hospital_code,
                        serial,
                    }) = task.record.as_ref().map(|r| &r.identifier)
                    {
                        let _ = store.cache_remove(&birth_lookup_key(hospital_code, serial));
                    }
                }
                _ => {}
            }
        }
        let slip = self.complete_task_slip(&task_slip(&task, &op, data.reference.as_ref()))?;
        let store = self.store()?;
        let _ = lock(&store).drop_draft(staff);
        task.stage = TaskStage::Done;
        task.errors.clear();
        *lock(&self.task_result) = Some(TaskResult {
            record_key: task.record_key.clone(),
            slip,
        });
        let view = self.view_of(&task);
        *lock(&self.task) = Some(task);
        Ok(view)
    }

    /// The task is finished (or abandoned): nothing of the person stays,
    /// neither on screen nor kept; held captures go.
    pub fn task_finish(&self) -> ReaderView {
        if let Ok(staff) = self.staff_any() {
            if let Ok(store) = self.store() {
                let _ = lock(&store).drop_draft(&staff.staff_code);
            }
        }
        self.clear_task_state();
        self.finish_task()
    }

    /// The signed-in clerk's task kept from before (a crash, a restart), if
    /// any: offered back to them only.
    pub fn task_draft(&self) -> Result<Option<DraftOffer>, ErrorBody> {
        let staff = self.task_session()?;
        if lock(&self.task).is_some() {
            return Ok(None);
        }
        let store = self.store()?;
        let d = lock(&store)
            .draft_for(&staff, self.clock.now_ms())
            .map_err(store_err)?;
        Ok(d.map(|d| DraftOffer {
            task_id: d.task_id,
            kind: KINDS
                .into_iter()
                .find(|k| kind_code(*k) == d.kind)
                .unwrap_or(TaskKind::Lookup),
            updated_at_ms: d.updated_at_ms,
        }))
    }

    /// Take the kept task back up.
    pub fn task_resume(&self) -> Result<Option<TaskView>, ErrorBody> {
        let staff = self.task_session()?;
        let store = self.store()?;
        let d = lock(&store)
            .draft_for(&staff, self.clock.now_ms())
            .map_err(store_err)?;
        let Some(d) = d else {
            return Ok(None);
        };
        let Ok(mut task) = serde_json::from_str::<Task>(&d.state) else {
            // A draft this build cannot read helps nobody: it goes.
            let _ = lock(&store).drop_draft(&staff);
            return Ok(None);
        };
        // Captures end with the session that took them (and after a day):
        // one that is gone is no longer attached, and is asked for again.
        let held = self.judge_data().held;
        for image in [
            &mut task.patient_copy_image,
            &mut task.supporting_image,
            &mut task.hospital_image,
            &mut task.certificate_image,
        ] {
            let gone = image
                .as_deref()
                .and_then(|i| Uuid::parse_str(i).ok())
                .is_none_or(|i| !held.contains(&i));
            if gone {
                *image = None;
            }
        }
        *lock(&self.task_result) = None;
        let view = self.view_of(&task);
        *lock(&self.task) = Some(task);
        Ok(Some(view))
    }

    /// The lists the form picks from.
    pub fn task_choices(&self) -> Result<TaskChoices, ErrorBody> {
        self.task_session()?;
        let r = self.reference()?.map(|(r, _)| r);
        let choice = |code: &str, en: &str, zh: &str| Choice {
            code: code.to_owned(),
            name_en: en.to_owned(),
            name_zh: zh.to_owned(),
        };
        let site_code = self.enrolment().site.map(|s| s.code);
        Ok(match r {
            None => TaskChoices {
                relationships: Vec::new(),
                private_providers: Vec::new(),
                public_providers: Vec::new(),
                birth_hospitals: Vec::new(),
                site_code,
            },
            Some(r) => TaskChoices {
                relationships: r
                    .sdm_relationships
                    .iter()
                    .map(|x| choice(&x.code, &x.name_en, &x.name_zh))
                    .collect(),
                private_providers: r
                    .private_providers
                    .iter()
                    .map(|x| choice(&x.id, &x.name_en, &x.name_zh))
                    .collect(),
                public_providers: r
                    .public_providers
                    .iter()
                    .map(|x| choice(&x.id, &x.name_en, &x.name_zh))
                    .collect(),
                birth_hospitals: r
                    .sites
                    .iter()
                    .filter(|x| x.site_type == SiteType::BirthHospital)
                    .map(|x| choice(&x.code, &x.name_en, &x.name_zh))
                    .collect(),
                site_code,
            },
        })
    }

    /// The full document number of the task's patient (`who` =
    /// `patient`) or attending person (`attendee`), for the clerk to see:
    /// the reveal is audited (`id.reveal`, by the masked number) first, and
    /// nothing is shown if that fails.
    pub fn task_reveal(&self, who: &str) -> Result<String, ErrorBody> {
        self.task_session()?;
        let person = lock(&self.task).as_ref().and_then(|t| match who {
            "patient" => t.patient.clone(),
            "attendee" => t.attendee.clone(),
            _ => None,
        });
        let Some(p) = person else {
            return Err(ErrorBody::new(ErrorCode::FieldRequired).on_field("who"));
        };
        self.audit_reveal(&p.view.document_masked)?;
        Ok(p.details.document_number)
    }
}

fn prefixed(
    prefix: &str,
    issues: Vec<ehr_protocol::card::FieldIssue>,
) -> Vec<ehr_protocol::card::FieldIssue> {
    issues
        .into_iter()
        .map(|mut i| {
            i.field = format!("{prefix}.{}", i.field);
            i
        })
        .collect()
}

/// The kind and the attention list's summary of a task's change (masked
/// number only).
fn summary_of(task: &Task) -> (&'static str, String) {
    let masked = task
        .patient
        .as_ref()
        .map(|p| p.view.document_masked.clone())
        .unwrap_or_default();
    match task.kind {
        TaskKind::Activation => (
            "activation",
            format!(
                "{} {masked}",
                task.application
                    .as_ref()
                    .map(|a| a.summary.reference.as_str())
                    .unwrap_or_default()
            ),
        ),
        TaskKind::Newborn => (
            "newborn",
            format!(
                "{} {masked}",
                task.newborn
                    .as_ref()
                    .map(|f| f.hospital_code.as_str())
                    .unwrap_or_default()
            ),
        ),
        TaskKind::Completion => ("completion", masked),
        TaskKind::PaperForm => (
            "paper_form",
            task.paper
                .as_ref()
                .map(|p| p.save(paper::FIRST).document_masked)
                .unwrap_or_default(),
        ),
        TaskKind::Consent
        | TaskKind::Withdrawal
        | TaskKind::Particulars
        | TaskKind::Contact
        | TaskKind::TakeOver => (
            kind_code(task.kind),
            task.record
                .as_ref()
                .and_then(|r| match &r.identifier {
                    wire::RecordIdentifier::Document {
                        document_number_masked,
                        ..
                    } => Some(document_number_masked.clone()),
                    wire::RecordIdentifier::BirthHospital { .. } => None,
                })
                .unwrap_or(masked),
        ),
        _ => ("walk_in", masked),
    }
}

fn task_slip(
    task: &Task,
    op: &Operation,
    reference_data: Option<&ReferenceData>,
) -> crate::documents::TaskSlip {
    use ehr_slip::{AccessKeyChannel, SlipTask};
    let patient = task.patient.as_ref();
    let (slip_task, reference) = match op {
        Operation::ActivateApplication(a) => (SlipTask::Activation, a.reference.clone()),
        Operation::RegisterInPerson(r) => (
            match (&r.applicant, task.form.capacity.as_str()) {
                (ehr_protocol::wire::ApplicantDetails::Sdm { .. }, "capable") => {
                    SlipTask::RegisterSdmMinor
                }
                (ehr_protocol::wire::ApplicantDetails::Sdm { .. }, _) => SlipTask::RegisterSdmAdult,
                (ehr_protocol::wire::ApplicantDetails::AuthorisedPerson { .. }, _) => {
                    SlipTask::AuthorisedPerson
                }
                _ => SlipTask::RegisterAdult,
            },
            task.record_key.clone(),
        ),
        Operation::RegisterNewborn(n) => {
            // The baby's name as registered: chosen, or "Baby of" the
            // parent (the rules' own composition).
            let (en, zh) = match &n.surname {
                Some(s) => (
                    name_of(s, n.given_names.as_deref().unwrap_or_default()),
                    n.chinese_name.clone(),
                ),
                None => {
                    let (en, zh) = patient.map(machine::baby_of).unwrap_or_default();
                    (en, n.chinese_name.clone().or(zh))
                }
            };
            let f = task.newborn.clone().unwrap_or_default();
            return crate::documents::TaskSlip {
                task: SlipTask::NewbornRegistration,
                reference: task.record_key.clone(),
                document: patient.and_then(Person::document),
                name_en: en,
                name_zh: zh,
                channel: channel_of(&f.channel),
                providers: Vec::new(),
                language: language_of(&f.slip_language),
            };
        }
        Operation::CompleteNewborn(c) => {
            return crate::documents::TaskSlip {
                task: SlipTask::NewbornCompletion,
                reference: task.record_key.clone(),
                document: ehr_domain::DocumentNumber::parse(
                    ehr_domain::DocumentType::HkBirthCertificate,
                    &c.birth_certificate_number,
                )
                .ok(),
                name_en: name_of(&c.surname, &c.given_names),
                name_zh: c.chinese_name.clone(),
                // The access key went out at registration.
                channel: AccessKeyChannel::None,
                providers: Vec::new(),
                language: language_of(
                    task.completion
                        .as_ref()
                        .map(|f| f.slip_language.as_str())
                        .unwrap_or("both"),
                ),
            };
        }
        Operation::GiveConsent(_) | Operation::RevokeConsent(_) | Operation::Withdraw(_) => {
            let f = task.consent.clone().unwrap_or_default();
            let (slip_task, language) = match op {
                Operation::Withdraw(_) => (
                    SlipTask::Withdrawal,
                    task.withdrawal
                        .as_ref()
                        .map(|w| w.slip_language.clone())
                        .unwrap_or_default(),
                ),
                Operation::GiveConsent(_) => (SlipTask::ConsentGiven, f.slip_language.clone()),
                _ => (SlipTask::ConsentRevoked, f.slip_language.clone()),
            };
            let providers = if matches!(op, Operation::Withdraw(_)) {
                Vec::new()
            } else {
                slip_providers(reference_data, &f.give, &f.revoke)
            };
            return record_slip(
                task,
                slip_task,
                AccessKeyChannel::None,
                providers,
                &language,
            );
        }
        Operation::KeyPaperApplication(k) => {
            return crate::documents::TaskSlip {
                task: SlipTask::PaperKeyed,
                reference: task.record_key.clone(),
                document: ehr_domain::DocumentType::from_code(&k.patient.document_type)
                    .ok()
                    .and_then(|t| ehr_rules::validate::known_number(t, &k.patient.document_number)),
                name_en: name_of(&k.patient.surname, &k.patient.given_names),
                name_zh: k.patient.chinese_name.clone(),
                // The access key goes out when the application is activated.
                channel: AccessKeyChannel::None,
                providers: Vec::new(),
                language: SlipLanguage::Both,
            };
        }
        Operation::ChangeParticulars(c) => {
            let f = task.particulars.clone().unwrap_or_default();
            return crate::documents::TaskSlip {
                task: SlipTask::ParticularsChanged,
                reference: task.record_key.clone(),
                document: ehr_domain::DocumentType::from_code(&c.person.document_type)
                    .ok()
                    .and_then(|t| ehr_rules::validate::known_number(t, &c.person.document_number)),
                name_en: name_of(&c.person.surname, &c.person.given_names),
                name_zh: c.person.chinese_name.clone(),
                channel: AccessKeyChannel::None,
                providers: Vec::new(),
                language: language_of(&f.slip_language),
            };
        }
        Operation::ChangeContact(_) | Operation::ResendAccessKey(_) => {
            let f = task.contact_change.clone().unwrap_or_default();
            // The new key goes by the new channel, else by the one held.
            let held = task
                .record
                .as_ref()
                .and_then(|r| r.contact.as_ref())
                .map(|c| machine::channel_code(c.channel));
            let channel = match (f.resend_key, f.change_contact) {
                (false, _) => AccessKeyChannel::None,
                (true, true) => channel_of(&f.channel),
                (true, false) => held.map_or(AccessKeyChannel::None, channel_of),
            };
            let slip_task = if f.change_contact {
                SlipTask::ContactChanged
            } else {
                SlipTask::AccessKeyResent
            };
            return record_slip(task, slip_task, channel, Vec::new(), &f.slip_language);
        }
        Operation::TakeOverRecord(t) => {
            let f = task.take_over.clone().unwrap_or_default();
            // The consents the person gives now, and the SDM's they left.
            let revoked: Vec<String> = task
                .record
                .iter()
                .flat_map(|r| &r.consents)
                .filter(|c| {
                    c.kind == wire::ProviderKind::Private
                        && c.state == wire::ConsentState::Given
                        && !f.consents.contains(&c.provider_id)
                })
                .map(|c| c.provider_id.clone())
                .collect();
            return crate::documents::TaskSlip {
                task: SlipTask::TakeOver,
                reference: task.record_key.clone(),
                document: patient.and_then(Person::document),
                name_en: name_of(&t.presented.surname, &t.presented.given_names),
                name_zh: t.presented.chinese_name.clone(),
                channel: channel_of(&f.channel),
                providers: slip_providers(reference_data, &f.consents, &revoked),
                language: language_of(&f.slip_language),
            };
        }
        _ => (SlipTask::RegisterAdult, task.record_key.clone()),
    };
    crate::documents::TaskSlip {
        task: slip_task,
        reference,
        document: patient.and_then(Person::document),
        name_en: patient
            .map(|p| p.view.english_name.clone())
            .unwrap_or_default(),
        name_zh: patient.and_then(|p| p.view.chinese_name.clone()),
        channel: channel_of(&task.form.channel),
        providers: Vec::new(),
        language: language_of(&task.form.slip_language),
    }
}

/// Every task kind, for its code in the store's drafts.
const KINDS: [TaskKind; 11] = [
    TaskKind::Lookup,
    TaskKind::Activation,
    TaskKind::WalkIn,
    TaskKind::Newborn,
    TaskKind::Completion,
    TaskKind::Consent,
    TaskKind::Withdrawal,
    TaskKind::Particulars,
    TaskKind::Contact,
    TaskKind::TakeOver,
    TaskKind::PaperForm,
];

/// A task kind's code (as on the wire).
fn kind_code(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Lookup => "lookup",
        TaskKind::Activation => "activation",
        TaskKind::WalkIn => "walk_in",
        TaskKind::Newborn => "newborn",
        TaskKind::Completion => "completion",
        TaskKind::Consent => "consent",
        TaskKind::Withdrawal => "withdrawal",
        TaskKind::Particulars => "particulars",
        TaskKind::Contact => "contact",
        TaskKind::TakeOver => "take_over",
        TaskKind::PaperForm => "paper_form",
    }
}

/// The providers a slip lists, given then revoked, by the register's
/// names (an id the register no longer has is printed as the id).
fn slip_providers(
    reference_data: Option<&ReferenceData>,
    given: &[String],
    revoked: &[String],
) -> Vec<ehr_slip::SlipProvider> {
    let name = |id: &str| {
        reference_data
            .and_then(|r| r.private_providers.iter().find(|p| p.id == id))
            .map(|p| (p.name_en.clone(), p.name_zh.clone()))
            .unwrap_or_else(|| (id.to_owned(), id.to_owned()))
    };
    given
        .iter()
        .map(|id| (id, true))
        .chain(revoked.iter().map(|id| (id, false)))
        .map(|(id, given)| {
            let (name_en, name_zh) = name(id);
            ehr_slip::SlipProvider {
                name_en,
                name_zh,
                given,
            }
        })
        .collect()
}

/// The slip of a change to a record looked up: the person whose record it
/// is (their document as identified when it is their own, else none:
/// an SDM acted), named as the record has them.
fn record_slip(
    task: &Task,
    slip_task: ehr_slip::SlipTask,
    channel: ehr_slip::AccessKeyChannel,
    providers: Vec<ehr_slip::SlipProvider>,
    language: &str,
) -> crate::documents::TaskSlip {
    let record = task.record.as_ref();
    crate::documents::TaskSlip {
        task: slip_task,
        reference: task.record_key.clone(),
        document: task
            .patient
            .as_ref()
            .filter(|p| {
                record.is_none_or(|r| {
                    matches!(&r.identifier, wire::RecordIdentifier::Document {
                        document_number_masked, ..
                    } if *document_number_masked == p.view.document_masked)
                })
            })
            .and_then(Person::document),
        name_en: record
            .map(|r| name_of(&r.surname, &r.given_names))
            .unwrap_or_default(),
        name_zh: record.and_then(|r| r.chinese_name.clone()),
        channel,
        providers,
        language: language_of(language),
    }
}

fn channel_of(code: &str) -> ehr_slip::AccessKeyChannel {
    use ehr_slip::AccessKeyChannel;
    match code {
        "email" => AccessKeyChannel::Email,
        "post" => AccessKeyChannel::Post,
        _ => AccessKeyChannel::Sms,
    }
}

fn language_of(code: &str) -> SlipLanguage {
    match code {
        "en" => SlipLanguage::En,
        "zh" => SlipLanguage::Zh,
        _ => SlipLanguage::Both,
    }
}

fn name_of(surname: &str, given: &str) -> String {
    if given.trim().is_empty() {
        surname.trim().to_owned()
    } else {
        format!("{}, {}", surname.trim(), given.trim())
    }
}

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod newborn_tests;

#[cfg(test)]
mod consent_tests;

#[cfg(test)]
mod record_changes_tests;

#[cfg(test)]
mod paper_tests;
