// Where the task's needs and refusals go on screen. Rust names the field of
// each (`notification.address`, `applicant.relationship`,
// `private_provider_consents[2]`, `presented.date_of_birth`, ...); the screen
// shows each next to the control it is about, and all of them in a summary.
// This only places them: what is needed is decided in Rust.
import type { FieldIssue } from "./bindings";

/** The places on screen an issue can belong to. */
export type Slot =
  | "patient"
  | "attendee"
  | "application"
  | "sign_off"
  | "role"
  | "relationship"
  | "capacity"
  | "no_higher_tier"
  | "channel"
  | "language"
  | "address"
  | "consents"
  | "patient_copy"
  | "supporting"
  | "declaration"
  | "slip_language"
  | "hospital_code"
  | "serial"
  | "date_of_birth"
  | "time_of_birth"
  | "sex"
  | "surname"
  | "given_names"
  | "chinese_name"
  | "hospital_image"
  | "birth_certificate_number"
  | "certificate_image"
  | "record"
  | "provider_ids"
  | "confirmed"
  | "particulars"
  | "document_type"
  | "document_number"
  | "document_image"
  | "contact_change"
  | "resend_key";

/** `field` is `name`, or a part of it (`name.x`, `name[3]`). */
export function isUnder(field: string, name: string): boolean {
  return field === name || field.startsWith(name + ".") || field.startsWith(name + "[");
}

// Most specific first: `applicant.relationship` before `applicant`.
const RULES: [string, Slot][] = [
  ["applicant.relationship", "relationship"],
  ["applicant.person", "attendee"],
  ["attendee", "attendee"],
  ["applicant", "role"],
  ["notification.channel", "channel"],
  ["notification.language", "language"],
  ["notification", "address"],
  ["capacity", "capacity"],
  ["no_higher_tier_declared", "no_higher_tier"],
  ["patient_document_copy_image", "patient_copy"],
  ["supporting_document_image", "supporting"],
  ["private_provider_consents", "consents"],
  ["declaration", "declaration"],
  ["supervisor_sign_off", "sign_off"],
  ["presented", "patient"],
  ["patient", "patient"],
  ["application", "application"],
  ["slip_language", "slip_language"],
  // A newborn's registration and its completion name their own fields; the
  // parent is the person identified (shown as the patient is).
  ["relationship", "relationship"],
  ["parent", "patient"],
  ["hospital_code", "hospital_code"],
  ["serial", "serial"],
  ["date_of_birth", "date_of_birth"],
  ["time_of_birth", "time_of_birth"],
  ["sex", "sex"],
  ["surname", "surname"],
  ["given_names", "given_names"],
  ["chinese_name", "chinese_name"],
  ["certifying_document_image", "hospital_image"],
  ["birth_certificate_number", "birth_certificate_number"],
  ["certificate_image", "certificate_image"],
  // A consent change and a withdrawal: the record concerned, the providers
  // given or revoked consent, the person's confirmation.
  ["ehr_number", "record"],
  ["provider_ids", "provider_ids"],
  ["confirmed", "confirmed"],
  // A correction of particulars names the corrected document's fields
  // under `person` (the particulars as a whole is `person`), and its
  // image. A contact change names what to change (`contact_change`:
  // neither a new contact nor a new access key chosen), and a new access
  // key with no contact to send it to (`resend_key`). A take-over names
  // the person presenting under `presented` (the patient, above), and
  // their contact and consents as a walk-in does.
  ["person.document_type", "document_type"],
  ["person.document_number", "document_number"],
  ["person.surname", "surname"],
  ["person.given_names", "given_names"],
  ["person.chinese_name", "chinese_name"],
  ["person.date_of_birth", "date_of_birth"],
  ["person.sex", "sex"],
  ["person", "particulars"],
  ["document_image", "document_image"],
  ["contact_change", "contact_change"],
  ["resend_key", "resend_key"],
];

/** The place an issue's field belongs to; null for the task as a whole. */
export function slotOf(field: string): Slot | null {
  for (const [name, slot] of RULES) if (isUnder(field, name)) return slot;
  return null;
}

/** The issues of one place. */
export function issuesFor(issues: FieldIssue[], slot: Slot): FieldIssue[] {
  return issues.filter((i) => slotOf(i.field) === slot);
}

/** Refusals of the last submit first, then what is still needed, each once. */
export function merged(errors: FieldIssue[], needs: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  for (const i of [...errors, ...needs]) {
    const k = i.field + "\u0000" + i.code;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(i);
    }
  }
  return out;
}

/** The consent an issue names (`private_provider_consents[2]` → 2). */
export function consentIndex(field: string): number | null {
  const m = /^private_provider_consents\[(\d+)\]/.exec(field);
  return m ? Number(m[1]) : null;
}

/** The issues of one consent: those naming its place in the consents of
 * the form judged (`private_provider_consents[i]`). */
export function consentIssuesOf(
  issues: FieldIssue[],
  judged: readonly string[] | null | undefined,
  id: string,
): FieldIssue[] {
  return issues.filter((i) => {
    const n = consentIndex(i.field);
    return n !== null && judged?.[n] === id;
  });
}

/** The issues of the consents as a whole: those naming no one consent. */
export function generalConsentIssues(issues: FieldIssue[]): FieldIssue[] {
  return issues.filter((i) => consentIndex(i.field) === null);
}

/** The provider a consent change's issue is about: `provider_ids.give[i]`
 * or `provider_ids.revoke[i]` of the form judged, or `provider_ids[i]` when
 * the form judged changes one way only (each way is its own operation, so
 * the index alone is ambiguous when it gives and revokes); null for the
 * list as a whole. */
export function consentProvider(
  field: string,
  judged: { give: readonly string[]; revoke: readonly string[] } | null,
): string | null {
  if (!judged) return null;
  const m = /^provider_ids(?:\.(give|revoke))?\[(\d+)\]/.exec(field);
  if (!m) return null;
  const n = Number(m[2]);
  const way = m[1] ?? (judged.revoke.length === 0 ? "give" : judged.give.length === 0 ? "revoke" : null);
  if (way === null) return null;
  return (way === "give" ? judged.give : judged.revoke)[n] ?? null;
}

/** The words of a search, folded: full-width to ASCII, case ignored. */
export function fold(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

/** Choices whose code or name (either language) has every word of `query`. */
export function searchChoices<C extends { code: string; name_en: string; name_zh: string }>(
  choices: C[],
  query: string,
): C[] {
  const words = fold(query).split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return choices;
  return choices.filter((c) => {
    const hay = fold(`${c.code} ${c.name_en} ${c.name_zh}`);
    return words.every((w) => hay.includes(w));
  });
}

/** The places on a paper form's screen an issue can belong to: each field
 * keyed (the patient's, the applicant's, the second keying's), the parts
 * the walk-in's form has too, the form's image, and the differences of the
 * two keyings. `patient`, `applicant` and `second`: the part as a whole. */
export const PAPER_SLOTS = [
  "origin",
  "received_on",
  "patient.document_type",
  "patient.document_number",
  "patient.surname",
  "patient.given_names",
  "patient.chinese_name",
  "patient.date_of_birth",
  "patient.sex",
  "patient",
  "capacity",
  "role",
  "relationship",
  "applicant.document_type",
  "applicant.document_number",
  "applicant.surname",
  "applicant.given_names",
  "applicant.date_of_birth",
  "applicant",
  "channel",
  "language",
  "address",
  "consents",
  "form_image",
  "second.document_type",
  "second.document_number",
  "second.surname",
  "second.given_names",
  "second.chinese_name",
  "second.date_of_birth",
  "second.applicant_document_type",
  "second.applicant_document_number",
  "second",
  "differences",
] as const;
export type PaperSlot = (typeof PAPER_SLOTS)[number];

// Most specific first. Rust names the applicant's person under
// `applicant.person` (its relationship `applicant.relationship`, the role
// `applicant`), the contact under `notification`, a consent by its place in
// the form (`private_provider_consents[i]`), the second keying's fields as
// the identity's (`second.surname`, `second.applicant_document_number`).
const PAPER_RULES: [string, PaperSlot][] = [
  ["origin", "origin"],
  ["received_on", "received_on"],
  ...(["document_type", "document_number", "surname", "given_names", "chinese_name", "date_of_birth", "sex"] as const).map(
    (f): [string, PaperSlot] => [`patient.${f}`, `patient.${f}`],
  ),
  ["patient", "patient"],
  ["capacity", "capacity"],
  ["applicant.relationship", "relationship"],
  ...(["document_type", "document_number", "surname", "given_names", "date_of_birth"] as const).map(
    (f): [string, PaperSlot] => [`applicant.person.${f}`, `applicant.${f}`],
  ),
  ["applicant.person", "applicant"],
  ["applicant", "role"],
  ["notification.channel", "channel"],
  ["notification.language", "language"],
  ["notification", "address"],
  ["private_provider_consents", "consents"],
  ["form_image", "form_image"],
  ...(
    [
      "document_type",
      "document_number",
      "surname",
      "given_names",
      "chinese_name",
      "date_of_birth",
      "applicant_document_type",
      "applicant_document_number",
    ] as const
  ).map((f): [string, PaperSlot] => [`second.${f}`, `second.${f}`]),
  ["second", "second"],
  ["differences", "differences"],
];

/** The place on a paper form's screen an issue's field belongs to; null
 * for the form as a whole. */
export function paperSlotOf(field: string): PaperSlot | null {
  for (const [name, slot] of PAPER_RULES) if (isUnder(field, name)) return slot;
  return null;
}

/** The issues of one place of a paper form. */
export function paperIssuesFor(issues: FieldIssue[], slot: PaperSlot): FieldIssue[] {
  return issues.filter((i) => paperSlotOf(i.field) === slot);
}
