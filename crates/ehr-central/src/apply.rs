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
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
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
                l("Identity document", "身份證明文件"),
                &doc_types
            ),
            input(
                &format!("{prefix}document_number"),
                l(
                    "Document number, e.g. A123456(3)",
                    "證件號碼，例如 A123456(3)"
                ),
                "text"
            ),
            input(
                &format!("{prefix}surname"),
                l("Surname in English", "英文姓氏"),
                "text"
            ),
            input(
                &format!("{prefix}given_names"),
                l("Given names in English", "英文名字"),
                "text"
            ),
            input(
                &format!("{prefix}chinese_name"),
                l("Name in Chinese (if any)", "中文姓名（如有）"),
                "text"
            ),
            input(
                &format!("{prefix}date_of_birth"),
                l("Date of birth (YYYY-MM-DD)", "出生日期（年-月-日）"),
                "text"
            ),
        )
    };
    let sexes = [
        ("", l("Select", "請選擇").to_owned()),
        ("male", l("Male", "男").to_owned()),
        ("female", l("Female", "女").to_owned()),
    ];
    let roles = [
        ("self", l("Myself", "本人").to_owned()),
        (
            "sdm",
            l(
                "A person I make decisions for (substitute decision maker)",
                "由我代作決定的人（代決人）",
            )
            .to_owned(),
        ),
        (
            "authorised_person",
            l(
                "Myself; an authorised person will attend for me",
                "本人；由獲授權人代為出席",
            )
            .to_owned(),
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
        ("capable", l("Able to consent", "有能力作出同意").to_owned()),
        (
            "incapable:mentally_incapacitated",
            l("Mentally incapacitated", "精神上無行為能力").to_owned(),
        ),
        (
            "incapable:unable_to_manage_affairs",
            l("Unable to manage own affairs", "無能力處理自己的事務").to_owned(),
        ),
        (
            "incapable:unable_to_give_joining_consent",
            l("Unable to give joining consent", "無能力給予參與同意").to_owned(),
        ),
    ];
    let channels = [
        ("sms", l("SMS", "短訊").to_owned()),
        ("email", l("Email", "電郵").to_owned()),
        ("post", l("Post", "郵寄").to_owned()),
    ];
    let languages = [("zh", "中文".to_owned()), ("en", "English".to_owned())];
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
            l(
                "Some answers need correcting. See the messages below.",
                "部分資料需要更正，請參閱下列訊息。"
            )
        )
    };
    let other = match lang {
        Lang::En => "<a href=\"/apply?lang=zh\">中文</a>",
        Lang::Zh => "<a href=\"/apply?lang=en\">English</a>",
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
        title = l("Apply to join eHealth", "申請登記醫健通"),
        intro = l(
            "After you apply, bring your identity document to a registration centre to complete the registration.",
            "遞交申請後，請攜同身份證明文件前往登記中心完成登記。"
        ),
        lc = lang.code(),
        who = l("Who is applying?", "申請人是誰？"),
        role = select("role", l("I am applying for", "我為以下人士申請"), &roles),
        rel = select("relationship", l("Your relationship (substitute decision makers only)", "你與病人的關係（只適用於代決人）"), &relationships),
        patient = l("The person to register", "登記人"),
        pfields = person(""),
        sex = select("sex", l("Sex", "性別"), &sexes),
        cap = select("capacity", l("Can the person consent?", "登記人能否作出同意？"), &capacities),
        applicant = l("Substitute decision maker or authorised person", "代決人或獲授權人"),
        applicant_hint = l(
            "Fill in only if someone else attends or decides for the person.",
            "只在由他人出席或代作決定時填寫。"
        ),
        afields = person("applicant_"),
        notice = l("How we send your access key", "我們如何發送你的登入密碼"),
        channel = select("channel", l("By", "方式"), &channels),
        nlang = select("notice_lang", l("Language", "語言"), &languages),
        address = input("address", l("Mobile number, email or postal address", "手提電話號碼、電郵或郵寄地址"), "text"),
        consents = l("Sharing consent to private healthcare providers (optional)", "給予私營醫護提供者互通同意（可選）"),
        consent_hint = l(
            "Public providers (HA, DH, the Primary Healthcare Commission) have sharing consent automatically.",
            "公營醫護提供者（醫管局、衞生署、基層醫療署）自動獲得互通同意。"
        ),
        declared = if f.get("declare") == "yes" { " checked" } else { "" },
        declare = l(
            "I declare that the information given is true and complete.",
            "本人聲明所提供的資料真實及完整。"
        ),
        declare_err = field_err("declare"),
        submit = l("Submit application", "遞交申請"),
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
        page(lang, l("Apply to join eHealth", "申請登記醫健通"), &body),
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
                &format!(
                    "<p>{}</p>",
                    lang.pick(
                        "Your application could not be saved. Please try again later.",
                        "未能儲存你的申請，請稍後再試。"
                    )
                ),
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
                lang.pick("Start again", "重新開始")
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
        lang.pick("Application received", "已收到申請"),
        lang.pick("Your application reference:", "你的申請參考編號："),
        esc(reference),
        svg,
        lang.pick("Show this QR code at the registration centre.", "請在登記中心出示此二維碼。"),
        lang.pick("Submitted on", "遞交日期："),
        esc(&today.to_hk_string()),
        lang.pick(
            "Bring your identity document to a registration centre within 180 days to complete the registration. Your access key will arrive by the channel you chose.",
            "請於180日內攜同身份證明文件前往登記中心完成登記。登入密碼會以你選擇的方式發送。"
        ),
    );
    html(
        StatusCode::OK,
        page(lang, lang.pick("Application received", "已收到申請"), &body),
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
