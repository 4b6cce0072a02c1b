//! The message catalogue: every sentence a person reads, in English and in
//! Traditional Chinese (Hong Kong usage), from `i18n/en.json` and
//! `i18n/zh-HK.json` at the root of the workspace (ADR 0002).
//!
//! The UI imports the same two files, so a clerk sees the same words whether
//! a message was put together in Rust (an error, a domain refusal, a slip) or
//! in a Svelte component. The files are compiled in and parsed once, on first
//! use; there is no IO, so the pure domain crate may use this one.
//!
//! A message is fixed text with at most a few `{placeholder}`s, filled by
//! [`format`] with values the caller chooses (a count, a code, a masked
//! number). The catalogue never holds personal data and nothing here logs.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The English catalogue, as compiled in.
pub const EN_JSON: &str = include_str!("../../../i18n/en.json");
/// The Traditional Chinese catalogue, as compiled in.
pub const ZH_JSON: &str = include_str!("../../../i18n/zh-HK.json");

/// A language of the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Traditional Chinese, Hong Kong usage.
    ZhHk,
}

impl Lang {
    /// Both languages, English first (the order of bilingual slips).
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhHk];

    /// The BCP 47 tag (`en`, `zh-HK`), as the UI and HTML use it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhHk => "zh-HK",
        }
    }

    /// The language for a tag: `en…` is English, `zh…` Chinese.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let t = tag.to_ascii_lowercase();
        if t == "en" || t.starts_with("en-") {
            Some(Lang::En)
        } else if t == "zh" || t.starts_with("zh-") {
            Some(Lang::ZhHk)
        } else {
            None
        }
    }
}

type Catalogue = BTreeMap<String, String>;

fn parse(json: &str) -> Catalogue {
    // The files are checked by this crate's tests (and by the UI's type
    // check), so a parse failure cannot ship; should one happen anyway the
    // catalogue is empty and every lookup falls back to its key, which is
    // visible on screen and names what is missing, rather than a panic.
    serde_json::from_str(json).unwrap_or_default()
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static EN: OnceLock<Catalogue> = OnceLock::new();
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| parse(EN_JSON)),
        Lang::ZhHk => ZH.get_or_init(|| parse(ZH_JSON)),
    }
}

/// The message for `key` in `lang`, if the catalogue has it.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    catalogue(lang).get(key).map(String::as_str)
}

/// The message for `key` in `lang`. A key the catalogue lacks (a defect the
/// tests catch) comes back as the key itself rather than a panic.
pub fn text(lang: Lang, key: &str) -> &'static str {
    match catalogue(lang).get_key_value(key) {
        Some((_, v)) => v.as_str(),
        None => missing(lang, key),
    }
}

fn missing(lang: Lang, key: &str) -> &'static str {
    // The key itself, from the other catalogue if it has it (so it is
    // 'static), else a fixed marker.
    let other = match lang {
        Lang::En => Lang::ZhHk,
        Lang::ZhHk => Lang::En,
    };
    catalogue(other)
        .get_key_value(key)
        .map(|(k, _)| k.as_str())
        .unwrap_or("[missing message]")
}

/// The message for `key` in English and in Chinese.
pub fn pair(key: &str) -> (&'static str, &'static str) {
    (text(Lang::En, key), text(Lang::ZhHk, key))
}

/// The message for `key` in `lang` with its `{name}` placeholders replaced
/// by `args`. A placeholder without an argument stays as it is.
pub fn format(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(text(lang, key), args)
}

/// Replaces `{name}` in `template` with the value of `name` in `args`.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names in `template`, sorted.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// Every key of `lang`'s catalogue, sorted.
pub fn keys(lang: Lang) -> impl Iterator<Item = &'static str> {
    catalogue(lang).keys().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chinese characters, or the full-width punctuation Chinese text uses
    /// (a message of placeholders and brackets only, such as a site's name
    /// and code, is Chinese by its punctuation).
    fn has_chinese(s: &str) -> bool {
        s.chars().any(|c| {
            ('\u{4e00}'..='\u{9fff}').contains(&c)
                || ('\u{3000}'..='\u{303f}').contains(&c)
                || ('\u{ff00}'..='\u{ffef}').contains(&c)
        })
    }

    #[test]
    fn both_files_parse_as_flat_objects_of_strings() {
        for json in [EN_JSON, ZH_JSON] {
            let v: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
            let obj = v.as_object().expect("an object");
            assert!(obj.len() > 100);
            for (k, v) in obj {
                assert!(v.is_string(), "{k} is not a string");
            }
        }
    }

    #[test]
    fn every_key_is_in_both_languages() {
        let en: Vec<_> = keys(Lang::En).collect();
        let zh: Vec<_> = keys(Lang::ZhHk).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(only_en.is_empty(), "missing in zh-HK.json: {only_en:?}");
        assert!(only_zh.is_empty(), "missing in en.json: {only_zh:?}");
    }

    #[test]
    fn keys_are_dotted_lowercase() {
        for k in keys(Lang::En) {
            assert!(
                k.contains('.')
                    && k.chars().all(|c| c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || c == '.'
                        || c == '_'),
                "key {k:?}"
            );
        }
    }

    #[test]
    fn both_languages_have_the_same_placeholders() {
        for k in keys(Lang::En) {
            assert_eq!(
                placeholders(text(Lang::En, k)),
                placeholders(text(Lang::ZhHk, k)),
                "placeholders of {k}"
            );
        }
    }

    #[test]
    fn chinese_messages_are_in_chinese_and_english_ones_are_not() {
        for k in keys(Lang::En) {
            let (en, zh) = pair(k);
            assert!(
                !en.trim().is_empty() && !zh.trim().is_empty(),
                "{k} is empty"
            );
            // A language's own name is written in that language in both
            // catalogues (the switch shows the language to switch to).
            if k.starts_with("ui.lang.") {
                continue;
            }
            assert!(!has_chinese(en), "{k}: English text has Chinese in it");
            assert!(has_chinese(zh), "{k}: the Chinese text has no Chinese");
        }
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(
            fill("{n} waiting, oldest {age}", &[("n", "3"), ("age", "5 min")]),
            "3 waiting, oldest 5 min"
        );
        assert_eq!(fill("{n} and {m}", &[("n", "1")]), "1 and {m}");
        assert_eq!(fill("no braces", &[("n", "1")]), "no braces");
        assert_eq!(fill("open { brace", &[]), "open { brace");
        assert_eq!(placeholders("{b} {a} {b}"), vec!["a", "b"]);
    }

    #[test]
    fn a_missing_key_comes_back_as_a_marker_not_a_panic() {
        assert_eq!(text(Lang::En, "no.such.key"), "[missing message]");
        assert!(lookup(Lang::En, "no.such.key").is_none());
    }

    #[test]
    fn tags() {
        assert_eq!(Lang::from_tag("zh-Hant-HK"), Some(Lang::ZhHk));
        assert_eq!(Lang::from_tag("EN"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::ZhHk.tag(), "zh-HK");
    }
}
