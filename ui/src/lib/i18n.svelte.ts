// The UI's side of the message catalogue (docs/adr/0002): the same two files
// Rust reads, imported as JSON. TypeScript takes the key set from en.json, so
// t("ui.sign_in.title") is checked when the UI is built, and the Chinese
// catalogue must have every key (the assignment below fails `npm run check`
// otherwise). The chosen language is reactive state: switching it re-renders
// text and nothing else, so whatever is typed into a form stays.
import en from "../../../i18n/en.json";
import zhHk from "../../../i18n/zh-HK.json";
import type { ErrorBody, ErrorCode } from "./bindings";

export type Key = keyof typeof en;
export type Lang = "en" | "zh-HK";

const zh: Record<Key, string> = zhHk;
// Every error code Rust can send has its words (a missing one fails the type check).
const errorWords: Record<`error.${ErrorCode}`, string> = en;
void errorWords;

const CATALOGUES: Record<Lang, Record<Key, string>> = { en, "zh-HK": zh };
const STORAGE = "ehr.lang";

function initial(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE);
    if (saved === "en" || saved === "zh-HK") return saved;
  } catch {
    // Storage may be unavailable (tests): the default applies.
  }
  return "en";
}

class Language {
  current = $state<Lang>(initial());

  set(next: Lang) {
    this.current = next;
    try {
      globalThis.localStorage?.setItem(STORAGE, next);
    } catch {
      // Not kept across restarts then; the switch still works.
    }
    if (typeof document !== "undefined") document.documentElement.lang = next === "en" ? "en" : "zh-Hant-HK";
  }

  toggle() {
    this.set(this.current === "en" ? "zh-HK" : "en");
  }
}

export const language = new Language();

/** Replaces `{name}` with the value of `name`; unknown placeholders stay. */
export function fill(template: string, args: Record<string, string | number> = {}): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) =>
    name in args ? String(args[name]) : whole,
  );
}

/** The text for `key` in the language on screen. */
export function t(key: Key, args?: Record<string, string | number>): string {
  return fill(CATALOGUES[language.current][key], args);
}

/** The text for `key` in a given language (slips and notices use both). */
export function tIn(lang: Lang, key: Key, args?: Record<string, string | number>): string {
  return fill(CATALOGUES[lang][key], args);
}

export function isKey(key: string): key is Key {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** The words for a code Rust sends (`ui.task.role` + `sdm`), or the code
 * itself when this build has none for it. */
export function codeText(prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return isKey(key) ? t(key) : code;
}

/** Of a pair Rust filled from the catalogue (names, reasons, field issues),
 * the one in the language on screen. */
export function pick(en: string, zh: string): string {
  return language.current === "en" ? en : zh;
}

/** An error's words: its code through the catalogue. */
export function errorText(e: ErrorBody): string {
  const key = `error.${e.code}`;
  return isKey(key) ? t(key) : pick(e.message_en, e.message_zh);
}

/** Every key of both catalogues (for tests). */
export const catalogues = CATALOGUES;
