//! The reader thread ([`ehr_card_pcsc::Monitor`]) through the real stack:
//! events for insert, read, removal, swap, two readers, cancel, timeout,
//! refused cards, and a pcscd that stops and comes back.

use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use ehr_card_pcsc::{Monitor, MonitorOptions, ReaderEvent};
use ehr_tests::pcscd::{Pcscd, READERS};
use ehr_tests::vcard::InsertedCard;

use super::person;

const WAIT: Duration = Duration::from_secs(15);

fn spawn(read_timeout: Duration) -> (Monitor, Receiver<ReaderEvent>) {
    let (tx, rx) = channel();
    let opts = MonitorOptions {
        read_timeout,
        poll: Duration::from_millis(100),
        max_backoff: Duration::from_millis(300),
        ..MonitorOptions::default()
    };
    let m = Monitor::spawn(opts, move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    (m, rx)
}

/// The next event that `pick` accepts; the ones before it are returned too.
fn until<T>(
    rx: &Receiver<ReaderEvent>,
    what: &str,
    mut pick: impl FnMut(&ReaderEvent) -> Option<T>,
) -> (T, Vec<ReaderEvent>) {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(e) => {
                if let Some(t) = pick(&e) {
                    return (t, seen);
                }
                seen.push(e);
            }
            Err(_) => panic!("no {what} within {WAIT:?}; saw {seen:?}"),
        }
    }
}

fn readers_listed(rx: &Receiver<ReaderEvent>) -> Vec<String> {
    until(rx, "reader list", |e| match e {
        ReaderEvent::Readers(r) if r.len() == 2 => Some(r.clone()),
        _ => None,
    })
    .0
}

/// The result of the next read in `reader`: the masked number or the code.
fn next_read(rx: &Receiver<ReaderEvent>, reader: &str) -> Result<String, &'static str> {
    until(rx, "read", |e| match e {
        ReaderEvent::Read {
            reader: r, result, ..
        } if r == reader => Some(
            result
                .as_ref()
                .map(|id| format!("{} {}", id.document.masked(), id.english_name_printed))
                .map_err(|c| *c),
        ),
        _ => None,
    })
    .0
}

fn removed(rx: &Receiver<ReaderEvent>, reader: &str) {
    until(rx, "removal", |e| match e {
        ReaderEvent::CardRemoved { reader: r } if r == reader => Some(()),
        _ => None,
    });
}

#[test]
fn insert_read_remove_and_swap_are_events() {
    let pcscd = Pcscd::start().unwrap();
    let (_m, rx) = spawn(Duration::from_secs(5));
    assert_eq!(readers_listed(&rx), READERS);
    let a = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("A1234563", "CHAN, Tai Man", ""),
    )
    .unwrap();
    let (present, _) = until(&rx, "card present", |e| match e {
        ReaderEvent::CardPresent { reader, .. } => Some(reader.clone()),
        _ => None,
    });
    assert_eq!(present, READERS[0]);
    assert_eq!(
        next_read(&rx, READERS[0]),
        Ok("A123***(3) CHAN, Tai Man".into())
    );
    a.remove();
    removed(&rx, READERS[0]);
    // A swap: the next person, whose read must not show the first.
    let _b = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("Z6837108", "WONG, Siu Ming", ""),
    )
    .unwrap();
    assert_eq!(
        next_read(&rx, READERS[0]),
        Ok("Z683***(8) WONG, Siu Ming".into())
    );
}

#[test]
fn two_readers_are_followed_at_once() {
    let pcscd = Pcscd::start().unwrap();
    let (_m, rx) = spawn(Duration::from_secs(5));
    readers_listed(&rx);
    let _a = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("A1234563", "CHAN, Tai Man", ""),
    )
    .unwrap();
    let _b = InsertedCard::insert(
        &pcscd.reader_addr(1),
        &person("Z6837108", "WONG, Siu Ming", ""),
    )
    .unwrap();
    // The two reads come in either order.
    let mut got: Vec<(String, Result<String, &str>)> = (0..2)
        .map(|_| {
            until(&rx, "read", |e| match e {
                ReaderEvent::Read { reader, result, .. } => Some((
                    reader.clone(),
                    result
                        .as_ref()
                        .map(|id| id.document.masked())
                        .map_err(|c| *c),
                )),
                _ => None,
            })
            .0
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (READERS[0].to_owned(), Ok("A123***(3)".to_owned())),
            (READERS[1].to_owned(), Ok("Z683***(8)".to_owned())),
        ]
    );
}

#[test]
fn refused_and_slow_cards_get_their_own_codes() {
    let pcscd = Pcscd::start().unwrap();
    let addr = pcscd.reader_addr(0);
    // A generous limit, so only the card decides how each read ends, however
    // loaded the machine is.
    let (m, rx) = spawn(Duration::from_secs(30));
    readers_listed(&rx);
    let cases: [(&str, &str); 3] = [
        ("old", "card.old_generation"),
        (r#","raw_ef_hex":"70 03 80 01""#, "card.malformed"),
        ("", "card.invalid_data"),
    ];
    for (extra, code) in cases {
        // The last case: a number whose check digit is wrong.
        let doc = if code == "card.invalid_data" {
            "A1234567"
        } else {
            "A1234563"
        };
        let mut p = person(
            doc,
            "CHAN, Tai Man",
            if extra == "old" { "" } else { extra },
        );
        if extra == "old" {
            p.record.generation = ehr_card::profile::CardGeneration::Gen2003;
        }
        let card = InsertedCard::insert(&addr, &p).unwrap();
        assert_eq!(next_read(&rx, READERS[0]), Err(code), "{extra}");
        card.remove();
        removed(&rx, READERS[0]);
    }
    // A read can be cancelled (the clerk finished the task, or the app
    // closes). The limit is far away and the card slow, so the cancel, sent
    // in answer to `CardPresent`, is what ends the read.
    let slow = person("A1234563", "CHAN, Tai Man", r#","read_delay_ms":3000"#);
    let card = InsertedCard::insert(&addr, &slow).unwrap();
    until(&rx, "card present", |e| {
        matches!(e, ReaderEvent::CardPresent { .. }).then_some(())
    });
    m.cancel_read();
    assert_eq!(next_read(&rx, READERS[0]), Err("card.cancelled"));
    card.remove();
    removed(&rx, READERS[0]);
    drop(m);
    // A card slower than the limit: the read gives up with its own code.
    let (_m, rx) = spawn(Duration::from_millis(300));
    readers_listed(&rx);
    let slower = person("A1234563", "CHAN, Tai Man", r#","read_delay_ms":3000"#);
    let _card = InsertedCard::insert(&addr, &slower).unwrap();
    assert_eq!(next_read(&rx, READERS[0]), Err("card.timeout"));
}

#[test]
fn no_service_then_pcscd_comes_back() {
    let mut pcscd = Pcscd::start().unwrap();
    pcscd.stop();
    let (m, rx) = spawn(Duration::from_secs(5));
    until(&rx, "no service", |e| {
        matches!(e, ReaderEvent::NoService).then_some(())
    });
    pcscd.restart().unwrap();
    readers_listed(&rx);
    let card = InsertedCard::insert(
        &pcscd.reader_addr(0),
        &person("A1234563", "CHAN, Tai Man", ""),
    )
    .unwrap();
    assert_eq!(
        next_read(&rx, READERS[0]),
        Ok("A123***(3) CHAN, Tai Man".into())
    );
    // The service goes away with a card in: the card is reported gone, then
    // the service, and both come back with the restart.
    pcscd.stop();
    removed(&rx, READERS[0]);
    until(&rx, "no service", |e| {
        matches!(e, ReaderEvent::NoService).then_some(())
    });
    drop(card);
    pcscd.restart().unwrap();
    readers_listed(&rx);
    let _again = InsertedCard::insert(
        &pcscd.reader_addr(1),
        &person("Z6837108", "WONG, Siu Ming", ""),
    )
    .unwrap();
    assert_eq!(
        next_read(&rx, READERS[1]),
        Ok("Z683***(8) WONG, Siu Ming".into())
    );
    let t = Instant::now();
    m.stop();
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "stop took {:?}",
        t.elapsed()
    );
}
