//! `ehrctl audit`: the counter's tamper-evident audit chain.
//!
//! `verify` walks the chain and names the first broken link (its sequence
//! number and what is wrong: edited, missing, out of order); it needs no
//! sign-in, as it prints no event. `list` shows the events since a time for
//! a support engineer and needs a staff sign-in (password from
//! `EHR_STAFF_PASSWORD`, else standard input). Events hold no personal
//! data: staff codes, actions and references (eHR numbers, masked document
//! numbers, record keys).

use std::process::ExitCode;

use clap::Subcommand;
use ehr_app::App;
use serde_json::json;

use crate::queue::{fail, sign_in};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the local audit chain; exit 1 and name the first broken link.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the audit events since a time (needs a staff sign-in).
    List {
        /// The staff member asking (signs in at the central service).
        #[arg(long)]
        staff_code: String,
        /// RFC 3339 time (2026-12-01T09:00:00+08:00) or an age (24h, 90m, 7d).
        #[arg(long, default_value = "24h")]
        since: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `ehrctl audit …`.
pub fn run(cmd: &AuditCommand) -> ExitCode {
    let app = App::new(ehr_app::Config::from_env());
    match cmd {
        AuditCommand::Verify { json } => verify(&app, *json),
        AuditCommand::List {
            staff_code,
            since,
            json,
        } => list(&app, staff_code, since, *json),
    }
}

fn verify(app: &App, as_json: bool) -> ExitCode {
    let report = match app
        .open_store_without_sync()
        .and_then(|()| app.verify_audit_chain())
    {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let broken = report.first_break;
    if as_json {
        println!(
            "{}",
            json!({
                "ok": broken.is_none(),
                "chain_id": report.chain_id,
                "events": report.events,
                "last_seq": report.head_seq,
                "first_broken": broken.map(|b| json!({"seq": b.seq, "problem": b.kind.as_str()})),
            })
        );
    } else {
        println!("audit chain:     {}", report.chain_id);
        println!("events:          {}", report.events);
        println!("last sequence:   {}", report.head_seq);
        match broken {
            None => println!("chain:           ok"),
            Some(b) => println!(
                "chain:           BROKEN at sequence {}: {}",
                b.seq,
                b.kind.as_str()
            ),
        }
    }
    if broken.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `since` as Unix milliseconds: an RFC 3339 time, or an age before `now_ms`
/// (`24h`, `90m`, `7d`, `30s`).
pub(crate) fn parse_since(since: &str, now_ms: i64) -> Option<i64> {
    let s = since.trim();
    if let Some(unit) = s.chars().last().filter(|c| "smhd".contains(*c)) {
        if let Ok(n) = s[..s.len() - 1].parse::<i64>() {
            let per = match unit {
                's' => 1_000,
                'm' => 60_000,
                'h' => 3_600_000,
                _ => 86_400_000,
            };
            return n
                .checked_mul(per)
                .filter(|d| *d >= 0)
                .map(|d| now_ms.saturating_sub(d));
        }
    }
    parse_rfc3339(s)
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` as Unix milliseconds.
fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let date = ehr_domain::Date::new(
        i32::try_from(num(0..4)?).ok()?,
        u8::try_from(num(5..7)?).ok()?,
        u8::try_from(num(8..10)?).ok()?,
    )
    .ok()?;
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return None;
        }
        ms = format!("{digits:0<3}")[..3].parse().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 && matches!(&o[..1], "+" | "-") && &o[3..4] == ":" => {
            let v = o[1..3].parse::<i64>().ok()? * 3600 + o[4..6].parse::<i64>().ok()? * 60;
            if o.starts_with('-') {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let days = date.days_since_epoch();
    Some((days * 86_400 + h * 3600 + m * 60 + sec - offset_s) * 1000 + ms)
}

fn list(app: &App, staff_code: &str, since: &str, as_json: bool) -> ExitCode {
    let now = ehr_app::sync::unix_ms();
    let Some(since_ms) = parse_since(since, now) else {
        eprintln!(
            "{}",
            json!({"error": "usage", "message_en": "Give --since as an RFC 3339 time (2026-12-01T09:00:00+08:00) or an age (24h, 90m, 7d)."})
        );
        return ExitCode::from(2);
    };
    if let Err(code) = sign_in(app, staff_code) {
        return code;
    }
    if let Err(e) = app.open_store_without_sync() {
        return fail(&e);
    }
    let events = match app.audit_events_since(since_ms) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    if as_json {
        println!(
            "{}",
            json!({
                "since": ehr_app::rfc3339(since_ms),
                "events": events.iter().map(|e| json!({
                    "seq": e.seq,
                    "at": ehr_app::rfc3339(e.at_ms),
                    "counter_id": e.counter_id,
                    "staff_code": e.staff_code,
                    "action": e.action,
                    "subject": e.subject,
                })).collect::<Vec<_>>(),
            })
        );
    } else {
        for e in &events {
            println!(
                "{:>6}  {}  {:<14} {:<10} {:<18} {}",
                e.seq,
                ehr_app::rfc3339(e.at_ms),
                if e.counter_id.is_empty() {
                    "-"
                } else {
                    &e.counter_id
                },
                e.staff_code,
                e.action,
                e.subject.as_deref().unwrap_or("-")
            );
        }
        println!(
            "{} events since {}",
            events.len(),
            ehr_app::rfc3339(since_ms)
        );
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_ages_and_rfc3339_times() {
        let now = 1_800_000_000_000;
        assert_eq!(parse_since("24h", now), Some(now - 86_400_000));
        assert_eq!(parse_since("90m", now), Some(now - 5_400_000));
        assert_eq!(parse_since("7d", now), Some(now - 7 * 86_400_000));
        assert_eq!(parse_since("1970-01-01T00:00:00Z", now), Some(0));
        assert_eq!(parse_since("1970-01-01T08:00:01.5+08:00", now), Some(1_500));
        assert_eq!(
            parse_since("2026-12-01T06:14:27Z", now),
            Some(1_796_105_667_000)
        );
        for bad in [
            "",
            "h",
            "-1h",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-12-01",
        ] {
            assert_eq!(parse_since(bad, now), None, "{bad}");
        }
    }
}
