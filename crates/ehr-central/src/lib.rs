//! ehr-central: the reference central registration service of eHR Counter.
//!
//! It serves API v1 (the contract the counter app syncs with, typed by
//! `ehr_protocol::wire`), its OpenAPI 3.1 document, and the online
//! application form. Storage is one SQLCipher-encrypted SQLite database in
//! the data directory (see [`key`]).
//! All registration rules come from `ehr-domain`, and every decision on a
//! batch operation from `ehr-rules` (the same checks the counter makes
//! offline); this crate keeps the writes.
//!
//! Personal data never reaches a log line: requests are logged by route
//! template, status and latency; errors by code.

pub mod api;
pub mod applications;
pub mod apply;
pub mod audit;
pub mod auth;
pub mod db;
pub mod error;
pub mod key;
pub mod ops;
pub mod records;
pub mod reference;
pub mod seed;
pub mod tls;
pub mod util;
pub mod work_items;

/// Validation of wire input with the domain rules (shared with the counter).
pub use ehr_rules::validate;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub use error::{ApiError, Error, Result};

/// Opens the data directory and builds the service's state, on the system
/// clock.
pub fn open(data_dir: &Path) -> Result<api::Shared> {
    open_with_clock(data_dir, util::Clock::system())
}

/// [`open`] with the clock request handling reads (tests set the time).
pub fn open_with_clock(data_dir: &Path, clock: util::Clock) -> Result<api::Shared> {
    let db = Arc::new(db::Db::open(data_dir)?);
    let audit = audit::spawn_writer(db.clone())?;
    Ok(Arc::new(api::AppState {
        db,
        form_key: util::random_bytes::<32>()?,
        audit,
        clock,
    }))
}

/// A running server (for tests and the bench): its address and a handle
/// that stops it when dropped.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The shared state.
    pub state: api::Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    scheme: &'static str,
}

impl Running {
    pub(crate) fn new(
        addr: SocketAddr,
        state: api::Shared,
        stop: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<()>,
        scheme: &'static str,
    ) -> Running {
        Running {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
            scheme,
        }
    }

    /// The base URL, for example `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Serves plain HTTP on `addr` (use port 0 for any free port) until stopped.
pub async fn spawn_http(state: api::Shared, addr: SocketAddr) -> Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = api::router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Running::new(addr, state, tx, task, "http"))
}

/// Waits for Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() -> Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok(())
    }
}
