import { describe, expect, it } from "vitest";
import { catalogues, isKey } from "./i18n.svelte";
import { PAPER_SLOTS } from "./needs";
import {
  differenceLabel,
  documentTypeChoices,
  emptyPaperForm,
  emptyPaperIdentity,
  isDocumentType,
  offersPaper,
  ORIGINS,
  PAPER_LABELS,
  paperLabel,
} from "./paper";

describe("offersPaper", () => {
  it("follows what the task says its site offers, else the site's type", () => {
    expect(offersPaper("registration_office", undefined)).toBe(true);
    expect(offersPaper("registration_office", [])).toBe(true);
    expect(offersPaper("registration_centre", undefined)).toBe(false);
    expect(offersPaper(null, undefined)).toBe(false);
    expect(offersPaper("registration_centre", ["walk_in", "paper"])).toBe(true);
    expect(offersPaper("registration_office", ["walk_in", "consent"])).toBe(false);
  });
});

describe("empty forms", () => {
  it("start as Rust's default form does, and a blank second keying", () => {
    const f = emptyPaperForm();
    expect([f.origin, f.capacity, f.applicant_role, f.channel, f.language]).toEqual([
      "paper_post",
      "capable",
      "self",
      "sms",
      "zh",
    ]);
    expect(Object.values(f.patient).every((v) => v === "")).toBe(true);
    expect(f.consents).toEqual([]);
    // Each call is a new form (a form typed into is not shared).
    expect(emptyPaperForm().patient).not.toBe(f.patient);
    expect(Object.values(emptyPaperIdentity()).every((v) => v === "")).toBe(true);
  });

  it("offers the three ways a paper form arrives", () => {
    expect(ORIGINS.map((o) => o.value)).toEqual(["paper_post", "paper_fax", "paper_drop_in"]);
  });
});

describe("labels", () => {
  it("names every place of a paper form from the catalogue, in both languages", () => {
    for (const slot of PAPER_SLOTS) {
      const key = PAPER_LABELS[slot];
      expect([slot, isKey(key)]).toEqual([slot, true]);
      expect(catalogues["zh-HK"][key]).toBeTruthy();
    }
  });

  it("names an issue's field, and a difference's field as the second keying's", () => {
    expect(paperLabel("applicant.person.document_number")).toBe("ui.task.paper.field.applicant_document_number");
    expect(paperLabel("private_provider_consents[0]")).toBe("ui.task.form.consents");
    expect(paperLabel("task")).toBeNull();
    expect(differenceLabel("surname")).toBe("ui.task.paper.field.patient_surname");
    expect(differenceLabel("applicant_document_type")).toBe("ui.task.paper.field.applicant_document_type");
    expect(isDocumentType("applicant_document_type")).toBe(true);
    expect(isDocumentType("document_number")).toBe(false);
  });

  it("has words for each origin, stage and step the service sends", () => {
    for (const code of ["paper_post", "paper_fax", "paper_drop_in"]) expect(isKey(`ui.task.paper.origin.${code}`)).toBe(true);
    for (const stage of ["first_keying", "second_keying", "reconcile"]) {
      expect(isKey(`ui.task.paper.stage.${stage}`)).toBe(true);
      expect(isKey(`ui.task.paper.step.${stage}`)).toBe(true);
    }
    expect(isKey("ui.task.kind.paper_form")).toBe(true);
    expect(isKey("ui.task.done.paper_form")).toBe(true);
  });
});

describe("documentTypeChoices", () => {
  const types = [
    { code: "hkic", name_en: "HKIC", name_zh: "香港身份證" },
    { code: "bc", name_en: "Birth certificate", name_zh: "出世紙" },
  ];
  it("lists the reference copy's types, and one keyed already that it lacks", () => {
    expect(documentTypeChoices(types, "")).toBe(types);
    expect(documentTypeChoices(types, "bc")).toBe(types);
    expect(documentTypeChoices(types, "xx").map((d) => d.code)).toEqual(["xx", "hkic", "bc"]);
  });
});
