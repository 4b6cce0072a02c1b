//! The supervisors' follow-up lists (issue #15 item 6): pending
//! applications that expire within 30 days and are not activated, and the
//! records an SDM keeps for children who turn 16 within 60 days, on the
//! service's settable clock; supervisors only.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use ehr_central::util::{hk_date, Clock};
use serde_json::json;
use uuid::Uuid;

const DAY: i64 = 86_400;

async fn paper(s: &Server, clock: &Clock, n: u32) -> String {
    let a = s.session("RO-HK", "clerk01").await;
    let received = hk_date(clock.now_unix()).unwrap().to_string();
    let image = form_image(&a).await;
    let out = a
        .op(
            Uuid::new_v4(),
            &format!("paper-{n}"),
            1,
            json!({"type": "key_paper_application", "origin": "paper_post",
                "received_on": received, "patient": person(&hkid(n), "LEE", "Ka Yan", "1975-03-04"),
                "capacity": "capable", "applicant": {"role": "self"}, "notification": sms(),
                "form_image": image}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    out["result"]["reference"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn supervisors_see_applications_expiring_within_30_days() {
    let start = ehr_central::util::now_unix();
    let clock = Clock::settable(start);
    let s = Server::start_with_clock(clock.clone()).await;
    let soon = paper(&s, &clock, 710_001).await;
    let activated = paper(&s, &clock, 710_002).await;
    clock.set(start + 10 * DAY);
    let later = paper(&s, &clock, 710_003).await;
    // Day 155: the first two expire on day 180 (25 days left), the third on
    // day 190 (35 days left).
    clock.set(start + 155 * DAY);
    let a = s.session("HA-QEH", "clerk01").await;
    let out = a
        .op(
            Uuid::new_v4(),
            "act-1",
            1,
            json!({"type": "activate_application", "reference": activated,
                "presented": person(&hkid(710_002), "LEE", "Ka Yan", "1975-03-04"),
                "read_source": "card"}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    let sup = s.session("HA-QEH", "super01").await;
    let (status, list) = json_of(sup.get("/v1/follow-up/expiring-applications")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["within_days"], 30);
    let refs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    // (The demo data's own applications are listed too when they expire
    // in the window.)
    assert!(refs.contains(&soon.as_str()), "{list}");
    assert!(!refs.contains(&activated.as_str()));
    assert!(!refs.contains(&later.as_str()));
    let expiries: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["expires_on"].as_str().unwrap())
        .collect();
    assert!(expiries.windows(2).all(|w| w[0] <= w[1]), "{expiries:?}");
    let today = hk_date(clock.now_unix()).unwrap();
    assert!(expiries.iter().all(|e| {
        let e = ehr_domain::Date::parse(e).unwrap();
        e > today && e <= today.add_days(30).unwrap()
    }));
    assert!(list["items"][0]["document_number_masked"]
        .as_str()
        .unwrap()
        .contains('*'));
    assert!(!list.to_string().contains(&hkid(710_001)));
    // Day 181: expired, no longer listed; the later one (9 days left) is.
    clock.set(start + 181 * DAY);
    let sup = s.session("HA-QEH", "super01").await;
    let (_, list) = json_of(sup.get("/v1/follow-up/expiring-applications")).await;
    let refs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert!(refs.contains(&later.as_str()), "{list}");
    assert!(!refs.contains(&soon.as_str()));
    // A clerk is refused.
    let clerk = s.session("HA-QEH", "clerk01").await;
    let (status, body) = json_of(clerk.get("/v1/follow-up/expiring-applications")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
}

#[tokio::test]
async fn supervisors_see_children_kept_by_an_sdm_who_turn_16_within_60_days() {
    let clock = Clock::settable(ehr_central::util::now_unix());
    let s = Server::start_with_clock(clock.clone()).await;
    let a = s.session("HA-QEH", "clerk01").await;
    let today = hk_date(clock.now_unix()).unwrap();
    // Children born 16 years less 40 days ago, and less 70 days ago.
    let born = |days_to_16: i64| {
        let on = today.add_days(days_to_16).unwrap();
        ehr_domain::Date::new(on.year() - 16, on.month(), on.day().min(28))
            .unwrap()
            .to_string()
    };
    let register = |n: u32, dob: String| {
        let a = a.clone();
        async move {
            let image = Uuid::new_v4();
            let up = a
                .op(
                    Uuid::new_v4(),
                    &format!("img-{image}"),
                    1,
                    json!({"type": "upload_document", "image_id": image,
                        "kind": "patient_document_copy", "data_base64": png()}),
                )
                .await;
            assert_eq!(up["status"], "applied", "{up}");
            let out = a
                .op(
                    Uuid::new_v4(),
                    &format!("child-{n}"),
                    1,
                    json!({"type": "register_in_person",
                        "patient": person(&hkid(n), "MAK", "Tsz Yan", &dob),
                        "capacity": "capable",
                        "applicant": {"role": "sdm", "relationship": "parent",
                            "person": person(&hkid(n + 1), "MAK", "Wing", "1980-01-01")},
                        "patient_document_copy_image": image,
                        "notification": sms()}),
                )
                .await;
            assert_eq!(out["status"], "applied", "{out}");
            out["result"]["ehr_number"].as_str().unwrap().to_owned()
        }
    };
    let soon = register(720_001, born(40)).await;
    let later = register(720_011, born(70)).await;
    let sup = s.session("HA-QEH", "super01").await;
    let (status, list) = json_of(sup.get("/v1/follow-up/turning-16")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["within_days"], 60);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["record"]["ehr_number"], soon.as_str());
    assert!(items[0]["days_left"].as_u64().unwrap() <= 40);
    assert_eq!(items[0]["record"]["sdm"]["relationship"], "parent");
    assert!(!list.to_string().contains(&later));
    assert!(!list.to_string().contains(&hkid(720_002)));
    let (status, _) = json_of(a.get("/v1/follow-up/turning-16")).await;
    assert_eq!(status, 403);
}
