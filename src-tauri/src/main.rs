//! The eHR Counter desktop shell.
//!
//! This crate only wires Tauri commands to `ehr_app::App` methods, sets up the
//! window and enforces a single instance. No rule or IO lives here: if a
//! command body grows beyond one call into `ehr-app`, the code is in the
//! wrong place.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use ehr_app::App;
use ehr_protocol::ipc::{AppInfo, SignInRequest, StaffSession};
use ehr_protocol::ErrorBody;
use tauri::{Manager, State};

/// What the sign-in screen shows about this installation.
#[tauri::command]
fn app_info(app: State<'_, App>) -> AppInfo {
    app.info()
}

/// Sign a staff member in.
#[tauri::command]
fn sign_in(app: State<'_, App>, request: SignInRequest) -> Result<StaffSession, ErrorBody> {
    app.sign_in(&request)
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

    let app = App::new(ehr_app::Config::from_env());
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
        .invoke_handler(tauri::generate_handler![app_info, sign_in])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("eHR Counter could not start: {e}");
        std::process::exit(1);
    }
}
