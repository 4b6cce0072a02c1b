//! A pcscd of the test's own, with two vpcd virtual readers on private ports.
//!
//! pcscd allows one daemon per machine (its socket and pid file are fixed),
//! so tests that use it take [`Pcscd::start`]'s lock and run one at a time.
//! The daemon reads a private reader.conf folder (`pcscd -c`): the readers
//! are named `EHR Test Reader 00 00` and `EHR Test Reader 00 01`, fed on a
//! pair of free ports chosen at each start, never the well-known vpcd ports.
//! (vpcd binds without SO_REUSEADDR, so a fixed port can still be in
//! TIME_WAIT from the previous daemon and make the reader fail to start.)

use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::harness::Group;
use crate::workspace;

static ONE_PCSCD: Mutex<()> = Mutex::new(());

/// pcscd's fixed socket.
pub const SOCKET: &str = "/run/pcscd/pcscd.comm";
/// The names the two private readers get.
pub const READERS: [&str; 2] = ["EHR Test Reader 00 00", "EHR Test Reader 00 01"];

/// A running pcscd; stopped on drop.
pub struct Pcscd {
    group: Option<Group>,
    base_port: u16,
    conf: PathBuf,
    _lock: Option<MutexGuard<'static, ()>>,
}

impl Pcscd {
    /// The vpcd address for reader `i` (0 or 1) of the running daemon.
    pub fn reader_addr(&self, i: usize) -> String {
        format!("127.0.0.1:{}", self.base_port + i as u16)
    }

    /// Wait until pcscd itself reports reader `i` empty (a card taken out
    /// is noticed on pcscd's next poll: one put in before that would look
    /// like the same card still there, and nobody would read it).
    pub fn wait_empty(i: usize, timeout: Duration) -> Result<(), String> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(|e| e.to_string())?;
        let name = std::ffi::CString::new(READERS[i]).map_err(|e| e.to_string())?;
        let deadline = Instant::now() + timeout;
        loop {
            let mut states = [pcsc::ReaderState::new(
                name.as_c_str(),
                pcsc::State::UNAWARE,
            )];
            ctx.get_status_change(Duration::from_millis(0), &mut states)
                .map_err(|e| e.to_string())?;
            if states[0].event_state().contains(pcsc::State::EMPTY) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{} still holds a card", READERS[i]));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Start pcscd with the private readers and wait until both are listed.
    pub fn start() -> Result<Pcscd, String> {
        let lock = ONE_PCSCD.lock().unwrap_or_else(|p| p.into_inner());
        let mut p = Pcscd {
            group: None,
            base_port: 0,
            conf: PathBuf::new(),
            _lock: Some(lock),
        };
        p.spawn()?;
        Ok(p)
    }

    /// Stop pcscd (as a crash or a service restart would) and start it again.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        self.spawn()
    }

    /// Stop pcscd, keeping the lock; [`Pcscd::restart`] brings it back.
    pub fn stop(&mut self) {
        self.group = None;
        let deadline = Instant::now() + Duration::from_secs(5);
        while UnixStream::connect(SOCKET).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        if UnixStream::connect(SOCKET).is_ok() {
            return Err(format!(
                "another pcscd is running (it answers on {SOCKET}); stop it (`pkill pcscd`) so the tests can run their own"
            ));
        }
        for tool in ["pcscd"] {
            if Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .map(|o| !o.status.success())
                .unwrap_or(true)
            {
                return Err(format!(
                    "{tool} is not installed: run `bash scripts/setup.sh`"
                ));
            }
        }
        let driver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
        if !std::path::Path::new(driver).exists() {
            return Err(format!(
                "{driver} is missing: install vsmartcard-vpcd (`bash scripts/setup.sh`)"
            ));
        }
        let base = free_port_pair()?;
        let conf = std::env::temp_dir().join(format!("ehr-pcscd-{}", std::process::id()));
        std::fs::create_dir_all(&conf).map_err(|e| e.to_string())?;
        std::fs::write(
            conf.join("ehr-vpcd"),
            format!(
                "FRIENDLYNAME \"EHR Test Reader\"\nDEVICENAME   /dev/null:0x{base:04X}\nLIBPATH      {driver}\nCHANNELID    0x{base:04X}\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        let logs = workspace::target_dir().join("pcscd-logs");
        std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs.join("pcscd.log"))
            .map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new("pcscd");
        cmd.args(["--foreground", "--config"])
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let mut group = Group::spawn("pcscd", &mut cmd)?;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if group.exited() {
                return Err("pcscd exited at start; see target/pcscd-logs/pcscd.log".into());
            }
            if let Ok(ctx) = pcsc::Context::establish(pcsc::Scope::User) {
                if let Ok(names) = ctx.list_readers_owned() {
                    let names: Vec<String> = names
                        .iter()
                        .map(|n| n.to_string_lossy().into_owned())
                        .collect();
                    if READERS.iter().all(|r| names.iter().any(|n| n == r)) {
                        break;
                    }
                }
            }
            if Instant::now() > deadline {
                return Err("pcscd did not list the private readers within 15 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.group = Some(group);
        self.base_port = base;
        self.conf = conf;
        Ok(())
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
        if !self.conf.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.conf);
        }
    }
}

/// Two consecutive ports that are free on all addresses (vpcd binds 0.0.0.0).
fn free_port_pair() -> Result<u16, String> {
    use std::net::TcpListener;
    for _ in 0..50 {
        let probe = TcpListener::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
        let p = probe.local_addr().map_err(|e| e.to_string())?.port();
        drop(probe);
        if p == u16::MAX {
            continue;
        }
        let both = TcpListener::bind(("0.0.0.0", p))
            .and_then(|a| TcpListener::bind(("0.0.0.0", p + 1)).map(|b| (a, b)));
        if both.is_ok() {
            return Ok(p);
        }
    }
    Err("no two consecutive free ports for the virtual readers".into())
}
