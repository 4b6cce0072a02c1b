//! The end-to-end harness: the built desktop app in a private X server,
//! driven through tauri-driver and WebKitWebDriver.
//!
//! Each test gets its own Xvfb display (chosen by Xvfb through
//! `-displayfd`), its own D-Bus session bus, its own data folder, and its own
//! tauri-driver on free ports. [`run`] takes a screenshot of the final screen
//! under `target/e2e-screenshots/<test>.png` whether the test passes or
//! fails, and every process the harness started is stopped when the
//! [`Harness`] is dropped, including on a panic.
//!
//! Tests run one at a time: the app is single-instance per D-Bus session, and
//! two WebKit instances do not fit comfortably on a 2-core machine.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::workspace;

static SERIAL: Mutex<()> = Mutex::new(());

/// What a test needs to know about the environment the app runs in, for
/// example to start a second copy of the app beside the driven one.
#[derive(Debug, Clone)]
pub struct AppEnv {
    /// The X display of this test, such as `:99`.
    pub display: String,
    /// The D-Bus session bus address of this test.
    pub dbus_address: String,
    /// The app's data folder for this test.
    pub data_dir: PathBuf,
    /// The app binary under test.
    pub binary: PathBuf,
    /// The folder for this test's logs.
    pub log_dir: PathBuf,
    /// Extra environment for the app (for example the central service URL).
    pub extra_env: Vec<(String, String)>,
}

impl AppEnv {
    /// A command for the app binary with this test's display, bus and data folder.
    pub fn app_command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        self.apply(&mut cmd);
        cmd
    }

    /// Where this run's app writes its structured logs: under the suite's
    /// log folder, one folder per run.
    pub fn app_log_dir(&self) -> PathBuf {
        let run = self
            .data_dir
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".to_owned());
        self.log_dir.join("app").join(run)
    }

    fn apply(&self, cmd: &mut Command) {
        cmd.env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.dbus_address)
            .env("EHR_COUNTER_DATA_DIR", &self.data_dir)
            .env("XDG_DATA_HOME", self.data_dir.join("xdg-data"))
            .env("XDG_CACHE_HOME", self.data_dir.join("xdg-cache"))
            .env("XDG_CONFIG_HOME", self.data_dir.join("xdg-config"))
            // The app's own logs, kept with the run's, for the scan for
            // personal data after the suite (tests/log_scan.rs).
            .env("EHR_LOG_DIR", self.app_log_dir())
            .env("EHR_LOG", "debug")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("EHR_CENTRAL_URL")
            .env_remove("EHR_TRAINING")
            .env_remove("EHR_COUNTER_KEY")
            // The private bus has no unlocked keyring: the store key goes in
            // its file (the keyring itself is tested in crates/ehr-store).
            .env("EHR_COUNTER_KEYRING", "off");
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
    }
}

/// Xvfb on a free display it chooses, 1280×800, no TCP: it prints the
/// display's number on its standard output when ready.
pub fn xvfb_command() -> Command {
    let mut c = Command::new("Xvfb");
    c.args([
        "-displayfd",
        "1",
        "-screen",
        "0",
        "1280x800x24",
        "-nolisten",
        "tcp",
    ]);
    c
}

/// A process group the harness started; stopped on drop.
pub(crate) struct Group {
    child: Child,
}

impl Group {
    pub(crate) fn spawn(name: &'static str, cmd: &mut Command) -> Result<Group, String> {
        // Its own process group, so stopping it also stops what it started
        // (tauri-driver starts WebKitWebDriver, which starts the app).
        cmd.process_group(0);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Group { child })
    }

    fn signal_group(&self, sig: &str) {
        let _ = Command::new("kill")
            .args(["-s", sig, "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
    }

    /// SIGKILL the whole group now, and reap it.
    pub(crate) fn kill_now(mut self) {
        self.signal_group("KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub(crate) fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // SIGTERM first: tauri-driver cleans up WebKitWebDriver on TERM, and a
        // hard kill of it once left an orphan that hung a run. Then KILL
        // whatever of the group is left.
        self.signal_group("TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.exited() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.signal_group("KILL");
        if !self.exited() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The processes of one end-to-end test. Dropping it stops them all (in
/// reverse order of start) and removes the test's data folder.
pub struct Harness {
    // Field order is drop order: the driver (and the app) before the bus and
    // the X server they use.
    _driver: Group,
    _dbus: Group,
    _xvfb: Group,
    driver_port: u16,
    env: AppEnv,
    tmp: PathBuf,
}

pub(crate) fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn first_line(child: &mut Child, what: &str) -> Result<String, String> {
    let out = child
        .stdout
        .take()
        .ok_or_else(|| format!("{what}: no stdout"))?;
    let mut line = String::new();
    BufReader::new(out)
        .read_line(&mut line)
        .map_err(|e| format!("{what}: {e}"))?;
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err(format!("{what} exited before it was ready"));
    }
    Ok(line)
}

fn require_tool(name: &str) -> Result<(), String> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    if found {
        Ok(())
    } else {
        Err(format!(
            "{name} is not installed: run `bash scripts/setup.sh` (the README's set-up) first"
        ))
    }
}

impl Harness {
    /// Start Xvfb, a session bus and tauri-driver for the test `name`.
    pub fn start(name: &str) -> Result<Harness, String> {
        Harness::start_with(name, Vec::new())
    }

    /// [`Harness::start`], with extra environment for the app.
    pub fn start_with(name: &str, extra_env: Vec<(String, String)>) -> Result<Harness, String> {
        for tool in ["Xvfb", "dbus-daemon", "tauri-driver", "WebKitWebDriver"] {
            require_tool(tool)?;
        }
        let binary = workspace::app_binary();
        if !binary.is_file() {
            return Err(format!(
                "the app binary {} does not exist: build it with `cargo build -p ehr-counter` (the test command does)",
                binary.display()
            ));
        }
        let tmp = std::env::temp_dir().join(format!("ehr-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| format!("temp folder: {e}"))?;
        let log_dir = workspace::target_dir().join("e2e-logs");
        std::fs::create_dir_all(&log_dir).map_err(|e| format!("log folder: {e}"))?;

        let mut xvfb = Group::spawn(
            "Xvfb",
            xvfb_command()
                .stdout(Stdio::piped())
                .stderr(log_file(&log_dir, name, "xvfb")?),
        )?;
        let display = format!(":{}", first_line(&mut xvfb.child, "Xvfb")?);

        let mut dbus = Group::spawn(
            "dbus-daemon",
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--nopidfile", "--print-address"])
                .stdout(Stdio::piped())
                .stderr(log_file(&log_dir, name, "dbus")?),
        )?;
        let dbus_address = first_line(&mut dbus.child, "dbus-daemon")?;

        let env = AppEnv {
            display,
            dbus_address,
            data_dir: tmp.join("data"),
            binary,
            log_dir: log_dir.clone(),
            extra_env,
        };
        let driver_port = free_port()?;
        let native_port = free_port()?;
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &driver_port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .stdout(log_file(&log_dir, name, "driver")?)
        .stderr(log_file(&log_dir, name, "driver.err")?);
        env.apply(&mut cmd);
        let mut driver = Group::spawn("tauri-driver", &mut cmd)?;

        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", driver_port)).is_err() {
            if driver.exited() {
                return Err(format!(
                    "tauri-driver exited at start; see {}",
                    log_dir.join(format!("{name}.driver.err.log")).display()
                ));
            }
            if Instant::now() > deadline {
                return Err("tauri-driver did not listen within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Harness {
            _driver: driver,
            _dbus: dbus,
            _xvfb: xvfb,
            driver_port,
            env,
            tmp,
        })
    }

    /// The environment the app runs in.
    pub fn env(&self) -> &AppEnv {
        &self.env
    }

    /// Open a WebDriver session: this launches the app and loads its page.
    pub async fn connect(&self) -> Result<Client, String> {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": self.env.binary }),
        );
        caps.insert("browserName".into(), "wry".into());
        // tauri-driver listens before its WebKitWebDriver does, so the first
        // attempts may find nobody behind it: retry for a while.
        let url = format!("http://127.0.0.1:{}", self.driver_port);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // An app that never shows its window would hold the session's
            // creation for ever: bounded, so such a test fails instead.
            let attempt = tokio::time::timeout(
                Duration::from_secs(90),
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url),
            )
            .await
            .map_err(|_| "the app did not open its window within 90 s".to_owned())?;
            match attempt {
                Ok(client) => return Ok(client),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("WebDriver session (app launch) failed: {e}"))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // The process groups stop after this, in field order: the driver
        // (with the app) first, then the bus and the X server.
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

fn log_file(dir: &Path, test: &str, what: &str) -> Result<std::fs::File, String> {
    std::fs::File::create(dir.join(format!("{test}.{what}.log")))
        .map_err(|e| format!("log file: {e}"))
}

/// Where the final screenshot of test `name` is saved.
pub fn screenshot_path(name: &str) -> PathBuf {
    workspace::target_dir()
        .join("e2e-screenshots")
        .join(format!("{name}.png"))
}

/// Run one end-to-end test: start the harness, launch the app, run `body`,
/// save a screenshot of the final screen, end the session and stop every
/// process. A panic in `body` fails the test after the clean-up.
pub fn run<F, Fut>(name: &str, body: F)
where
    F: FnOnce(Client, AppEnv) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_with(name, Vec::new(), body)
}

/// [`run`], with extra environment for the app.
pub fn run_with<F, Fut>(name: &str, extra_env: Vec<(String, String)>, body: F)
where
    F: FnOnce(Client, AppEnv) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let harness = match Harness::start_with(name, extra_env) {
        Ok(h) => h,
        Err(e) => panic!("e2e harness for {name}: {e}"),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("tokio runtime: {e}"),
    };
    let env = harness.env().clone();
    let outcome = rt.block_on(async {
        let client = harness.connect().await?;
        let result = tokio::spawn(body(client.clone(), env)).await;
        let shot = screenshot_path(name);
        // WebKit paints asynchronously: wait for two animation frames and a
        // short settle, or the picture can show a state from before the
        // test's last steps.
        // A screen that no longer changes may paint no new frame, and WebKit
        // answers neither a frame wait nor a screenshot until it does: both
        // are bounded, so a still screen costs a missing picture, not a hung
        // suite.
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            client.execute_async(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true))); setTimeout(() => done(true), 500);",
                vec![],
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = tokio::time::timeout(Duration::from_secs(10), client.screenshot())
            .await
            .unwrap_or_else(|_| Err(fantoccini::error::CmdError::WaitTimeout));
        match png {
            Ok(png) => {
                if let Some(dir) = shot.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                if let Err(e) = std::fs::write(&shot, png) {
                    eprintln!("{name}: cannot save screenshot: {e}");
                } else {
                    eprintln!("{name}: final screen saved to {}", shot.display());
                }
            }
            Err(e) => eprintln!("{name}: no screenshot: {e}"),
        }
        // Deleting the session ends the app (bounded: dropping the harness
        // ends it anyway).
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        Ok::<_, String>(result)
    });
    drop(rt);
    drop(harness);
    match outcome {
        Err(setup) => panic!("{name}: {setup}"),
        Ok(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Ok(Err(join)) => panic!("{name}: test task failed: {join}"),
        Ok(Ok(())) => {}
    }
}

/// Poll until `locator` finds an element (WebDriver's implicit wait is 0, and
/// `invoke` is asynchronous), or fail after `timeout`.
pub async fn wait_for(
    client: &Client,
    locator: Locator<'_>,
    timeout: Duration,
) -> fantoccini::elements::Element {
    let deadline = Instant::now() + timeout;
    loop {
        match client.find(locator).await {
            Ok(e) => return e,
            Err(err) if Instant::now() > deadline => {
                panic!("element {locator:?} did not appear within {timeout:?}: {err}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Poll until the text of the element at `locator` satisfies `pred`.
pub async fn wait_for_text(
    client: &Client,
    locator: Locator<'_>,
    timeout: Duration,
    pred: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        if let Ok(e) = client.find(locator).await {
            if let Ok(t) = e.text().await {
                if pred(&t) {
                    return t;
                }
                last = t;
            }
        }
        if Instant::now() > deadline {
            panic!("text of {locator:?} never matched within {timeout:?}; last seen: {last:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The names of the top-level windows on `display`, read with xwininfo: this
/// is what the window manager and the clerk see, not the page's title.
pub fn window_names(display: &str) -> Result<Vec<String>, String> {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree", "-display", display])
        .output()
        .map_err(|e| format!("xwininfo: {e} (install x11-utils)"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .filter_map(|l| {
            let start = l.find('"')? + 1;
            let len = l[start..].find('"')?;
            Some(l[start..start + len].to_owned())
        })
        .collect())
}
