// The task in hand as the counter's screen holds it: the last TaskView Rust
// answered, the last refusal, and the calls on their way. One is made per
// mount of the counter, so a locked screen (which unmounts the counter)
// drops it with everything of the person; unlocking asks Rust for the task
// again (`load`). The screen decides nothing: it sends events and renders
// the view Rust sends back.
import { api, type Result } from "./api";
import type {
  CompletionForm,
  ConsentForm,
  ContactChangeForm,
  DraftOffer,
  ErrorBody,
  LookupQuery,
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
import { Debounced } from "./debounce";
import { Serial } from "./serial";

export class TaskPane {
  view = $state<TaskView | null>(null);
  error = $state<ErrorBody | null>(null);
  draft = $state<DraftOffer | null>(null);
  /** The task and the draft were asked for (nothing starts before). */
  loaded = $state(false);
  busy = $state(false);

  private serial = new Serial();
  // The form's last edit (the main path's, a newborn's, a completion's, a
  // consent change's, a withdrawal's, a correction of particulars', a
  // contact change's, a take-over's or a paper form's keying: one task has
  // one form on screen), sent once typing pauses.
  private edits = new Debounced<TaskEvent>(250, (event) => {
    void this.call(() => api.taskEvent(event));
  });

  /** The task in hand, else the draft kept from before. */
  async load(): Promise<void> {
    const r = await this.serial.run(() => api.taskCurrent());
    if (r.ok) this.view = r.value;
    else this.error = r.error;
    if (!this.view) {
      const d = await api.taskDraft();
      if (d.ok) this.draft = d.value;
    }
    this.loaded = true;
  }

  /** Run a call that answers the task's view, after any waiting edit. */
  call(f: () => Promise<Result<TaskView | null>>): Promise<boolean> {
    this.edits.flush();
    this.busy = true;
    return this.serial.run(async () => {
      const r = await f();
      this.busy = this.serial.busy > 1;
      if (r.ok) {
        this.view = r.value;
        this.error = null;
        return true;
      }
      this.error = r.error;
      return false;
    });
  }

  /** Like `call`, but a refusal is the caller's to show (a dialog's). */
  async attempt(f: () => Promise<Result<TaskView | null>>): Promise<ErrorBody | null> {
    this.edits.flush();
    return this.serial.run(async () => {
      const r = await f();
      if (!r.ok) return r.error;
      this.view = r.value;
      this.error = null;
      return null;
    });
  }

  /** A look-up by reference or by name; a task is started first if none is in hand. */
  async lookup(query: LookupQuery): Promise<boolean> {
    if (!this.view || this.view.stage === "done") {
      if (!(await this.call(() => api.taskNew()))) return false;
    }
    return this.event({ type: "lookup", query });
  }

  /** A paper form: a new one, or an open work item resumed. Rust starts a
   * task of its own for it (whatever is in hand, or none, or done). */
  paperForm(id: string | null = null): Promise<boolean> {
    return this.event(id === null ? { type: "paper_form" } : { type: "resume_work_item", id });
  }

  event(e: TaskEvent): Promise<boolean> {
    return this.call(() => api.taskEvent(e));
  }

  /** The form changed: sent once typing pauses (`now` for a choice made). */
  edit(form: TaskForm, now = false): void {
    this.queue({ type: "edit", form }, now);
  }

  /** A newborn's form changed (as `edit`). */
  editNewborn(form: NewbornForm, now = false): void {
    this.queue({ type: "edit_newborn", form }, now);
  }

  /** A completion's form changed (as `edit`). */
  editCompletion(form: CompletionForm, now = false): void {
    this.queue({ type: "edit_completion", form }, now);
  }

  /** A consent change's form changed (as `edit`). */
  editConsent(form: ConsentForm, now = false): void {
    this.queue({ type: "edit_consent", form }, now);
  }

  /** A withdrawal's form changed (as `edit`). */
  editWithdrawal(form: WithdrawalForm, now = false): void {
    this.queue({ type: "edit_withdrawal", form }, now);
  }

  /** A correction of particulars' form changed (as `edit`). */
  editParticulars(form: ParticularsForm, now = false): void {
    this.queue({ type: "edit_particulars", form }, now);
  }

  /** A contact change's form changed (as `edit`). */
  editContact(form: ContactChangeForm, now = false): void {
    this.queue({ type: "edit_contact", form }, now);
  }

  /** A take-over's form changed (as `edit`). */
  editTakeOver(form: TakeOverForm, now = false): void {
    this.queue({ type: "edit_take_over", form }, now);
  }

  /** A paper form's first keying changed (as `edit`). */
  editPaper(form: PaperFormFields, now = false): void {
    this.queue({ type: "edit_paper", form }, now);
  }

  /** A paper form's second keying changed (as `edit`). */
  editPaperSecond(form: PaperIdentity, now = false): void {
    this.queue({ type: "edit_paper_second", form }, now);
  }

  private queue(event: TaskEvent, now: boolean): void {
    this.edits.push(event);
    if (now) this.edits.flush();
  }

  /** Whether form edits wait to be sent. */
  get editing(): boolean {
    return this.edits.pending;
  }

  /** Before the pane goes: the last typing is sent. */
  leave(): void {
    this.edits.flush();
  }

  /** The last typing sent and every call answered (before the screen
   * locks: Rust refuses the task's events once it is locked). */
  async settle(): Promise<void> {
    this.edits.flush();
    await this.serial.run(async () => undefined);
  }

  async resume(): Promise<void> {
    this.draft = null;
    await this.call(() => api.taskResume());
  }

  clear(): void {
    this.edits.cancel();
    this.view = null;
    this.error = null;
    this.draft = null;
  }
}
