//! `ehrctl card`: the card readers as the counter sees them.
//!
//! Identity output is the same [`IdentityView`] the identity pane shows, so
//! the document number is masked; `--reveal` adds the full number for a
//! field engineer checking a card, and says so on standard error.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Subcommand;
use ehr_card::identity::{Cancel, IdentitySource};
use ehr_card_pcsc::{MonitorOptions, PcscSource, ReaderEvent};
use ehr_protocol::card::{CardCode, CardProblem};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// List the card readers the PC/SC service reports.
    Readers {
        /// Print JSON instead of one reader a line.
        #[arg(long)]
        json: bool,
    },
    /// Read the card in a reader and print the identity as JSON (number masked).
    Read {
        /// The reader (default: the first reader that holds a card, else the first reader).
        #[arg(long)]
        reader: Option<String>,
        /// Seconds to wait for a card and read it.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Also print the full document number (for checking a card; shown on stderr as revealed).
        #[arg(long)]
        reveal: bool,
    },
    /// Print reader and card events as JSON lines until stopped.
    Watch {
        /// Stop after this many events.
        #[arg(long)]
        count: Option<usize>,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<f64>,
    },
}

fn problem(code: &str) -> serde_json::Value {
    let p = CardProblem::new(CardCode::from_wire(code));
    json!({"error": p.code.as_str(), "message_en": p.message_en, "message_zh": p.message_zh})
}

fn fail(code: &str) -> ExitCode {
    eprintln!("{}", problem(code));
    ExitCode::from(1)
}

fn secs(s: f64) -> Option<Duration> {
    (s.is_finite() && (0.0..86_400.0).contains(&s)).then(|| Duration::from_secs_f64(s))
}

pub fn run(cmd: &CardCommand) -> ExitCode {
    match cmd {
        CardCommand::Readers { json } => match ehr_card_pcsc::list_readers() {
            Ok(names) => {
                if *json {
                    println!("{}", json!({ "readers": names }));
                } else if names.is_empty() {
                    eprintln!("no card reader is connected");
                } else {
                    for n in names {
                        println!("{n}");
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e.code()),
        },
        CardCommand::Read {
            reader,
            timeout,
            reveal,
        } => {
            let Some(timeout) = secs(*timeout) else {
                eprintln!("--timeout must be a number of seconds between 0 and 86400");
                return ExitCode::from(2);
            };
            let reader = match reader {
                Some(r) => r.clone(),
                None => match default_reader() {
                    Ok(r) => r,
                    Err(code) => return fail(code),
                },
            };
            match PcscSource::new().read_identity(&reader, timeout, &Cancel::new()) {
                Ok(id) => {
                    let mut v =
                        serde_json::to_value(ehr_app::card::identity_view(&id)).unwrap_or_default();
                    if *reveal {
                        eprintln!("note: the full document number is shown (--reveal)");
                        v["document_number"] = json!(id.document.display());
                    }
                    println!("{v}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e.code()),
            }
        }
        CardCommand::Watch { count, seconds } => watch(*count, seconds.and_then(secs)),
    }
}

/// The first reader holding a card, else the first reader.
fn default_reader() -> Result<String, &'static str> {
    let names = ehr_card_pcsc::list_readers().map_err(|e| e.code())?;
    let first = names.first().cloned().ok_or("pcsc.no_reader")?;
    let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(|_| "pcsc.no_service")?;
    for n in &names {
        if ehr_card_pcsc::wait_for_card(&ctx, n, Duration::ZERO).is_ok() {
            return Ok(n.clone());
        }
    }
    Ok(first)
}

fn event_json(e: &ReaderEvent) -> serde_json::Value {
    match e {
        ReaderEvent::NoService => json!({"event": "no_service"}),
        ReaderEvent::Readers(r) => json!({"event": "readers", "readers": r}),
        ReaderEvent::CardPresent { reader, .. } => {
            json!({"event": "card_present", "reader": reader})
        }
        ReaderEvent::CardRemoved { reader } => json!({"event": "card_removed", "reader": reader}),
        ReaderEvent::Read {
            reader,
            result,
            present_at,
            apdus,
        } => match result {
            Ok(id) => json!({
                "event": "read",
                "reader": reader,
                "identity": ehr_app::card::identity_view(id),
                "apdus": apdus,
                "ms": present_at.elapsed().as_secs_f64() * 1000.0,
            }),
            Err(code) => {
                let mut v = problem(code);
                v["event"] = json!("read_failed");
                v["reader"] = json!(reader);
                v
            }
        },
    }
}

fn watch(count: Option<usize>, limit: Option<Duration>) -> ExitCode {
    let (tx, rx) = std::sync::mpsc::channel();
    let monitor = match ehr_card_pcsc::Monitor::spawn(MonitorOptions::default(), move |e| {
        let _ = tx.send(event_json(&e));
    }) {
        Ok(m) => m,
        Err(_) => return fail("pcsc.service_error"),
    };
    let start = Instant::now();
    let mut seen = 0usize;
    loop {
        if count.is_some_and(|c| seen >= c) {
            break;
        }
        let wait = match limit {
            Some(l) => match l.checked_sub(start.elapsed()) {
                Some(left) => left,
                None => break,
            },
            None => Duration::from_secs(3600),
        };
        match rx.recv_timeout(wait) {
            Ok(line) => {
                println!("{line}");
                seen += 1;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    monitor.stop();
    ExitCode::SUCCESS
}
