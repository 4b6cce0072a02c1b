//! `ehrctl doctor`.

use std::process::ExitCode;

/// Options of `ehrctl doctor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(app: &ehr_app::App, args: &Args) -> ExitCode {
    let r = app.doctor();
    // Whether CUPS keeps printed slips (personal data) in its spool: its
    // default keeps them a day; counters set PreserveJobFiles No.
    let spool = ehr_print::Cups::system().preserves_job_files();
    if args.json {
        let Ok(mut v) = serde_json::to_value(&r) else {
            return ExitCode::from(1);
        };
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "print_spool".to_owned(),
                serde_json::json!({
                    "preserves_job_files": spool.as_ref().ok(),
                    "error": spool.as_ref().err().map(|e| e.code()),
                }),
            );
        }
        match serde_json::to_string_pretty(&v) {
            Ok(s) => println!("{s}"),
            Err(_) => return ExitCode::from(1),
        }
        return ExitCode::SUCCESS;
    }
    let mark = |ok: bool| if ok { "ok  " } else { "FAIL" };
    println!("eHR Counter {}", r.version);
    println!(
        "[{}] data folder   {}",
        mark(r.data_dir_writable),
        r.data_dir
    );
    if let Some(e) = &r.data_dir_error {
        println!("       cannot write it: {e}");
    }
    if r.pcsc.reachable {
        println!(
            "[ok  ] PC/SC service reachable, {} reader(s)",
            r.pcsc.readers.len()
        );
        for reader in &r.pcsc.readers {
            println!("       - {reader}");
        }
    } else {
        println!(
            "[FAIL] PC/SC service not reachable ({}): is pcscd running?",
            r.pcsc.error.as_deref().unwrap_or("unknown")
        );
    }
    match &r.config_error {
        None => println!("[ok  ] configuration {}", r.config_file),
        Some(e) => println!("[FAIL] configuration file cannot be used: {e}"),
    }
    use ehr_protocol::ipc::CentralUrlSource as Src;
    let from = match r.central_url_source {
        Src::Environment => "from EHR_CENTRAL_URL".to_owned(),
        Src::ConfigFile => format!("from {}", r.config_file),
        Src::Enrolment => "from the enrolment".to_owned(),
        Src::None => String::new(),
    };
    match (&r.central_url, r.central_url_error) {
        (Some(url), None) => println!("[ok  ] central service {url} ({from})"),
        (Some(url), Some(code)) => {
            let (en, _) = code.messages();
            println!("[FAIL] central service {url} ({from}) cannot be used ({code}): {en}");
        }
        (None, _) => println!(
            "[FAIL] central service not configured (enrol with `ehrctl enrol`, or set central_url in {} or EHR_CENTRAL_URL)",
            r.config_file
        ),
    }
    match (r.enrolled, &r.counter_id, &r.site_code) {
        _ if r.revoked => println!(
            "[FAIL] counter revoked by the central service: enrol it again (`ehrctl enrol`)"
        ),
        (true, Some(id), Some(site)) => println!("[ok  ] counter {id} at site {site}"),
        (true, _, _) => println!("[ok  ] counter has a machine key or certificate"),
        (false, _, _) => {
            println!("[FAIL] counter not enrolled (`ehrctl enrol --central URL --code CODE`)")
        }
    }
    if r.mode_mismatch {
        println!(
            "[FAIL] the data folder was enrolled {}: training and real registrations never share a folder (nobody signs in, nothing syncs)",
            if r.training_mode { "for production, and this is the training app" } else { "for training, and this is the production app" }
        );
    }
    match (&r.identity_source_error, &r.ideas_endpoint) {
        (None, _) => println!("[ok  ] identity source {}", r.identity_source),
        (Some(code), Some(endpoint)) => println!(
            "[FAIL] identity source {} ({endpoint}) refuses every read ({code}): this build has no IDEAS transport; clerks key details in by hand",
            r.identity_source
        ),
        (Some(code), None) => println!(
            "[FAIL] identity source {} refuses every read ({code})",
            r.identity_source
        ),
    }
    match &spool {
        Ok(false) => println!("[ok  ] printing: CUPS deletes each printed slip from its spool"),
        Ok(true) => println!(
            "[FAIL] printing: CUPS keeps printed slips (personal data) in its spool after printing (its default keeps them a day): run `sudo cupsctl PreserveJobFiles=No`"
        ),
        Err(e) => println!(
            "[FAIL] printing: cannot tell whether CUPS keeps printed slips ({}): {e}",
            e.code()
        ),
    }
    if r.training_mode {
        println!("[note] training mode: virtual card and demo data only");
    }
    ExitCode::SUCCESS
}
