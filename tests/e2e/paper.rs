//! Paper forms keyed twice in the built app (issue #15, item 1), with the
//! real parts: ehr-central over loopback, the form's scan in the scanner
//! folder, the person's virtual card through a private pcscd. Two app runs,
//! by site: at the Registration Office one clerk keys an RE(C)01 form and
//! saves it for the second keying; another clerk resumes it from the RO's
//! list, keys the identifying fields blind with one disagreement, decides
//! it side by side and sends the application; at a registration centre the
//! person's card finds it and it is activated. The service holds one
//! application and one record. A screenshot of each final screen.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use ehr_tests::pcscd::Pcscd;
use fantoccini::{Client, Locator};

use crate::main_path::{
    capture, insert, needs_only, out, select, settled, shot, stage, submit_and_finish, tick,
    type_address, Person, WAIT,
};
use crate::newborn::until_db;
use crate::ui::{assert_accessible, click, type_keys};

fn scans_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("ehr-e2e-paper-scans-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scans");
    d
}

/// Type `text` into the field `testid` (centred first, emptied first).
async fn key_in(client: &Client, testid: &str, text: &str) {
    let css = format!("[data-testid={testid}]");
    click(client, &css).await;
    let el = client.find(Locator::Css(&css)).await.expect(testid);
    el.clear().await.expect("clear");
    type_keys(client, text).await;
}

/// `DD/MM/YYYY` of a `YYYY-MM-DD` day.
fn hk(day: &str) -> String {
    let p: Vec<&str> = day.split('-').collect();
    format!("{}/{}/{}", p[2], p[1], p[0])
}

/// The first keying of `person`'s form, received by fax, with its scan;
/// saved for the second keying.
async fn first_keying(client: &Client, scans: &Path, person: &Person) {
    click(client, "[data-testid=paper-new]").await;
    stage(client, "details").await;
    wait_for(client, Locator::Css("[data-testid=paper-first]"), WAIT).await;
    select(client, "paper-origin", "paper_fax").await;
    select(client, "paper-doc-type", "hkic").await;
    key_in(client, "paper-doc-number", &person.number).await;
    key_in(client, "paper-surname", person.surname).await;
    key_in(client, "paper-given-names", person.given).await;
    key_in(client, "paper-dob", &hk(person.dob)).await;
    type_address(client, "91234567").await;
    capture(client, scans, "capture-paper-form", "form-1.png").await;
    needs_only(client, &[]).await;
    settled(client).await;
    assert_accessible(client, "paper form, first keying").await;
    click(client, "[data-testid=paper-first-done]").await;
    let notice = wait_for(
        client,
        Locator::Css("[data-testid=paper-second-notice]"),
        WAIT,
    )
    .await;
    assert_eq!(
        notice
            .attr("data-same-clerk")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("true")
    );
    // Blind: nothing of the first keying is on screen.
    let text = crate::ui::text_of(client, "[data-testid=paper-details]").await;
    assert!(!text.contains(person.surname), "{text}");
}

#[test]
fn a_paper_form_keyed_twice_is_activated_at_another_counter() {
    let central = Central::start("e2e-paper").expect("ehr-central");
    let pcscd = Pcscd::start().expect("pcscd");
    let reader0 = pcscd.reader_addr(0);
    let person = Person::adult("P400001", "LEUNG", "TAI MAN", "1970-04-03");
    let (clerk, clerk2) = (central.clerk.clone(), central.clerk2.clone());
    let url = central.url.clone();
    let ro_key = central.counter_key_at("RO-HK");
    let rc_key = central.counter_key_at("HA-QEH");
    let central = Arc::new(Mutex::new(central));
    let normalised = person.number.replace(['(', ')'], "");

    // The Registration Office: keyed by one clerk, then by another.
    let scans = scans_dir();
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), ro_key),
        ("EHR_SCAN_FOLDER".to_owned(), scans.display().to_string()),
    ];
    let (c, p, s, k, k2, n) = (
        central.clone(),
        person.clone(),
        scans.clone(),
        clerk.clone(),
        clerk2,
        normalised.clone(),
    );
    run_with(
        "paper_registration_office",
        env,
        move |client, _env| async move {
            let (central, person, scans, clerk, clerk2, normalised) = (c, p, s, k, k2, n);
            crate::ui::sign_in(&client, &clerk.0, &clerk.1).await;
            wait_for(&client, Locator::Css("[data-testid=paper-new]"), WAIT).await;
            first_keying(&client, &scans, &person).await;
            // Left for another clerk: saved as version 1, with its image.
            click(&client, "[data-testid=task-back]").await;
            until_db(
                &central,
                "SELECT count(*) FROM work_items WHERE state = 'open' AND version = 1 \
             AND stage = 'second_keying' AND document_masked <> ?1",
                "",
                1,
            )
            .await;
            click(&client, "[data-testid=sign-out]").await;

            // Another clerk resumes it from the RO's list and keys it blind,
            // the given names differently.
            crate::ui::sign_in(&client, &clerk2.0, &clerk2.1).await;
            let row = wait_for(&client, Locator::Css("[data-testid=work-item-row]"), WAIT).await;
            let id = row.attr("data-id").await.ok().flatten().expect("id");
            assert_accessible(&client, "the RO's work items").await;
            shot(&client, "paper_work_items").await;
            click(
                &client,
                &format!("[data-testid=work-item-resume][data-id='{id}']"),
            )
            .await;
            let notice = wait_for(
                &client,
                Locator::Css("[data-testid=paper-second-notice]"),
                WAIT,
            )
            .await;
            assert_eq!(
                notice
                    .attr("data-same-clerk")
                    .await
                    .ok()
                    .flatten()
                    .as_deref(),
                Some("false")
            );
            select(&client, "second-doc-type", "hkic").await;
            key_in(&client, "second-doc-number", &person.number.to_lowercase()).await;
            key_in(&client, "second-surname", person.surname).await;
            key_in(&client, "second-given-names", "TAI MEN").await;
            key_in(&client, "second-dob", &hk(person.dob)).await;
            settled(&client).await;
            assert_accessible(&client, "paper form, second keying").await;
            click(&client, "[data-testid=paper-second-done]").await;

            // One disagreement, side by side: the first keying's taken.
            let diff = wait_for(
                &client,
                Locator::Css("[data-testid=paper-difference][data-field=given_names]"),
                WAIT,
            )
            .await;
            let text = diff.text().await.expect("row");
            assert!(
                text.contains("TAI MAN") && text.contains("TAI MEN"),
                "{text}"
            );
            let rows = client
                .find_all(Locator::Css("[data-testid=paper-difference]"))
                .await
                .expect("rows");
            assert_eq!(rows.len(), 1, "only the given names differ");
            needs_only(&client, &["differences:"]).await;
            click(
                &client,
                "[data-testid=paper-take-first][data-field=given_names]",
            )
            .await;
            assert_accessible(&client, "paper form, reconcile").await;
            shot(&client, "paper_reconciled").await;
            submit_and_finish(&client, "paper_keyed").await;
            until_db(
                &central,
                "SELECT count(*) FROM applications WHERE doc_number = ?1 AND origin = 'paper_fax' \
             AND body LIKE '%TAI MAN%'",
                &normalised,
                1,
            )
            .await;
            until_db(
            &central,
            "SELECT count(*) FROM work_items WHERE id = ?1 AND state = 'done' AND payload IS NULL",
            &id,
            1,
        )
        .await;
            until_db(
                &central,
                "SELECT count(*) FROM document_images WHERE kind = 'paper_form' \
             AND application_reference IS NOT NULL AND ?1 = ?1",
                "",
                1,
            )
            .await;
            wait_for(
                &client,
                Locator::Css("[data-testid=work-items-empty]"),
                WAIT,
            )
            .await;
        },
    );

    // A registration centre: the person's card finds the application,
    // which is activated.
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), url),
        ("EHR_COUNTER_KEY".to_owned(), rc_key),
    ];
    let (c, p, k, n) = (central.clone(), person, clerk, normalised);
    run_with("paper_activated", env, move |client, _env| async move {
        let (central, person, clerk, normalised) = (c, p, k, n);
        crate::ui::sign_in(&client, &clerk.0, &clerk.1).await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=reader-status]"),
            WAIT,
            |t| t.contains("Ready"),
        )
        .await;
        let card = insert(&client, &reader0, &person).await;
        let row = wait_for(&client, Locator::Css("[data-testid=application-row]"), WAIT).await;
        assert!(row.text().await.expect("row").contains("TAI MAN"));
        click(&client, "[data-testid=choose-application]").await;
        stage(&client, "compare").await;
        click(&client, "[data-testid=task-next]").await;
        stage(&client, "details").await;
        tick(&client, "form-declaration").await;
        submit_and_finish(&client, "paper_activated").await;
        out(card);
        until_db(
            &central,
            "SELECT count(*) FROM records WHERE doc_number = ?1 AND state = 'effective'",
            &normalised,
            1,
        )
        .await;
        until_db(
            &central,
            "SELECT count(*) FROM applications WHERE doc_number = ?1",
            &normalised,
            1,
        )
        .await;
    });
    drop(pcscd);
}
