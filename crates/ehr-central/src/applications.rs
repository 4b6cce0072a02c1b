//! Pending applications: storage, lookup and detail.

use ehr_domain::lifecycle::application::{
    ApplicationEvent, ApplicationLifecycle, ApplicationState as DState, Origin as DOrigin,
};
use ehr_domain::lifecycle::Policy;
use ehr_domain::{Date, DateOfBirth, DocumentNumber, DocumentType};
use ehr_protocol::wire::{
    ApplicantDetails, ApplicationDetail, ApplicationSummary, NotificationChoice, PersonDetails,
};
use ehr_protocol::ErrorCode;
use ehr_rules::KnownApplication;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Error, Result};
use crate::util::{now_unix, random_code};
use crate::validate::ValidPerson;

/// Most results a lookup returns.
pub const MAX_RESULTS: usize = 50;

/// What is stored about an application besides its indexed columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplicationBody {
    /// The patient (normalised).
    pub patient: PersonDetails,
    /// `capable` or `incapable:<ground>`.
    pub capacity: String,
    /// Who applied.
    pub applicant: ApplicantDetails,
    /// How the access key reaches the person.
    pub notification: NotificationChoice,
    /// Private providers to give consent to on activation.
    pub private_provider_consents: Vec<String>,
    /// Codes flagged for attention.
    pub flags: Vec<String>,
}

/// A stored application.
#[derive(Debug, Clone)]
pub struct StoredApplication {
    /// Its reference.
    pub reference: String,
    /// Its lifecycle.
    pub lifecycle: ApplicationLifecycle,
    /// The rest.
    pub body: ApplicationBody,
}

pub use ehr_rules::facts::{origin_from_wire, origin_to_wire, state_to_wire};

impl StoredApplication {
    /// The application as the rules see it.
    pub fn known(&self) -> Result<KnownApplication> {
        KnownApplication::new(
            &self.reference,
            self.lifecycle.clone(),
            &self.body.patient,
            &self.body.applicant,
            &self.body.private_provider_consents,
        )
        .ok_or(Error::Corrupt("stored application"))
    }
}

/// The stored (normalised) form of a validated person.
pub fn normalised_details(p: &ValidPerson, sex: Option<ehr_protocol::wire::Sex>) -> PersonDetails {
    PersonDetails {
        document_type: p.particulars.document.doc_type().code().to_owned(),
        document_number: p.particulars.document.normalized().to_owned(),
        surname: p.english.surname().to_owned(),
        given_names: p.english.given_names().to_owned(),
        chinese_name: p
            .particulars
            .chinese_name
            .as_ref()
            .map(|c| c.characters().to_owned()),
        date_of_birth: p.dob.to_string(),
        sex,
    }
}

/// The key names are searched by: upper-case letters and single spaces.
pub fn name_key(s: &str) -> String {
    s.split([' ', '-'])
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphabetic)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

/// Normalises a typed or scanned reference.
pub fn normalise_reference(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase()
}

/// A new application reference (`EA` and 10 Crockford base-32 characters).
pub fn new_reference() -> Result<String> {
    Ok(format!("EA{}", random_code(10)?))
}

/// A new application to store.
#[derive(Debug)]
pub struct NewApplication<'a> {
    /// How it arrived.
    pub origin: DOrigin,
    /// The day it was submitted or received.
    pub submitted_on: Date,
    /// The day it is accepted (keyed or submitted).
    pub accepted_on: Date,
    /// The patient.
    pub patient: &'a ValidPerson,
    /// The rest.
    pub body: &'a ApplicationBody,
    /// A given reference (demo and bench data); random when `None`.
    pub reference: Option<String>,
}

/// Stores a new application, accepted on `accepted_on`; returns its reference.
pub fn insert(
    tx: &Transaction<'_>,
    new: NewApplication<'_>,
    policy: &Policy,
) -> Result<Result<String, ehr_domain::lifecycle::LifecycleError>> {
    let NewApplication {
        origin,
        submitted_on,
        accepted_on,
        patient,
        body,
        reference: given,
    } = new;
    let mut lifecycle = ApplicationLifecycle::new(origin, submitted_on);
    if let Err(e) = lifecycle.apply(ApplicationEvent::Accept, accepted_on, policy) {
        return Ok(Err(e));
    }
    let lifecycle_json = serde_json::to_string(&lifecycle).map_err(|_| Error::Internal("json"))?;
    let body_json = serde_json::to_string(body).map_err(|_| Error::Internal("json"))?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO applications (reference, doc_type, doc_number, surname_key, dob, state, \
         origin, submitted_on, lifecycle, body, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (reference) DO NOTHING",
    )?;
    for attempt in 0..8 {
        let reference = match (&given, attempt) {
            (Some(r), 0) => r.clone(),
            _ => new_reference()?,
        };
        let n = stmt.execute(params![
            reference,
            patient.particulars.document.doc_type().code(),
            patient.particulars.document.normalized(),
            name_key(patient.english.surname()),
            patient.dob.to_string(),
            lifecycle.state().code(),
            origin_code(origin),
            submitted_on.to_string(),
            lifecycle_json,
            body_json,
            now_unix(),
        ])?;
        if n == 1 {
            return Ok(Ok(reference));
        }
    }
    Err(Error::Internal("no free application reference"))
}

/// The origin's code.
pub fn origin_code(o: DOrigin) -> &'static str {
    match o {
        DOrigin::Online => "online",
        DOrigin::PaperPost => "paper_post",
        DOrigin::PaperFax => "paper_fax",
        DOrigin::PaperDropIn => "paper_drop_in",
    }
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn parse_row(row: (String, String, String)) -> Result<StoredApplication> {
    let (reference, lifecycle, body) = row;
    Ok(StoredApplication {
        reference,
        lifecycle: serde_json::from_str(&lifecycle).map_err(|_| Error::Corrupt("lifecycle"))?,
        body: serde_json::from_str(&body).map_err(|_| Error::Corrupt("application body"))?,
    })
}

/// One application by reference.
pub fn get(tx: &Transaction<'_>, reference: &str) -> Result<Option<StoredApplication>> {
    let row = tx
        .prepare_cached("SELECT reference, lifecycle, body FROM applications WHERE reference = ?1")?
        .query_row([normalise_reference(reference)], from_row)
        .optional()?;
    row.map(parse_row).transpose()
}

/// Saves an application's lifecycle after an event.
pub fn save_lifecycle(
    tx: &Transaction<'_>,
    reference: &str,
    l: &ApplicationLifecycle,
) -> Result<()> {
    let json = serde_json::to_string(l).map_err(|_| Error::Internal("json"))?;
    tx.execute(
        "UPDATE applications SET lifecycle = ?2, state = ?3 WHERE reference = ?1",
        params![reference, json, l.state().code()],
    )?;
    Ok(())
}

/// Applications for a document, newest first.
pub fn by_document(
    tx: &Transaction<'_>,
    number: &DocumentNumber,
) -> Result<Vec<StoredApplication>> {
    let mut stmt = tx.prepare_cached(
        "SELECT reference, lifecycle, body FROM applications WHERE doc_type = ?1 AND doc_number = ?2 \
         ORDER BY submitted_on DESC, reference LIMIT 50",
    )?;
    let rows = stmt.query_map(
        params![number.doc_type().code(), number.normalized()],
        from_row,
    )?;
    rows.map(|r| parse_row(r?)).collect()
}

/// Applications still waiting to be activated (pending on `today`) that
/// expire within `within_days` days: soonest expiry first, at most
/// `limit`.
pub fn expiring(
    tx: &Transaction<'_>,
    today: Date,
    policy: &Policy,
    within_days: u32,
    limit: usize,
) -> Result<Vec<StoredApplication>> {
    let last = today
        .add_days(i64::from(within_days))
        .map_err(|_| Error::Internal("date"))?;
    let mut stmt = tx.prepare_cached(
        "SELECT reference, lifecycle, body FROM applications \
         WHERE state IN ('pending', 'submitted_online', 'keyed_from_paper') \
         ORDER BY submitted_on, reference",
    )?;
    let rows = stmt.query_map([], from_row)?;
    let mut out = Vec::new();
    for r in rows {
        let a = parse_row(r?)?;
        let expires = a.lifecycle.expires_on(policy).ok();
        if a.lifecycle.effective_state(today, policy) == DState::Pending
            && expires.is_some_and(|e| e > today && e <= last)
        {
            out.push((expires, a));
        }
    }
    out.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.reference.cmp(&y.reference)));
    Ok(out.into_iter().take(limit).map(|(_, a)| a).collect())
}

/// The pending (effective state) application for a document, if any.
pub fn pending_for(
    tx: &Transaction<'_>,
    number: &DocumentNumber,
    today: Date,
    policy: &Policy,
) -> Result<Option<StoredApplication>> {
    Ok(by_document(tx, number)?
        .into_iter()
        .find(|a| a.lifecycle.effective_state(today, policy) == DState::Pending))
}

pub use ehr_protocol::wire::ApplicationQuery;

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Looks applications up by document, by reference, or by name and date of birth.
pub fn lookup(
    tx: &Transaction<'_>,
    q: &ApplicationQuery,
    today: Date,
    policy: &Policy,
) -> Result<Vec<ApplicationSummary>, ApiError> {
    let bad = |field: &str| ApiError::new(ErrorCode::RequestQuery).on_field(field);
    let found = match (
        some(&q.document_type),
        some(&q.document_number),
        some(&q.reference),
        some(&q.surname),
        some(&q.date_of_birth),
    ) {
        (Some(t), Some(n), None, None, None) => {
            let t = DocumentType::from_code(t).map_err(|_| bad("document_type"))?;
            let n = crate::validate::known_number(t, n).ok_or_else(|| bad("document_number"))?;
            by_document(tx, &n)?
        }
        (None, None, Some(r), None, None) => {
            if r.len() > 64 {
                return Err(bad("reference"));
            }
            get(tx, r)?.into_iter().collect()
        }
        (None, None, None, Some(s), Some(d)) => {
            let dob = DateOfBirth::parse(d).map_err(|_| bad("date_of_birth"))?;
            let key = name_key(s);
            if key.is_empty() || key.len() > 80 {
                return Err(bad("surname"));
            }
            let given = some(&q.given_names).map(name_key);
            let mut stmt = tx.prepare_cached(
                "SELECT reference, lifecycle, body FROM applications \
                 WHERE surname_key = ?1 AND dob = ?2 ORDER BY submitted_on DESC, reference LIMIT 200",
            )?;
            let rows = stmt.query_map(params![key, dob.to_string()], from_row)?;
            let mut out = Vec::new();
            for r in rows {
                let a = parse_row(r?)?;
                if given
                    .as_deref()
                    .is_none_or(|g| name_key(&a.body.patient.given_names).starts_with(g))
                {
                    out.push(a);
                }
            }
            out
        }
        _ => return Err(ApiError::new(ErrorCode::RequestQuery)),
    };
    found
        .iter()
        .take(MAX_RESULTS)
        .map(|a| summary(a, today, policy).map_err(ApiError::from))
        .collect()
}

/// The wire summary of an application.
pub fn summary(a: &StoredApplication, today: Date, policy: &Policy) -> Result<ApplicationSummary> {
    let p = &a.body.patient;
    let masked = DocumentType::from_code(&p.document_type)
        .ok()
        .and_then(|t| crate::validate::known_number(t, &p.document_number))
        .map(|n| n.masked())
        .ok_or(Error::Corrupt("stored document number"))?;
    Ok(ApplicationSummary {
        reference: a.reference.clone(),
        state: state_to_wire(a.lifecycle.effective_state(today, policy)),
        origin: origin_to_wire(a.lifecycle.origin()),
        submitted_on: a.lifecycle.submitted_on().to_string(),
        expires_on: a
            .lifecycle
            .expires_on(policy)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        document_type: p.document_type.clone(),
        document_number_masked: masked,
        surname: p.surname.clone(),
        given_names: p.given_names.clone(),
        chinese_name: p.chinese_name.clone(),
        date_of_birth: p.date_of_birth.clone(),
        applicant_role: a.body.applicant.role(),
    })
}

/// The wire detail of an application.
pub fn detail(a: &StoredApplication, today: Date, policy: &Policy) -> Result<ApplicationDetail> {
    Ok(ApplicationDetail {
        summary: summary(a, today, policy)?,
        patient: a.body.patient.clone(),
        capacity: a.body.capacity.clone(),
        applicant: a.body.applicant.clone(),
        notification_channel: a.body.notification.channel,
        notification_language: a.body.notification.language,
        private_provider_consents: a.body.private_provider_consents.clone(),
        flags: a.body.flags.clone(),
    })
}
