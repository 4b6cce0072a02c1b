//! Enrolment and revocation against a real ehr-central on loopback, over
//! HTTP: `ehrctl enrol` and `App::enrol`, each way it can fail, and a
//! counter revoked while staff work on it.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ehr_app::{App, Config};
use ehr_protocol::ipc::{CentralUrlSource, CounterSiteType, EnrolCounterRequest, SignInRequest};
use ehr_protocol::ErrorCode;
use ehr_tests::central::{binary, Central};

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ehrctl-enrol-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The counter's environment: its data folder, no keyring, no address, no
/// key and no configuration file of the machine's.
fn config(dir: &Path) -> Config {
    let data = dir.display().to_string();
    let conf = dir.with_extension("toml").display().to_string();
    Config::from_lookup(|k| match k {
        "EHR_COUNTER_DATA_DIR" => Some(data.clone()),
        "EHR_COUNTER_CONFIG" => Some(conf.clone()),
        "EHR_COUNTER_KEYRING" => Some("off".into()),
        _ => None,
    })
    .with_files()
}

fn ehrctl(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(args)
        .env("EHR_COUNTER_DATA_DIR", dir)
        .env("EHR_COUNTER_CONFIG", dir.with_extension("toml"))
        .env("EHR_COUNTER_KEYRING", "off")
        .env_remove("EHR_CENTRAL_URL")
        .env_remove("EHR_COUNTER_KEY")
        .env_remove("EHR_TRAINING")
        .output()
        .expect("ehrctl runs")
}

/// A new counter at `site` and its one-time code, as `ehr-central counter
/// enrol` prints them.
fn mint(central: &Central, site: &str) -> (String, String) {
    let out = Command::new(binary())
        .args(["counter", "enrol", "--site", site, "--name", "ENROL-TEST"])
        .arg("--data-dir")
        .arg(central.data_dir())
        .env("EHR_CENTRAL_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let id = text
        .split_whitespace()
        .find(|w| w.starts_with("CTR-"))
        .unwrap()
        .to_owned();
    let code = text
        .lines()
        .find_map(|l| l.strip_prefix("enrolment code (valid 24 hours, use once): "))
        .unwrap()
        .trim()
        .to_owned();
    (id, code)
}

fn enrol(app: &App, url: &str, code: &str) -> Result<ehr_protocol::ipc::EnrolmentView, ErrorCode> {
    app.enrol(&EnrolCounterRequest {
        central_url: url.to_owned(),
        enrolment_code: code.to_owned(),
    })
    .map_err(|e| e.code)
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn enrolment_with_a_code_and_every_way_it_fails() {
    let central = Central::start("enrol").unwrap();
    let dir = temp_dir("good");

    // Not enrolled: no address, no key.
    let before = App::new(config(&dir)).enrolment();
    assert!(!before.enrolled && before.central_url.is_none());
    assert_eq!(before.central_url_source, CentralUrlSource::None);

    // ehrctl enrol with a good code: the site is printed, the key never.
    let (counter_id, code) = mint(&central, "HA-QEH");
    let out = ehrctl(&dir, &["enrol", "--central", &central.url, "--code", &code]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("HA-QEH"), "{stdout}");
    assert!(stdout.contains(&counter_id), "{stdout}");
    let key_file = dir.join("counter.key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim().len(), key.len(), "the key as given");
    assert!(key.len() >= 32);
    assert_eq!(mode(&key_file), 0o600);
    let enrolment_file = dir.join("enrolment.json");
    assert_eq!(mode(&enrolment_file), 0o600);
    let recorded = std::fs::read_to_string(&enrolment_file).unwrap();
    for (what, text) in [
        ("stdout", &stdout),
        ("stderr", &stderr),
        ("enrolment.json", &recorded),
    ] {
        assert!(!text.contains(key.as_str()), "the machine key is in {what}");
    }

    // The app knows its site and address, and signs in with the key.
    let app = App::new(config(&dir));
    let view = app.enrolment();
    assert!(view.enrolled && !view.revoked);
    assert_eq!(view.central_url.as_deref(), Some(central.url.as_str()));
    assert_eq!(view.central_url_source, CentralUrlSource::Enrolment);
    assert_eq!(view.counter_id.as_deref(), Some(counter_id.as_str()));
    let site = view.site.clone().unwrap();
    assert_eq!(
        (site.code.as_str(), site.site_type),
        ("HA-QEH", CounterSiteType::RegistrationCentre)
    );
    assert!(!format!("{view:?}{view:#?}{app:?}").contains(key.as_str()));
    app.sign_in(&SignInRequest {
        staff_code: central.clerk.0.clone(),
        password: central.clerk.1.clone(),
    })
    .unwrap();
    app.sign_out();

    // The doctor says where the address comes from.
    let doc = ehrctl(&dir, &["doctor"]);
    let doc = String::from_utf8_lossy(&doc.stdout).into_owned();
    assert!(doc.contains("from the enrolment"), "{doc}");
    assert!(
        doc.contains(&counter_id) && !doc.contains(key.as_str()),
        "{doc}"
    );

    // The same code again: used (ehrctl and the app alike).
    let again = ehrctl(&dir, &["enrol", "--central", &central.url, "--code", &code]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("counter.enrolment_code_used"));
    let other = temp_dir("other");
    let fresh = App::new(config(&other));
    assert_eq!(
        enrol(&fresh, &central.url, &code),
        Err(ErrorCode::CounterEnrolmentCodeUsed)
    );

    // A code whose time ran out: expired.
    let (late_id, late) = mint(&central, "DH-WCH");
    central
        .db()
        .unwrap()
        .execute(
            "UPDATE counters SET enrolment_expires = 1 WHERE counter_id = ?1",
            [&late_id],
        )
        .unwrap();
    assert_eq!(
        enrol(&fresh, &central.url, &late),
        Err(ErrorCode::CounterEnrolmentCodeExpired)
    );
    // A code never issued: unknown.
    assert_eq!(
        enrol(&fresh, &central.url, "NOSUCHCODE99"),
        Err(ErrorCode::CounterEnrolmentCode)
    );
    // Nothing listens on the port: refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_, code2) = mint(&central, "DH-WCH");
    assert_eq!(
        enrol(&fresh, &format!("http://127.0.0.1:{port}"), &code2),
        Err(ErrorCode::CentralRefused)
    );
    // A host name that does not resolve: DNS.
    assert_eq!(
        enrol(&fresh, "https://no-such-host.invalid", &code2),
        Err(ErrorCode::CentralDns)
    );
    // Something that is not an ehr-central: not a central service.
    let (other_port, web) = not_a_central();
    assert_eq!(
        enrol(&fresh, &format!("http://127.0.0.1:{other_port}"), &code2),
        Err(ErrorCode::CentralNotACentralService)
    );
    web.join().unwrap();
    // Plain HTTP over a network: refused before anything is sent.
    assert_eq!(
        enrol(&fresh, "http://central.example", &code2),
        Err(ErrorCode::CentralInsecureUrl)
    );
    // None of those enrolled it; the code still works.
    assert!(!fresh.enrolment().enrolled);
    assert!(!other.join("counter.key").exists());
    let ok = enrol(&fresh, &central.url, &code2).unwrap();
    assert_eq!(ok.site.unwrap().code, "DH-WCH");

    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

/// A web server that is not an ehr-central: one request, answered 404 with
/// an HTML page.
fn not_a_central() -> (u16, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut len = 0usize;
        let mut line = String::new();
        while r.read_line(&mut line).is_ok_and(|n| n > 2) {
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
            line.clear();
        }
        let mut body = vec![0u8; len];
        let _ = r.read_exact(&mut body);
        let page = "<html><body>Not Found</body></html>";
        let mut s = s;
        let _ = write!(
            s,
            "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
            page.len()
        );
    });
    (port, t)
}

#[test]
fn an_untrusted_certificate_is_a_tls_error() {
    let mut central = Central::start("enrol-tls").unwrap();
    let (_, code) = mint(&central, "HA-QEH");
    let pki = temp_dir("pki");
    std::fs::create_dir_all(&pki).unwrap();
    let self_signed = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    std::fs::write(pki.join("cert.pem"), self_signed.cert.pem()).unwrap();
    std::fs::write(pki.join("key.pem"), self_signed.signing_key.serialize_pem()).unwrap();
    central
        .serve_tls(&pki.join("cert.pem"), &pki.join("key.pem"), None)
        .unwrap();
    let dir = temp_dir("tls");
    let app = App::new(config(&dir));
    assert!(central.url.starts_with("https://"));
    assert_eq!(enrol(&app, &central.url, &code), Err(ErrorCode::CentralTls));
    assert!(!app.enrolment().enrolled);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&pki);
}

#[test]
fn a_revoked_counter_signs_everyone_out_and_stays_refused() {
    let mut central = Central::start("enrol-revoke").unwrap();
    let dir = temp_dir("revoke");
    let (counter_id, code) = mint(&central, "HA-QEH");
    let app = App::new(config(&dir));
    enrol(&app, &central.url, &code).unwrap();
    let clerk = SignInRequest {
        staff_code: central.clerk.0.clone(),
        password: central.clerk.1.clone(),
    };
    app.sign_in(&clerk).unwrap();
    assert!(app.signed_in());

    let out = Command::new(binary())
        .args(["counter", "revoke", &counter_id, "--data-dir"])
        .arg(central.data_dir())
        .env("EHR_CENTRAL_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The next call to the service hears it: everyone is signed out.
    let sign_off = app.supervisor_sign_off(&ehr_protocol::wire::auth::SignOffRequest {
        staff_code: central.supervisor.0.clone(),
        password: central.supervisor.1.clone(),
        record_key: "rk-1".into(),
        reason: "pre-1980 birth certificate check digit".into(),
    });
    assert_eq!(
        sign_off.map_err(|e| e.code).err(),
        Some(ErrorCode::CounterRevoked)
    );
    assert!(!app.signed_in(), "everyone is signed out");
    assert!(app.enrolment().revoked);
    assert_eq!(
        app.sign_in(&clerk).map_err(|e| e.code).err(),
        Some(ErrorCode::CounterRevoked)
    );

    // Another app on the same data folder (a restart) knows too, and
    // refuses at once: the service is not asked again (it is down now, and
    // the answer is still counter.revoked, not an offline sign-in).
    central.stop();
    let restarted = App::new(config(&dir));
    assert!(restarted.enrolment().revoked);
    assert_eq!(
        restarted.sign_in(&clerk).map_err(|e| e.code).err(),
        Some(ErrorCode::CounterRevoked)
    );

    // Enrolling again clears it.
    central.serve().unwrap();
    let (_, code2) = mint(&central, "HA-QEH");
    let view = enrol(&restarted, &central.url, &code2).unwrap();
    assert!(!view.revoked);
    restarted.sign_in(&clerk).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_counter_enrolled_at_first_run_syncs_without_a_restart() {
    let central = Central::start("enrol-sync").unwrap();
    let dir = temp_dir("sync");
    // The app opens its store before it has a central service (the
    // first-run screen is showing), then is enrolled.
    let app = App::new(config(&dir));
    app.open_store().unwrap();
    assert!(!app.sync_status().unwrap().central_configured);
    let (_, code) = mint(&central, "HA-QEH");
    enrol(&app, &central.url, &code).unwrap();
    assert!(
        app.sync_status().unwrap().central_configured,
        "syncing starts with the enrolment"
    );
    app.sign_in(&SignInRequest {
        staff_code: central.clerk.0.clone(),
        password: central.clerk.1.clone(),
    })
    .unwrap();
    app.commit_change(&ehr_tests::outbox::walk_in(61)).unwrap();
    assert!(
        app.wait_until_drained(std::time::Duration::from_secs(20))
            .unwrap(),
        "{:?}",
        app.sync_status().unwrap()
    );
    let st = app.sync_status().unwrap();
    assert_eq!((st.queued, st.attention), (0, 0));
    let _ = std::fs::remove_dir_all(&dir);
}
