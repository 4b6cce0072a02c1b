//! Registered records: taking effect (eHR number, access key, notification),
//! lookup, and the wire view with consents.

use ehr_domain::lifecycle::consent::{
    ConsentBook, ConsentState as DConsent, ProviderKind as DKind,
};
use ehr_domain::lifecycle::registration::{
    BirthHospitalDocument, Identifier, RegistrationLifecycle, RegistrationState,
};
use ehr_domain::{Date, DocumentNumber};
use ehr_protocol::wire::{
    ConsentState, ConsentView, ContactView, NewbornFollowUp, NotificationChannel,
    NotificationChoice, ProviderKind, RecordIdentifier, RecordState, RegisteredRecord, SdmView,
    Sex,
};
use ehr_protocol::ErrorCode;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::reference;
use crate::util::{now_unix, random_digits};

/// The person's names and birth date as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPerson {
    /// English surname.
    pub surname: String,
    /// English given names.
    pub given_names: String,
    /// Chinese name.
    pub chinese_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: String,
    /// Sex.
    pub sex: Option<Sex>,
}

/// The substitute decision maker who keeps a record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSdm {
    /// The relationship code.
    pub relationship: String,
    /// The SDM's document type code.
    pub document_type: String,
    /// The SDM's document number, normalised.
    pub document_number: String,
}

impl std::fmt::Debug for RecordSdm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordSdm")
            .field("relationship", &self.relationship)
            .field("document_type", &self.document_type)
            .finish_non_exhaustive()
    }
}

impl RecordSdm {
    /// The SDM of a document and relationship.
    pub fn new(relationship: &str, document: &DocumentNumber) -> RecordSdm {
        RecordSdm {
            relationship: relationship.to_owned(),
            document_type: document.doc_type().code().to_owned(),
            document_number: document.normalized().to_owned(),
        }
    }

    fn masked(&self) -> String {
        ehr_domain::DocumentType::from_code(&self.document_type)
            .ok()
            .and_then(|t| crate::validate::known_number(t, &self.document_number))
            .map(|n| n.masked())
            .unwrap_or_else(|| "***".to_owned())
    }
}

/// A stored record.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    /// The eHR number.
    pub ehr_number: String,
    /// The lifecycle.
    pub lifecycle: RegistrationLifecycle,
    /// The person.
    pub person: RecordPerson,
    /// The consents.
    pub consents: ConsentBook,
    /// Flags.
    pub flags: Vec<String>,
    /// The SDM who keeps it, if any.
    pub sdm: Option<RecordSdm>,
    /// Where notices go (absent on records from before migration 0007).
    pub notification: Option<NotificationChoice>,
}

/// A registration about to take effect.
#[derive(Debug)]
pub struct NewRecord<'a> {
    /// What identifies the person.
    pub identifier: Identifier,
    /// The person.
    pub person: RecordPerson,
    /// Where the access key goes.
    pub notification: &'a NotificationChoice,
    /// Private providers given consent now.
    pub private_consents: &'a [String],
    /// The application this settles.
    pub settled_application: Option<&'a str>,
    /// Flags for attention.
    pub flags: Vec<String>,
    /// The SDM who keeps it (a child's or a newborn's parent).
    pub sdm: Option<RecordSdm>,
    /// The images that support it (linked to the new record).
    pub images: Vec<uuid::Uuid>,
    /// The day it takes effect.
    pub today: Date,
}

/// A query of whole records: the columns [`stored`] reads, then `$rest`
/// (its `WHERE`, `ORDER BY`, ...).
macro_rules! select_records {
    ($rest:literal) => {
        concat!(
            "SELECT ehr_number, lifecycle, person, consents, flags, sdm, notification ",
            "FROM records ",
            $rest
        )
    };
}

/// The wire state.
pub fn state_to_wire(s: RegistrationState) -> RecordState {
    match s {
        RegistrationState::Effective => RecordState::Effective,
        RegistrationState::AwaitingBirthCertificate => RecordState::AwaitingBirthCertificate,
        RegistrationState::Withdrawn => RecordState::Withdrawn,
    }
}

/// The record holding a document, if any: the document itself, or its
/// Hong Kong twin (a child registered with a birth certificate holds the
/// identity card of the same number later; one person, one record).
pub fn by_document(tx: &Transaction<'_>, n: &DocumentNumber) -> Result<Option<StoredRecord>> {
    let twin = n.hong_kong_twin();
    one(
        tx,
        select_records!(
            "WHERE doc_type IN (?1, ?3) AND doc_number = ?2 \
             ORDER BY doc_type = ?1 DESC LIMIT 1"
        ),
        params![
            n.doc_type().code(),
            n.normalized(),
            twin.map_or(n.doc_type().code(), |t| t.doc_type().code())
        ],
    )
}

/// The record of a birth-hospital document, if any.
pub fn by_birth_document(
    tx: &Transaction<'_>,
    hospital: &str,
    serial: &str,
) -> Result<Option<StoredRecord>> {
    one(
        tx,
        select_records!("WHERE hospital_code = ?1 AND hospital_serial = ?2"),
        params![hospital, serial],
    )
}

/// The record with an eHR number, if any.
pub fn get(tx: &Transaction<'_>, ehr_number: &str) -> Result<Option<StoredRecord>> {
    one(
        tx,
        select_records!("WHERE ehr_number = ?1"),
        params![ehr_number],
    )
}

/// The records a document's holder keeps as substitute decision maker.
pub fn kept_by_sdm(tx: &Transaction<'_>, n: &DocumentNumber) -> Result<Vec<StoredRecord>> {
    many(
        tx,
        select_records!(
            "WHERE sdm_doc_type = ?1 AND sdm_doc_number = ?2 ORDER BY registered_on DESC LIMIT 50"
        ),
        params![n.doc_type().code(), n.normalized()],
    )
}

/// Newborn records of a birth hospital (every hospital's when `None`)
/// still awaiting the birth certificate that took effect on or before
/// `registered_by`, oldest first (at most `limit`).
pub fn awaiting_since(
    tx: &Transaction<'_>,
    hospital: Option<&str>,
    registered_by: Date,
    limit: u32,
) -> Result<Vec<StoredRecord>> {
    many(
        tx,
        select_records!(
            "WHERE state = ?1 AND (?2 IS NULL OR hospital_code = ?2) AND registered_on <= ?3 \
         ORDER BY registered_on, created_at, ehr_number LIMIT ?4"
        ),
        params![
            RegistrationState::AwaitingBirthCertificate.code(),
            hospital,
            registered_by.to_string(),
            limit
        ],
    )
}

/// Records an SDM keeps (in effect) for a child who turns 16 after
/// `today` and on or before `today + within_days`: with the day, soonest
/// first, at most `limit`.
pub fn turning_16(
    tx: &Transaction<'_>,
    today: Date,
    within_days: u32,
    limit: usize,
) -> Result<Vec<(StoredRecord, Date)>> {
    let last = today
        .add_days(i64::from(within_days))
        .map_err(|_| Error::Internal("date"))?;
    let kept = many(
        tx,
        select_records!("WHERE sdm IS NOT NULL AND state = ?1"),
        params![RegistrationState::Effective.code()],
    )?;
    let mut out: Vec<(StoredRecord, Date)> = kept
        .into_iter()
        .filter_map(|r| {
            let born = Date::parse(&r.person.date_of_birth).ok()?;
            let on = ehr_domain::date_of_turning(born, 16)?;
            (on > today && on <= last).then_some((r, on))
        })
        .collect();
    out.sort_by(|(x, a), (y, b)| a.cmp(b).then_with(|| x.ehr_number.cmp(&y.ehr_number)));
    out.truncate(limit);
    Ok(out)
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn stored((ehr_number, l, p, c, f, sdm, n): Row) -> Result<StoredRecord> {
    fn opt<T: serde::de::DeserializeOwned>(
        v: Option<String>,
        what: &'static str,
    ) -> Result<Option<T>> {
        v.map(|t| serde_json::from_str(&t).map_err(|_| Error::Corrupt(what)))
            .transpose()
    }
    Ok(StoredRecord {
        ehr_number,
        lifecycle: serde_json::from_str(&l).map_err(|_| Error::Corrupt("record lifecycle"))?,
        person: serde_json::from_str(&p).map_err(|_| Error::Corrupt("record person"))?,
        consents: serde_json::from_str(&c).map_err(|_| Error::Corrupt("record consents"))?,
        flags: serde_json::from_str(&f).map_err(|_| Error::Corrupt("record flags"))?,
        sdm: opt(sdm, "record sdm")?,
        notification: opt(n, "record notification")?,
    })
}

fn one(
    tx: &Transaction<'_>,
    sql: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Option<StoredRecord>> {
    let found: Option<Row> = tx.prepare_cached(sql)?.query_row(p, row).optional()?;
    found.map(stored).transpose()
}

fn many(tx: &Transaction<'_>, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<StoredRecord>> {
    let rows: Vec<Row> = tx
        .prepare_cached(sql)?
        .query_map(p, row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(stored).collect()
}

/// Links uploaded images to the record they support (an image already
/// linked elsewhere keeps its link).
pub fn link_images(tx: &Transaction<'_>, ehr_number: &str, images: &[uuid::Uuid]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "UPDATE document_images SET record_ehr_number = ?1 \
         WHERE image_id = ?2 AND record_ehr_number IS NULL",
    )?;
    for id in images {
        stmt.execute(params![ehr_number, id.to_string()])?;
    }
    Ok(())
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|_| Error::Internal("json"))
}

/// Saves a record's lifecycle, identifier columns, person and consents.
pub fn save(tx: &Transaction<'_>, r: &StoredRecord) -> Result<()> {
    let (doc_type, doc_number) = match r.lifecycle.identifier() {
        Identifier::Document { number } => (
            Some(number.doc_type().code()),
            Some(number.normalized().to_owned()),
        ),
        Identifier::BirthHospital { .. } => (None, None),
    };
    tx.execute(
        "UPDATE records SET lifecycle = ?2, state = ?3, doc_type = ?4, doc_number = ?5, \
         person = ?6, consents = ?7, flags = ?8, sdm = ?9, sdm_doc_type = ?10, \
         sdm_doc_number = ?11, notification = ?12 WHERE ehr_number = ?1",
        params![
            r.ehr_number,
            json(&r.lifecycle)?,
            r.lifecycle.state().code(),
            doc_type,
            doc_number,
            json(&r.person)?,
            json(&r.consents)?,
            json(&r.flags)?,
            r.sdm.as_ref().map(json).transpose()?,
            r.sdm.as_ref().map(|s| s.document_type.clone()),
            r.sdm.as_ref().map(|s| s.document_number.clone()),
            r.notification.as_ref().map(json).transpose()?,
        ],
    )?;
    Ok(())
}

/// Makes a registration take effect: checks for a clash, assigns the eHR
/// number and an 8-digit access key, and queues the access-key notice.
/// The key is written to the notification outbox only; it is neither
/// returned nor logged. `Ok(Err(code))` is a conflict.
pub fn register(tx: &Transaction<'_>, new: NewRecord<'_>) -> Result<Result<String, ErrorCode>> {
    let (lifecycle, doc_cols, birth_cols) = match &new.identifier {
        Identifier::Document { number } => {
            if let Some(existing) = by_document(tx, number)? {
                if existing.lifecycle.state() == RegistrationState::Withdrawn {
                    // Re-joining: the withdrawn record is reopened.
                    return reopen(tx, existing, new);
                }
                return Ok(Err(ErrorCode::ConflictAlreadyRegistered));
            }
            (
                RegistrationLifecycle::effective(number.clone(), new.today),
                (
                    Some(number.doc_type().code()),
                    Some(number.normalized().to_owned()),
                ),
                (None, None),
            )
        }
        Identifier::BirthHospital { document } => {
            if by_birth_document(tx, &document.hospital_code, &document.serial)?.is_some() {
                return Ok(Err(ErrorCode::ConflictBirthDocumentRegistered));
            }
            (
                RegistrationLifecycle::newborn(
                    BirthHospitalDocument {
                        hospital_code: document.hospital_code.clone(),
                        serial: document.serial.clone(),
                    },
                    new.today,
                ),
                (None, None),
                (
                    Some(document.hospital_code.clone()),
                    Some(document.serial.clone()),
                ),
            )
        }
    };
    let public = reference::provider_ids(tx, true)?;
    let mut consents = ConsentBook::with_public_providers(public.iter().map(String::as_str));
    let private: Vec<&str> = new.private_consents.iter().map(String::as_str).collect();
    consents
        .give(&private, new.today)
        .map_err(|_| Error::Internal("consent on registration"))?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO records (ehr_number, doc_type, doc_number, hospital_code, hospital_serial, \
         state, lifecycle, person, consents, registered_on, settled_application, flags, created_at, \
         sdm, sdm_doc_type, sdm_doc_number, notification) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) \
         ON CONFLICT (ehr_number) DO NOTHING",
    )?;
    let mut ehr_number = None;
    for _ in 0..8 {
        let candidate = random_digits(12)?;
        let n = stmt.execute(params![
            candidate,
            doc_cols.0,
            doc_cols.1,
            birth_cols.0,
            birth_cols.1,
            lifecycle.state().code(),
            json(&lifecycle)?,
            json(&new.person)?,
            json(&consents)?,
            new.today.to_string(),
            new.settled_application,
            json(&new.flags)?,
            now_unix(),
            new.sdm.as_ref().map(json).transpose()?,
            new.sdm.as_ref().map(|s| s.document_type.clone()),
            new.sdm.as_ref().map(|s| s.document_number.clone()),
            json(new.notification)?,
        ])?;
        if n == 1 {
            ehr_number = Some(candidate);
            break;
        }
    }
    let ehr_number = ehr_number.ok_or(Error::Internal("no free eHR number"))?;
    link_images(tx, &ehr_number, &new.images)?;
    send_access_key(tx, &ehr_number, new.notification)?;
    Ok(Ok(ehr_number))
}

/// A new access key for `ehr_number`, queued in the notification outbox
/// (the only place it is kept, for the sender).
pub fn send_access_key(
    tx: &Transaction<'_>,
    ehr_number: &str,
    notification: &NotificationChoice,
) -> Result<()> {
    let access_key = random_digits(8)?;
    let body = notice_text(notification.language, ehr_number, &access_key);
    tx.prepare_cached(
        "INSERT INTO notification_outbox (ehr_number, channel, language, address, template, \
         body, access_key, created_at) \
         VALUES (?1, ?2, ?3, ?4, 'registration_access_key', ?7, ?5, ?6)",
    )?
    .execute(params![
        ehr_number,
        match notification.channel {
            NotificationChannel::Sms => "sms",
            NotificationChannel::Email => "email",
            NotificationChannel::Post => "post",
        },
        match notification.language {
            ehr_protocol::wire::Language::En => "en",
            ehr_protocol::wire::Language::Zh => "zh",
        },
        notification.address.trim(),
        access_key,
        now_unix(),
        body,
    ])?;
    Ok(())
}

/// A withdrawn record reopened by a new registration of the same person:
/// the same eHR number, in effect again from today, with the new
/// particulars, contact and SDM, sharing consent afresh (the public
/// providers', and the private ones asked for now), and a new access key.
fn reopen(
    tx: &Transaction<'_>,
    mut record: StoredRecord,
    new: NewRecord<'_>,
) -> Result<Result<String, ErrorCode>> {
    if record.lifecycle.rejoin(new.today).is_err() {
        return Ok(Err(ErrorCode::ConflictRecordWithdrawn));
    }
    let public = reference::provider_ids(tx, true)?;
    let mut consents = ConsentBook::with_public_providers(public.iter().map(String::as_str));
    let private: Vec<&str> = new.private_consents.iter().map(String::as_str).collect();
    consents
        .give(&private, new.today)
        .map_err(|_| Error::Internal("consent on rejoining"))?;
    record.consents = consents;
    record.person = new.person;
    record.flags = new.flags;
    record.sdm = new.sdm;
    record.notification = Some(new.notification.clone());
    save(tx, &record)?;
    tx.execute(
        "UPDATE records SET registered_on = ?2, settled_application = \
         COALESCE(?3, settled_application) WHERE ehr_number = ?1",
        params![
            record.ehr_number,
            new.today.to_string(),
            new.settled_application
        ],
    )?;
    link_images(tx, &record.ehr_number, &new.images)?;
    send_access_key(tx, &record.ehr_number, new.notification)?;
    Ok(Ok(record.ehr_number))
}

/// The access-key notice in the chosen language (SMS, email or letter body).
pub fn notice_text(language: ehr_protocol::wire::Language, ehr_number: &str, key: &str) -> String {
    let lang = match language {
        ehr_protocol::wire::Language::En => ehr_i18n::Lang::En,
        ehr_protocol::wire::Language::Zh => ehr_i18n::Lang::ZhHk,
    };
    ehr_i18n::format(
        lang,
        "notice.access_key",
        &[("ehr_number", ehr_number), ("key", key)],
    )
}

/// The wire view of a record.
pub fn to_wire(r: &StoredRecord) -> RegisteredRecord {
    let identifier = match r.lifecycle.identifier() {
        Identifier::Document { number } => RecordIdentifier::Document {
            document_type: number.doc_type().code().to_owned(),
            document_number_masked: number.masked(),
        },
        Identifier::BirthHospital { document } => RecordIdentifier::BirthHospital {
            hospital_code: document.hospital_code.clone(),
            serial: document.serial.clone(),
        },
    };
    let mut consents: Vec<ConsentView> = r
        .consents
        .entries()
        .iter()
        .map(|(id, e)| {
            let (state, given_on, revoked_on) = match e.state {
                DConsent::Automatic => (ConsentState::Automatic, None, None),
                DConsent::NotGiven => (ConsentState::NotGiven, None, None),
                DConsent::Given { given_on } => (ConsentState::Given, Some(given_on), None),
                DConsent::Revoked {
                    given_on,
                    revoked_on,
                } => (ConsentState::Revoked, Some(given_on), Some(revoked_on)),
            };
            ConsentView {
                provider_id: id.clone(),
                kind: match e.kind {
                    DKind::Public => ProviderKind::Public,
                    DKind::Private => ProviderKind::Private,
                },
                state,
                given_on: given_on.map(|d| d.to_string()),
                revoked_on: revoked_on.map(|d| d.to_string()),
            }
        })
        .collect();
    consents.sort_by_key(|c| (c.kind == ProviderKind::Private, c.provider_id.clone()));
    RegisteredRecord {
        ehr_number: r.ehr_number.clone(),
        state: state_to_wire(r.lifecycle.state()),
        identifier,
        surname: r.person.surname.clone(),
        given_names: r.person.given_names.clone(),
        chinese_name: r.person.chinese_name.clone(),
        date_of_birth: r.person.date_of_birth.clone(),
        registered_on: r.lifecycle.registered_on().to_string(),
        consents,
        flags: r.flags.clone(),
        sdm: r.sdm.as_ref().map(|s| SdmView {
            relationship: s.relationship.clone(),
            document_type: s.document_type.clone(),
            document_number_masked: s.masked(),
        }),
        contact: r.notification.as_ref().map(contact_view),
    }
}

fn contact_view(n: &NotificationChoice) -> ContactView {
    ContactView {
        channel: n.channel,
        language: n.language,
        address_masked: ehr_protocol::wire::mask_address(n.channel, &n.address),
    }
}

/// A newborn record as the follow-up list shows it, `days_waiting` after
/// its registration on `today`.
pub fn follow_up(r: &StoredRecord, today: Date) -> Option<NewbornFollowUp> {
    let Identifier::BirthHospital { document } = r.lifecycle.identifier() else {
        return None;
    };
    let registered = r.lifecycle.registered_on();
    Some(NewbornFollowUp {
        ehr_number: r.ehr_number.clone(),
        hospital_code: document.hospital_code.clone(),
        serial: document.serial.clone(),
        registered_on: registered.to_string(),
        date_of_birth: r.person.date_of_birth.clone(),
        days_waiting: u32::try_from(registered.days_until(today).max(0)).unwrap_or(0),
        surname: r.person.surname.clone(),
        given_names: r.person.given_names.clone(),
        chinese_name: r.person.chinese_name.clone(),
        parent_document_masked: r.sdm.as_ref().map(RecordSdm::masked),
        contact: r.notification.as_ref().map(contact_view),
    })
}

pub use ehr_protocol::wire::RecordQuery;
