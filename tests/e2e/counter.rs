//! A clerk signs in at a real ehr-central, then works the identity panes:
//! the smart card on the left (virtual card through pcscd), manual entry on
//! the right, and nothing of one person left on screen after their card or
//! task.

use ehr_card::profile::CardGeneration;
use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, wait_for, wait_for_text};
use ehr_tests::pcscd::Pcscd;
use ehr_tests::vcard::{sample_person, InsertedCard};
use fantoccini::Locator;

use crate::ui::{assert_accessible, click, fill, type_keys, wait_for_focus, ENTER, TAB, WAIT};

#[test]
fn clerk_signs_in_and_reads_a_card_and_keys_a_document() {
    let central = Central::start("counter").expect("ehr-central");
    let pcscd = Pcscd::start().expect("pcscd");
    let reader0 = pcscd.reader_addr(0);
    let (code, password) = central.clerk.clone();
    let supervisor = central.supervisor.clone();
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
    ];
    run_with(
        "counter_identity_panes",
        env,
        move |client, _env| async move {
            // Keyboard only: the staff code has the focus when the screen
            // opens, Tab goes to the password, Enter submits. A wrong
            // password: the service's own refusal, and the focus back on
            // the password (cleared) for the next try.
            wait_for_focus(&client, "staff-code").await;
            type_keys(&client, &code).await;
            type_keys(&client, TAB).await;
            wait_for_focus(&client, "password").await;
            type_keys(&client, &format!("not-the-password{ENTER}")).await;
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

            wait_for_focus(&client, "password").await;
            type_keys(&client, &format!("{password}{ENTER}")).await;
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
                |t| t.contains("Ready"),
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
            assert_accessible(&client, "counter with a card read").await;

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
            assert!(issue.contains("check digit"), "{issue}");
            let field = client.find(Locator::Id("m-document_number")).await.unwrap();
            assert_eq!(
                field.attr("aria-invalid").await.unwrap().as_deref(),
                Some("true")
            );

            // The language switches in the middle of the half-filled pane:
            // every word changes, nothing typed is lost, and the refusal is
            // still on its field.
            click(&client, "[data-testid=switch-language]").await;
            let issue = wait_for_text(
                &client,
                Locator::Css("[data-testid=issue-document_number]"),
                WAIT,
                |t| t.contains("核對數字"),
            )
            .await;
            assert!(!issue.contains("check digit"), "{issue}");
            assert_accessible(&client, "manual pane with a refused field (zh-HK)").await;
            let status = client
                .find(Locator::Css("[data-testid=reader-status]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(status.contains("準備就緒"), "{status}");
            for (id, typed) in [
                ("m-document_number", "A1234567"),
                ("m-surname", "Chan"),
                ("m-given_names", "Tai Man"),
                ("m-date_of_birth", "15/01/1980"),
                ("m-sex", "M"),
            ] {
                let value = client
                    .find(Locator::Id(id))
                    .await
                    .unwrap()
                    .prop("value")
                    .await
                    .unwrap();
                assert_eq!(value.as_deref(), Some(typed), "{id} kept across the switch");
            }
            let lang = client
                .execute("return document.documentElement.lang", vec![])
                .await
                .unwrap();
            assert_eq!(lang.as_str(), Some("zh-Hant-HK"));
            click(&client, "[data-testid=switch-language]").await;
            wait_for_text(
                &client,
                Locator::Css("[data-testid=issue-document_number]"),
                WAIT,
                |t| t.contains("check digit"),
            )
            .await;

            // Locking (Ctrl+L, as the idle lock does after the policy's
            // minutes): nothing of the person stays in the page, neither
            // the card read nor the half-filled manual pane.
            // A card is inserted while the screen is locked: it reaches
            // neither the page nor the audit until the clerk unlocks.
            type_keys(&client, "\u{E009}l\u{E000}").await; // Ctrl+L
            wait_for_focus(&client, "unlock-password").await;
            let again = InsertedCard::insert(&reader0, &sample_person(CardGeneration::Gen2018))
                .expect("insert");
            // (The read takes well under a second; give it that time.)
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            let page = client.source().await.unwrap();
            for personal in [
                "A123***(3)",
                "CHAN",
                "Tai Man",
                "陳大文",
                "A1234567",
                "15/01/1980",
            ] {
                assert!(
                    !page.contains(personal),
                    "{personal} is still in the locked page"
                );
            }
            assert_accessible(&client, "lock screen").await;
            // A wrong password keeps it locked, and says why.
            type_keys(&client, &format!("not-the-password{ENTER}")).await;
            let refused = wait_for_text(&client, Locator::Css("#unlock-error"), WAIT, |t| {
                !t.is_empty()
            })
            .await;
            assert!(refused.contains("password"), "{refused}");
            assert!(client
                .find(Locator::Css("[data-testid=card-pane]"))
                .await
                .is_err());
            // The same clerk's password gives the task back as it was.
            wait_for_focus(&client, "unlock-password").await;
            type_keys(&client, &format!("{password}{ENTER}")).await;
            wait_for_text(
                &client,
                Locator::Css("[data-testid=card-identity-number]"),
                WAIT,
                |t| t == "A123***(3)",
            )
            .await;
            for (id, typed) in [("m-document_number", "A1234567"), ("m-surname", "Chan")] {
                let value = client
                    .find(Locator::Id(id))
                    .await
                    .unwrap()
                    .prop("value")
                    .await
                    .unwrap();
                assert_eq!(value.as_deref(), Some(typed), "{id} kept across the lock");
            }
            again.remove();
            wait_for_text(
                &client,
                Locator::Css("[data-testid=card-pane]"),
                WAIT,
                |t| t.contains("Insert the card"),
            )
            .await;

            // As a barcode scanner types it: fast, ending with Enter, which
            // submits from the field itself.
            fill(&client, "m-document_number", "a123456 (3)").await;
            type_keys(&client, ENTER).await;
            let number = wait_for_text(
                &client,
                Locator::Css("[data-testid=manual-identity-number]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert_eq!(number, "A123***(3)");
            assert_accessible(&client, "manual pane with a checked identity").await;

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

            // The clerk changes their own password: a slip in the repeat is
            // caught on the spot; then the new one is the one that works.
            click(&client, "[data-testid=open-change-password]").await;
            wait_for_focus(&client, "pw-old").await;
            let new_password = "counter-e2e-new-pw";
            fill(&client, "pw-old", &password).await;
            fill(&client, "pw-new", new_password).await;
            fill(&client, "pw-confirm", "counter-e2e-other").await;
            click(&client, "[data-testid=password-submit]").await;
            wait_for(&client, Locator::Css("#pw-mismatch"), WAIT).await;
            assert_accessible(&client, "change password with a refused field").await;
            fill(&client, "pw-confirm", new_password).await;
            click(&client, "[data-testid=password-submit]").await;
            wait_for(
                &client,
                Locator::Css("[data-testid=password-changed]"),
                WAIT,
            )
            .await;
            click(&client, "[data-testid=sign-out]").await;
            wait_for_focus(&client, "staff-code").await;
            type_keys(&client, &code).await;
            type_keys(&client, TAB).await;
            type_keys(&client, &format!("{new_password}{ENTER}")).await;
            let who = wait_for_text(
                &client,
                Locator::Css("[data-testid=staff-code]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert_eq!(who, code);

            // Somebody else takes the counter from the locked screen: the
            // first clerk's session ends and their half-done task goes.
            fill(&client, "m-surname", "Chan").await;
            type_keys(&client, "\u{E009}l\u{E000}").await; // Ctrl+L
            click(&client, "[data-testid=switch-user]").await;
            wait_for_focus(&client, "staff-code").await;
            type_keys(&client, &supervisor.0).await;
            type_keys(&client, TAB).await;
            type_keys(&client, &format!("{}{ENTER}", supervisor.1)).await;
            let who = wait_for_text(
                &client,
                Locator::Css("[data-testid=staff-code]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            assert_eq!(who, supervisor.0);
            let surname = client
                .find(Locator::Id("m-surname"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap();
            assert_eq!(
                surname.as_deref(),
                Some(""),
                "the first clerk's task is gone"
            );
        },
    ); // The service and pcscd lived through the whole test.
    drop(pcscd);
    drop(central);
}
