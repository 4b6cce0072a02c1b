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
pub mod config;
pub mod doctor;
mod session;

pub use config::Config;
pub use doctor::DoctorReport;

use ehr_protocol::card::{FieldIssue, IdentityView, ManualIdentityRequest, ReaderView};
use ehr_protocol::ipc::{AppInfo, SignInRequest, StaffSession};
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
}

impl App {
    /// An application over `config`. Does no IO.
    pub fn new(config: Config) -> Self {
        App {
            config,
            card: card::CardDesk::default(),
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
        }
    }

    /// Sign a staff member in.
    ///
    /// The input is checked here first, so a clerk learns of a typing slip
    /// without a round trip. Authentication itself belongs to the central
    /// service: with none configured the answer is `central.not_configured`;
    /// this version has no central client yet (issue 4), and says so with
    /// `central.sign_in_unavailable` rather than pretending.
    pub fn sign_in(&self, req: &SignInRequest) -> Result<StaffSession, ErrorBody> {
        session::check_sign_in(req)?;
        let code = match &self.config.central_url {
            None => ErrorCode::CentralNotConfigured,
            Some(_) => ErrorCode::CentralSignInUnavailable,
        };
        Err(ErrorBody::new(code))
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
        self.card
            .start(options, Box::new(on_change))
            .map_err(|_| ErrorBody::new(ErrorCode::Internal))
    }

    /// Stop following the card readers.
    pub fn stop_card_reader(&self) {
        self.card.stop();
    }

    /// What the card side of the screen shows now.
    pub fn reader_view(&self) -> ReaderView {
        self.card.view()
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
