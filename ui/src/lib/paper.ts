// The Registration Office's paper forms (RE(C)01): where the screen offers
// them, and a form or a second keying not keyed yet. Whether the site keys
// paper forms, what a form still needs and how its two keyings compare are
// Rust's; these only say what the screen starts from.
import type { CounterSiteType, PaperFormFields, PaperIdentity, PaperPerson } from "./bindings";
import type { Key } from "./i18n.svelte";
import { paperSlotOf, type PaperSlot } from "./needs";

/** Whether the counter's idle pane offers paper forms: as the task in hand
 * says its site offers (`paper`), else (no task yet) at a Registration
 * Office. */
export function offersPaper(siteType: CounterSiteType | null | undefined, offers: readonly string[] | undefined): boolean {
  if (offers && offers.length > 0) return offers.includes("paper");
  return siteType === "registration_office";
}

/** How a paper form arrived. */
export const ORIGINS: readonly { value: string; label: Key }[] = [
  { value: "paper_post", label: "ui.task.paper.origin.paper_post" },
  { value: "paper_fax", label: "ui.task.paper.origin.paper_fax" },
  { value: "paper_drop_in", label: "ui.task.paper.origin.paper_drop_in" },
];

export const emptyPaperPerson = (): PaperPerson => ({
  document_type: "",
  document_number: "",
  surname: "",
  given_names: "",
  chinese_name: "",
  date_of_birth: "",
  sex: "",
});

/** A form nothing is keyed in yet (as Rust's default). */
export const emptyPaperForm = (): PaperFormFields => ({
  origin: "paper_post",
  received_on: "",
  patient: emptyPaperPerson(),
  capacity: "capable",
  applicant_role: "self",
  relationship: "",
  applicant: emptyPaperPerson(),
  channel: "sms",
  language: "zh",
  address: "",
  consents: [],
});

/** A second keying nothing is keyed in yet. */
export const emptyPaperIdentity = (): PaperIdentity => ({
  document_type: "",
  document_number: "",
  surname: "",
  given_names: "",
  chinese_name: "",
  date_of_birth: "",
  applicant_document_type: "",
  applicant_document_number: "",
});

/** The identifying fields a difference of the two keyings can name that
 * hold a document type (shown by its name). */
export function isDocumentType(field: string): boolean {
  return field === "document_type" || field === "applicant_document_type";
}

/** What each place of a paper form's screen is called in the list of what
 * is still needed (the second keying's fields as the first's). */
export const PAPER_LABELS: Record<PaperSlot, Key> = {
  origin: "ui.task.paper.field.origin",
  received_on: "ui.task.paper.field.received_on",
  "patient.document_type": "ui.task.paper.field.patient_document_type",
  "patient.document_number": "ui.task.paper.field.patient_document_number",
  "patient.surname": "ui.task.paper.field.patient_surname",
  "patient.given_names": "ui.task.paper.field.patient_given_names",
  "patient.chinese_name": "ui.task.paper.field.patient_chinese_name",
  "patient.date_of_birth": "ui.task.paper.field.patient_date_of_birth",
  "patient.sex": "ui.task.paper.field.patient_sex",
  patient: "ui.task.field.patient",
  capacity: "ui.task.form.capacity",
  role: "ui.task.form.role",
  relationship: "ui.task.form.relationship",
  "applicant.document_type": "ui.task.paper.field.applicant_document_type",
  "applicant.document_number": "ui.task.paper.field.applicant_document_number",
  "applicant.surname": "ui.task.paper.field.applicant_surname",
  "applicant.given_names": "ui.task.paper.field.applicant_given_names",
  "applicant.date_of_birth": "ui.task.paper.field.applicant_date_of_birth",
  applicant: "ui.task.paper.field.applicant",
  channel: "ui.task.form.channel",
  language: "ui.task.form.language",
  address: "ui.task.field.address",
  consents: "ui.task.form.consents",
  form_image: "ui.task.paper.field.form_image",
  "second.document_type": "ui.task.paper.field.patient_document_type",
  "second.document_number": "ui.task.paper.field.patient_document_number",
  "second.surname": "ui.task.paper.field.patient_surname",
  "second.given_names": "ui.task.paper.field.patient_given_names",
  "second.chinese_name": "ui.task.paper.field.patient_chinese_name",
  "second.date_of_birth": "ui.task.paper.field.patient_date_of_birth",
  "second.applicant_document_type": "ui.task.paper.field.applicant_document_type",
  "second.applicant_document_number": "ui.task.paper.field.applicant_document_number",
  second: "ui.task.paper.field.second",
  differences: "ui.task.paper.field.differences",
};

/** A paper form's issue's field, named as the list of needs says it. */
export function paperLabel(field: string): Key | null {
  const slot = paperSlotOf(field);
  return slot ? PAPER_LABELS[slot] : null;
}

/** The field a difference of the two keyings names (`surname`,
 * `applicant_document_number`, ...), as the screen says it. */
export function differenceLabel(field: string): Key | null {
  return paperLabel(`second.${field}`);
}

/** The document types to choose from: the reference copy's, and the one
 * keyed already when the copy lacks it (listed first, by its code). */
export function documentTypeChoices<D extends { code: string; name_en: string; name_zh: string }>(
  documentTypes: D[],
  value: string,
): { code: string; name_en: string; name_zh: string }[] {
  if (value === "" || documentTypes.some((d) => d.code === value)) return documentTypes;
  return [{ code: value, name_en: value, name_zh: value }, ...documentTypes];
}
