// The task on the counter: what the clerk has keyed into the manual pane and
// what the checks said. It lives here, not in the pane's component, so a
// locked screen can take the pane out of the DOM (nothing of the person stays
// in the page) and give the same clerk their task back on unlock. Sign-out,
// or another clerk taking the counter, clears it.
import type { ErrorBody, FieldIssue, IdentityView, ManualIdentityRequest } from "./bindings";

export const emptyManual = (): ManualIdentityRequest => ({
  document_type: "hkic",
  document_number: "",
  surname: "",
  given_names: "",
  chinese_name: "",
  date_of_birth: "",
  sex: "",
});

class Task {
  manual = $state<ManualIdentityRequest>(emptyManual());
  result = $state<IdentityView | null>(null);
  issues = $state<FieldIssue[]>([]);
  error = $state<ErrorBody | null>(null);
  // The reader view's revision whose card was looked up, or was in the
  // reader while a task was past its look-up: a card is looked up once, and
  // never again after the pane comes back from a locked screen. A number,
  // nothing of the person.
  cardRevision: bigint | null = null;
  // Slip previews already shown (their handles are forgotten when a preview
  // closes, so the same slip is rendered again from the kept copy).
  shownSlips = new Set<number>();
  // Set by the counter while it is on screen: sends what waits to be sent
  // before the screen locks.
  beforeLock: (() => Promise<void>) | null = null;

  clear() {
    this.manual = emptyManual();
    this.result = null;
    this.issues = [];
    this.error = null;
    this.cardRevision = null;
    this.shownSlips.clear();
  }

  /** Whether anything of a person is held (for the close-the-app warning). */
  get holdsAnything(): boolean {
    const m = this.manual;
    return (
      this.result !== null ||
      [m.document_number, m.surname, m.given_names, m.chinese_name, m.date_of_birth, m.sex].some((v) => v !== "")
    );
  }
}

export const task = new Task();
