//! HTTPS, and counters identified by client certificate.

// Helpers here are test code: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair,
};
use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use serde_json::Value;

struct Pki {
    dir: tempfile::TempDir,
    ca_der: CertificateDer<'static>,
    client_pem: (String, String),
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().unwrap();
    let server = server.signed_by(&server_key, &ca).unwrap();
    let mut client = CertificateParams::new(vec!["counter.example".to_owned()]).unwrap();
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_key = KeyPair::generate().unwrap();
    let client = client.signed_by(&client_key, &ca).unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.path().join("server.pem"), server.pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), server_key.serialize_pem()).unwrap();
    Pki {
        ca_der: ca.der().clone(),
        client_pem: (client.pem(), client_key.serialize_pem()),
        dir,
    }
}

fn tls_config(pki: &Pki, with_cert: bool) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der.clone()).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    if with_cert {
        let chain = vec![CertificateDer::from_pem_slice(pki.client_pem.0.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(pki.client_pem.1.as_bytes()).unwrap();
        builder.with_client_auth_cert(chain, key).unwrap()
    } else {
        builder.with_no_client_auth()
    }
}

/// One HTTPS GET over a fresh connection: status and JSON body.
async fn get(addr: std::net::SocketAddr, config: rustls::ClientConfig, path: &str) -> (u16, Value) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header("host", "127.0.0.1")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(axum::body::Body::new(resp.into_body()), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn https_with_client_certificates() {
    let pki = pki();
    let data = tempfile::tempdir().unwrap();
    let db = ehr_central::db::Db::open(data.path()).unwrap();
    ehr_central::seed::reference_only(&db).unwrap();
    let client_der = CertificateDer::from_pem_slice(pki.client_pem.0.as_bytes()).unwrap();
    let fp = ehr_central::tls::fingerprint(client_der.as_ref());
    db.write(|tx| {
        let (id, _) = ehr_central::auth::create_counter(tx, "QMH", "QMH-CERT")?;
        ehr_central::auth::set_counter_certificate(tx, &id, &fp)
    })
    .unwrap();
    drop(db);
    let p = pki.dir.path();
    let config = ehr_central::tls::server_config(
        &p.join("server.pem"),
        &p.join("server.key"),
        Some(&p.join("ca.pem")),
    )
    .unwrap();
    let state = ehr_central::open(data.path()).unwrap();
    let running = ehr_central::tls::spawn_https(state, "127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap();
    assert!(running.url().starts_with("https://"));
    let addr = running.addr;
    // With the client certificate: identified without a machine key.
    let (status, me) = get(addr, tls_config(&pki, true), "/v1/counters/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["name"], "QMH-CERT");
    assert_eq!(me["site"]["site_type"], "birth_hospital");
    // Without one: public endpoints work, counter endpoints refuse.
    let (status, _) = get(addr, tls_config(&pki, false), "/v1/health").await;
    assert_eq!(status, 200);
    let (status, body) = get(addr, tls_config(&pki, false), "/v1/counters/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "counter.unknown");
    // Plain HTTP to the TLS port does not get an answer.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let plain = reqwest::Client::new()
        .get(format!("http://{}/v1/health", running.addr))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
    running.stop().await;
}

#[test]
fn bad_tls_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let err = ehr_central::tls::server_config(&missing, &missing, None).unwrap_err();
    assert!(err.to_string().starts_with("TLS certificate file"), "{err}");
}

/// The systemd unit (issue #16, item 5): its sandbox, `systemd-analyze
/// verify` silent on it, and its own command lines run as the unit runs
/// them: the key and the TLS pair handed over as credentials, the check
/// before the start, then the service answering over HTTPS.
#[tokio::test]
async fn the_systemd_units_command_lines_run_the_service_from_its_credentials() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let unit =
        std::fs::read_to_string(root.join("installer/ehr-central/ehr-central.service")).unwrap();
    for directive in [
        "DynamicUser=yes",
        "StateDirectory=ehr-central",
        "StateDirectoryMode=0700",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=\n",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "LoadCredential=ehr-central.key:/etc/ehr-central/ehr-central.key",
        "UMask=0077",
    ] {
        assert!(unit.contains(directive), "the unit has {directive:?}");
    }
    let bin = env!("CARGO_BIN_EXE_ehr-central");
    let tmp = tempfile::tempdir().unwrap();
    // systemd-analyze (systemd 252 here) on the unit with this build's binary.
    let copy = tmp.path().join("ehr-central.service");
    std::fs::write(&copy, unit.replace("/usr/bin/ehr-central", bin)).unwrap();
    let verify = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // The credentials folder: a new database key and the TLS pair; the
    // state folder starts empty, as on the first start of a new install.
    let state = tmp.path().join("state");
    let creds = tmp.path().join("credentials");
    std::fs::create_dir_all(&creds).unwrap();
    std::fs::write(creds.join("ehr-central.key"), "ab".repeat(32)).unwrap();
    // As systemd hands a credential over: readable by the service alone.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        creds.join("ehr-central.key"),
        std::fs::Permissions::from_mode(0o400),
    )
    .unwrap();
    let pki = pki();
    std::fs::copy(
        pki.dir.path().join("server.pem"),
        creds.join("tls-cert.pem"),
    )
    .unwrap();
    std::fs::copy(pki.dir.path().join("server.key"), creds.join("tls-key.pem")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let lines = |key: &str| -> Vec<Vec<String>> {
        let found: Vec<Vec<String>> = unit
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{key}=")))
            .map(|l| {
                l.replace("/usr/bin/ehr-central", bin)
                    .replace("/var/lib/ehr-central", state.to_str().unwrap())
                    .replace("${CREDENTIALS_DIRECTORY}", creds.to_str().unwrap())
                    .replace("0.0.0.0:8443", &format!("127.0.0.1:{port}"))
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        assert!(!found.is_empty(), "the unit has {key}");
        found
    };
    let line = |key: &str| lines(key).remove(0);
    let run = |args: &[String]| {
        let mut c = std::process::Command::new(&args[0]);
        c.args(&args[1..])
            .env("CREDENTIALS_DIRECTORY", &creds)
            .env("EHR_CENTRAL_LOG", "warn");
        c
    };
    // Every ExecStartPre in order, twice: a first start (the database is
    // made) and a restart (nothing seeded again, checked again).
    for start in ["first", "second"] {
        let mut outs = Vec::new();
        for pre in lines("ExecStartPre") {
            let out = run(&pre).output().unwrap();
            assert!(
                out.status.success(),
                "{start} start, {pre:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            outs.push(String::from_utf8_lossy(&out.stdout).trim().to_owned());
        }
        assert_eq!(outs.last().map(String::as_str), Some("ok"), "{start} start");
    }
    let mut serve = run(&line("ExecStart")).spawn().unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the service listens");
        assert!(serve.try_wait().unwrap().is_none(), "the service runs");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, health) = get(addr, tls_config(&pki, false), "/v1/health").await;
    let _ = serve.kill();
    let _ = serve.wait();
    assert_eq!(status, 200, "{health}");
    // The key never went back into the state folder.
    assert!(!state.join("central.key").exists());
}
