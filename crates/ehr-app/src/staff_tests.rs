#![allow(clippy::unwrap_used, clippy::panic)]

//! Offline sign-in, lockout, deactivation, password change, expiry and
//! offline-made changes, against the reference central service served
//! in-process over real HTTP on loopback. Time is set (the app's clock and
//! the service's), never slept; only network round trips are waited for.

use std::sync::OnceLock;
use std::time::Duration;

use ehr_protocol::ipc::{ChangePasswordRequest, SignInRequest, StaffRole};
use ehr_protocol::wire::{Operation, Withdraw};
use ehr_protocol::ErrorCode;

use crate::{App, Change, Clock, Config, NewOp};

/// 2026-12-01 and a bit, in seconds.
const T0: i64 = 1_796_100_000;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// A seeded central data folder, made once per test binary (the demo
/// passwords' argon2 hashes take a while).
fn template() -> &'static (tempfile::TempDir, ehr_central::seed::DemoCredentials) {
    static T: OnceLock<(tempfile::TempDir, ehr_central::seed::DemoCredentials)> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = ehr_central::db::Db::open(dir.path()).unwrap();
        let creds = ehr_central::seed::demo(&db, dir.path(), 11, 5).unwrap();
        drop(db);
        (dir, creds)
    })
}

/// A counter app enrolled at `site` with the service at `addr`, reading
/// `extra` as its environment too.
fn counter_app(
    site: &str,
    addr: std::net::SocketAddr,
    extra: &[(&str, String)],
    clock: &Clock,
) -> (App, tempfile::TempDir) {
    let (_, creds) = template();
    let counter_dir = tempfile::tempdir().unwrap();
    let key = &creds
        .counters
        .iter()
        .find(|c| c.site_code == site)
        .unwrap()
        .machine_key;
    let key_file = counter_dir.path().join(crate::central::COUNTER_KEY_FILE);
    std::fs::write(&key_file, key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (d, url) = (
        counter_dir.path().display().to_string(),
        format!("http://{addr}"),
    );
    // The site it is enrolled to, as enrolment records it (what the
    // counter offers depends on the site's type).
    if site != "HA-QEH" {
        let (code, site_type, en, zh) = ehr_central::reference::SITES
            .iter()
            .find(|s| s.0 == site)
            .unwrap();
        crate::enrolment::write_site_for_test(
            counter_dir.path(),
            &url,
            ehr_protocol::wire::Site {
                code: (*code).to_owned(),
                site_type: *site_type,
                name_en: (*en).to_owned(),
                name_zh: (*zh).to_owned(),
            },
        );
    }
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let config = Config::from_lookup(move |k| match k {
        "EHR_COUNTER_DATA_DIR" => Some(d.clone()),
        "EHR_COUNTER_KEYRING" => Some("off".to_owned()),
        "EHR_CENTRAL_URL" => Some(url.clone()),
        k => extra.iter().find(|(e, _)| e == k).map(|(_, v)| v.clone()),
    });
    let app = App::with_clock(config, clock.clone());
    app.open_store().unwrap();
    (app, counter_dir)
}

/// The service (in-process, on loopback), its clock, and a counter app
/// with its own clock, enrolled at HA-QEH.
pub(crate) struct Rig {
    rt: tokio::runtime::Runtime,
    running: Option<ehr_central::Running>,
    state: ehr_central::api::Shared,
    addr: std::net::SocketAddr,
    pub(crate) central_clock: ehr_central::util::Clock,
    pub(crate) clock: Clock,
    pub(crate) app: App,
    _central_dir: tempfile::TempDir,
    _counter_dir: tempfile::TempDir,
}

impl Rig {
    fn new() -> Rig {
        Rig::with(&[])
    }

    /// A rig whose app also reads `extra` as its environment.
    pub(crate) fn with(extra: &[(&str, String)]) -> Rig {
        Rig::at("HA-QEH", extra)
    }

    /// A rig whose app is enrolled at `site` (a seeded site code).
    pub(crate) fn at(site: &str, extra: &[(&str, String)]) -> Rig {
        let (tpl, _) = template();
        let central_dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(tpl.path()).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), central_dir.path().join(e.file_name())).unwrap();
        }
        let central_clock = ehr_central::util::Clock::settable(T0);
        let state =
            ehr_central::open_with_clock(central_dir.path(), central_clock.clone()).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let running = rt
            .block_on(ehr_central::spawn_http(
                state.clone(),
                "127.0.0.1:0".parse().unwrap(),
            ))
            .unwrap();
        let addr = running.addr;
        let clock = Clock::settable(T0 * 1000);
        let (app, counter_dir) = counter_app(site, addr, extra, &clock);
        Rig {
            rt,
            running: Some(running),
            state,
            addr,
            central_clock,
            clock,
            app,
            _central_dir: central_dir,
            _counter_dir: counter_dir,
        }
    }

    pub(crate) fn password(staff: &str) -> String {
        template()
            .1
            .staff
            .iter()
            .find(|s| s.staff_code == staff)
            .unwrap()
            .password
            .clone()
    }

    pub(crate) fn sign_in(
        &self,
        staff: &str,
        password: &str,
    ) -> Result<ehr_protocol::ipc::StaffSession, ehr_protocol::ErrorBody> {
        self.app.sign_in(&SignInRequest {
            staff_code: staff.to_owned(),
            password: password.to_owned(),
        })
    }

    /// Another counter app, enrolled at `site`, on the same service and
    /// clock (its data folder goes with the returned directory).
    pub(crate) fn another_counter(&self, site: &str) -> (App, tempfile::TempDir) {
        counter_app(site, self.addr, &[], &self.clock)
    }

    /// The service's today (Hong Kong).
    pub(crate) fn central_today(&self) -> ehr_domain::Date {
        ehr_rules::time::hk_day(self.central_clock.now_unix()).unwrap()
    }

    /// Write to the service's database directly (test set-up).
    pub(crate) fn central_write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> T) -> T {
        self.state
            .db
            .write(|tx| Ok::<_, ehr_central::error::Error>(f(tx)))
            .unwrap()
    }

    /// Read the service's database directly (assertions).
    pub(crate) fn central_read<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> T) -> T {
        self.state
            .db
            .read(|tx| Ok::<_, ehr_central::error::Error>(f(tx)))
            .unwrap()
    }

    /// The app goes away without finishing anything (a crash) and a new
    /// one starts on the same data folder, with the same clock.
    pub(crate) fn restart_app(mut self) -> Rig {
        let config = self.app.config().clone();
        let old = std::mem::replace(&mut self.app, App::with_clock(config, self.clock.clone()));
        // Its sync relay stops and its store closes with it.
        drop(old);
        self.app.open_store().unwrap();
        self
    }

    /// The service goes away: connections are refused.
    pub(crate) fn stop_service(&mut self) {
        if let Some(r) = self.running.take() {
            self.rt.block_on(r.stop());
        }
    }

    /// The service is back on the same address.
    pub(crate) fn start_service(&mut self) {
        let r = self
            .rt
            .block_on(ehr_central::spawn_http(self.state.clone(), self.addr))
            .unwrap();
        self.running = Some(r);
    }

    fn advance(&self, ms: i64) {
        self.clock.set_ms(self.clock.now_ms() + ms);
    }

    fn commit(&self, record: &str) -> Result<Vec<i64>, ehr_protocol::ErrorBody> {
        self.app.commit_change(&Change {
            record_key: record.to_owned(),
            kind: "withdrawal".to_owned(),
            summary: "Withdrawal".to_owned(),
            ops: vec![NewOp {
                op: Operation::Withdraw(Withdraw {
                    ehr_number: "000000000000".to_owned(),
                    confirmed: true,
                }),
                attachment: None,
            }],
        })
    }
}

/// Wait (bounded) for a network-driven condition; never for time to pass.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn code<T>(r: Result<T, ehr_protocol::ErrorBody>) -> ErrorCode {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.code,
    }
}

#[test]
fn offline_sign_in_works_after_an_online_one_with_the_service_stopped() {
    let mut r = Rig::new();
    let pw = Rig::password("clerk01");
    let online = r.sign_in("clerk01", &pw).unwrap();
    assert!(!online.offline);
    // The policies came from the service, and are kept.
    let p = r.app.policies();
    assert!(p.version.is_some() && p.fetched_at_ms == Some(T0 as u64 * 1000));
    r.app.sign_out();
    r.stop_service();
    let s = r.sign_in("clerk01", &pw).unwrap();
    assert!(s.offline);
    assert_eq!(
        (s.staff_code.as_str(), s.role),
        ("clerk01", StaffRole::RegistrationStaff)
    );
    // A wrong password offline is refused as online.
    r.app.sign_out();
    assert_eq!(
        code(r.sign_in("clerk01", "demo-clerk-99")),
        ErrorCode::AuthInvalidCredentials
    );
}

#[test]
fn offline_sign_in_is_refused_outside_the_window_and_for_staff_never_signed_in_here() {
    let mut r = Rig::new();
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    r.app.sign_out();
    r.stop_service();
    // Never signed in online at this counter.
    assert_eq!(
        code(r.sign_in("clerk02", &Rig::password("clerk02"))),
        ErrorCode::AuthOfflineUnavailable
    );
    // Within the window (7 days by the service's policy): yes.
    r.advance(7 * DAY_MS - MINUTE_MS);
    assert!(
        r.sign_in("clerk01", &Rig::password("clerk01"))
            .unwrap()
            .offline
    );
    r.app.sign_out();
    // Past it: no.
    r.advance(2 * MINUTE_MS);
    assert_eq!(
        code(r.sign_in("clerk01", &Rig::password("clerk01"))),
        ErrorCode::AuthOfflineUnavailable
    );
}

#[test]
fn wrong_passwords_offline_lock_the_account_here_with_the_time_left() {
    let mut r = Rig::new();
    let pw = Rig::password("clerk01");
    r.sign_in("clerk01", &pw).unwrap();
    r.app.sign_out();
    r.stop_service();
    for _ in 0..4 {
        assert_eq!(
            code(r.sign_in("clerk01", "wrong-password")),
            ErrorCode::AuthInvalidCredentials
        );
    }
    let locked = r.sign_in("clerk01", "wrong-password").unwrap_err();
    assert_eq!(
        (locked.code, locked.retry_after_s),
        (ErrorCode::AuthLocked, Some(900))
    );
    // Even the right password waits; the time left goes down with the clock.
    r.advance(10 * MINUTE_MS);
    let locked = r.sign_in("clerk01", &pw).unwrap_err();
    assert_eq!(
        (locked.code, locked.retry_after_s),
        (ErrorCode::AuthLocked, Some(300))
    );
    r.advance(5 * MINUTE_MS + 1_000);
    assert!(r.sign_in("clerk01", &pw).unwrap().offline);
}

#[test]
fn a_lockout_at_the_service_carries_its_time_left_and_holds_offline_too() {
    let mut r = Rig::new();
    let pw = Rig::password("clerk01");
    r.sign_in("clerk01", &pw).unwrap();
    r.app.sign_out();
    for _ in 0..4 {
        assert_eq!(
            code(r.sign_in("clerk01", "wrong-password")),
            ErrorCode::AuthInvalidCredentials
        );
    }
    let locked = r.sign_in("clerk01", "wrong-password").unwrap_err();
    assert_eq!(
        (locked.code, locked.retry_after_s),
        (ErrorCode::AuthLocked, Some(900))
    );
    // The service goes away: the lock holds here, with its time left.
    r.stop_service();
    r.advance(MINUTE_MS);
    let locked = r.sign_in("clerk01", &pw).unwrap_err();
    assert_eq!(
        (locked.code, locked.retry_after_s),
        (ErrorCode::AuthLocked, Some(840))
    );
    // Back, and past the lock at both ends: online again.
    r.start_service();
    r.advance(15 * MINUTE_MS);
    r.central_clock.advance(16 * 60);
    assert!(!r.sign_in("clerk01", &pw).unwrap().offline);
}

#[test]
fn a_deactivated_staff_member_is_refused_at_once_and_their_verifier_goes_at_the_next_reference_sync(
) {
    let mut r = Rig::new();
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    let deactivated = r
        .state
        .db
        .write(|tx| ehr_central::auth::deactivate_staff(tx, "clerk01", T0))
        .unwrap();
    assert!(deactivated);
    // Their session is refused at once: the app asks for the password ...
    assert_eq!(
        code(r.app.refresh_reference()),
        ErrorCode::AuthSessionExpired
    );
    // ... which no longer signs in.
    assert_eq!(
        code(r.app.reauthenticate(&Rig::password("clerk01"))),
        ErrorCode::AuthInvalidCredentials
    );
    // Somebody else signs in: the reference data names clerk01, and the
    // counter deletes its verifier.
    r.sign_in("clerk02", &Rig::password("clerk02")).unwrap();
    let (data, _) = r.app.reference().unwrap().unwrap();
    assert_eq!(data.deactivated_staff, vec!["clerk01".to_owned()]);
    r.app.sign_out();
    r.stop_service();
    assert_eq!(
        code(r.sign_in("clerk01", &Rig::password("clerk01"))),
        ErrorCode::AuthOfflineUnavailable
    );
    // clerk02 signed in online here just now: offline works for them.
    assert!(
        r.sign_in("clerk02", &Rig::password("clerk02"))
            .unwrap()
            .offline
    );
}

#[test]
fn a_password_changed_at_the_counter_replaces_the_verifier() {
    let mut r = Rig::new();
    let old = Rig::password("clerk01");
    r.sign_in("clerk01", &old).unwrap();
    let change = |old: &str, new: &str| {
        r.app.change_password(&ChangePasswordRequest {
            old_password: old.to_owned(),
            new_password: new.to_owned(),
        })
    };
    assert_eq!(code(change(&old, "short")), ErrorCode::FieldFormat);
    assert_eq!(
        code(change("not-the-password", "a-new-password-1")),
        ErrorCode::AuthInvalidCredentials
    );
    change(&old, "a-new-password-1").unwrap();
    r.app.sign_out();
    r.stop_service();
    assert_eq!(
        code(r.sign_in("clerk01", &old)),
        ErrorCode::AuthInvalidCredentials
    );
    assert!(r.sign_in("clerk01", "a-new-password-1").unwrap().offline);
}

#[test]
fn changes_made_offline_stay_queued_until_an_online_sign_in() {
    let mut r = Rig::new();
    let pw = Rig::password("clerk01");
    r.sign_in("clerk01", &pw).unwrap();
    r.app.sign_out();
    r.stop_service();
    assert!(r.sign_in("clerk01", &pw).unwrap().offline);
    let ids = r.commit("withdraw-offline-1").unwrap();
    let st = r.app.sync_status().unwrap();
    // (Audit events of the sign-ins may be queued beside the change.)
    assert!(st.queued >= 1 && st.waiting_for_online_sign_in, "{st:?}");
    let queued = st.queued;
    {
        let store = r.app.store().unwrap();
        let made = crate::lock(&store).made_by(ids[0]).unwrap();
        assert_eq!(made, Some((Some("clerk01".to_owned()), true)));
    }
    // The service is back: the driver sees it, but sends nothing under an
    // offline session; the status bar asks for the password.
    r.start_service();
    eventually("the service answers the probe", || {
        let st = r.app.sync_status().unwrap();
        st.link == ehr_protocol::ipc::SyncLink::Online
    });
    let st = r.app.sync_status().unwrap();
    assert!(
        st.needs_sign_in && st.waiting_for_online_sign_in && st.queued >= queued,
        "{st:?}"
    );
    // Signed in online: they go.
    assert!(!r.app.reauthenticate(&pw).unwrap().offline);
    assert!(r.app.wait_until_drained(Duration::from_secs(30)).unwrap());
    let st = r.app.sync_status().unwrap();
    assert!(!st.waiting_for_online_sign_in && !st.needs_sign_in);
}

#[test]
fn an_expired_session_answers_its_own_code_and_the_same_staff_carries_on() {
    let r = Rig::new();
    let pw = Rig::password("clerk01");
    r.sign_in("clerk01", &pw).unwrap();
    r.commit("walk-1").unwrap();
    // The session's time (30 minutes) passes at the counter.
    r.advance(31 * MINUTE_MS);
    r.central_clock.advance(31 * 60);
    assert_eq!(code(r.commit("walk-2")), ErrorCode::AuthSessionExpired);
    assert!(r.app.signed_in(), "the state stays for a sign-in in place");
    r.app.reauthenticate(&pw).unwrap();
    r.commit("walk-2").unwrap();
    // At the service: a session it ended answers the same code.
    r.central_clock.advance(31 * 60);
    assert_eq!(
        code(r.app.refresh_reference()),
        ErrorCode::AuthSessionExpired
    );
    r.app.reauthenticate(&pw).unwrap();
    assert!(r.app.refresh_reference().is_ok());
}

#[test]
fn a_staff_member_deactivated_while_another_works_loses_their_verifier_without_a_new_sign_in() {
    let mut r = Rig::new();
    // clerk01 signs in online here (a verifier is kept), then clerk02 works.
    r.sign_in("clerk01", &Rig::password("clerk01")).unwrap();
    r.app.sign_out();
    r.sign_in("clerk02", &Rig::password("clerk02")).unwrap();
    let before = r.app.reference().unwrap().unwrap().0.version;
    // clerk01 is deactivated at the service while clerk02 stays signed in.
    assert!(r
        .state
        .db
        .write(|tx| ehr_central::auth::deactivate_staff(tx, "clerk01", T0))
        .unwrap());
    // The sync driver's health probe sees the new reference version and
    // fetches it under clerk02's session: no sign-in needed.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (data, _) = r.app.reference().unwrap().unwrap();
        if data.version > before {
            assert_eq!(data.deactivated_staff, vec!["clerk01".to_owned()]);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the new reference version never reached the counter"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    r.app.sign_out();
    r.stop_service();
    assert_eq!(
        code(r.sign_in("clerk01", &Rig::password("clerk01"))),
        ErrorCode::AuthOfflineUnavailable
    );
}

#[test]
fn audit_events_another_process_queued_go_first_and_the_chain_holds() {
    // A support tool (a second App on the same data folder, without a
    // driver) records an event the running driver has not seen; the
    // running app then records its own. The service must get them in the
    // chain's order, or it refuses the later one as `audit.chain_broken`.
    let r = Rig::new();
    let pw = Rig::password("clerk01");
    r.sign_in("clerk01", &pw).unwrap();
    assert!(r.app.wait_until_drained(Duration::from_secs(20)).unwrap());
    let tool = App::with_clock(r.app.config().clone(), r.clock.clone());
    tool.open_store_without_sync().unwrap();
    tool.sign_in(&SignInRequest {
        staff_code: "clerk01".to_owned(),
        password: pw.clone(),
    })
    .unwrap();
    tool.audit_reveal("A123***(3)").unwrap();
    // The running app's own event, told to its driver at once.
    r.app
        .record_audit(
            ehr_protocol::audit::AuditAction::RecordView,
            Some("EHR000000001"),
        )
        .unwrap();
    assert!(r.app.wait_until_drained(Duration::from_secs(30)).unwrap());
    let attention = r.app.attention_list().unwrap();
    assert!(
        attention.is_empty(),
        "{:?}",
        attention.iter().map(|a| a.code).collect::<Vec<_>>()
    );
}
