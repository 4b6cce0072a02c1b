//! The eHR Counter desktop shell.
//!
//! This crate only wires Tauri commands to `ehr_app::App` methods, sets up the
//! window and enforces a single instance. Every command that touches the
//! store or the network is an async command, so it runs off the UI thread. No rule or IO lives here: if a
//! command body grows beyond one call into `ehr-app`, the code is in the
//! wrong place.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::{Arc, Mutex};

use ehr_app::App;
use ehr_protocol::card::{FieldIssue, IdentityView, ManualIdentityRequest, ReaderView};
use ehr_protocol::ipc::{
    AppInfo, AttentionItem, CaptureAdjust, CaptureKind, CaptureView, ChangePasswordRequest,
    DiscardRequest, EnrolCounterRequest, EnrolmentView, KeptSlipView, PolicyView, PrintedView,
    PrinterView, SavedView, ScanFolderView, SignInRequest, SlipLanguage, SlipView, StaffSession,
    SyncStatus,
};
use ehr_protocol::task::{
    DraftOffer, ExpiringView, FollowUpView, TaskChoices, TaskEvent, TaskSignOffRequest, TaskView,
    TurningView, WorkItemRow,
};
use ehr_protocol::ErrorBody;
use tauri::ipc::Channel;
use tauri::{Manager, State};

/// The UI's subscriptions to reader changes (a channel needs no event
/// permission, so the window's capability stays limited to our commands).
#[derive(Default, Clone)]
struct ReaderWatchers(Arc<Mutex<Vec<Channel<ReaderView>>>>);

/// The UI's subscription to a close of the window while changes are still
/// queued (it asks the clerk), and whether the clerk confirmed.
#[derive(Default)]
struct CloseGuard {
    watcher: Mutex<Option<Channel<u64>>>,
    confirmed: std::sync::atomic::AtomicBool,
}

/// What the sign-in screen shows about this installation.
#[tauri::command]
fn app_info(app: State<'_, App>) -> AppInfo {
    app.info()
}

/// Sign a staff member in (at the central service: off the UI thread).
#[tauri::command(async)]
fn sign_in(app: State<'_, App>, request: SignInRequest) -> Result<StaffSession, ErrorBody> {
    app.sign_in(&request)
}

/// Sign out; the identity on screen is cleared.
#[tauri::command(async)]
fn sign_out(app: State<'_, App>) {
    app.sign_out()
}

/// Lock the screen (idle, or the clerk asked): the identity is hidden.
#[tauri::command(async)]
fn lock(app: State<'_, App>) -> Result<(), ErrorBody> {
    app.lock()
}

/// The same staff member unlocks with their password.
#[tauri::command(async)]
fn unlock(app: State<'_, App>, request: SignInRequest) -> Result<StaffSession, ErrorBody> {
    app.unlock(&request)
}

/// The signed-in staff member's password again, in place: the card, the
/// task and the queue stay.
#[tauri::command(async)]
fn reauthenticate(app: State<'_, App>, password: String) -> Result<StaffSession, ErrorBody> {
    app.reauthenticate(&password)
}

/// Change one's own password at the service (online).
#[tauri::command(async)]
fn change_password(app: State<'_, App>, request: ChangePasswordRequest) -> Result<(), ErrorBody> {
    app.change_password(&request)
}

/// The policies in force (idle-lock minutes and the rest).
#[tauri::command(async)]
fn policies(app: State<'_, App>) -> PolicyView {
    app.policies()
}

/// Whether this counter is enrolled, and its site.
#[tauri::command(async)]
fn enrolment(app: State<'_, App>) -> EnrolmentView {
    app.enrolment()
}

/// Enrol this counter with the central service (first run).
#[tauri::command(async)]
fn enrol(app: State<'_, App>, request: EnrolCounterRequest) -> Result<EnrolmentView, ErrorBody> {
    app.enrol(&request)
}

/// The UI asks to hear of a close while changes are queued.
#[tauri::command]
fn watch_close(guard: State<'_, CloseGuard>, on_request: Channel<u64>) {
    if let Ok(mut w) = guard.watcher.lock() {
        *w = Some(on_request);
    }
}

/// The clerk confirmed closing with changes queued (they stay in the store
/// and are sent at the next start).
#[tauri::command]
fn close_app(guard: State<'_, CloseGuard>, window: tauri::Window) {
    guard
        .confirmed
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = window.close();
}

/// The card side now; later changes arrive on `on_change`.
#[tauri::command]
fn watch_reader(
    app: State<'_, App>,
    watchers: State<'_, ReaderWatchers>,
    on_change: Channel<ReaderView>,
) -> ReaderView {
    if let Ok(mut w) = watchers.0.lock() {
        // One window, one pane watching: a pane shown again (after the
        // lock) replaces the channel of the one taken away.
        w.clear();
        w.push(on_change);
    }
    app.reader_view()
}

/// The clerk finished (or abandoned) the task: nothing of the person
/// stays, on screen or kept.
#[tauri::command(async)]
fn finish_task(app: State<'_, App>) -> ReaderView {
    app.task_finish()
}

/// The task in hand, if any.
#[tauri::command(async)]
fn task_current(app: State<'_, App>) -> Result<Option<TaskView>, ErrorBody> {
    app.task_current()
}

/// A new task with nobody identified (to look up by reference or name).
#[tauri::command(async)]
fn task_new(app: State<'_, App>) -> Result<TaskView, ErrorBody> {
    app.task_new()
}

/// The card on screen starts a task and is looked up at once.
#[tauri::command(async)]
fn task_from_card(app: State<'_, App>) -> Result<TaskView, ErrorBody> {
    app.task_from_card()
}

/// A checked manual entry starts a task and is looked up at once.
#[tauri::command(async)]
fn task_from_manual(
    app: State<'_, App>,
    request: ManualIdentityRequest,
) -> Result<TaskView, ErrorBody> {
    app.task_from_manual(&request)
}

/// The UI's event for the task in hand.
#[tauri::command(async)]
fn task_event(app: State<'_, App>, event: TaskEvent) -> Result<TaskView, ErrorBody> {
    app.task_event(&event)
}

/// A supervisor signs off the task's differences.
#[tauri::command(async)]
fn task_sign_off(app: State<'_, App>, request: TaskSignOffRequest) -> Result<TaskView, ErrorBody> {
    app.task_sign_off(&request)
}

/// The signed-in clerk's kept task, if any.
#[tauri::command(async)]
fn task_draft(app: State<'_, App>) -> Result<Option<DraftOffer>, ErrorBody> {
    app.task_draft()
}

/// Take the kept task back up.
#[tauri::command(async)]
fn task_resume(app: State<'_, App>) -> Result<Option<TaskView>, ErrorBody> {
    app.task_resume()
}

/// The lists the task's form picks from.
#[tauri::command(async)]
fn task_choices(app: State<'_, App>) -> Result<TaskChoices, ErrorBody> {
    app.task_choices()
}

/// A full document number of the task, after an audited reveal.
#[tauri::command(async)]
fn task_reveal(app: State<'_, App>, who: String) -> Result<String, ErrorBody> {
    app.task_reveal(&who)
}

/// Check the manual pane with the domain rules.
#[tauri::command]
fn check_manual_identity(
    app: State<'_, App>,
    request: ManualIdentityRequest,
) -> Result<IdentityView, Vec<FieldIssue>> {
    app.check_manual_identity(&request)
}

/// The status bar: online or offline, queued, oldest, last sync.
#[tauri::command(async)]
fn sync_status(app: State<'_, App>) -> Result<SyncStatus, ErrorBody> {
    app.sync_status()
}

/// The "needs attention" list.
#[tauri::command(async)]
fn attention_list(app: State<'_, App>) -> Result<Vec<AttentionItem>, ErrorBody> {
    app.attention_list()
}

/// Retry a change on the attention list.
#[tauri::command(async)]
fn retry_attention(app: State<'_, App>, id: i64) -> Result<(), ErrorBody> {
    app.retry_attention(id)
}

/// A supervisor discards a change on the attention list, with a reason.
#[tauri::command(async)]
fn discard_attention(app: State<'_, App>, request: DiscardRequest) -> Result<(), ErrorBody> {
    app.discard_attention(&request)
}

/// The scanner's folder: the complete files waiting in it.
#[tauri::command(async)]
fn scan_folder(app: State<'_, App>) -> Result<ScanFolderView, ErrorBody> {
    app.scan_folder()
}

/// Capture a file of the scanner's folder (held encrypted, the file removed).
#[tauri::command(async)]
fn capture_scan(
    app: State<'_, App>,
    name: String,
    kind: CaptureKind,
) -> Result<CaptureView, ErrorBody> {
    app.capture_scan(&name, kind)
}

/// Capture the bytes the clerk chose or dropped: the raw request body, its
/// kind in the `x-capture-kind` header (no base64 on the way in).
#[tauri::command(async)]
fn capture_bytes(
    app: State<'_, App>,
    request: tauri::ipc::Request<'_>,
) -> Result<CaptureView, ErrorBody> {
    let bytes = match request.body() {
        tauri::ipc::InvokeBody::Raw(b) => b.as_slice(),
        tauri::ipc::InvokeBody::Json(_) => &[],
    };
    let kind = request
        .headers()
        .get("x-capture-kind")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    app.capture_bytes(bytes, kind)
}

/// Normalise a held capture again with the clerk's adjustments.
#[tauri::command(async)]
fn capture_adjust(
    app: State<'_, App>,
    image_id: String,
    adjust: CaptureAdjust,
) -> Result<CaptureView, ErrorBody> {
    app.capture_adjust(&image_id, &adjust)
}

/// A held capture with its preview.
#[tauri::command(async)]
fn capture_open(app: State<'_, App>, image_id: String) -> Result<CaptureView, ErrorBody> {
    app.capture_open(&image_id)
}

/// Change what a held capture shows.
#[tauri::command(async)]
fn capture_kind(
    app: State<'_, App>,
    image_id: String,
    kind: CaptureKind,
) -> Result<CaptureView, ErrorBody> {
    app.capture_kind(&image_id, kind)
}

/// Remove a held capture.
#[tauri::command(async)]
fn capture_remove(app: State<'_, App>, image_id: String) -> Result<(), ErrorBody> {
    app.capture_remove(&image_id)
}

/// The captures held for the task in hand.
#[tauri::command(async)]
fn captures(app: State<'_, App>) -> Result<Vec<CaptureView>, ErrorBody> {
    app.captures()
}

/// The attention notice of a change, as a PDF open in a preview.
#[tauri::command(async)]
fn notice_slip(
    app: State<'_, App>,
    id: i64,
    language: SlipLanguage,
) -> Result<SlipView, ErrorBody> {
    app.notice_slip(id, language)
}

/// A completed task's kept slip, open in a preview for a reprint.
#[tauri::command(async)]
fn kept_slip(app: State<'_, App>, id: i64) -> Result<SlipView, ErrorBody> {
    app.kept_slip(id)
}

/// Today's completed tasks with their slips.
#[tauri::command(async)]
fn slips_today(app: State<'_, App>) -> Result<Vec<KeptSlipView>, ErrorBody> {
    app.slips_today()
}

/// The printers slips can go to.
#[tauri::command(async)]
fn printers(app: State<'_, App>) -> Result<Vec<PrinterView>, ErrorBody> {
    app.printers()
}

/// Print an open slip (waits for the printing system's answer, off the UI thread).
#[tauri::command(async)]
fn print_slip(
    app: State<'_, App>,
    handle: u64,
    printer: Option<String>,
) -> Result<PrintedView, ErrorBody> {
    app.print_slip(handle, printer.as_deref())
}

/// Save an open slip as a PDF file.
#[tauri::command(async)]
fn save_slip(app: State<'_, App>, handle: u64) -> Result<SavedView, ErrorBody> {
    app.save_slip(handle)
}

/// The preview closed: its PDF is forgotten.
#[tauri::command(async)]
fn close_slip(app: State<'_, App>, handle: u64) {
    app.close_slip(handle)
}

/// The birth hospital's newborn records still waiting for the birth
/// certificate, oldest first (from the central service).
#[tauri::command(async)]
fn follow_up_newborns(app: State<'_, App>) -> Result<FollowUpView, ErrorBody> {
    app.newborn_follow_up()
}

/// The newborn follow-up list as a PDF open in a preview (print or save).
#[tauri::command(async)]
fn follow_up_newborns_slip(
    app: State<'_, App>,
    language: SlipLanguage,
) -> Result<SlipView, ErrorBody> {
    app.follow_up_slip(language)
}

/// A supervisor's list: pending applications expiring within 30 days, not
/// activated, soonest first (from the central service).
#[tauri::command(async)]
fn follow_up_expiring(app: State<'_, App>) -> Result<ExpiringView, ErrorBody> {
    app.follow_up_expiring()
}

/// The expiring applications as a PDF open in a preview (print or save).
#[tauri::command(async)]
fn follow_up_expiring_slip(
    app: State<'_, App>,
    language: SlipLanguage,
) -> Result<SlipView, ErrorBody> {
    app.follow_up_expiring_slip(language)
}

/// A supervisor's list: records an SDM keeps for a child who turns 16
/// within 60 days, soonest first (from the central service).
#[tauri::command(async)]
fn follow_up_turning_16(app: State<'_, App>) -> Result<TurningView, ErrorBody> {
    app.follow_up_turning_16()
}

/// The open work items (half-keyed paper forms) of this Registration
/// Office, oldest first (from the central service).
#[tauri::command(async)]
fn work_items(app: State<'_, App>) -> Result<Vec<WorkItemRow>, ErrorBody> {
    app.work_items()
}

/// The children turning 16 as a PDF open in a preview (print or save).
#[tauri::command(async)]
fn follow_up_turning_16_slip(
    app: State<'_, App>,
    language: SlipLanguage,
) -> Result<SlipView, ErrorBody> {
    app.follow_up_turning_16_slip(language)
}

/// Try to sync now.
#[tauri::command(async)]
fn sync_now(app: State<'_, App>) {
    app.sync_now()
}

fn main() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "eHR Counter needs a graphical display, and neither DISPLAY nor WAYLAND_DISPLAY is set.\n\
             On a machine without a screen, run it under a virtual one:\n  \
             dbus-run-session -- xvfb-run -a -s \"-screen 0 1280x800x24\" ehr-counter"
        );
        std::process::exit(2);
    }

    // WebKit's accelerated compositing buys nothing for a page of forms and
    // costs about 120 MB in the web process (software GL where there is no
    // GPU) and some start-up time: off unless the environment asks for it
    // (docs/adr/0003). Set before any thread starts and before WebKit loads.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }

    let app = App::new(ehr_app::Config::from_env());
    // Structured logs in the user's state folder (no personal data).
    ehr_app::logs::init(app.config(), "ehr-counter");
    // Off the UI thread: a keyring may take its time to hand over the key.
    // Meanwhile the status bar says the store is opening, and a failure is
    // shown there in words; nothing is created in place of a store that
    // cannot be opened.
    app.open_store_in_background();
    app.warm_documents_in_background();
    let watchers = ReaderWatchers::default();
    let sending = watchers.clone();
    // The reader thread feeds every window that watches; a closed window's
    // channel fails to send and is dropped.
    if let Err(e) = app.start_card_reader(move |u| {
        if let Ok(mut w) = sending.0.lock() {
            w.retain(|ch| ch.send(u.view.clone()).is_ok());
        }
    }) {
        eprintln!(
            "eHR Counter could not start the card reader thread ({})",
            e.code
        );
    }
    let result = tauri::Builder::default()
        // A second launch focuses the running window instead of opening a
        // second counter session on the same machine.
        .plugin(tauri_plugin_single_instance::init(|handle, _argv, _cwd| {
            if let Some(w) = handle.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .manage(app)
        .manage(watchers)
        .manage(CloseGuard::default())
        // Closing with changes still queued asks the clerk first (the UI
        // says how many, and that they go at the next start).
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let guard = window.state::<CloseGuard>();
                if guard.confirmed.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                let queued = window.state::<App>().queued_changes();
                if queued > 0 {
                    if let Ok(w) = guard.watcher.lock() {
                        if let Some(ch) = w.as_ref() {
                            if ch.send(queued).is_ok() {
                                api.prevent_close();
                            }
                        }
                    }
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            sign_in,
            sign_out,
            lock,
            unlock,
            reauthenticate,
            change_password,
            policies,
            enrolment,
            enrol,
            watch_close,
            close_app,
            watch_reader,
            finish_task,
            task_current,
            task_new,
            task_from_card,
            task_from_manual,
            task_event,
            task_sign_off,
            task_draft,
            task_resume,
            task_choices,
            task_reveal,
            check_manual_identity,
            sync_status,
            attention_list,
            retry_attention,
            discard_attention,
            sync_now,
            scan_folder,
            capture_scan,
            capture_bytes,
            capture_adjust,
            capture_open,
            capture_kind,
            capture_remove,
            captures,
            notice_slip,
            kept_slip,
            slips_today,
            printers,
            print_slip,
            save_slip,
            close_slip,
            follow_up_newborns,
            follow_up_newborns_slip,
            follow_up_expiring,
            follow_up_expiring_slip,
            follow_up_turning_16,
            work_items,
            follow_up_turning_16_slip
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("eHR Counter could not start: {e}");
        std::process::exit(1);
    }
}
