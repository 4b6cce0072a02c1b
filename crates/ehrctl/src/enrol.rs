//! `ehrctl enrol`: a support engineer enrols a counter, as the first-run
//! screen does. Prints who the counter is and where; never the machine key.

use std::process::ExitCode;

use ehr_protocol::ipc::{CounterSiteType, EnrolCounterRequest, EnrolmentView};

/// Options of `ehrctl enrol`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The central service's address (https://…).
    #[arg(long)]
    central: String,
    /// The one-time enrolment code from `ehr-central counter enrol`.
    #[arg(long)]
    code: String,
    /// Print the enrolment as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let app = ehr_app::App::new(ehr_app::Config::from_env());
    let req = EnrolCounterRequest {
        central_url: args.central.clone(),
        enrolment_code: args.code.clone(),
    };
    match app.enrol(&req) {
        Ok(view) => {
            if args.json {
                match serde_json::to_string_pretty(&view) {
                    Ok(s) => println!("{s}"),
                    Err(_) => return ExitCode::from(1),
                }
            } else {
                print_view(&view);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("enrolment failed ({}): {}", e.code, e.message_en);
            ExitCode::from(1)
        }
    }
}

fn print_view(v: &EnrolmentView) {
    println!("enrolled");
    if let (Some(id), Some(name)) = (&v.counter_id, &v.counter_name) {
        println!("  counter       {id} ({name})");
    }
    if let Some(site) = &v.site {
        println!(
            "  site          {} {} / {} ({})",
            site.code,
            site.name_en,
            site.name_zh,
            site_type(site.site_type)
        );
    }
    if let Some(url) = &v.central_url {
        println!("  central       {url} ({:?})", v.central_url_source);
    }
}

fn site_type(t: CounterSiteType) -> &'static str {
    match t {
        CounterSiteType::RegistrationCentre => "registration centre",
        CounterSiteType::RegistrationOffice => "registration office",
        CounterSiteType::PrivateProviderCentre => "private provider registration centre",
        CounterSiteType::BirthHospital => "birth hospital",
        CounterSiteType::MaternalChildHealthCentre => "maternal and child health centre",
    }
}
