//! A real ehr-central process on loopback, seeded with the demo data, for
//! tests that need the central service (sign-in, lookups).

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{free_port, Group};
use crate::workspace;

/// A running ehr-central; stopped (and its data removed) on drop.
pub struct Central {
    _server: Group,
    dir: PathBuf,
    /// The base URL, for example `http://127.0.0.1:41234`.
    pub url: String,
    /// A demo counter's machine key.
    pub counter_key: String,
    /// A demo registration clerk's staff code and password.
    pub clerk: (String, String),
}

impl Drop for Central {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The ehr-central binary: `EHR_CENTRAL_BIN`, else the debug build.
pub fn binary() -> PathBuf {
    match std::env::var_os("EHR_CENTRAL_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => workspace::target_dir().join("debug").join("ehr-central"),
    }
}

impl Central {
    /// Seed a fresh data folder with the demo data and serve it on loopback.
    pub fn start(name: &str) -> Result<Central, String> {
        let bin = binary();
        if !bin.is_file() {
            return Err(format!(
                "{} does not exist: build it with `cargo build -p ehr-central` (the test command does)",
                bin.display()
            ));
        }
        let dir = std::env::temp_dir().join(format!("ehr-central-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("central data folder: {e}"))?;
        let out = Command::new(&bin)
            .args(["seed", "--demo", "--applications", "40", "--data-dir"])
            .arg(&dir)
            .env("EHR_CENTRAL_LOG", "warn")
            .output()
            .map_err(|e| format!("ehr-central seed: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "ehr-central seed failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let creds: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("seed output: {e}"))?;
        let counter_key = creds["counters"][0]["machine_key"]
            .as_str()
            .ok_or("seed output has no counter key")?
            .to_owned();
        let clerk = creds["staff"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["role"] == "registration_staff"))
            .and_then(|s| {
                Some((
                    s["staff_code"].as_str()?.to_owned(),
                    s["password"].as_str()?.to_owned(),
                ))
            })
            .ok_or("seed output has no clerk")?;
        let port = free_port()?;
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
        let server = Group::spawn(
            "ehr-central",
            Command::new(&bin)
                .args([
                    "serve",
                    "--insecure-http",
                    "--addr",
                    &format!("127.0.0.1:{port}"),
                    "--data-dir",
                ])
                .arg(&dir)
                .env("EHR_CENTRAL_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(log),
        )?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("ehr-central did not listen within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Central {
            _server: server,
            dir,
            url: format!("http://127.0.0.1:{port}"),
            counter_key,
            clerk,
        })
    }
}
