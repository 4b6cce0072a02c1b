//! The online application form over real HTTP.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let i = s.find(start).unwrap() + start.len();
    let j = s[i..].find(end).unwrap() + i;
    &s[i..j]
}

async fn open_form(s: &Server, lang: &str) -> (String, String, String) {
    let r = s
        .client
        .get(s.url(&format!("/apply?lang={lang}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("SameSite=Strict"));
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script"), "no JavaScript");
    let token = between(&html, "name=\"csrf\" value=\"", "\"").to_owned();
    (cookie, token, html)
}

fn valid(token: &str, number: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", token.to_owned()),
        ("lang", "zh".into()),
        ("role", "self".into()),
        ("document_type", "hkic".into()),
        ("document_number", number.into()),
        ("surname", "Chan".into()),
        ("given_names", "Tai Man".into()),
        ("chinese_name", "陳大文".into()),
        ("date_of_birth", "1980-05-06".into()),
        ("sex", "male".into()),
        ("capacity", "capable".into()),
        ("channel", "sms".into()),
        ("notice_lang", "zh".into()),
        ("address", "91234567".into()),
        ("consent", "PP-0001".into()),
        ("consent", "PP-0002".into()),
        ("declare", "yes".into()),
    ]
}

fn encode(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn post(s: &Server, cookie: Option<&str>, body: String) -> (u16, String) {
    let mut r = s
        .client
        .post(s.url("/apply"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn apply_online_and_find_the_application_at_a_counter() {
    let s = Server::start().await;
    let (_, _, en) = open_form(&s, "en").await;
    assert!(en.contains("Apply to join eHealth"));
    let (cookie, token, zh) = open_form(&s, "zh").await;
    assert!(zh.contains("申請登記醫健通"));
    // The form offers only the SDM types that may apply online.
    assert!(zh.contains("value=\"parent\"") && !zh.contains("value=\"guardian\""));
    let number = hkid(246_810);
    let (status, page) = post(&s, Some(&cookie), encode(&valid(&token, &number))).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已收到申請"));
    assert!(page.contains("<svg"), "QR code");
    let reference = between(&page, "id=\"reference\">", "<").to_owned();
    assert!(reference.starts_with("EA"));
    let a = s.session("HA-QEH", "clerk01").await;
    let d: Value = a
        .get(&format!("/v1/applications/{reference}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["summary"]["origin"], "online");
    assert_eq!(d["summary"]["state"], "pending");
    assert_eq!(d["patient"]["surname"], "Chan");
    assert_eq!(
        d["private_provider_consents"],
        serde_json::json!(["PP-0001", "PP-0002"])
    );
}

#[tokio::test]
async fn csrf_and_validation() {
    let s = Server::start().await;
    let (cookie, token, _) = open_form(&s, "en").await;
    let before = s.query_i64("SELECT count(*) FROM applications");
    // No cookie, a forged token, a cookie from another form.
    let (status, page) = post(&s, None, encode(&valid(&token, &hkid(1)))).await;
    assert_eq!(status, 403);
    assert!(page.contains("表格已逾時"));
    let (status, _) = post(&s, Some(&cookie), encode(&valid("forged", &hkid(1)))).await;
    assert_eq!(status, 403);
    let (other_cookie, ..) = open_form(&s, "en").await;
    let (status, _) = post(&s, Some(&other_cookie), encode(&valid(&token, &hkid(1)))).await;
    assert_eq!(status, 403);
    // Invalid answers come back with messages and escaped values.
    let mut f = valid(&token, "A123456(4)");
    f[1] = ("lang", "en".into());
    f[5] = ("surname", "<script>alert(1)</script>".into());
    f.retain(|(k, _)| *k != "declare");
    let (status, page) = post(&s, Some(&cookie), encode(&f)).await;
    assert_eq!(status, 422);
    assert!(page.contains("The check digit does not match"), "{page}");
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
    assert!(page.contains("This field is required."));
    // A guardian may not apply online (the domain's rule).
    let mut f = valid(&token, &hkid(2));
    f[1] = ("lang", "en".into());
    f[2] = ("role", "sdm".into());
    f[8] = ("date_of_birth", "2018-01-01".into());
    f.push(("relationship", "guardian".into()));
    f.push(("applicant_document_type", "hkic".into()));
    f.push(("applicant_document_number", hkid(3)));
    f.push(("applicant_surname", "Chan".into()));
    f.push(("applicant_date_of_birth", "1970-01-01".into()));
    let (status, page) = post(&s, Some(&cookie), encode(&f)).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("may apply online as substitute decision maker"),
        "{page}"
    );
    assert_eq!(
        s.query_i64("SELECT count(*) FROM applications"),
        before,
        "nothing stored"
    );
    // Invalid UTF-8 in the form body.
    let r = s
        .client
        .post(s.url("/apply"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .body(b"csrf=%FF".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
