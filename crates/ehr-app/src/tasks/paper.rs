//! Paper forms (RE(C)01) at the Registration Office (issue #15, item 1):
//! the first keying of the whole form with its image, the identifying
//! fields keyed a second time blind, the two compared, and each
//! disagreement decided side by side before the application goes to the
//! outbox. A half-keyed form is a work item of the RO, saved through the
//! outbox (`save_work_item`) and resumed by any RO clerk of the site.
//!
//! The state here is pure; the IO (saves, the work item fetched, the
//! submit) is in `tasks/mod.rs`.

use ehr_domain::{DocumentNumber, DocumentType};
use ehr_protocol::task::{
    PaperDifference, PaperFormFields, PaperIdentity, PaperPerson, PaperView, WorkItemRow,
};
use ehr_protocol::wire::{
    self, ApplicantDetails, KeyPaperApplication, Origin, PersonDetails, SaveWorkItem,
    WorkItemSummary,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::machine::{contact, cut_all, hk_date, iso_day, provider_ids};

/// Where a paper form's keying stands.
pub(crate) const FIRST: &str = "first_keying";
pub(crate) const SECOND: &str = "second_keying";
pub(crate) const RECONCILE: &str = "reconcile";

/// A paper form in hand. What a work item's payload carries, with the
/// version held.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct PaperState {
    pub work_item_id: Uuid,
    /// The version held (0: never saved); the next save makes one more.
    pub version: u32,
    pub stage: String,
    pub first: PaperFormFields,
    pub second: Option<PaperIdentity>,
    pub differences: Vec<PaperDifference>,
    pub first_keyed_by: String,
    /// The form's image (a capture held here, or one uploaded already).
    pub form_image: Option<String>,
    /// The image reached the service (from this counter's first save, or
    /// from the counter that saved the work item).
    pub form_image_uploaded: bool,
}

impl std::fmt::Debug for PaperState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaperState")
            .field("work_item_id", &self.work_item_id)
            .field("version", &self.version)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

/// What a work item's payload holds (the version is the service's).
#[derive(Serialize, Deserialize)]
struct Payload {
    stage: String,
    first: PaperFormFields,
    second: Option<PaperIdentity>,
    differences: Vec<PaperDifference>,
    first_keyed_by: String,
    form_image: Option<String>,
}

impl PaperState {
    /// A new paper form keyed by `staff`, received today by default.
    pub(crate) fn new(staff: &str, today: ehr_domain::Date) -> PaperState {
        PaperState {
            work_item_id: Uuid::new_v4(),
            version: 0,
            stage: FIRST.into(),
            first: PaperFormFields {
                received_on: today.to_hk_string(),
                ..PaperFormFields::default()
            },
            second: None,
            differences: Vec::new(),
            first_keyed_by: staff.to_owned(),
            form_image: None,
            form_image_uploaded: false,
        }
    }

    /// A work item fetched from the service, to resume.
    pub(crate) fn from_work_item(item: &WorkItemSummary, payload: &str) -> Option<PaperState> {
        let p: Payload = serde_json::from_str(payload).ok()?;
        Some(PaperState {
            work_item_id: item.id,
            version: item.version,
            stage: p.stage,
            first: p.first,
            second: p.second,
            differences: p.differences,
            first_keyed_by: p.first_keyed_by,
            form_image: p.form_image,
            form_image_uploaded: true,
        })
    }

    /// The work item as it would be saved now, at the next version, at
    /// `stage`.
    pub(crate) fn save(&self, stage: &str) -> SaveWorkItem {
        let payload = Payload {
            stage: stage.to_owned(),
            first: self.first.clone(),
            second: self.second.clone(),
            differences: self.differences.clone(),
            first_keyed_by: self.first_keyed_by.clone(),
            form_image: self.form_image.clone(),
        };
        SaveWorkItem {
            id: self.work_item_id,
            version: self.version + 1,
            stage: stage.to_owned(),
            origin: origin(&self.first.origin),
            received_on: iso_day(&self.first.received_on),
            document_masked: masked(&self.first.patient),
            payload: serde_json::to_string(&payload).unwrap_or_else(|_| "{}".into()),
        }
    }

    /// Whether anything of the form was keyed or captured yet.
    pub(crate) fn keyed_anything(&self) -> bool {
        self.form_image.is_some()
            || self.first.patient != PaperPerson::default()
            || self.first.applicant != PaperPerson::default()
            || !self.first.address.trim().is_empty()
            || !self.first.consents.is_empty()
    }

    /// The first keying as the clerk has it (over-long text cut, consents
    /// trimmed, repeats dropped, at most 50).
    pub(crate) fn edit_first(&mut self, mut form: PaperFormFields) {
        cut_all([
            &mut form.origin,
            &mut form.received_on,
            &mut form.capacity,
            &mut form.applicant_role,
            &mut form.relationship,
            &mut form.channel,
            &mut form.language,
            &mut form.address,
        ]);
        for p in [&mut form.patient, &mut form.applicant] {
            cut_person(p);
        }
        provider_ids(&mut form.consents);
        self.first = form;
    }

    /// The second keying as the clerk has it.
    pub(crate) fn edit_second(&mut self, mut form: PaperIdentity) {
        cut_all([
            &mut form.document_type,
            &mut form.document_number,
            &mut form.surname,
            &mut form.given_names,
            &mut form.chinese_name,
            &mut form.date_of_birth,
            &mut form.applicant_document_type,
            &mut form.applicant_document_number,
        ]);
        self.second = Some(form);
    }

    /// The second keying's own needs: the patient's document, surname and
    /// date of birth keyed again (`second.<field>`).
    pub(crate) fn second_needs(&self) -> Vec<&'static str> {
        let s = self.second.clone().unwrap_or_default();
        [
            ("document_type", &s.document_type),
            ("document_number", &s.document_number),
            ("surname", &s.surname),
            ("date_of_birth", &s.date_of_birth),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(f, _)| f)
        .collect()
    }

    /// Compare the two keyings: every identifying field they disagree on,
    /// side by side, undecided.
    pub(crate) fn compare(&mut self) {
        let second = self.second.clone().unwrap_or_default();
        self.differences = identity(&self.first)
            .into_iter()
            .zip(pairs(&second))
            .filter(|(a, b)| !same(a, b))
            .map(|(a, b)| PaperDifference {
                field: a.name.to_owned(),
                first: a.value,
                second: b.value,
                chosen: String::new(),
            })
            .collect();
    }

    /// Decide a disagreement: the first keying takes the chosen value.
    pub(crate) fn choose(&mut self, field: &str, take: &str) -> bool {
        let Some(d) = self.differences.iter_mut().find(|d| d.field == field) else {
            return false;
        };
        let value = match take {
            "first" => d.first.clone(),
            "second" => d.second.clone(),
            _ => return false,
        };
        d.chosen = take.to_owned();
        let f = &mut self.first;
        let slot = match field {
            "document_type" => &mut f.patient.document_type,
            "document_number" => &mut f.patient.document_number,
            "surname" => &mut f.patient.surname,
            "given_names" => &mut f.patient.given_names,
            "chinese_name" => &mut f.patient.chinese_name,
            "date_of_birth" => &mut f.patient.date_of_birth,
            "applicant_document_type" => &mut f.applicant.document_type,
            "applicant_document_number" => &mut f.applicant.document_number,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// Every disagreement decided.
    pub(crate) fn decided(&self) -> bool {
        self.differences.iter().all(|d| !d.chosen.is_empty())
    }

    /// The operation the form makes (checked by the shared rules at every
    /// keystroke of the first keying; sent once both keyings agree).
    pub(crate) fn operation(&self, transacted_at: &str) -> KeyPaperApplication {
        let f = &self.first;
        let applicant = match f.applicant_role.as_str() {
            "sdm" => ApplicantDetails::Sdm {
                relationship: f.relationship.clone(),
                person: details(&f.applicant),
            },
            "authorised_person" => ApplicantDetails::AuthorisedPerson {
                person: details(&f.applicant),
            },
            _ => ApplicantDetails::SelfApplicant {},
        };
        KeyPaperApplication {
            origin: origin(&f.origin),
            received_on: iso_day(&f.received_on),
            patient: details(&f.patient),
            capacity: f.capacity.clone(),
            applicant,
            notification: contact(&f.channel, &f.language, &f.address),
            private_provider_consents: f.consents.clone(),
            supervisor_sign_off: None,
            transacted_at: Some(transacted_at.to_owned()),
            // An image not yet captured is the form's need (`form_image`);
            // the rules see a placeholder never sent.
            form_image: Some(
                self.form_image
                    .as_deref()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .unwrap_or(Uuid::nil()),
            ),
            work_item: (self.version > 0).then_some(self.work_item_id),
        }
    }

    /// The screen's view: the first keying hidden while the second is keyed.
    pub(crate) fn view(&self, staff: &str) -> PaperView {
        PaperView {
            work_item_id: self.work_item_id.to_string(),
            stage: self.stage.clone(),
            first: (self.stage != SECOND).then(|| self.first.clone()),
            second: self.second.clone(),
            differences: self.differences.clone(),
            first_keyed_by: self.first_keyed_by.clone(),
            same_clerk: self.first_keyed_by == staff,
            form_image: self.form_image.clone(),
        }
    }
}

/// A work item as the list shows it.
pub(crate) fn row(s: &WorkItemSummary) -> WorkItemRow {
    WorkItemRow {
        id: s.id.to_string(),
        stage: s.stage.clone(),
        origin: serde_json::to_value(s.origin)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        received_on: hk_date(&s.received_on),
        document_masked: s.document_masked.clone(),
        created_by: s.created_by.clone(),
        updated_by: s.updated_by.clone(),
    }
}

fn cut_person(p: &mut PaperPerson) {
    cut_all([
        &mut p.document_type,
        &mut p.document_number,
        &mut p.surname,
        &mut p.given_names,
        &mut p.chinese_name,
        &mut p.date_of_birth,
        &mut p.sex,
    ]);
}

fn origin(code: &str) -> Origin {
    match code {
        "paper_fax" => Origin::PaperFax,
        "paper_drop_in" => Origin::PaperDropIn,
        _ => Origin::PaperPost,
    }
}

/// A person as keyed, as the wire carries them (trimmed; the date as
/// `YYYY-MM-DD`; an empty Chinese name or sex left out).
pub(crate) fn details(p: &PaperPerson) -> PersonDetails {
    PersonDetails {
        document_type: p.document_type.trim().to_owned(),
        document_number: p.document_number.trim().to_owned(),
        surname: p.surname.trim().to_owned(),
        given_names: p.given_names.trim().to_owned(),
        chinese_name: Some(p.chinese_name.trim().to_owned()).filter(|s| !s.is_empty()),
        date_of_birth: iso_day(&p.date_of_birth),
        sex: match p.sex.as_str() {
            "male" => Some(wire::Sex::Male),
            "female" => Some(wire::Sex::Female),
            _ => None,
        },
    }
}

fn number(t: &str, n: &str) -> Option<DocumentNumber> {
    let t = DocumentType::from_code(t.trim()).ok()?;
    ehr_rules::validate::known_number(t, n)
}

/// The patient's document as the work item's label: masked, or `***`.
fn masked(p: &PaperPerson) -> String {
    number(&p.document_type, &p.document_number).map_or_else(|| "***".into(), |n| n.masked())
}

/// How a field is compared.
#[derive(Clone, Copy)]
enum Kind {
    Code,
    Number,
    Name,
    Chinese,
    Day,
}

/// An identifying field as keyed: its name, how it is compared, the value
/// keyed, and (for a number) the document type keyed with it.
struct Field {
    name: &'static str,
    kind: Kind,
    value: String,
    doc_type: String,
}

/// The first keying's identifying fields (the applicant's only when
/// someone else applies).
fn identity(f: &PaperFormFields) -> Vec<Field> {
    let (at, an) = if f.applicant_role == "self" {
        (String::new(), String::new())
    } else {
        (
            f.applicant.document_type.clone(),
            f.applicant.document_number.clone(),
        )
    };
    fields([
        &f.patient.document_type,
        &f.patient.document_number,
        &f.patient.surname,
        &f.patient.given_names,
        &f.patient.chinese_name,
        &f.patient.date_of_birth,
        &at,
        &an,
    ])
}

fn pairs(s: &PaperIdentity) -> Vec<Field> {
    fields([
        &s.document_type,
        &s.document_number,
        &s.surname,
        &s.given_names,
        &s.chinese_name,
        &s.date_of_birth,
        &s.applicant_document_type,
        &s.applicant_document_number,
    ])
}

/// The fields in [`PaperIdentity`]'s order, from its values.
fn fields(v: [&String; 8]) -> Vec<Field> {
    let f = |name, kind, value: &String, doc_type: &String| Field {
        name,
        kind,
        value: value.clone(),
        doc_type: doc_type.clone(),
    };
    let none = String::new();
    vec![
        f("document_type", Kind::Code, v[0], &none),
        f("document_number", Kind::Number, v[1], v[0]),
        f("surname", Kind::Name, v[2], &none),
        f("given_names", Kind::Name, v[3], &none),
        f("chinese_name", Kind::Chinese, v[4], &none),
        f("date_of_birth", Kind::Day, v[5], &none),
        f("applicant_document_type", Kind::Code, v[6], &none),
        f("applicant_document_number", Kind::Number, v[7], v[6]),
    ]
}

/// Whether two keyings of a field agree, as the rules would read them
/// (case, spacing and brackets of a number; the date's format).
fn same(a: &Field, b: &Field) -> bool {
    let (x, y) = (a.value.as_str(), b.value.as_str());
    match a.kind {
        Kind::Code => x.trim().eq_ignore_ascii_case(y.trim()),
        Kind::Number => {
            let plain = |n: &str| {
                n.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_uppercase()
            };
            match (number(&a.doc_type, x), number(&b.doc_type, y)) {
                (Some(m), Some(n)) => m.normalized() == n.normalized(),
                _ => plain(x) == plain(y),
            }
        }
        Kind::Name => {
            let norm = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_uppercase()
            };
            norm(x) == norm(y)
        }
        Kind::Chinese => x.trim() == y.trim(),
        Kind::Day => iso_day(x) == iso_day(y),
    }
}
