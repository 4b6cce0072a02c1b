//! HTTPS with rustls (ring provider), optionally identifying counters by
//! client certificate.
//!
//! With `--client-ca`, the server asks for a client certificate and verifies
//! any it gets against that CA; clients without one are still served (the
//! machine key and the public endpoints work as over plain HTTP). The
//! SHA-256 fingerprint of a verified client certificate goes into each
//! request of the connection as [`ClientCertFingerprint`], and counters
//! bound to it (`counter enrol --cert-fingerprint`) are identified by it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::api::{self, ClientCertFingerprint, Shared};
use crate::error::{Error, Result};
use crate::util::sha256;
use crate::Running;

fn tls_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("TLS {what}: {e}"))
}

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_err("certificate file", e))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| tls_err("certificate file", e))?;
    if certs.is_empty() {
        return Err(tls_err("certificate file", "no certificate in it"));
    }
    Ok(certs)
}

/// The lower-case hex SHA-256 of a certificate (its fingerprint).
pub fn fingerprint(der: &[u8]) -> String {
    sha256(der).iter().map(|b| format!("{b:02x}")).collect()
}

/// The server's TLS configuration from PEM files.
pub fn server_config(cert: &Path, key: &Path, client_ca: Option<&Path>) -> Result<ServerConfig> {
    let chain = certs(cert)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| tls_err("key file", e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for c in certs(ca)? {
                roots.add(c).map_err(|e| tls_err("client CA", e))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| tls_err("client CA", e))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| tls_err("certificate and key", e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves HTTPS on `addr` until stopped.
pub async fn spawn_https(state: Shared, addr: SocketAddr, config: ServerConfig) -> Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = api::router(state.clone());
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        loop {
            let (stream, _) = tokio::select! {
                _ = &mut stop_rx => break,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(_) => continue,
                },
            };
            let acceptor = acceptor.clone();
            let app = app.clone();
            tokio::spawn(async move {
                let Ok(Ok(tls)) =
                    tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                else {
                    return;
                };
                let fp = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| ClientCertFingerprint(fingerprint(c.as_ref())));
                let svc = tower::service_fn(move |mut req: hyper::Request<Incoming>| {
                    if let Some(fp) = &fp {
                        req.extensions_mut().insert(fp.clone());
                    }
                    app.clone().oneshot(req)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .serve_connection(TokioIo::new(tls), TowerToHyperService::new(svc))
                    .await;
            });
        }
    });
    Ok(Running::new(addr, state, stop_tx, task, "https"))
}

/// Serves HTTPS until Ctrl-C or SIGTERM.
pub async fn serve(
    state: Shared,
    addr: SocketAddr,
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<()> {
    let config = server_config(cert, key, client_ca)?;
    let running = spawn_https(state, addr, config).await?;
    tracing::info!(addr = %running.addr, client_certificates = client_ca.is_some(), "serving HTTPS");
    println!("listening on {}", running.url());
    crate::shutdown_signal().await?;
    running.stop().await;
    Ok(())
}
