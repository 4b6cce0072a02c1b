//! `ehrctl capture normalise INPUT OUTPUT.jpg [--grayscale]`: the counter's
//! capture pipeline (ehr-capture) on a file, for support engineers checking
//! a scanner's output.
//!
//! - Accepted: writes OUTPUT and prints one JSON line
//!   `{"width":…,"height":…,"bytes":…,"orientation":…,"quality":…}`, exit 0.
//! - Refused: prints the error's code and sentence to stderr
//!   (`capture.too_many_pixels: …`), writes nothing, exit 1.

use std::path::PathBuf;
use std::process::ExitCode;

use ehr_capture::{normalise, read_file, CaptureError, Limits, Options};
use serde_json::json;

/// `ehrctl capture` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CaptureCommand {
    /// Normalise an image as the capture dialog does (upright, A4 at 300 dpi
    /// at most, JPEG under 500 KB, no metadata) and write the JPEG.
    Normalise(NormaliseArgs),
}

/// Options of `ehrctl capture normalise`.
#[derive(Debug, clap::Args)]
pub struct NormaliseArgs {
    /// The image: JPEG, PNG or TIFF.
    input: PathBuf,
    /// Where to write the normalised JPEG.
    output: PathBuf,
    /// One grey channel, for black-and-white documents.
    #[arg(long)]
    grayscale: bool,
    /// Trim the scanner's white border.
    #[arg(long)]
    auto_trim: bool,
}

fn refuse(e: &CaptureError) -> ExitCode {
    eprintln!("{}: {}", e.code(), e.message(ehr_i18n::Lang::En));
    ExitCode::from(1)
}

pub fn run(cmd: &CaptureCommand) -> ExitCode {
    let CaptureCommand::Normalise(args) = cmd;
    let limits = Limits::default();
    let bytes = match read_file(&args.input, limits.max_file_bytes) {
        Ok(b) => b,
        Err(e) => return refuse(&e),
    };
    let opts = Options {
        grayscale: args.grayscale,
        auto_trim: args.auto_trim,
        ..Options::default()
    };
    let n = match normalise(&bytes, &opts, &limits) {
        Ok(n) => n,
        Err(e) => return refuse(&e),
    };
    if let Err(e) = std::fs::write(&args.output, &n.jpeg) {
        eprintln!("cannot write the output file: {}", e.kind());
        return ExitCode::from(1);
    }
    println!(
        "{}",
        json!({
            "width": n.width,
            "height": n.height,
            "bytes": n.jpeg.len(),
            "orientation": n.orientation,
            "quality": n.quality,
        })
    );
    ExitCode::SUCCESS
}
