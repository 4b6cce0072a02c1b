//! `ehrctl follow-up newborns`: the birth hospital's newborn records still
//! not completed with a birth certificate after the policy's days, oldest
//! first, as the app's follow-up list shows them (the same `ehr-app` call),
//! for the ward office: an aligned table, or CSV with `--csv`.
//!
//! It needs a staff sign-in at the central service (`--staff-code`, the
//! password from `EHR_STAFF_PASSWORD`, else standard input), like every
//! command that shows personal data. Only masked documents and contacts
//! are printed. Errors go to standard error as one JSON line with their
//! stable code and words, exit 1.

use std::process::ExitCode;

use clap::Subcommand;
use ehr_app::App;
use ehr_protocol::task::{FollowUpRow, FollowUpView};

use crate::queue::{fail, sign_in};

#[derive(Debug, Subcommand)]
pub enum FollowUpCommand {
    /// Newborn records still waiting for the birth certificate after the
    /// policy's days (default 60), oldest first: this counter's birth
    /// hospital (every hospital at the Registration Office). Needs a staff
    /// sign-in: password from EHR_STAFF_PASSWORD, else standard input.
    #[command(
        after_help = "CSV (--csv): RFC 4180, UTF-8, CRLF line ends, a header row, the columns \
        ehr_number, hospital_code, serial, registered_on, date_of_birth, days_waiting, name_en, \
        chinese_name, parent_document_masked, contact_channel (sms, email, post, or empty), \
        contact_masked. Dates are DD/MM/YYYY.\n\nExample: EHR_STAFF_PASSWORD=… ehrctl follow-up \
        newborns --staff-code CLERK-01 --csv > follow-up.csv"
    )]
    Newborns {
        /// The staff member asking (signs in at the central service).
        #[arg(long)]
        staff_code: String,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

/// `ehrctl follow-up …`.
pub fn run(cmd: &FollowUpCommand) -> ExitCode {
    let app = App::new(ehr_app::Config::from_env());
    match cmd {
        FollowUpCommand::Newborns { staff_code, csv } => newborns(&app, staff_code, *csv),
    }
}

fn newborns(app: &App, staff_code: &str, as_csv: bool) -> ExitCode {
    if let Err(code) = sign_in(app, staff_code) {
        return code;
    }
    // The sign-in's audit event is written once the store is open.
    if let Err(e) = app.open_store_without_sync() {
        return fail(&e);
    }
    let view = match app.newborn_follow_up() {
        Ok(v) => v,
        Err(e) => return fail(&e),
    };
    if as_csv {
        print!("{}", csv(&view));
    } else {
        print!("{}", table(&view));
    }
    ExitCode::SUCCESS
}

/// The CSV columns, in order.
const CSV_HEADER: [&str; 11] = [
    "ehr_number",
    "hospital_code",
    "serial",
    "registered_on",
    "date_of_birth",
    "days_waiting",
    "name_en",
    "chinese_name",
    "parent_document_masked",
    "contact_channel",
    "contact_masked",
];

fn csv_fields(r: &FollowUpRow) -> [String; 11] {
    [
        r.ehr_number.clone(),
        r.hospital_code.clone(),
        r.serial.clone(),
        r.registered_on.clone(),
        r.date_of_birth.clone(),
        r.days_waiting.to_string(),
        r.name_en.clone(),
        r.chinese_name.clone().unwrap_or_default(),
        r.parent_document_masked.clone(),
        r.contact_channel.clone(),
        r.contact_masked.clone(),
    ]
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line
/// break or leading or trailing spaces, its quotes doubled.
/// A field a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return first) is prefixed with `'`, so a hostile name
/// or address opened in the ward office's spreadsheet stays text.
fn csv_field(s: &str) -> String {
    let guarded;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\r', '\n']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The list as CSV: the header row, then one row per record, oldest first.
fn csv(view: &FollowUpView) -> String {
    let mut out = csv_line(&CSV_HEADER);
    for r in &view.items {
        out.push_str(&csv_line(&csv_fields(r)));
    }
    out
}

/// Columns a terminal shows two cells wide (CJK ideographs, full-width
/// forms, Hangul, kana).
fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// The list as an aligned table (English headings), a summary line first;
/// an empty list says so.
fn table(view: &FollowUpView) -> String {
    let days = view.days.to_string();
    let hospital = view.hospital_code.as_deref().unwrap_or("every hospital");
    let mut out = format!(
        "newborn follow-up: {hospital}, listed after {days} days, {} record(s)\n",
        view.items.len()
    );
    if view.items.is_empty() {
        out.push_str(&ehr_i18n::format(
            ehr_i18n::Lang::En,
            "list.follow_up.none",
            &[("days", &days)],
        ));
        out.push('\n');
        return out;
    }
    let head = [
        "EHR NUMBER",
        "HOSPITAL",
        "SERIAL",
        "REGISTERED",
        "BORN",
        "DAYS",
        "NAME",
        "CHINESE NAME",
        "PARENT DOC",
        "CONTACT",
    ];
    let rows: Vec<[String; 10]> = view
        .items
        .iter()
        .map(|r| {
            let contact = match (r.contact_channel.as_str(), r.contact_masked.as_str()) {
                ("", _) => "-".to_owned(),
                (c, "") => c.to_owned(),
                (c, m) => format!("{c} {m}"),
            };
            [
                r.ehr_number.clone(),
                r.hospital_code.clone(),
                r.serial.clone(),
                r.registered_on.clone(),
                r.date_of_birth.clone(),
                r.days_waiting.to_string(),
                one_line(&r.name_en),
                r.chinese_name.as_deref().map(one_line).unwrap_or_default(),
                r.parent_document_masked.clone(),
                one_line(&contact),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = head.iter().map(|h| display_width(h)).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(cell));
        }
    }
    let line = |cells: &[&str]| -> String {
        let mut s = String::new();
        let last = cells.len() - 1;
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            // DAYS is a number: right-aligned.
            let pad = " ".repeat(w - display_width(cell));
            if i == 5 {
                s.push_str(&pad);
                s.push_str(cell);
            } else {
                s.push_str(cell);
                if i != last {
                    s.push_str(&pad);
                }
            }
            if i != last {
                s.push_str("  ");
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    out.push_str(&line(&head));
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.push_str(&line(&cells));
    }
    out
}

/// Line breaks and tabs as spaces (a postal address keeps to its row).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(serial: &str, name: &str, channel: &str, contact: &str) -> FollowUpRow {
        FollowUpRow {
            ehr_number: format!("EHR-{serial}"),
            hospital_code: "QMH".to_owned(),
            serial: serial.to_owned(),
            registered_on: "01/10/2026".to_owned(),
            date_of_birth: "30/09/2026".to_owned(),
            days_waiting: 61,
            name_en: name.to_owned(),
            chinese_name: None,
            parent_document_masked: "A123***(*)".to_owned(),
            contact_channel: channel.to_owned(),
            contact_masked: contact.to_owned(),
        }
    }

    #[test]
    fn csv_quotes_as_rfc_4180_says() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("CHAN, Tai Man"), "\"CHAN, Tai Man\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("Flat 1\nBlock 2"), "\"Flat 1\nBlock 2\"");
        assert_eq!(csv_field(" x"), "\" x\"");
        assert_eq!(csv_field(""), "");
        // What a spreadsheet would run as a formula stays text.
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+85291234567"), "'+85291234567");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-1"), "'-1");
        let view = FollowUpView {
            days: 60,
            hospital_code: Some("QMH".to_owned()),
            items: vec![
                row("BR-1", "BABY OF CHAN, Mei", "sms", "****5678"),
                row("BR-2", "BABY OF \"LEE\"", "", ""),
            ],
        };
        let out = csv(&view);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{out:?}");
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[1],
            "EHR-BR-1,QMH,BR-1,01/10/2026,30/09/2026,61,\"BABY OF CHAN, Mei\",,A123***(*),sms,****5678"
        );
        assert_eq!(
            lines[2],
            "EHR-BR-2,QMH,BR-2,01/10/2026,30/09/2026,61,\"BABY OF \"\"LEE\"\"\",,A123***(*),,"
        );
        assert_eq!(lines[3], "");
    }

    #[test]
    fn the_table_is_aligned_and_an_empty_list_says_so() {
        let mut wide = row("BR-10", "BABY OF WONG", "post", "Flat 3\n***");
        wide.chinese_name = Some("\u{9ec3}\u{5c0f}\u{660e}".to_owned());
        let view = FollowUpView {
            days: 60,
            hospital_code: Some("QMH".to_owned()),
            items: vec![row("BR-1", "BABY OF CHAN", "sms", "****5678"), wide],
        };
        let out = table(&view);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].contains("listed after 60 days, 2 record(s)"));
        // The column after the Chinese name starts at the same place.
        let col = |l: &str| display_width(&l[..l.find("A123").unwrap()]);
        assert_eq!(col(lines[2]), col(lines[3]), "{out}");
        assert!(lines[3].contains("post Flat 3 ***"));
        assert!(lines[2].contains("sms ****5678"));

        let empty = FollowUpView {
            days: 45,
            hospital_code: None,
            items: Vec::new(),
        };
        let out = table(&empty);
        assert!(out.contains("every hospital"));
        assert!(out.contains(&ehr_i18n::format(
            ehr_i18n::Lang::En,
            "list.follow_up.none",
            &[("days", "45")]
        )));
        assert_eq!(csv(&empty), CSV_HEADER.join(",") + "\r\n");
    }
}
