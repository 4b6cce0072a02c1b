// The only module that calls into Rust. Every command is typed with the
// declarations generated from crates/ehr-protocol (bindings.ts), and every
// rejection is normalised to an ErrorBody.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo, SignInRequest, StaffSession } from "./bindings";
import { toErrorBody } from "./errors";

export type Result<T> = { ok: true; value: T } | { ok: false; error: import("./bindings").ErrorBody };

async function call<T>(command: string, args?: Record<string, unknown>): Promise<Result<T>> {
  try {
    return { ok: true, value: await invoke<T>(command, args) };
  } catch (rejection) {
    if (!(typeof rejection === "object" && rejection !== null && "code" in rejection)) {
      console.error(`command ${command} failed outside the app's error contract`);
    }
    return { ok: false, error: toErrorBody(rejection) };
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  signIn: (request: SignInRequest) => call<StaffSession>("sign_in", { request }),
};
