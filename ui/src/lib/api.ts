// The only module that calls into Rust. Every command is typed with the
// declarations generated from crates/ehr-protocol (bindings.ts), and every
// rejection is normalised: to an ErrorBody, or (manual entry) to the list of
// refused fields.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AppInfo,
  AttentionItem,
  CaptureAdjust,
  CaptureKind,
  CaptureView,
  ChangePasswordRequest,
  DiscardRequest,
  EnrolCounterRequest,
  EnrolmentView,
  ErrorBody,
  ExpiringView,
  FollowUpView,
  IdentityView,
  KeptSlipView,
  ManualIdentityRequest,
  PolicyView,
  PrintedView,
  PrinterView,
  ReaderView,
  SavedView,
  ScanFolderView,
  SignInRequest,
  SlipLanguage,
  SlipView,
  StaffSession,
  SyncStatus,
  DraftOffer,
  TaskChoices,
  TaskEvent,
  TaskSignOffRequest,
  TaskView,
  TurningView,
  WorkItemRow,
} from "./bindings";
import { toErrorBody, toManualRefusal, type ManualRefusal } from "./errors";

export type Result<T, E = ErrorBody> = { ok: true; value: T } | { ok: false; error: E };

async function call<T, E = ErrorBody>(
  command: string,
  args?: Record<string, unknown> | Uint8Array,
  normalise: (rejection: unknown) => E = toErrorBody as (r: unknown) => E,
  headers?: Record<string, string>,
): Promise<Result<T, E>> {
  try {
    return { ok: true, value: await invoke<T>(command, args, headers ? { headers } : undefined) };
  } catch (rejection) {
    if (!(typeof rejection === "object" && rejection !== null)) {
      console.error(`command ${command} failed outside the app's error contract`);
    }
    return { ok: false, error: normalise(rejection) };
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  signIn: (request: SignInRequest) => call<StaffSession>("sign_in", { request }),
  signOut: () => call<null>("sign_out"),
  /** Lock the screen: the card side answers without the identity until unlock. */
  lock: () => call<null>("lock"),
  /** The same staff member's password unlocks (online, or offline with the kept verifier). */
  unlock: (request: SignInRequest) => call<StaffSession>("unlock", { request }),
  /** The policies in force (the reference copy, or the defaults). */
  policies: () => call<PolicyView>("policies"),
  /** The signed-in staff member's password again, in place (session ran out, or offline changes wait). */
  reauthenticate: (password: string) => call<StaffSession>("reauthenticate", { password }),
  /** Change one's own password (online). */
  changePassword: (request: ChangePasswordRequest) => call<null>("change_password", { request }),
  /** Whether this counter is enrolled, and its site. */
  enrolment: () => call<EnrolmentView>("enrolment"),
  /** First run: enrol with the service's address and a one-time code. */
  enrol: (request: EnrolCounterRequest) => call<EnrolmentView>("enrol", { request }),
  /** `onRequest` hears of a window close while changes are queued (their number). */
  watchClose: (onRequest: (queued: number) => void) => {
    const channel = new Channel<number>();
    channel.onmessage = onRequest;
    return call<null>("watch_close", { onRequest: channel });
  },
  /** Close the window although changes are queued (they go at the next start). */
  closeApp: () => call<null>("close_app"),
  /** The card side now; `onChange` receives every later change. */
  watchReader: (onChange: (view: ReaderView) => void) => {
    const channel = new Channel<ReaderView>();
    channel.onmessage = onChange;
    return call<ReaderView>("watch_reader", { onChange: channel });
  },
  /** Finish (or abandon) the task: nothing of the person stays, on screen or kept. */
  finishTask: () => call<ReaderView>("finish_task"),
  /** The task in hand, if any. */
  taskCurrent: () => call<TaskView | null>("task_current"),
  /** A new task with nobody identified (look up by reference or by name). */
  taskNew: () => call<TaskView>("task_new"),
  /** The card on screen starts a task and is looked up at once. */
  taskFromCard: () => call<TaskView>("task_from_card"),
  /** A checked manual entry starts a task and is looked up at once. */
  taskFromManual: (request: ManualIdentityRequest) => call<TaskView>("task_from_manual", { request }),
  /** An event for the task in hand; the task's new view. */
  taskEvent: (event: TaskEvent) => call<TaskView>("task_event", { event }),
  /** A supervisor signs off the task's differences with their own credential. */
  taskSignOff: (request: TaskSignOffRequest) => call<TaskView>("task_sign_off", { request }),
  /** The signed-in clerk's kept task (after a crash or a restart), if any. */
  taskDraft: () => call<DraftOffer | null>("task_draft"),
  /** Take the kept task back up. */
  taskResume: () => call<TaskView | null>("task_resume"),
  /** The lists the form picks from. */
  taskChoices: () => call<TaskChoices>("task_choices"),
  /** A full document number of the task (`patient` or `attendee`), after an audited reveal. */
  taskReveal: (who: "patient" | "attendee") => call<string>("task_reveal", { who }),
  checkManualIdentity: (request: ManualIdentityRequest) =>
    call<IdentityView, ManualRefusal>("check_manual_identity", { request }, toManualRefusal),
  syncStatus: () => call<SyncStatus>("sync_status"),
  attentionList: () => call<AttentionItem[]>("attention_list"),
  retryAttention: (id: number) => call<null>("retry_attention", { id }),
  discardAttention: (request: DiscardRequest) => call<null>("discard_attention", { request }),
  syncNow: () => call<null>("sync_now"),

  /** The scanner's folder: the complete files waiting in it. */
  scanFolder: () => call<ScanFolderView>("scan_folder"),
  /** Capture a file of the scanner's folder: held encrypted, the file removed. */
  captureScan: (name: string, kind: CaptureKind) => call<CaptureView>("capture_scan", { name, kind }),
  /** Capture bytes the clerk chose or dropped (raw body: no base64 on the way in). */
  captureBytes: (bytes: Uint8Array, kind: CaptureKind) =>
    call<CaptureView>("capture_bytes", bytes, toErrorBody, { "x-capture-kind": kind }),
  /** Normalise a held capture again with the clerk's turns, crop, trim and grey. */
  captureAdjust: (imageId: string, adjust: CaptureAdjust) =>
    call<CaptureView>("capture_adjust", { imageId, adjust }),
  /** One held capture with its preview, to adjust it again. */
  captureOpen: (imageId: string) => call<CaptureView>("capture_open", { imageId }),
  /** Change what a held capture shows. */
  captureKind: (imageId: string, kind: CaptureKind) => call<CaptureView>("capture_kind", { imageId, kind }),
  /** Remove a held capture. */
  captureRemove: (imageId: string) => call<null>("capture_remove", { imageId }),
  /** The captures held for the task in hand. */
  captures: () => call<CaptureView[]>("captures"),

  /** The newborns awaiting a birth certificate past the policy's days
   * (this birth hospital's; every hospital's at the Registration Office),
   * oldest first. Asked of the central service (no offline copy). */
  followUpNewborns: () => call<FollowUpView>("follow_up_newborns"),
  /** The follow-up list as a PDF to print or save, previewed. */
  followUpNewbornsSlip: (language: SlipLanguage) => call<SlipView>("follow_up_newborns_slip", { language }),
  /** A supervisor's list: pending applications not activated that expire
   * within the service's days, soonest first (`auth.forbidden` to others).
   * Asked of the central service (no offline copy). */
  followUpExpiring: () => call<ExpiringView>("follow_up_expiring"),
  /** The expiring applications as a PDF to print or save, previewed. */
  followUpExpiringSlip: (language: SlipLanguage) => call<SlipView>("follow_up_expiring_slip", { language }),
  /** A supervisor's list: records an SDM keeps for a child who turns 16
   * within the service's days (the record moves to the person), soonest
   * first (`auth.forbidden` to others). Asked of the central service. */
  followUpTurning16: () => call<TurningView>("follow_up_turning_16"),
  /** The children turning 16 as a PDF to print or save, previewed. */
  followUpTurning16Slip: (language: SlipLanguage) => call<SlipView>("follow_up_turning_16_slip", { language }),

  /** The open paper forms (work items) of this counter's Registration
   * Office, to resume (`auth.forbidden` at any other site). Asked of the
   * central service (no offline copy). */
  workItems: () => call<WorkItemRow[]>("work_items"),

  /** The attention notice of a change as a PDF, previewed. */
  noticeSlip: (id: number, language: SlipLanguage) => call<SlipView>("notice_slip", { id, language }),
  /** A completed task's kept slip, previewed for a reprint. */
  keptSlip: (id: number) => call<SlipView>("kept_slip", { id }),
  /** Today's completed tasks with their slips. */
  slipsToday: () => call<KeptSlipView[]>("slips_today"),
  /** The printers slips can go to. */
  printers: () => call<PrinterView[]>("printers"),
  /** Print a previewed slip (waits for the printing system's answer). */
  printSlip: (handle: number, printer: string | null) => call<PrintedView>("print_slip", { handle, printer }),
  /** Save a previewed slip as a PDF file in the counter's save folder. */
  saveSlip: (handle: number) => call<SavedView>("save_slip", { handle }),
  /** The preview closed: forget its PDF. */
  closeSlip: (handle: number) => call<null>("close_slip", { handle }),
};
