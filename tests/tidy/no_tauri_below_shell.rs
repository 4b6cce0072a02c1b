//! No crate under `crates/` may depend on Tauri, even transitively.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;

use ehr_tests::workspace;
use serde_json::Value;

fn is_tauri(name: &str) -> bool {
    name == "tauri" || name.starts_with("tauri-")
}

/// For each workspace package whose manifest lies under `crates_dir`, the
/// path by which it reaches a Tauri package, if it does. `metadata` is the
/// output of `cargo metadata --format-version 1`.
fn tauri_dependents(metadata: &Value, crates_dir: &Path) -> Vec<String> {
    reaching(
        metadata,
        |manifest| Path::new(manifest).starts_with(crates_dir),
        is_tauri,
    )
}

/// For each workspace package whose manifest `member` selects, the path by
/// which it reaches a package `forbidden` names (the first found, breadth
/// first), if it does.
pub(crate) fn reaching(
    metadata: &Value,
    member: impl Fn(&str) -> bool,
    forbidden: impl Fn(&str) -> bool,
) -> Vec<String> {
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let name_of: HashMap<&str, &str> = packages
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    let deps_of: HashMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .filter_map(|n| {
                    let id = n["id"].as_str()?;
                    let deps = n["deps"]
                        .as_array()
                        .map(|d| d.iter().filter_map(|d| d["pkg"].as_str()).collect())
                        .unwrap_or_default();
                    Some((id, deps))
                })
                .collect()
        })
        .unwrap_or_default();
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();

    let mut offenders = Vec::new();
    for p in &packages {
        let (Some(id), Some(manifest)) = (p["id"].as_str(), p["manifest_path"].as_str()) else {
            continue;
        };
        if !members.contains(id) || !member(manifest) {
            continue;
        }
        // Breadth-first, remembering how each package was reached.
        let mut parent: HashMap<&str, &str> = HashMap::new();
        let mut queue = VecDeque::from([id]);
        while let Some(cur) = queue.pop_front() {
            if cur != id && name_of.get(cur).is_some_and(|n| forbidden(n)) {
                let mut chain = vec![name_of[cur]];
                let mut at = cur;
                while let Some(prev) = parent.get(at) {
                    chain.push(name_of.get(prev).copied().unwrap_or("?"));
                    at = prev;
                }
                chain.reverse();
                offenders.push(chain.join(" -> "));
                break;
            }
            for dep in deps_of.get(cur).into_iter().flatten() {
                if *dep != id && !parent.contains_key(dep) {
                    parent.insert(dep, cur);
                    queue.push_back(dep);
                }
            }
        }
    }
    offenders
}

#[test]
fn no_crate_under_crates_depends_on_tauri() {
    let root = workspace::root().canonicalize().unwrap();
    let metadata = workspace::cargo_metadata();
    let offenders = tauri_dependents(&metadata, &root.join("crates"));
    assert!(
        offenders.is_empty(),
        "crates under crates/ must not depend on Tauri (only src-tauri may):\n{}",
        offenders.join("\n")
    );
    // The check is not vacuous: the shell itself does reach Tauri.
    let shell = tauri_dependents(&metadata, &root.join("src-tauri"));
    assert!(
        shell.iter().any(|c| c.starts_with("ehr-counter -> tauri")),
        "the detector must see src-tauri's own Tauri dependency; got {shell:?}"
    );
}

#[test]
fn detector_finds_a_transitive_tauri_dependency() {
    // A synthetic graph: crates/a -> crates/b -> tauri-utils; crates/c clean.
    let m = serde_json::json!({
        "workspace_members": ["a", "b", "c"],
        "packages": [
            {"id": "a", "name": "a", "manifest_path": "/w/crates/a/Cargo.toml"},
            {"id": "b", "name": "b", "manifest_path": "/w/crates/b/Cargo.toml"},
            {"id": "c", "name": "c", "manifest_path": "/w/crates/c/Cargo.toml"},
            {"id": "t", "name": "tauri-utils", "manifest_path": "/r/tauri-utils/Cargo.toml"},
            {"id": "s", "name": "serde", "manifest_path": "/r/serde/Cargo.toml"}
        ],
        "resolve": {"nodes": [
            {"id": "a", "deps": [{"pkg": "b"}, {"pkg": "s"}]},
            {"id": "b", "deps": [{"pkg": "t"}]},
            {"id": "c", "deps": [{"pkg": "s"}]},
            {"id": "t", "deps": []},
            {"id": "s", "deps": []}
        ]}
    });
    let got = tauri_dependents(&m, Path::new("/w/crates"));
    assert_eq!(
        got,
        vec![
            "a -> b -> tauri-utils".to_string(),
            "b -> tauri-utils".to_string()
        ]
    );
}
