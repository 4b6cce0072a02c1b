//! Reader-facing text lives in the message catalogue (`i18n/*.json`, ADR
//! 0002), nowhere else.
//!
//! Two checks, each with its own detector test:
//! - Rust: no Chinese text in a source file outside its `#[cfg(test)]`
//!   module and comments. Every sentence a person reads exists in both
//!   languages, so a bilingual table in code always carries Chinese; the
//!   Chinese half is what this finds. A short list of files may hold Chinese
//!   that is not text for a reader (input parsing, registers of organisation
//!   names, training data), each with its reason.
//! - Svelte: no literal text in markup, and no literal `aria-label`,
//!   `placeholder`, `title` or `alt`: every word on a screen is an
//!   expression, `{t("...")}` or data. TypeScript outside tests has no
//!   Chinese text either.

use std::path::{Path, PathBuf};

use ehr_tests::workspace;

/// Files that may hold Chinese characters that are not reader-facing text.
const ALLOWED: &[(&str, &str)] = &[
    (
        "crates/ehr-domain/src/person/mod.rs",
        "parses 男/女 as typed or read from a card (input, not output)",
    ),
    (
        "crates/ehr-domain/src/person/chinese.rs",
        "reads Chinese Commercial Codes as typed, split at the Chinese enumeration comma (input, not output)",
    ),
    (
        "crates/ehr-central/src/seed.rs",
        "training data: fictional people's Chinese names",
    ),
    (
        "crates/ehr-central/src/reference.rs",
        "registers of organisations (providers, sites) with their official Chinese names: data the service serves, like a database row",
    ),
];

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}

/// Every file under `dir` whose name ends with one of `exts`.
fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, exts, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| exts.contains(&x))
        {
            out.push(p);
        }
    }
}

/// The lines of `source` (1-based numbers) that hold Chinese outside
/// comments and outside the test module.
fn chinese_lines(source: &str) -> Vec<usize> {
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let t = line.trim_start();
        // The test module conventionally closes the file.
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        // A `//` inside a string (a URL) is not a comment: cut at the
        // first one with balanced quotes before it.
        let code = line
            .match_indices("//")
            .find(|(at, _)| line[..*at].matches('"').count() % 2 == 0)
            .map_or(line, |(at, _)| &line[..at]);
        if has_chinese(code) {
            found.push(i + 1);
        }
    }
    found
}

#[test]
fn no_chinese_text_in_rust_outside_the_catalogue() {
    let root = workspace::root();
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src"] {
        self::files(&root.join(dir), &["rs"], &mut files);
    }
    let mut offenders = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        // Tests, examples and benches are not shipped text.
        if rel.contains("/tests/")
            || rel.ends_with("/tests.rs")
            || rel.ends_with("_tests.rs")
            || rel.contains("/examples/")
            || rel.contains("/benches/")
            || ALLOWED.iter().any(|(a, _)| *a == rel)
        {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{rel}: {e}"));
        for n in chinese_lines(&text) {
            offenders.push(format!("{rel}:{n}"));
        }
    }
    assert!(files.len() > 50, "found only {} Rust files", files.len());
    assert!(
        offenders.is_empty(),
        "reader-facing text belongs in i18n/en.json and i18n/zh-HK.json (read it with ehr_i18n): {offenders:#?}"
    );
}

/// Removes `<tag ...>...</tag>` blocks (script, style).
fn without_blocks(source: &str, tag: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    while let Some(a) = rest.find(&open) {
        out.push_str(&rest[..a]);
        match rest[a..].find(&close) {
            Some(b) => rest = &rest[a + b + close.len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes `{...}` expressions (balanced), keeping a placeholder so text
/// on either side does not join.
fn without_expressions(source: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in source.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push('\u{1}');
                }
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Literal text in Svelte markup, and literal text attributes.
fn svelte_literals(source: &str) -> Vec<String> {
    let markup = without_blocks(&without_blocks(source, "script"), "style");
    let markup = without_expressions(&markup);
    let mut found = Vec::new();
    for attr in ["aria-label=\"", "placeholder=\"", "title=\"", "alt=\""] {
        let mut rest = markup.as_str();
        while let Some(a) = rest.find(attr) {
            let after = &rest[a + attr.len()..];
            let end = after.find('"').unwrap_or(after.len());
            let value = &after[..end];
            if value.chars().any(char::is_alphabetic) {
                found.push(format!("{attr}{value}\""));
            }
            rest = &after[end..];
        }
    }
    // Text between tags.
    let mut in_tag = false;
    let mut text = String::new();
    for c in markup.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push('\n');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    for piece in text.split(['\n', '\u{1}']) {
        let piece = piece.trim();
        if piece.chars().any(char::is_alphabetic) {
            found.push(piece.to_owned());
        }
    }
    found
}

#[test]
fn no_literal_text_in_the_ui_outside_the_catalogue() {
    let root = workspace::root();
    let mut files = Vec::new();
    self::files(&root.join("ui/src"), &["svelte", "ts"], &mut files);
    let mut offenders = Vec::new();
    let mut svelte = 0;
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{rel}: {e}"));
        if rel.ends_with(".svelte") {
            svelte += 1;
            for lit in svelte_literals(&text) {
                offenders.push(format!("{rel}: {lit:?}"));
            }
        } else if !rel.ends_with(".test.ts") {
            for n in chinese_lines(&text) {
                offenders.push(format!("{rel}:{n}"));
            }
        }
    }
    assert!(svelte >= 5, "found only {svelte} components");
    assert!(
        offenders.is_empty(),
        "screen text belongs in i18n/en.json and i18n/zh-HK.json (use t(\"ui....\")): {offenders:#?}"
    );
}

#[test]
fn the_detectors_find_what_they_should() {
    // Rust: a bilingual pair in code is found; comments and tests are not.
    let rust = "fn a() -> (&'static str, &'static str) {\n    (\"Sign in\", \"登入\")\n}\n// 登入 in a comment\nlet u = \"https://x\"; // 註\n#[cfg(test)]\nmod tests { const X: &str = \"登入\"; }\n";
    assert_eq!(chinese_lines(rust), vec![2]);
    // Svelte: text nodes and text attributes are found; expressions,
    // scripts, styles and data attributes are not.
    let svelte = "<script>const a = \"Sign in\";</script>\n<h1>{t(\"ui.x\")}</h1>\n<p>Insert the card</p>\n<input placeholder=\"DD/MM/YYYY\" data-testid=\"x\" />\n<button aria-label={t(\"ui.y\")} onclick={() => go(a > b)}>{t(\"ui.z\")}</button>\n<span> · {n}</span>\n<style>p { color: red; }</style>";
    let found = svelte_literals(svelte);
    assert_eq!(
        found,
        vec![
            "placeholder=\"DD/MM/YYYY\"".to_owned(),
            "Insert the card".to_owned()
        ],
        "{found:?}"
    );
}
