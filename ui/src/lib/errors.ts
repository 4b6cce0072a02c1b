// Turns whatever a command rejected with into an ErrorBody the screen can
// show in both languages. Commands reject with an ErrorBody from Rust; Tauri
// itself rejects with a plain string when a command is unknown or forbidden,
// which the clerk sees as an internal error (the detail goes to the console
// for a field engineer, never personal data).
import en from "../../../i18n/en.json";
import zh from "../../../i18n/zh-HK.json";
import { ERROR_CODES, type ErrorBody, type ErrorCode, type FieldIssue } from "./bindings";

const INTERNAL: ErrorBody = {
  code: "internal",
  field: null,
  message_en: en["error.internal"],
  message_zh: zh["error.internal"],
};

function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === "string" && (ERROR_CODES as readonly string[]).includes(v);
}

export function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    isErrorCode(o.code) &&
    (o.field === null || typeof o.field === "string") &&
    typeof o.message_en === "string" &&
    typeof o.message_zh === "string"
  );
}

export function toErrorBody(rejection: unknown): ErrorBody {
  if (isErrorBody(rejection)) return rejection;
  return INTERNAL;
}

/** The manual pane's refusal: the refused fields, or (for anything else
 * the command rejected with) an error for the whole pane. */
export type ManualRefusal = { issues: FieldIssue[]; error: ErrorBody | null };

export function toManualRefusal(rejection: unknown): ManualRefusal {
  const ok =
    Array.isArray(rejection) &&
    rejection.length > 0 &&
    rejection.every(
      (i) =>
        typeof i === "object" &&
        i !== null &&
        typeof i.field === "string" &&
        typeof i.code === "string" &&
        typeof i.message_en === "string" &&
        typeof i.message_zh === "string",
    );
  if (ok) return { issues: rejection as FieldIssue[], error: null };
  return { issues: [], error: toErrorBody(rejection) };
}
