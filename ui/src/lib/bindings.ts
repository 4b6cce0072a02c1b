// Generated from the Rust types in crates/ehr-protocol by `UPDATE_BINDINGS=1 cargo test -p ehr-protocol`.
// Do not edit by hand: a test fails when this file is stale.

/**
 * Every error code that crosses a boundary of the app.
 *
 * Serialised as a dotted string such as `"auth.staff_code_required"`.
 */
export type ErrorCode = "auth.staff_code_required" | "auth.staff_code_format" | "auth.password_required" | "central.not_configured" | "central.sign_in_unavailable" | "central.unreachable" | "central.bad_answer" | "counter.not_enrolled" | "storage.data_dir" | "auth.invalid_credentials" | "auth.locked" | "auth.token_missing" | "auth.token_invalid" | "auth.forbidden" | "counter.unknown" | "counter.enrolment_code_invalid" | "request.malformed" | "request.too_large" | "request.unsupported_media_type" | "request.query_invalid" | "request.not_found" | "request.method_not_allowed" | "request.validation" | "application.not_found" | "record.not_found" | "batch.size" | "batch.idempotency_key_reused" | "batch.sequence_stale" | "conflict.already_activated" | "conflict.expired" | "conflict.withdrawn" | "conflict.record_withdrawn" | "conflict.number_clash" | "conflict.birth_document_registered" | "conflict.already_registered" | "conflict.application_not_found" | "conflict.record_not_found" | "conflict.not_awaiting_birth_certificate" | "conflict.consent_state" | "conflict.image_exists" | "conflict.document_mismatch" | "conflict.not_kept_by_sdm" | "conflict.no_contact" | "conflict.awaiting_birth_certificate" | "conflict.work_item_stale" | "conflict.work_item_closed" | "document.too_large" | "document.type_not_allowed" | "document.encoding" | "document.image_unknown" | "field.required" | "field.format" | "field.unknown_code" | "withdrawal.not_confirmed" | "newborn.born_in_future" | "newborn.too_old" | "newborn.pre_1980_number" | "supervisor.unknown" | "apply.form_expired" | "store.key_missing" | "store.wrong_key" | "store.newer_schema" | "store.disk_full" | "store.unavailable" | "store.corrupt" | "queue.not_found" | "queue.not_attention" | "queue.supervisor_only" | "queue.reason_required" | "auth.sign_in_required" | "store.in_use" | "store.opening" | "outbox.undecodable" | "outbox.too_large" | "supervisor.unverified" | "supervisor.sign_off_expired" | "supervisor.self_sign_off" | "batch.envelope_version" | "batch.transaction_time_future" | "central.client_setup" | "central.insecure_url" | "central.url_invalid" | "counter.key_permissions" | "auth.session_expired" | "auth.offline_unavailable" | "audit.chain_broken" | "central.dns" | "central.tls" | "central.refused" | "central.not_a_central_service" | "counter.enrolment_code_expired" | "counter.enrolment_code_used" | "counter.revoked" | "counter.mode_mismatch" | "capture.not_an_image" | "capture.unsupported_format" | "capture.pdf_not_supported" | "capture.truncated" | "capture.too_many_pixels" | "capture.file_too_large" | "capture.corrupt" | "capture.empty_crop" | "capture.budget" | "capture.not_found" | "capture.scan_folder" | "print.no_printer" | "print.unknown_queue" | "print.queue_stopped" | "print.queue_rejecting" | "print.job_failed" | "print.cups_unavailable" | "slip.font_missing" | "slip.render_failed" | "slip.not_found" | "slip.save_failed" | "capture.unreadable" | "task.none" | "task.not_cached" | "internal";

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
message_zh: string, 
/**
 * Seconds until the request may succeed (a locked account: the time
 * left of its lockout). Absent in most errors and in older bodies.
 */
retry_after_s?: number, };

/**
 * One identity document type, as the manual pane lists it.
 */
export type DocumentTypeOption = { 
/**
 * The stable code (`hkic`, …).
 */
code: string, 
/**
 * The name in English.
 */
name_en: string, 
/**
 * The name in Traditional Chinese.
 */
name_zh: string, };

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
training_mode: boolean, 
/**
 * The identity documents the manual pane offers, in order.
 */
document_types: Array<DocumentTypeOption>, 
/**
 * A configuration file that cannot be used: the app says so instead
 * of working on a half-understood configuration.
 */
config_problem: ConfigProblem | null, };

/**
 * A configuration file's mistake, as the screen shows it (no personal
 * data: a file of service addresses and paths).
 */
export type ConfigProblem = { 
/**
 * The file.
 */
path: string, 
/**
 * The line (1-based; 0: the file could not be read).
 */
line: number, 
/**
 * The column (1-based).
 */
column: number, 
/**
 * What is wrong, in the parser's words (English, for IT staff).
 */
detail: string, };

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
role: StaffRole, 
/**
 * The name the central service gave for the staff member, if any.
 */
display_name: string | null, 
/**
 * Signed in offline (the central service could not be reached): the
 * password was checked against the verifier this counter keeps from the
 * staff member's last online sign-in here. Nothing is sent to the
 * service until somebody signs in online.
 */
offline: boolean, };

/**
 * A staff member's change of their own password, at the counter while
 * online. Its `Debug` shows neither password.
 */
export type ChangePasswordRequest = { 
/**
 * The password in use now.
 */
old_password: string, 
/**
 * The new password (at least 10 characters).
 */
new_password: string, };

/**
 * The policies the counter follows now, and where they come from: the
 * copy of the central service's reference data kept in the encrypted
 * store, or this build's defaults when the counter never fetched it.
 */
export type PolicyView = { 
/**
 * The reference data version the policies come from (none: defaults).
 */
version: number | null, 
/**
 * When the counter fetched that copy (Unix milliseconds; none: defaults).
 */
fetched_at_ms: number | null, 
/**
 * Minutes of inactivity after which the counter locks.
 */
idle_lock_minutes: number, 
/**
 * Hours a looked-up application may stay in the encrypted cache.
 */
application_cache_hours: number, 
/**
 * Days from submission after which a pending application expires.
 */
application_expiry_days: number, 
/**
 * Days the counter keeps synced outbox rows.
 */
counter_retention_days: number, 
/**
 * Minutes a staff session lasts.
 */
session_minutes: number, 
/**
 * Days after an online sign-in at this counter during which the same
 * staff member may sign in here offline.
 */
offline_sign_in_days: number, 
/**
 * Failed sign-ins in a row before an account locks.
 */
max_failed_sign_ins: number, 
/**
 * Minutes a locked account stays locked.
 */
lockout_minutes: number, };

/**
 * Every stable code of the card layer (readers, cards, IDEAS).
 */
export type CardCode = "pcsc.no_service" | "pcsc.no_reader" | "pcsc.service_error" | "card.absent" | "card.removed" | "card.timeout" | "card.cancelled" | "card.malformed" | "card.unknown" | "card.old_generation" | "card.unsupported_version" | "card.unexpected_status" | "card.protocol" | "card.invalid_data" | "ideas.not_configured" | "ideas.unavailable";

/**
 * A card-layer problem as the UI shows it.
 */
export type CardProblem = { 
/**
 * The stable code.
 */
code: CardCode, 
/**
 * The message in English.
 */
message_en: string, 
/**
 * The message in Traditional Chinese.
 */
message_zh: string, };

/**
 * The state of the card readers, as the status line shows it.
 */
export type ReaderStatus = "no_service" | "no_reader" | "waiting" | "reading" | "read" | "error";

/**
 * One person's identity as the identity pane shows it. The document number
 * is masked; the full number is only ever shown on an audited reveal.
 */
export type IdentityView = { 
/**
 * `open_test_card`, `ideas` or `manual`.
 */
source: string, 
/**
 * The document type code (`hkic`, …).
 */
document_type: string, 
/**
 * The document type's name in English.
 */
document_type_en: string, 
/**
 * The document type's name in Chinese.
 */
document_type_zh: string, 
/**
 * The masked number, for example `A123***(4)`.
 */
document_masked: string, 
/**
 * The English name as printed.
 */
english_name: string, 
/**
 * The surname.
 */
surname: string, 
/**
 * The given names.
 */
given_names: string, 
/**
 * The Chinese name in characters, if any.
 */
chinese_name: string | null, 
/**
 * The Chinese Commercial Codes of the name, as printed (`7115 1129 2429`).
 */
chinese_ccc: string | null, 
/**
 * The date of birth as written in Hong Kong (`15/01/1980`).
 */
date_of_birth: string, 
/**
 * `M` or `F`.
 */
sex: string, 
/**
 * The date of issue, where the source gives it.
 */
date_of_issue: string | null, 
/**
 * `gen2018` for cards.
 */
generation: string | null, };

/**
 * Everything the card side of the screen shows.
 */
export type ReaderView = { 
/**
 * The reader state.
 */
status: ReaderStatus, 
/**
 * The readers the service lists.
 */
readers: Array<string>, 
/**
 * The reader of the card being read or shown.
 */
reader: string | null, 
/**
 * The identity in the card pane.
 */
identity: IdentityView | null, 
/**
 * Why the last read failed.
 */
problem: CardProblem | null, 
/**
 * Increases with every change, so a front end can drop stale updates.
 */
revision: bigint, 
/**
 * For an identity just read: when PC/SC reported the card present
 * (Unix microseconds), so a front end can time card-to-screen.
 */
present_at_us: number | null, };

/**
 * What the clerk keyed in the manual pane, as typed.
 */
export type ManualIdentityRequest = { 
/**
 * The document type code.
 */
document_type: string, 
/**
 * The number.
 */
document_number: string, 
/**
 * Surname in English.
 */
surname: string, 
/**
 * Given names in English.
 */
given_names: string, 
/**
 * Chinese name (may be empty).
 */
chinese_name: string, 
/**
 * Date of birth.
 */
date_of_birth: string, 
/**
 * Sex.
 */
sex: string, };

/**
 * One refused field of the manual pane: the field, the domain's code and
 * its fixed messages. Never the value.
 */
export type FieldIssue = { 
/**
 * The field name, as in [`ManualIdentityRequest`].
 */
field: string, 
/**
 * The domain's stable code (for example `id.check_digit`).
 */
code: DomainCode, 
/**
 * The message in English.
 */
message_en: string, 
/**
 * The message in Traditional Chinese.
 */
message_zh: string, };

/**
 * Whether the central service answered at the last attempt to sync.
 */
export type SyncLink = "unknown" | "online" | "offline";

/**
 * What the status bar shows about the outbox.
 */
export type SyncStatus = { 
/**
 * Whether a central service is configured at all.
 */
central_configured: boolean, 
/**
 * Reachability at the last attempt.
 */
link: SyncLink, 
/**
 * Changes waiting to reach the central service.
 */
queued: number, 
/**
 * Changes the central service refused, waiting for a clerk.
 */
attention: number, 
/**
 * When the oldest queued change was saved (Unix milliseconds).
 */
oldest_queued_at_ms: number | null, 
/**
 * When a batch was last answered (Unix milliseconds).
 */
last_success_at_ms: number | null, 
/**
 * The clock these times are measured against (Unix milliseconds).
 */
now_ms: number, 
/**
 * Syncing waits for a staff member to sign in again (the service
 * ended the session, or changes made offline wait for an online
 * sign-in and the service answers again): ask for the password.
 */
needs_sign_in: boolean, 
/**
 * The staff member is signed in offline: changes made now stay queued
 * until somebody signs in online.
 */
waiting_for_online_sign_in: boolean, 
/**
 * Audit events waiting to reach the service's copy of the chain (not
 * in `queued`, which counts the changes of the people served).
 */
audit_queued: number, 
/**
 * A batch is on its way now.
 */
sending: boolean, 
/**
 * The counter's local store failed its last write (the disk is full,
 * an I/O error): the code and what it means, in both languages. None
 * once a write succeeds again.
 */
store_error: ErrorBody | null, };

/**
 * One change on the "needs attention" list.
 */
export type AttentionItem = { 
/**
 * The outbox row (to retry or discard).
 */
id: number, 
/**
 * What the change was (`register_in_person`, …).
 */
op_type: string, 
/**
 * What the clerk saw: the task, a name, a masked number.
 */
summary: string, 
/**
 * Why the central service refused it.
 */
code: ErrorCode, 
/**
 * The reason in English, with what to do next.
 */
reason_en: string, 
/**
 * The reason in Traditional Chinese.
 */
reason_zh: string, 
/**
 * The fields a validation refusal named.
 */
fields: Array<string>, 
/**
 * When the change was saved (Unix milliseconds).
 */
saved_at_ms: number, };

/**
 * A supervisor's discard of a change on the attention list.
 */
export type DiscardRequest = { 
/**
 * The outbox row.
 */
id: number, 
/**
 * Why, in the supervisor's words (audited; no personal data, please).
 */
reason: string, };

/**
 * Enrol this counter with a central service: the first-run screen's form
 * (and `ehrctl enrol`). Its `Debug` never shows the code.
 */
export type EnrolCounterRequest = { 
/**
 * The central service's address (`https://…`; plain HTTP to loopback
 * only).
 */
central_url: string, 
/**
 * The one-time enrolment code printed by `ehr-central counter enrol`.
 */
enrolment_code: string, };

/**
 * Where the central service's address in force comes from. Later sources
 * win: the environment over the configuration file over the enrolment.
 */
export type CentralUrlSource = "none" | "enrolment" | "config_file" | "environment";

/**
 * The kinds of site a counter can be enrolled to.
 */
export type CounterSiteType = "registration_centre" | "registration_office" | "private_provider_centre" | "birth_hospital" | "maternal_child_health_centre";

/**
 * The site a counter is enrolled to.
 */
export type CounterSite = { 
/**
 * The site code (for example `HA-QEH`).
 */
code: string, 
/**
 * The site type: it decides the workflows the counter offers.
 */
site_type: CounterSiteType, 
/**
 * The site's name in English.
 */
name_en: string, 
/**
 * The site's name in Traditional Chinese.
 */
name_zh: string, };

/**
 * Whether this counter is enrolled, where its central service is, and
 * which site it serves: what the first-run screen and the status bar show.
 * It never carries the machine key.
 */
export type EnrolmentView = { 
/**
 * The counter has a machine key (from its enrolment, the environment
 * or a key file) or a client certificate.
 */
enrolled: boolean, 
/**
 * The central service's address in force, if any.
 */
central_url: string | null, 
/**
 * Where that address comes from.
 */
central_url_source: CentralUrlSource, 
/**
 * The counter's id at the central service, when known.
 */
counter_id: string | null, 
/**
 * The counter's name at the central service, when known.
 */
counter_name: string | null, 
/**
 * The site the counter is enrolled to, when known.
 */
site: CounterSite | null, 
/**
 * The central service revoked this counter: nobody can sign in on it
 * until it is enrolled again.
 */
revoked: boolean, 
/**
 * The data folder was enrolled in the other mode (training or
 * production) than the app runs in: nobody signs in and nothing syncs
 * (`counter.mode_mismatch`).
 */
mode_mismatch: boolean, };

/**
 * What a captured document image shows, as the capture dialog offers it
 * (the wire's `DocumentImageKind`, for the UI).
 */
export type CaptureKind = "patient_document_copy" | "supporting_document" | "birth_hospital_document" | "birth_certificate" | "paper_form";

/**
 * A rectangle of an image, as fractions (0 to 1) of its width and height,
 * from its top-left corner.
 */
export type CropBox = { 
/**
 * Left edge.
 */
x: number, 
/**
 * Top edge.
 */
y: number, 
/**
 * Width.
 */
w: number, 
/**
 * Height.
 */
h: number, };

/**
 * How the clerk wants a captured image: turned, cropped, in grey.
 */
export type CaptureAdjust = { 
/**
 * Extra clockwise quarter turns after the image's own orientation (0 to 3).
 */
quarter_turns: number, 
/**
 * The part to keep, in fractions of the upright image before the turns
 * (the preview as shown); `None` keeps the whole page.
 */
crop: CropBox | null, 
/**
 * Trim the scanner's white border.
 */
auto_trim: boolean, 
/**
 * Black and white (grey levels): smaller, for documents without colour.
 */
grayscale: boolean, };

/**
 * One file waiting in the scanner's folder.
 */
export type ScanFileView = { 
/**
 * The file's name (as the scanner named it).
 */
name: string, 
/**
 * Its size in bytes.
 */
bytes: number, };

/**
 * The scanner's folder, as the capture dialog shows it.
 */
export type ScanFolderView = { 
/**
 * Whether a scanner folder is configured for this counter.
 */
configured: boolean, 
/**
 * The files ready to capture (complete: no longer being written).
 */
files: Array<ScanFileView>, 
/**
 * Why the folder cannot be read, if it cannot.
 */
problem: ErrorBody | null, };

/**
 * A captured image as the dialog and the task's list show it.
 */
export type CaptureView = { 
/**
 * Its id (the image id it travels with).
 */
image_id: string, 
/**
 * What it shows.
 */
kind: CaptureKind, 
/**
 * The upright page as captured (JPEG, base64), for the crop handles;
 * absent in the task's list.
 */
preview_base64: string | null, 
/**
 * The normalised image's thumbnail (JPEG, base64).
 */
thumbnail_base64: string | null, 
/**
 * The normalised image's width in pixels.
 */
width: number, 
/**
 * The normalised image's height in pixels.
 */
height: number, 
/**
 * The normalised image's size in bytes (what will be sent).
 */
bytes: number, 
/**
 * The EXIF orientation applied (1 to 8; 1 is none).
 */
orientation: number, 
/**
 * The adjustments in force.
 */
adjust: CaptureAdjust, };

/**
 * The languages a slip can be printed in.
 */
export type SlipLanguage = "en" | "zh" | "both";

/**
 * A slip or notice ready to preview, print or save.
 */
export type SlipView = { 
/**
 * The handle print and save refer to (valid while the preview is open).
 */
handle: number, 
/**
 * The reference printed on it.
 */
reference: string, 
/**
 * Its pages rendered as PNG (base64), for the preview.
 */
pages_png_base64: Array<string>, 
/**
 * The PDF's size in bytes.
 */
bytes: number, 
/**
 * The language it is in.
 */
language: SlipLanguage, };

/**
 * A printer the counter can print slips on.
 */
export type PrinterView = { 
/**
 * The queue's name.
 */
name: string, 
/**
 * The one slips go to unless the clerk picks another (the configured
 * printer, else the system's default).
 */
preferred: boolean, 
/**
 * Whether it takes jobs now (enabled and accepting).
 */
ready: boolean, };

/**
 * A slip that went to a printer.
 */
export type PrintedView = { 
/**
 * The printer.
 */
printer: string, 
/**
 * The printing system's job id.
 */
job: string, };

/**
 * A slip saved as a file.
 */
export type SavedView = { 
/**
 * Where it was saved.
 */
path: string, };

/**
 * A completed task's slip, in today's list (for a reprint).
 */
export type KeptSlipView = { 
/**
 * Its id.
 */
id: number, 
/**
 * The task's reference.
 */
reference: string, 
/**
 * The kind of task (a slip task code).
 */
task: string, 
/**
 * What the list shows (masked numbers only).
 */
summary: string, 
/**
 * When the task completed (Unix ms).
 */
completed_at_ms: number, 
/**
 * How many times it was printed.
 */
prints: number, };

/**
 * How the clerk looks a person up (besides a card read, which looks up by
 * the card's document at once).
 */
export type LookupQuery = { "by": "reference", 
/**
 * The reference as typed or scanned.
 */
reference: string, } | { "by": "name_and_birth", 
/**
 * The surname.
 */
surname: string, 
/**
 * The given names (may be empty).
 */
given_names: string, 
/**
 * The date of birth (`DD/MM/YYYY` or `YYYY-MM-DD`).
 */
date_of_birth: string, } | { "by": "hospital_document", 
/**
 * The birth hospital's code.
 */
hospital_code: string, 
/**
 * The document's serial number.
 */
serial: string, };

/**
 * Where a look-up's answer came from.
 */
export type LookupSource = "central" | "cache";

/**
 * A pending (or expired, or activated) application in a look-up's list.
 */
export type ApplicationRow = { 
/**
 * The application reference.
 */
reference: string, 
/**
 * Its state on the day: `pending`, `submitted_online`, `keyed_from_paper`,
 * `activated`, `expired`, `cancelled`.
 */
state: string, 
/**
 * How it arrived: `online`, `paper_post`, `paper_fax`, `paper_drop_in`.
 */
origin: string, 
/**
 * The day it was submitted (`DD/MM/YYYY`).
 */
submitted_on: string, 
/**
 * The first day it is expired (`DD/MM/YYYY`).
 */
expires_on: string, 
/**
 * Whether it can no longer be activated because it expired.
 */
expired: boolean, 
/**
 * The patient's document type code.
 */
document_type: string, 
/**
 * The patient's document number, masked.
 */
document_masked: string, 
/**
 * The patient's English name.
 */
name_en: string, 
/**
 * The patient's Chinese name.
 */
chinese_name: string | null, 
/**
 * The patient's date of birth (`DD/MM/YYYY`).
 */
date_of_birth: string, 
/**
 * Who applied: `self`, `sdm`, `authorised_person`.
 */
applicant_role: string, };

/**
 * A sharing consent of a registered record.
 */
export type ConsentRow = { 
/**
 * The provider's id.
 */
provider_id: string, 
/**
 * Its name in English.
 */
name_en: string, 
/**
 * Its name in Chinese.
 */
name_zh: string, 
/**
 * `public` (held automatically) or `private`.
 */
kind: string, 
/**
 * `automatic`, `given`, `revoked`, `not_given`.
 */
state: string, 
/**
 * When it was given (`DD/MM/YYYY`).
 */
given_on: string | null, };

/**
 * A registered record found for the person.
 */
export type RecordRow = { 
/**
 * The eHR number.
 */
ehr_number: string, 
/**
 * `effective`, `awaiting_birth_certificate`, `withdrawn`, ...
 */
state: string, 
/**
 * The document, masked (absent for a newborn's hospital document).
 */
document_masked: string | null, 
/**
 * The English name.
 */
name_en: string, 
/**
 * The Chinese name.
 */
chinese_name: string | null, 
/**
 * The day it took effect (`DD/MM/YYYY`).
 */
registered_on: string, 
/**
 * Its sharing consents, public providers first.
 */
consents: Array<ConsentRow>, 
/**
 * A newborn's birth hospital (records awaiting the birth certificate).
 */
hospital_code: string | null, 
/**
 * A newborn's hospital document serial.
 */
serial: string | null, 
/**
 * The baby's day of birth (`DD/MM/YYYY`).
 */
date_of_birth: string, 
/**
 * The substitute decision maker's document, masked.
 */
sdm_document_masked: string | null, 
/**
 * The substitute decision maker's relationship, in English and
 * Chinese (the reference data's names; the code when unknown).
 */
sdm_relationship: [string, string] | null, };

/**
 * What a look-up found.
 */
export type LookupView = { 
/**
 * Applications, newest first.
 */
applications: Array<ApplicationRow>, 
/**
 * Registered records.
 */
records: Array<RecordRow>, 
/**
 * Records the person identified keeps as substitute decision maker
 * (a parent's newborns awaiting the birth certificate, for example).
 */
kept_as_sdm: Array<RecordRow>, 
/**
 * Where the answer came from.
 */
source: LookupSource, };

/**
 * The kind of task in hand.
 */
export type TaskKind = "lookup" | "activation" | "walk_in" | "newborn" | "completion" | "consent" | "withdrawal" | "particulars" | "contact" | "take_over" | "paper_form";

/**
 * Where the task stands.
 */
export type TaskStage = "identify" | "found" | "compare" | "details" | "done";

/**
 * One compared field of an activation.
 */
export type FieldRow = { 
/**
 * `document`, `english_name`, `chinese_name`, `date_of_birth`, `sex`.
 */
field: string, 
/**
 * As read (the document masked).
 */
read: string, 
/**
 * As applied (the document masked).
 */
applied: string, 
/**
 * `same`, `different` or `missing`.
 */
result: string, };

/**
 * What the clerk fills in: the same shape for an activation and a
 * walk-in (an activation uses the contact part and the declaration).
 */
export type TaskForm = { 
/**
 * `capable`, or `incapable:<ground>`.
 */
capacity: string, 
/**
 * `self`, `sdm` or `authorised_person`.
 */
applicant_role: string, 
/**
 * The SDM's relationship code (reference data).
 */
relationship: string, 
/**
 * `sms`, `email` or `post`.
 */
channel: string, 
/**
 * The person's language for notices and the slip: `en` or `zh`.
 */
language: string, 
/**
 * The mobile number, email address or postal address.
 */
address: string, 
/**
 * Private providers to give sharing consent to (ids).
 */
consents: Array<string>, 
/**
 * The clerk confirmed that no SDM of a higher tier exists.
 */
no_higher_tier_declared: boolean, 
/**
 * The person (or SDM) made the declaration.
 */
declaration: boolean, 
/**
 * The slip's language: `en`, `zh` or `both`.
 */
slip_language: string, };

/**
 * What the clerk keys for a newborn's registration.
 */
export type NewbornForm = { 
/**
 * The birth hospital's site code (this counter's site by default).
 */
hospital_code: string, 
/**
 * The hospital document's serial number.
 */
serial: string, 
/**
 * The baby's day of birth (`DD/MM/YYYY` or `YYYY-MM-DD`).
 */
date_of_birth: string, 
/**
 * The time of birth (`HH:MM`, 24-hour).
 */
time_of_birth: string, 
/**
 * `male`, `female`, or empty until chosen.
 */
sex: string, 
/**
 * The baby's English surname, if chosen (else "Baby of" the parent).
 */
surname: string, 
/**
 * The baby's English given names, if chosen.
 */
given_names: string, 
/**
 * The baby's Chinese name, if chosen.
 */
chinese_name: string, 
/**
 * The parent's relationship code (`parent`).
 */
relationship: string, 
/**
 * `sms`, `email` or `post`.
 */
channel: string, 
/**
 * The parent's language for notices and the slip: `en` or `zh`.
 */
language: string, 
/**
 * The mobile number, email address or postal address.
 */
address: string, 
/**
 * The parent made the declaration.
 */
declaration: boolean, 
/**
 * The slip's language: `en`, `zh` or `both`.
 */
slip_language: string, };

/**
 * What the clerk keys to complete a newborn's record.
 */
export type CompletionForm = { 
/**
 * The birth certificate number (check digit verified).
 */
birth_certificate_number: string, 
/**
 * The surname as on the certificate.
 */
surname: string, 
/**
 * The given names as on the certificate.
 */
given_names: string, 
/**
 * The Chinese name as on the certificate.
 */
chinese_name: string, 
/**
 * The slip's language: `en`, `zh` or `both` (empty: both).
 */
slip_language: string, };

/**
 * What the clerk changes of a record's sharing consent: private
 * providers to give consent to and to revoke it from (ids from the
 * register; public providers hold it automatically and are not here).
 */
export type ConsentForm = { 
/**
 * Providers to give sharing consent to.
 */
give: Array<string>, 
/**
 * Providers to revoke sharing consent from.
 */
revoke: Array<string>, 
/**
 * The person (or their SDM) confirmed the change.
 */
declaration: boolean, 
/**
 * The slip's language: `en`, `zh` or `both` (empty: both).
 */
slip_language: string, };

/**
 * What the clerk keys to correct a record's particulars: the record's
 * own document as now presented (corrected), whose image is the proof.
 */
export type ParticularsForm = { 
/**
 * The document type code (the record's own document).
 */
document_type: string, 
/**
 * The document number (the record's own).
 */
document_number: string, 
/**
 * The English surname as corrected.
 */
surname: string, 
/**
 * The English given names as corrected.
 */
given_names: string, 
/**
 * The Chinese name as corrected (may be empty).
 */
chinese_name: string, 
/**
 * The date of birth as corrected (`DD/MM/YYYY` or `YYYY-MM-DD`).
 */
date_of_birth: string, 
/**
 * `male`, `female`, or empty (unchanged).
 */
sex: string, 
/**
 * The person (or their SDM) confirmed the change.
 */
declaration: boolean, 
/**
 * The slip's language: `en`, `zh` or `both` (empty: both).
 */
slip_language: string, };

/**
 * What the clerk changes of a record's contact: new contact details
 * and channel, a new access key, or both.
 */
export type ContactChangeForm = { 
/**
 * Change the contact details and channel to those below.
 */
change_contact: boolean, 
/**
 * `sms`, `email` or `post`.
 */
channel: string, 
/**
 * The person's language for notices: `en` or `zh`.
 */
language: string, 
/**
 * The mobile number, email address or postal address.
 */
address: string, 
/**
 * Send a new access key (by the new channel when it changes; the old
 * key stops working).
 */
resend_key: boolean, 
/**
 * The slip's language: `en`, `zh` or `both` (empty: both).
 */
slip_language: string, };

/**
 * What a child who turned 16 confirms taking their record over: their
 * own contact, the private providers they consent to, their declaration.
 */
export type TakeOverForm = { 
/**
 * `sms`, `email` or `post`.
 */
channel: string, 
/**
 * The person's language for notices: `en` or `zh`.
 */
language: string, 
/**
 * The mobile number, email address or postal address.
 */
address: string, 
/**
 * The private providers the person consents to share with from now
 * on (prefilled with those the SDM gave; any left out are revoked).
 */
consents: Array<string>, 
/**
 * The person made the declaration (joining and sharing consent).
 */
declaration: boolean, 
/**
 * The slip's language: `en`, `zh` or `both` (empty: both).
 */
slip_language: string, };

/**
 * A person as keyed from a paper form.
 */
export type PaperPerson = { 
/**
 * The document type code.
 */
document_type: string, 
/**
 * The document number.
 */
document_number: string, 
/**
 * The English surname.
 */
surname: string, 
/**
 * The English given names.
 */
given_names: string, 
/**
 * The Chinese name (may be empty).
 */
chinese_name: string, 
/**
 * The date of birth (`DD/MM/YYYY` or `YYYY-MM-DD`).
 */
date_of_birth: string, 
/**
 * `male`, `female`, or empty.
 */
sex: string, };

/**
 * What the clerk keys from a paper form (RE(C)01) the first time.
 */
export type PaperFormFields = { 
/**
 * How it arrived: `paper_post`, `paper_fax` or `paper_drop_in`.
 */
origin: string, 
/**
 * The day it was received (`DD/MM/YYYY` or `YYYY-MM-DD`).
 */
received_on: string, 
/**
 * The patient.
 */
patient: PaperPerson, 
/**
 * `capable`, or `incapable:<ground>`.
 */
capacity: string, 
/**
 * `self`, `sdm` or `authorised_person`.
 */
applicant_role: string, 
/**
 * The SDM's relationship code.
 */
relationship: string, 
/**
 * The SDM or authorised person (unused for `self`).
 */
applicant: PaperPerson, 
/**
 * `sms`, `email` or `post`.
 */
channel: string, 
/**
 * The person's language for notices: `en` or `zh`.
 */
language: string, 
/**
 * The mobile number, email address or postal address.
 */
address: string, 
/**
 * Private providers to give sharing consent to (ids).
 */
consents: Array<string>, };

/**
 * The identifying fields keyed a second time, blind.
 */
export type PaperIdentity = { 
/**
 * The patient's document type code.
 */
document_type: string, 
/**
 * The patient's document number.
 */
document_number: string, 
/**
 * The patient's English surname.
 */
surname: string, 
/**
 * The patient's English given names.
 */
given_names: string, 
/**
 * The patient's Chinese name.
 */
chinese_name: string, 
/**
 * The patient's date of birth.
 */
date_of_birth: string, 
/**
 * The SDM's or authorised person's document type code.
 */
applicant_document_type: string, 
/**
 * The SDM's or authorised person's document number.
 */
applicant_document_number: string, };

/**
 * An identifying field the two keyings disagree on, side by side.
 */
export type PaperDifference = { 
/**
 * The field (`document_number`, `surname`, ..., as in
 * [`PaperIdentity`]).
 */
field: string, 
/**
 * As keyed the first time.
 */
first: string, 
/**
 * As keyed the second time.
 */
second: string, 
/**
 * The clerk's decision: `first`, `second`, or empty until made.
 */
chosen: string, };

/**
 * A paper form in hand: a Registration Office work item.
 */
export type PaperView = { 
/**
 * The work item's id.
 */
work_item_id: string, 
/**
 * `first_keying`, `second_keying` or `reconcile`.
 */
stage: string, 
/**
 * The first keying; `None` while the second keying is done (blind).
 */
first: PaperFormFields | null, 
/**
 * The second keying as typed (second keying and after).
 */
second: PaperIdentity | null, 
/**
 * Reconcile: the fields the two keyings disagree on.
 */
differences: Array<PaperDifference>, 
/**
 * Who keyed it first (staff code).
 */
first_keyed_by: string, 
/**
 * The clerk now at the counter keyed it first: they key it again
 * without seeing their first keying.
 */
same_clerk: boolean, 
/**
 * The form's image: held here, or uploaded from another counter.
 */
form_image: string | null, };

/**
 * A Registration Office work item in the list of open ones.
 */
export type WorkItemRow = { 
/**
 * Its id.
 */
id: string, 
/**
 * `first_keying`, `second_keying` or `reconcile`.
 */
stage: string, 
/**
 * How the form arrived.
 */
origin: string, 
/**
 * The day it was received (`DD/MM/YYYY`).
 */
received_on: string, 
/**
 * The patient's document, masked.
 */
document_masked: string, 
/**
 * Who saved it first.
 */
created_by: string, 
/**
 * Who saved it last.
 */
updated_by: string, };

/**
 * What the clerk confirms for a withdrawal.
 */
export type WithdrawalForm = { 
/**
 * The person (or their SDM) confirmed, after being told what
 * withdrawal means, that they withdraw.
 */
confirmed: boolean, 
/**
 * The slip's language: `en`, `zh` or `both` (empty: both).
 */
slip_language: string, };

/**
 * What the UI sends the task.
 */
export type TaskEvent = { "type": "lookup", 
/**
 * The query.
 */
query: LookupQuery, } | { "type": "choose", 
/**
 * Its reference.
 */
reference: string, } | { "type": "walk_in" } | { "type": "patient_manual", 
/**
 * As keyed.
 */
entry: ManualIdentityRequest, } | { "type": "attendee_from_card" } | { "type": "attendee_manual", 
/**
 * As keyed.
 */
entry: ManualIdentityRequest, } | { "type": "edit", 
/**
 * The form.
 */
form: TaskForm, } | { "type": "attach", 
/**
 * What it shows.
 */
kind: CaptureKind, 
/**
 * The held capture's id.
 */
image_id: string, } | { "type": "newborn" } | { "type": "complete", 
/**
 * The record's eHR number.
 */
ehr_number: string, } | { "type": "consent", 
/**
 * The record's eHR number.
 */
ehr_number: string, } | { "type": "withdraw", 
/**
 * The record's eHR number.
 */
ehr_number: string, } | { "type": "change_particulars", 
/**
 * The record's eHR number.
 */
ehr_number: string, } | { "type": "change_contact", 
/**
 * The record's eHR number.
 */
ehr_number: string, } | { "type": "take_over", 
/**
 * The record's eHR number.
 */
ehr_number: string, } | { "type": "edit_particulars", 
/**
 * The form.
 */
form: ParticularsForm, } | { "type": "edit_contact", 
/**
 * The form.
 */
form: ContactChangeForm, } | { "type": "edit_take_over", 
/**
 * The form.
 */
form: TakeOverForm, } | { "type": "paper_form" } | { "type": "resume_work_item", 
/**
 * Its id.
 */
id: string, } | { "type": "edit_paper", 
/**
 * The form (boxed: the largest event by far).
 */
form: PaperFormFields, } | { "type": "edit_paper_second", 
/**
 * The identifying fields.
 */
form: PaperIdentity, } | { "type": "paper_first_done" } | { "type": "paper_second_done" } | { "type": "paper_choose", 
/**
 * The field.
 */
field: string, 
/**
 * `first` or `second`.
 */
take: string, } | { "type": "paper_discard" } | { "type": "edit_consent", 
/**
 * The form.
 */
form: ConsentForm, } | { "type": "edit_withdrawal", 
/**
 * The form.
 */
form: WithdrawalForm, } | { "type": "edit_newborn", 
/**
 * The form.
 */
form: NewbornForm, } | { "type": "edit_completion", 
/**
 * The form.
 */
form: CompletionForm, } | { "type": "next" } | { "type": "back" } | { "type": "submit" };

/**
 * The result of a submitted task.
 */
export type TaskResult = { 
/**
 * The local record's key (the slip's reference).
 */
record_key: string, 
/**
 * The slip.
 */
slip: SlipView, };

/**
 * The task as the screen renders it.
 */
export type TaskView = { 
/**
 * The task's id.
 */
task_id: string, 
/**
 * The kind.
 */
kind: TaskKind, 
/**
 * The stage.
 */
stage: TaskStage, 
/**
 * The patient as read or keyed.
 */
patient: IdentityView | null, 
/**
 * The attending SDM or authorised person, as read or keyed.
 */
attendee: IdentityView | null, 
/**
 * The attending person must be read (an SDM's or authorised person's
 * application) and is not yet. Activations only: in a walk-in the
 * identity read first may be either person's, and the clerk says which
 * (the form's `parts` name `attendee`).
 */
attendee_needed: boolean, 
/**
 * The patient's own document must be keyed from the copy.
 */
patient_needed: boolean, 
/**
 * The last look-up.
 */
lookup: LookupView | null, 
/**
 * The chosen application.
 */
application: ApplicationRow | null, 
/**
 * Codes the service flagged on the chosen application (for example
 * `eligibility.sdm_type_not_online`), with their words.
 */
application_flags: Array<FieldIssue>, 
/**
 * The identity and the application, field by field.
 */
comparison: Array<FieldRow>, 
/**
 * The form.
 */
form: TaskForm, 
/**
 * The held capture of the patient's document copy.
 */
patient_copy_image: string | null, 
/**
 * The held capture of the SDM's supporting document.
 */
supporting_image: string | null, 
/**
 * A newborn's registration: the form.
 */
newborn: NewbornForm | null, 
/**
 * The name the baby is registered under when none is chosen
 * ("Baby of" the parent), English then Chinese.
 */
newborn_default_name: [string, string | null] | null, 
/**
 * A completion: the form.
 */
completion: CompletionForm | null, 
/**
 * A completion, a consent change or a withdrawal: the record.
 */
record: RecordRow | null, 
/**
 * A consent change: the form.
 */
consent: ConsentForm | null, 
/**
 * A withdrawal: the form.
 */
withdrawal: WithdrawalForm | null, 
/**
 * A correction of particulars: the form (the proof's capture is
 * `patient_copy_image`).
 */
particulars: ParticularsForm | null, 
/**
 * A contact change: the form.
 */
contact_change: ContactChangeForm | null, 
/**
 * The record's contact as the service holds it (masked): channel and
 * masked address.
 */
record_contact: [string, string] | null, 
/**
 * A take-over: the form.
 */
take_over: TakeOverForm | null, 
/**
 * A paper form: where its keying stands.
 */
paper: PaperView | null, 
/**
 * The held capture of the birth hospital's certifying document.
 */
hospital_image: string | null, 
/**
 * The held capture of the birth certificate.
 */
certificate_image: string | null, 
/**
 * What this counter's site offers, by the shared rules: any of
 * `walk_in`, `newborn`, `completion`, `consent`, `withdrawal`,
 * `particulars`, `contact`, `take_over`, `paper`.
 */
offers: Array<string>, 
/**
 * What is still needed, in words (the shared rules' decision).
 */
needs: Array<FieldIssue>, 
/**
 * Fields refused, in words, by field.
 */
errors: Array<FieldIssue>, 
/**
 * Which parts of the form apply (the eligibility decision): `applicant`,
 * `relationship`, `no_higher_tier`, `supporting_document`,
 * `patient_copy`, `consents`.
 */
parts: Array<string>, 
/**
 * Differences (or a pre-1980 number) need a supervisor's sign-off.
 */
sign_off_needed: boolean, 
/**
 * A supervisor signed off at this counter.
 */
signed_off: boolean, 
/**
 * The service cannot be reached: the task works from the cache and
 * the change will be queued.
 */
offline: boolean, 
/**
 * The local record's key (what a sign-off is bound to).
 */
record_key: string, 
/**
 * Once submitted.
 */
result: TaskResult | null, };

/**
 * A task kept from before (a crash or a sign-out), offered back to the
 * same clerk.
 */
export type DraftOffer = { 
/**
 * The task's id.
 */
task_id: string, 
/**
 * Its kind.
 */
kind: TaskKind, 
/**
 * When it was last changed (Unix ms).
 */
updated_at_ms: number, };

/**
 * A supervisor's sign-off asked for the task in hand.
 */
export type TaskSignOffRequest = { 
/**
 * The supervisor's own staff code.
 */
staff_code: string, 
/**
 * The supervisor's password (never kept).
 */
password: string, 
/**
 * Why, in a few words (no personal data).
 */
reason: string, };

/**
 * One choice of a list in the form (a relationship, a provider).
 */
export type Choice = { 
/**
 * Its code or id.
 */
code: string, 
/**
 * Its name in English.
 */
name_en: string, 
/**
 * Its name in Traditional Chinese.
 */
name_zh: string, };

/**
 * The lists the task's form picks from (this counter's copy of the
 * reference data).
 */
export type TaskChoices = { 
/**
 * SDM relationships.
 */
relationships: Array<Choice>, 
/**
 * Private providers a person may give sharing consent to.
 */
private_providers: Array<Choice>, 
/**
 * Public providers, which hold sharing consent automatically.
 */
public_providers: Array<Choice>, 
/**
 * Birth hospitals (site codes), for a newborn's hospital document.
 */
birth_hospitals: Array<Choice>, 
/**
 * This counter's site code (a newborn's hospital by default).
 */
site_code: string | null, };

/**
 * One row of the newborn follow-up list, as the screen and the printed
 * list show it.
 */
export type FollowUpRow = { 
/**
 * The record's eHR number.
 */
ehr_number: string, 
/**
 * The birth hospital's code.
 */
hospital_code: string, 
/**
 * The hospital document's serial.
 */
serial: string, 
/**
 * The day it was registered (`DD/MM/YYYY`).
 */
registered_on: string, 
/**
 * The baby's day of birth (`DD/MM/YYYY`).
 */
date_of_birth: string, 
/**
 * Days since registration.
 */
days_waiting: number, 
/**
 * The baby's English name.
 */
name_en: string, 
/**
 * The baby's Chinese name.
 */
chinese_name: string | null, 
/**
 * The parent's document, masked.
 */
parent_document_masked: string, 
/**
 * `sms`, `email`, `post` (empty: none kept).
 */
contact_channel: string, 
/**
 * The contact, masked.
 */
contact_masked: string, };

/**
 * The newborn follow-up list of this counter's birth hospital (the
 * Registration Office sees every hospital's).
 */
export type FollowUpView = { 
/**
 * Records are listed after this many days.
 */
days: number, 
/**
 * The hospital listed (absent: every hospital).
 */
hospital_code: string | null, 
/**
 * Oldest first.
 */
items: Array<FollowUpRow>, };

/**
 * Applications that expire soon and are not activated (a supervisor's
 * list).
 */
export type ExpiringView = { 
/**
 * Listed when they expire within this many days.
 */
within_days: number, 
/**
 * Soonest expiry first.
 */
items: Array<ApplicationRow>, };

/**
 * A child's SDM-kept record, the child turning 16 soon.
 */
export type TurningRow = { 
/**
 * The record (the child's document and the SDM's masked).
 */
record: RecordRow, 
/**
 * The day the child turns 16 (`DD/MM/YYYY`).
 */
turns_16_on: string, 
/**
 * Days from today until then.
 */
days_left: number, };

/**
 * SDM-kept records of children who turn 16 soon (a supervisor's list).
 */
export type TurningView = { 
/**
 * Listed when the child turns 16 within this many days.
 */
within_days: number, 
/**
 * Soonest birthday first.
 */
items: Array<TurningRow>, };

/** Every stable code of the domain rules (crates/ehr-domain). */
export type DomainCode =
  | "id.empty"
  | "id.characters"
  | "id.format"
  | "id.check_digit_missing"
  | "id.check_digit"
  | "id.unknown_type"
  | "id.pre_1980_override"
  | "name.empty"
  | "name.characters"
  | "name.too_long"
  | "name.surname_missing"
  | "name.separator"
  | "chinese_name.empty"
  | "chinese_name.characters"
  | "chinese_name.too_long"
  | "ccc.empty"
  | "ccc.format"
  | "ccc.unknown"
  | "ccc.too_many"
  | "date.empty"
  | "date.format"
  | "date.out_of_range"
  | "date.dob_after_transaction"
  | "sex.format"
  | "eligibility.sdm_required_under_16"
  | "eligibility.self_lacks_capacity"
  | "eligibility.sdm_needs_incapacity_ground"
  | "eligibility.relationship_not_for_age"
  | "eligibility.sdm_type_not_online"
  | "eligibility.dob_after_transaction"
  | "reason.self_16_plus"
  | "reason.under_16"
  | "reason.incapable_16_plus"
  | "reason.age_uncertain"
  | "reason.tier_top"
  | "reason.tier_d"
  | "reason.tier_e"
  | "reason.parent_of_adult"
  | "reason.fields_differ"
  | "need.supporting_document"
  | "need.no_higher_tier_declaration"
  | "need.patient_document_copy"
  | "need.supervisor.field_mismatch"
  | "need.supervisor.pre_1980_birth_certificate"
  | "lifecycle.illegal_transition"
  | "lifecycle.date_order"
  | "application.expired"
  | "activation.different_document"
  | "registration.needs_birth_certificate"
  | "consent.public_fixed";

/** Every error code, for exhaustive handling in the UI. */
export const ERROR_CODES: readonly ErrorCode[] = [
  "auth.staff_code_required",
  "auth.staff_code_format",
  "auth.password_required",
  "central.not_configured",
  "central.sign_in_unavailable",
  "central.unreachable",
  "central.bad_answer",
  "counter.not_enrolled",
  "storage.data_dir",
  "auth.invalid_credentials",
  "auth.locked",
  "auth.token_missing",
  "auth.token_invalid",
  "auth.forbidden",
  "counter.unknown",
  "counter.enrolment_code_invalid",
  "request.malformed",
  "request.too_large",
  "request.unsupported_media_type",
  "request.query_invalid",
  "request.not_found",
  "request.method_not_allowed",
  "request.validation",
  "application.not_found",
  "record.not_found",
  "batch.size",
  "batch.idempotency_key_reused",
  "batch.sequence_stale",
  "conflict.already_activated",
  "conflict.expired",
  "conflict.withdrawn",
  "conflict.record_withdrawn",
  "conflict.number_clash",
  "conflict.birth_document_registered",
  "conflict.already_registered",
  "conflict.application_not_found",
  "conflict.record_not_found",
  "conflict.not_awaiting_birth_certificate",
  "conflict.consent_state",
  "conflict.image_exists",
  "conflict.document_mismatch",
  "conflict.not_kept_by_sdm",
  "conflict.no_contact",
  "conflict.awaiting_birth_certificate",
  "conflict.work_item_stale",
  "conflict.work_item_closed",
  "document.too_large",
  "document.type_not_allowed",
  "document.encoding",
  "document.image_unknown",
  "field.required",
  "field.format",
  "field.unknown_code",
  "withdrawal.not_confirmed",
  "newborn.born_in_future",
  "newborn.too_old",
  "newborn.pre_1980_number",
  "supervisor.unknown",
  "apply.form_expired",
  "store.key_missing",
  "store.wrong_key",
  "store.newer_schema",
  "store.disk_full",
  "store.unavailable",
  "store.corrupt",
  "queue.not_found",
  "queue.not_attention",
  "queue.supervisor_only",
  "queue.reason_required",
  "auth.sign_in_required",
  "store.in_use",
  "store.opening",
  "outbox.undecodable",
  "outbox.too_large",
  "supervisor.unverified",
  "supervisor.sign_off_expired",
  "supervisor.self_sign_off",
  "batch.envelope_version",
  "batch.transaction_time_future",
  "central.client_setup",
  "central.insecure_url",
  "central.url_invalid",
  "counter.key_permissions",
  "auth.session_expired",
  "auth.offline_unavailable",
  "audit.chain_broken",
  "central.dns",
  "central.tls",
  "central.refused",
  "central.not_a_central_service",
  "counter.enrolment_code_expired",
  "counter.enrolment_code_used",
  "counter.revoked",
  "counter.mode_mismatch",
  "capture.not_an_image",
  "capture.unsupported_format",
  "capture.pdf_not_supported",
  "capture.truncated",
  "capture.too_many_pixels",
  "capture.file_too_large",
  "capture.corrupt",
  "capture.empty_crop",
  "capture.budget",
  "capture.not_found",
  "capture.scan_folder",
  "print.no_printer",
  "print.unknown_queue",
  "print.queue_stopped",
  "print.queue_rejecting",
  "print.job_failed",
  "print.cups_unavailable",
  "slip.font_missing",
  "slip.render_failed",
  "slip.not_found",
  "slip.save_failed",
  "capture.unreadable",
  "task.none",
  "task.not_cached",
  "internal",
] as const;
