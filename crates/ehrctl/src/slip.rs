//! `ehrctl slip sample --lang en|zh|both --out FILE.pdf`: render the
//! acknowledgement slip of a fixed, clearly fictional task (with rare Hong
//! Kong characters in its name and address-like text), to check the font
//! and the PDF on a new machine. Prints one JSON line:
//! `{"out":…,"lang":…,"bytes":…,"pages":…}`, exit 0; on failure
//! `{"error":{"code":…,"message":…}}`, exit 1.

use std::path::PathBuf;
use std::process::ExitCode;

use ehr_slip::{Fonts, SlipError, SlipLang};
use serde_json::json;

/// `ehrctl slip` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SlipCommand {
    /// Render the slip of a fixed sample task (fictional person) as a PDF.
    Sample(SampleArgs),
}

/// Options of `ehrctl slip sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// The slip's language: en, zh or both.
    #[arg(long, default_value = "both", value_parser = parse_lang)]
    lang: SlipLang,
    /// Where to write the PDF.
    #[arg(long)]
    out: PathBuf,
}

fn parse_lang(s: &str) -> Result<SlipLang, String> {
    SlipLang::from_code(s).ok_or_else(|| "use en, zh or both".to_owned())
}

/// Runs an `ehrctl slip` subcommand.
pub fn run(command: &SlipCommand) -> ExitCode {
    match command {
        SlipCommand::Sample(args) => match sample(args) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!(
                    "{}",
                    json!({"error": {"code": e.code(), "message": e.to_string()}})
                );
                ExitCode::from(1)
            }
        },
    }
}

fn sample(args: &SampleArgs) -> Result<serde_json::Value, SlipError> {
    let fonts = Fonts::load_system()?;
    let slip = ehr_slip::sample_slip(args.lang)?;
    let (pdf, pages) = ehr_slip::render_slip_counted(&slip, &fonts)?;
    std::fs::write(&args.out, &pdf).map_err(|_| SlipError::Write)?;
    Ok(json!({
        "out": args.out.display().to_string(),
        "lang": args.lang.code(),
        "bytes": pdf.len(),
        "pages": pages,
    }))
}
