//! `ehrctl slip sample`, run as the built binary, its PDF read back with
//! poppler's `pdftotext` and `pdffonts`.

use std::process::{Command, Output};

use ehr_i18n::{text, Lang};
use serde_json::Value;

fn ehrctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehrctl"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ehrctl: {e}"))
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn tool(cmd: &str, pdf: &std::path::Path, extra: &[&str]) -> String {
    let out = Command::new(cmd)
        .arg(pdf)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(out.status.success(), "{cmd} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn sample_slip_in_each_language() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ehrctl-slip");
    std::fs::create_dir_all(&dir).expect("dir");
    for (lang, langs) in [
        ("en", &[Lang::En][..]),
        ("zh", &[Lang::ZhHk][..]),
        ("both", &Lang::ALL[..]),
    ] {
        let path = dir.join(format!("sample-{lang}.pdf"));
        let out = ehrctl(&[
            "slip",
            "sample",
            "--lang",
            lang,
            "--out",
            path.to_str().expect("path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out);
        let bytes = std::fs::metadata(&path).expect("the PDF").len();
        assert_eq!(v["bytes"], bytes);
        assert_eq!(v["pages"], 1);
        assert_eq!(v["lang"], lang);
        assert!(bytes <= 200 * 1024, "{bytes} bytes");

        let extracted = tool("pdftotext", &path, &["-"]);
        for &l in langs {
            assert!(
                extracted.contains(text(l, "slip.title")),
                "{lang}: {extracted}"
            );
        }
        // The sample's rare characters come back, and only the masked number.
        assert!(
            extracted.contains("\u{5cef}\u{5605}\u{35ce}"),
            "{extracted}"
        );
        if lang != "en" {
            // The centre's Chinese name, address-like.
            assert!(extracted.contains("\u{90a8}") && extracted.contains("\u{7dab}"));
        }
        assert!(extracted.contains("A123***(3)"));
        assert!(!extracted.contains("A123456"));
        assert!(extracted.contains("SAMPLE-20261201-0001"));

        let fonts = tool("pdffonts", &path, &[]);
        assert!(fonts.contains("NotoSansCJKhk"), "{fonts}");
        for row in fonts.lines().skip(2) {
            assert!(row.contains("yes yes yes"), "{row}");
        }
    }
}

#[test]
fn bad_language_is_a_usage_error_and_an_unwritable_file_a_failure() {
    let out = ehrctl(&["slip", "sample", "--lang", "fr", "--out", "/tmp/x.pdf"]);
    assert_eq!(out.status.code(), Some(2));
    let out = ehrctl(&["slip", "sample", "--out", "/nonexistent-dir/slip.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "slip.write");
}
