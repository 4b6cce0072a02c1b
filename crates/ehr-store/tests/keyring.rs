//! The store's key in a real OS keyring: gnome-keyring's Secret Service on
//! a private D-Bus session bus (both installed by `scripts/setup.sh`), and
//! the fall-back to a key file when the bus is gone.
//!
//! One test in its own binary: it sets `DBUS_SESSION_BUS_ADDRESS` for this
//! process, which the keyring client reads.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use ehr_protocol::wire::batch::{Operation, Withdraw};
use ehr_store::{key, Change, KeyPolicy, KeySource, NewOp, Store, StoreError};

struct Bus {
    daemon: Child,
    address: String,
    _home: tempfile::TempDir,
}

impl Drop for Bus {
    fn drop(&mut self) {
        // gnome-keyring-daemon leaves when its bus goes.
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn private_bus_with_keyring() -> Bus {
    let mut daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon (apt package dbus-daemon, installed by scripts/setup.sh)");
    let mut address = String::new();
    BufReader::new(daemon.stdout.take().expect("stdout"))
        .read_line(&mut address)
        .expect("bus address");
    let address = address.trim().to_owned();
    let home = tempfile::tempdir().expect("home");
    // A new login keyring, unlocked with this password (read from stdin).
    let mut gk = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_RUNTIME_DIR", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon (apt package gnome-keyring, installed by scripts/setup.sh)");
    gk.stdin
        .take()
        .expect("stdin")
        .write_all(b"keyring-test-password")
        .expect("unlock password");
    let status = gk.wait().expect("gnome-keyring-daemon started");
    assert!(status.success(), "gnome-keyring-daemon failed to start");
    warm_up(&address);
    Bus {
        daemon,
        address,
        _home: home,
    }
}

/// Wait until the Secret Service answers on the bus and its login keyring
/// exists. The daemon's start returning does not prove either, and the first
/// write (which creates the keyring) can take longer than the store's own
/// time limit on a loaded machine, which would send the store to a key file.
fn warm_up(address: &str) {
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", address);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut last = String::new();
    while std::time::Instant::now() < deadline {
        let probe = keyring::Entry::new("ehr-counter-test-warm-up", "probe").and_then(|e| {
            e.set_password("warm")?;
            let got = e.get_password()?;
            e.delete_credential()?;
            Ok(got)
        });
        match probe {
            Ok(got) if got == "warm" => return,
            Ok(other) => last = format!("read back {} bytes", other.len()),
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("the Secret Service never answered on the private bus: {last}");
}

fn change(record: &str) -> Change {
    Change {
        record_key: record.to_owned(),
        kind: "withdrawal".to_owned(),
        summary: "Withdrawal".to_owned(),
        ops: vec![NewOp {
            op: Operation::Withdraw(Withdraw {
                ehr_number: "000000000001".to_owned(),
                confirmed: true,
            }),
            attachment: None,
        }],
    }
}

#[test]
fn the_key_lives_in_the_keyring_when_there_is_one_and_in_a_file_when_not() {
    let bus = private_bus_with_keyring();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);

    let dir = tempfile::tempdir().expect("data folder");
    let mut s = Store::open(dir.path(), KeyPolicy::Auto).expect("store");
    assert_eq!(s.key_source(), KeySource::Keyring);
    assert!(!dir.path().join(key::KEY_FILE).exists(), "no key file");
    s.commit_change(&change("r1"), 1).expect("commit");
    drop(s);
    let s = Store::open(dir.path(), KeyPolicy::Auto).expect("reopen");
    assert_eq!(s.queued().expect("queued").len(), 1);
    assert_eq!(s.verify().expect("verify").integrity, "ok");
    drop(s);

    // The keyring loses the entry: refused, and nothing replaces the store.
    let db = dir.path().join(ehr_store::DB_FILE);
    let before = std::fs::read(&db).expect("db");
    let user = format!("store:{}", dir.path().display());
    keyring::Entry::new(key::KEYRING_SERVICE, &user)
        .expect("entry")
        .delete_credential()
        .expect("delete");
    assert!(matches!(
        Store::open(dir.path(), KeyPolicy::Auto),
        Err(StoreError::KeyMissing)
    ));
    assert_eq!(std::fs::read(&db).expect("db"), before);
    assert!(!dir.path().join(key::KEY_FILE).exists());

    // No keyring any more (the bus is gone): a new store keys from a file.
    drop(bus);
    let other = tempfile::tempdir().expect("data folder");
    let s = Store::open(other.path(), KeyPolicy::Auto).expect("store without keyring");
    assert_eq!(s.key_source(), KeySource::File);
    assert!(other.path().join(key::KEY_FILE).exists());
}
