//! The card-reading bench: 200 inserts of the virtual card through pcscd.
//!
//! For each insert it measures, in one run:
//! - **insert → present**: from the virtual card connecting to vpcd until
//!   the reader thread learns of the card (pcscd's own detection, which the
//!   app does not control);
//! - **present → available**: from the reader thread learning of the card
//!   until the checked identity is in the app crate's view;
//! - **the floor**: the raw exchange of the same APDUs (connect, SELECT,
//!   READ BINARY, disconnect) on the same card, with no parsing or checks.
//!
//! Run: `cargo run --release -p ehr-tests --bin card-bench -- [--inserts N] [--write docs/benchmarks.md]`

use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use ehr_app::{App, Config};
use ehr_card::profile::{read_sfi_command, select_command};
use ehr_card_pcsc::MonitorOptions;
use ehr_protocol::card::ReaderStatus;
use ehr_tests::bench::{arg, ms, pct, write_section};
use ehr_tests::pcscd::{Pcscd, READERS};
use ehr_tests::vcard::{sample_person, InsertedCard};

/// The raw exchange: connect, the profile's two APDUs, disconnect.
fn raw_exchange(ctx: &pcsc::Context, reader: &std::ffi::CStr, apdus: &[Vec<u8>]) -> Duration {
    let t = Instant::now();
    let card = ctx
        .connect(reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
        .expect("connect");
    let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
    for a in apdus {
        card.transmit(a, &mut buf).expect("transmit");
    }
    let _ = card.disconnect(pcsc::Disposition::LeaveCard);
    t.elapsed()
}

fn main() -> Result<(), String> {
    let inserts: usize = arg("--inserts")
        .map(|s| s.parse().map_err(|_| "--inserts takes a number".to_owned()))
        .transpose()?
        .unwrap_or(200);
    let write = arg("--write");

    let person = sample_person(ehr_card::profile::CardGeneration::Gen2018);
    let pcscd = Pcscd::start()?;
    let app = App::new(Config::from_lookup(|_| None));
    let (tx, rx) = channel();
    app.start_card_reader_with(MonitorOptions::default(), move |u| {
        let _ = tx.send(u.clone());
    })
    .map_err(|e| format!("{e:?}"))?;
    let wait = |pred: &dyn Fn(&ehr_app::card::CardUpdate) -> bool| -> Result<ehr_app::card::CardUpdate, String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let u = rx.recv_timeout(left).map_err(|_| "no update within 15 s".to_owned())?;
            if pred(&u) {
                return Ok(u);
            }
        }
    };
    wait(&|u| u.view.readers.len() == 2)?;

    let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(|e| e.to_string())?;
    let reader = std::ffi::CString::new(READERS[0]).map_err(|e| e.to_string())?;
    let apdus = vec![
        select_command().encode().map_err(|e| format!("{e:?}"))?,
        read_sfi_command(256)
            .encode()
            .map_err(|e| format!("{e:?}"))?,
    ];

    let (mut present, mut available, mut floor) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..inserts {
        let inserted_at = Instant::now();
        let card =
            InsertedCard::insert(&pcscd.reader_addr(0), &person).map_err(|e| e.to_string())?;
        let u = wait(&|u| u.present_to_available.is_some())?;
        if u.view.status != ReaderStatus::Read {
            return Err(format!("a read failed: {:?}", u.view.problem));
        }
        let p2a = u.present_to_available.unwrap_or_default();
        // The reader thread stamps "present" when pcscd reports it; the
        // update arrives p2a later, so present = now - p2a - inserted_at.
        let now = Instant::now();
        present.push(
            now.saturating_duration_since(inserted_at)
                .saturating_sub(p2a),
        );
        available.push(p2a);
        floor.push(raw_exchange(&ctx, &reader, &apdus));
        card.remove();
        wait(&|u| u.view.status == ReaderStatus::Waiting && u.view.identity.is_none())?;
    }
    app.stop_card_reader();
    for v in [&mut present, &mut available, &mut floor] {
        v.sort();
    }
    let ratio = pct(&available, 0.95).as_secs_f64() / pct(&floor, 0.95).as_secs_f64().max(1e-9);
    let table = format!(
        "## Card reading\n\n\
Measured by `cargo run --release -p ehr-tests --bin card-bench -- --inserts {inserts} --write docs/benchmarks.md`: \
{inserts} inserts of the virtual card (vpcd) through a private pcscd, the app crate's reader thread reading each.\n\n\
| measurement | p50 | p95 | goal |\n|---|---|---|---|\n\
| card present → identity available in the app crate | {} | {} | ≤ 50 ms at p95, ≤ 2× the floor |\n\
| floor: raw exchange of the same APDUs (connect, SELECT, READ BINARY) | {} | {} | |\n\
| insert → present (pcscd's own detection, not the app's) | {} | {} | |\n\n\
p95 ratio to the floor: {ratio:.2}×.\n",
        ms(pct(&available, 0.5)),
        ms(pct(&available, 0.95)),
        ms(pct(&floor, 0.5)),
        ms(pct(&floor, 0.95)),
        ms(pct(&present, 0.5)),
        ms(pct(&present, 0.95)),
    );
    print!("{table}");
    if let Some(path) = write {
        write_section(&path, "## Card reading", &table)?;
    }
    Ok(())
}
