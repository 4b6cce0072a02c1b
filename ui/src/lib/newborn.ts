// The birth-hospital desk's small helpers: what the clerk types in a date or
// a time of birth tidied to the form Rust reads (`DD/MM/YYYY`, `HH:MM`),
// the hospital a look-up starts from, and which of the desk's actions and
// pages apply. Nothing here decides a rule: Rust checks every value and
// says what the site offers; these only tidy input and read its answers.
import type { Choice, CounterSiteType } from "./bindings";

const pad = (n: string | undefined) => (n ?? "").padStart(2, "0");

/** A day as typed (`1/2/2025`, `01022025`, `1.2.2025`, `2025-02-01`) as
 * `DD/MM/YYYY`; anything else is left as typed (trimmed) for Rust to judge. */
export function tidyDate(text: string): string {
  const s = text.trim();
  let m = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$/.exec(s);
  if (m) return `${pad(m[1])}/${pad(m[2])}/${m[3]}`;
  m = /^(\d{2})(\d{2})(\d{4})$/.exec(s);
  if (m) return `${m[1]}/${m[2]}/${m[3]}`;
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return `${pad(m[3])}/${pad(m[2])}/${m[1]}`;
  return s;
}

/** A time as typed (`9:30`, `09.30`, `930`, `1405`) as `HH:MM` (24-hour);
 * anything else is left as typed (trimmed) for Rust to judge. */
export function tidyTime(text: string): string {
  const s = text.trim();
  let m = /^(\d{1,2})[:.h ](\d{2})$/.exec(s);
  if (m) return `${pad(m[1])}:${m[2]}`;
  m = /^(\d{1,2})(\d{2})$/.exec(s);
  if (m) return `${pad(m[1])}:${m[2]}`;
  return s;
}

/** The hospital a look-up by hospital document starts from: this counter's
 * site when it is a birth hospital, else none chosen. */
export function defaultHospital(hospitals: Choice[], siteCode: string | null | undefined): string {
  return siteCode && hospitals.some((h) => h.code === siteCode) ? siteCode : "";
}

/** Whether a record can be completed here with its birth certificate: it
 * waits for one and this counter's site offers completions. */
export function completable(state: string, offers: readonly string[]): boolean {
  return state === "awaiting_birth_certificate" && offers.includes("completion");
}

/** Whether the counter's site keeps a newborn follow-up list (a birth
 * hospital its own, the Registration Office every hospital's). */
export function keepsFollowUp(siteType: CounterSiteType | null | undefined): boolean {
  return siteType === "birth_hospital" || siteType === "registration_office";
}

/** The "Baby of" name Rust uses when no name is keyed, as one line. */
export function defaultNameLine(name: readonly [string, string | null] | null): string | null {
  if (!name) return null;
  return name[1] ? `${name[0]} / ${name[1]}` : name[0];
}
