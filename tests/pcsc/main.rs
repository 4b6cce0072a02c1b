//! Card reading through the real stack: pcscd, the vpcd driver, and the
//! virtual card speaking vpcd's protocol over TCP.

// Test support functions outside #[test] fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use ehr_card_pcsc::{read_card, wait_for_card, CardReadError};
use ehr_tests::pcscd::{Pcscd, READERS};
use ehr_tests::vcard::{InsertedCard, PersonFile};

mod monitor;

const WAIT: Duration = Duration::from_secs(10);

pub(crate) fn person(doc: &str, name: &str, extra: &str) -> PersonFile {
    PersonFile::from_json(&format!(
        r#"{{"generation":"gen2018","document_number":"{doc}","english_name":"{name}","chinese_ccc":[7115,1129,2429],"date_of_birth":"19800115","sex":"M","date_of_issue":"20190301"{extra}}}"#
    ))
    .unwrap()
}

fn ctx() -> pcsc::Context {
    pcsc::Context::establish(pcsc::Scope::User).unwrap()
}

/// Wait until the reader is empty again (pcscd polls vpcd).
fn wait_empty(ctx: &pcsc::Context, reader: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        let mut st = [pcsc::ReaderState::new(
            std::ffi::CString::new(reader).unwrap(),
            pcsc::State::UNAWARE,
        )];
        ctx.get_status_change(Duration::from_millis(100), &mut st)
            .unwrap();
        if st[0].event_state().contains(pcsc::State::EMPTY) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{reader} did not become empty");
}

#[test]
fn insert_then_read() {
    let pcscd = Pcscd::start().unwrap();
    let ctx = ctx();
    assert_eq!(
        wait_for_card(&ctx, READERS[0], Duration::from_millis(300)),
        Err(CardReadError::Timeout),
        "empty reader times out"
    );
    let _card = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("A1234563", "CHAN, Tai Man", ""),
    )
    .unwrap();
    wait_for_card(&ctx, READERS[0], WAIT).unwrap();
    let out = read_card(&ctx, READERS[0]).unwrap();
    assert_eq!(out.record.document_number, "A1234563");
    assert_eq!(out.record.english_name, "CHAN, Tai Man");
    assert_eq!(out.record.chinese_ccc, vec![7115, 1129, 2429]);
    assert_eq!(out.apdus, 2);
}

#[test]
fn old_generation_and_malformed_cards_get_their_own_errors() {
    let pcscd = Pcscd::start().unwrap();
    let ctx = ctx();
    let mut old = person("A1234563", "CHAN, Tai Man", "");
    old.record.generation = ehr_card::profile::CardGeneration::Gen2003;
    let card = InsertedCard::insert(&pcscd.reader_addr(0), &old).unwrap();
    wait_for_card(&ctx, READERS[0], WAIT).unwrap();
    assert_eq!(
        read_card(&ctx, READERS[0]).unwrap_err().code(),
        "card.old_generation"
    );
    card.remove();
    wait_empty(&ctx, READERS[0]);

    let bad = person(
        "A1234563",
        "CHAN, Tai Man",
        r#","raw_ef_hex":"70 05 80 03 41 31""#,
    );
    let _card = InsertedCard::insert(&pcscd.reader_addr(0), &bad).unwrap();
    wait_for_card(&ctx, READERS[0], WAIT).unwrap();
    assert_eq!(
        read_card(&ctx, READERS[0]).unwrap_err().code(),
        "card.malformed"
    );
}

#[test]
fn removal_in_the_middle_of_a_read() {
    let pcscd = Pcscd::start().unwrap();
    let ctx = ctx();
    let slow = person("A1234563", "CHAN, Tai Man", r#","read_delay_ms":3000"#);
    let card = InsertedCard::insert(&pcscd.reader_addr(0), &slow).unwrap();
    wait_for_card(&ctx, READERS[0], WAIT).unwrap();
    let reading = std::thread::spawn(|| {
        read_card(
            &pcsc::Context::establish(pcsc::Scope::User).unwrap(),
            READERS[0],
        )
    });
    // Pulled out once the card is answering the READ BINARY, never before
    // the read has started nor after it is done, however loaded the machine.
    let deadline = std::time::Instant::now() + WAIT;
    while card.reads_started() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the read never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    card.remove();
    let err = reading.join().unwrap().unwrap_err();
    assert_eq!(err.code(), "card.removed", "{err:?}");
}

#[test]
fn swapping_cards_reads_the_new_person() {
    let pcscd = Pcscd::start().unwrap();
    let ctx = ctx();
    let a = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("A1234563", "CHAN, Tai Man", ""),
    )
    .unwrap();
    wait_for_card(&ctx, READERS[0], WAIT).unwrap();
    assert_eq!(
        read_card(&ctx, READERS[0]).unwrap().record.english_name,
        "CHAN, Tai Man"
    );
    a.remove();
    wait_empty(&ctx, READERS[0]);
    assert_eq!(
        read_card(&ctx, READERS[0]).unwrap_err().code(),
        "card.absent"
    );
    let _b = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("Z6837107", "WONG, Siu Ming", ""),
    )
    .unwrap();
    wait_for_card(&ctx, READERS[0], WAIT).unwrap();
    let out = read_card(&ctx, READERS[0]).unwrap();
    assert_eq!(
        (
            out.record.document_number.as_str(),
            out.record.english_name.as_str()
        ),
        ("Z6837107", "WONG, Siu Ming")
    );
}

#[test]
fn two_readers_hold_two_cards() {
    let pcscd = Pcscd::start().unwrap();
    let ctx = ctx();
    let _a = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("A1234563", "CHAN, Tai Man", ""),
    )
    .unwrap();
    let _b = InsertedCard::insert(
        &pcscd.reader_addr(1),
        &person("Z6837107", "WONG, Siu Ming", ""),
    )
    .unwrap();
    wait_for_card(&ctx, READERS[0], WAIT).unwrap();
    wait_for_card(&ctx, READERS[1], WAIT).unwrap();
    assert_eq!(
        read_card(&ctx, READERS[0]).unwrap().record.english_name,
        "CHAN, Tai Man"
    );
    assert_eq!(
        read_card(&ctx, READERS[1]).unwrap().record.english_name,
        "WONG, Siu Ming"
    );
    assert_eq!(
        read_card(&ctx, "No Such Reader 00 00").unwrap_err().code(),
        "pcsc.no_reader"
    );
}

#[test]
fn a_pcscd_restart_is_survived_with_a_new_context() {
    let mut pcscd = Pcscd::start().unwrap();
    let old = ctx();
    pcscd.stop();
    let err = read_card(&old, READERS[0]).unwrap_err();
    assert!(
        matches!(err, CardReadError::NoService | CardReadError::NoReader),
        "{err:?}"
    );
    assert!(
        pcsc::Context::establish(pcsc::Scope::User).is_err()
            || ehr_card_pcsc::list_readers().is_err()
    );
    pcscd.restart().unwrap();
    let _card = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("A1234563", "CHAN, Tai Man", ""),
    )
    .unwrap();
    let fresh = ctx();
    wait_for_card(&fresh, READERS[0], WAIT).unwrap();
    assert_eq!(
        read_card(&fresh, READERS[0])
            .unwrap()
            .record
            .document_number,
        "A1234563"
    );
}
