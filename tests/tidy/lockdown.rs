//! The Tauri shell is locked down, and the UI can call only what it uses.

use std::collections::BTreeSet;
use std::path::Path;

use ehr_tests::workspace;
use serde_json::Value;

fn read(rel: &str) -> String {
    std::fs::read_to_string(workspace::root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The quoted strings between `start` and the next `end` in `text`.
fn quoted_between(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not found"))
        + start.len();
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("{end:?} not found"));
    text[from..to]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Command names the UI calls: `call<T>("name"` in ui/src/lib/api.ts.
fn ui_commands(api_ts: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in api_ts.match_indices("call<") {
        let rest = &api_ts[i..];
        if let Some(open) = rest.find(">(\"") {
            let name = &rest[open + 3..];
            if let Some(close) = name.find('"') {
                out.insert(name[..close].to_owned());
            }
        }
    }
    out
}

#[test]
fn ui_handlers_manifest_and_capability_name_the_same_commands() {
    let api = read("ui/src/lib/api.ts");
    let ui = ui_commands(&api);
    assert!(!ui.is_empty(), "found no commands in ui/src/lib/api.ts");

    let manifest = quoted_between(
        &read("src-tauri/build.rs"),
        "const COMMANDS: &[&str] = &[",
        "];",
    );

    let main_rs = read("src-tauri/src/main.rs");
    let handlers: BTreeSet<String> = {
        let start = main_rs
            .find("generate_handler![")
            .expect("generate_handler! in main.rs")
            + 18;
        let end = start + main_rs[start..].find(']').expect("closing bracket");
        main_rs[start..end]
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };

    let cap: Value = serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
    let permissions: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("permissions array")
        .iter()
        .map(|p| {
            p.as_str()
                .expect("permission is a plain identifier")
                .to_owned()
        })
        .collect();
    let granted: BTreeSet<String> = permissions
        .iter()
        .map(|p| {
            p.strip_prefix("allow-")
                .unwrap_or_else(|| {
                    panic!("capability grants {p:?}, which is not one of the app's commands")
                })
                .replace('-', "_")
        })
        .collect();

    assert_eq!(ui, manifest, "UI commands vs src-tauri/build.rs COMMANDS");
    assert_eq!(ui, handlers, "UI commands vs generate_handler! in main.rs");
    assert_eq!(ui, granted, "UI commands vs capabilities/main.json");
}

#[test]
fn only_the_api_module_talks_to_tauri() {
    fn walk(dir: &Path, hits: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, hits);
            } else if std::fs::read_to_string(&p).is_ok_and(|t| t.contains("@tauri-apps/api")) {
                hits.push(p.display().to_string());
            }
        }
    }
    let mut hits = Vec::new();
    walk(&workspace::root().join("ui/src"), &mut hits);
    assert_eq!(
        hits.len(),
        1,
        "only ui/src/lib/api.ts may import @tauri-apps/api; found {hits:?}"
    );
    assert!(hits[0].ends_with("ui/src/lib/api.ts"), "{hits:?}");
}

#[test]
fn csp_has_no_remote_origin_and_no_dev_server() {
    let conf: Value = serde_json::from_str(&read("src-tauri/tauri.conf.json")).unwrap();
    assert!(
        conf["build"].get("devUrl").is_none(),
        "a devUrl would load the UI from a server"
    );
    let csp = conf["app"]["security"]["csp"]
        .as_object()
        .expect("CSP is set, as an object");
    let allowed = [
        "'self'",
        "'none'",
        "data:",
        "blob:",
        "ipc:",
        "http://ipc.localhost",
    ];
    for (directive, sources) in csp {
        for src in sources
            .as_str()
            .expect("CSP sources are a string")
            .split_whitespace()
        {
            assert!(
                allowed.contains(&src),
                "CSP {directive} allows {src:?}, which is not local"
            );
        }
    }
    for d in [
        "default-src",
        "script-src",
        "connect-src",
        "object-src",
        "frame-ancestors",
    ] {
        assert!(csp.contains_key(d), "CSP sets {d}");
    }
    assert_eq!(conf["app"]["withGlobalTauri"], Value::Bool(false));
    for w in conf["app"]["windows"].as_array().unwrap() {
        assert_eq!(
            w["devtools"],
            Value::Bool(false),
            "window {} has devtools",
            w["label"]
        );
    }
}

#[test]
fn tauri_is_built_without_devtools() {
    let metadata = workspace::cargo_metadata();
    let tauri_id = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tauri")
        .and_then(|p| p["id"].as_str())
        .expect("tauri is in the dependency graph")
        .to_owned();
    let node = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == tauri_id.as_str())
        .expect("tauri resolved");
    let features: Vec<&str> = node["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !features.contains(&"devtools"),
        "tauri is built with the devtools feature: {features:?}"
    );
    assert!(
        features.contains(&"custom-protocol"),
        "the UI is embedded (custom-protocol): {features:?}"
    );
}

#[test]
fn single_instance_plugin_is_registered() {
    let main_rs = read("src-tauri/src/main.rs");
    assert!(
        main_rs.contains("tauri_plugin_single_instance::init"),
        "single-instance plugin registered"
    );
}

#[test]
fn command_extraction_reads_what_it_should() {
    let api = r#"appInfo: () => call<AppInfo>("app_info"), x: (r) => call<StaffSession>("sign_in", { r })"#;
    let got = ui_commands(api);
    assert_eq!(
        got,
        BTreeSet::from(["app_info".to_string(), "sign_in".to_string()])
    );
    assert_eq!(
        quoted_between(r#"const C: &[&str] = &["a", "b_c"];"#, "&[&str] = &[", "];"),
        BTreeSet::from(["a".to_string(), "b_c".to_string()])
    );
}

/// The commands that may run on the UI thread: they touch neither the store
/// nor the network (nor wait for a lock that store or network work holds).
const UI_THREAD_COMMANDS: &[&str] = &[
    "app_info",
    "watch_reader",
    "finish_task",
    "check_manual_identity",
    // Keep a channel; close the window. Neither touches the store.
    "watch_close",
    "close_app",
];

/// Each `#[tauri::command…]` in `main_rs`: (name, whether it is async).
fn commands(main_rs: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = main_rs;
    while let Some(at) = rest.find("#[tauri::command") {
        let attr_end = rest[at..].find(']').map_or(rest.len(), |e| at + e);
        let is_async = rest[at..attr_end].contains("async");
        rest = &rest[attr_end..];
        let Some(f) = rest.find("fn ") else { break };
        let after = &rest[f + 3..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let async_fn = rest[..f].contains("async ");
        out.push((name, is_async || async_fn));
        rest = after;
    }
    out
}

#[test]
fn commands_that_touch_the_store_or_the_network_run_off_the_ui_thread() {
    let found = commands(&read("src-tauri/src/main.rs"));
    assert!(found.len() >= 10, "commands found: {found:?}");
    let on_ui_thread: Vec<&str> = found
        .iter()
        .filter(|(name, is_async)| !is_async && !UI_THREAD_COMMANDS.contains(&name.as_str()))
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(
        on_ui_thread.is_empty(),
        "these commands run on the UI thread; make them #[tauri::command(async)]: {on_ui_thread:?}"
    );
}

#[test]
fn command_reading_tells_async_from_sync() {
    let src = "#[tauri::command]\nfn a(x: u8) {}\n#[tauri::command(async)]\nfn b() {}\n#[tauri::command]\nasync fn c() {}";
    assert_eq!(
        commands(src),
        vec![
            ("a".to_owned(), false),
            ("b".to_owned(), true),
            ("c".to_owned(), true)
        ]
    );
}
