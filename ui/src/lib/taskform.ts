// What the task forms share: the slip's languages, and where a task's needs
// and refusals show next to each control (which place each issue belongs
// to is lib/needs; what is needed is decided in Rust).
import type { FieldIssue } from "./bindings";
import type { Key } from "./i18n.svelte";
import { issuesFor, merged, paperIssuesFor, type PaperSlot, type Slot } from "./needs";
import type { TaskPane } from "./taskpane.svelte";

/** The languages a slip can be printed in, as the clerk chooses. */
export const SLIP_LANGUAGES: readonly { value: string; label: Key }[] = [
  { value: "both", label: "ui.slip.lang_both" },
  { value: "en", label: "ui.slip.lang_en" },
  { value: "zh", label: "ui.slip.lang_zh" },
];

/** An `aria-describedby` of the ids given (none given: no attribute). */
export function describedBy(...ids: (string | null | undefined)[]): string | undefined {
  return ids.filter(Boolean).join(" ") || undefined;
}

/** A form's issues by place on screen. */
export interface FormIssues<S = Slot> {
  /** Refusals of the last submit, then what is still needed, of one place. */
  issues(slot: S): FieldIssue[];
  /** A control's `aria-describedby`: its hint (if any), and the list of its
   * issues (`id`) when it has any. */
  described(slot: S, id: string, hint?: string): string | undefined;
  /** The last submit was refused about this place (`aria-invalid`). */
  refused(slot: S): boolean;
}

function placed<S>(
  errors: FieldIssue[],
  needs: FieldIssue[],
  of: (issues: FieldIssue[], slot: S) => FieldIssue[],
): FormIssues<S> {
  const all = merged(errors, needs);
  const issues = (slot: S) => of(all, slot);
  return {
    issues,
    described: (slot, id, hint) => describedBy(hint, issues(slot).length > 0 ? id : undefined),
    refused: (slot) => of(errors, slot).length > 0,
  };
}

/** The issues of a task's view (`errors`: refusals of the last submit;
 * `needs`: what is still needed), by place. */
export function formIssues(errors: FieldIssue[], needs: FieldIssue[]): FormIssues {
  return placed(errors, needs, issuesFor);
}

/** The issues of a paper form's view, by place on its screen. */
export function paperFormIssues(errors: FieldIssue[], needs: FieldIssue[]): FormIssues<PaperSlot> {
  return placed(errors, needs, paperIssuesFor);
}

/** Who applies, as the form says. */
export const ROLES: readonly { value: string; label: Key }[] = [
  { value: "self", label: "ui.task.role.self" },
  { value: "sdm", label: "ui.task.role.sdm" },
  { value: "authorised_person", label: "ui.task.role.authorised_person" },
];

/** `capable`, or `incapable:<ground>` with the domain's grounds of incapacity. */
export const CAPACITIES: readonly { value: string; label: Key }[] = [
  { value: "capable", label: "ui.task.capacity.capable" },
  { value: "incapable:mentally_incapacitated", label: "ui.task.capacity.mentally_incapacitated" },
  { value: "incapable:unable_to_manage_affairs", label: "ui.task.capacity.unable_to_manage_affairs" },
  { value: "incapable:unable_to_give_joining_consent", label: "ui.task.capacity.unable_to_give_joining_consent" },
  { value: "incapable:unable_to_give_sharing_consent", label: "ui.task.capacity.unable_to_give_sharing_consent" },
];

/** A task form's submit: the task's event (Rust judges it), never the
 * browser's own (the page stays). Enter in a field submits the form. */
export async function submitTask(e: SubmitEvent, pane: Pick<TaskPane, "event">): Promise<void> {
  e.preventDefault();
  await pane.event({ type: "submit" });
}
