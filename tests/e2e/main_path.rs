//! The counter's main path in the built app, with the real parts: people
//! apply through ehr-central's real online form, their virtual cards go
//! into vpcd's reader through a private pcscd, documents arrive in the
//! scanner folder, and the service is stopped and started again for the
//! offline cases. One app run at one registration centre (the scenarios
//! share the enrolled data folder), a screenshot of each final screen.
//!
//! Scenarios, in order: an adult's own online application activated from a
//! card read; a parent (SDM) activating their child's application found by
//! the reference typed as a scanner types it; an authorised person
//! activating; a walk-in adult; a walk-in child by a parent; a name that
//! differs, signed off by a supervisor; an expired application turned into
//! a walk-in; an activation done offline that syncs later; an offline
//! walk-in whose person had a pending application, settled once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ehr_tests::central::Central;
use ehr_tests::harness::{run_with, screenshot_path, wait_for, wait_for_text};
use ehr_tests::pcscd::Pcscd;
use ehr_tests::vcard::{InsertedCard, PersonFile};
use fantoccini::{Client, Locator};

use crate::ui::{assert_accessible, click, type_keys, ENTER};

pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// A Hong Kong number of `doc` type with a valid check digit, from a letter
/// and six digits (the normalised form, without brackets).
pub(crate) fn number(doc: ehr_domain::DocumentType, head: &str) -> String {
    for c in "0123456789A".chars() {
        if let Ok(n) = ehr_domain::DocumentNumber::parse(doc, &format!("{head}{c}")) {
            return n.normalized().to_owned();
        }
    }
    panic!("no check digit for {head}")
}

/// A person for the online form and for a card.
#[derive(Clone)]
pub(crate) struct Person {
    pub(crate) doc_type: &'static str,
    pub(crate) number: String,
    pub(crate) surname: &'static str,
    pub(crate) given: &'static str,
    /// `YYYY-MM-DD`.
    pub(crate) dob: &'static str,
    pub(crate) sex: char,
}

impl Person {
    pub(crate) fn adult(
        head: &str,
        surname: &'static str,
        given: &'static str,
        dob: &'static str,
    ) -> Person {
        Person {
            doc_type: "hkic",
            number: number(ehr_domain::DocumentType::Hkic, head),
            surname,
            given,
            dob,
            sex: 'M',
        }
    }

    pub(crate) fn child(
        head: &str,
        surname: &'static str,
        given: &'static str,
        dob: &'static str,
    ) -> Person {
        Person {
            doc_type: "hk_birth_certificate",
            number: number(ehr_domain::DocumentType::HkBirthCertificate, head),
            surname,
            given,
            dob,
            sex: 'F',
        }
    }

    pub(crate) fn card(&self) -> PersonFile {
        let json = serde_json::json!({
            "generation": "gen2018",
            "document_number": self.number,
            "english_name": format!("{}, {}", self.surname, self.given),
            "chinese_ccc": [],
            "date_of_birth": self.dob.replace('-', ""),
            "sex": self.sex.to_string(),
            "date_of_issue": "20190301",
        });
        PersonFile::from_json(&json.to_string()).expect("card")
    }

    pub(crate) fn masked_prefix(&self) -> String {
        self.number[..4].to_owned()
    }

    /// The form's fields for this person as the patient (`prefix` ""), or
    /// as the applicant (`prefix` "applicant_").
    fn form(&self, prefix: &str) -> Vec<(String, String)> {
        vec![
            (format!("{prefix}document_type"), self.doc_type.to_owned()),
            (format!("{prefix}document_number"), self.number.clone()),
            (format!("{prefix}surname"), self.surname.to_owned()),
            (format!("{prefix}given_names"), self.given.to_owned()),
            (format!("{prefix}date_of_birth"), self.dob.to_owned()),
        ]
    }
}

/// Apply online for `patient` (by themself, or through `applicant` with
/// `role`); the reference from the confirmation.
pub(crate) fn apply(
    central: &Central,
    patient: &Person,
    role: &str,
    applicant: Option<&Person>,
) -> String {
    let mut fields = patient.form("");
    fields.extend([
        (
            "sex".to_owned(),
            if patient.sex == 'M' { "male" } else { "female" }.to_owned(),
        ),
        ("capacity".to_owned(), "capable".to_owned()),
        ("role".to_owned(), role.to_owned()),
        ("channel".to_owned(), "sms".to_owned()),
        ("notice_lang".to_owned(), "zh".to_owned()),
        ("address".to_owned(), "91234567".to_owned()),
        ("declare".to_owned(), "yes".to_owned()),
    ]);
    if role == "sdm" {
        fields.push(("relationship".to_owned(), "parent".to_owned()));
    }
    if let Some(a) = applicant {
        fields.extend(a.form("applicant_"));
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    central.apply_online(&borrowed).expect("online form")
}

pub(crate) async fn attr(client: &Client, css: &str, name: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(e) => e.attr(name).await.ok().flatten().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Wait until the task pane is at `stage`.
pub(crate) async fn stage(client: &Client, want: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let now = attr(client, "[data-testid=task]", "data-stage").await;
        if now == want {
            return;
        }
        if std::time::Instant::now() > deadline {
            let needs = attr(client, "[data-testid=task]", "data-kind").await;
            let text = client.find(Locator::Css("[data-testid=task]")).await.ok();
            let text = match text {
                Some(e) => e.text().await.unwrap_or_default(),
                None => String::new(),
            };
            panic!("the task never reached {want} (at {now:?}, kind {needs}): {text}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The codes of what is still needed, as `field:code`.
pub(crate) async fn needs(client: &Client) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(items) = client.find_all(Locator::Css("[data-testid=need]")).await {
        for i in items {
            let f = i
                .attr("data-field")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            let c = i.attr("data-code").await.ok().flatten().unwrap_or_default();
            out.push(format!("{f}:{c}"));
        }
    }
    out
}

/// Wait until nothing is still needed but what `allowed` lists.
pub(crate) async fn needs_only(client: &Client, allowed: &[&str]) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let n = needs(client).await;
        if n.iter().all(|x| allowed.iter().any(|a| x.starts_with(a))) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "still needed: {n:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A screenshot of the screen as it is now, the task's outcome at the top.
pub(crate) async fn shot(client: &Client, name: &str) {
    let _ = client
        .execute(
            "const e = document.querySelector('[data-testid=task-done]'); if (e) e.scrollIntoView({block: 'start'}); return true;",
            vec![],
        )
        .await;
    // Bounded: a still screen may paint no new frame (see the harness).
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        client.execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true))); setTimeout(() => done(true), 500);",
            vec![],
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    if let Ok(Ok(png)) = tokio::time::timeout(Duration::from_secs(10), client.screenshot()).await {
        let path = screenshot_path(name);
        if let Some(d) = path.parent() {
            let _ = std::fs::create_dir_all(d);
        }
        let _ = std::fs::write(path, png);
    }
}

/// Tick the checkbox `testid` once the pane is quiet, and again until it is
/// ticked. Live validation moves the form as answers come back (an error
/// line under a field goes): a click aimed before that lands elsewhere.
pub(crate) async fn tick(client: &Client, testid: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        settled(client).await;
        let ticked = match client
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
        {
            Ok(e) => e.is_selected().await.unwrap_or(false),
            Err(_) => false,
        };
        if ticked {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{testid} never ticked"
        );
        click(client, &format!("[data-testid={testid}]")).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Nothing left to ask: submitted, the slip shown, a screenshot of the done
/// screen, then the task finished.
pub(crate) async fn submit_and_finish(client: &Client, name: &str) {
    needs_only(client, &[]).await;
    settled(client).await;
    click(client, "[data-testid=task-submit]").await;
    stage(client, "done").await;
    wait_for(client, Locator::Css("[data-testid=task-done]"), WAIT).await;
    shot(client, name).await;
    click(client, "[data-testid=task-finish]").await;
    let deadline = std::time::Instant::now() + WAIT;
    while client
        .find(Locator::Css("[data-testid=task][data-stage=done]"))
        .await
        .is_ok()
    {
        assert!(std::time::Instant::now() < deadline, "the task stayed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The declaration given (and the contact left as applied), submitted; the
/// slip shown. A screenshot of the done screen, then the task finished.
async fn declare_submit_and_finish(client: &Client, name: &str) {
    tick(client, "form-declaration").await;
    submit_and_finish(client, name).await;
}

/// A page-like PNG dropped in the scanner folder, taken in the capture
/// dialog the button `button` opens, and kept.
pub(crate) async fn capture(client: &Client, scans: &Path, button: &str, name: &str) {
    click(client, &format!("[data-testid={button}]")).await;
    let png = crate::ui::page_png(900, 600);
    std::fs::write(scans.join(name), &png).expect("scan");
    let take = wait_for(client, Locator::Css("[data-testid=scan-file]"), WAIT).await;
    take.click().await.expect("take the scan");
    wait_for(client, Locator::Css("[data-testid=capture-size]"), WAIT).await;
    click(client, "[data-testid=capture-keep]").await;
}

/// Take the card out, and wait until pcscd has noticed (the next card
/// must arrive as a new one).
pub(crate) fn out(card: InsertedCard) {
    card.remove();
    Pcscd::wait_empty(0, WAIT).expect("the reader empties");
}

/// Insert `person`'s card; the task looks them up at once.
pub(crate) async fn insert(client: &Client, reader: &str, person: &Person) -> InsertedCard {
    let card = InsertedCard::insert(reader, &person.card()).expect("insert");
    let n = wait_for_text(
        client,
        Locator::Css("[data-testid=card-identity-number]"),
        WAIT,
        |t| !t.is_empty(),
    )
    .await;
    assert!(n.starts_with(&person.masked_prefix()), "{n}");
    stage(client, "found").await;
    card
}

fn scans_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("ehr-e2e-main-path-scans-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scans");
    d
}

#[test]
fn the_main_path_from_card_to_slip_online_and_offline() {
    let central = Central::start("e2e-main-path").expect("ehr-central");
    let pcscd = Pcscd::start().expect("pcscd");
    let reader0 = pcscd.reader_addr(0);
    let scans = scans_dir();

    // People who applied online.
    let own = Person::adult("P100001", "CHAN", "SIU WAI", "1975-03-04");
    let parent = Person::adult("P100002", "LAM", "MEI YEE", "1984-06-07");
    let child = Person::child("Q100003", "LAM", "KA KI", "2017-09-10");
    let patient_ap = Person::adult("P100004", "HO", "WING SZE", "1950-01-02");
    let authorised = Person::adult("P100005", "HO", "CHI KEUNG", "1979-11-12");
    let differs = Person::adult("P100006", "WONG", "TAI MAN", "1968-02-03");
    let expired = Person::adult("P100007", "LEE", "KWOK WAH", "1959-05-06");
    let offline_act = Person::adult("P100008", "TSE", "HOI YAN", "1991-07-08");
    let offline_walk = Person::adult("P100009", "NG", "KAM FAI", "1988-09-10");
    // People who did not.
    let walk_adult = Person::adult("P100010", "YEUNG", "PAK LAM", "1970-10-11");
    let walk_parent = Person::adult("P100011", "CHOI", "YUK LAN", "1986-12-01");
    let walk_child = Person::child("Q100012", "CHOI", "HIU TUNG", "2019-01-15");

    let r_own = apply(&central, &own, "self", None);
    let r_sdm = apply(&central, &child, "sdm", Some(&parent));
    let r_ap = apply(
        &central,
        &patient_ap,
        "authorised_person",
        Some(&authorised),
    );
    let r_differs = apply(&central, &differs, "self", None);
    let r_expired = apply(&central, &expired, "self", None);
    central
        .backdate_application(&r_expired, 200)
        .expect("backdate");
    let r_offline = apply(&central, &offline_act, "self", None);
    let r_walk = apply(&central, &offline_walk, "self", None);

    let (clerk, supervisor) = (central.clerk.clone(), central.supervisor.clone());
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
        ("EHR_SCAN_FOLDER".to_owned(), scans.display().to_string()),
    ];
    let (to_test, from_test) = std::sync::mpsc::channel::<&'static str>();
    let (to_central, from_central) = std::sync::mpsc::channel::<()>();
    // The service is stopped and started from this thread when the test
    // asks (the app sees its loopback port refuse, then answer).
    let service = std::thread::spawn(move || {
        let mut central = central;
        while let Ok(what) = from_test.recv() {
            match what {
                "stop" => central.stop(),
                _ => central.serve().expect("serve again"),
            }
            let _ = to_central.send(());
        }
        central
    });
    let from_central = std::sync::Mutex::new(from_central);
    let ask = std::sync::Arc::new(move |what: &'static str| {
        to_test.send(what).expect("service thread");
        from_central
            .lock()
            .expect("service channel")
            .recv_timeout(Duration::from_secs(30))
            .expect("service thread answered");
    });

    let people = (
        own.clone(),
        parent.clone(),
        child.clone(),
        authorised.clone(),
        patient_ap.clone(),
        differs.clone(),
        expired.clone(),
        offline_act.clone(),
        offline_walk.clone(),
        walk_adult.clone(),
        walk_parent.clone(),
        walk_child.clone(),
    );
    let refs = (
        r_own.clone(),
        r_sdm.clone(),
        r_ap.clone(),
        r_differs.clone(),
        r_expired.clone(),
        r_offline.clone(),
        r_walk.clone(),
    );
    let scan_dir = scans.clone();
    run_with("main_path", env, move |client, _env| async move {
        let (
            own,
            parent,
            child,
            authorised,
            patient_ap,
            differs,
            expired,
            offline_act,
            offline_walk,
            walk_adult,
            walk_parent,
            walk_child,
        ) = people;
        let (r_own, r_sdm, r_ap, r_differs, r_expired, r_offline, r_walk) = refs;
        crate::ui::sign_in(&client, &clerk.0, &clerk.1).await;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=reader-status]"),
            WAIT,
            |t| t.contains("Ready"),
        )
        .await;

        // 1. The card of a person with a pending online application: found
        //    at once, no click; every field the same; activated; a slip.
        let card = insert(&client, &reader0, &own).await;
        let row = wait_for(&client, Locator::Css("[data-testid=application-row]"), WAIT).await;
        assert_eq!(
            row.attr("data-reference").await.ok().flatten().as_deref(),
            Some(r_own.as_str())
        );
        assert_accessible(&client, "look-up found an application").await;
        click(&client, "[data-testid=choose-application]").await;
        stage(&client, "compare").await;
        let rows = client
            .find_all(Locator::Css("[data-testid=field-row]"))
            .await
            .expect("rows");
        for r in &rows {
            let res = r
                .attr("data-result")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            assert!(res == "same" || res == "missing", "{res}");
        }
        assert_accessible(&client, "activation comparison").await;
        click(&client, "[data-testid=task-next]").await;
        stage(&client, "details").await;
        assert_accessible(&client, "activation details").await;
        declare_submit_and_finish(&client, "main_path_1_activation").await;
        out(card);

        // 1b. The same person again, once synced: their record, its state
        //     and consents, instead of a registration form.
        wait_for_text(
            &client,
            Locator::Css("[data-testid=sync-queued]"),
            WAIT,
            |t| t.contains("Nothing waiting"),
        )
        .await;
        let card = insert(&client, &reader0, &own).await;
        let record = wait_for(&client, Locator::Css("[data-testid=record-row]"), WAIT).await;
        assert_eq!(
            record.attr("data-state").await.ok().flatten().as_deref(),
            Some("effective")
        );
        let consents = client
            .find_all(Locator::Css("[data-testid=consent-row][data-kind=public]"))
            .await
            .expect("consents");
        assert!(!consents.is_empty(), "public providers hold consent");
        assert!(client
            .find(Locator::Css("[data-testid=start-walk-in]"))
            .await
            .is_err());
        shot(&client, "main_path_1b_existing_record").await;
        click(&client, "[data-testid=finish-task]").await;
        out(card);

        // 2. A parent activates their child's application: the parent's
        //    card is read, the application found by the reference typed as
        //    a scanner types it (lower case, then Enter), the child's
        //    document keyed from the copy, and the copy captured.
        let card = insert(&client, &reader0, &parent).await;
        let typed = r_sdm.to_lowercase();
        on_behalf(&client, &scan_dir, &typed, &r_sdm, &child, "copy_0001.png").await;
        declare_submit_and_finish(&client, "main_path_2_sdm_activation").await;
        out(card);

        // 3. An authorised person activates for the applicant.
        let card = insert(&client, &reader0, &authorised).await;
        on_behalf(
            &client,
            &scan_dir,
            &r_ap,
            &r_ap,
            &patient_ap,
            "copy_0002.png",
        )
        .await;
        declare_submit_and_finish(&client, "main_path_3_authorised_person").await;
        out(card);

        // 4. A walk-in adult: nothing found, the form prefilled from the card.
        let card = insert(&client, &reader0, &walk_adult).await;
        assert!(client
            .find(Locator::Css("[data-testid=application-row]"))
            .await
            .is_err());
        click(&client, "[data-testid=start-walk-in]").await;
        stage(&client, "details").await;
        type_address(&client, "61234567").await;
        assert_accessible(&client, "walk-in form").await;
        declare_submit_and_finish(&client, "main_path_4_walk_in_adult").await;
        out(card);

        // 5. A walk-in child by a parent: the parent's card, the child keyed
        //    from the birth certificate; the form says what is still
        //    needed (the copy), then it registers.
        let card = insert(&client, &reader0, &walk_parent).await;
        click(&client, "[data-testid=start-walk-in]").await;
        stage(&client, "details").await;
        select(&client, "form-role", "sdm").await;
        select(&client, "form-relationship", "parent").await;
        key_person(&client, "patient-manual", &walk_child).await;
        let deadline = std::time::Instant::now() + WAIT;
        while !needs(&client)
            .await
            .iter()
            .any(|n| n.starts_with("patient_document_copy_image"))
        {
            assert!(
                std::time::Instant::now() < deadline,
                "{:?}",
                needs(&client).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        capture(&client, &scan_dir, "capture-patient-copy", "copy_0003.png").await;
        type_address(&client, "61234568").await;
        declare_submit_and_finish(&client, "main_path_5_walk_in_child").await;
        out(card);

        // 6. A name that differs from the application: highlighted, and a
        //    supervisor signs off with their own credential.
        let mut shown = differs.clone();
        shown.given = "TAI WAI";
        let card = insert(&client, &reader0, &shown).await;
        click(&client, "[data-testid=choose-application]").await;
        stage(&client, "compare").await;
        let name_row = wait_for(
            &client,
            Locator::Css("[data-testid=field-row][data-field=english_name]"),
            WAIT,
        )
        .await;
        assert_eq!(
            name_row.attr("data-result").await.ok().flatten().as_deref(),
            Some("different")
        );
        click(&client, "[data-testid=open-sign-off]").await;
        let staff = wait_for(&client, Locator::Css("[data-testid=sign-off-staff]"), WAIT).await;
        staff.send_keys(&supervisor.0).await.expect("type");
        client
            .find(Locator::Css("[data-testid=sign-off-password]"))
            .await
            .expect("password")
            .send_keys(&supervisor.1)
            .await
            .expect("type");
        client
            .find(Locator::Css("[data-testid=sign-off-reason]"))
            .await
            .expect("reason")
            .send_keys(&format!("Given name as on the card{ENTER}"))
            .await
            .expect("type");
        wait_for(&client, Locator::Css("[data-testid=signed-off]"), WAIT).await;
        click(&client, "[data-testid=task-next]").await;
        stage(&client, "details").await;
        declare_submit_and_finish(&client, "main_path_6_supervisor_sign_off").await;
        out(card);

        // 7. An expired application cannot be activated: a walk-in prefilled
        //    from it instead.
        let card = insert(&client, &reader0, &expired).await;
        let row = wait_for(
            &client,
            Locator::Css(&format!(
                "[data-testid=application-row][data-reference='{r_expired}']"
            )),
            WAIT,
        )
        .await;
        assert_eq!(
            row.attr("data-state").await.ok().flatten().as_deref(),
            Some("expired")
        );
        click(&client, "[data-testid=start-walk-in]").await;
        stage(&client, "details").await;
        type_address(&client, "61234569").await;
        declare_submit_and_finish(&client, "main_path_7_expired_to_walk_in").await;
        out(card);

        // 8. Looked up while online; the network goes; activated from the
        //    counter's cache; synced when the service is back.
        let card = insert(&client, &reader0, &offline_act).await;
        out(card);
        click(&client, "[data-testid=finish-task]").await;
        let ask2 = ask.clone();
        tokio::task::spawn_blocking(move || ask2("stop"))
            .await
            .expect("stop");
        let card = insert(&client, &reader0, &offline_act).await;
        wait_for(&client, Locator::Css("[data-testid=lookup-offline]"), WAIT).await;
        click(&client, "[data-testid=choose-application]").await;
        stage(&client, "compare").await;
        click(&client, "[data-testid=task-next]").await;
        stage(&client, "details").await;
        declare_submit_and_finish(&client, "main_path_8_offline_activation").await;
        out(card);

        // 9. Still offline: a walk-in of a person who had applied (this
        //    counter never looked them up).
        let card = insert(&client, &reader0, &offline_walk).await;
        wait_for(&client, Locator::Css("[data-testid=lookup-offline]"), WAIT).await;
        click(&client, "[data-testid=start-walk-in]").await;
        stage(&client, "details").await;
        type_address(&client, "61234570").await;
        declare_submit_and_finish(&client, "main_path_9_offline_walk_in").await;
        out(card);
        let ask3 = ask.clone();
        tokio::task::spawn_blocking(move || ask3("serve"))
            .await
            .expect("serve");
        // The queue drains by itself once the service answers.
        wait_for_text(
            &client,
            Locator::Css("[data-testid=sync-queued]"),
            Duration::from_secs(120),
            |t| t.contains("Nothing waiting"),
        )
        .await;
        let _ = (r_offline, r_walk, r_differs);
    });
    let central = service.join().expect("service thread");

    // What the service holds: every application settled exactly once.
    for r in [&r_own, &r_sdm, &r_ap, &r_differs, &r_offline, &r_walk] {
        assert_eq!(
            central.application_state(r).expect("state"),
            "activated",
            "{r}"
        );
        assert_eq!(
            central.records_settling(r).expect("records").len(),
            1,
            "{r}"
        );
    }
    assert_eq!(
        central.application_state(&r_expired).expect("state"),
        "pending"
    );
    let flags = central.records_settling(&r_walk).expect("records");
    assert!(
        flags[0].contains("settlement.by_in_person_registration"),
        "{flags:?}"
    );
    let differs_flags = central.records_settling(&r_differs).expect("records");
    assert!(
        differs_flags[0].contains("activation.fields_differ_signed_off"),
        "{differs_flags:?}"
    );
    for p in [&walk_adult, &walk_child, &expired] {
        assert_eq!(
            central
                .records_for_document(p.doc_type, &p.number)
                .expect("records"),
            1,
            "{}",
            p.masked_prefix()
        );
    }
    let _ = std::fs::remove_dir_all(&scans);
}

/// An SDM or authorised person attends (their card is in the reader): the
/// application found by the reference as `typed`, the patient's document
/// keyed from the copy, the copy captured from the scanner folder, every
/// field the same; on to the details.
async fn on_behalf(
    client: &Client,
    scans: &Path,
    typed: &str,
    reference: &str,
    patient: &Person,
    scan: &str,
) {
    let field = wait_for(client, Locator::Css("[data-testid=lookup-reference]"), WAIT).await;
    field.click().await.expect("focus");
    type_keys(client, &format!("{typed}{ENTER}")).await;
    click(
        client,
        &format!(
            "[data-testid=application-row][data-reference='{reference}'] [data-testid=choose-application]"
        ),
    )
    .await;
    stage(client, "compare").await;
    key_person(client, "patient-manual", patient).await;
    capture(client, scans, "capture-patient-copy", scan).await;
    wait_until_field_rows_same(client).await;
    click(client, "[data-testid=task-next]").await;
    stage(client, "details").await;
}

/// Type a new mobile number into the form's address, and wait until the
/// task has taken it (the address is no longer asked for).
pub(crate) async fn type_address(client: &Client, number: &str) {
    // Centred first: below the fold, the status bar would take the click.
    click(client, "[data-testid=form-address]").await;
    type_keys(client, number).await;
    let deadline = std::time::Instant::now() + WAIT;
    while needs(client)
        .await
        .iter()
        .any(|n| n.starts_with("notification.address"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the address was not taken"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait until the task pane has had no call on its way for a moment.
pub(crate) async fn settled(client: &Client) {
    let deadline = std::time::Instant::now() + WAIT;
    let mut quiet = 0;
    while quiet < 3 {
        if attr(client, "[data-testid=task]", "aria-busy").await == "false" {
            quiet += 1;
        } else {
            quiet = 0;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the task pane stayed busy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Choose `value` in the select `testid`.
pub(crate) async fn select(client: &Client, testid: &str, value: &str) {
    click(
        client,
        &format!("[data-testid={testid}] option[value='{value}']"),
    )
    .await;
}

/// Key `person`'s document in the manual form `testid` and submit it.
pub(crate) async fn key_person(client: &Client, testid: &str, person: &Person) {
    let form = wait_for(
        client,
        Locator::Css(&format!("[data-testid={testid}]")),
        WAIT,
    )
    .await;
    form.find(Locator::Css(&format!(
        "select[name=document_type] option[value='{}']",
        person.doc_type
    )))
    .await
    .expect("document type")
    .click()
    .await
    .expect("choose");
    let dob = {
        let p: Vec<&str> = person.dob.split('-').collect();
        format!("{}/{}/{}", p[2], p[1], p[0])
    };
    for (name, value) in [
        ("document_number", person.number.as_str()),
        ("surname", person.surname),
        ("given_names", person.given),
        ("date_of_birth", dob.as_str()),
        ("sex", if person.sex == 'M' { "M" } else { "F" }),
    ] {
        let input = form
            .find(Locator::Css(&format!("[name={name}]")))
            .await
            .unwrap_or_else(|_| panic!("{testid} {name}"));
        into_view(client, &input).await;
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
    }
    let submit = form
        .find(Locator::Css(&format!("[data-testid={testid}-submit]")))
        .await
        .expect("submit");
    into_view(client, &submit).await;
    submit.click().await.expect("click");
}

/// Scroll `el` to the middle of the window (the status bar covers the
/// bottom edge).
pub(crate) async fn into_view(client: &Client, el: &fantoccini::elements::Element) {
    let arg = serde_json::to_value(el).expect("element");
    let _ = client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'}); return true;",
            vec![arg],
        )
        .await;
}

/// Wait until every compared field is the same (or absent on both sides).
async fn wait_until_field_rows_same(client: &Client) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let mut all = true;
        let rows = client
            .find_all(Locator::Css("[data-testid=field-row]"))
            .await
            .unwrap_or_default();
        for r in &rows {
            let res = r
                .attr("data-result")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if res != "same" && res != "missing" {
                all = false;
            }
        }
        if all && !rows.is_empty() {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "fields differ");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
