// Generated from the Rust types in crates/ehr-protocol by `UPDATE_BINDINGS=1 cargo test -p ehr-protocol`.
// Do not edit by hand: a test fails when this file is stale.

/**
 * Every error code that crosses a boundary of the app.
 *
 * Serialised as a dotted string such as `"auth.staff_code_required"`.
 */
export type ErrorCode = "auth.staff_code_required" | "auth.staff_code_format" | "auth.password_required" | "central.not_configured" | "central.sign_in_unavailable" | "storage.data_dir" | "internal";

/**
 * The body of every error that crosses the IPC or HTTP boundary.
 */
export type ErrorBody = { 
/**
 * The stable code the UI switches on.
 */
code: ErrorCode, 
/**
 * The form field the error belongs to, if any (a field name, never a value).
 */
field: string | null, 
/**
 * The message in English.
 */
message_en: string, 
/**
 * The message in Traditional Chinese.
 */
message_zh: string, };

/**
 * What the sign-in screen shows about this installation.
 */
export type AppInfo = { 
/**
 * The product name, as in the window title.
 */
name: string, 
/**
 * The application version (semver).
 */
version: string, 
/**
 * The central service this counter syncs with, if one is configured.
 */
central_url: string | null, 
/**
 * Whether the app runs in training mode (virtual card, demo data).
 */
training_mode: boolean, };

/**
 * A staff member's sign-in attempt.
 */
export type SignInRequest = { 
/**
 * The staff member's own named account code.
 */
staff_code: string, 
/**
 * The password; never logged and never stored by the counter.
 */
password: string, };

/**
 * The roles a staff account can hold.
 */
export type StaffRole = "registration_staff" | "supervisor";

/**
 * The staff session after a successful sign-in.
 */
export type StaffSession = { 
/**
 * The signed-in staff code, shown in the status bar and on slips.
 */
staff_code: string, 
/**
 * The staff member's role.
 */
role: StaffRole, };

/** Every error code, for exhaustive handling in the UI. */
export const ERROR_CODES: readonly ErrorCode[] = [
  "auth.staff_code_required",
  "auth.staff_code_format",
  "auth.password_required",
  "central.not_configured",
  "central.sign_in_unavailable",
  "storage.data_dir",
  "internal",
] as const;
