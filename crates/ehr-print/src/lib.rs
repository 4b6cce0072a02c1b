//! Printing slips through the system's CUPS, with CUPS's own commands:
//! `lpstat` (queues, default, server), `lp` (the job, the PDF on stdin),
//! `ipptool` (the job's state) and `cupsctl` (the scheduler's settings).
//! No FFI, no Tauri, no hidden sleeps: every call is one or two short child
//! processes, and waiting for a job's outcome takes the pause from the caller.
//!
//! Calls block (a child process talks to cupsd), so the app calls them from a
//! worker thread, never from the UI thread.
//!
//! Privacy: every job has the neutral title [`JOB_TITLE`], never a name, and
//! no banner page. CUPS keeps a job's document in its spool for a day after
//! printing unless `PreserveJobFiles No` is set (counter set-up: `sudo cupsctl
//! PreserveJobFiles=No`); [`Cups::preserves_job_files`] tells `ehrctl doctor`
//! whether it is. See the crate's README.
//!
//! Tests: [`testing::PrivateCupsd`] starts a private cupsd (root only) with a
//! capture queue and a failing queue.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub mod testing;

/// The title of every job: neutral, so CUPS's job history (kept after the
/// job's files are gone) names no person.
pub const JOB_TITLE: &str = "eHR slip";

/// Why printing did not happen. Each variant has a stable code
/// ([`PrintError::code`]) and a sentence for the clerk in both languages
/// (catalogue key `error.<clerk code>`, [`PrintError::message_key`]); every
/// sentence says the slip is kept and can be saved as a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// No queue at all, or no queue named and no default queue.
    #[error("no printer is set up, or none is the default")]
    NoPrinter,
    /// The named queue does not exist (or the name is not a queue name).
    #[error("no such print queue")]
    UnknownQueue,
    /// The queue is stopped (disabled): jobs would wait, not print.
    #[error("the print queue is stopped")]
    QueueStopped,
    /// The queue refuses new jobs.
    #[error("the print queue does not accept jobs")]
    QueueRejecting,
    /// CUPS aborted or stopped the job (the printer or its backend failed).
    #[error("the printing system could not print the job")]
    JobFailed,
    /// Someone cancelled the job.
    #[error("the print job was cancelled")]
    JobCanceled,
    /// CUPS does not know the job (any more).
    #[error("the printing system does not know this job")]
    UnknownJob,
    /// Nothing to print.
    #[error("the document to print is empty")]
    EmptyDocument,
    /// The bytes are not a PDF.
    #[error("the document to print is not a PDF")]
    NotPdf,
    /// cupsd is not reachable, or a CUPS command is not installed.
    #[error("the printing system is not available ({0})")]
    CupsUnavailable(&'static str),
    /// A CUPS command refused in a way not listed above. The detail is
    /// CUPS's own first line of error output (no document content, and the
    /// job title is neutral).
    #[error("the printing system refused: {tool} ({detail})")]
    Refused { tool: &'static str, detail: String },
}

impl PrintError {
    /// The stable code, for logs and for the app's IPC error codes.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::NoPrinter => "print.no_printer",
            PrintError::UnknownQueue => "print.unknown_queue",
            PrintError::QueueStopped => "print.queue_stopped",
            PrintError::QueueRejecting => "print.queue_rejecting",
            PrintError::JobFailed => "print.job_failed",
            PrintError::JobCanceled => "print.job_canceled",
            PrintError::UnknownJob => "print.unknown_job",
            PrintError::EmptyDocument => "print.empty_document",
            PrintError::NotPdf => "print.not_pdf",
            PrintError::CupsUnavailable(_) => "print.cups_unavailable",
            PrintError::Refused { .. } => "print.refused",
        }
    }

    /// The code the clerk's screen shows for this error: one of the six
    /// codes the app's IPC has (`print.no_printer`, `print.unknown_queue`,
    /// `print.queue_stopped`, `print.queue_rejecting`, `print.job_failed`,
    /// `print.cups_unavailable`). The others are told as a failed job: the
    /// clerk's action is the same (check the printer, print again or save
    /// the slip as a file); logs keep [`PrintError::code`].
    pub fn clerk_code(&self) -> &'static str {
        match self {
            PrintError::NoPrinter
            | PrintError::UnknownQueue
            | PrintError::QueueStopped
            | PrintError::QueueRejecting
            | PrintError::JobFailed
            | PrintError::CupsUnavailable(_) => self.code(),
            PrintError::JobCanceled
            | PrintError::UnknownJob
            | PrintError::EmptyDocument
            | PrintError::NotPdf
            | PrintError::Refused { .. } => "print.job_failed",
        }
    }

    /// The catalogue key of the clerk's sentence: `error.<clerk code>`, as
    /// for every IPC error code.
    pub fn message_key(&self) -> String {
        format!("error.{}", self.clerk_code())
    }

    /// The clerk's sentence in English and in Traditional Chinese.
    pub fn messages(&self) -> (&'static str, &'static str) {
        ehr_i18n::pair(&self.message_key())
    }
}

/// One print queue as CUPS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// The queue's name (CUPS's spelling).
    pub name: String,
    /// Whether it is the default destination.
    pub is_default: bool,
    /// Not stopped (`cupsenable`d).
    pub enabled: bool,
    /// Accepting new jobs (`cupsaccept`ed).
    pub accepting: bool,
}

/// A job CUPS accepted: the queue and the job number (`Capture-12`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobId {
    queue: String,
    number: u32,
}

impl JobId {
    /// A job id from its parts.
    pub fn new(queue: impl Into<String>, number: u32) -> Self {
        JobId {
            queue: queue.into(),
            number,
        }
    }

    /// The queue the job went to.
    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// CUPS's job number (unique per cupsd).
    pub fn number(&self) -> u32 {
        self.number
    }

    /// Parses `Queue-12` (how `lp` and `lpstat` write it).
    pub fn parse(s: &str) -> Option<JobId> {
        let (queue, n) = s.rsplit_once('-')?;
        let number = n.parse().ok()?;
        (!queue.is_empty()).then(|| JobId::new(queue, number))
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.queue, self.number)
    }
}

/// A job's state (IPP `job-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Held,
    Processing,
    Stopped,
    Canceled,
    Aborted,
    Completed,
}

impl JobState {
    /// Whether the job has reached an end state (completed, aborted, cancelled).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Completed | JobState::Aborted | JobState::Canceled
        )
    }

    /// From IPP's keyword (as ipptool writes it) or enum number.
    pub fn from_ipp(value: &str) -> Option<JobState> {
        Some(match value.trim() {
            "pending" | "3" => JobState::Pending,
            "pending-held" | "4" => JobState::Held,
            "processing" | "5" => JobState::Processing,
            "processing-stopped" | "6" => JobState::Stopped,
            "canceled" | "7" => JobState::Canceled,
            "aborted" | "8" => JobState::Aborted,
            "completed" | "9" => JobState::Completed,
            _ => return None,
        })
    }
}

/// A job's state with the reasons CUPS gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub state: JobState,
    /// IPP `job-state-reasons` keywords (`printer-stopped`, `job-printing`…).
    pub reasons: Vec<String>,
}

/// The system's CUPS, or a given cupsd, driven through its commands.
#[derive(Debug, Clone, Default)]
pub struct Cups {
    server: Option<String>,
    server_root: Option<PathBuf>,
}

/// What a finished child process said (locale C).
struct Output {
    success: bool,
    stdout: String,
    stderr: String,
}

/// The Get-Job-Attributes request `ipptool` sends (test file on its stdin).
const IPPTOOL_JOB_STATE: &str = "{
  NAME \"job state\"
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri job-uri $uri
  ATTR keyword requested-attributes job-state,job-state-reasons
  STATUS successful-ok
}
";

impl Cups {
    /// The system's CUPS: the server `lp` would use (`CUPS_SERVER`,
    /// `~/.cups/client.conf`, `/etc/cups/client.conf`, else the local
    /// scheduler).
    pub fn system() -> Self {
        Cups::default()
    }

    /// A given cupsd: a domain socket path (`/run/cups/cups.sock`) or
    /// `host[:port]`, passed to the commands as `CUPS_SERVER`. The user's
    /// `LPDEST`/`PRINTER` are not passed on: they name queues of another
    /// server.
    pub fn with_server(server: impl Into<String>) -> Self {
        Cups {
            server: Some(server.into()),
            server_root: None,
        }
    }

    /// Where the scheduler's `cupsd.conf` is (default `/etc/cups`), for
    /// [`Cups::preserves_job_files`]: `cupsctl` reads a local scheduler's
    /// settings from that file.
    pub fn server_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.server_root = Some(dir.into());
        self
    }

    fn command(&self, tool: &str) -> Command {
        let mut c = Command::new(tool);
        // Messages are parsed: keep them in English whatever the locale.
        c.env("LC_ALL", "C").env("LANG", "C").env_remove("LANGUAGE");
        if let Some(s) = &self.server {
            c.env("CUPS_SERVER", s)
                .env_remove("LPDEST")
                .env_remove("PRINTER");
        }
        if let Some(r) = &self.server_root {
            c.env("CUPS_SERVERROOT", r);
        }
        c
    }

    /// Runs `tool args`, with `stdin` written to it (or /dev/null).
    fn run(
        &self,
        tool: &'static str,
        args: &[&str],
        stdin: Option<&[u8]>,
    ) -> Result<Output, PrintError> {
        let mut c = self.command(tool);
        c.args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                PrintError::CupsUnavailable(match tool {
                    "lp" => "lp is not installed (cups-client)",
                    "lpstat" => "lpstat is not installed (cups-client)",
                    "cupsctl" => "cupsctl is not installed (cups-client)",
                    "ipptool" => "ipptool is not installed (cups-ipp-utils)",
                    _ => "a CUPS command is not installed",
                })
            } else {
                PrintError::CupsUnavailable("a CUPS command could not be started")
            }
        })?;
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // lp reads all of stdin before it contacts the scheduler, so
            // writing first cannot deadlock on its (short) output. A write
            // error means the child ended early: its status says why.
            let _ = pipe.write_all(bytes);
            drop(pipe);
        }
        let out = child
            .wait_with_output()
            .map_err(|_| PrintError::CupsUnavailable("a CUPS command could not be waited for"))?;
        Ok(Output {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Whether the scheduler answers (`lpstat -r`).
    pub fn is_running(&self) -> Result<bool, PrintError> {
        let out = self.run("lpstat", &["-r"], None)?;
        Ok(out.stdout.trim() == "scheduler is running")
    }

    fn require_running(&self) -> Result<(), PrintError> {
        if self.is_running()? {
            Ok(())
        } else {
            Err(PrintError::CupsUnavailable(
                "the CUPS scheduler is not running",
            ))
        }
    }

    /// The queues, with which is the default, which are stopped and which
    /// refuse jobs. An empty list when none is set up.
    pub fn queues(&self) -> Result<Vec<Queue>, PrintError> {
        self.require_running()?;
        let out = self.run("lpstat", &["-d", "-p", "-a"], None)?;
        if !out.success {
            if out.stderr.contains("No destinations added") {
                return Ok(Vec::new());
            }
            return Err(command_error("lpstat", &out.stderr));
        }
        Ok(parse_lpstat(&out.stdout))
    }

    /// Sends `pdf` to `queue` (or the default queue) with the neutral title
    /// and no banner page, after checking that the queue exists, runs and
    /// accepts jobs. Returns CUPS's job id; [`Cups::wait`] follows it.
    pub fn print(&self, queue: Option<&str>, pdf: &[u8]) -> Result<JobId, PrintError> {
        if pdf.is_empty() {
            return Err(PrintError::EmptyDocument);
        }
        if !pdf.starts_with(b"%PDF-") {
            return Err(PrintError::NotPdf);
        }
        let queues = self.queues()?;
        if queues.is_empty() {
            return Err(PrintError::NoPrinter);
        }
        let target = match queue {
            Some(name) => {
                if !valid_queue_name(name) {
                    return Err(PrintError::UnknownQueue);
                }
                queues
                    .iter()
                    .find(|q| q.name.eq_ignore_ascii_case(name))
                    .ok_or(PrintError::UnknownQueue)?
            }
            None => queues
                .iter()
                .find(|q| q.is_default)
                .ok_or(PrintError::NoPrinter)?,
        };
        if !target.enabled {
            return Err(PrintError::QueueStopped);
        }
        if !target.accepting {
            return Err(PrintError::QueueRejecting);
        }
        let out = self.run(
            "lp",
            &["-d", &target.name, "-t", JOB_TITLE, "-o", "job-sheets=none"],
            Some(pdf),
        )?;
        if !out.success {
            return Err(command_error("lp", &out.stderr));
        }
        parse_request_id(&out.stdout).ok_or_else(|| PrintError::Refused {
            tool: "lp",
            detail: "no request id in its answer".to_owned(),
        })
    }

    /// The job's state and CUPS's reasons for it (through `ipptool`,
    /// Get-Job-Attributes on the server `lpstat -H` names).
    pub fn job_status(&self, job: &JobId) -> Result<JobStatus, PrintError> {
        let server = self.run("lpstat", &["-H"], None)?;
        let host = server.stdout.trim();
        if !server.success || host.is_empty() {
            return Err(command_error("lpstat", &server.stderr));
        }
        let uri = format!("ipp://{}/jobs/{}", uri_host(host), job.number);
        let out = self.run(
            "ipptool",
            &["-T", "10", "-t", "-v", &uri, "/dev/stdin"],
            Some(IPPTOOL_JOB_STATE.as_bytes()),
        )?;
        if out.stdout.contains("client-error-not-found") {
            return Err(PrintError::UnknownJob);
        }
        if !out.success {
            return Err(command_error("ipptool", &out.stderr));
        }
        parse_ipptool_job(&out.stdout).ok_or_else(|| PrintError::Refused {
            tool: "ipptool",
            detail: "no job-state in its answer".to_owned(),
        })
    }

    /// The job's state.
    pub fn job_state(&self, job: &JobId) -> Result<JobState, PrintError> {
        Ok(self.job_status(job)?.state)
    }

    /// Follows the job for at most `max_polls` looks, calling `pause`
    /// between two looks (the caller chooses the pause: a sleep in the app,
    /// a short one in tests). Returns `Completed` once printed, or the last
    /// state seen when the polls run out (still queued: tell the clerk it is
    /// waiting at the printer). Errors: [`PrintError::JobFailed`] when CUPS
    /// aborts or stops the job, [`PrintError::JobCanceled`],
    /// [`PrintError::QueueStopped`] when the job waits on a stopped queue
    /// (it would never print).
    pub fn wait(
        &self,
        job: &JobId,
        max_polls: u32,
        pause: &mut dyn FnMut(),
    ) -> Result<JobState, PrintError> {
        let polls = max_polls.max(1);
        let mut last = JobState::Pending;
        for i in 0..polls {
            let status = self.job_status(job)?;
            match status.state {
                JobState::Completed => return Ok(JobState::Completed),
                JobState::Aborted | JobState::Stopped => return Err(PrintError::JobFailed),
                JobState::Canceled => return Err(PrintError::JobCanceled),
                JobState::Pending | JobState::Held | JobState::Processing => {}
            }
            // A job waiting on a stopped queue waits for ever (a printer
            // that failed under the error policy stop-printer, or a queue
            // stopped after the job was sent): say so rather than wait.
            if status.state == JobState::Pending
                && (status.reasons.iter().any(|r| r == "printer-stopped")
                    || self.queue_stopped(job.queue())?)
            {
                return Err(PrintError::QueueStopped);
            }
            last = status.state;
            if i + 1 < polls {
                pause();
            }
        }
        Ok(last)
    }

    fn queue_stopped(&self, name: &str) -> Result<bool, PrintError> {
        Ok(self
            .queues()?
            .iter()
            .any(|q| q.name.eq_ignore_ascii_case(name) && !q.enabled))
    }

    /// Whether the scheduler keeps job files (the printed documents) after
    /// the job: CUPS's default keeps them a day. `cupsctl` reads a local
    /// scheduler's `cupsd.conf` (in [`Cups::server_root`], default
    /// `/etc/cups`) without asking for a password.
    pub fn preserves_job_files(&self) -> Result<bool, PrintError> {
        let out = self.run("cupsctl", &[], None)?;
        if !out.success {
            return Err(command_error("cupsctl", &out.stderr));
        }
        Ok(preserves_job_files_in(&out.stdout))
    }
}

/// Whether `cupsctl`'s settings (`Name=value` lines) keep job files: absent
/// means CUPS's default (a day), `No`/`Off`/`False`/`0` means not kept.
pub fn preserves_job_files_in(settings: &str) -> bool {
    let value = settings.lines().rev().find_map(|l| {
        let (k, v) = l.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("PreserveJobFiles")
            .then(|| v.trim().to_ascii_lowercase())
    });
    match value {
        None => true,
        Some(v) => !matches!(v.as_str(), "no" | "off" | "false" | "0"),
    }
}

/// A name CUPS could have given a queue (and that cannot pass for an
/// option on a command line).
fn valid_queue_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 127
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '#' | '\\' | '\'' | '"'))
}

/// An error from a CUPS command's error output.
fn command_error(tool: &'static str, stderr: &str) -> PrintError {
    let lower = stderr.to_ascii_lowercase();
    const DOWN: &[&str] = &[
        "scheduler is not running",
        "scheduler not responding",
        "unable to connect",
        "bad file descriptor",
        "connection refused",
        "host is down",
        "no such file or directory",
    ];
    if DOWN.iter().any(|p| lower.contains(p)) {
        return PrintError::CupsUnavailable("the CUPS scheduler is not reachable");
    }
    if lower.contains("does not exist") || lower.contains("invalid destination") {
        return PrintError::UnknownQueue;
    }
    if lower.contains("not accepting") {
        return PrintError::QueueRejecting;
    }
    let detail: String = stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect();
    PrintError::Refused { tool, detail }
}

/// Parses `lpstat -d -p -a` (locale C).
pub fn parse_lpstat(text: &str) -> Vec<Queue> {
    let mut default = None;
    let mut queues: Vec<Queue> = Vec::new();
    fn entry<'a>(queues: &'a mut Vec<Queue>, name: &str) -> &'a mut Queue {
        let at = match queues.iter().position(|q| q.name == name) {
            Some(i) => i,
            None => {
                queues.push(Queue {
                    name: name.to_owned(),
                    is_default: false,
                    enabled: false,
                    accepting: false,
                });
                queues.len() - 1
            }
        };
        &mut queues[at]
    }
    for line in text.lines() {
        // Indented lines are details of the line before (reasons).
        if line.starts_with(char::is_whitespace) {
            continue;
        }
        if let Some((_, d)) = line.split_once("default destination: ") {
            // `Queue/instance` names an instance of Queue.
            let d = d.trim();
            default = Some(d.split('/').next().unwrap_or(d).to_owned());
            continue;
        }
        let t: Vec<&str> = line.split_whitespace().collect();
        match t.as_slice() {
            ["printer", name, "disabled", ..] => entry(&mut queues, name).enabled = false,
            ["printer", name, "is" | "now", ..] => entry(&mut queues, name).enabled = true,
            [name, "accepting", "requests", ..] => entry(&mut queues, name).accepting = true,
            [name, "not", "accepting", ..] => entry(&mut queues, name).accepting = false,
            _ => {}
        }
    }
    if let Some(d) = default {
        for q in &mut queues {
            q.is_default = q.name.eq_ignore_ascii_case(&d);
        }
    }
    queues
}

/// The job id in `lp`'s answer: `request id is Queue-12 (1 file(s))`.
pub fn parse_request_id(text: &str) -> Option<JobId> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("request id is ")?;
        JobId::parse(rest.split_whitespace().next()?)
    })
}

/// The job's state and reasons in `ipptool -t -v` output.
pub fn parse_ipptool_job(text: &str) -> Option<JobStatus> {
    let mut state = None;
    let mut reasons = Vec::new();
    for line in text.lines() {
        let Some((name, value)) = line.trim().split_once(" = ") else {
            continue;
        };
        let attr = name.split_whitespace().next().unwrap_or("");
        match attr {
            "job-state" => state = JobState::from_ipp(value),
            "job-state-reasons" => {
                reasons = value
                    .split(',')
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty())
                    .collect();
            }
            _ => {}
        }
    }
    Some(JobStatus {
        state: state?,
        reasons,
    })
}

/// The host part of an ipp URI for the server `lpstat -H` names: a domain
/// socket path is percent-encoded (`%2Frun%2Fcups%2Fcups.sock`), as CUPS's
/// own URIs do.
fn uri_host(server: &str) -> String {
    if !server.starts_with('/') {
        return server.to_owned();
    }
    let mut out = String::new();
    for b in server.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lpstat_queues_default_stopped_and_rejecting() {
        let text = "system default destination: Capture\n\
printer Capture is idle.  enabled since Tue Dec  1 17:41:05 2026\n\
printer Fail disabled since Tue Dec  1 17:41:18 2026 -\n\
\tPaused\n\
printer Busy now printing Busy-3.  enabled since Tue Dec  1 17:41:05 2026\n\
Capture accepting requests since Tue Dec  1 17:41:05 2026\n\
Fail accepting requests since Tue Dec  1 17:41:05 2026\n\
Busy not accepting requests since Tue Dec  1 17:41:06 2026 -\n\
\tRejecting Jobs\n";
        let q = parse_lpstat(text);
        assert_eq!(
            q,
            vec![
                Queue {
                    name: "Capture".into(),
                    is_default: true,
                    enabled: true,
                    accepting: true
                },
                Queue {
                    name: "Fail".into(),
                    is_default: false,
                    enabled: false,
                    accepting: true
                },
                Queue {
                    name: "Busy".into(),
                    is_default: false,
                    enabled: true,
                    accepting: false
                },
            ]
        );
        let none = parse_lpstat("no system default destination\nprinter A is idle.  enabled since x\nA accepting requests since x\n");
        assert!(!none[0].is_default);
        // A queue named "printer" is not confused with the line's keyword.
        let odd = parse_lpstat(
            "printer printer is idle.  enabled since x\nprinter accepting requests since x\n",
        );
        assert_eq!(odd.len(), 1);
        assert!(odd[0].enabled && odd[0].accepting);
    }

    #[test]
    fn request_ids() {
        assert_eq!(
            parse_request_id("request id is Capture-12 (1 file(s))\n"),
            Some(JobId::new("Capture", 12))
        );
        assert_eq!(
            parse_request_id("request id is Front-Desk-3 (0 file(s))"),
            Some(JobId::new("Front-Desk", 3))
        );
        assert_eq!(parse_request_id("lp: error"), None);
        assert_eq!(parse_request_id("request id is Capture (1 file(s))"), None);
        assert_eq!(JobId::new("Q", 7).to_string(), "Q-7");
    }

    #[test]
    fn ipptool_job_state() {
        let text = "    /dev/stdin   [PASS]\n        status-code = successful-ok (successful-ok)\n        job-state (enum) = aborted\n        job-state-reasons (keyword) = processing-to-stop-point\n";
        let s = parse_ipptool_job(text).unwrap();
        assert_eq!(s.state, JobState::Aborted);
        assert_eq!(s.reasons, vec!["processing-to-stop-point"]);
        let s = parse_ipptool_job(
            "job-state (enum) = pending\njob-state-reasons (1setOf keyword) = printer-stopped,job-queued\n",
        )
        .unwrap();
        assert_eq!(s.state, JobState::Pending);
        assert_eq!(s.reasons, vec!["printer-stopped", "job-queued"]);
        assert_eq!(parse_ipptool_job("status-code = x"), None);
        assert_eq!(JobState::from_ipp("pending-held"), Some(JobState::Held));
        assert_eq!(JobState::from_ipp("9"), Some(JobState::Completed));
    }

    #[test]
    fn preserve_job_files_setting() {
        assert!(preserves_job_files_in(
            "_debug_logging=0\nWebInterface=Yes\n"
        ));
        assert!(!preserves_job_files_in("PreserveJobFiles=No\n"));
        assert!(!preserves_job_files_in("PreserveJobFiles=off"));
        assert!(preserves_job_files_in("PreserveJobFiles=Yes"));
        assert!(preserves_job_files_in("PreserveJobFiles=1d"));
        assert!(preserves_job_files_in("PreserveJobFiles=86400"));
    }

    #[test]
    fn queue_names_that_could_be_options_are_refused() {
        assert!(valid_queue_name("Capture"));
        assert!(valid_queue_name("Front_Desk-2"));
        assert!(!valid_queue_name("-oraw"));
        assert!(!valid_queue_name(""));
        assert!(!valid_queue_name("a b"));
        assert!(!valid_queue_name("a/b"));
    }

    #[test]
    fn socket_paths_become_uri_hosts() {
        assert_eq!(uri_host("/run/cups/cups.sock"), "%2Frun%2Fcups%2Fcups.sock");
        assert_eq!(uri_host("localhost:631"), "localhost:631");
    }

    #[test]
    fn every_error_has_a_sentence_in_both_languages() {
        let all = [
            PrintError::NoPrinter,
            PrintError::UnknownQueue,
            PrintError::QueueStopped,
            PrintError::QueueRejecting,
            PrintError::JobFailed,
            PrintError::JobCanceled,
            PrintError::UnknownJob,
            PrintError::EmptyDocument,
            PrintError::NotPdf,
            PrintError::CupsUnavailable("x"),
            PrintError::Refused {
                tool: "lp",
                detail: String::new(),
            },
        ];
        for e in all {
            let key = e.message_key();
            assert!(e.code().starts_with("print."));
            assert_eq!(key, format!("error.{}", e.clerk_code()));
            let (en, zh) = e.messages();
            assert!(en.to_lowercase().contains("save"), "{key}: {en}");
            assert!(zh.contains("\u{5132}\u{5b58}"), "{key}: {zh}");
            assert!(
                ehr_i18n::lookup(ehr_i18n::Lang::En, &key).is_some(),
                "{key} missing in en.json"
            );
            assert!(
                ehr_i18n::lookup(ehr_i18n::Lang::ZhHk, &key).is_some(),
                "{key} missing in zh-HK.json"
            );
        }
    }

    #[test]
    fn command_errors() {
        assert_eq!(
            command_error("lpstat", "lpstat: Scheduler is not running.").code(),
            "print.cups_unavailable"
        );
        assert_eq!(
            command_error("lp", "lp: Error - The printer or class does not exist.").code(),
            "print.unknown_queue"
        );
        assert_eq!(
            command_error("lp", "lp: something else\nmore").to_string(),
            "the printing system refused: lp (lp: something else)"
        );
    }
}
