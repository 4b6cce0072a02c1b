//! Operations queued offline arrive late: expiry and age are judged by the
//! counter's transaction time, within the policies' tolerance (168 hours
//! by default), on the service's settable clock.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use ehr_central::util::{hk_date, rfc3339, Clock};
use serde_json::{json, Value};
use uuid::Uuid;

const DAY: i64 = 86_400;

/// Keys a self paper application received today (by the clock) at the
/// Registration Office; returns its reference and the patient as applied.
async fn paper_application(s: &Server, clock: &Clock, n: u32) -> (String, Value) {
    let a = s.session("RO-HK", "clerk01").await;
    let received = hk_date(clock.now_unix()).unwrap().to_string();
    let patient = person(&hkid(n), "LEE", "Ka Yan", "1975-03-04");
    let image = form_image(&a).await;
    let out = a
        .op(
            Uuid::new_v4(),
            &format!("paper-{n}"),
            1,
            json!({"type": "key_paper_application", "origin": "paper_post",
                "received_on": received, "patient": patient, "capacity": "capable",
                "applicant": {"role": "self"}, "notification": sms(), "form_image": image}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    (
        out["result"]["reference"].as_str().unwrap().to_owned(),
        patient,
    )
}

fn activate(reference: &str, patient: &Value, transacted_at: Option<i64>) -> Value {
    let mut op = json!({"type": "activate_application", "reference": reference,
        "presented": patient, "read_source": "card"});
    if let Some(at) = transacted_at {
        op["transacted_at"] = json!(rfc3339(at));
    }
    op
}

#[tokio::test]
async fn a_late_activation_is_judged_by_its_transaction_day() {
    let start = ehr_central::util::now_unix();
    let clock = Clock::settable(start);
    let s = Server::start_with_clock(clock.clone()).await;
    let (on_time, patient_a) = paper_application(&s, &clock, 101).await;
    let (too_old, patient_b) = paper_application(&s, &clock, 102).await;
    let (plain, patient_c) = paper_application(&s, &clock, 103).await;

    // Day 181 after receipt: every application has expired (180 days).
    clock.set(start + 181 * DAY);
    let a = s.session("HA-QEH", "clerk01").await;

    // Keyed offline on day 179, arriving on day 181: applied.
    let out = a
        .op(
            Uuid::new_v4(),
            "late-1",
            1,
            activate(&on_time, &patient_a, Some(start + 179 * DAY)),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["settled_application"], on_time.as_str());

    // Keyed on day 172: more than the 168 hours' tolerance ago, so judged
    // by today, when the application has expired.
    let out = a
        .op(
            Uuid::new_v4(),
            "late-2",
            1,
            activate(&too_old, &patient_b, Some(start + 172 * DAY)),
        )
        .await;
    assert_eq!(
        (out["status"].as_str(), out["code"].as_str()),
        (Some("conflict"), Some("conflict.expired")),
        "{out}"
    );

    // Without a transaction time: today, as before the field.
    let out = a
        .op(
            Uuid::new_v4(),
            "late-3",
            1,
            activate(&plain, &patient_c, None),
        )
        .await;
    assert_eq!(out["code"], "conflict.expired", "{out}");

    // A transaction time ahead of the service's clock is refused.
    let future = a
        .op(
            Uuid::new_v4(),
            "late-4",
            1,
            activate(&plain, &patient_c, Some(start + 181 * DAY + 600)),
        )
        .await;
    assert_eq!(future["status"], "rejected", "{future}");
    assert_eq!(future["field_errors"][0]["field"], "transacted_at");
    assert_eq!(
        future["field_errors"][0]["code"],
        "batch.transaction_time_future"
    );
    // Five minutes of drift is not.
    let drift = a
        .op(
            Uuid::new_v4(),
            "late-5",
            1,
            activate(&plain, &patient_c, Some(start + 181 * DAY + 240)),
        )
        .await;
    assert_eq!(drift["code"], "conflict.expired", "{drift}");
    // Something that is no time at all.
    let mut garbled = activate(&plain, &patient_c, None);
    garbled["transacted_at"] = json!("yesterday");
    let out = a.op(Uuid::new_v4(), "late-6", 1, garbled).await;
    assert_eq!(
        (
            out["field_errors"][0]["field"].as_str(),
            out["field_errors"][0]["code"].as_str()
        ),
        (Some("transacted_at"), Some("field.format")),
        "{out}"
    );
    assert_eq!(s.query_i64("SELECT count(*) FROM records"), 1);
}

#[tokio::test]
async fn a_walk_in_is_judged_by_the_age_on_its_transaction_day() {
    let start = ehr_central::util::now_unix();
    let clock = Clock::settable(start);
    let s = Server::start_with_clock(clock.clone()).await;
    let a = s.session("HA-QEH", "clerk01").await;
    // Born 16 years before today: 16 today, 15 yesterday.
    let today = hk_date(start).unwrap();
    let born = format!(
        "{:04}-{:02}-{:02}",
        today.year() - 16,
        today.month(),
        today.day()
    );
    if born.ends_with("02-29") {
        return; // no such birthday 16 years ago: nothing to judge
    }
    let keyed = |n: u32, at: Option<i64>| {
        let mut op = walk_in(&hkid(n));
        op["patient"]["date_of_birth"] = json!(born);
        if let Some(at) = at {
            op["transacted_at"] = json!(rfc3339(at));
        }
        op
    };
    // Keyed yesterday, when the patient was 15: an SDM was needed.
    let out = a
        .op(Uuid::new_v4(), "age-1", 1, keyed(201, Some(start - DAY)))
        .await;
    assert_eq!(
        out["field_errors"][0]["code"], "eligibility.sdm_required_under_16",
        "{out}"
    );
    // Keyed today: 16, applying alone.
    let out = a.op(Uuid::new_v4(), "age-2", 1, keyed(202, None)).await;
    assert_eq!(out["status"], "applied", "{out}");
}
