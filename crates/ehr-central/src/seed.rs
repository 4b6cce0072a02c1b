//! Demo and bench data: reference data, staff, sites and counters, and
//! pending applications with realistic bilingual Hong Kong names.
//!
//! Everything is deterministic for a given seed except the dates, which are
//! relative to today (so some applications are always expired) and the
//! argon2 salts. Demo credentials are fixed and documented in
//! `docs/central-api.md`; counter keys derive from the seed.

use std::path::Path;

use ehr_domain::id::hkid_check_char;
use ehr_domain::lifecycle::application::Origin as DOrigin;
use ehr_domain::Date;
use ehr_protocol::wire::{
    ApplicantDetails, Language, NotificationChannel, NotificationChoice, PersonDetails, Sex,
    StaffRole,
};
use serde::Serialize;

use crate::applications::{self, ApplicationBody, NewApplication};
use crate::auth;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::reference;
use crate::util::{hk_date, now_unix, SplitMix, CROCKFORD};
use crate::validate::{self, Errors};

/// The demo staff accounts: code, role, password.
pub const DEMO_STAFF: &[(&str, StaffRole, &str)] = &[
    ("clerk01", StaffRole::RegistrationStaff, "demo-clerk-01"),
    ("clerk02", StaffRole::RegistrationStaff, "demo-clerk-02"),
    ("clerk03", StaffRole::RegistrationStaff, "demo-clerk-03"),
    ("super01", StaffRole::Supervisor, "demo-super-01"),
];

/// The file the demo credentials are written to, in the data directory.
pub const CREDENTIALS_FILE: &str = "demo-credentials.json";

/// A demo counter's credentials.
#[derive(Debug, Clone, Serialize)]
pub struct DemoCounter {
    /// Its id.
    pub counter_id: String,
    /// Its name.
    pub name: String,
    /// Its site.
    pub site_code: String,
    /// Its machine key (for `X-Counter-Key`).
    pub machine_key: String,
}

/// A demo staff account.
#[derive(Debug, Clone, Serialize)]
pub struct DemoStaff {
    /// The staff code.
    pub staff_code: String,
    /// The role.
    pub role: StaffRole,
    /// The password.
    pub password: String,
}

/// What `seed --demo` created.
#[derive(Debug, Clone, Serialize)]
pub struct DemoCredentials {
    /// Staff accounts.
    pub staff: Vec<DemoStaff>,
    /// Counters, one per site.
    pub counters: Vec<DemoCounter>,
    /// How many applications were added.
    pub applications: usize,
    /// A few application references, for trying lookups.
    pub sample_references: Vec<String>,
    /// A few applicants who applied for themselves with a Hong Kong identity
    /// card, with their references: training mode makes virtual cards of
    /// them, so a card read finds their pending application.
    pub demo_people: Vec<DemoPerson>,
}

/// An applicant of a seeded application, for a virtual card.
#[derive(Debug, Clone, Serialize)]
pub struct DemoPerson {
    /// The application's reference.
    pub reference: String,
    /// The applicant's particulars as on the application.
    pub person: PersonDetails,
}

/// Installs the standard reference data only.
pub fn reference_only(db: &Db) -> Result<()> {
    db.write(reference::install_standard)
}

/// Seeds the demo data; writes the credentials to `demo-credentials.json`
/// in `data_dir` and returns them.
pub fn demo(db: &Db, data_dir: &Path, seed: u64, applications: usize) -> Result<DemoCredentials> {
    let mut rng = SplitMix::new(seed);
    let staff = DEMO_STAFF
        .iter()
        .map(|(code, role, password)| DemoStaff {
            staff_code: (*code).to_owned(),
            role: *role,
            password: (*password).to_owned(),
        })
        .collect::<Vec<_>>();
    // Hash outside the write transaction (argon2 is deliberately slow).
    let hashed = staff
        .iter()
        .map(|s| Ok((s.clone(), auth::hash_password(&s.password)?)))
        .collect::<Result<Vec<_>>>()?;
    let counters = db.write(|tx| {
        reference::install_standard(tx)?;
        for (s, hash) in &hashed {
            tx.execute(
                "INSERT INTO staff (staff_code, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (staff_code) DO UPDATE SET role = excluded.role, \
                 password_hash = excluded.password_hash, failed_attempts = 0, locked_until = NULL",
                rusqlite::params![s.staff_code, auth::role_code(s.role), hash, now_unix()],
            )?;
        }
        let mut counters = Vec::new();
        for (code, ..) in reference::SITES {
            let counter_id = format!("CTR-DEMO-{code}");
            let name = format!("{code}-01");
            let machine_key = format!("demo-{:016x}{:016x}", rng.next_u64(), rng.next_u64());
            tx.execute(
                "INSERT INTO counters (counter_id, name, site_code, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (counter_id) DO NOTHING",
                rusqlite::params![counter_id, name, code, now_unix()],
            )?;
            auth::set_counter_key(tx, &counter_id, &machine_key)?;
            counters.push(DemoCounter {
                counter_id,
                name,
                site_code: (*code).to_owned(),
                machine_key,
            });
        }
        Ok::<_, Error>(counters)
    })?;
    let (refs, demo_people) = add_applications(db, &mut rng, applications, 10)?;
    let creds = DemoCredentials {
        staff,
        counters,
        applications,
        sample_references: refs,
        demo_people,
    };
    let json = serde_json::to_string_pretty(&creds).map_err(|_| Error::Internal("json"))?;
    // Passwords and machine keys: readable by this user only.
    crate::key::write_private(&data_dir.join(CREDENTIALS_FILE), json.as_bytes())?;
    Ok(creds)
}

/// Adds `n` pending applications in one transaction; returns the first
/// `samples` references, and up to `samples` self-applicants with an HKIC.
pub fn add_applications(
    db: &Db,
    rng: &mut SplitMix,
    n: usize,
    samples: usize,
) -> Result<(Vec<String>, Vec<DemoPerson>)> {
    let today = hk_date(now_unix())?;
    db.write(|tx| {
        let policy = reference::domain_policy(&reference::policies(tx)?);
        let private = reference::provider_ids(tx, false)?;
        let mut refs = Vec::new();
        let mut people = Vec::new();
        for i in 0..n {
            let g = generate(rng, today, i, &private)?;
            let self_hkic = matches!(g.body.applicant, ApplicantDetails::SelfApplicant {})
                && g.body.patient.document_type == "hkic";
            if self_hkic && people.len() < samples {
                people.push(DemoPerson {
                    reference: g.reference.clone(),
                    person: g.body.patient.clone(),
                });
            }
            let mut errs = Errors::default();
            let patient = validate::person("", &g.body.patient, today, &mut errs)
                .ok_or(Error::Internal("generated person invalid"))?;
            let r = applications::insert(
                tx,
                NewApplication {
                    origin: g.origin,
                    submitted_on: g.submitted_on,
                    accepted_on: g.submitted_on,
                    patient: &patient,
                    body: &g.body,
                    reference: Some(g.reference),
                },
                &policy,
            )?
            .map_err(|_| Error::Internal("generated application refused"))?;
            if refs.len() < samples {
                refs.push(r);
            }
        }
        Ok((refs, people))
    })
}

/// Adds `n` generated applications in one transaction with one prepared
/// statement (the bench's data set); returns every `sample_every`-th
/// patient's document type and number, for lookups.
pub fn bulk_applications(
    db: &Db,
    seed: u64,
    n: usize,
    sample_every: usize,
) -> Result<Vec<(String, String)>> {
    let mut rng = SplitMix::new(seed);
    let today = hk_date(now_unix())?;
    db.write(|tx| {
        let policy = reference::domain_policy(&reference::policies(tx)?);
        let private = reference::provider_ids(tx, false)?;
        let mut samples = Vec::new();
        for i in 0..n {
            let g = generate(&mut rng, today, i, &private)?;
            let mut errs = Errors::default();
            let patient = validate::person("", &g.body.patient, today, &mut errs)
                .ok_or(Error::Internal("generated person invalid"))?;
            if i % sample_every.max(1) == 0 {
                samples.push((
                    g.body.patient.document_type.clone(),
                    g.body.patient.document_number.clone(),
                ));
            }
            applications::insert(
                tx,
                NewApplication {
                    origin: g.origin,
                    submitted_on: g.submitted_on,
                    accepted_on: g.submitted_on,
                    patient: &patient,
                    body: &g.body,
                    reference: Some(g.reference),
                },
                &policy,
            )?
            .map_err(|_| Error::Internal("generated application refused"))?;
        }
        Ok(samples)
    })
}

/// A generated application.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Its reference.
    pub reference: String,
    /// How it arrived.
    pub origin: DOrigin,
    /// When.
    pub submitted_on: Date,
    /// The rest.
    pub body: ApplicationBody,
}

/// Surnames: characters and their Hong Kong (Cantonese) romanisation.
const SURNAMES: &[(&str, &str)] = &[
    ("陳", "CHAN"),
    ("李", "LEE"),
    ("張", "CHEUNG"),
    ("黃", "WONG"),
    ("何", "HO"),
    ("林", "LAM"),
    ("吳", "NG"),
    ("劉", "LAU"),
    ("蔡", "CHOI"),
    ("楊", "YEUNG"),
    ("梁", "LEUNG"),
    ("鄭", "CHENG"),
    ("謝", "TSE"),
    ("郭", "KWOK"),
    ("馬", "MA"),
    ("羅", "LAW"),
    ("周", "CHOW"),
    ("朱", "CHU"),
    ("麥", "MAK"),
    ("曾", "TSANG"),
    ("王", "WONG"),
    ("鄧", "TANG"),
    ("葉", "YIP"),
    ("袁", "YUEN"),
    ("馮", "FUNG"),
];

/// Given-name characters and their romanisation.
const GIVEN: &[(&str, &str)] = &[
    ("大", "TAI"),
    ("文", "MAN"),
    ("小", "SIU"),
    ("明", "MING"),
    ("嘉", "KA"),
    ("欣", "YAN"),
    ("志", "CHI"),
    ("偉", "WAI"),
    ("詠", "WING"),
    ("思", "SZE"),
    ("家", "KA"),
    ("俊", "CHUN"),
    ("美", "MEI"),
    ("玲", "LING"),
    ("浩", "HO"),
    ("然", "YIN"),
    ("子", "TSZ"),
    ("晴", "CHING"),
    ("建", "KIN"),
    ("華", "WAH"),
    ("國", "KWOK"),
    ("強", "KEUNG"),
    ("慧", "WAI"),
    ("敏", "MAN"),
    ("琪", "KEI"),
    ("雅", "NGA"),
    ("婷", "TING"),
    ("朗", "LONG"),
    ("軒", "HIN"),
    ("樂", "LOK"),
];

/// English given names some people carry before their Chinese given name.
const ENGLISH_NAMES: &[&str] = &[
    "Peter", "Mary", "Ivan", "Winnie", "Kelvin", "Cecilia", "Jason", "Yvonne",
];

const HKID_PREFIXES: &[&str] = &[
    "A", "C", "D", "E", "G", "H", "K", "M", "P", "R", "V", "Y", "Z", "WX", "XA",
];

/// A mod-11-valid HKID-shaped number, for example `K123456(7)`.
pub fn hkid(rng: &mut SplitMix) -> String {
    loop {
        let prefix = rng.pick(HKID_PREFIXES);
        let id = format!("{prefix}{:06}", rng.below(1_000_000));
        if let Some(c) = hkid_check_char(&id) {
            return format!("{id}({c})");
        }
    }
}

fn person(
    rng: &mut SplitMix,
    today: Date,
    min_age: u32,
    max_age: u32,
    birth_cert: bool,
) -> Result<PersonDetails> {
    let (sc, se) = *rng.pick(SURNAMES);
    let (g1c, g1e) = *rng.pick(GIVEN);
    let (g2c, g2e) = *rng.pick(GIVEN);
    let mut given = format!("{} {}", title(g1e), title(g2e));
    if rng.below(6) == 0 {
        given = format!("{} {given}", rng.pick(ENGLISH_NAMES));
    }
    let span = u64::from(max_age - min_age + 1) * 365;
    let dob = today
        .add_days(-(i64::from(min_age) * 365 + 1 + rng.below(span) as i64))
        .map_err(|_| Error::Internal("date"))?;
    Ok(PersonDetails {
        document_type: if birth_cert {
            "hk_birth_certificate"
        } else {
            "hkic"
        }
        .to_owned(),
        document_number: hkid(rng),
        surname: se.to_owned(),
        given_names: given,
        chinese_name: Some(format!("{sc}{g1c}{g2c}")),
        date_of_birth: dob.to_string(),
        sex: Some(if rng.below(2) == 0 {
            Sex::Male
        } else {
            Sex::Female
        }),
    })
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_string() + &c.as_str().to_ascii_lowercase(),
        None => String::new(),
    }
}

/// One deterministic application (case mix by `i`): self-applicants,
/// parents and other SDMs, and authorised persons.
pub fn generate(
    rng: &mut SplitMix,
    today: Date,
    i: usize,
    private: &[String],
) -> Result<Generated> {
    let case = i % 20;
    let (patient, capacity, applicant, mut flags) = match case {
        0..=12 => (
            person(rng, today, 16, 90, false)?,
            "capable",
            ApplicantDetails::SelfApplicant {},
            vec![],
        ),
        13..=15 => {
            let child = person(rng, today, 0, 15, true)?;
            let mut parent = person(rng, today, 25, 50, false)?;
            parent.surname = child.surname.clone();
            (
                child,
                "capable",
                ApplicantDetails::Sdm {
                    relationship: "parent".into(),
                    person: parent,
                },
                vec![],
            )
        }
        16 => (
            person(rng, today, 60, 95, false)?,
            "incapable:mentally_incapacitated",
            ApplicantDetails::Sdm {
                relationship: "family_member".into(),
                person: person(rng, today, 30, 70, false)?,
            },
            vec![],
        ),
        17 => (
            person(rng, today, 2, 15, true)?,
            "capable",
            ApplicantDetails::Sdm {
                relationship: "guardian".into(),
                person: person(rng, today, 30, 70, false)?,
            },
            // Only parents, family members and people residing with the
            // patient may apply online: flagged for the clerk.
            vec!["eligibility.sdm_type_not_online".to_owned()],
        ),
        _ => (
            person(rng, today, 16, 90, false)?,
            "capable",
            ApplicantDetails::AuthorisedPerson {
                person: person(rng, today, 20, 70, false)?,
            },
            vec![],
        ),
    };
    let origin = match rng.below(20) {
        0 => DOrigin::PaperPost,
        1 => DOrigin::PaperFax,
        2 => DOrigin::PaperDropIn,
        _ => DOrigin::Online,
    };
    if origin != DOrigin::Online {
        flags.clear();
    }
    let submitted_on = today
        .add_days(-(rng.below(200) as i64))
        .map_err(|_| Error::Internal("date"))?;
    let (channel, address) = match rng.below(10) {
        0..=5 => (
            NotificationChannel::Sms,
            format!("9{:07}", rng.below(10_000_000)),
        ),
        6..=8 => (
            NotificationChannel::Email,
            format!(
                "{}{}@example.hk",
                patient.surname.to_ascii_lowercase(),
                rng.below(1000)
            ),
        ),
        _ => (
            NotificationChannel::Post,
            format!(
                "Flat {}, {}/F, {} Nathan Road, Kowloon",
                rng.below(8) + 1,
                rng.below(40) + 1,
                rng.below(700) + 1
            ),
        ),
    };
    let language = if rng.below(10) < 6 {
        Language::Zh
    } else {
        Language::En
    };
    let mut consents = Vec::new();
    for _ in 0..rng.below(3) {
        if !private.is_empty() {
            let p = rng.pick(private).clone();
            if !consents.contains(&p) {
                consents.push(p);
            }
        }
    }
    let mut reference = String::from("EA");
    for _ in 0..10 {
        reference.push(char::from(CROCKFORD[rng.below(32) as usize]));
    }
    Ok(Generated {
        reference,
        origin,
        submitted_on,
        body: ApplicationBody {
            patient,
            capacity: capacity.to_owned(),
            applicant,
            notification: NotificationChoice {
                channel,
                language,
                address,
            },
            private_provider_consents: consents,
            flags,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_people_pass_the_domain_rules() {
        let today = Date::parse("2026-06-01").unwrap();
        let mut rng = SplitMix::new(42);
        for i in 0..400 {
            let g = generate(&mut rng, today, i, &["PP-0001".to_owned()]).unwrap();
            let mut errs = Errors::default();
            assert!(
                validate::person("", &g.body.patient, today, &mut errs).is_some(),
                "{:?}",
                errs.0
            );
        }
        let mut a = SplitMix::new(7);
        let mut b = SplitMix::new(7);
        assert_eq!(
            generate(&mut a, today, 3, &[]).unwrap().reference,
            generate(&mut b, today, 3, &[]).unwrap().reference
        );
    }
}
