//! Sharing consent and withdrawal in the built app (issue #15, items 2 and
//! 3), with the real parts: the person's virtual card through a private
//! pcscd, ehr-central over loopback. One app run at a registration centre:
//! consent given to two private providers picked from the register, one of
//! them revoked, the record withdrawn after the explicit confirmation, and
//! the same person registered again on the same record; their contact
//! changed and a new access key sent (#15 item 4); a child registered by a
//! parent with their birth certificate, now 16, taking the record over with
//! their own identity card (item 5); then a supervisor's follow-up lists,
//! each showing its seeded case (an application that expires within 30
//! days, a child kept by a parent who turns 16 within 60 days). A
//! screenshot of each final screen.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use ehr_tests::pcscd::Pcscd;
use ehr_tests::vcard::InsertedCard;
use fantoccini::{Client, Locator};

use crate::main_path::{
    insert, needs_only, out, settled, stage, submit_and_finish, tick, type_address, Person, WAIT,
};
use crate::newborn::{until, until_db};
use crate::ui::{assert_accessible, click, type_keys};

const CONSENT_STATE: &str = "SELECT count(*) FROM records WHERE ehr_number = ?1 \
     AND json_extract(consents, '$.entries.\"{id}\".state.state') = '{state}'";

fn consent_is(central: &Arc<Mutex<Central>>, ehr: &str, id: &str, state: &str) -> bool {
    central
        .lock()
        .expect("central")
        .query_i64(
            &CONSENT_STATE.replace("{id}", id).replace("{state}", state),
            ehr,
        )
        .unwrap_or(0)
        == 1
}

/// The person's card in the reader; the record's `button` clicked in the
/// found list; the task at its details.
async fn open_record(
    client: &Client,
    reader: &str,
    person: &Person,
    button: &str,
    ehr: &str,
) -> InsertedCard {
    let card = insert(client, reader, person).await;
    click(client, &format!("[data-testid={button}][data-ehr='{ehr}']")).await;
    stage(client, "details").await;
    card
}

/// Search the register for `text` and tick the provider `id` to give.
async fn give(client: &Client, text: &str, id: &str) {
    // Type once the pane is quiet (an answer arriving re-renders the list),
    // and again until the provider is listed.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        settled(client).await;
        let search = wait_for(client, Locator::Css("[data-testid=provider-search]"), WAIT).await;
        search.click().await.expect("focus");
        search.clear().await.expect("clear");
        type_keys(client, text).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if client
            .find(Locator::Css(&format!("[data-testid=give-{id}]")))
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{id} never listed for {text}"
        );
    }
    tick(client, &format!("give-{id}")).await;
}

#[test]
fn consent_is_given_and_revoked_and_a_withdrawn_person_joins_again() {
    let central = Central::start("e2e-consent").expect("ehr-central");
    let pcscd = Pcscd::start().expect("pcscd");
    let reader0 = pcscd.reader_addr(0);
    let person = Person::adult("P300001", "YIP", "WING KEI", "1982-08-09");
    let ehr = central
        .register_walk_in_at(
            "HA-QEH",
            (&person.number, person.surname, person.given, person.dob),
        )
        .expect("registered");
    // The supervisor's lists' seeded cases: an online application made 160
    // days ago (it expires in about 20), and a child turning 16 in 30 days.
    let applicant = Person::adult("P300002", "KO", "MAN YEE", "1977-02-03");
    let expiring = crate::main_path::apply(&central, &applicant, "self", None);
    central
        .backdate_application(&expiring, 160)
        .expect("backdate");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let turns = ehr_domain::Date::from_days_since_epoch((now + 8 * 3600).div_euclid(86_400) + 30)
        .expect("day");
    let child_dob = ehr_domain::Date::new(turns.year() - 16, turns.month(), turns.day().min(28))
        .expect("dob")
        .to_string();
    let child = Person::adult("P300003", "MAK", "TSZ YAN", "2010-01-01");
    let parent = Person::adult("P300004", "MAK", "WING", "1980-01-01");
    let child_ehr = central
        .register_child_at(
            "HA-QEH",
            (&child.number, child.surname, child.given, &child_dob),
            (&parent.number, parent.surname, parent.given, parent.dob),
        )
        .expect("child registered");
    // Registered at 10 with the birth certificate; 16 now.
    let grown = Person::adult("P300005", "CHEUNG", "KA YAN", "2010-03-04");
    let grown_ehr = central
        .register_grown_child_at(
            "HA-QEH",
            (&grown.number, grown.surname, grown.given, grown.dob),
            (&parent.number, parent.surname, parent.given, parent.dob),
        )
        .expect("grown child registered");
    let supervisor = central.supervisor.clone();
    let clerk = central.clerk.clone();
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        (
            "EHR_COUNTER_KEY".to_owned(),
            central.counter_key_at("HA-QEH"),
        ),
    ];
    let central = Arc::new(Mutex::new(central));
    run_with("consent", env, move |client, _env| async move {
        crate::ui::sign_in(&client, &clerk.0, &clerk.1).await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=reader-status]"),
            WAIT,
            |t| t.contains("Ready"),
        )
        .await;

        // 1. Consent to two private providers, found in the register by
        //    name and by code.
        let card = open_record(&client, &reader0, &person, "consent-record", &ehr).await;
        wait_for(&client, Locator::Css("[data-testid=consent-details]"), WAIT).await;
        give(&client, "Canossa", "PP-0003").await;
        give(&client, "PP-0004", "PP-0004").await;
        tick(&client, "form-declaration").await;
        assert_accessible(&client, "consent form").await;
        submit_and_finish(&client, "consent_given").await;
        out(card);
        until(&central, "PP-0003 and PP-0004 given", |c| {
            consent_is(c, &ehr, "PP-0003", "given") && consent_is(c, &ehr, "PP-0004", "given")
        })
        .await;

        // 2. One of them revoked.
        let card = open_record(&client, &reader0, &person, "consent-record", &ehr).await;
        tick(&client, "revoke-PP-0003").await;
        tick(&client, "form-declaration").await;
        submit_and_finish(&client, "consent_revoked").await;
        out(card);
        until(&central, "PP-0003 revoked", |c| {
            consent_is(c, &ehr, "PP-0003", "revoked") && consent_is(c, &ehr, "PP-0004", "given")
        })
        .await;

        // 3. Withdrawal, only after the explicit confirmation.
        let card = open_record(&client, &reader0, &person, "withdraw-record", &ehr).await;
        wait_for(
            &client,
            Locator::Css("[data-testid=withdrawal-explain]"),
            WAIT,
        )
        .await;
        needs_only(&client, &["confirmed:"]).await;
        tick(&client, "withdraw-confirm").await;
        assert_accessible(&client, "withdrawal form").await;
        submit_and_finish(&client, "withdrawn").await;
        out(card);
        until_db(
            &central,
            "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'withdrawn'",
            &ehr,
            1,
        )
        .await;

        // 4. Seen as withdrawn; registered again on the same record.
        let card = insert(&client, &reader0, &person).await;
        let badge = wait_for(&client, Locator::Css("[data-testid=record-state]"), WAIT).await;
        assert_eq!(
            badge.attr("data-state").await.ok().flatten().as_deref(),
            Some("withdrawn")
        );
        click(&client, "[data-testid=start-walk-in]").await;
        stage(&client, "details").await;
        type_address(&client, "91234567").await;
        tick(&client, "form-declaration").await;
        submit_and_finish(&client, "rejoined").await;
        out(card);
        // A refusal would land on the attention list: say which.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if let Ok(b) = client
                .find(Locator::Css("[data-testid=open-attention]"))
                .await
            {
                b.click().await.expect("open attention");
                let reason = crate::ui::text_of(&client, "[data-testid=attention-item]").await;
                panic!("the registration again was refused: {reason}");
            }
            let effective = central
                .lock()
                .expect("central")
                .query_i64(
                    "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective'",
                    &ehr,
                )
                .unwrap_or(0)
                == 1;
            if effective {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        until(&central, "effective again, one record", |c| {
            let c = c.lock().expect("central");
            c.query_i64(
                "SELECT count(*) FROM records WHERE ehr_number = ?1 AND state = 'effective'",
                &ehr,
            )
            .unwrap_or(0)
                == 1
                // One record of this person (the other is the seeded child's).
                && c.query_i64("SELECT count(*) FROM records WHERE sdm IS NULL AND ?1 = ?1", "")
                    .unwrap_or(0)
                    == 1
        })
        .await;

        // 5. Contact details changed and a new access key sent by the new
        //    number, in one change.
        let card = open_record(&client, &reader0, &person, "contact-record", &ehr).await;
        wait_for(&client, Locator::Css("[data-testid=contact-current]"), WAIT).await;
        tick(&client, "contact-change").await;
        type_address(&client, "61234567").await;
        tick(&client, "contact-resend").await;
        assert_accessible(&client, "contact form").await;
        submit_and_finish(&client, "contact_changed").await;
        out(card);
        until_db(
            &central,
            "SELECT count(*) FROM notification_outbox WHERE ehr_number = ?1 \
             AND address = '61234567'",
            &ehr,
            1,
        )
        .await;

        // 6. The child who turned 16 reads their own card (the birth
        //    certificate's number) and takes the record over.
        let card = open_record(&client, &reader0, &grown, "take-over-record", &grown_ehr).await;
        wait_for(
            &client,
            Locator::Css("[data-testid=take-over-explain]"),
            WAIT,
        )
        .await;
        type_address(&client, "59876543").await;
        tick(&client, "form-declaration").await;
        assert_accessible(&client, "take-over form").await;
        submit_and_finish(&client, "taken_over").await;
        out(card);
        until_db(
            &central,
            "SELECT count(*) FROM records WHERE ehr_number = ?1 AND sdm IS NULL \
             AND doc_type = 'hkic'",
            &grown_ehr,
            1,
        )
        .await;
        until_db(
            &central,
            "SELECT count(*) FROM notification_outbox WHERE ehr_number = ?1 \
             AND address = '59876543'",
            &grown_ehr,
            1,
        )
        .await;

        // 7. A supervisor's follow-up lists, each with its seeded case.
        click(&client, "[data-testid=sign-out]").await;
        crate::ui::sign_in(&client, &supervisor.0, &supervisor.1).await;
        click(&client, "[data-testid=follow-up-open]").await;
        let row = wait_for(
            &client,
            Locator::Css(&format!(
                "[data-testid=expiring-row][data-reference='{expiring}']"
            )),
            WAIT,
        )
        .await;
        let text = row.text().await.expect("row");
        assert!(text.contains(&applicant.masked_prefix()), "{text}");
        assert!(!text.contains(&applicant.number), "{text}");
        let row = wait_for(
            &client,
            Locator::Css(&format!(
                "[data-testid=turning-row][data-ehr='{child_ehr}']"
            )),
            WAIT,
        )
        .await;
        let days: i64 = row
            .attr("data-days")
            .await
            .ok()
            .flatten()
            .and_then(|d| d.parse().ok())
            .expect("days");
        assert!((1..=30).contains(&days), "{days}");
        assert_accessible(&client, "follow-up lists").await;
        crate::main_path::shot(&client, "supervisor_lists").await;
    });
}
