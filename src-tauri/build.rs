//! Builds the Tauri context. The app manifest lists every command the UI may
//! call: each becomes a permission (`allow-<command>`), and the window's
//! capability in `capabilities/main.json` grants exactly those.

/// The commands of `src/main.rs`, in one place for tauri-build and the tidy test.
const COMMANDS: &[&str] = &[
    "app_info",
    "sign_in",
    "sign_out",
    "lock",
    "unlock",
    "reauthenticate",
    "change_password",
    "policies",
    "enrolment",
    "enrol",
    "watch_close",
    "close_app",
    "watch_reader",
    "finish_task",
    "task_current",
    "task_new",
    "task_from_card",
    "task_from_manual",
    "task_event",
    "task_sign_off",
    "task_draft",
    "task_resume",
    "task_choices",
    "task_reveal",
    "check_manual_identity",
    "sync_status",
    "attention_list",
    "retry_attention",
    "discard_attention",
    "sync_now",
    "scan_folder",
    "capture_scan",
    "capture_bytes",
    "capture_adjust",
    "capture_open",
    "capture_kind",
    "capture_remove",
    "captures",
    "notice_slip",
    "kept_slip",
    "slips_today",
    "printers",
    "print_slip",
    "save_slip",
    "close_slip",
    "follow_up_newborns",
    "follow_up_newborns_slip",
    "follow_up_expiring",
    "follow_up_expiring_slip",
    "follow_up_turning_16",
    "work_items",
    "follow_up_turning_16_slip",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed: see the message above");
}
