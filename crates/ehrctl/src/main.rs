//! `ehrctl`: the support CLI for eHR Counter.
//!
//! Every subcommand is a thin front end over `ehr-app` (or the pure crates it
//! uses), so what a field engineer sees here is what the desktop app does.
//!
//! Exit status: 0 success, 1 the command ran and found a problem (for
//! example an invalid number), 2 a usage error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod capture;
mod card;
mod config;
mod doctor;
mod eligibility;
mod enrol;
mod follow_up;
mod id;
mod queue;
mod slip;
mod support;

/// eHR Counter support CLI.
#[derive(Debug, Parser)]
#[command(name = "ehrctl", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report version, data folder, PC/SC service and readers, and the central URL.
    Doctor(doctor::Args),
    /// What the helpdesk needs: `support bundle`.
    Support {
        #[command(subcommand)]
        command: support::SupportCommand,
    },
    /// The configuration files: check them, and what is in force.
    Config {
        #[command(subcommand)]
        command: config::ConfigCommand,
    },
    /// Enrol this counter with a central service and its one-time code
    /// (prints the site; the machine key is kept, never printed).
    Enrol(enrol::Args),
    /// Identity document numbers: check one as the counter does.
    Id {
        #[command(subcommand)]
        command: id::IdCommand,
    },
    /// Card readers: list them, read a card, watch events.
    Card {
        #[command(subcommand)]
        command: card::CardCommand,
    },
    /// Decide who may register a patient (self or which SDM), and what is still needed.
    Eligibility(eligibility::Args),
    /// The outbox: what waits for the central service, and retrying it.
    Queue {
        #[command(subcommand)]
        command: queue::QueueCommand,
    },
    /// The tamper-evident audit chain: verify it, list its events.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// The encrypted local store.
    Db {
        #[command(subcommand)]
        command: queue::DbCommand,
    },
    /// Document images: run the capture pipeline on a file.
    Capture {
        #[command(subcommand)]
        command: capture::CaptureCommand,
    },
    /// Acknowledgement slips: render a sample to check fonts and PDF output.
    Slip {
        #[command(subcommand)]
        command: slip::SlipCommand,
    },
    /// Follow-up lists: the birth hospital's newborn records still waiting
    /// for the birth certificate; for supervisors, applications about to
    /// expire and children turning 16 (needs a staff sign-in).
    FollowUp {
        #[command(subcommand)]
        command: follow_up::FollowUpCommand,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version itself; both are successes.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Structured logs beside the app's (no personal data).
    ehr_app::logs::init(&ehr_app::Config::from_env(), "ehrctl");
    match cli.command {
        Command::Config { command } => config::run(&command),
        Command::Support { command } => support::run(&command),
        Command::Doctor(args) => {
            let app = ehr_app::App::new(ehr_app::Config::from_env());
            doctor::run(&app, &args)
        }
        Command::Enrol(args) => enrol::run(&args),
        Command::Id { command } => id::run(&command),
        Command::Card { command } => card::run(&command),
        Command::Eligibility(args) => eligibility::run(&args),
        Command::Queue { command } => queue::run(&command),
        Command::Audit { command } => audit::run(&command),
        Command::Db { command } => queue::run_db(&command),
        Command::Capture { command } => capture::run(&command),
        Command::Slip { command } => slip::run(&command),
        Command::FollowUp { command } => follow_up::run(&command),
    }
}
