import { describe, expect, it, vi } from "vitest";
import type { FieldIssue } from "./bindings";
import { CAPACITIES, describedBy, formIssues, paperFormIssues, ROLES, SLIP_LANGUAGES, submitTask } from "./taskform";

const issue = (field: string, code = "field.required"): FieldIssue =>
  ({ field, code, message_en: "en " + field, message_zh: "zh " + field }) as FieldIssue;

describe("SLIP_LANGUAGES", () => {
  it("offers both languages first, then each", () => {
    expect(SLIP_LANGUAGES.map((l) => l.value)).toEqual(["both", "en", "zh"]);
  });
});

describe("describedBy", () => {
  it("joins the ids given, and is no attribute without any", () => {
    expect(describedBy("a", undefined, "b")).toBe("a b");
    expect(describedBy(undefined, null, "")).toBeUndefined();
    expect(describedBy()).toBeUndefined();
  });
});

describe("formIssues", () => {
  const refusal = issue("declaration", "declaration.required");
  const need = issue("declaration");
  const f = formIssues([refusal], [need, issue("notification.address"), refusal]);

  it("lists a place's refusals first, then its needs, each once", () => {
    expect(f.issues("declaration")).toEqual([refusal, need]);
    expect(f.issues("address")).toEqual([issue("notification.address")]);
    expect(f.issues("slip_language")).toEqual([]);
  });

  it("names the issues' list after the hint only when there are issues", () => {
    expect(f.described("declaration", "d-issues")).toBe("d-issues");
    expect(f.described("declaration", "d-issues", "d-hint")).toBe("d-hint d-issues");
    expect(f.described("slip_language", "s-issues")).toBeUndefined();
    expect(f.described("slip_language", "s-issues", "s-hint")).toBe("s-hint");
  });

  it("marks refused only what the last submit refused, not what is needed", () => {
    expect(f.refused("declaration")).toBe(true);
    expect(f.refused("address")).toBe(false);
  });
});

describe("paperFormIssues", () => {
  const refusal = issue("patient.surname", "field.format");
  const f = paperFormIssues([refusal], [issue("patient.surname"), issue("applicant.person.document_number")]);

  it("places a paper form's issues by the paper form's places", () => {
    expect(f.issues("patient.surname").map((i) => i.code)).toEqual(["field.format", "field.required"]);
    expect(f.issues("applicant.document_number").length).toBe(1);
    expect(f.described("applicant.document_number", "a-issues")).toBe("a-issues");
    expect(f.described("origin", "o-issues")).toBeUndefined();
    expect(f.refused("patient.surname")).toBe(true);
    expect(f.refused("applicant.document_number")).toBe(false);
  });
});

describe("ROLES and CAPACITIES", () => {
  it("offer the roles and grounds the domain has, in the form's order", () => {
    expect(ROLES.map((r) => r.value)).toEqual(["self", "sdm", "authorised_person"]);
    expect(CAPACITIES[0]?.value).toBe("capable");
    expect(CAPACITIES.slice(1).every((c) => c.value.startsWith("incapable:"))).toBe(true);
  });
});

describe("submitTask", () => {
  it("sends the task's submit and keeps the browser's own from happening", async () => {
    const preventDefault = vi.fn();
    const event = vi.fn(async () => true);
    await submitTask({ preventDefault } as unknown as SubmitEvent, { event });
    expect(preventDefault).toHaveBeenCalledOnce();
    expect(event).toHaveBeenCalledWith({ type: "submit" });
  });
});
