//! A real Secret Service that never answers: gnome-keyring on a private
//! session bus, its login keyring locked, its prompts sent to a prompter
//! that swallows every call (`dbus-test-tool black-hole`). A client that
//! asks for a secret gets a prompt and waits for its `Completed` signal;
//! once the client's `Prompt` call has been answered, gnome-keyring is
//! stopped (SIGSTOP), so that signal cannot come until the test says so
//! ([`PromptingKeyring::answer`]). Nothing here waits for a guessed time:
//! the stop follows the bus traffic, seen through `dbus-monitor`.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The keyring, its bus and its helpers; all stopped on drop.
pub struct PromptingKeyring {
    /// The private session bus's address, for the client.
    pub address: String,
    bus: Child,
    keyring: Child,
    prompter: Child,
    monitor: Child,
    stopped: Arc<AtomicBool>,
    home: PathBuf,
}

fn spawn(cmd: &mut Command, what: &str) -> Result<Child, String> {
    cmd.spawn()
        .map_err(|e| format!("{what}: {e} (installed by scripts/setup.sh)"))
}

fn gnome_keyring(address: &str, home: &std::path::Path, unlock: bool) -> Result<Child, String> {
    let mut cmd = Command::new("gnome-keyring-daemon");
    cmd.args(["--foreground", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if unlock {
        cmd.arg("--unlock");
    }
    let mut child = spawn(&mut cmd, "gnome-keyring-daemon")?;
    let mut stdin = child.stdin.take().ok_or("stdin")?;
    if unlock {
        stdin
            .write_all(b"keyring-test-password")
            .map_err(|e| e.to_string())?;
    }
    drop(stdin);
    Ok(child)
}

fn has_owner(address: &str, name: &str) -> bool {
    Command::new("dbus-send")
        .args([
            &format!("--bus={address}"),
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
}

fn wait_owner(address: &str, name: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !has_owner(address, name) {
        if Instant::now() > deadline {
            return Err(format!("{name} never appeared on the bus"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
}

/// `key=value` from a `dbus-monitor` header line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split([' ', ';'])
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

impl PromptingKeyring {
    /// Start it; returns once the keyring and the prompter hold their names.
    pub fn start(name: &str) -> Result<PromptingKeyring, String> {
        let mut bus = spawn(
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
            "dbus-daemon",
        )?;
        let mut address = String::new();
        BufReader::new(bus.stdout.take().ok_or("bus stdout")?)
            .read_line(&mut address)
            .map_err(|e| e.to_string())?;
        let address = address.trim().to_owned();
        let home = std::env::temp_dir().join(format!("ehr-keyring-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
        // A login keyring with a password, then the daemon again without
        // it: the keyring exists and is locked.
        let mut first = gnome_keyring(&address, &home, true)?;
        wait_owner(&address, "org.freedesktop.secrets")?;
        let created = Instant::now() + Duration::from_secs(30);
        while !home.join("data/keyrings/login.keyring").exists() {
            // The login keyring is written on the first use of the service.
            let _ = Command::new("dbus-send")
                .args([
                    &format!("--bus={address}"),
                    "--print-reply",
                    "--dest=org.freedesktop.secrets",
                    "/org/freedesktop/secrets",
                    "org.freedesktop.DBus.Properties.Get",
                    "string:org.freedesktop.Secret.Service",
                    "string:Collections",
                ])
                .output();
            if Instant::now() > created {
                let _ = first.kill();
                return Err("gnome-keyring never wrote its login keyring".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = first.kill();
        let _ = first.wait();
        let deadline = Instant::now() + Duration::from_secs(30);
        while has_owner(&address, "org.freedesktop.secrets") {
            if Instant::now() > deadline {
                return Err("the first gnome-keyring never left the bus".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let prompter = spawn(
            Command::new("dbus-test-tool")
                .args([
                    "black-hole",
                    "--session",
                    "--name=org.gnome.keyring.SystemPrompter",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            "dbus-test-tool",
        )?;
        wait_owner(&address, "org.gnome.keyring.SystemPrompter")?;
        let mut monitor = spawn(
            Command::new("dbus-monitor")
                .args(["--address", &address])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
            "dbus-monitor",
        )?;
        let keyring = gnome_keyring(&address, &home, false)?;
        wait_owner(&address, "org.freedesktop.secrets")?;
        // Stop the keyring as soon as a client's Prompt call is answered:
        // the client then waits for a signal only a running keyring sends.
        let stopped = Arc::new(AtomicBool::new(false));
        let out = monitor.stdout.take().ok_or("monitor stdout")?;
        let (flag, pid) = (stopped.clone(), keyring.id());
        std::thread::spawn(move || {
            let mut asked: Vec<(String, String)> = Vec::new();
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if line.starts_with("method call")
                    && line.contains("interface=org.freedesktop.Secret.Prompt")
                    && line.contains("member=Prompt")
                {
                    if let (Some(s), Some(n)) = (field(&line, "sender"), field(&line, "serial")) {
                        asked.push((s.to_owned(), n.to_owned()));
                    }
                } else if line.starts_with("method return") {
                    let to = line
                        .split(" -> destination=")
                        .nth(1)
                        .and_then(|r| r.split(' ').next());
                    let answered = asked.iter().any(|(s, n)| {
                        Some(s.as_str()) == to && field(&line, "reply_serial") == Some(n)
                    });
                    if answered && !flag.load(Ordering::SeqCst) {
                        signal(pid, "-STOP");
                        flag.store(true, Ordering::SeqCst);
                    }
                }
            }
        });
        Ok(PromptingKeyring {
            address,
            bus,
            keyring,
            prompter,
            monitor,
            stopped,
            home,
        })
    }

    /// Whether a client is waiting on a prompt that cannot complete now.
    pub fn holding_a_client(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Let the keyring run again: the prompt fails (nobody can answer it)
    /// and the waiting client gets its answer.
    pub fn answer(&self) {
        signal(self.keyring.id(), "-CONT");
    }
}

impl Drop for PromptingKeyring {
    fn drop(&mut self) {
        for c in [
            &mut self.monitor,
            &mut self.keyring,
            &mut self.prompter,
            &mut self.bus,
        ] {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}
