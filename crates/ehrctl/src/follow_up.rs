//! `ehrctl follow-up …`: the follow-up lists as the app shows them (the
//! same `ehr-app` calls), as an aligned table or CSV with `--csv`:
//!
//! - `newborns`: the birth hospital's newborn records still not completed
//!   with a birth certificate after the policy's days, oldest first, for
//!   the ward office;
//! - `expiring`: pending applications expiring within 30 days, not
//!   activated, soonest first (supervisors only);
//! - `turning-16`: records an SDM keeps for a child who turns 16 within 60
//!   days, soonest first (supervisors only).
//!
//! Each needs a staff sign-in at the central service (`--staff-code`, the
//! password from `EHR_STAFF_PASSWORD`, else standard input), like every
//! command that shows personal data. Only masked documents and contacts
//! are printed. Errors go to standard error as one JSON line with their
//! stable code and words, exit 1.

use std::process::ExitCode;

use clap::Subcommand;
use ehr_app::App;
use ehr_protocol::task::{
    ApplicationRow, ExpiringView, FollowUpRow, FollowUpView, TurningRow, TurningView,
};
use ehr_protocol::ErrorBody;

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
    /// Pending applications that expire within 30 days and are not
    /// activated, soonest first. Supervisors only. Needs a staff sign-in:
    /// password from EHR_STAFF_PASSWORD, else standard input.
    #[command(
        after_help = "CSV (--csv): RFC 4180, UTF-8, CRLF line ends, a header row, the columns \
        expires_on, reference, state, origin (online, paper_post, paper_fax, paper_drop_in), \
        submitted_on, applicant_role (self, sdm, authorised_person), name_en, chinese_name, \
        date_of_birth, document_type, document_masked. Dates are DD/MM/YYYY.\n\nExample: \
        EHR_STAFF_PASSWORD=… ehrctl follow-up expiring --staff-code SUPER-01 --csv > expiring.csv"
    )]
    Expiring {
        /// The supervisor asking (signs in at the central service).
        #[arg(long)]
        staff_code: String,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Records a substitute decision maker keeps for a child who turns 16
    /// within 60 days, soonest first. Supervisors only. Needs a staff
    /// sign-in: password from EHR_STAFF_PASSWORD, else standard input.
    #[command(
        name = "turning-16",
        after_help = "CSV (--csv): RFC 4180, UTF-8, CRLF line ends, a header row, the columns \
        turns_16_on, days_left, ehr_number, state, name_en, chinese_name, date_of_birth, \
        document_masked, sdm_document_masked. Dates are DD/MM/YYYY.\n\nExample: \
        EHR_STAFF_PASSWORD=… ehrctl follow-up turning-16 --staff-code SUPER-01 --csv > \
        turning-16.csv"
    )]
    Turning16 {
        /// The supervisor asking (signs in at the central service).
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
        FollowUpCommand::Newborns { staff_code, csv } => list(
            &app,
            staff_code,
            *csv,
            App::newborn_follow_up,
            self::csv,
            table,
        ),
        FollowUpCommand::Expiring { staff_code, csv } => list(
            &app,
            staff_code,
            *csv,
            App::follow_up_expiring,
            expiring_csv,
            expiring_table,
        ),
        FollowUpCommand::Turning16 { staff_code, csv } => list(
            &app,
            staff_code,
            *csv,
            App::follow_up_turning_16,
            turning_csv,
            turning_table,
        ),
    }
}

/// Signs in, fetches the list with `fetch` and prints it as CSV or as a
/// table.
fn list<V>(
    app: &App,
    staff_code: &str,
    as_csv: bool,
    fetch: fn(&App) -> Result<V, ErrorBody>,
    csv: fn(&V) -> String,
    table: fn(&V) -> String,
) -> ExitCode {
    if let Err(code) = sign_in(app, staff_code) {
        return code;
    }
    // The sign-in's audit event is written once the store is open.
    if let Err(e) = app.open_store_without_sync() {
        return fail(&e);
    }
    let view = match fetch(app) {
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

/// A CSV column: its heading and its value in a row.
type CsvColumn<R> = (&'static str, fn(&R) -> String);

/// The newborn list's CSV columns, in order.
const NEWBORN_CSV: [CsvColumn<FollowUpRow>; 11] = [
    ("ehr_number", |r| r.ehr_number.clone()),
    ("hospital_code", |r| r.hospital_code.clone()),
    ("serial", |r| r.serial.clone()),
    ("registered_on", |r| r.registered_on.clone()),
    ("date_of_birth", |r| r.date_of_birth.clone()),
    ("days_waiting", |r| r.days_waiting.to_string()),
    ("name_en", |r| r.name_en.clone()),
    ("chinese_name", |r| {
        r.chinese_name.clone().unwrap_or_default()
    }),
    ("parent_document_masked", |r| {
        r.parent_document_masked.clone()
    }),
    ("contact_channel", |r| r.contact_channel.clone()),
    ("contact_masked", |r| r.contact_masked.clone()),
];

/// The expiring applications' CSV columns, in order.
const EXPIRING_CSV: [CsvColumn<ApplicationRow>; 11] = [
    ("expires_on", |a| a.expires_on.clone()),
    ("reference", |a| a.reference.clone()),
    ("state", |a| a.state.clone()),
    ("origin", |a| a.origin.clone()),
    ("submitted_on", |a| a.submitted_on.clone()),
    ("applicant_role", |a| a.applicant_role.clone()),
    ("name_en", |a| a.name_en.clone()),
    ("chinese_name", |a| {
        a.chinese_name.clone().unwrap_or_default()
    }),
    ("date_of_birth", |a| a.date_of_birth.clone()),
    ("document_type", |a| a.document_type.clone()),
    ("document_masked", |a| a.document_masked.clone()),
];

/// The turning-16 list's CSV columns, in order.
const TURNING_CSV: [CsvColumn<TurningRow>; 9] = [
    ("turns_16_on", |t| t.turns_16_on.clone()),
    ("days_left", |t| t.days_left.to_string()),
    ("ehr_number", |t| t.record.ehr_number.clone()),
    ("state", |t| t.record.state.clone()),
    ("name_en", |t| t.record.name_en.clone()),
    ("chinese_name", |t| {
        t.record.chinese_name.clone().unwrap_or_default()
    }),
    ("date_of_birth", |t| t.record.date_of_birth.clone()),
    ("document_masked", |t| {
        t.record.document_masked.clone().unwrap_or_default()
    }),
    ("sdm_document_masked", |t| {
        t.record.sdm_document_masked.clone().unwrap_or_default()
    }),
];

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line
/// break or leading or trailing spaces, its quotes doubled.
/// A field a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return first) is prefixed with `'`, so a hostile name
/// or address opened in the office's spreadsheet stays text.
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

/// The headings of CSV columns, in order.
fn csv_header<R>(columns: &[CsvColumn<R>]) -> Vec<&'static str> {
    columns.iter().map(|(head, _)| *head).collect()
}

/// A list as CSV: the header row, then one line per row, in the list's
/// order.
fn csv_of<R>(columns: &[CsvColumn<R>], rows: &[R]) -> String {
    let mut out = csv_line(&csv_header(columns));
    for r in rows {
        let fields: Vec<String> = columns.iter().map(|(_, value)| value(r)).collect();
        out.push_str(&csv_line(&fields));
    }
    out
}

/// The newborn list as CSV: the header row, then one row per record,
/// oldest first.
fn csv(view: &FollowUpView) -> String {
    csv_of(&NEWBORN_CSV, &view.items)
}

/// The expiring applications as CSV, soonest first.
fn expiring_csv(view: &ExpiringView) -> String {
    csv_of(&EXPIRING_CSV, &view.items)
}

/// The turning-16 list as CSV, soonest first.
fn turning_csv(view: &TurningView) -> String {
    csv_of(&TURNING_CSV, &view.items)
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

/// A list as text: the summary line, then an aligned table (headings
/// `head`, a row's cells from `cells`, the columns numbered in `numbers`
/// right-aligned), or the catalogue's sentence `none` (with `{days}`)
/// when there are no rows.
fn aligned<R, const N: usize>(
    summary: &str,
    (none, days): (&str, &str),
    head: [&str; N],
    numbers: &[usize],
    items: &[R],
    cells: impl Fn(&R) -> [String; N],
) -> String {
    let mut out = format!("{summary}\n");
    if items.is_empty() {
        out.push_str(&none_sentence(none, days));
        out.push('\n');
        return out;
    }
    let rows: Vec<[String; N]> = items.iter().map(cells).collect();
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
            let pad = " ".repeat(w - display_width(cell));
            if numbers.contains(&i) {
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

/// An English sentence of the catalogue with `{days}`.
fn none_sentence(key: &str, days: &str) -> String {
    ehr_i18n::format(ehr_i18n::Lang::En, key, &[("days", days)])
}

/// The newborn list as an aligned table (English headings), a summary
/// line first; an empty list says so.
fn table(view: &FollowUpView) -> String {
    let days = view.days.to_string();
    let hospital = view.hospital_code.as_deref().unwrap_or("every hospital");
    let summary = format!(
        "newborn follow-up: {hospital}, listed after {days} days, {} record(s)",
        view.items.len()
    );
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
    // DAYS is a number: right-aligned.
    aligned(
        &summary,
        ("list.follow_up.none", &days),
        head,
        &[5],
        &view.items,
        |r: &FollowUpRow| {
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
        },
    )
}

/// The expiring applications as an aligned table, a summary line first.
fn expiring_table(view: &ExpiringView) -> String {
    let days = view.within_days.to_string();
    let summary = format!(
        "expiring applications: pending, not activated, expiring within {days} days, {} \
         application(s)",
        view.items.len()
    );
    let head = [
        "EXPIRES",
        "REFERENCE",
        "ARRIVED",
        "APPLICANT",
        "NAME",
        "CHINESE NAME",
        "BORN",
        "DOCUMENT",
    ];
    aligned(
        &summary,
        ("list.expiring.none", &days),
        head,
        &[],
        &view.items,
        |a: &ApplicationRow| {
            [
                a.expires_on.clone(),
                one_line(&a.reference),
                a.origin.clone(),
                a.applicant_role.clone(),
                one_line(&a.name_en),
                a.chinese_name.as_deref().map(one_line).unwrap_or_default(),
                a.date_of_birth.clone(),
                a.document_masked.clone(),
            ]
        },
    )
}

/// The turning-16 list as an aligned table, a summary line first.
fn turning_table(view: &TurningView) -> String {
    let days = view.within_days.to_string();
    let summary = format!(
        "children turning 16: records kept by a substitute decision maker, turning 16 within \
         {days} days, {} record(s)",
        view.items.len()
    );
    let head = [
        "TURNS 16",
        "DAYS LEFT",
        "EHR NUMBER",
        "NAME",
        "CHINESE NAME",
        "BORN",
        "DOCUMENT",
        "SDM DOC",
    ];
    // DAYS LEFT is a number: right-aligned.
    aligned(
        &summary,
        ("list.turning_16.none", &days),
        head,
        &[1],
        &view.items,
        |t: &TurningRow| {
            let r = &t.record;
            [
                t.turns_16_on.clone(),
                t.days_left.to_string(),
                r.ehr_number.clone(),
                one_line(&r.name_en),
                r.chinese_name.as_deref().map(one_line).unwrap_or_default(),
                r.date_of_birth.clone(),
                r.document_masked.clone().unwrap_or_else(|| "-".to_owned()),
                r.sdm_document_masked
                    .clone()
                    .unwrap_or_else(|| "-".to_owned()),
            ]
        },
    )
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
        assert_eq!(lines[0], csv_header(&NEWBORN_CSV).join(","));
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
        assert_eq!(csv(&empty), csv_header(&NEWBORN_CSV).join(",") + "\r\n");
    }

    fn application(reference: &str, name: &str) -> ApplicationRow {
        ApplicationRow {
            reference: reference.to_owned(),
            state: "pending".to_owned(),
            origin: "online".to_owned(),
            submitted_on: "01/11/2026".to_owned(),
            expires_on: "01/12/2026".to_owned(),
            expired: false,
            document_type: "hkic".to_owned(),
            document_masked: "A123***(*)".to_owned(),
            name_en: name.to_owned(),
            chinese_name: None,
            date_of_birth: "02/03/1950".to_owned(),
            applicant_role: "self".to_owned(),
        }
    }

    fn turning(n: u32, name: &str) -> TurningRow {
        TurningRow {
            record: ehr_protocol::task::RecordRow {
                ehr_number: format!("EHR00{n}"),
                state: "effective".to_owned(),
                document_masked: (n != 2).then(|| "Y123***(*)".to_owned()),
                name_en: name.to_owned(),
                chinese_name: None,
                registered_on: "01/01/2020".to_owned(),
                consents: Vec::new(),
                hospital_code: None,
                serial: None,
                date_of_birth: "05/12/2010".to_owned(),
                sdm_document_masked: Some("K555***(*)".to_owned()),
                sdm_relationship: Some(("Parent".to_owned(), "Parent".to_owned())),
            },
            turns_16_on: "05/12/2026".to_owned(),
            days_left: 4 + n,
        }
    }

    #[test]
    fn the_supervisors_lists_as_csv_guard_formulas_and_keep_the_order() {
        let view = ExpiringView {
            within_days: 30,
            items: vec![
                application("APP-1", "CHAN, Tai Man"),
                application("APP-2", "=cmd|' /C calc'!A0"),
            ],
        };
        let out = expiring_csv(&view);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{out:?}");
        assert_eq!(lines[0], csv_header(&EXPIRING_CSV).join(","));
        assert_eq!(
            lines[1],
            "01/12/2026,APP-1,pending,online,01/11/2026,self,\"CHAN, Tai Man\",,02/03/1950,hkic,A123***(*)"
        );
        assert!(
            lines[2].contains(",'=cmd|' /C calc'!A0,"),
            "a formula stays text: {}",
            lines[2]
        );
        assert_eq!(
            expiring_csv(&ExpiringView {
                within_days: 30,
                items: Vec::new()
            }),
            csv_header(&EXPIRING_CSV).join(",") + "\r\n"
        );

        let view = TurningView {
            within_days: 60,
            items: vec![turning(1, "WONG, Siu Ming"), turning(2, "-LEE")],
        };
        let out = turning_csv(&view);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{out:?}");
        assert_eq!(lines[0], csv_header(&TURNING_CSV).join(","));
        assert_eq!(
            lines[1],
            "05/12/2026,5,EHR001,effective,\"WONG, Siu Ming\",,05/12/2010,Y123***(*),K555***(*)"
        );
        assert_eq!(
            lines[2],
            "05/12/2026,6,EHR002,effective,'-LEE,,05/12/2010,,K555***(*)"
        );
    }

    #[test]
    fn the_supervisors_tables_are_aligned_and_empty_ones_say_so() {
        let mut wide = application("APP-22", "WONG");
        wide.chinese_name = Some("\u{9ec3}\u{5c0f}\u{660e}".to_owned());
        let view = ExpiringView {
            within_days: 30,
            items: vec![application("APP-1", "CHAN"), wide],
        };
        let out = expiring_table(&view);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].contains("within 30 days, 2 application(s)"));
        let col = |l: &str| display_width(&l[..l.find("02/03/1950").unwrap()]);
        assert_eq!(col(lines[2]), col(lines[3]), "{out}");
        let empty = expiring_table(&ExpiringView {
            within_days: 30,
            items: Vec::new(),
        });
        assert!(empty.contains(&none_sentence("list.expiring.none", "30")));

        let view = TurningView {
            within_days: 60,
            items: vec![turning(1, "WONG"), turning(2, "CHEUNG, Ka Yan")],
        };
        let out = turning_table(&view);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].contains("within 60 days, 2 record(s)"));
        let col = |l: &str| display_width(&l[..l.find("EHR00").unwrap()]);
        assert_eq!(col(lines[2]), col(lines[3]), "{out}");
        // No document of the child's: a dash.
        assert!(lines[3].contains("05/12/2010  -"), "{out}");
        let empty = turning_table(&TurningView {
            within_days: 60,
            items: Vec::new(),
        });
        assert!(empty.contains(&none_sentence("list.turning_16.none", "60")));
    }
}
