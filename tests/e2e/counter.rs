//! A clerk signs in at a real ehr-central, then works the identity panes:
//! the smart card on the left (virtual card through pcscd), manual entry on
//! the right, and nothing of one person left on screen after their card or
//! task.

use ehr_card::profile::CardGeneration;
use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for_text};
use ehr_tests::pcscd::Pcscd;
use ehr_tests::vcard::{sample_person, InsertedCard};
use fantoccini::Locator;

use crate::ui::{click, fill, sign_in, WAIT};

#[test]
fn clerk_signs_in_and_reads_a_card_and_keys_a_document() {
    let central = Central::start("counter").expect("ehr-central");
    let pcscd = Pcscd::start().expect("pcscd");
    let reader0 = pcscd.reader_addr(0);
    let (code, password) = central.clerk.clone();
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
    ];
    run_with(
        "counter_identity_panes",
        env,
        move |client, _env| async move {
            // A wrong password: the service's own refusal, in both languages.
            sign_in(&client, &code, "not-the-password").await;
            let alert = wait_for_text(
                &client,
                Locator::Css("[role=alert][data-code]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            let el = client
                .find(Locator::Css("[role=alert][data-code]"))
                .await
                .unwrap();
            assert_eq!(
                el.attr("data-code").await.unwrap().as_deref(),
                Some("auth.invalid_credentials"),
                "{alert}"
            );

            sign_in(&client, &code, &password).await;
            let who = wait_for_text(
                &client,
                Locator::Css("[data-testid=staff-code]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert_eq!(who, code);
            wait_for_text(
                &client,
                Locator::Css("[data-testid=reader-status]"),
                WAIT,
                |t| t.contains("Ready") && t.contains("準備就緒"),
            )
            .await;

            // A card: the left pane fills, number masked.
            let card = InsertedCard::insert(&reader0, &sample_person(CardGeneration::Gen2018))
                .expect("insert");
            let number = wait_for_text(
                &client,
                Locator::Css("[data-testid=card-identity-number]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert_eq!(number, "A123***(3)");
            let name = client
                .find(Locator::Css("[data-testid=card-identity-name]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(name, "CHAN, Tai Man");
            let chinese = client
                .find(Locator::Css("[data-testid=card-identity-chinese]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                chinese.contains("陳大文") && chinese.contains("7115 1129 2429"),
                "{chinese}"
            );
            assert!(!client.source().await.unwrap().contains("A1234563"));

            // Taking the card out clears the pane.
            card.remove();
            wait_for_text(
                &client,
                Locator::Css("[data-testid=card-pane]"),
                WAIT,
                |t| t.contains("Insert the card"),
            )
            .await;
            assert!(client
                .find(Locator::Css("[data-testid=card-identity]"))
                .await
                .is_err());

            // A 2003-generation card is refused with what to do instead.
            let old = InsertedCard::insert(&reader0, &sample_person(CardGeneration::Gen2003))
                .expect("insert");
            let problem = wait_for_text(
                &client,
                Locator::Css("[data-testid=card-problem]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert!(
                problem.contains("2003") && problem.contains("by hand"),
                "{problem}"
            );
            assert!(problem.contains("2003年款"), "{problem}");
            old.remove();

            // Manual entry: a wrong check digit is named on its field.
            fill(&client, "m-document_number", "A1234567").await;
            fill(&client, "m-surname", "Chan").await;
            fill(&client, "m-given_names", "Tai Man").await;
            fill(&client, "m-date_of_birth", "15/01/1980").await;
            fill(&client, "m-sex", "M").await;
            click(&client, "[data-testid=manual-check]").await;
            let issue = wait_for_text(
                &client,
                Locator::Css("[data-testid=issue-document_number]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert!(
                issue.contains("check digit") && issue.contains("核對數字"),
                "{issue}"
            );
            let field = client.find(Locator::Id("m-document_number")).await.unwrap();
            assert_eq!(
                field.attr("aria-invalid").await.unwrap().as_deref(),
                Some("true")
            );

            fill(&client, "m-document_number", "a123456 (3)").await;
            click(&client, "[data-testid=manual-check]").await;
            let number = wait_for_text(
                &client,
                Locator::Css("[data-testid=manual-identity-number]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert_eq!(number, "A123***(3)");

            // Finishing the task clears both panes.
            click(&client, "[data-testid=finish-task]").await;
            wait_for_text(
                &client,
                Locator::Css("[data-testid=manual-pane]"),
                WAIT,
                |t| !t.contains("A123***(3)"),
            )
            .await;
            let value = client
                .find(Locator::Id("m-document_number"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap();
            assert_eq!(value.as_deref(), Some(""));
        },
    ); // The service and pcscd lived through the whole test.
    drop(pcscd);
    drop(central);
}
