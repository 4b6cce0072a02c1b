//! `ehrctl card`: the card readers as the counter sees them.
//!
//! A person's identity is shown only to a signed-in staff member, as in the
//! app: `card read` needs `--staff-code` (password from
//! `EHR_STAFF_PASSWORD`, else standard input) and signs in at the central
//! service first; `card watch` leaves identities out without one. Identity
//! output is the same `IdentityView` the identity pane shows, so the
//! document number is masked; `--reveal` adds the full number, after an
//! `id.reveal` audit event is recorded (locally, and queued for the central
//! service), and says so on standard error. Cards are read through this
//! counter's identity source (IDEAS when `EHR_IDEAS_ENDPOINT` is set).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Subcommand;
use ehr_app::App;
use ehr_card::identity::Cancel;
use ehr_card_pcsc::{MonitorOptions, ReaderEvent};
use ehr_protocol::card::{CardCode, CardProblem};
use ehr_protocol::{ErrorBody, ErrorCode};
use serde_json::json;

use crate::queue;

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// List the card readers the PC/SC service reports.
    Readers {
        /// Print JSON instead of one reader a line.
        #[arg(long)]
        json: bool,
    },
    /// Read the card in a reader and print the identity as JSON (number
    /// masked). Needs a staff sign-in: password from EHR_STAFF_PASSWORD,
    /// else standard input.
    Read {
        /// The staff member reading the card (signs in at the central service).
        #[arg(long)]
        staff_code: Option<String>,
        /// The reader (default: the first reader that holds a card, else the first reader).
        #[arg(long)]
        reader: Option<String>,
        /// Seconds to wait for a card and read it.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Also print the full document number (audited as `id.reveal`; said on stderr).
        #[arg(long)]
        reveal: bool,
    },
    /// Print reader and card events as JSON lines until stopped. Identities
    /// are left out unless a staff member signs in (--staff-code).
    Watch {
        /// The staff member watching (signs in; then read events carry the
        /// identity, number masked).
        #[arg(long)]
        staff_code: Option<String>,
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
            staff_code,
            reader,
            timeout,
            reveal,
        } => {
            let Some(timeout) = secs(*timeout) else {
                eprintln!("--timeout must be a number of seconds between 0 and 86400");
                return ExitCode::from(2);
            };
            let Some(staff_code) = staff_code else {
                return sign_in_required();
            };
            read(staff_code, reader.as_deref(), timeout, *reveal)
        }
        CardCommand::Watch {
            staff_code,
            count,
            seconds,
        } => {
            let app = App::new(ehr_app::Config::from_env());
            if let Some(code) = staff_code {
                if let Err(exit) = queue::sign_in(&app, code) {
                    return exit;
                }
            } else {
                eprintln!("note: identities are left out; give --staff-code to see them");
            }
            watch(&app, *count, seconds.and_then(secs))
        }
    }
}

/// The refusal of `card read` without a staff code: exit 2 (usage).
fn sign_in_required() -> ExitCode {
    let e = ErrorBody::new(ErrorCode::AuthSignInRequired).on_field("staff_code");
    eprintln!(
        "{}",
        json!({
            "error": e.code.as_str(),
            "field": e.field,
            "message_en": e.message_en,
            "message_zh": e.message_zh,
            "hint": "ehrctl card read shows a person's identity to a signed-in staff member only: give --staff-code, and the password in EHR_STAFF_PASSWORD or on standard input.",
        })
    );
    ExitCode::from(2)
}

fn read(staff_code: &str, reader: Option<&str>, timeout: Duration, reveal: bool) -> ExitCode {
    let app = App::new(ehr_app::Config::from_env());
    if let Err(exit) = queue::sign_in(&app, staff_code) {
        return exit;
    }
    let reader = match reader {
        Some(r) => r.to_owned(),
        None => match default_reader() {
            Ok(r) => r,
            Err(code) => return fail(code),
        },
    };
    let id = match app.read_identity(&reader, timeout, &Cancel::new()) {
        Ok(id) => id,
        Err(e) => return fail(e.code()),
    };
    let view = ehr_app::card::identity_view(&id);
    let mut v = serde_json::to_value(&view).unwrap_or_default();
    if reveal {
        // Audited first; no audit, no number.
        match audit_reveal(&app, &view.document_masked) {
            Ok(sent) => eprintln!(
                "note: the full document number is shown (--reveal), audited as id.reveal under {staff_code}{}",
                if sent {
                    " and sent to the central service"
                } else {
                    "; the audit event is queued for the central service"
                }
            ),
            Err(e) => return queue::fail(&e),
        }
        v["document_number"] = json!(id.document.display());
    }
    println!("{v}");
    ExitCode::SUCCESS
}

/// Record the reveal: a local audit row and an audit event in the outbox,
/// sent from here when no app holds the outbox (else the running app sends
/// it). Whether it reached the central service.
fn audit_reveal(app: &App, masked: &str) -> Result<bool, ErrorBody> {
    let syncing = match app.open_store() {
        Ok(()) => true,
        Err(e) if e.code == ErrorCode::StoreInUse => {
            app.open_store_without_sync()?;
            false
        }
        Err(e) => return Err(e),
    };
    app.audit_reveal(masked)?;
    if !syncing {
        return Ok(false);
    }
    app.sync_now();
    Ok(app
        .wait_until_drained(Duration::from_secs(10))
        .unwrap_or(false))
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

fn event_json(e: &ReaderEvent, show_identity: bool) -> serde_json::Value {
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
                "identity": show_identity.then(|| ehr_app::card::identity_view(id)),
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

fn watch(app: &App, count: Option<usize>, limit: Option<Duration>) -> ExitCode {
    let (tx, rx) = std::sync::mpsc::channel();
    let show_identity = app.signed_in();
    let options = MonitorOptions {
        source: ehr_app::card::shared_source(app.config()),
        ..MonitorOptions::default()
    };
    let monitor = match ehr_card_pcsc::Monitor::spawn(options, move |e| {
        let _ = tx.send(event_json(&e, show_identity));
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
