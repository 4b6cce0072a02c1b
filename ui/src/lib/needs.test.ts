import { describe, expect, it } from "vitest";
import type { FieldIssue } from "./bindings";
import {
  consentIndex,
  consentIssuesOf,
  consentProvider,
  generalConsentIssues,
  issuesFor,
  isUnder,
  merged,
  PAPER_SLOTS,
  paperIssuesFor,
  paperSlotOf,
  searchChoices,
  slotOf,
} from "./needs";

const issue = (field: string, code = "field.required"): FieldIssue =>
  ({ field, code, message_en: "en " + field, message_zh: "zh " + field }) as FieldIssue;

describe("slotOf", () => {
  it("places each field the rules name next to its control", () => {
    const table: [string, string | null][] = [
      ["declaration", "declaration"],
      ["notification.address", "address"],
      ["notification.channel", "channel"],
      ["notification.language", "language"],
      ["patient_document_copy_image", "patient_copy"],
      ["supporting_document_image", "supporting"],
      ["no_higher_tier_declared", "no_higher_tier"],
      ["supervisor_sign_off", "sign_off"],
      ["applicant", "role"],
      ["applicant.relationship", "relationship"],
      ["applicant.person.document_number", "attendee"],
      ["attendee", "attendee"],
      ["attendee.document_number", "attendee"],
      ["presented.date_of_birth", "patient"],
      ["patient", "patient"],
      ["patient.surname", "patient"],
      ["capacity", "capacity"],
      ["private_provider_consents[3]", "consents"],
      ["application", "application"],
      ["relationship", "relationship"],
      ["parent", "patient"],
      ["parent.document_number", "patient"],
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
      ["ehr_number", "record"],
      ["provider_ids", "provider_ids"],
      ["provider_ids[1]", "provider_ids"],
      ["provider_ids.revoke[0]", "provider_ids"],
      ["confirmed", "confirmed"],
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
      ["task", null],
      ["parents", null],
      ["serials", null],
      ["applicants", null],
      ["declarations", null],
      ["persons", null],
      ["document_images", null],
      ["contact_changes", null],
    ];
    for (const [field, slot] of table) expect([field, slotOf(field)]).toEqual([field, slot]);
  });

  it("tells a part of a field from another field with the same start", () => {
    expect(isUnder("patient.sex", "patient")).toBe(true);
    expect(isUnder("patient_document_copy_image", "patient")).toBe(false);
    expect(isUnder("private_provider_consents[0]", "private_provider_consents")).toBe(true);
    expect(isUnder("supporting_document_image", "document_image")).toBe(false);
    expect(isUnder("applicant.person.surname", "person")).toBe(false);
  });

  it("places a correction's, a contact change's and a take-over's fields", () => {
    // A correction of particulars: the corrected document, field by field,
    // and its image (not the walk-in's copy of the patient's document).
    const particulars = ["person.document_type", "person.document_number", "person.surname", "person.given_names",
      "person.chinese_name", "person.date_of_birth", "document_image", "declaration"];
    expect(particulars.map(slotOf)).toEqual(["document_type", "document_number", "surname", "given_names",
      "chinese_name", "date_of_birth", "document_image", "declaration"]);
    expect(slotOf("patient_document_copy_image")).toBe("patient_copy");
    // A contact change: the new contact, that nothing is chosen, a new key
    // with no contact to send it to.
    expect(["notification.address", "notification.channel", "contact_change", "resend_key"].map(slotOf))
      .toEqual(["address", "channel", "contact_change", "resend_key"]);
    // A take-over: the person presenting (under 16: their date of birth),
    // their contact, their consents, their declaration.
    expect(["presented.date_of_birth", "notification.address", "private_provider_consents[1]", "declaration"].map(slotOf))
      .toEqual(["patient", "address", "consents", "declaration"]);
    // The SDM's own document in a walk-in stays the attending person's.
    expect(slotOf("applicant.person.date_of_birth")).toBe("attendee");
  });
});

describe("issuesFor and merged", () => {
  it("groups issues by place", () => {
    const all = [issue("declaration"), issue("applicant.relationship"), issue("applicant"), issue("notification.address")];
    expect(issuesFor(all, "role").map((i) => i.field)).toEqual(["applicant"]);
    expect(issuesFor(all, "relationship").map((i) => i.field)).toEqual(["applicant.relationship"]);
    expect(issuesFor(all, "consents")).toEqual([]);
  });

  it("lists a refusal and the same need once, refusals first", () => {
    const errors = [issue("declaration"), issue("capacity", "field.format")];
    const needs = [issue("supervisor_sign_off"), issue("declaration")];
    expect(merged(errors, needs).map((i) => `${i.field}/${i.code}`)).toEqual([
      "declaration/field.required",
      "capacity/field.format",
      "supervisor_sign_off/field.required",
    ]);
  });
});

describe("consentIndex", () => {
  it("reads the index of a consent issue", () => {
    expect(consentIndex("private_provider_consents[12]")).toBe(12);
    expect(consentIndex("private_provider_consents")).toBeNull();
    expect(consentIndex("declaration")).toBeNull();
  });
});

describe("consent issues", () => {
  const issues = [
    issue("private_provider_consents"),
    issue("private_provider_consents[1]", "consent.public_fixed"),
    issue("private_provider_consents[0]"),
  ];
  it("places an issue by the consent at its index in the form judged", () => {
    const judged = ["P1", "P2"];
    expect(consentIssuesOf(issues, judged, "P2").map((i) => i.field)).toEqual(["private_provider_consents[1]"]);
    expect(consentIssuesOf(issues, judged, "P1").map((i) => i.field)).toEqual(["private_provider_consents[0]"]);
    expect(consentIssuesOf(issues, judged, "P3")).toEqual([]);
    expect(consentIssuesOf(issues, null, "P1")).toEqual([]);
    expect(consentIssuesOf(issues, undefined, "P1")).toEqual([]);
  });
  it("keeps those naming no consent for the list as a whole", () => {
    expect(generalConsentIssues(issues).map((i) => i.field)).toEqual(["private_provider_consents"]);
  });
});

describe("consentProvider", () => {
  it("names the provider of an issue when the form judged says which", () => {
    const give = { give: ["P1", "P2"], revoke: [] };
    const both = { give: ["P1", "P2"], revoke: ["P9"] };
    expect(consentProvider("provider_ids[1]", give)).toBe("P2");
    expect(consentProvider("provider_ids[0]", { give: [], revoke: ["P9"] })).toBe("P9");
    expect(consentProvider("provider_ids[0]", both)).toBeNull();
    expect(consentProvider("provider_ids.revoke[0]", both)).toBe("P9");
    expect(consentProvider("provider_ids.give[1]", both)).toBe("P2");
    expect(consentProvider("provider_ids[5]", give)).toBeNull();
    expect(consentProvider("provider_ids", give)).toBeNull();
    expect(consentProvider("provider_ids[0]", null)).toBeNull();
  });
});

describe("searchChoices", () => {
  const providers = [
    { code: "PP-0001", name_en: "Harbour Medical Centre", name_zh: "海港醫療中心" },
    { code: "PP-0002", name_en: "Kowloon Clinic", name_zh: "九龍診所" },
  ];
  it("finds by code, English words in any order and case, or Chinese", () => {
    expect(searchChoices(providers, "").length).toBe(2);
    expect(searchChoices(providers, "pp-0002").map((c) => c.code)).toEqual(["PP-0002"]);
    expect(searchChoices(providers, "centre HARBOUR").map((c) => c.code)).toEqual(["PP-0001"]);
    expect(searchChoices(providers, "九龍").map((c) => c.code)).toEqual(["PP-0002"]);
    expect(searchChoices(providers, "ｋｏｗｌｏｏｎ").map((c) => c.code)).toEqual(["PP-0002"]);
    expect(searchChoices(providers, "harbour kowloon")).toEqual([]);
  });
});

describe("paperSlotOf", () => {
  it("places each field of a paper form's first keying next to its control", () => {
    const table: [string, string | null][] = [
      ["origin", "origin"],
      ["received_on", "received_on"],
      ["patient.document_type", "patient.document_type"],
      ["patient.document_number", "patient.document_number"],
      ["patient.surname", "patient.surname"],
      ["patient.given_names", "patient.given_names"],
      ["patient.chinese_name", "patient.chinese_name"],
      ["patient.date_of_birth", "patient.date_of_birth"],
      ["patient.sex", "patient.sex"],
      ["patient", "patient"],
      ["patient.registered", "patient"],
      ["capacity", "capacity"],
      ["applicant", "role"],
      ["applicant.relationship", "relationship"],
      ["applicant.person.document_type", "applicant.document_type"],
      ["applicant.person.document_number", "applicant.document_number"],
      ["applicant.person.surname", "applicant.surname"],
      ["applicant.person.given_names", "applicant.given_names"],
      ["applicant.person.date_of_birth", "applicant.date_of_birth"],
      ["applicant.person", "applicant"],
      ["notification.address", "address"],
      ["notification.channel", "channel"],
      ["notification.language", "language"],
      ["notification", "address"],
      ["private_provider_consents[2]", "consents"],
      ["private_provider_consents", "consents"],
      ["form_image", "form_image"],
      ["task", null],
      ["origins", null],
      ["patients", null],
      ["form_images", null],
    ];
    for (const [field, slot] of table) expect([field, paperSlotOf(field)]).toEqual([field, slot]);
  });

  it("places the second keying's fields and the differences", () => {
    const second = ["document_type", "document_number", "surname", "given_names", "chinese_name", "date_of_birth",
      "applicant_document_type", "applicant_document_number"];
    expect(second.map((f) => paperSlotOf(`second.${f}`))).toEqual(second.map((f) => `second.${f}`));
    expect(paperSlotOf("second")).toBe("second");
    expect(paperSlotOf("second.something_else")).toBe("second");
    expect(paperSlotOf("differences")).toBe("differences");
    expect(paperSlotOf("differences[0]")).toBe("differences");
    expect(paperSlotOf("seconds")).toBeNull();
  });

  it("places every field on a place the screen has", () => {
    const fields = ["origin", "patient.surname", "applicant.person.surname", "second.surname", "differences"];
    for (const f of fields) expect(PAPER_SLOTS).toContain(paperSlotOf(f));
  });

  it("groups a paper form's issues by place", () => {
    const all = [issue("patient.surname"), issue("applicant.person.surname"), issue("second.surname"), issue("patient")];
    expect(paperIssuesFor(all, "patient.surname").map((i) => i.field)).toEqual(["patient.surname"]);
    expect(paperIssuesFor(all, "applicant.surname").map((i) => i.field)).toEqual(["applicant.person.surname"]);
    expect(paperIssuesFor(all, "second.surname").map((i) => i.field)).toEqual(["second.surname"]);
    expect(paperIssuesFor(all, "patient").map((i) => i.field)).toEqual(["patient"]);
    expect(paperIssuesFor(all, "differences")).toEqual([]);
  });
});
