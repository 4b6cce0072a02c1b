//! The birth-hospital desk in the built app (issue #14), with the real
//! parts: the parent's virtual card in vpcd's reader through a private
//! pcscd, the hospital document and the birth certificate dropped in the
//! scanner folder, ehr-central over loopback, stopped and started for the
//! offline cases. Two app runs, grouped by site: a birth hospital's counter
//! (QMH) and a Maternal and Child Health Centre's (MCHC-TKO), on the same
//! service; a screenshot of each final screen.
//!
//! At QMH: the form refuses to submit without the hospital document's
//! image; a newborn registered; a hospital document another hospital's
//! counter registered first, registered here offline, lands on the
//! attention list; the follow-up list shows a record waiting 70 days.
//! At the MCHC: the first newborn completed with a birth certificate (one
//! record, the identifier upgraded in place, both images kept); the second
//! completed offline after a look-up by the parent's card, synced later.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use ehr_tests::pcscd::Pcscd;
use fantoccini::{Client, Locator};

use crate::main_path::{
    capture, insert, needs, needs_only, out, settled, shot, stage, submit_and_finish, tick,
    type_address, Person, WAIT,
};
use crate::ui::{assert_accessible, click, type_keys, ENTER};

/// Today in Hong Kong as the form takes it (`DD/MM/YYYY`).
fn hk_today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    ehr_domain::Date::from_days_since_epoch((now + 8 * 3600).div_euclid(86_400))
        .expect("today")
        .to_hk_string()
}

/// Type `text` into the field `testid` (after clearing it).
async fn fill(client: &Client, testid: &str, text: &str) {
    let el = wait_for(
        client,
        Locator::Css(&format!("[data-testid={testid}]")),
        WAIT,
    )
    .await;
    crate::main_path::into_view(client, &el).await;
    el.click().await.expect("focus");
    el.clear().await.expect("clear");
    type_keys(client, text).await;
}

/// Wait until the service holds `n` from `sql` (with `?1` = `param`).
pub(crate) async fn until_db(central: &Arc<Mutex<Central>>, sql: &str, param: &str, n: i64) {
    until(central, &format!("{sql} [{param}] is {n}"), |c| {
        c.lock()
            .expect("central")
            .query_i64(sql, param)
            .unwrap_or(-1)
            == n
    })
    .await;
}

/// Wait (a minute at most) until `f` holds of the service.
pub(crate) async fn until(
    central: &Arc<Mutex<Central>>,
    what: &str,
    f: impl Fn(&Arc<Mutex<Central>>) -> bool,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !f(central) {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The newborn form filled in for `serial` (born today at 00:00), the
/// contact and the declaration given; the image not yet captured.
async fn newborn_form(client: &Client, serial: &str) {
    click(client, "[data-testid=start-newborn]").await;
    stage(client, "details").await;
    wait_for(client, Locator::Css("[data-testid=newborn-details]"), WAIT).await;
    fill(client, "newborn-serial", serial).await;
    fill(client, "newborn-dob", &hk_today()).await;
    fill(client, "newborn-time", "00:00").await;
    click(client, "[data-testid=newborn-sex-male]").await;
    type_address(client, "61234567").await;
    tick(client, "form-declaration").await;
}

/// The completion form for the record `ehr` (its complete button clicked
/// in the found list): the certificate's number and names keyed, its image
/// captured.
async fn completion_form(client: &Client, scans: &std::path::Path, ehr: &str, bc: &str, n: &str) {
    click(
        client,
        &format!("[data-testid=complete-record][data-ehr='{ehr}']"),
    )
    .await;
    stage(client, "details").await;
    wait_for(
        client,
        Locator::Css("[data-testid=completion-details]"),
        WAIT,
    )
    .await;
    fill(client, "completion-bc", bc).await;
    fill(client, "completion-surname", "LAU").await;
    fill(client, "completion-given-names", "CHUN HEI").await;
    capture(client, scans, "capture-birth-certificate", n).await;
}

fn scans_dir(site: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ehr-e2e-newborn-{site}-scans-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scans");
    d
}

#[test]
fn the_birth_hospital_desk_registers_and_an_mchc_completes() {
    let central = Central::start("e2e-newborn").expect("ehr-central");
    let pcscd = Pcscd::start().expect("pcscd");
    let reader0 = pcscd.reader_addr(0);
    let parent = Person::adult("P200001", "LAU", "KA MAN", "1990-04-05");
    let second_parent = Person::adult("P200002", "CHEUNG", "WAI YEE", "1991-02-03");
    let clerk = central.clerk.clone();
    let (url, qmh_key, mchc_key) = (
        central.url.clone(),
        central.counter_key_at("QMH"),
        central.counter_key_at("MCHC-TKO"),
    );
    let central = Arc::new(Mutex::new(central));

    // A birth hospital's counter.
    let scans = scans_dir("qmh");
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), qmh_key),
        ("EHR_SCAN_FOLDER".to_owned(), scans.display().to_string()),
    ];
    let (c, p, p2, s, k, r) = (
        central.clone(),
        parent.clone(),
        second_parent.clone(),
        scans.clone(),
        clerk.clone(),
        reader0.clone(),
    );
    run_with(
        "newborn_birth_hospital",
        env,
        move |client, _env| async move {
            let (central, parent, second_parent, scans, clerk, reader0) = (c, p, p2, s, k, r);
            crate::ui::sign_in(&client, &clerk.0, &clerk.1).await;
            wait_for_text(
                &client,
                Locator::Css("[data-testid=reader-status]"),
                WAIT,
                |t| t.contains("Ready"),
            )
            .await;

            // 1. The parent's card: a newborn's form, refused without the
            //    hospital document's image; registered once it is captured.
            let card = insert(&client, &reader0, &parent).await;
            newborn_form(&client, "QMH-E2E-0001").await;
            needs_only(&client, &["certifying_document_image:"]).await;
            let n = needs(&client).await;
            assert_eq!(n, vec!["certifying_document_image:field.required"], "{n:?}");
            click(&client, "[data-testid=task-submit]").await;
            settled(&client).await;
            stage(&client, "details").await;
            assert_accessible(&client, "newborn form").await;
            shot(&client, "newborn_refused_without_image").await;
            assert_eq!(
                central
                    .lock()
                    .expect("central")
                    .query_i64(
                        "SELECT count(*) FROM records WHERE hospital_serial = ?1",
                        "QMH-E2E-0001"
                    )
                    .expect("db"),
                0
            );
            capture(&client, &scans, "capture-hospital-document", "hosp-1.png").await;
            submit_and_finish(&client, "newborn_registered").await;
            out(card);
            until_db(
                &central,
                "SELECT count(*) FROM records WHERE hospital_serial = ?1 \
             AND state = 'awaiting_birth_certificate'",
                "QMH-E2E-0001",
                1,
            )
            .await;

            // 2. Another hospital's counter registers a QMH document first;
            //    this counter, offline, registers the same one: the service
            //    refuses it on sync and it lands on the attention list.
            let c2 = central.clone();
            let number = second_parent.number.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                c2.lock().expect("central").register_newborn_at(
                    "PWH",
                    "QMH",
                    "QMH-E2E-0002",
                    (&number, "CHEUNG", "WAI YEE", "1991-02-03"),
                )
            })
            .await
            .expect("join")
            .expect("register at PWH");
            assert_eq!(outcome["status"], "applied", "{outcome}");
            central.lock().expect("central").stop();
            let card = insert(&client, &reader0, &second_parent).await;
            newborn_form(&client, "QMH-E2E-0002").await;
            capture(&client, &scans, "capture-hospital-document", "hosp-2.png").await;
            submit_and_finish(&client, "newborn_registered_offline").await;
            out(card);
            central.lock().expect("central").serve().expect("serve");
            wait_for(
                &client,
                Locator::Css("[data-testid=open-attention]"),
                Duration::from_secs(90),
            )
            .await;
            click(&client, "[data-testid=open-attention]").await;
            let item = wait_for(&client, Locator::Css("[data-testid=attention-item]"), WAIT).await;
            assert_eq!(
                item.attr("data-code").await.ok().flatten().as_deref(),
                Some("conflict.birth_document_registered")
            );
            let reason = crate::ui::text_of(&client, "[data-testid=attention-reason]").await;
            assert!(reason.contains("already registered"), "{reason}");
            shot(&client, "newborn_duplicate_attention").await;
            click(&client, "[data-testid=close-attention]").await;
            assert_eq!(
                central
                    .lock()
                    .expect("central")
                    .query_i64(
                        "SELECT count(*) FROM records WHERE hospital_serial = ?1",
                        "QMH-E2E-0002"
                    )
                    .expect("db"),
                1
            );

            // 3. The follow-up list: the first newborn, made to have waited 70
            //    days, is listed with the parent's masked document.
            central
                .lock()
                .expect("central")
                .backdate_record("QMH-E2E-0001", 70)
                .expect("backdate");
            click(&client, "[data-testid=follow-up-open]").await;
            let row = wait_for(&client, Locator::Css("[data-testid=follow-up-row]"), WAIT).await;
            assert_eq!(
                row.attr("data-days").await.ok().flatten().as_deref(),
                Some("70")
            );
            let text = row.text().await.expect("row");
            assert!(text.contains("QMH-E2E-0001"), "{text}");
            assert!(text.contains(&parent.masked_prefix()), "{text}");
            assert!(!text.contains(&parent.number), "{text}");
            assert_eq!(
                client
                    .find_all(Locator::Css("[data-testid=follow-up-row]"))
                    .await
                    .expect("rows")
                    .len(),
                1
            );
            assert_accessible(&client, "follow-up list").await;
            shot(&client, "newborn_follow_up").await;
            click(&client, "[data-testid=follow-up-print]").await;
            let pages = wait_for(&client, Locator::Css("[data-testid=slip-pages]"), WAIT).await;
            let deadline = std::time::Instant::now() + WAIT;
            while pages.attr("data-bytes").await.ok().flatten().as_deref() == Some("0") {
                assert!(std::time::Instant::now() < deadline, "no list rendered");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            shot(&client, "newborn_follow_up_print").await;
            type_keys(&client, crate::ui::ESC).await;
        },
    );
    let _ = std::fs::remove_dir_all(&scans);

    let ehr_first = central
        .lock()
        .expect("central")
        .db()
        .expect("db")
        .query_row(
            "SELECT ehr_number FROM records WHERE hospital_serial = 'QMH-E2E-0001'",
            [],
            |r| r.get::<_, String>(0),
        )
        .expect("first record");
    let ehr_second = central
        .lock()
        .expect("central")
        .db()
        .expect("db")
        .query_row(
            "SELECT ehr_number FROM records WHERE hospital_serial = 'QMH-E2E-0002'",
            [],
            |r| r.get::<_, String>(0),
        )
        .expect("second record");

    // A Maternal and Child Health Centre's counter.
    let scans = scans_dir("mchc");
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), url),
        ("EHR_COUNTER_KEY".to_owned(), mchc_key),
        ("EHR_SCAN_FOLDER".to_owned(), scans.display().to_string()),
    ];
    let (c, s) = (central.clone(), scans.clone());
    run_with("newborn_mchc", env, move |client, _env| async move {
        let (central, scans) = (c, s);
        crate::ui::sign_in(&client, &clerk.0, &clerk.1).await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=reader-status]"),
            WAIT,
            |t| t.contains("Ready"),
        )
        .await;

        // 4. Found by the hospital document; completed with the birth
        //    certificate: one record, upgraded in place, both images.
        wait_for(&client, Locator::Css("[data-testid=lookup-serial]"), WAIT).await;
        crate::main_path::select(&client, "lookup-hospital-code", "QMH").await;
        fill(&client, "lookup-serial", "qmh-e2e-0001").await;
        type_keys(&client, ENTER).await;
        stage(&client, "found").await;
        assert!(client
            .find(Locator::Css("[data-testid=start-newborn]"))
            .await
            .is_err());
        let bc = crate::main_path::number(ehr_domain::DocumentType::HkBirthCertificate, "Z200001");
        completion_form(&client, &scans, &ehr_first, &bc, "bc-1.png").await;
        submit_and_finish(&client, "newborn_completed").await;
        until_db(
            &central,
            "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective' \
             AND doc_type = 'hk_birth_certificate'",
            &ehr_first,
            1,
        )
        .await;
        until_db(
            &central,
            "SELECT count(*) FROM document_images WHERE record_ehr_number = ?1",
            &ehr_first,
            2,
        )
        .await;
        until_db(
            &central,
            "SELECT count(*) FROM records WHERE ?1 = ?1",
            "",
            2,
        )
        .await;

        // 5. The second newborn, found online by the parent's card (kept as
        //    SDM), completed offline and synced later.
        let card = insert(&client, &reader0, &second_parent).await;
        wait_for(&client, Locator::Css("[data-testid=kept-record-row]"), WAIT).await;
        out(card);
        central.lock().expect("central").stop();
        let card = insert(&client, &reader0, &second_parent).await;
        wait_for(&client, Locator::Css("[data-testid=lookup-offline]"), WAIT).await;
        let bc = crate::main_path::number(ehr_domain::DocumentType::HkBirthCertificate, "Z200002");
        completion_form(&client, &scans, &ehr_second, &bc, "bc-2.png").await;
        submit_and_finish(&client, "newborn_completed_offline").await;
        out(card);
        assert_eq!(
            central
                .lock()
                .expect("central")
                .query_i64(
                    "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective'",
                    &ehr_second
                )
                .expect("db"),
            0
        );
        central.lock().expect("central").serve().expect("serve");
        until_db(
            &central,
            "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective'",
            &ehr_second,
            1,
        )
        .await;
        let _ = std::fs::remove_dir_all(&scans);
    });
}
