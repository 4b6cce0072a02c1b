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

  clear() {
    this.manual = emptyManual();
    this.result = null;
    this.issues = [];
    this.error = null;
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
