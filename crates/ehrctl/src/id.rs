//! `ehrctl id check <doc-type> <number>`: validate a document number the way
//! the counter does, and print one JSON object.
//!
//! - Valid: `{"valid":true,"doc_type":…,"normalized":…,"display":…,"masked":…,"check":…}`, exit 0.
//! - Invalid: `{"valid":false,"doc_type":…,"error":{"code":…,"message_en":…,"message_zh":…}}`, exit 1.
//! - A pre-1980 birth certificate number (with `--dob` before 1980) that
//!   fails the check digit: `valid` is false, the number forms are given,
//!   `error` says why and `supervisor_override` what is needed; exit 1.
//! - An unknown document type or a bad `--dob` is a usage error, exit 2.

use std::process::ExitCode;

use ehr_domain::{DateOfBirth, DocumentNumber, DocumentType, IdOutcome};
use serde_json::{json, Value};

/// `ehrctl id` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum IdCommand {
    /// Validate a document number and print its normalised, display and masked forms.
    Check(CheckArgs),
}

/// Options of `ehrctl id check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Document type: hkic, hk_birth_certificate, certificate_of_exemption,
    /// document_of_identity, re_entry_permit, one_way_permit, two_way_permit,
    /// prc_travel_document, foreign_passport, macao_id, adoption_certificate,
    /// recognizance_form.
    #[arg(value_parser = parse_doc_type)]
    doc_type: DocumentType,
    /// The number as typed, for example "A123456(3)".
    number: String,
    /// The holder's date of birth (YYYY-MM-DD, DD/MM/YYYY, MM/YYYY or YYYY);
    /// lets a pre-1980 birth certificate number go to a supervisor.
    #[arg(long, value_parser = parse_dob)]
    dob: Option<DateOfBirth>,
}

fn parse_doc_type(s: &str) -> Result<DocumentType, String> {
    DocumentType::from_code(s).map_err(|_| {
        let codes: Vec<&str> = DocumentType::ALL.iter().map(|t| t.code()).collect();
        format!("unknown document type; use one of: {}", codes.join(", "))
    })
}

pub(crate) fn parse_dob(s: &str) -> Result<DateOfBirth, String> {
    DateOfBirth::parse(s).map_err(|e| e.message().message_en)
}

fn forms(n: &DocumentNumber) -> Value {
    json!({
        "doc_type": n.doc_type(),
        "normalized": n.normalized(),
        "display": n.display(),
        "masked": n.masked(),
        "check": n.check(),
    })
}

pub fn run(cmd: &IdCommand) -> ExitCode {
    let IdCommand::Check(args) = cmd;
    let (mut out, code) = match DocumentNumber::validate(args.doc_type, &args.number, args.dob) {
        Ok(IdOutcome::Valid(n)) => (forms(&n), 0),
        Ok(IdOutcome::NeedsSupervisorOverride {
            number,
            need,
            reason,
        }) => {
            let mut v = forms(&number);
            v["error"] = json!(reason);
            v["supervisor_override"] = json!(need);
            (v, 1)
        }
        Err(e) => (
            json!({ "doc_type": args.doc_type, "error": e.message() }),
            1,
        ),
    };
    out["valid"] = Value::Bool(code == 0);
    match serde_json::to_string_pretty(&out) {
        Ok(s) => println!("{s}"),
        Err(_) => return ExitCode::from(1),
    }
    ExitCode::from(code)
}
