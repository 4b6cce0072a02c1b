//! `ehrctl eligibility`: who may register a patient, as the counter decides
//! it, printed as one JSON object (the decision, the age and the SDM tier).
//!
//! Exit status: 0 allowed (possibly with items still needed, listed in
//! `still_needed`), 1 refused, 2 usage error.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use ehr_domain::eligibility::{
    decide, Applicant, Capacity, Channel, EligibilityRequest, Provided, SdmRelationship,
};
use ehr_domain::{Date, DateOfBirth};

/// Who applies.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Role {
    /// The patient, for themselves.
    #[value(name = "self")]
    SelfApplicant,
    /// A substitute decision maker (give --relationship).
    Sdm,
}

/// Through which channel.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ChannelArg {
    Counter,
    Online,
    Paper,
}

/// Options of `ehrctl eligibility`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The patient's date of birth (YYYY-MM-DD, DD/MM/YYYY, MM/YYYY or YYYY).
    #[arg(long, value_parser = crate::id::parse_dob)]
    dob: DateOfBirth,
    /// The day of the transaction (YYYY-MM-DD or DD/MM/YYYY); default today in Hong Kong.
    #[arg(long, value_parser = parse_date)]
    on: Option<Date>,
    /// capable, or incapable:<ground> with ground one of mentally_incapacitated,
    /// unable_to_manage_affairs, unable_to_give_joining_consent, unable_to_give_sharing_consent.
    #[arg(long, value_parser = parse_capacity, default_value = "capable")]
    capacity: Capacity,
    /// Who applies.
    #[arg(long, value_enum)]
    role: Role,
    /// The SDM's relationship: parent, guardian, dsw_or_mho_guardian, court_appointee,
    /// family_member, residing_with, healthcare_provider.
    #[arg(long, value_parser = parse_relationship)]
    relationship: Option<SdmRelationship>,
    /// How the application arrives.
    #[arg(long, value_enum, default_value = "counter")]
    channel: ChannelArg,
    /// The clerk has declared that no higher-tier SDM exists.
    #[arg(long)]
    declared_no_higher_tier: bool,
    /// The SDM's supporting document image has been captured.
    #[arg(long)]
    supporting_document: bool,
    /// The image of a copy of the patient's identity document has been captured.
    #[arg(long)]
    patient_document_copy: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| e.message().message_en)
}

fn parse_capacity(s: &str) -> Result<Capacity, String> {
    Capacity::parse(s).ok_or_else(|| {
        "use capable, or incapable:<ground> with ground one of mentally_incapacitated, \
         unable_to_manage_affairs, unable_to_give_joining_consent, unable_to_give_sharing_consent"
            .to_owned()
    })
}

fn parse_relationship(s: &str) -> Result<SdmRelationship, String> {
    SdmRelationship::from_code(s).ok_or_else(|| {
        let codes: Vec<&str> = SdmRelationship::ALL.iter().map(|r| r.code()).collect();
        format!("unknown relationship; use one of: {}", codes.join(", "))
    })
}

/// Today in Hong Kong (UTC+8, no daylight saving), from the system clock.
fn today_in_hong_kong() -> Option<Date> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    let days = (secs + 8 * 3600) / 86_400;
    Date::from_days_since_epoch(i64::try_from(days).ok()?).ok()
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

pub fn run(args: &Args) -> ExitCode {
    let applicant = match (args.role, args.relationship) {
        (Role::SelfApplicant, None) => Applicant::SelfApplicant,
        (Role::SelfApplicant, Some(_)) => {
            return usage("--relationship is for --role sdm only");
        }
        (Role::Sdm, Some(relationship)) => Applicant::Sdm { relationship },
        (Role::Sdm, None) => return usage("--role sdm needs --relationship"),
    };
    let Some(on) = args.on.or_else(today_in_hong_kong) else {
        return usage("cannot read today's date from the system clock; give --on");
    };
    let req = EligibilityRequest {
        date_of_birth: args.dob,
        on,
        capacity: args.capacity,
        applicant,
        channel: match args.channel {
            ChannelArg::Counter => Channel::Counter,
            ChannelArg::Online => Channel::Online,
            ChannelArg::Paper => Channel::Paper,
        },
        provided: Provided {
            no_higher_tier_declared: args.declared_no_higher_tier,
            supporting_document_captured: args.supporting_document,
            patient_document_copy_captured: args.patient_document_copy,
        },
    };
    let out = decide(&req);
    match serde_json::to_string_pretty(&out) {
        Ok(s) => println!("{s}"),
        Err(_) => return ExitCode::from(1),
    }
    if out.decision.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
