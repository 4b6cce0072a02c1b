//! `vcard`: insert, remove and swap virtual identity cards on vpcd's reader.
//!
//! ```text
//! vcard daemon [--reader 127.0.0.1:35963] [--control PATH]   hold the reader, take commands
//! vcard insert PERSON.json [--control PATH]                   put a card in
//! vcard remove [--control PATH]                               take it out
//! vcard swap PERSON.json [--control PATH]                     out, then the other in
//! vcard status [--control PATH]                               what is in the reader
//! vcard from-demo CREDENTIALS.json DIR                        person files of the demo applicants
//! ```
//!
//! A person file is JSON: the fields of the card record (see
//! `docs/card-profile.md` and `assets/demo-people/`). Training and test
//! machines only: whoever can reach vpcd's port can "insert" a card.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ehr_tests::vcard::{InsertedCard, PersonFile};

#[derive(Debug, Parser)]
#[command(
    name = "vcard",
    version,
    about = "Virtual identity cards on vpcd's virtual reader"
)]
struct Cli {
    /// The daemon's control socket.
    #[arg(long, global = true)]
    control: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Hold the virtual reader and take insert/remove/swap commands.
    Daemon {
        /// vpcd's address for the reader (Virtual PCD 00 00 is port 35963).
        #[arg(long, default_value = "127.0.0.1:35963")]
        reader: String,
    },
    /// Insert the card of a person file.
    Insert { person: PathBuf },
    /// Remove the card.
    Remove,
    /// Remove the card and insert another.
    Swap { person: PathBuf },
    /// Say whether a card is in the reader.
    Status,
    /// Write a person file for each demo applicant of `ehr-central seed --demo`.
    FromDemo {
        /// The seed's `demo-credentials.json`.
        credentials: PathBuf,
        /// The folder for the person files (`person-1.json`, …).
        out: PathBuf,
    },
}

fn default_control() -> PathBuf {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    dir.join("ehr-vcard.sock")
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let control = cli.control.unwrap_or_else(default_control);
    let result = match cli.command {
        Cmd::Daemon { reader } => daemon(&reader, &control),
        Cmd::Insert { person } => request(&control, &format!("INSERT {}", absolute(&person))),
        Cmd::Remove => request(&control, "REMOVE"),
        Cmd::Swap { person } => request(&control, &format!("SWAP {}", absolute(&person))),
        Cmd::Status => request(&control, "STATUS"),
        Cmd::FromDemo { credentials, out } => from_demo(&credentials, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vcard: {e}");
            ExitCode::from(1)
        }
    }
}

fn absolute(p: &Path) -> String {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

fn request(control: &Path, line: &str) -> Result<(), String> {
    let mut s = UnixStream::connect(control).map_err(|e| {
        format!(
            "no vcard daemon at {} ({e}); start one with `vcard daemon`",
            control.display()
        )
    })?;
    writeln!(s, "{line}").map_err(|e| e.to_string())?;
    let mut reply = String::new();
    BufReader::new(s)
        .read_line(&mut reply)
        .map_err(|e| e.to_string())?;
    let reply = reply.trim_end();
    match reply.strip_prefix("OK") {
        Some(rest) => {
            println!("{}", rest.trim_start());
            Ok(())
        }
        None => Err(reply.strip_prefix("ERR ").unwrap_or(reply).to_owned()),
    }
}

fn daemon(reader: &str, control: &Path) -> Result<(), String> {
    if UnixStream::connect(control).is_ok() {
        return Err(format!(
            "a vcard daemon already listens on {}",
            control.display()
        ));
    }
    let _ = std::fs::remove_file(control);
    let listener =
        UnixListener::bind(control).map_err(|e| format!("{}: {e}", control.display()))?;
    eprintln!("vcard: reader {reader}, control {}", control.display());
    let mut inserted: Option<(InsertedCard, String)> = None;
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        let mut line = String::new();
        if BufReader::new(&conn).read_line(&mut line).is_err() {
            continue;
        }
        let line = line.trim_end();
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        let reply = match verb {
            "INSERT" if inserted.is_some() => {
                "ERR a card is already in the reader; use swap".to_owned()
            }
            "INSERT" | "SWAP" => {
                if let Some((card, _)) = inserted.take() {
                    card.remove();
                }
                match PersonFile::load(Path::new(arg))
                    .and_then(|p| InsertedCard::insert(reader, &p))
                {
                    Ok(card) => {
                        let label = Path::new(arg)
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let reply = format!("OK inserted {label}");
                        inserted = Some((card, label));
                        reply
                    }
                    Err(e) => format!("ERR {e}"),
                }
            }
            "REMOVE" => match inserted.take() {
                Some((card, label)) => {
                    card.remove();
                    format!("OK removed {label}")
                }
                None => "ERR no card in the reader".to_owned(),
            },
            "STATUS" => match &inserted {
                Some((_, label)) => format!("OK card {label} in the reader"),
                None => "OK reader empty".to_owned(),
            },
            _ => "ERR unknown command".to_owned(),
        };
        let mut conn = conn;
        let _ = writeln!(conn, "{reply}");
    }
    Ok(())
}

/// One person file per demo applicant; prints each file with its reference.
fn from_demo(credentials: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(credentials)
        .map_err(|e| format!("{}: {e}", credentials.display()))?;
    let creds: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", credentials.display()))?;
    let people = creds["demo_people"]
        .as_array()
        .ok_or("the credentials file has no demo_people (seed with a newer ehr-central)")?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for (i, p) in people.iter().enumerate() {
        let file = ehr_tests::vcard::person_from_demo(&p["person"]).map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&file.record).map_err(|e| e.to_string())?;
        let path = out.join(format!("person-{}.json", i + 1));
        std::fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        println!(
            "{}\t{}",
            path.display(),
            p["reference"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}
