//! The online application form at `/apply`: server-rendered HTML in English
//! and Traditional Chinese, no JavaScript.
//!
//! - `GET /apply?lang=en|zh` renders the form with a CSRF token: a signed
//!   (HMAC-SHA256, per-process key) expiry and nonce in a hidden field, and
//!   the same nonce in a `SameSite=Strict`, `HttpOnly` cookie; `POST /apply`
//!   needs both to agree and the token to be unexpired (1 hour).
//! - The submission is validated with the domain rules (document number and
//!   check digit, names, date of birth, eligibility for the online channel:
//!   only parent, family-member and residing-with SDMs may apply online).
//!   Errors re-render the form with the fields kept and the messages in the
//!   chosen language; values are HTML-escaped.
//! - Success stores the application (pending) and shows the confirmation
//!   page with the reference and its QR code (inline SVG).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ehr_domain::eligibility::{self, Applicant, Channel, EligibilityRequest, Provided};
use ehr_domain::lifecycle::application::Origin as DOrigin;
use ehr_domain::DocumentType;
use ehr_protocol::wire::{
    ApplicantDetails, Language, NotificationChannel, NotificationChoice, PersonDetails, Sex,
};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::api::Shared;
use crate::applications::{self, normalised_details, ApplicationBody, NewApplication};
use crate::error::ApiError;
use crate::reference;
use crate::util::{hk_date, now_unix, random_bytes};
use crate::validate::{self, Errors};

/// How long a form stays valid.
const FORM_TTL_SECS: i64 = 3600;
const COOKIE: &str = "ehr_apply_csrf";

/// The form's routes.
pub fn router() -> Router<Shared> {
    Router::new().route("/apply", get(form).post(submit))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    Zh,
}

impl Lang {
    fn parse(s: Option<&str>) -> Lang {
        match s {
            Some("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
    /// The catalogue's text for `key` in this language.
    fn text(self, key: &str) -> &'static str {
        ehr_i18n::text(self.i18n(), key)
    }

    fn i18n(self) -> ehr_i18n::Lang {
        match self {
            Lang::En => ehr_i18n::Lang::En,
            Lang::Zh => ehr_i18n::Lang::ZhHk,
        }
    }

    fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

type HmacSha256 = Hmac<Sha256>;

fn b64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn unb64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
}

fn sign(key: &[u8; 32], data: &[u8]) -> Option<Vec<u8>> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac.finalize().into_bytes().to_vec())
}

/// A new CSRF token and its cookie nonce.
fn new_token(key: &[u8; 32]) -> Option<(String, String)> {
    let nonce = random_bytes::<16>().ok()?;
    let mut data = (now_unix() + FORM_TTL_SECS).to_be_bytes().to_vec();
    data.extend_from_slice(&nonce);
    let mac = sign(key, &data)?;
    data.extend_from_slice(&mac);
    Some((b64(&data), b64(&nonce)))
}

/// Whether a token is authentic, unexpired and matches the cookie's nonce.
fn token_ok(key: &[u8; 32], token: &str, cookie_nonce: Option<&str>) -> bool {
    let Some(data) = unb64(token) else {
        return false;
    };
    if data.len() != 8 + 16 + 32 {
        return false;
    }
    let (signed, mac) = data.split_at(24);
    let Ok(mut m) = HmacSha256::new_from_slice(key) else {
        return false;
    };
    m.update(signed);
    if m.verify_slice(mac).is_err() {
        return false;
    }
    let mut exp = [0u8; 8];
    exp.copy_from_slice(&signed[..8]);
    let nonce = b64(&signed[8..]);
    i64::from_be_bytes(exp) > now_unix() && cookie_nonce == Some(nonce.as_str())
}

fn cookie_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Parses `application/x-www-form-urlencoded`; `None` on invalid UTF-8.
fn parse_form(body: &[u8]) -> Option<Vec<(String, String)>> {
    let decode = |s: &[u8]| -> Option<String> {
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            let hex = |c: u8| char::from(c).to_digit(16);
            match (
                s[i],
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            ) {
                (b'%', Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                (b'+', ..) => {
                    out.push(b' ');
                    i += 1;
                }
                (c, ..) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).ok()
    };
    body.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let k = decode(it.next().unwrap_or_default())?;
            let v = decode(it.next().unwrap_or_default())?;
            Some((k, v))
        })
        .collect()
}

/// The submitted form.
#[derive(Debug, Default, Clone)]
struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    fn get(&self, k: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
    fn all(&self, k: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
<style>body{{font-family:system-ui,\"Noto Sans TC\",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
fieldset{{margin:1rem 0;border:1px solid #999}}label{{display:block;margin:.5rem 0}}\
input,select{{font-size:1rem;padding:.25rem}}.err{{color:#a00}}.errors{{border:2px solid #a00;padding:.5rem 1rem}}\
.ref{{font-size:2rem;font-weight:bold;letter-spacing:.1em}}</style></head><body>{}</body></html>",
        if lang == Lang::Zh { "zh-Hant-HK" } else { "en" },
        esc(title),
        body
    )
}

fn html(status: StatusCode, body: String, cookie: Option<String>) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::SET_COOKIE, c);
    }
    r
}

async fn form(State(st): State<Shared>, Query(q): Query<LangQuery>) -> Response {
    let lang = Lang::parse(q.lang.as_deref());
    let providers = provider_choices(&st).await.unwrap_or_default();
    render_form(&st, lang, &Form::default(), &Errors::default(), &providers)
}

async fn provider_choices(st: &Shared) -> Result<Vec<(String, String, String)>, ApiError> {
    st.read(|tx| {
        let data = reference::load(tx)?;
        Ok(data
            .private_providers
            .into_iter()
            .map(|p| (p.id, p.name_en, p.name_zh))
            .collect())
    })
    .await
}

fn render_form(
    st: &Shared,
    lang: Lang,
    f: &Form,
    errs: &Errors,
    providers: &[(String, String, String)],
) -> Response {
    let Some((token, nonce)) = new_token(&st.form_key) else {
        return html(
            StatusCode::INTERNAL_SERVER_ERROR,
            page(lang, "Error", "<p>Error</p>"),
            None,
        );
    };
    let l = |key: &str| lang.text(key);
    let field_err = |name: &str| -> String {
        errs.0
            .iter()
            .filter(|e| e.field == name)
            .map(|e| {
                format!(
                    "<span class=\"err\" id=\"{}-err\">{}</span>",
                    esc(name),
                    esc(lang.pick(&e.message_en, &e.message_zh))
                )
            })
            .collect()
    };
    let input = |name: &str, label: &str, kind: &str| -> String {
        format!(
            "<label>{} <input type=\"{kind}\" name=\"{n}\" value=\"{v}\"{a}> {e}</label>",
            esc(label),
            n = esc(name),
            v = esc(f.get(name)),
            a = if errs.0.iter().any(|e| e.field == name) {
                format!(
                    " aria-invalid=\"true\" aria-describedby=\"{}-err\"",
                    esc(name)
                )
            } else {
                String::new()
            },
            e = field_err(name),
        )
    };
    let select = |name: &str, label: &str, options: &[(&str, String)]| -> String {
        let opts: String = options
            .iter()
            .map(|(v, text)| {
                format!(
                    "<option value=\"{}\"{}>{}</option>",
                    esc(v),
                    if f.get(name) == *v { " selected" } else { "" },
                    esc(text)
                )
            })
            .collect();
        format!(
            "<label>{} <select name=\"{}\">{opts}</select> {}</label>",
            esc(label),
            esc(name),
            field_err(name)
        )
    };
    let doc_types: Vec<(&str, String)> = DocumentType::ALL
        .iter()
        .map(|t| {
            let (en, zh) = t.names();
            (t.code(), lang.pick(en, zh).to_owned())
        })
        .collect();
    let person = |prefix: &str| -> String {
        format!(
            "{}{}{}{}{}{}",
            select(
                &format!("{prefix}document_type"),
                l("form.identity_document"),
                &doc_types
            ),
            input(
                &format!("{prefix}document_number"),
                l("form.document_number_eg_a1234563"),
                "text"
            ),
            input(
                &format!("{prefix}surname"),
                l("form.surname_in_english"),
                "text"
            ),
            input(
                &format!("{prefix}given_names"),
                l("form.given_names_in_english"),
                "text"
            ),
            input(
                &format!("{prefix}chinese_name"),
                l("form.name_in_chinese_if_any"),
                "text"
            ),
            input(
                &format!("{prefix}date_of_birth"),
                l("form.date_of_birth_yyyymmdd"),
                "text"
            ),
        )
    };
    let sexes = [
        ("", l("form.select").to_owned()),
        ("male", l("form.male").to_owned()),
        ("female", l("form.female").to_owned()),
    ];
    let roles = [
        ("self", l("form.myself").to_owned()),
        ("sdm", l("form.a_person_i_make_decisions").to_owned()),
        (
            "authorised_person",
            l("form.myself_an_authorised_person_will").to_owned(),
        ),
    ];
    let relationships: Vec<(&str, String)> = ehr_domain::eligibility::SdmRelationship::ALL
        .iter()
        .filter(|r| r.may_apply_online())
        .map(|r| {
            let (en, zh) = reference::sdm_names(*r);
            (r.code(), lang.pick(en, zh).to_owned())
        })
        .collect();
    let capacities = [
        ("capable", l("form.able_to_consent").to_owned()),
        (
            "incapable:mentally_incapacitated",
            l("form.mentally_incapacitated").to_owned(),
        ),
        (
            "incapable:unable_to_manage_affairs",
            l("form.unable_to_manage_own_affairs").to_owned(),
        ),
        (
            "incapable:unable_to_give_joining_consent",
            l("form.unable_to_give_joining_consent").to_owned(),
        ),
    ];
    let channels = [
        ("sms", l("form.sms").to_owned()),
        ("email", l("form.email").to_owned()),
        ("post", l("form.post").to_owned()),
    ];
    let languages = [
        ("zh", l("ui.lang.zh_hk").to_owned()),
        ("en", l("ui.lang.en").to_owned()),
    ];
    let chosen = f.all("consent");
    let consent_boxes: String = providers
        .iter()
        .map(|(id, en, zh)| {
            format!(
                "<label><input type=\"checkbox\" name=\"consent\" value=\"{}\"{}> {}</label>",
                esc(id),
                if chosen.contains(id) { " checked" } else { "" },
                esc(lang.pick(en, zh))
            )
        })
        .collect();
    let summary = if errs.is_empty() {
        String::new()
    } else {
        format!(
            "<div class=\"errors\" role=\"alert\"><p>{}</p></div>",
            l("form.some_answers_need_correcting_see")
        )
    };
    let other = match lang {
        Lang::En => format!("<a href=\"/apply?lang=zh\">{}</a>", l("ui.lang.zh_hk")),
        Lang::Zh => format!("<a href=\"/apply?lang=en\">{}</a>", l("ui.lang.en")),
    };
    let body = format!(
        "<p>{other}</p><h1>{title}</h1><p>{intro}</p>{summary}\
<form method=\"post\" action=\"/apply\" accept-charset=\"utf-8\">\
<input type=\"hidden\" name=\"csrf\" value=\"{token}\"><input type=\"hidden\" name=\"lang\" value=\"{lc}\">\
<fieldset><legend>{who}</legend>{role}{rel}</fieldset>\
<fieldset><legend>{patient}</legend>{pfields}{sex}{cap}</fieldset>\
<fieldset><legend>{applicant}</legend><p>{applicant_hint}</p>{afields}</fieldset>\
<fieldset><legend>{notice}</legend>{channel}{nlang}{address}</fieldset>\
<fieldset><legend>{consents}</legend><p>{consent_hint}</p>{consent_boxes}</fieldset>\
<label><input type=\"checkbox\" name=\"declare\" value=\"yes\"{declared}> {declare}</label>{declare_err}\
<p><button type=\"submit\">{submit}</button></p></form>",
        title = l("form.apply_to_join_ehealth"),
        intro = l("form.after_you_apply_bring_your"),
        lc = lang.code(),
        who = l("form.who_is_applying"),
        role = select("role", l("form.i_am_applying_for"), &roles),
        rel = select("relationship", l("form.your_relationship_substitute_decision_makers"), &relationships),
        patient = l("form.the_person_to_register"),
        pfields = person(""),
        sex = select("sex", l("form.sex"), &sexes),
        cap = select("capacity", l("form.can_the_person_consent"), &capacities),
        applicant = l("form.substitute_decision_maker_or_authorised"),
        applicant_hint = l("form.fill_in_only_if_someone"),
        afields = person("applicant_"),
        notice = l("form.how_we_send_your_access"),
        channel = select("channel", l("form.by"), &channels),
        nlang = select("notice_lang", l("form.language"), &languages),
        address = input("address", l("form.mobile_number_email_or_postal"), "text"),
        consents = l("form.sharing_consent_to_private_healthcare"),
        consent_hint = l("form.public_providers_ha_dh_the"),
        declared = if f.get("declare") == "yes" { " checked" } else { "" },
        declare = l("form.i_declare_that_the_information"),
        declare_err = field_err("declare"),
        submit = l("form.submit_application"),
    );
    let cookie = format!(
        "{COOKIE}={nonce}; Path=/apply; HttpOnly; SameSite=Strict; Max-Age={FORM_TTL_SECS}"
    );
    let status = if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        page(lang, l("form.apply_to_join_ehealth"), &body),
        Some(cookie),
    )
}

fn details(f: &Form, prefix: &str, sex: Option<Sex>) -> PersonDetails {
    let chinese = f.get(&format!("{prefix}chinese_name")).trim();
    PersonDetails {
        document_type: f.get(&format!("{prefix}document_type")).to_owned(),
        document_number: f.get(&format!("{prefix}document_number")).to_owned(),
        surname: f.get(&format!("{prefix}surname")).to_owned(),
        given_names: f.get(&format!("{prefix}given_names")).to_owned(),
        chinese_name: (!chinese.is_empty()).then(|| chinese.to_owned()),
        date_of_birth: f.get(&format!("{prefix}date_of_birth")).to_owned(),
        sex,
    }
}

async fn submit(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(fields) = parse_form(&body) else {
        return expired(Lang::En);
    };
    let f = Form { fields };
    let lang = Lang::parse(Some(f.get("lang")));
    if !token_ok(
        &st.form_key,
        f.get("csrf"),
        cookie_nonce(&headers).as_deref(),
    ) {
        return expired(lang);
    }
    let Ok(today) = hk_date(now_unix()) else {
        return expired(lang);
    };
    let mut errs = Errors::default();
    let sex = match f.get("sex") {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => None,
    };
    let patient_details = details(&f, "", sex);
    let patient = validate::person("", &patient_details, today, &mut errs);
    let capacity = validate::capacity("capacity", f.get("capacity"), &mut errs);
    let (applicant, role, attendee) = match f.get("role") {
        "sdm" => {
            let r = validate::relationship("relationship", f.get("relationship"), &mut errs);
            let d = details(&f, "applicant_", None);
            let p = validate::person("applicant_", &d, today, &mut errs);
            (
                r.map(|relationship| ApplicantDetails::Sdm {
                    relationship: relationship.code().to_owned(),
                    person: d.clone(),
                }),
                r.map(|relationship| Applicant::Sdm { relationship }),
                p,
            )
        }
        "authorised_person" => {
            let d = details(&f, "applicant_", None);
            let p = validate::person("applicant_", &d, today, &mut errs);
            (
                Some(ApplicantDetails::AuthorisedPerson { person: d }),
                Some(Applicant::SelfApplicant),
                p,
            )
        }
        _ => (
            Some(ApplicantDetails::SelfApplicant {}),
            Some(Applicant::SelfApplicant),
            None,
        ),
    };
    let notification = NotificationChoice {
        channel: match f.get("channel") {
            "email" => NotificationChannel::Email,
            "post" => NotificationChannel::Post,
            _ => NotificationChannel::Sms,
        },
        language: if f.get("notice_lang") == "en" {
            Language::En
        } else {
            Language::Zh
        },
        address: f.get("address").trim().to_owned(),
    };
    validate::notification("", &notification, &mut errs);
    if f.get("declare") != "yes" {
        errs.service("declare", ehr_protocol::ErrorCode::FieldRequired);
    }
    let consents = f.all("consent");
    let providers = provider_choices(&st).await.unwrap_or_default();
    for c in &consents {
        if !providers.iter().any(|(id, ..)| id == c) {
            errs.service("consent", ehr_protocol::ErrorCode::FieldUnknownCode);
        }
    }
    if let (Some(p), Some(capacity), Some(role)) = (&patient, capacity, role) {
        let d = eligibility::decide(&EligibilityRequest {
            date_of_birth: p.dob,
            on: today,
            capacity,
            applicant: role,
            channel: Channel::Online,
            provided: Provided::default(),
        });
        if let Some(r) = &d.decision.refusal {
            errs.domain("role", r.clone());
        }
    }
    let (Some(patient), Some(applicant)) = (patient, applicant) else {
        return render_form(&st, lang, &f, &errs, &providers);
    };
    if !errs.is_empty() {
        return render_form(&st, lang, &f, &errs, &providers);
    }
    let applicant = match (applicant, &attendee) {
        (ApplicantDetails::Sdm { relationship, .. }, Some(a)) => ApplicantDetails::Sdm {
            relationship,
            person: normalised_details(a, None),
        },
        (ApplicantDetails::AuthorisedPerson { .. }, Some(a)) => {
            ApplicantDetails::AuthorisedPerson {
                person: normalised_details(a, None),
            }
        }
        (other, _) => other,
    };
    let body = ApplicationBody {
        patient: normalised_details(&patient, sex),
        capacity: f.get("capacity").to_owned(),
        applicant,
        notification,
        private_provider_consents: consents,
        flags: Vec::new(),
    };
    let stored = st
        .write(move |tx| {
            let policy = reference::domain_policy(&reference::policies(tx)?);
            Ok(applications::insert(
                tx,
                NewApplication {
                    origin: DOrigin::Online,
                    submitted_on: today,
                    accepted_on: today,
                    patient: &patient,
                    body: &body,
                    reference: None,
                },
                &policy,
            )?)
        })
        .await;
    match stored {
        Ok(Ok(reference)) => confirmation(lang, &reference, today),
        _ => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            page(
                lang,
                "Error",
                &format!("<p>{}</p>", lang.text("form.your_application_could_not_be")),
            ),
            None,
        ),
    }
}

fn expired(lang: Lang) -> Response {
    let (en, zh) = ehr_protocol::ErrorCode::ApplyFormExpired.messages();
    html(
        StatusCode::FORBIDDEN,
        page(
            lang,
            "eHealth",
            &format!(
                "<p class=\"err\">{}</p><p><a href=\"/apply?lang={}\">{}</a></p>",
                esc(lang.pick(en, zh)),
                lang.code(),
                lang.text("form.start_again")
            ),
        ),
        None,
    )
}

/// The QR code of a reference as an SVG document.
pub fn qr_svg(reference: &str) -> Option<String> {
    let code = qrcode::QrCode::new(reference.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(180, 180)
            .quiet_zone(true)
            .build(),
    )
}

fn confirmation(lang: Lang, reference: &str, today: ehr_domain::Date) -> Response {
    let svg = qr_svg(reference).unwrap_or_default();
    let svg = svg
        .split_once("?>")
        .map(|(_, rest)| rest.trim().to_owned())
        .unwrap_or(svg);
    let body = format!(
        "<h1>{}</h1><p>{}</p><p class=\"ref\" id=\"reference\">{}</p><figure>{}<figcaption>{}</figcaption></figure>\
<p>{} {}</p><p>{}</p>",
        lang.text("form.application_received"),
        lang.text("form.your_application_reference"),
        esc(reference),
        svg,
        lang.text("form.show_this_qr_code_at"),
        lang.text("form.submitted_on"),
        esc(&today.to_hk_string()),
        lang.text("form.bring_your_identity_document_to"),
    );
    html(
        StatusCode::OK,
        page(lang, lang.text("form.application_received"), &body),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_forms() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let f = parse_form(b"a=1&b=x+y%2Bz&c=%E9%99%B3&c=2").unwrap();
        assert_eq!(f[1], ("b".into(), "x y+z".into()));
        assert_eq!(f[2].1, "陳");
        assert_eq!(f.len(), 4);
        assert!(parse_form(b"a=%FF").is_none());
    }

    #[test]
    fn csrf_tokens() {
        let key = [7u8; 32];
        let (token, nonce) = new_token(&key).unwrap();
        assert!(token_ok(&key, &token, Some(&nonce)));
        assert!(!token_ok(&key, &token, None));
        assert!(!token_ok(&key, &token, Some("other")));
        assert!(!token_ok(&[8u8; 32], &token, Some(&nonce)));
        assert!(!token_ok(&key, "garbage", Some(&nonce)));
    }

    #[test]
    fn qr_is_svg() {
        let svg = qr_svg("EA0123456789").unwrap();
        assert!(svg.contains("<svg"));
    }
}
