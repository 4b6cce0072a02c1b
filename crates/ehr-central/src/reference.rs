//! Reference data and policies: stored in the database, versioned, served
//! at `GET /v1/reference`.

use ehr_domain::eligibility::SdmRelationship;
use ehr_domain::lifecycle::Policy;
use ehr_domain::DocumentType;
use ehr_protocol::wire::{
    DocumentTypeRef, Policies, Provider, ReferenceData, SdmRelationshipRef, Site, SiteType,
};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::error::{Error, Result};

/// The default policies (product decisions).
pub const DEFAULT_POLICIES: Policies = Policies {
    application_expiry_days: 180,
    newborn_follow_up_days: 60,
    idle_lock_minutes: 5,
    application_cache_hours: 24,
    session_minutes: 30,
    counter_retention_days: 30,
    offline_sign_in_days: 7,
    max_failed_sign_ins: 5,
    lockout_minutes: 15,
    transaction_time_tolerance_hours: 168,
    newborn_registration_days: 42,
};

/// The site type's wire code.
pub fn site_type_code(t: SiteType) -> &'static str {
    match t {
        SiteType::RegistrationCentre => "registration_centre",
        SiteType::RegistrationOffice => "registration_office",
        SiteType::PrivateProviderCentre => "private_provider_centre",
        SiteType::BirthHospital => "birth_hospital",
        SiteType::MaternalChildHealthCentre => "maternal_child_health_centre",
    }
}

/// The site type for a wire code.
pub fn site_type_from_code(s: &str) -> Option<SiteType> {
    [
        SiteType::RegistrationCentre,
        SiteType::RegistrationOffice,
        SiteType::PrivateProviderCentre,
        SiteType::BirthHospital,
        SiteType::MaternalChildHealthCentre,
    ]
    .into_iter()
    .find(|t| site_type_code(*t) == s)
}

/// An SDM relationship's names in English and Traditional Chinese (catalogue
/// key `sdm.<code>.name`).
pub fn sdm_names(r: SdmRelationship) -> (&'static str, &'static str) {
    ehr_i18n::pair(&format!("sdm.{}.name", r.code()))
}

/// The policies in force.
pub fn policies(tx: &Transaction<'_>) -> Result<Policies> {
    let v: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'policies'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match v {
        Some(v) => serde_json::from_str(&v).map_err(|_| Error::Corrupt("policies")),
        None => Ok(DEFAULT_POLICIES),
    }
}

/// The domain's policy values from the policies.
pub fn domain_policy(p: &Policies) -> Policy {
    Policy {
        application_expiry_days: p.application_expiry_days,
        newborn_follow_up_days: p.newborn_follow_up_days,
        newborn_registration_days: p.newborn_registration_days,
    }
}

/// The reference data version.
pub fn version(tx: &Transaction<'_>) -> Result<u64> {
    let v: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'reference_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Marks the reference data as changed.
pub fn bump_version(tx: &Transaction<'_>) -> Result<u64> {
    let next = version(tx)? + 1;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('reference_version', ?1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [next.to_string()],
    )?;
    Ok(next)
}

/// Stores the policies.
pub fn set_policies(tx: &Transaction<'_>, p: &Policies) -> Result<()> {
    let json = serde_json::to_string(p).map_err(|_| Error::Internal("policies json"))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('policies', ?1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [json],
    )?;
    bump_version(tx)?;
    Ok(())
}

/// Adds or replaces a site.
pub fn upsert_site(tx: &Transaction<'_>, s: &Site) -> Result<()> {
    tx.execute(
        "INSERT INTO sites (code, site_type, name_en, name_zh) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (code) DO UPDATE SET site_type = excluded.site_type, \
         name_en = excluded.name_en, name_zh = excluded.name_zh",
        params![s.code, site_type_code(s.site_type), s.name_en, s.name_zh],
    )?;
    bump_version(tx)?;
    Ok(())
}

/// Adds or replaces a provider.
pub fn upsert_provider(tx: &Transaction<'_>, p: &Provider, public: bool) -> Result<()> {
    tx.execute(
        "INSERT INTO providers (id, kind, name_en, name_zh) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, \
         name_en = excluded.name_en, name_zh = excluded.name_zh",
        params![
            p.id,
            if public { "public" } else { "private" },
            p.name_en,
            p.name_zh
        ],
    )?;
    bump_version(tx)?;
    Ok(())
}

/// A site by code.
pub fn site(tx: &Transaction<'_>, code: &str) -> Result<Option<Site>> {
    Ok(tx
        .query_row(
            "SELECT code, site_type, name_en, name_zh FROM sites WHERE code = ?1",
            [code],
            site_row,
        )
        .optional()?
        .flatten())
}

fn site_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Site>> {
    let t: String = r.get(1)?;
    Ok(site_type_from_code(&t).map(|site_type| Site {
        code: r.get(0).unwrap_or_default(),
        site_type,
        name_en: r.get(2).unwrap_or_default(),
        name_zh: r.get(3).unwrap_or_default(),
    }))
}

/// Provider ids of one kind, sorted.
pub fn provider_ids(tx: &Transaction<'_>, public: bool) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached("SELECT id FROM providers WHERE kind = ?1 ORDER BY id")?;
    let rows = stmt.query_map([if public { "public" } else { "private" }], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether a provider id is public (`Some(true)`), private, or unknown.
pub fn provider_kind(tx: &Transaction<'_>, id: &str) -> Result<Option<bool>> {
    let kind: Option<String> = tx
        .query_row("SELECT kind FROM providers WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(kind.map(|k| k == "public"))
}

fn providers(tx: &Transaction<'_>, public: bool) -> Result<Vec<Provider>> {
    let mut stmt = tx
        .prepare_cached("SELECT id, name_en, name_zh FROM providers WHERE kind = ?1 ORDER BY id")?;
    let rows = stmt.query_map([if public { "public" } else { "private" }], |r| {
        Ok(Provider {
            id: r.get(0)?,
            name_en: r.get(1)?,
            name_zh: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// All reference data with its version.
pub fn load(tx: &Transaction<'_>) -> Result<ReferenceData> {
    let document_types = DocumentType::ALL
        .iter()
        .map(|t| {
            let (en, zh) = t.names();
            DocumentTypeRef {
                code: t.code().to_owned(),
                name_en: en.to_owned(),
                name_zh: zh.to_owned(),
                has_check_digit: t.has_verified_check_digit(),
            }
        })
        .collect();
    let sdm_relationships = SdmRelationship::ALL
        .iter()
        .map(|r| {
            let (en, zh) = sdm_names(*r);
            SdmRelationshipRef {
                code: r.code().to_owned(),
                name_en: en.to_owned(),
                name_zh: zh.to_owned(),
                may_apply_online: r.may_apply_online(),
                needs_supporting_document: r.needs_supporting_document(),
            }
        })
        .collect();
    let mut stmt =
        tx.prepare_cached("SELECT code, site_type, name_en, name_zh FROM sites ORDER BY code")?;
    let sites = stmt
        .query_map([], site_row)?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<_>>()?;
    Ok(ReferenceData {
        version: version(tx)?,
        document_types,
        sdm_relationships,
        sites,
        public_providers: providers(tx, true)?,
        private_providers: providers(tx, false)?,
        policies: policies(tx)?,
        deactivated_staff: crate::auth::deactivated_staff(tx)?,
    })
}

/// Installs the standard reference data: public providers, a private
/// provider register, the sites and the default policies. Idempotent.
pub fn install_standard(tx: &Transaction<'_>) -> Result<()> {
    for (id, en, zh) in PUBLIC_PROVIDERS {
        upsert_provider(tx, &provider(id, en, zh), true)?;
    }
    for (id, en, zh) in PRIVATE_PROVIDERS {
        upsert_provider(tx, &provider(id, en, zh), false)?;
    }
    for (code, t, en, zh) in SITES {
        upsert_site(
            tx,
            &Site {
                code: (*code).to_owned(),
                site_type: *t,
                name_en: (*en).to_owned(),
                name_zh: (*zh).to_owned(),
            },
        )?;
    }
    let has_policies: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'policies')",
        [],
        |r| r.get(0),
    )?;
    if !has_policies {
        set_policies(tx, &DEFAULT_POLICIES)?;
    }
    Ok(())
}

fn provider(id: &str, en: &str, zh: &str) -> Provider {
    Provider {
        id: id.to_owned(),
        name_en: en.to_owned(),
        name_zh: zh.to_owned(),
    }
}

/// The public providers, which hold sharing consent automatically.
pub const PUBLIC_PROVIDERS: &[(&str, &str, &str)] = &[
    ("HA", "Hospital Authority", "醫院管理局"),
    ("DH", "Department of Health", "衞生署"),
    ("PHC", "Primary Healthcare Commission", "基層醫療署"),
];

/// A demo register of private providers.
pub const PRIVATE_PROVIDERS: &[(&str, &str, &str)] = &[
    ("PP-0001", "Hong Kong Sanatorium & Hospital", "養和醫院"),
    (
        "PP-0002",
        "Hong Kong Adventist Hospital - Stubbs Road",
        "香港港安醫院－司徒拔道",
    ),
    ("PP-0003", "Canossa Hospital (Caritas)", "嘉諾撒醫院"),
    ("PP-0004", "Matilda International Hospital", "明德國際醫院"),
    ("PP-0005", "St. Teresa's Hospital", "聖德肋撒醫院"),
    (
        "PP-0006",
        "Precious Blood Hospital (Caritas)",
        "寶血醫院（明愛）",
    ),
    ("PP-0007", "Evangel Hospital", "播道醫院"),
    ("PP-0008", "Union Hospital", "仁安醫院"),
    ("PP-0009", "Gleneagles Hospital Hong Kong", "港怡醫院"),
    ("PP-0010", "CUHK Medical Centre", "香港中文大學醫院"),
    ("PP-0011", "St. Paul's Hospital", "聖保祿醫院"),
    ("PP-0012", "Hong Kong Baptist Hospital", "香港浸信會醫院"),
    ("PP-0101", "Wan Chai Family Clinic", "灣仔家庭診所"),
    (
        "PP-0102",
        "Sha Tin Community Medical Centre",
        "沙田社區醫務中心",
    ),
    ("PP-0103", "Tsuen Wan Dental Practice", "荃灣牙科診所"),
    (
        "PP-0104",
        "Kowloon City Physiotherapy Centre",
        "九龍城物理治療中心",
    ),
];

/// The demo sites.
pub const SITES: &[(&str, SiteType, &str, &str)] = &[
    (
        "RO-HK",
        SiteType::RegistrationOffice,
        "eHR Registration Office",
        "醫健通登記辦事處",
    ),
    (
        "HA-QEH",
        SiteType::RegistrationCentre,
        "Queen Elizabeth Hospital Registration Centre",
        "伊利沙伯醫院登記中心",
    ),
    (
        "DH-WCH",
        SiteType::RegistrationCentre,
        "Wan Chai Health Centre Registration Counter",
        "灣仔健康院登記櫃位",
    ),
    (
        "PP-0001-RC",
        SiteType::PrivateProviderCentre,
        "Hong Kong Sanatorium & Hospital Registration Centre",
        "養和醫院登記中心",
    ),
    (
        "QMH",
        SiteType::BirthHospital,
        "Queen Mary Hospital Birth Registration Desk",
        "瑪麗醫院出生登記處",
    ),
    (
        "PWH",
        SiteType::BirthHospital,
        "Prince of Wales Hospital Birth Registration Desk",
        "威爾斯親王醫院出生登記處",
    ),
    (
        "MCHC-TKO",
        SiteType::MaternalChildHealthCentre,
        "Tseung Kwan O Maternal and Child Health Centre",
        "將軍澳母嬰健康院",
    ),
];
