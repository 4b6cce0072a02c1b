// The only module that calls into Rust. Every command is typed with the
// declarations generated from crates/ehr-protocol (bindings.ts), and every
// rejection is normalised: to an ErrorBody, or (manual entry) to the list of
// refused fields.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AppInfo,
  AttentionItem,
  AttentionNotice,
  ChangePasswordRequest,
  DiscardRequest,
  EnrolCounterRequest,
  EnrolmentView,
  ErrorBody,
  IdentityView,
  ManualIdentityRequest,
  PolicyView,
  ReaderView,
  SignInRequest,
  StaffSession,
  SyncStatus,
} from "./bindings";
import { toErrorBody, toManualRefusal, type ManualRefusal } from "./errors";

export type Result<T, E = ErrorBody> = { ok: true; value: T } | { ok: false; error: E };

async function call<T, E = ErrorBody>(
  command: string,
  args?: Record<string, unknown>,
  normalise: (rejection: unknown) => E = toErrorBody as (r: unknown) => E,
): Promise<Result<T, E>> {
  try {
    return { ok: true, value: await invoke<T>(command, args) };
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
  finishTask: () => call<ReaderView>("finish_task"),
  checkManualIdentity: (request: ManualIdentityRequest) =>
    call<IdentityView, ManualRefusal>("check_manual_identity", { request }, toManualRefusal),
  syncStatus: () => call<SyncStatus>("sync_status"),
  attentionList: () => call<AttentionItem[]>("attention_list"),
  retryAttention: (id: number) => call<null>("retry_attention", { id }),
  discardAttention: (request: DiscardRequest) => call<null>("discard_attention", { request }),
  attentionNotice: (id: number) => call<AttentionNotice>("attention_notice", { id }),
  syncNow: () => call<null>("sync_now"),
};
