//! A private cupsd for tests: never the system's. Root only (cupsd runs
//! backends as root only when they are root-owned and 0700, and needs to
//! own its spool); CI runs as root.
//!
//! Everything lives in one 0700 temporary folder that [`PrivateCupsd`]'s
//! `Drop` kills the daemon for and removes:
//!
//! ```text
//! etc/      ServerRoot: cupsd.conf, cups-files.conf, printers.conf
//! cups.sock the only Listen (no TCP port)
//! spool/    RequestRoot (job files d*, job history c*), spool/tmp
//! state/ cache/ log/
//! lib/      ServerBin: links to /usr/lib/cups/{filter,…} and backend/
//!           with links to the system's backends plus two of ours:
//!           capture (copies the job's bytes to capture/job-N.bin)
//!           and fail (exits 1, as a broken printer's backend does)
//! capture/  what the capture backend received
//! ```
//!
//! Queues are raw (no filter: the bytes sent are the bytes the backend
//! gets), with the error policy `abort-job`.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::Cups;

/// The system's cupsd binary.
pub const CUPSD: &str = "/usr/sbin/cupsd";
const SYSTEM_SERVER_BIN: &str = "/usr/lib/cups";

/// How the private cupsd is configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `false` writes `PreserveJobFiles No` (the counter set-up); `true`
    /// leaves CUPS's default (job files kept a day).
    pub preserve_job_files: bool,
}

/// A running private cupsd and its folder.
#[derive(Debug)]
pub struct PrivateCupsd {
    dir: PathBuf,
    child: Option<Child>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|u| u.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

fn mkdir(p: &Path, mode: u32) -> Result<(), String> {
    fs::DirBuilder::new()
        .mode(mode)
        .create(p)
        .map_err(|e| format!("cannot create {}: {e}", p.display()))
}

fn write(p: &Path, text: &str, mode: u32) -> Result<(), String> {
    fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    fs::set_permissions(p, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot chmod {}: {e}", p.display()))
}

fn link(from: &Path, to: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(from, to)
        .map_err(|e| format!("cannot link {} to {}: {e}", to.display(), from.display()))
}

impl PrivateCupsd {
    /// Starts a private cupsd with `PreserveJobFiles No`.
    pub fn start() -> Result<Self, String> {
        Self::start_with(Options::default())
    }

    /// Starts a private cupsd and waits (at most 10 s) until it answers.
    /// The error says plainly why it could not (not root, cupsd missing,
    /// cupsd's own log).
    pub fn start_with(options: Options) -> Result<Self, String> {
        if !is_root() {
            return Err(
                "a private cupsd needs root (its backends run as root, and it owns its spool); \
                 run these tests as root, as CI does"
                    .to_owned(),
            );
        }
        if !Path::new(CUPSD).exists() {
            return Err(format!(
                "{CUPSD} is missing: install the cups and cups-client packages (scripts/setup.sh)"
            ));
        }
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ehr-cupsd-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        mkdir(&dir, 0o700)?;
        // From here on, Drop removes the folder whatever fails.
        let mut me = PrivateCupsd { dir, child: None };
        me.lay_out(options)?;
        me.spawn()?;
        Ok(me)
    }

    fn lay_out(&self, options: Options) -> Result<(), String> {
        let d = &self.dir;
        for sub in [
            "etc",
            "spool",
            "spool/tmp",
            "state",
            "cache",
            "log",
            "lib",
            "lib/backend",
            "capture",
        ] {
            mkdir(&d.join(sub), 0o700)?;
        }
        for sub in [
            "filter", "cgi-bin", "daemon", "monitor", "notifier", "driver",
        ] {
            let system = Path::new(SYSTEM_SERVER_BIN).join(sub);
            if system.exists() {
                link(&system, &d.join("lib").join(sub))?;
            }
        }
        let system_backends = Path::new(SYSTEM_SERVER_BIN).join("backend");
        if let Ok(entries) = fs::read_dir(&system_backends) {
            for e in entries.flatten() {
                link(&e.path(), &d.join("lib/backend").join(e.file_name()))?;
            }
        }
        let capture = d.join("capture");
        write(
            &d.join("lib/backend/capture"),
            &format!(
                "#!/bin/sh\n\
                 # Test backend: copies the job's bytes, as received, to capture/job-N.bin.\n\
                 if [ $# -eq 0 ]; then echo 'direct capture \"Unknown\" \"eHR test capture\"'; exit 0; fi\n\
                 out='{cap}'/job-\"$1\"\n\
                 if [ -n \"$6\" ]; then cp \"$6\" \"$out.part\"; else cat > \"$out.part\"; fi || exit 1\n\
                 mv \"$out.part\" \"$out.bin\"\n",
                cap = capture.display()
            ),
            0o700,
        )?;
        write(
            &d.join("lib/backend/fail"),
            "#!/bin/sh\n\
             # Test backend: a printer that fails every job.\n\
             if [ $# -eq 0 ]; then echo 'direct fail \"Unknown\" \"eHR test failing printer\"'; exit 0; fi\n\
             echo 'ERROR: test printer fails on purpose' >&2\n\
             exit 1\n",
            0o700,
        )?;
        let preserve = if options.preserve_job_files {
            "# PreserveJobFiles left at CUPS's default (kept a day)\n"
        } else {
            "PreserveJobFiles No\n"
        };
        write(
            &d.join("etc/cupsd.conf"),
            &format!(
                "LogLevel debug\n\
                 Listen {sock}\n\
                 Browsing No\n\
                 WebInterface No\n\
                 {preserve}\
                 PreserveJobHistory Yes\n\
                 ErrorPolicy abort-job\n\
                 JobRetryLimit 0\n\
                 DirtyCleanInterval 0\n\
                 <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
                sock = self.socket().display()
            ),
            0o600,
        )?;
        write(
            &d.join("etc/cups-files.conf"),
            &format!(
                "ServerRoot {d}/etc\n\
                 RequestRoot {d}/spool\n\
                 TempDir {d}/spool/tmp\n\
                 StateDir {d}/state\n\
                 CacheDir {d}/cache\n\
                 ServerBin {d}/lib\n\
                 AccessLog {d}/log/access_log\n\
                 ErrorLog {d}/log/error_log\n\
                 PageLog {d}/log/page_log\n\
                 SystemGroup root\n\
                 PeerCred on\n\
                 FileDevice No\n",
                d = d.display()
            ),
            0o600,
        )?;
        Ok(())
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log = fs::File::create(self.dir.join("log/cupsd.out"))
            .map_err(|e| format!("cannot create cupsd's log: {e}"))?;
        let log2 = log
            .try_clone()
            .map_err(|e| format!("cannot clone cupsd's log: {e}"))?;
        let child = Command::new(CUPSD)
            .arg("-f")
            .arg("-c")
            .arg(self.dir.join("etc/cupsd.conf"))
            .arg("-s")
            .arg(self.dir.join("etc/cups-files.conf"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| format!("cannot start {CUPSD}: {e}"))?;
        self.child = Some(child);
        let cups = self.cups();
        let start = Instant::now();
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    self.child = None;
                    return Err(format!(
                        "the private cupsd exited at start ({status}): {}",
                        self.logs()
                    ));
                }
            }
            if self.socket().exists() && cups.is_running().unwrap_or(false) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(10) {
                return Err(format!(
                    "the private cupsd did not answer within 10 s: {}",
                    self.logs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// cupsd's output and error log, for failure messages.
    pub fn logs(&self) -> String {
        let out = fs::read_to_string(self.dir.join("log/cupsd.out")).unwrap_or_default();
        let err = fs::read_to_string(self.dir.join("log/error_log")).unwrap_or_default();
        let tail: Vec<&str> = err.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("{out}\n{}", tail.join("\n"))
    }

    /// The daemon's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its domain socket (`CUPS_SERVER`).
    pub fn socket(&self) -> PathBuf {
        self.dir.join("cups.sock")
    }

    /// Its ServerRoot (`CUPS_SERVERROOT`: where cupsctl reads cupsd.conf).
    pub fn server_root(&self) -> PathBuf {
        self.dir.join("etc")
    }

    /// Its spool (RequestRoot).
    pub fn spool(&self) -> PathBuf {
        self.dir.join("spool")
    }

    /// [`Cups`] pointed at this daemon.
    pub fn cups(&self) -> Cups {
        Cups::with_server(self.socket().to_string_lossy().into_owned())
            .server_root(self.server_root())
    }

    /// Runs a CUPS command (`lpadmin`, `cupsdisable`…) against this daemon;
    /// its output, or an error with its output.
    pub fn tool(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let out = Command::new(program)
            .args(args)
            .env("CUPS_SERVER", self.socket())
            .env("CUPS_SERVERROOT", self.server_root())
            .env("LC_ALL", "C")
            .env_remove("LPDEST")
            .env_remove("PRINTER")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            Ok(text)
        } else {
            Err(format!("{program} {args:?} failed: {text}"))
        }
    }

    /// Adds a raw queue `name` on the capture backend.
    pub fn add_capture_queue(&self, name: &str) -> Result<(), String> {
        self.add_queue(name, "capture:/")
    }

    /// Adds a raw queue `name` whose backend fails every job (error policy
    /// abort-job: CUPS aborts the job).
    pub fn add_failing_queue(&self, name: &str) -> Result<(), String> {
        self.add_queue(name, "fail:/")
    }

    fn add_queue(&self, name: &str, device: &str) -> Result<(), String> {
        self.tool(
            "lpadmin",
            &[
                "-p",
                name,
                "-E",
                "-v",
                device,
                "-m",
                "raw",
                "-o",
                "printer-error-policy=abort-job",
            ],
        )
        .map(|_| ())
    }

    /// Makes `name` the default queue.
    pub fn set_default(&self, name: &str) -> Result<(), String> {
        self.tool("lpadmin", &["-d", name]).map(|_| ())
    }

    /// What the capture backend received for job `number`, if anything.
    pub fn captured(&self, number: u32) -> Option<Vec<u8>> {
        fs::read(self.dir.join(format!("capture/job-{number}.bin"))).ok()
    }

    /// Every file the capture backend wrote.
    pub fn captures(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(self.dir.join("capture"))
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Every file under the spool, with its contents.
    pub fn spool_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(d: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            let Ok(entries) = fs::read_dir(d) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if let Ok(bytes) = fs::read(&p) {
                    out.push((p, bytes));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.spool(), &mut out);
        out.sort();
        out
    }

    /// One attribute of job `number` as CUPS answers an administrator
    /// (`ipptool` Get-Job-Attributes as root), e.g. `job-name`.
    pub fn job_attribute(&self, number: u32, attribute: &str) -> Result<String, String> {
        let test = format!(
            "{{\n  OPERATION Get-Job-Attributes\n  GROUP operation-attributes-tag\n  \
             ATTR charset attributes-charset utf-8\n  \
             ATTR naturalLanguage attributes-natural-language en\n  \
             ATTR uri job-uri $uri\n  ATTR name requesting-user-name root\n  \
             ATTR keyword requested-attributes {attribute}\n  STATUS successful-ok\n}}\n"
        );
        let file = self.dir.join("job-attribute.test");
        fs::write(&file, test).map_err(|e| format!("cannot write the ipptool test: {e}"))?;
        let sock: String = self.socket().to_string_lossy().replace('/', "%2F");
        let uri = format!("ipp://{sock}/jobs/{number}");
        let out = self.tool("ipptool", &["-t", "-v", &uri, &file.to_string_lossy()])?;
        out.lines()
            .find_map(|l| {
                let (name, value) = l.trim().split_once(" = ")?;
                (name.split_whitespace().next() == Some(attribute)).then(|| value.to_owned())
            })
            .ok_or_else(|| format!("no {attribute} in ipptool's answer: {out}"))
    }

    /// Stops the daemon (the folder stays until drop).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for PrivateCupsd {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}
