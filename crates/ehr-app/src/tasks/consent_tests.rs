#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

//! Sharing consent and withdrawal through the app crate (issue #15, items
//! 2 and 3), against the reference central service in-process over real
//! HTTP on loopback: consent given to two private providers and revoked
//! from one, refusals said before the person leaves, a withdrawal with its
//! confirmation, and the same person registering again on the same record.

use ehr_protocol::card::ManualIdentityRequest;
use ehr_protocol::task::{ConsentForm, TaskEvent, TaskKind, TaskStage, TaskView, WithdrawalForm};
use ehr_protocol::ErrorCode;

use super::test_support::{drained, hkic, needs, sign_in};
use crate::staff::service_tests::Rig;

fn person(digits: &str) -> ManualIdentityRequest {
    ManualIdentityRequest {
        document_type: "hkic".into(),
        document_number: hkic(digits),
        surname: "YIP".into(),
        given_names: "WING KEI".into(),
        chinese_name: String::new(),
        date_of_birth: "1982-08-09".into(),
        sex: "F".into(),
    }
}

/// Registers `p` as a walk-in at the rig's counter and syncs; the eHR
/// number.
fn walk_in(r: &Rig, p: &ManualIdentityRequest) -> String {
    r.app.task_from_manual(p).unwrap();
    let v = r.app.task_event(&TaskEvent::WalkIn).unwrap();
    let mut form = v.form.clone();
    form.address = "91234567".into();
    form.declaration = true;
    r.app.task_event(&TaskEvent::Edit { form }).unwrap();
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    r.app.task_finish();
    drained(&r.app);
    r.central_read(|tx| {
        tx.query_row(
            "SELECT ehr_number FROM records WHERE doc_number = ?1",
            [p.document_number.replace(['(', ')'], "")],
            |row| row.get(0),
        )
        .unwrap()
    })
}

/// The state of `provider`'s consent on the service's record `ehr`, as
/// the service's own view says it.
fn consent_state(r: &Rig, ehr: &str, provider: &str) -> String {
    r.central_read(|tx| {
        let rec = ehr_central::records::get(tx, ehr).unwrap().unwrap();
        ehr_central::records::to_wire(&rec)
            .consents
            .iter()
            .find(|c| c.provider_id == provider)
            .map(|c| serde_json::to_value(c.state).unwrap())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    })
}

fn consent_event(r: &Rig, give: &[&str], revoke: &[&str], declaration: bool) -> TaskView {
    r.app
        .task_event(&TaskEvent::EditConsent {
            form: ConsentForm {
                give: give.iter().map(|s| (*s).to_owned()).collect(),
                revoke: revoke.iter().map(|s| (*s).to_owned()).collect(),
                declaration,
                slip_language: "both".into(),
            },
        })
        .unwrap()
}

#[test]
fn consent_is_given_and_revoked_then_the_person_withdraws_and_rejoins() {
    let r = Rig::at("HA-QEH", &[]);
    sign_in(&r.app, "clerk01");
    let p = person("R334455");
    let ehr = walk_in(&r, &p);

    // Consent to two private providers at once.
    let v = r.app.task_from_manual(&p).unwrap();
    assert!(v.offers.contains(&"consent".to_owned()), "{:?}", v.offers);
    let v = r
        .app
        .task_event(&TaskEvent::Consent {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!((v.kind, v.stage), (TaskKind::Consent, TaskStage::Details));
    assert!(v.record.as_ref().unwrap().consents.len() > 1);
    let n = needs(&v);
    assert!(
        n.contains(&"provider_ids:field.required".to_owned()),
        "{n:?}"
    );
    let v = consent_event(&r, &["PP-0003", "PP-0004"], &[], false);
    assert_eq!(needs(&v), vec!["declaration:field.required"]);
    // A public provider cannot be given or revoked here; an unknown one is
    // not on the register; one already held cannot be given again.
    let public = r
        .app
        .task_choices()
        .unwrap()
        .public_providers
        .first()
        .unwrap()
        .code
        .clone();
    let v = consent_event(&r, &["PP-0003", "NOPE-1"], &[&public], true);
    let n = needs(&v);
    // Each refusal names its list and place: the unknown id is the second
    // to give, the public provider the first to revoke.
    assert!(
        n.iter().any(|x| x.starts_with("provider_ids.give[1]:")),
        "{n:?}"
    );
    assert!(
        n.iter().any(|x| x.starts_with("provider_ids.revoke[0]:")),
        "{n:?}"
    );
    assert!(
        !n.iter().any(|x| x.starts_with("provider_ids.give[0]")),
        "{n:?}"
    );
    consent_event(&r, &["PP-0003", "PP-0004"], &[], true);
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    assert!(v.result.is_some());
    r.app.task_finish();
    drained(&r.app);
    assert_eq!(consent_state(&r, &ehr, "PP-0003"), "given");
    assert_eq!(consent_state(&r, &ehr, "PP-0004"), "given");

    // Revoke one (and give and revoke the same one at once is refused).
    r.app.task_from_manual(&p).unwrap();
    r.app
        .task_event(&TaskEvent::Consent {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    let v = consent_event(&r, &["PP-0005"], &["PP-0005"], true);
    assert!(
        needs(&v).contains(&"provider_ids:field.format".to_owned()),
        "{:?}",
        needs(&v)
    );
    let v = consent_event(&r, &["PP-0004"], &[], true);
    assert!(
        needs(&v).contains(&"provider_ids:conflict.consent_state".to_owned()),
        "{:?}",
        needs(&v)
    );
    let v = consent_event(&r, &[], &["PP-0006"], true);
    assert!(
        needs(&v).contains(&"provider_ids:conflict.consent_state".to_owned()),
        "{:?}",
        needs(&v)
    );
    let v = consent_event(&r, &[], &["PP-0003"], true);
    assert!(needs(&v).is_empty(), "{:?}", needs(&v));
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    r.app.task_finish();
    drained(&r.app);
    assert_eq!(consent_state(&r, &ehr, "PP-0003"), "revoked");
    assert_eq!(consent_state(&r, &ehr, "PP-0004"), "given");

    // Withdrawal: only with the explicit confirmation.
    r.app.task_from_manual(&p).unwrap();
    let v = r
        .app
        .task_event(&TaskEvent::Withdraw {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!(v.kind, TaskKind::Withdrawal);
    assert_eq!(needs(&v), vec!["confirmed:withdrawal.not_confirmed"]);
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Details);
    assert_eq!(r.app.sync_status().unwrap().queued, 0);
    r.app
        .task_event(&TaskEvent::EditWithdrawal {
            form: WithdrawalForm {
                confirmed: true,
                slip_language: "en".into(),
            },
        })
        .unwrap();
    let v = r.app.task_event(&TaskEvent::Submit).unwrap();
    assert_eq!(v.stage, TaskStage::Done, "{:?}", needs(&v));
    r.app.task_finish();
    drained(&r.app);
    let state: String = r.central_read(|tx| {
        tx.query_row(
            "SELECT state FROM records WHERE ehr_number = ?1",
            [&ehr],
            |row| row.get(0),
        )
        .unwrap()
    });
    assert_eq!(state, "withdrawn");

    // Seen as withdrawn: no consent change; a walk-in registers again on
    // the same record.
    let v = r.app.task_from_manual(&p).unwrap();
    let rows = &v.lookup.as_ref().unwrap().records;
    assert_eq!(rows[0].state, "withdrawn");
    let v = r
        .app
        .task_event(&TaskEvent::Consent {
            ehr_number: ehr.clone(),
        })
        .unwrap();
    assert_eq!(v.errors[0].code, "conflict.record_withdrawn");
    r.app.task_finish();
    let again = walk_in(&r, &p);
    assert_eq!(again, ehr);
    let (state, n): (String, i64) = r.central_read(|tx| {
        tx.query_row(
            "SELECT state, (SELECT count(*) FROM records) FROM records WHERE ehr_number = ?1",
            [&ehr],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
    });
    assert_eq!((state.as_str(), n), ("effective", 1));
}

#[test]
fn a_maternal_and_child_health_centre_does_not_change_consent() {
    let r = Rig::at("MCHC-TKO", &[]);
    sign_in(&r.app, "clerk01");
    let v = r.app.task_from_manual(&person("S445566")).unwrap();
    assert!(!v.offers.contains(&"consent".to_owned()));
    assert!(!v.offers.contains(&"withdrawal".to_owned()));
    let e = r
        .app
        .task_event(&TaskEvent::Consent {
            ehr_number: "000000000001".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AuthForbidden);
}

#[test]
fn the_supervisors_lists_come_from_the_service_and_a_clerk_is_refused() {
    let r = Rig::at("HA-QEH", &[]);
    sign_in(&r.app, "clerk01");
    assert_eq!(
        r.app.follow_up_expiring().unwrap_err().code,
        ErrorCode::AuthForbidden
    );
    assert_eq!(
        r.app.follow_up_turning_16().unwrap_err().code,
        ErrorCode::AuthForbidden
    );
    r.app.sign_out();
    r.app
        .sign_in(&ehr_protocol::ipc::SignInRequest {
            staff_code: "super01".into(),
            password: Rig::password("super01"),
        })
        .unwrap();
    let expiring = r.app.follow_up_expiring().unwrap();
    assert_eq!(expiring.within_days, 30);
    // Dates as the screen shows them, soonest first.
    for w in expiring.items.windows(2) {
        let d = |s: &str| ehr_domain::DateOfBirth::parse(s).unwrap().earliest();
        assert!(d(&w[0].expires_on) <= d(&w[1].expires_on));
    }
    let turning = r.app.follow_up_turning_16().unwrap();
    assert_eq!(turning.within_days, 60);
}
