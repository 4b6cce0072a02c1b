//! Helpers for the outbox tests: generated walk-in registrations, an app
//! crate pointed at a test ehr-central, and what the central service's
//! database holds.

use std::collections::BTreeMap;
use std::path::Path;

use ehr_app::{App, Change, Config, NewOp};
use ehr_protocol::wire::applications::ApplicantDetails;
use ehr_protocol::wire::batch::{Operation, RegisterInPerson};
use ehr_protocol::wire::{Language, NotificationChannel, NotificationChoice, PersonDetails, Sex};

/// The `i`th generated HKID number, `Y` and six digits with its check
/// character, as printed (`Y100007(4)`).
pub fn hkid(i: u32) -> String {
    let id = format!("Y{:06}", 100_000 + i % 900_000);
    let c = ehr_domain::id::hkid_check_char(&id).unwrap_or('0');
    format!("{id}({c})")
}

/// The number as ehr-central stores it (normalised, check character kept).
pub fn stored_number(i: u32) -> String {
    ehr_domain::id::normalize(&hkid(i))
}

/// Surnames of the generated people (names the plaintext scan looks for).
pub const SURNAMES: [&str; 4] = ["LEUNG", "TSANG", "KWOK", "YEUNG"];

/// The record key of the `i`th walk-in.
pub fn record_key(i: u32) -> String {
    format!("walkin-{i}")
}

/// The `i`th walk-in registration: an adult registering themself.
pub fn walk_in(i: u32) -> Change {
    let surname = SURNAMES[(i % 4) as usize];
    let op = Operation::RegisterInPerson(RegisterInPerson {
        patient: PersonDetails {
            document_type: "hkic".to_owned(),
            document_number: hkid(i),
            surname: surname.to_owned(),
            given_names: "Ka Ming".to_owned(),
            chinese_name: Some("梁家明".to_owned()),
            date_of_birth: format!("19{:02}-0{}-1{}", 50 + i % 40, 1 + i % 9, i % 10),
            sex: Some(if i.is_multiple_of(2) {
                Sex::Male
            } else {
                Sex::Female
            }),
        },
        capacity: "capable".to_owned(),
        applicant: ApplicantDetails::SelfApplicant {},
        no_higher_tier_declared: false,
        supporting_document_image: None,
        patient_document_copy_image: None,
        notification: NotificationChoice {
            channel: NotificationChannel::Sms,
            language: Language::Zh,
            address: format!("9{:07}", i % 10_000_000),
        },
        private_provider_consents: Vec::new(),
        supervisor_sign_off: None,
        transacted_at: None,
    });
    Change {
        record_key: record_key(i),
        kind: "walk_in".to_owned(),
        summary: format!("Walk-in registration · {surname}, Ka Ming"),
        ops: vec![NewOp {
            op,
            attachment: None,
        }],
    }
}

/// An app crate on `data_dir`, syncing with the central service at `url`
/// as the counter with `counter_key` (written to the data folder), the key
/// in a file (no keyring) and backoff capped at `backoff_cap_ms`.
pub fn app(data_dir: &Path, url: &str, counter_key: &str, backoff_cap_ms: u64) -> App {
    let _ = std::fs::create_dir_all(data_dir);
    write_private(&data_dir.join("counter.key"), counter_key);
    App::new(config(data_dir, url, backoff_cap_ms))
}

/// Write `text` to a file only its owner may read (mode 0600), as a
/// counter's machine key must be.
pub fn write_private(path: &Path, text: &str) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    use std::os::unix::fs::PermissionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .expect("key file");
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .expect("key file mode");
    f.write_all(text.as_bytes()).expect("key file");
}

/// The configuration [`app`] uses.
pub fn config(data_dir: &Path, url: &str, backoff_cap_ms: u64) -> Config {
    let vars: BTreeMap<&str, String> = [
        ("EHR_COUNTER_DATA_DIR", data_dir.display().to_string()),
        ("EHR_CENTRAL_URL", url.to_owned()),
        ("EHR_COUNTER_KEYRING", "off".to_owned()),
        ("EHR_SYNC_BACKOFF_CAP_MS", backoff_cap_ms.to_string()),
    ]
    .into_iter()
    .collect();
    Config::from_lookup(|k| vars.get(k).cloned())
}

/// How many registered records ehr-central holds for each document number.
pub fn central_records(central_dir: &Path) -> Result<BTreeMap<String, u32>, String> {
    let conn = crate::central::open_db(central_dir)?;
    let mut st = conn
        .prepare("SELECT doc_number, count(*) FROM records WHERE doc_number IS NOT NULL GROUP BY doc_number")
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
}

/// `PRAGMA integrity_check` of ehr-central's database.
pub fn central_integrity(central_dir: &Path) -> Result<String, String> {
    let conn = crate::central::open_db(central_dir)?;
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())
}
