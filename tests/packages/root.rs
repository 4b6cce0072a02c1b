//! The clean root, the packages, and commands run inside the root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use ehr_tests::workspace;

/// One test at a time in the root (one dpkg database).
static ROOT_LOCK: Mutex<()> = Mutex::new(());
/// The packages of this build, made once per run.
static PACKAGES: OnceLock<Packages> = OnceLock::new();

/// The .deb files of this build.
pub struct Packages {
    pub counter: PathBuf,
    pub training: PathBuf,
    pub central: PathBuf,
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Packages this build's binaries with `scripts/package.sh` (lintian
/// included) into `target/deb/test`, with the version given.
pub fn package(version: &str, out: &Path) -> Packages {
    let o = run(Command::new("bash")
        .arg(workspace::root().join("scripts/package.sh"))
        .args([
            "--no-build",
            "--profile",
            "dev",
            "--deb-version",
            version,
            "--out",
        ])
        .arg(out));
    assert!(
        o.status.success(),
        "scripts/package.sh failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let file = |name: &str| {
        let p = out.join(format!("{name}_{version}_amd64.deb"));
        assert!(p.is_file(), "package.sh made {}", p.display());
        p
    };
    Packages {
        counter: file("ehr-counter"),
        training: file("ehr-counter-training"),
        central: file("ehr-central"),
    }
}

/// The packages of this build, version 0.1.0-1.
pub fn packages() -> &'static Packages {
    PACKAGES.get_or_init(|| package("0.1.0-1", &workspace::target_dir().join("deb/test")))
}

/// The clean root, locked for one test, with /proc mounted while it lives.
pub struct Root {
    pub dir: PathBuf,
    _lock: MutexGuard<'static, ()>,
}

impl Root {
    /// Waits for the root `scripts/test.sh` is making (its pid file), or
    /// makes it; then removes whatever an earlier test installed.
    pub fn get() -> Root {
        let lock = ROOT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let target = workspace::target_dir();
        let dir = target.join("clean-root");
        let marker = dir.join(".ehr-clean-root");
        let pid_file = target.join("clean-root.pid");
        let deadline = Instant::now() + Duration::from_secs(900);
        while !marker.exists() {
            let making = std::fs::read_to_string(&pid_file)
                .ok()
                .and_then(|p| p.trim().parse::<u32>().ok())
                .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if !making {
                break;
            }
            assert!(Instant::now() < deadline, "the clean root is made in time");
            std::thread::sleep(Duration::from_millis(500));
        }
        if !marker.exists() {
            let o = run(Command::new("bash")
                .arg(workspace::root().join("scripts/clean-root.sh"))
                .arg(&dir));
            assert!(
                o.status.success(),
                "scripts/clean-root.sh: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let proc_dir = dir.join("proc");
        if !is_mounted(&proc_dir) {
            let o = run(Command::new("mount")
                .args(["-t", "proc", "proc"])
                .arg(&proc_dir));
            assert!(
                o.status.success(),
                "mount proc: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let root = Root { dir, _lock: lock };
        root.reset();
        root
    }

    /// None of our packages, no user data, no service left running.
    fn reset(&self) {
        // dpkg, not apt: apt refuses the whole list when one is unknown.
        self.sh(
            "dpkg --purge ehr-counter-training ehr-counter ehr-central >/dev/null 2>&1; \
             rm -rf /root/.local /root/.config /home/* /var/lib/private/ehr-central /var/lib/ehr-central \
                    /etc/ehr-central /var/backups/ehr-central-test /tmp/debs /run/credentials; true",
        );
    }

    /// A path inside the root, from the host.
    pub fn path(&self, inside: &str) -> PathBuf {
        self.dir.join(inside.trim_start_matches('/'))
    }

    /// Copies a package into the root; returns its path inside.
    pub fn put(&self, deb: &Path) -> String {
        let name = deb.file_name().and_then(|n| n.to_str()).unwrap_or("x.deb");
        std::fs::create_dir_all(self.path("/tmp/debs")).unwrap();
        std::fs::copy(deb, self.path(&format!("/tmp/debs/{name}"))).unwrap();
        format!("/tmp/debs/{name}")
    }

    /// Runs a shell command inside the root as root, in a clean
    /// environment (plus `env`).
    pub fn sh_env(&self, cmd: &str, env: &[(&str, &str)]) -> Output {
        let mut c = Command::new("chroot");
        c.arg(&self.dir).args([
            "/usr/bin/env",
            "-i",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/root",
            "LANG=C.UTF-8",
            "DEBIAN_FRONTEND=noninteractive",
        ]);
        for (k, v) in env {
            c.arg(format!("{k}={v}"));
        }
        c.args(["/bin/sh", "-c", cmd]);
        run(&mut c)
    }

    pub fn sh(&self, cmd: &str) -> Output {
        self.sh_env(cmd, &[])
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok_env(&self, cmd: &str, env: &[(&str, &str)]) -> String {
        let o = self.sh_env(cmd, env);
        assert!(
            o.status.success(),
            "in the root, `{cmd}` failed ({}):\n{}{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    pub fn ok(&self, cmd: &str) -> String {
        self.ok_env(cmd, &[])
    }

    /// Installs packages (files inside the root) with apt, which fetches
    /// their dependencies from Debian's mirror.
    pub fn install(&self, debs: &[&str]) -> Output {
        self.sh(&format!(
            "apt-get install -y -q --no-install-recommends {}",
            debs.join(" ")
        ))
    }

    /// [`Root::install`], which must succeed (its output in the failure).
    pub fn install_ok(&self, debs: &[&str]) {
        let o = self.install(debs);
        assert!(
            o.status.success(),
            "apt-get install {}: {}{}",
            debs.join(" "),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// dpkg's status of a package (`ii`, `rc`, or empty when unknown).
    pub fn status(&self, pkg: &str) -> String {
        let o = self.sh(&format!(
            "dpkg-query -W -f='${{db:Status-Abbrev}}' {pkg} 2>/dev/null"
        ));
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    }

    /// The files (not folders) a package installed, as dpkg lists them.
    pub fn files_of(&self, pkg: &str) -> Vec<String> {
        self.ok(&format!("dpkg -L {pkg}"))
            .lines()
            .filter(|l| l.starts_with('/') && !self.path(l).is_dir())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        self.reset();
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.join("proc"))
            .output();
    }
}

fn is_mounted(dir: &Path) -> bool {
    Command::new("mountpoint")
        .arg("-q")
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18_443)
}
