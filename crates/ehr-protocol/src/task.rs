//! The counter's main path as the UI sees it (issue #13): a look-up, the task
//! in hand (an activation of a pending application or a walk-in
//! registration), the events the UI sends it and the view it renders.
//!
//! The task itself is a typed state machine in `ehr-app`; these are its IPC
//! shapes. Document numbers appear masked only. Types that carry a person's
//! particulars have a redacting `Debug`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::card::{FieldIssue, IdentityView, ManualIdentityRequest};
use crate::ipc::{CaptureKind, SlipView};
use crate::redact::{self, Redacted};

/// How the clerk looks a person up (besides a card read, which looks up by
/// the card's document at once).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum LookupQuery {
    /// By the application reference (typed, or from the confirmation's QR
    /// code by a scanner that types).
    Reference {
        /// The reference as typed or scanned.
        reference: String,
    },
    /// By English surname (and given names) and date of birth.
    NameAndBirth {
        /// The surname.
        surname: String,
        /// The given names (may be empty).
        given_names: String,
        /// The date of birth (`DD/MM/YYYY` or `YYYY-MM-DD`).
        date_of_birth: String,
    },
    /// A newborn's record by the birth hospital's document.
    HospitalDocument {
        /// The birth hospital's code.
        hospital_code: String,
        /// The document's serial number.
        serial: String,
    },
}

/// Where a look-up's answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LookupSource {
    /// The central service, now.
    Central,
    /// The service could not be reached: this counter's encrypted cache of
    /// earlier look-ups answered (it may be incomplete).
    Cache,
}

/// A pending (or expired, or activated) application in a look-up's list.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApplicationRow {
    /// The application reference.
    pub reference: String,
    /// Its state on the day: `pending`, `submitted_online`, `keyed_from_paper`,
    /// `activated`, `expired`, `cancelled`.
    pub state: String,
    /// How it arrived: `online`, `paper_post`, `paper_fax`, `paper_drop_in`.
    pub origin: String,
    /// The day it was submitted (`DD/MM/YYYY`).
    pub submitted_on: String,
    /// The first day it is expired (`DD/MM/YYYY`).
    pub expires_on: String,
    /// Whether it can no longer be activated because it expired.
    pub expired: bool,
    /// The patient's document type code.
    pub document_type: String,
    /// The patient's document number, masked.
    pub document_masked: String,
    /// The patient's English name.
    pub name_en: String,
    /// The patient's Chinese name.
    pub chinese_name: Option<String>,
    /// The patient's date of birth (`DD/MM/YYYY`).
    pub date_of_birth: String,
    /// Who applied: `self`, `sdm`, `authorised_person`.
    pub applicant_role: String,
}

/// A sharing consent of a registered record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConsentRow {
    /// The provider's id.
    pub provider_id: String,
    /// Its name in English.
    pub name_en: String,
    /// Its name in Chinese.
    pub name_zh: String,
    /// `public` (held automatically) or `private`.
    pub kind: String,
    /// `automatic`, `given`, `revoked`, `not_given`.
    pub state: String,
    /// When it was given (`DD/MM/YYYY`).
    pub given_on: Option<String>,
}

/// A registered record found for the person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordRow {
    /// The eHR number.
    pub ehr_number: String,
    /// `effective`, `awaiting_birth_certificate`, `withdrawn`, ...
    pub state: String,
    /// The document, masked (absent for a newborn's hospital document).
    pub document_masked: Option<String>,
    /// The English name.
    pub name_en: String,
    /// The Chinese name.
    pub chinese_name: Option<String>,
    /// The day it took effect (`DD/MM/YYYY`).
    pub registered_on: String,
    /// Its sharing consents, public providers first.
    pub consents: Vec<ConsentRow>,
    /// A newborn's birth hospital (records awaiting the birth certificate).
    pub hospital_code: Option<String>,
    /// A newborn's hospital document serial.
    pub serial: Option<String>,
    /// The baby's day of birth (`DD/MM/YYYY`).
    pub date_of_birth: String,
    /// The substitute decision maker's document, masked.
    pub sdm_document_masked: Option<String>,
    /// The substitute decision maker's relationship, in English and
    /// Chinese (the reference data's names; the code when unknown).
    pub sdm_relationship: Option<(String, String)>,
}

/// What a look-up found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LookupView {
    /// Applications, newest first.
    pub applications: Vec<ApplicationRow>,
    /// Registered records.
    pub records: Vec<RecordRow>,
    /// Records the person identified keeps as substitute decision maker
    /// (a parent's newborns awaiting the birth certificate, for example).
    pub kept_as_sdm: Vec<RecordRow>,
    /// Where the answer came from.
    pub source: LookupSource,
}

/// The kind of task in hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A look-up; nothing chosen yet.
    Lookup,
    /// Activation of a pending application.
    Activation,
    /// A walk-in registration.
    WalkIn,
    /// A newborn's registration at a birth-hospital desk, before the
    /// birth certificate exists (the person identified is the parent).
    Newborn,
    /// Completion of a newborn's record with the birth certificate.
    Completion,
    /// Sharing consent given to, or revoked from, private providers.
    Consent,
    /// Withdrawal from eHealth.
    Withdrawal,
    /// A correction of a record's particulars from its corrected document.
    Particulars,
    /// A change of contact details and notification channel, and/or a new
    /// access key.
    Contact,
    /// A child kept by an SDM who turned 16 takes their record over.
    TakeOver,
    /// A paper application form (RE(C)01) keyed at the Registration
    /// Office, its identifying fields keyed twice.
    PaperForm,
}

/// Where the task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskStage {
    /// Waiting for a card, a document or a look-up.
    Identify,
    /// The look-up's results are shown.
    Found,
    /// Activation: the identity and the application side by side.
    Compare,
    /// The particulars, contact details, documents and declaration.
    Details,
    /// Submitted; the slip is ready.
    Done,
}

/// One compared field of an activation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldRow {
    /// `document`, `english_name`, `chinese_name`, `date_of_birth`, `sex`.
    pub field: String,
    /// As read (the document masked).
    pub read: String,
    /// As applied (the document masked).
    pub applied: String,
    /// `same`, `different` or `missing`.
    pub result: String,
}

/// What the clerk fills in: the same shape for an activation and a
/// walk-in (an activation uses the contact part and the declaration).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TaskForm {
    /// `capable`, or `incapable:<ground>`.
    pub capacity: String,
    /// `self`, `sdm` or `authorised_person`.
    pub applicant_role: String,
    /// The SDM's relationship code (reference data).
    pub relationship: String,
    /// `sms`, `email` or `post`.
    pub channel: String,
    /// The person's language for notices and the slip: `en` or `zh`.
    pub language: String,
    /// The mobile number, email address or postal address.
    pub address: String,
    /// Private providers to give sharing consent to (ids).
    pub consents: Vec<String>,
    /// The clerk confirmed that no SDM of a higher tier exists.
    pub no_higher_tier_declared: bool,
    /// The person (or SDM) made the declaration.
    pub declaration: bool,
    /// The slip's language: `en`, `zh` or `both`.
    pub slip_language: String,
}

impl Default for TaskForm {
    fn default() -> Self {
        TaskForm {
            capacity: "capable".into(),
            applicant_role: "self".into(),
            relationship: String::new(),
            channel: "sms".into(),
            language: "zh".into(),
            address: String::new(),
            consents: Vec::new(),
            no_higher_tier_declared: false,
            declaration: false,
            slip_language: "both".into(),
        }
    }
}

/// What the clerk keys for a newborn's registration.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewbornForm {
    /// The birth hospital's site code (this counter's site by default).
    pub hospital_code: String,
    /// The hospital document's serial number.
    pub serial: String,
    /// The baby's day of birth (`DD/MM/YYYY` or `YYYY-MM-DD`).
    pub date_of_birth: String,
    /// The time of birth (`HH:MM`, 24-hour).
    pub time_of_birth: String,
    /// `male`, `female`, or empty until chosen.
    pub sex: String,
    /// The baby's English surname, if chosen (else "Baby of" the parent).
    pub surname: String,
    /// The baby's English given names, if chosen.
    pub given_names: String,
    /// The baby's Chinese name, if chosen.
    pub chinese_name: String,
    /// The parent's relationship code (`parent`).
    pub relationship: String,
    /// `sms`, `email` or `post`.
    pub channel: String,
    /// The parent's language for notices and the slip: `en` or `zh`.
    pub language: String,
    /// The mobile number, email address or postal address.
    pub address: String,
    /// The parent made the declaration.
    pub declaration: bool,
    /// The slip's language: `en`, `zh` or `both`.
    pub slip_language: String,
}

impl Default for NewbornForm {
    fn default() -> Self {
        NewbornForm {
            hospital_code: String::new(),
            serial: String::new(),
            date_of_birth: String::new(),
            time_of_birth: String::new(),
            sex: String::new(),
            surname: String::new(),
            given_names: String::new(),
            chinese_name: String::new(),
            relationship: "parent".into(),
            channel: "sms".into(),
            language: "zh".into(),
            address: String::new(),
            declaration: false,
            slip_language: "both".into(),
        }
    }
}

/// What the clerk keys to complete a newborn's record.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct CompletionForm {
    /// The birth certificate number (check digit verified).
    pub birth_certificate_number: String,
    /// The surname as on the certificate.
    pub surname: String,
    /// The given names as on the certificate.
    pub given_names: String,
    /// The Chinese name as on the certificate.
    pub chinese_name: String,
    /// The slip's language: `en`, `zh` or `both` (empty: both).
    pub slip_language: String,
}

/// What the clerk changes of a record's sharing consent: private
/// providers to give consent to and to revoke it from (ids from the
/// register; public providers hold it automatically and are not here).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ConsentForm {
    /// Providers to give sharing consent to.
    pub give: Vec<String>,
    /// Providers to revoke sharing consent from.
    pub revoke: Vec<String>,
    /// The person (or their SDM) confirmed the change.
    pub declaration: bool,
    /// The slip's language: `en`, `zh` or `both` (empty: both).
    pub slip_language: String,
}

/// What the clerk confirms for a withdrawal.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct WithdrawalForm {
    /// The person (or their SDM) confirmed, after being told what
    /// withdrawal means, that they withdraw.
    pub confirmed: bool,
    /// The slip's language: `en`, `zh` or `both` (empty: both).
    pub slip_language: String,
}

/// What the clerk keys to correct a record's particulars: the record's
/// own document as now presented (corrected), whose image is the proof.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ParticularsForm {
    /// The document type code (the record's own document).
    pub document_type: String,
    /// The document number (the record's own).
    pub document_number: String,
    /// The English surname as corrected.
    pub surname: String,
    /// The English given names as corrected.
    pub given_names: String,
    /// The Chinese name as corrected (may be empty).
    pub chinese_name: String,
    /// The date of birth as corrected (`DD/MM/YYYY` or `YYYY-MM-DD`).
    pub date_of_birth: String,
    /// `male`, `female`, or empty (unchanged).
    pub sex: String,
    /// The person (or their SDM) confirmed the change.
    pub declaration: bool,
    /// The slip's language: `en`, `zh` or `both` (empty: both).
    pub slip_language: String,
}

/// What the clerk changes of a record's contact: new contact details
/// and channel, a new access key, or both.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ContactChangeForm {
    /// Change the contact details and channel to those below.
    pub change_contact: bool,
    /// `sms`, `email` or `post`.
    pub channel: String,
    /// The person's language for notices: `en` or `zh`.
    pub language: String,
    /// The mobile number, email address or postal address.
    pub address: String,
    /// Send a new access key (by the new channel when it changes; the old
    /// key stops working).
    pub resend_key: bool,
    /// The slip's language: `en`, `zh` or `both` (empty: both).
    pub slip_language: String,
}

/// What a child who turned 16 confirms taking their record over: their
/// own contact, the private providers they consent to, their declaration.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct TakeOverForm {
    /// `sms`, `email` or `post`.
    pub channel: String,
    /// The person's language for notices: `en` or `zh`.
    pub language: String,
    /// The mobile number, email address or postal address.
    pub address: String,
    /// The private providers the person consents to share with from now
    /// on (prefilled with those the SDM gave; any left out are revoked).
    pub consents: Vec<String>,
    /// The person made the declaration (joining and sharing consent).
    pub declaration: bool,
    /// The slip's language: `en`, `zh` or `both` (empty: both).
    pub slip_language: String,
}

/// A person as keyed from a paper form.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct PaperPerson {
    /// The document type code.
    pub document_type: String,
    /// The document number.
    pub document_number: String,
    /// The English surname.
    pub surname: String,
    /// The English given names.
    pub given_names: String,
    /// The Chinese name (may be empty).
    pub chinese_name: String,
    /// The date of birth (`DD/MM/YYYY` or `YYYY-MM-DD`).
    pub date_of_birth: String,
    /// `male`, `female`, or empty.
    pub sex: String,
}

/// What the clerk keys from a paper form (RE(C)01) the first time.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaperFormFields {
    /// How it arrived: `paper_post`, `paper_fax` or `paper_drop_in`.
    pub origin: String,
    /// The day it was received (`DD/MM/YYYY` or `YYYY-MM-DD`).
    pub received_on: String,
    /// The patient.
    pub patient: PaperPerson,
    /// `capable`, or `incapable:<ground>`.
    pub capacity: String,
    /// `self`, `sdm` or `authorised_person`.
    pub applicant_role: String,
    /// The SDM's relationship code.
    pub relationship: String,
    /// The SDM or authorised person (unused for `self`).
    pub applicant: PaperPerson,
    /// `sms`, `email` or `post`.
    pub channel: String,
    /// The person's language for notices: `en` or `zh`.
    pub language: String,
    /// The mobile number, email address or postal address.
    pub address: String,
    /// Private providers to give sharing consent to (ids).
    pub consents: Vec<String>,
}

impl Default for PaperFormFields {
    fn default() -> Self {
        PaperFormFields {
            origin: "paper_post".into(),
            received_on: String::new(),
            patient: PaperPerson::default(),
            capacity: "capable".into(),
            applicant_role: "self".into(),
            relationship: String::new(),
            applicant: PaperPerson::default(),
            channel: "sms".into(),
            language: "zh".into(),
            address: String::new(),
            consents: Vec::new(),
        }
    }
}

/// The identifying fields keyed a second time, blind.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct PaperIdentity {
    /// The patient's document type code.
    pub document_type: String,
    /// The patient's document number.
    pub document_number: String,
    /// The patient's English surname.
    pub surname: String,
    /// The patient's English given names.
    pub given_names: String,
    /// The patient's Chinese name.
    pub chinese_name: String,
    /// The patient's date of birth.
    pub date_of_birth: String,
    /// The SDM's or authorised person's document type code.
    pub applicant_document_type: String,
    /// The SDM's or authorised person's document number.
    pub applicant_document_number: String,
}

/// An identifying field the two keyings disagree on, side by side.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaperDifference {
    /// The field (`document_number`, `surname`, ..., as in
    /// [`PaperIdentity`]).
    pub field: String,
    /// As keyed the first time.
    pub first: String,
    /// As keyed the second time.
    pub second: String,
    /// The clerk's decision: `first`, `second`, or empty until made.
    pub chosen: String,
}

/// A paper form in hand: a Registration Office work item.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaperView {
    /// The work item's id.
    pub work_item_id: String,
    /// `first_keying`, `second_keying` or `reconcile`.
    pub stage: String,
    /// The first keying; `None` while the second keying is done (blind).
    pub first: Option<PaperFormFields>,
    /// The second keying as typed (second keying and after).
    pub second: Option<PaperIdentity>,
    /// Reconcile: the fields the two keyings disagree on.
    pub differences: Vec<PaperDifference>,
    /// Who keyed it first (staff code).
    pub first_keyed_by: String,
    /// The clerk now at the counter keyed it first: they key it again
    /// without seeing their first keying.
    pub same_clerk: bool,
    /// The form's image: held here, or uploaded from another counter.
    pub form_image: Option<String>,
}

/// A Registration Office work item in the list of open ones.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WorkItemRow {
    /// Its id.
    pub id: String,
    /// `first_keying`, `second_keying` or `reconcile`.
    pub stage: String,
    /// How the form arrived.
    pub origin: String,
    /// The day it was received (`DD/MM/YYYY`).
    pub received_on: String,
    /// The patient's document, masked.
    pub document_masked: String,
    /// Who saved it first.
    pub created_by: String,
    /// Who saved it last.
    pub updated_by: String,
}

/// What the UI sends the task.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskEvent {
    /// Look up by reference or by name and date of birth.
    Lookup {
        /// The query.
        query: LookupQuery,
    },
    /// Activate this application (from the look-up's list).
    Choose {
        /// Its reference.
        reference: String,
    },
    /// Register the person as a walk-in (prefilled from the identity, or
    /// from the chosen application when it expired).
    WalkIn,
    /// The patient's document keyed from a copy (an SDM or authorised
    /// person attends with it).
    PatientManual {
        /// As keyed.
        entry: ManualIdentityRequest,
    },
    /// The card now in the reader is the attending SDM's or authorised
    /// person's own.
    AttendeeFromCard,
    /// The attending person's document, keyed.
    AttendeeManual {
        /// As keyed.
        entry: ManualIdentityRequest,
    },
    /// The form as the clerk has it now (saved as they type).
    Edit {
        /// The form.
        form: TaskForm,
    },
    /// A held capture is this task's document of `kind`.
    Attach {
        /// What it shows.
        kind: CaptureKind,
        /// The held capture's id.
        image_id: String,
    },
    /// Register a newborn of the person identified (the parent), at a
    /// birth-hospital counter.
    Newborn,
    /// Complete this newborn's record (from the look-up's lists) with the
    /// birth certificate.
    Complete {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// Change the sharing consent of this record (from the look-up's
    /// lists; the person identified is its holder or their SDM).
    Consent {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// Withdraw this record from eHealth (from the look-up's lists).
    Withdraw {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// Correct this record's particulars (from the look-up's lists).
    ChangeParticulars {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// Change this record's contact details or send a new access key.
    ChangeContact {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// The person identified (16 or over) takes over their record an SDM
    /// keeps (from the look-up's records).
    TakeOver {
        /// The record's eHR number.
        ehr_number: String,
    },
    /// The particulars form as the clerk has it now.
    EditParticulars {
        /// The form.
        form: ParticularsForm,
    },
    /// The contact form as the clerk has it now.
    EditContact {
        /// The form.
        form: ContactChangeForm,
    },
    /// The take-over form as the clerk has it now.
    EditTakeOver {
        /// The form.
        form: TakeOverForm,
    },
    /// Key a new paper form (Registration Office counters).
    PaperForm,
    /// Resume an open work item of this Registration Office.
    ResumeWorkItem {
        /// Its id.
        id: String,
    },
    /// The first keying as the clerk has it now.
    EditPaper {
        /// The form (boxed: the largest event by far).
        form: Box<PaperFormFields>,
    },
    /// The second keying as the clerk has it now.
    EditPaperSecond {
        /// The identifying fields.
        form: PaperIdentity,
    },
    /// The first keying is done: saved as a work item, the second keying
    /// follows (by another clerk, or this one without seeing the first).
    PaperFirstDone,
    /// The second keying is done: the two are compared.
    PaperSecondDone,
    /// Decide a disagreement: take the `first` or the `second` keying's
    /// value of `field`.
    PaperChoose {
        /// The field.
        field: String,
        /// `first` or `second`.
        take: String,
    },
    /// Discard this paper form's work item.
    PaperDiscard,
    /// The consent form as the clerk has it now.
    EditConsent {
        /// The form.
        form: ConsentForm,
    },
    /// The withdrawal form as the clerk has it now.
    EditWithdrawal {
        /// The form.
        form: WithdrawalForm,
    },
    /// The newborn form as the clerk has it now.
    EditNewborn {
        /// The form.
        form: NewbornForm,
    },
    /// The completion form as the clerk has it now.
    EditCompletion {
        /// The form.
        form: CompletionForm,
    },
    /// From the comparison to the details.
    Next,
    /// One step back.
    Back,
    /// Check with the shared rules and submit through the outbox.
    Submit,
}

/// The result of a submitted task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TaskResult {
    /// The local record's key (the slip's reference).
    pub record_key: String,
    /// The slip.
    pub slip: SlipView,
}

/// The task as the screen renders it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TaskView {
    /// The task's id.
    pub task_id: String,
    /// The kind.
    pub kind: TaskKind,
    /// The stage.
    pub stage: TaskStage,
    /// The patient as read or keyed.
    pub patient: Option<IdentityView>,
    /// The attending SDM or authorised person, as read or keyed.
    pub attendee: Option<IdentityView>,
    /// The attending person must be read (an SDM's or authorised person's
    /// application) and is not yet. Activations only: in a walk-in the
    /// identity read first may be either person's, and the clerk says which
    /// (the form's `parts` name `attendee`).
    pub attendee_needed: bool,
    /// The patient's own document must be keyed from the copy.
    pub patient_needed: bool,
    /// The last look-up.
    pub lookup: Option<LookupView>,
    /// The chosen application.
    pub application: Option<ApplicationRow>,
    /// Codes the service flagged on the chosen application (for example
    /// `eligibility.sdm_type_not_online`), with their words.
    pub application_flags: Vec<FieldIssue>,
    /// The identity and the application, field by field.
    pub comparison: Vec<FieldRow>,
    /// The form.
    pub form: TaskForm,
    /// The held capture of the patient's document copy.
    pub patient_copy_image: Option<String>,
    /// The held capture of the SDM's supporting document.
    pub supporting_image: Option<String>,
    /// A newborn's registration: the form.
    pub newborn: Option<NewbornForm>,
    /// The name the baby is registered under when none is chosen
    /// ("Baby of" the parent), English then Chinese.
    pub newborn_default_name: Option<(String, Option<String>)>,
    /// A completion: the form.
    pub completion: Option<CompletionForm>,
    /// A completion, a consent change or a withdrawal: the record.
    pub record: Option<RecordRow>,
    /// A consent change: the form.
    pub consent: Option<ConsentForm>,
    /// A withdrawal: the form.
    pub withdrawal: Option<WithdrawalForm>,
    /// A correction of particulars: the form (the proof's capture is
    /// `patient_copy_image`).
    pub particulars: Option<ParticularsForm>,
    /// A contact change: the form.
    pub contact_change: Option<ContactChangeForm>,
    /// The record's contact as the service holds it (masked): channel and
    /// masked address.
    pub record_contact: Option<(String, String)>,
    /// A take-over: the form.
    pub take_over: Option<TakeOverForm>,
    /// A paper form: where its keying stands.
    pub paper: Option<PaperView>,
    /// The held capture of the birth hospital's certifying document.
    pub hospital_image: Option<String>,
    /// The held capture of the birth certificate.
    pub certificate_image: Option<String>,
    /// What this counter's site offers, by the shared rules: any of
    /// `walk_in`, `newborn`, `completion`, `consent`, `withdrawal`,
    /// `particulars`, `contact`, `take_over`, `paper`.
    pub offers: Vec<String>,
    /// What is still needed, in words (the shared rules' decision).
    pub needs: Vec<FieldIssue>,
    /// Fields refused, in words, by field.
    pub errors: Vec<FieldIssue>,
    /// Which parts of the form apply (the eligibility decision): `applicant`,
    /// `relationship`, `no_higher_tier`, `supporting_document`,
    /// `patient_copy`, `consents`.
    pub parts: Vec<String>,
    /// Differences (or a pre-1980 number) need a supervisor's sign-off.
    pub sign_off_needed: bool,
    /// A supervisor signed off at this counter.
    pub signed_off: bool,
    /// The service cannot be reached: the task works from the cache and
    /// the change will be queued.
    pub offline: bool,
    /// The local record's key (what a sign-off is bound to).
    pub record_key: String,
    /// Once submitted.
    pub result: Option<TaskResult>,
}

/// A task kept from before (a crash or a sign-out), offered back to the
/// same clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftOffer {
    /// The task's id.
    pub task_id: String,
    /// Its kind.
    pub kind: TaskKind,
    /// When it was last changed (Unix ms).
    #[ts(type = "number")]
    pub updated_at_ms: i64,
}

/// A supervisor's sign-off asked for the task in hand.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TaskSignOffRequest {
    /// The supervisor's own staff code.
    pub staff_code: String,
    /// The supervisor's password (never kept).
    pub password: String,
    /// Why, in a few words (no personal data).
    pub reason: String,
}

/// One choice of a list in the form (a relationship, a provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Choice {
    /// Its code or id.
    pub code: String,
    /// Its name in English.
    pub name_en: String,
    /// Its name in Traditional Chinese.
    pub name_zh: String,
}

/// The lists the task's form picks from (this counter's copy of the
/// reference data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TaskChoices {
    /// SDM relationships.
    pub relationships: Vec<Choice>,
    /// Private providers a person may give sharing consent to.
    pub private_providers: Vec<Choice>,
    /// Public providers, which hold sharing consent automatically.
    pub public_providers: Vec<Choice>,
    /// Birth hospitals (site codes), for a newborn's hospital document.
    pub birth_hospitals: Vec<Choice>,
    /// This counter's site code (a newborn's hospital by default).
    pub site_code: Option<String>,
}

/// One row of the newborn follow-up list, as the screen and the printed
/// list show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FollowUpRow {
    /// The record's eHR number.
    pub ehr_number: String,
    /// The birth hospital's code.
    pub hospital_code: String,
    /// The hospital document's serial.
    pub serial: String,
    /// The day it was registered (`DD/MM/YYYY`).
    pub registered_on: String,
    /// The baby's day of birth (`DD/MM/YYYY`).
    pub date_of_birth: String,
    /// Days since registration.
    pub days_waiting: u32,
    /// The baby's English name.
    pub name_en: String,
    /// The baby's Chinese name.
    pub chinese_name: Option<String>,
    /// The parent's document, masked.
    pub parent_document_masked: String,
    /// `sms`, `email`, `post` (empty: none kept).
    pub contact_channel: String,
    /// The contact, masked.
    pub contact_masked: String,
}

/// The newborn follow-up list of this counter's birth hospital (the
/// Registration Office sees every hospital's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FollowUpView {
    /// Records are listed after this many days.
    pub days: u32,
    /// The hospital listed (absent: every hospital).
    pub hospital_code: Option<String>,
    /// Oldest first.
    pub items: Vec<FollowUpRow>,
}

/// Applications that expire soon and are not activated (a supervisor's
/// list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExpiringView {
    /// Listed when they expire within this many days.
    pub within_days: u32,
    /// Soonest expiry first.
    pub items: Vec<ApplicationRow>,
}

/// A child's SDM-kept record, the child turning 16 soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TurningRow {
    /// The record (the child's document and the SDM's masked).
    pub record: RecordRow,
    /// The day the child turns 16 (`DD/MM/YYYY`).
    pub turns_16_on: String,
    /// Days from today until then.
    pub days_left: u32,
}

/// SDM-kept records of children who turn 16 soon (a supervisor's list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TurningView {
    /// Listed when the child turns 16 within this many days.
    pub within_days: u32,
    /// Soonest birthday first.
    pub items: Vec<TurningRow>,
}

impl std::fmt::Debug for FollowUpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowUpRow")
            .field("hospital_code", &self.hospital_code)
            .field("registered_on", &self.registered_on)
            .field("days_waiting", &self.days_waiting)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ApplicationRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationRow")
            .field("reference", &self.reference)
            .field("state", &self.state)
            .field("document_masked", &self.document_masked)
            .field("name_en", &Redacted)
            .field("chinese_name", &redact::option(&self.chinese_name))
            .field("date_of_birth", &Redacted)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for RecordRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordRow")
            .field("ehr_number", &Redacted)
            .field("state", &self.state)
            .field("document_masked", &self.document_masked)
            .field("name_en", &Redacted)
            .field("chinese_name", &redact::option(&self.chinese_name))
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for LookupQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupQuery::Reference { reference } => f
                .debug_struct("Reference")
                .field("reference", reference)
                .finish(),
            LookupQuery::NameAndBirth { .. } => f.write_str("NameAndBirth { <redacted> }"),
            LookupQuery::HospitalDocument { hospital_code, .. } => f
                .debug_struct("HospitalDocument")
                .field("hospital_code", hospital_code)
                .finish_non_exhaustive(),
        }
    }
}

impl std::fmt::Debug for FieldRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldRow")
            .field("field", &self.field)
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TaskForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskForm")
            .field("applicant_role", &self.applicant_role)
            .field("channel", &self.channel)
            .field("address", &Redacted)
            .field("consents", &self.consents.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TaskEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            TaskEvent::Lookup { query } => return write!(f, "Lookup({query:?})"),
            TaskEvent::Choose { reference } => return write!(f, "Choose({reference})"),
            TaskEvent::WalkIn => "WalkIn",
            TaskEvent::PatientManual { .. } => "PatientManual(<redacted>)",
            TaskEvent::AttendeeFromCard => "AttendeeFromCard",
            TaskEvent::AttendeeManual { .. } => "AttendeeManual(<redacted>)",
            TaskEvent::Edit { .. } => "Edit(<redacted>)",
            TaskEvent::Attach { kind, .. } => return write!(f, "Attach({kind:?})"),
            TaskEvent::Newborn => "Newborn",
            TaskEvent::Complete { .. } => "Complete(<redacted>)",
            TaskEvent::EditNewborn { .. } => "EditNewborn(<redacted>)",
            TaskEvent::Consent { .. } => "Consent(<redacted>)",
            TaskEvent::Withdraw { .. } => "Withdraw(<redacted>)",
            TaskEvent::EditConsent { form } => {
                return write!(
                    f,
                    "EditConsent(give {}, revoke {})",
                    form.give.len(),
                    form.revoke.len()
                )
            }
            TaskEvent::EditWithdrawal { form } => {
                return write!(f, "EditWithdrawal(confirmed {})", form.confirmed)
            }
            TaskEvent::EditCompletion { .. } => "EditCompletion(<redacted>)",
            TaskEvent::ChangeParticulars { .. } => "ChangeParticulars(<redacted>)",
            TaskEvent::ChangeContact { .. } => "ChangeContact(<redacted>)",
            TaskEvent::TakeOver { .. } => "TakeOver(<redacted>)",
            TaskEvent::EditParticulars { .. } => "EditParticulars(<redacted>)",
            TaskEvent::EditContact { form } => {
                return write!(
                    f,
                    "EditContact(change {}, resend {})",
                    form.change_contact, form.resend_key
                )
            }
            TaskEvent::PaperForm => "PaperForm",
            TaskEvent::ResumeWorkItem { id } => return write!(f, "ResumeWorkItem({id})"),
            TaskEvent::EditPaper { .. } => "EditPaper(<redacted>)",
            TaskEvent::EditPaperSecond { .. } => "EditPaperSecond(<redacted>)",
            TaskEvent::PaperFirstDone => "PaperFirstDone",
            TaskEvent::PaperSecondDone => "PaperSecondDone",
            TaskEvent::PaperChoose { field, take } => {
                return write!(f, "PaperChoose({field}, {take})")
            }
            TaskEvent::PaperDiscard => "PaperDiscard",
            TaskEvent::EditTakeOver { form } => {
                return write!(f, "EditTakeOver(consents {})", form.consents.len())
            }
            TaskEvent::Next => "Next",
            TaskEvent::Back => "Back",
            TaskEvent::Submit => "Submit",
        };
        f.write_str(name)
    }
}

impl std::fmt::Debug for TaskView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskView")
            .field("task_id", &self.task_id)
            .field("kind", &self.kind)
            .field("stage", &self.stage)
            .field("patient", &self.patient)
            .field("attendee", &self.attendee)
            .field("application", &self.application)
            .field("needs", &self.needs)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for NewbornForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewbornForm")
            .field("hospital_code", &self.hospital_code)
            .field("channel", &self.channel)
            .field("declaration", &self.declaration)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ConsentForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsentForm")
            .field("give", &self.give)
            .field("revoke", &self.revoke)
            .field("declaration", &self.declaration)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WithdrawalForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithdrawalForm")
            .field("confirmed", &self.confirmed)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ParticularsForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticularsForm")
            .field("document_type", &self.document_type)
            .field("declaration", &self.declaration)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ContactChangeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactChangeForm")
            .field("change_contact", &self.change_contact)
            .field("channel", &self.channel)
            .field("resend_key", &self.resend_key)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TakeOverForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeOverForm")
            .field("channel", &self.channel)
            .field("consents", &self.consents.len())
            .field("declaration", &self.declaration)
            .finish_non_exhaustive()
    }
}

macro_rules! opaque_debug {
    ($($t:ident),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { <redacted> }"))
            }
        }
    )*};
}

opaque_debug!(
    PaperPerson,
    PaperFormFields,
    PaperIdentity,
    PaperDifference,
    PaperView,
    WorkItemRow
);

impl std::fmt::Debug for CompletionForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletionForm").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TaskSignOffRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskSignOffRequest")
            .field("staff_code", &self.staff_code)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_holds_no_particulars() {
        let row = ApplicationRow {
            reference: "R-1".into(),
            state: "pending".into(),
            origin: "online".into(),
            submitted_on: "01/01/2026".into(),
            expires_on: "30/06/2026".into(),
            expired: false,
            document_type: "hkic".into(),
            document_masked: "A123***(4)".into(),
            name_en: "CHAN, Tai Man".into(),
            chinese_name: Some("陳大文".into()),
            date_of_birth: "01/02/1980".into(),
            applicant_role: "self".into(),
        };
        let form = TaskForm {
            address: "91234567".into(),
            ..TaskForm::default()
        };
        let q = LookupQuery::NameAndBirth {
            surname: "CHAN".into(),
            given_names: "Tai Man".into(),
            date_of_birth: "01/02/1980".into(),
        };
        let particulars = ParticularsForm {
            document_number: "A123456(3)".into(),
            surname: "CHAN".into(),
            chinese_name: "陳大文".into(),
            date_of_birth: "01/02/1980".into(),
            ..ParticularsForm::default()
        };
        let contact = ContactChangeForm {
            address: "91234567".into(),
            ..ContactChangeForm::default()
        };
        let take_over = TakeOverForm {
            address: "91234567".into(),
            ..TakeOverForm::default()
        };
        let text =
            format!(
            "{row:?} {form:?} {q:?} {particulars:?} {contact:?} {take_over:?} {:?} {:?} {:?} {:?}",
            TaskEvent::EditParticulars { form: particulars.clone() },
            TaskEvent::EditContact { form: contact.clone() },
            TaskEvent::Edit { form: form.clone() },
            TaskSignOffRequest {
                staff_code: "SUP1".into(),
                password: "secret-pw".into(),
                reason: "names differ".into()
            }
        );
        for secret in [
            "A123456",
            "CHAN",
            "陳大文",
            "01/02/1980",
            "91234567",
            "secret-pw",
            "names differ",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("A123***(4)") && text.contains("R-1"));
    }
}
