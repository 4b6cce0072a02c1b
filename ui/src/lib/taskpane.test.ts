import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type {
  CompletionForm,
  ConsentForm,
  ContactChangeForm,
  NewbornForm,
  PaperFormFields,
  PaperIdentity,
  ParticularsForm,
  TakeOverForm,
  TaskEvent,
  TaskForm,
  TaskView,
  WithdrawalForm,
} from "./bindings";

// The pane talks to Rust through api.ts only: a stand-in records the calls.
const calls: string[] = [];
let current: TaskView | null = null;
let draft: unknown = null;
const view = (stage: TaskView["stage"]): TaskView => ({ task_id: "t", stage }) as unknown as TaskView;
const ok = <T>(value: T) => ({ ok: true as const, value });

vi.mock("./api", () => ({
  api: {
    taskCurrent: async () => (calls.push("current"), ok(current)),
    taskDraft: async () => (calls.push("draft"), ok(draft)),
    taskNew: async () => (calls.push("new"), ok(view("identify"))),
    taskResume: async () => (calls.push("resume"), ok(view("details"))),
    taskEvent: async (e: TaskEvent) => {
      await new Promise((r) => setTimeout(r, e.type.startsWith("edit") ? 20 : 1));
      calls.push(
        e.type === "edit" || e.type === "edit_newborn"
          ? `${e.type}:${e.form.address}`
          : e.type === "edit_completion"
            ? `${e.type}:${e.form.birth_certificate_number}`
            : e.type === "edit_consent"
              ? `${e.type}:${e.form.give.join("+")}/${e.form.revoke.join("+")}`
              : e.type === "edit_withdrawal"
                ? `${e.type}:${e.form.confirmed}`
                : e.type === "edit_particulars"
                  ? `${e.type}:${e.form.surname}`
                  : e.type === "edit_contact"
                    ? `${e.type}:${e.form.address}/${e.form.resend_key}`
                    : e.type === "edit_take_over"
                      ? `${e.type}:${e.form.consents.join("+")}`
                      : e.type === "edit_paper"
                        ? `${e.type}:${e.form.patient.surname}`
                        : e.type === "edit_paper_second"
                          ? `${e.type}:${e.form.surname}`
                          : e.type === "resume_work_item"
                            ? `${e.type}:${e.id}`
                            : e.type,
      );
      if (e.type === "lookup" && e.query.by === "reference" && e.query.reference === "bad") {
        return { ok: false as const, error: { code: "field.format", field: "reference", message_en: "", message_zh: "" } };
      }
      return ok(view(e.type === "submit" ? "done" : e.type === "lookup" ? "found" : "details"));
    },
  },
}));

const { TaskPane } = await import("./taskpane.svelte");
const form = (address: string) => ({ address }) as unknown as TaskForm;

describe("TaskPane", () => {
  beforeEach(() => {
    calls.length = 0;
    current = null;
    draft = null;
  });
  afterEach(() => vi.useRealTimers());

  it("offers the draft only when no task is in hand", async () => {
    draft = { task_id: "d", kind: "walk_in", updated_at_ms: 0 };
    const a = new TaskPane();
    await a.load();
    expect(a.draft).not.toBeNull();
    expect(a.loaded).toBe(true);
    current = view("found");
    const b = new TaskPane();
    await b.load();
    expect(b.view?.stage).toBe("found");
    expect(b.draft).toBeNull();
    expect(calls).toEqual(["current", "draft", "current"]);
  });

  it("sends the form's last typing before the event that follows, in order", async () => {
    const p = new TaskPane();
    p.view = view("details");
    p.edit(form("9"));
    p.edit(form("91"));
    expect(p.editing).toBe(true);
    await p.event({ type: "submit" });
    expect(calls).toEqual(["edit:91", "submit"]);
    expect(p.view?.stage).toBe("done");
    expect(p.editing).toBe(false);
  });

  it("sends an edit once typing pauses", async () => {
    vi.useFakeTimers();
    const p = new TaskPane();
    p.edit(form("6"));
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(30);
    expect(calls).toEqual(["edit:6"]);
  });

  it("sends a newborn's or a completion's form as its own edit, the last one only", async () => {
    const p = new TaskPane();
    p.view = view("details");
    p.editNewborn({ address: "9" } as unknown as NewbornForm);
    p.editNewborn({ address: "91" } as unknown as NewbornForm);
    await p.event({ type: "submit" });
    p.editCompletion({ birth_certificate_number: "A1" } as unknown as CompletionForm, true);
    await p.settle();
    expect(calls).toEqual(["edit_newborn:91", "submit", "edit_completion:A1"]);
  });

  it("sends a consent change's or a withdrawal's form as its own edit, the last one only", async () => {
    const p = new TaskPane();
    p.view = view("details");
    const consent = (give: string[], revoke: string[]): ConsentForm => ({
      give,
      revoke,
      declaration: false,
      slip_language: "both",
    });
    p.editConsent(consent(["P1"], []));
    p.editConsent(consent(["P1", "P2"], ["P9"]));
    await p.event({ type: "submit" });
    const withdrawal = (confirmed: boolean): WithdrawalForm => ({ confirmed, slip_language: "en" });
    p.editWithdrawal(withdrawal(false));
    p.editWithdrawal(withdrawal(true), true);
    await p.settle();
    expect(calls).toEqual(["edit_consent:P1+P2/P9", "submit", "edit_withdrawal:true"]);
  });

  it("sends a correction's, a contact change's or a take-over's form as its own edit, the last one only", async () => {
    const p = new TaskPane();
    p.view = view("details");
    p.editParticulars({ surname: "CHA" } as unknown as ParticularsForm);
    p.editParticulars({ surname: "CHAN" } as unknown as ParticularsForm);
    await p.event({ type: "submit" });
    p.editContact({ address: "9", resend_key: false } as unknown as ContactChangeForm);
    p.editContact({ address: "91", resend_key: true } as unknown as ContactChangeForm, true);
    await p.settle();
    p.editTakeOver({ consents: ["P1"] } as unknown as TakeOverForm);
    p.editTakeOver({ consents: ["P1", "P2"] } as unknown as TakeOverForm);
    await p.event({ type: "back" });
    expect(calls).toEqual([
      "edit_particulars:CHAN",
      "submit",
      "edit_contact:91/true",
      "edit_take_over:P1+P2",
      "back",
    ]);
  });

  it("sends a paper form's first and second keyings as their own edits, the last one only", async () => {
    const p = new TaskPane();
    p.view = view("details");
    const first = (surname: string) => ({ patient: { surname } }) as unknown as PaperFormFields;
    p.editPaper(first("CHA"));
    p.editPaper(first("CHAN"));
    await p.event({ type: "paper_first_done" });
    p.editPaperSecond({ surname: "CHEN" } as unknown as PaperIdentity);
    p.editPaperSecond({ surname: "CHAN" } as unknown as PaperIdentity, true);
    await p.settle();
    p.editPaperSecond({ surname: "CHANG" } as unknown as PaperIdentity);
    await p.event({ type: "paper_second_done" });
    expect(calls).toEqual([
      "edit_paper:CHAN",
      "paper_first_done",
      "edit_paper_second:CHAN",
      "edit_paper_second:CHANG",
      "paper_second_done",
    ]);
  });

  it("starts a paper form, new or resumed, with no task in hand (Rust starts its own)", async () => {
    const p = new TaskPane();
    expect(await p.paperForm()).toBe(true);
    expect(p.view?.stage).toBe("details");
    p.view = view("done");
    expect(await p.paperForm("W2")).toBe(true);
    expect(calls).toEqual(["paper_form", "resume_work_item:W2"]);
  });

  it("settles before the screen locks: the waiting edit answered", async () => {
    const p = new TaskPane();
    p.edit(form("61"));
    await p.settle();
    expect(calls).toEqual(["edit:61"]);
  });

  it("starts a task for a look-up when none is in hand, and keeps a refusal", async () => {
    const p = new TaskPane();
    expect(await p.lookup({ by: "reference", reference: "EHR1" })).toBe(true);
    expect(calls).toEqual(["new", "lookup"]);
    expect(p.view?.stage).toBe("found");
    expect(await p.lookup({ by: "reference", reference: "bad" })).toBe(false);
    expect(calls).toEqual(["new", "lookup", "lookup"]);
    expect(p.error?.field).toBe("reference");
    expect(p.view?.stage).toBe("found");
  });

  it("clears everything, and a waiting edit is dropped", async () => {
    vi.useFakeTimers();
    const p = new TaskPane();
    p.view = view("details");
    p.edit(form("x"));
    p.clear();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([]);
    expect(p.view).toBeNull();
  });
});
