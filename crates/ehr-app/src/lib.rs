//! The eHR Counter application API.
//!
//! Every operation the counter offers is a method on [`App`]. The Tauri shell
//! (`src-tauri`) wires each command to one method and adds nothing; `ehrctl`
//! and the tests call the same methods. Results and errors are the wire types
//! of `ehr-protocol`, so the UI sees exactly what the tests see.
//!
//! Invariant: this crate does not depend on Tauri (a test in `tests/tidy`
//! fails the build if any crate under `crates/` does).

pub mod card;
pub mod central;
pub mod config;
pub mod doctor;
mod session;

pub use config::Config;
pub use doctor::DoctorReport;

use ehr_protocol::card::{FieldIssue, IdentityView, ManualIdentityRequest, ReaderView};
use ehr_protocol::ipc::{AppInfo, DocumentTypeOption, SignInRequest, StaffSession};
use ehr_protocol::{ErrorBody, ErrorCode};

/// The product name, shown in the window title and on slips.
pub const PRODUCT_NAME: &str = "eHR Counter";

/// The application version, from the workspace manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The counter application. Cheap to share: front ends hold one per process.
#[derive(Debug)]
pub struct App {
    config: Config,
    card: card::CardDesk,
    session: std::sync::Arc<std::sync::Mutex<Option<central::Session>>>,
}

impl App {
    /// An application over `config`. Does no IO.
    pub fn new(config: Config) -> Self {
        App {
            config,
            card: card::CardDesk::default(),
            session: Default::default(),
        }
    }

    /// The configuration this app runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What the sign-in screen shows about this installation.
    pub fn info(&self) -> AppInfo {
        AppInfo {
            name: PRODUCT_NAME.to_owned(),
            version: VERSION.to_owned(),
            central_url: self.config.central_url.clone(),
            training_mode: self.config.training_mode,
            document_types: ehr_domain::DocumentType::ALL
                .iter()
                .map(|t| {
                    let (en, zh) = t.names();
                    DocumentTypeOption {
                        code: t.code().to_owned(),
                        name_en: en.to_owned(),
                        name_zh: zh.to_owned(),
                    }
                })
                .collect(),
        }
    }

    /// Sign a staff member in at the central service.
    ///
    /// The input is checked here first, so a clerk learns of a typing slip
    /// without a round trip. With no central service configured the answer
    /// is `central.not_configured`; otherwise the service decides, and its
    /// stable code comes back (wrong password, locked account, unknown
    /// counter), or `central.unreachable`.
    pub fn sign_in(&self, req: &SignInRequest) -> Result<StaffSession, ErrorBody> {
        session::check_sign_in(req)?;
        let Some(base) = &self.config.central_url else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let s = central::sign_in(&self.config, base, req)?;
        let staff = s.staff.clone();
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = Some(s);
        Ok(staff)
    }

    /// Sign out: the session ends and the identity on screen is cleared.
    pub fn sign_out(&self) {
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.card.finish_task();
    }

    /// Whether a staff member is signed in.
    pub fn signed_in(&self) -> bool {
        signed_in(&self.session)
    }

    /// Start following the card readers (once; later calls do nothing).
    /// `on_change` gets every change of the card side, on the reader thread.
    pub fn start_card_reader<F>(&self, on_change: F) -> Result<(), ErrorBody>
    where
        F: Fn(&card::CardUpdate) + Send + Sync + 'static,
    {
        self.start_card_reader_with(ehr_card_pcsc::MonitorOptions::default(), on_change)
    }

    /// [`App::start_card_reader`] with explicit reader-thread options.
    pub fn start_card_reader_with<F>(
        &self,
        options: ehr_card_pcsc::MonitorOptions,
        on_change: F,
    ) -> Result<(), ErrorBody>
    where
        F: Fn(&card::CardUpdate) + Send + Sync + 'static,
    {
        // Nobody's card data reaches a front end while nobody is signed in.
        let session = self.session.clone();
        let guarded = move |u: &card::CardUpdate| {
            if signed_in(&session) {
                on_change(u);
            } else {
                on_change(&card::CardUpdate {
                    view: card::without_identity(&u.view),
                    ..u.clone()
                });
            }
        };
        self.card
            .start(options, Box::new(guarded))
            .map_err(|_| ErrorBody::new(ErrorCode::Internal))
    }

    /// Stop following the card readers.
    pub fn stop_card_reader(&self) {
        self.card.stop();
    }

    /// What the card side of the screen shows now.
    pub fn reader_view(&self) -> ReaderView {
        let v = self.card.view();
        if self.signed_in() {
            v
        } else {
            card::without_identity(&v)
        }
    }

    /// The clerk finished the task: the identity on screen is cleared (and a
    /// read in progress is cancelled).
    pub fn finish_task(&self) -> ReaderView {
        self.card.finish_task()
    }

    /// Check the manual pane with the domain rules: the identity as the pane
    /// shows it (number masked), or every refused field.
    pub fn check_manual_identity(
        &self,
        req: &ManualIdentityRequest,
    ) -> Result<IdentityView, Vec<FieldIssue>> {
        card::check_manual(req).map(|id| card::identity_view(&id))
    }

    /// The field engineer's report: version, data directory, PC/SC, central.
    pub fn doctor(&self) -> DoctorReport {
        doctor::run(&self.config)
    }
}

fn signed_in(s: &std::sync::Mutex<Option<central::Session>>) -> bool {
    s.lock().unwrap_or_else(|p| p.into_inner()).is_some()
}
