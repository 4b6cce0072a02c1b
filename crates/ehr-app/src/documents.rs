//! Documents in and out of the counter (issue #12): images captured for the
//! task in hand, and the slips and notices a person takes home.
//!
//! - **Capture.** An image comes from the scanner's folder, or as bytes the
//!   clerk chose or dropped. It is checked and normalised by `ehr-capture`
//!   (limits before decoding, upright, cropped, A4 at 300 dpi at most, one
//!   JPEG under 500 KB), then held encrypted in the store with its
//!   `document.capture` audit event; only then is a scanner file deleted.
//!   The task's change takes the held images as `upload_document` rows
//!   placed before the operation that names them
//!   ([`ehr_store::Store::commit_change_with_captures`]); a task that ends
//!   without them drops them.
//! - **Slips.** A completed task's slip and an attention notice are PDFs
//!   from `ehr-slip` (the font is loaded once, off the UI thread), previewed
//!   as rendered pages, printed through CUPS (`ehr-print`) or saved as a
//!   file (0600, in a 0700 folder, named by reference and time: never by a
//!   name). Every print and save is audited. A completed task's slip is kept
//!   encrypted for a reprint from today's list, until the retention purge.
//! - **Lists.** The birth hospital's newborn follow-up list (issue #14)
//!   and the supervisors' lists of applications about to expire and of
//!   children turning 16 (issue #15), fetched from the central service,
//!   are A4 landscape PDFs open in the same preview (printed or saved like
//!   a slip, never kept).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use ehr_capture::{CaptureError, Crop, Limits, Options, Rotation, ScanFile, ScanFolder};
use ehr_protocol::audit::AuditAction;
use ehr_protocol::ipc::{
    CaptureAdjust, CaptureKind, CaptureView, CropBox, KeptSlipView, PrintedView, PrinterView,
    SavedView, ScanFileView, ScanFolderView, SlipLanguage, SlipView,
};
use ehr_protocol::task::{ExpiringView, FollowUpView, TurningView};
use ehr_protocol::{ErrorBody, ErrorCode};
use ehr_slip::{
    AccessKeyChannel, ExpiringList, ExpiringListRow, FollowUpList, FollowUpListRow, Fonts, Notice,
    Slip, SlipError, SlipLang, SlipTime, TurningList, TurningListRow,
};
use uuid::Uuid;

use crate::{lock, notify_driver, store_err, App};

/// The resolution of the preview's pages (a slip page fits the dialog).
const PREVIEW_DPI: u32 = 60;
/// How many times a print job is looked at, a quarter of a second apart,
/// before the clerk is told it was sent (10 s).
const PRINT_POLLS: u32 = 40;

/// The documents side of the app: the scanner folder, the previews of held
/// captures, the fonts, and the slips open in a preview.
#[derive(Default)]
pub(crate) struct Desk {
    scan: Mutex<Option<ScanFolder>>,
    /// The files the last poll offered, by name.
    offered: Mutex<Vec<ScanFile>>,
    /// The upright preview of each held capture, by image id (memory only).
    previews: Mutex<HashMap<Uuid, HeldPreview>>,
    fonts: Arc<OnceLock<Result<Arc<Fonts>, SlipError>>>,
    open: Mutex<HashMap<u64, OpenSlip>>,
    next_handle: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("previews", &lock(&self.previews).len())
            .field("open_slips", &lock(&self.open).len())
            .finish_non_exhaustive()
    }
}

/// A held capture's upright preview (JPEG), the adjustments in force and
/// the EXIF orientation applied.
type HeldPreview = (Vec<u8>, CaptureAdjust, u8);

/// A slip open in a preview.
struct OpenSlip {
    reference: String,
    pdf: Vec<u8>,
    /// Its row among the kept slips (a completed task's), if any.
    kept: Option<i64>,
}

/// The IPC error for a stable code of one of the document crates.
fn coded(code: &str) -> ErrorBody {
    let found = ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code);
    ErrorBody::new(found.unwrap_or(ErrorCode::Internal))
}

fn capture_err(e: &CaptureError) -> ErrorBody {
    coded(e.code())
}

fn slip_err(e: &SlipError) -> ErrorBody {
    match e {
        SlipError::FontMissing | SlipError::FontFaceMissing | SlipError::FontParse => {
            ErrorBody::new(ErrorCode::SlipFontMissing)
        }
        _ => ErrorBody::new(ErrorCode::SlipRenderFailed),
    }
}

fn print_err(e: &ehr_print::PrintError) -> ErrorBody {
    coded(e.clerk_code())
}

/// A held capture's id as the UI sends it back.
fn image_id(id: &str) -> Result<Uuid, ErrorBody> {
    Uuid::parse_str(id).map_err(|_| ErrorBody::new(ErrorCode::CaptureNotFound))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The clerk's crop (fractions of the upright page, before the turns) in
/// the frame `ehr-capture` takes it in: the page after `turns` clockwise
/// quarter turns.
fn turned_crop(c: CropBox, turns: u8) -> Crop {
    let (x, y, w, h) = (
        f64::from(c.x),
        f64::from(c.y),
        f64::from(c.w),
        f64::from(c.h),
    );
    let (x, y, w, h) = match turns % 4 {
        1 => (1.0 - (y + h), x, h, w),
        2 => (1.0 - (x + w), 1.0 - (y + h), w, h),
        3 => (y, 1.0 - (x + w), h, w),
        _ => (x, y, w, h),
    };
    Crop { x, y, w, h }
}

fn options(adjust: &CaptureAdjust) -> Options {
    let turns = adjust.quarter_turns % 4;
    Options {
        rotate: Rotation::from_degrees(i32::from(turns) * 90).unwrap_or_default(),
        crop: adjust.crop.map(|c| turned_crop(c, turns)),
        auto_trim: adjust.auto_trim,
        grayscale: adjust.grayscale,
        ..Options::default()
    }
}

/// What a new capture starts with: the whole page, the border trimmed.
pub const DEFAULT_ADJUST: CaptureAdjust = CaptureAdjust {
    quarter_turns: 0,
    crop: None,
    auto_trim: true,
    grayscale: false,
};

/// The start of the Hong Kong day holding `now_ms` (UTC+8, no summer time).
fn start_of_hk_day(now_ms: i64) -> i64 {
    const DAY: i64 = 86_400_000;
    const HK: i64 = 8 * 3_600_000;
    (now_ms + HK).div_euclid(DAY) * DAY - HK
}

fn slip_lang(l: SlipLanguage) -> SlipLang {
    match l {
        SlipLanguage::En => SlipLang::En,
        SlipLanguage::Zh => SlipLang::Zh,
        SlipLanguage::Both => SlipLang::Both,
    }
}

/// The reference of the follow-up list's preview (its audit subject when
/// printed or saved, and its saved file's name).
pub const FOLLOW_UP_REFERENCE: &str = "FOLLOW-UP";

/// The printed newborn follow-up list of `view`, made at `time` at the site
/// `(code, name_en, name_zh)`, in `lang`. Pure: the app adds the time and
/// the site. A contact channel the slip does not know prints as "no contact
/// kept".
pub(crate) fn follow_up_list(
    view: &FollowUpView,
    site: (String, String, String),
    time: SlipTime,
    lang: SlipLang,
) -> FollowUpList {
    let (site_code, site_name_en, site_name_zh) = site;
    FollowUpList {
        time,
        site_code,
        site_name_en,
        site_name_zh,
        days: view.days,
        hospital_code: view.hospital_code.clone(),
        rows: view
            .items
            .iter()
            .map(|r| FollowUpListRow {
                hospital_code: r.hospital_code.clone(),
                serial: r.serial.clone(),
                registered_on: r.registered_on.clone(),
                date_of_birth: r.date_of_birth.clone(),
                days_waiting: r.days_waiting,
                name_en: r.name_en.clone(),
                chinese_name: r.chinese_name.clone().filter(|z| !z.trim().is_empty()),
                parent_document_masked: r.parent_document_masked.clone(),
                contact_channel: AccessKeyChannel::from_code(&r.contact_channel)
                    .unwrap_or(AccessKeyChannel::None),
                contact_masked: r.contact_masked.clone(),
            })
            .collect(),
        lang,
    }
}

/// The reference of the expiring applications' preview.
pub const EXPIRING_REFERENCE: &str = "EXPIRING";

/// The reference of the turning-16 list's preview.
pub const TURNING_16_REFERENCE: &str = "TURNING-16";

/// A name in Chinese, or none when it is blank.
fn some_name(zh: &Option<String>) -> Option<String> {
    zh.clone().filter(|z| !z.trim().is_empty())
}

/// The printed list of applications about to expire of `view`, made at
/// `time` at the site `(code, name_en, name_zh)`, in `lang`. Pure. The
/// days left are counted from `time`'s day to the day each expires (an
/// expiry the list cannot read, or one already past, counts 0).
pub(crate) fn expiring_list(
    view: &ExpiringView,
    site: (String, String, String),
    time: SlipTime,
    lang: SlipLang,
) -> ExpiringList {
    let (site_code, site_name_en, site_name_zh) = site;
    let today = time.date();
    ExpiringList {
        time,
        site_code,
        site_name_en,
        site_name_zh,
        within_days: view.within_days,
        rows: view
            .items
            .iter()
            .map(|a| ExpiringListRow {
                expires_on: a.expires_on.clone(),
                days_left: ehr_domain::Date::parse(&a.expires_on)
                    .map(|d| u32::try_from(today.days_until(d).max(0)).unwrap_or(u32::MAX))
                    .unwrap_or(0),
                reference: a.reference.clone(),
                origin: a.origin.clone(),
                applicant_role: a.applicant_role.clone(),
                name_en: a.name_en.clone(),
                chinese_name: some_name(&a.chinese_name),
                date_of_birth: a.date_of_birth.clone(),
                document_masked: a.document_masked.clone(),
            })
            .collect(),
        lang,
    }
}

/// The printed list of children turning 16 of `view`, made at `time` at
/// the site `(code, name_en, name_zh)`, in `lang`. Pure.
pub(crate) fn turning_list(
    view: &TurningView,
    site: (String, String, String),
    time: SlipTime,
    lang: SlipLang,
) -> TurningList {
    let (site_code, site_name_en, site_name_zh) = site;
    TurningList {
        time,
        site_code,
        site_name_en,
        site_name_zh,
        within_days: view.within_days,
        rows: view
            .items
            .iter()
            .map(|t| TurningListRow {
                turns_16_on: t.turns_16_on.clone(),
                days_left: t.days_left,
                ehr_number: t.record.ehr_number.clone(),
                name_en: t.record.name_en.clone(),
                chinese_name: some_name(&t.record.chinese_name),
                date_of_birth: t.record.date_of_birth.clone(),
                document_masked: t.record.document_masked.clone(),
                sdm_document_masked: t.record.sdm_document_masked.clone(),
                sdm_relationship_en: t
                    .record
                    .sdm_relationship
                    .as_ref()
                    .map(|r| r.0.clone())
                    .unwrap_or_default(),
                sdm_relationship_zh: t
                    .record
                    .sdm_relationship
                    .as_ref()
                    .map(|r| r.1.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        lang,
    }
}

/// A completed task's slip, as a workflow asks for it: what the slip says
/// of the task and the person. The app adds the time, the site and the
/// staff code.
#[derive(Clone)]
pub struct TaskSlip {
    /// The completed task.
    pub task: ehr_slip::SlipTask,
    /// The task's reference (upper-case letters, digits, hyphens).
    pub reference: String,
    /// The person's identity document (printed masked).
    pub document: Option<ehr_domain::DocumentNumber>,
    /// The person's name in English.
    pub name_en: String,
    /// The person's name in Chinese, if any.
    pub name_zh: Option<String>,
    /// How the access key is sent.
    pub channel: ehr_slip::AccessKeyChannel,
    /// A consent change: the providers given or revoked sharing consent
    /// (empty for other tasks).
    pub providers: Vec<ehr_slip::SlipProvider>,
    /// The person's language for the slip.
    pub language: SlipLanguage,
}

impl std::fmt::Debug for TaskSlip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskSlip")
            .field("task", &self.task)
            .field("reference", &self.reference)
            .field("providers", &self.providers.len())
            .finish_non_exhaustive()
    }
}

impl App {
    fn documents_session(&self) -> Result<crate::central::Session, ErrorBody> {
        if self.is_locked() {
            return Err(ErrorBody::new(ErrorCode::AuthSignInRequired));
        }
        lock(&self.session)
            .clone()
            .ok_or_else(|| ErrorBody::new(ErrorCode::AuthSignInRequired))
    }

    /// Load the slip font now (off the UI thread, at start-up), so the first
    /// slip does not wait for it.
    pub fn warm_documents(&self) {
        let _ = self.fonts();
    }

    /// [`App::warm_documents`] on a thread of its own.
    pub fn warm_documents_in_background(&self) {
        let fonts = self.documents.fonts.clone();
        let _ = std::thread::Builder::new()
            .name("slip-fonts".into())
            .spawn(move || {
                let _ = fonts.get_or_init(|| Fonts::load_system().map(Arc::new));
            });
    }

    fn fonts(&self) -> Result<Arc<Fonts>, ErrorBody> {
        self.documents
            .fonts
            .get_or_init(|| Fonts::load_system().map(Arc::new))
            .clone()
            .map_err(|e| slip_err(&e))
    }

    /// The scanner's folder: the complete files waiting in it.
    pub fn scan_folder(&self) -> Result<ScanFolderView, ErrorBody> {
        self.documents_session()?;
        let Some(dir) = self.config.scan_folder.clone() else {
            return Ok(ScanFolderView {
                configured: false,
                files: Vec::new(),
                problem: None,
            });
        };
        let mut scan = lock(&self.documents.scan);
        let folder = scan.get_or_insert_with(|| ScanFolder::new(dir, &Limits::default()));
        match folder.poll() {
            Ok(files) => {
                let mut offered = lock(&self.documents.offered);
                offered.retain(|f| f.path.exists());
                for f in files {
                    offered.retain(|o| o.path != f.path);
                    offered.push(f);
                }
                let mut views: Vec<ScanFileView> = offered
                    .iter()
                    .filter_map(|f| {
                        Some(ScanFileView {
                            name: f.path.file_name()?.to_str()?.to_owned(),
                            bytes: f.bytes_len,
                        })
                    })
                    .collect();
                views.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(ScanFolderView {
                    configured: true,
                    files: views,
                    problem: None,
                })
            }
            Err(_) => Ok(ScanFolderView {
                configured: true,
                files: Vec::new(),
                problem: Some(ErrorBody::new(ErrorCode::CaptureScanFolder)),
            }),
        }
    }

    /// Capture the scanner folder's file `name` as `kind`: checked and
    /// normalised, held encrypted (audited), then the file is deleted. A
    /// refused file stays where it is.
    pub fn capture_scan(&self, name: &str, kind: CaptureKind) -> Result<CaptureView, ErrorBody> {
        self.documents_session()?;
        let file = lock(&self.documents.offered)
            .iter()
            .find(|f| f.path.file_name().and_then(|n| n.to_str()) == Some(name))
            .cloned()
            .ok_or_else(|| ErrorBody::new(ErrorCode::CaptureNotFound))?;
        let bytes = {
            let scan = lock(&self.documents.scan);
            let folder = scan
                .as_ref()
                .ok_or_else(|| ErrorBody::new(ErrorCode::CaptureScanFolder))?;
            folder.read(&file).map_err(|e| capture_err(&e))?
        };
        let view = self.capture(&bytes, kind, "scanner")?;
        let removed = lock(&self.documents.scan).as_mut().map(|f| f.remove(&file));
        lock(&self.documents.offered).retain(|o| o.path != file.path);
        if !matches!(removed, Some(Ok(()))) {
            // The plain file would stay beside the held copy: not kept.
            let _ = self.capture_remove(&view.image_id);
            return Err(ErrorBody::new(ErrorCode::CaptureScanFolder));
        }
        Ok(view)
    }

    /// Capture bytes the clerk chose or dropped, as `kind` (its wire name,
    /// `patient_document_copy`, …).
    pub fn capture_bytes(&self, bytes: &[u8], kind: &str) -> Result<CaptureView, ErrorBody> {
        self.documents_session()?;
        let kind: CaptureKind = serde_json::from_value(serde_json::Value::String(kind.to_owned()))
            .map_err(|_| ErrorBody::new(ErrorCode::Internal).on_field("kind"))?;
        self.capture(bytes, kind, "file")
    }

    fn capture(
        &self,
        bytes: &[u8],
        kind: CaptureKind,
        source: &str,
    ) -> Result<CaptureView, ErrorBody> {
        let session = self.documents_session()?;
        let limits = Limits::default();
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(capture_err(&CaptureError::FileTooLarge {
                max_bytes: limits.max_file_bytes,
            }));
        }
        // Checked and normalised before anything is kept.
        let preview = ehr_capture::preview(bytes, &limits).map_err(|e| capture_err(&e))?;
        let adjust = DEFAULT_ADJUST;
        let out = ehr_capture::normalise(bytes, &options(&adjust), &limits)
            .map_err(|e| capture_err(&e))?;
        let store = self.store()?;
        let (id, queued) = {
            let mut s = lock(&store);
            let (id, queued) = s
                .hold_capture(
                    kind.wire(),
                    source,
                    bytes,
                    &ehr_store::NewAudit {
                        counter_id: session.counter_id.as_deref(),
                        staff_code: &session.staff.staff_code,
                        action: AuditAction::DocumentCapture.as_str(),
                        subject: None,
                        detail: None,
                    },
                    self.clock.now_ms(),
                )
                .map_err(store_err)?;
            s.set_capture_result(id, &out.jpeg, &out.thumbnail, (out.width, out.height))
                .map_err(store_err)?;
            (id, queued)
        };
        notify_driver(&self.outbox, queued);
        lock(&self.documents.previews).insert(id, (preview.jpeg, adjust, out.orientation));
        self.capture_view(id, true)
    }

    fn capture_view(&self, id: Uuid, with_preview: bool) -> Result<CaptureView, ErrorBody> {
        let store = self.store()?;
        let held = lock(&store).held_capture(id).map_err(|e| match e {
            ehr_store::StoreError::NotFound => ErrorBody::new(ErrorCode::CaptureNotFound),
            e => store_err(e),
        })?;
        let mut previews = lock(&self.documents.previews);
        if with_preview && !previews.contains_key(&id) {
            // Opened again after a restart: the preview is made anew.
            let p = ehr_capture::preview(&held.original, &Limits::default())
                .map_err(|e| capture_err(&e))?;
            previews.insert(id, (p.jpeg, DEFAULT_ADJUST, p.orientation));
        }
        let (preview, adjust, orientation) = previews
            .get(&id)
            .map(|(p, a, o)| (Some(p.clone()), *a, *o))
            .unwrap_or((None, DEFAULT_ADJUST, 1));
        let (width, height) = held.info.size.unwrap_or((0, 0));
        Ok(CaptureView {
            image_id: id.to_string(),
            kind: CaptureKind::from_wire(held.info.kind),
            preview_base64: if with_preview {
                preview.as_deref().map(b64)
            } else {
                None
            },
            thumbnail_base64: held.info.thumbnail.as_deref().map(b64),
            width,
            height,
            bytes: held.info.bytes.unwrap_or(0),
            orientation,
            adjust,
        })
    }

    /// Normalise a held capture again with the clerk's adjustments.
    pub fn capture_adjust(
        &self,
        id: &str,
        adjust: &CaptureAdjust,
    ) -> Result<CaptureView, ErrorBody> {
        self.documents_session()?;
        let id = image_id(id)?;
        let store = self.store()?;
        let held = lock(&store).held_capture(id).map_err(|e| match e {
            ehr_store::StoreError::NotFound => ErrorBody::new(ErrorCode::CaptureNotFound),
            e => store_err(e),
        })?;
        let out = ehr_capture::normalise(&held.original, &options(adjust), &Limits::default())
            .map_err(|e| capture_err(&e))?;
        lock(&store)
            .set_capture_result(id, &out.jpeg, &out.thumbnail, (out.width, out.height))
            .map_err(store_err)?;
        if let Some(entry) = lock(&self.documents.previews).get_mut(&id) {
            entry.1 = *adjust;
        }
        self.capture_view(id, true)
    }

    /// A held capture with its preview, to adjust it again.
    pub fn capture_open(&self, id: &str) -> Result<CaptureView, ErrorBody> {
        self.documents_session()?;
        let id = image_id(id)?;
        self.capture_view(id, true)
    }

    /// Change what a held capture shows.
    pub fn capture_kind(&self, id: &str, kind: CaptureKind) -> Result<CaptureView, ErrorBody> {
        self.documents_session()?;
        let id = image_id(id)?;
        let store = self.store()?;
        lock(&store)
            .set_capture_kind(id, kind.wire())
            .map_err(|e| match e {
                ehr_store::StoreError::NotFound => ErrorBody::new(ErrorCode::CaptureNotFound),
                e => store_err(e),
            })?;
        self.capture_view(id, false)
    }

    /// Remove a held capture.
    pub fn capture_remove(&self, id: &str) -> Result<(), ErrorBody> {
        let id = image_id(id)?;
        let store = self.store()?;
        lock(&store).drop_capture(id).map_err(store_err)?;
        lock(&self.documents.previews).remove(&id);
        Ok(())
    }

    /// The captures held for the task in hand, oldest first.
    pub fn captures(&self) -> Result<Vec<CaptureView>, ErrorBody> {
        self.documents_session()?;
        let store = self.store()?;
        let ids: Vec<Uuid> = lock(&store)
            .held_captures()
            .map_err(store_err)?
            .into_iter()
            .map(|c| c.image_id)
            .collect();
        ids.into_iter()
            .map(|id| self.capture_view(id, false))
            .collect()
    }

    /// The task ended: its held captures and open slips go (nothing of the
    /// person stays). Called by [`App::finish_task`] and at sign-out.
    pub(crate) fn end_documents(&self) {
        if let Some(store) = crate::open_store_of(&self.outbox) {
            let _ = lock(&store).drop_captures();
        }
        lock(&self.documents.previews).clear();
        lock(&self.documents.open).clear();
    }

    fn open_slip(
        &self,
        reference: String,
        pdf: Vec<u8>,
        kept: Option<i64>,
        language: SlipLanguage,
    ) -> Result<SlipView, ErrorBody> {
        let pages = ehr_slip::render_png_pages(&pdf, PREVIEW_DPI).map_err(|e| slip_err(&e))?;
        let handle = self
            .documents
            .next_handle
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let view = SlipView {
            handle,
            reference: reference.clone(),
            pages_png_base64: pages.iter().map(|p| b64(p)).collect(),
            bytes: pdf.len() as u64,
            language,
        };
        lock(&self.documents.open).insert(
            handle,
            OpenSlip {
                reference,
                pdf,
                kept,
            },
        );
        Ok(view)
    }

    fn site(&self) -> (String, String, String) {
        self.enrolment()
            .site
            .map(|s| (s.code, s.name_en, s.name_zh))
            .unwrap_or_default()
    }

    /// The attention notice of the change `id` as a PDF, in `language`,
    /// open in a preview.
    pub fn notice_slip(&self, id: i64, language: SlipLanguage) -> Result<SlipView, ErrorBody> {
        self.documents_session()?;
        let item = self
            .attention_list()?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| ErrorBody::new(ErrorCode::QueueNotAttention))?;
        let (site_code, site_name_en, site_name_zh) = self.site();
        let notice = Notice {
            time: SlipTime::from_unix_ms(item.saved_at_ms).map_err(|e| slip_err(&e))?,
            summary: item.summary,
            reference: None,
            site_code,
            site_name_en,
            site_name_zh,
            reason_en: item.reason_en,
            reason_zh: item.reason_zh,
            lang: slip_lang(language),
        };
        let fonts = self.fonts()?;
        let pdf = ehr_slip::render_notice(&notice, &fonts).map_err(|e| slip_err(&e))?;
        self.open_slip(format!("NOTICE-{id}"), pdf, None, language)
    }

    /// The birth hospital's newborn follow-up list
    /// ([`App::newborn_follow_up`]) as a PDF in `language`, open in a
    /// preview to print or save (reference [`FOLLOW_UP_REFERENCE`]; not
    /// kept). Needs a signed-in clerk and the central service.
    pub fn follow_up_slip(&self, language: SlipLanguage) -> Result<SlipView, ErrorBody> {
        self.documents_session()?;
        let view = self.newborn_follow_up()?;
        self.open_list(FOLLOW_UP_REFERENCE, language, |site, time, lang, fonts| {
            ehr_slip::render_follow_up_list(&follow_up_list(&view, site, time, lang), fonts)
        })
    }

    /// The supervisors' list of applications about to expire
    /// ([`App::follow_up_expiring`]) as a PDF in `language`, open in a
    /// preview to print or save (reference [`EXPIRING_REFERENCE`]; not
    /// kept). Needs a signed-in supervisor and the central service.
    pub fn follow_up_expiring_slip(&self, language: SlipLanguage) -> Result<SlipView, ErrorBody> {
        self.documents_session()?;
        let view = self.follow_up_expiring()?;
        self.open_list(EXPIRING_REFERENCE, language, |site, time, lang, fonts| {
            ehr_slip::render_expiring_list(&expiring_list(&view, site, time, lang), fonts)
        })
    }

    /// The supervisors' list of children turning 16
    /// ([`App::follow_up_turning_16`]) as a PDF in `language`, open in a
    /// preview to print or save (reference [`TURNING_16_REFERENCE`]; not
    /// kept). Needs a signed-in supervisor and the central service.
    pub fn follow_up_turning_16_slip(&self, language: SlipLanguage) -> Result<SlipView, ErrorBody> {
        self.documents_session()?;
        let view = self.follow_up_turning_16()?;
        self.open_list(TURNING_16_REFERENCE, language, |site, time, lang, fonts| {
            ehr_slip::render_turning_list(&turning_list(&view, site, time, lang), fonts)
        })
    }

    /// A list rendered by `render` (at this site, now, in `language`) open
    /// in a preview under `reference`.
    fn open_list(
        &self,
        reference: &str,
        language: SlipLanguage,
        render: impl FnOnce(
            (String, String, String),
            SlipTime,
            ehr_slip::SlipLang,
            &ehr_slip::Fonts,
        ) -> Result<Vec<u8>, ehr_slip::SlipError>,
    ) -> Result<SlipView, ErrorBody> {
        let time = self.list_time()?;
        let fonts = self.fonts()?;
        let pdf =
            render(self.site(), time, slip_lang(language), &fonts).map_err(|e| slip_err(&e))?;
        self.open_slip(reference.to_owned(), pdf, None, language)
    }

    /// When a list is made: now, Hong Kong time.
    fn list_time(&self) -> Result<SlipTime, ErrorBody> {
        let now = self.clock.now_ms();
        SlipTime::from_unix_ms(now.max(0) as u64).map_err(|e| slip_err(&e))
    }

    /// A completed task's slip: rendered with the time, site and staff code,
    /// kept encrypted for a reprint, and open in a preview. The workflows
    /// call this when a task completes.
    pub fn complete_task_slip(&self, task: &TaskSlip) -> Result<SlipView, ErrorBody> {
        let session = self.documents_session()?;
        let now = self.clock.now_ms();
        let (site_code, site_name_en, site_name_zh) = self.site();
        let slip = Slip {
            task: task.task,
            time: SlipTime::from_unix_ms(now.max(0) as u64).map_err(|e| slip_err(&e))?,
            site_code,
            site_name_en,
            site_name_zh,
            staff_code: session.staff.staff_code.clone(),
            reference: task.reference.clone(),
            document: task.document.clone(),
            name_en: task.name_en.clone(),
            name_zh: task.name_zh.clone(),
            channel: task.channel,
            providers: task.providers.clone(),
            lang: slip_lang(task.language),
        };
        let fonts = self.fonts()?;
        let pdf = ehr_slip::render_slip(&slip, &fonts).map_err(|e| slip_err(&e))?;
        let summary = task
            .document
            .as_ref()
            .map(|d| d.masked())
            .unwrap_or_default();
        let store = self.store()?;
        let id = lock(&store)
            .keep_slip(
                &ehr_store::NewSlip {
                    reference: &task.reference,
                    task: task.task.code(),
                    summary: &summary,
                    lang: slip_lang(task.language).code(),
                    pdf: &pdf,
                },
                now,
            )
            .map_err(store_err)?;
        self.open_slip(task.reference.clone(), pdf, Some(id), task.language)
    }

    /// A kept slip of a completed task, open in a preview for a reprint.
    pub fn kept_slip(&self, id: i64) -> Result<SlipView, ErrorBody> {
        self.documents_session()?;
        let store = self.store()?;
        let (reference, pdf) = lock(&store).slip_pdf(id).map_err(|e| match e {
            ehr_store::StoreError::NotFound => ErrorBody::new(ErrorCode::SlipNotFound),
            e => store_err(e),
        })?;
        let lang = lock(&store)
            .kept_slip(id)
            .ok()
            .and_then(|s| SlipLang::from_code(&s.lang));
        let language = match lang {
            Some(SlipLang::En) => SlipLanguage::En,
            Some(SlipLang::Zh) => SlipLanguage::Zh,
            _ => SlipLanguage::Both,
        };
        self.open_slip(reference, pdf, Some(id), language)
    }

    /// Today's completed tasks (Hong Kong day) with their slips, newest first.
    pub fn slips_today(&self) -> Result<Vec<KeptSlipView>, ErrorBody> {
        self.documents_session()?;
        let store = self.store()?;
        let since = start_of_hk_day(self.clock.now_ms());
        let kept = lock(&store).slips_since(since).map_err(store_err)?;
        Ok(kept
            .into_iter()
            .map(|k| KeptSlipView {
                id: k.id,
                reference: k.reference,
                task: k.task,
                summary: k.summary,
                completed_at_ms: k.created_at_ms,
                prints: k.prints,
            })
            .collect())
    }

    fn cups(&self) -> ehr_print::Cups {
        match &self.config.cups_server {
            Some(server) => ehr_print::Cups::with_server(server.clone()),
            None => ehr_print::Cups::system(),
        }
    }

    /// The printers slips can go to; the preferred one is the configured
    /// printer, else the system's default.
    pub fn printers(&self) -> Result<Vec<PrinterView>, ErrorBody> {
        self.documents_session()?;
        let queues = match self.cups().queues() {
            Ok(q) => q,
            // No printing system, or no printer: an empty list (the preview
            // offers saving as a file and says why).
            Err(ehr_print::PrintError::NoPrinter) => Vec::new(),
            Err(e) => return Err(print_err(&e)),
        };
        let configured = self.config.printer.as_deref();
        let preferred = configured
            .filter(|c| queues.iter().any(|q| q.name == *c))
            .map(str::to_owned)
            .or_else(|| queues.iter().find(|q| q.is_default).map(|q| q.name.clone()));
        Ok(queues
            .into_iter()
            .map(|q| PrinterView {
                preferred: preferred.as_deref() == Some(q.name.as_str()),
                ready: q.enabled && q.accepting,
                name: q.name,
            })
            .collect())
    }

    /// Print an open slip on `printer` (else the configured printer, else
    /// the default) and follow the job for up to 10 s: a stopped queue or a
    /// failed job is an error, the slip stays open to save. Audited.
    pub fn print_slip(&self, handle: u64, printer: Option<&str>) -> Result<PrintedView, ErrorBody> {
        self.documents_session()?;
        let (reference, pdf, kept) = {
            let open = lock(&self.documents.open);
            let s = open
                .get(&handle)
                .ok_or_else(|| ErrorBody::new(ErrorCode::SlipNotFound))?;
            (s.reference.clone(), s.pdf.clone(), s.kept)
        };
        let queue = printer
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .or_else(|| self.config.printer.clone());
        let cups = self.cups();
        let job = cups
            .print(queue.as_deref(), &pdf)
            .map_err(|e| print_err(&e))?;
        self.record_audit(AuditAction::SlipPrint, Some(&reference))?;
        if let Some(id) = kept {
            if let Ok(store) = self.store() {
                let _ = lock(&store).slip_printed(id, self.clock.now_ms());
            }
        }
        match cups.wait(&job, PRINT_POLLS, &mut || {
            std::thread::sleep(std::time::Duration::from_millis(250))
        }) {
            // Printed, or still at the printer after the wait: sent.
            Ok(_) => {}
            // A scheduler that keeps no job history forgets a finished job.
            Err(ehr_print::PrintError::UnknownJob) => {}
            Err(e) => return Err(print_err(&e)),
        }
        Ok(PrintedView {
            printer: job.queue().to_owned(),
            job: job.to_string(),
        })
    }

    /// Save an open slip as a PDF file in the counter's save folder (0700),
    /// the file 0600, named by its reference and the time. Audited.
    pub fn save_slip(&self, handle: u64) -> Result<SavedView, ErrorBody> {
        self.documents_session()?;
        let (reference, pdf) = {
            let open = lock(&self.documents.open);
            let s = open
                .get(&handle)
                .ok_or_else(|| ErrorBody::new(ErrorCode::SlipNotFound))?;
            (s.reference.clone(), s.pdf.clone())
        };
        let dir = self.config.save_folder.clone();
        let now = self.clock.now_ms();
        let stamp = SlipTime::from_unix_ms(now.max(0) as u64)
            .map(|t| format!("{}-{}", t.date(), t.hh_mm().replace(':', "")))
            .unwrap_or_else(|_| now.to_string());
        let safe: String = reference
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        let path = write_private(&dir, &format!("slip-{safe}-{stamp}"), &pdf)
            .map_err(|_| ErrorBody::new(ErrorCode::SlipSaveFailed))?;
        self.record_audit(AuditAction::SlipSave, Some(&reference))?;
        Ok(SavedView {
            path: path.to_string_lossy().into_owned(),
        })
    }

    /// The preview closed: its PDF is forgotten.
    pub fn close_slip(&self, handle: u64) {
        lock(&self.documents.open).remove(&handle);
    }
}

/// Write `bytes` to `dir/<stem>.pdf` (or `<stem>-2.pdf`, … if taken), the
/// folder 0700 when made here, the file 0600, never replacing a file.
fn write_private(
    dir: &std::path::Path,
    stem: &str,
    bytes: &[u8],
) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write as _;
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    for n in 1..100 {
        let name = if n == 1 {
            format!("{stem}.pdf")
        } else {
            format!("{stem}-{n}.pdf")
        };
        let path = dir.join(name);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(mut f) => {
                f.write_all(bytes)?;
                f.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists))
}

#[cfg(test)]
#[path = "documents_tests.rs"]
pub(crate) mod app_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crop_follows_the_page_through_each_turn() {
        // A box at the top-left corner of the upright page.
        let c = CropBox {
            x: 0.1,
            y: 0.2,
            w: 0.3,
            h: 0.4,
        };
        let near = |a: Crop, b: (f64, f64, f64, f64)| {
            for (x, y) in [(a.x, b.0), (a.y, b.1), (a.w, b.2), (a.h, b.3)] {
                assert!((x - y).abs() < 1e-6, "{a:?} vs {b:?}");
            }
        };
        near(turned_crop(c, 0), (0.1, 0.2, 0.3, 0.4));
        // A quarter turn clockwise: the top-left corner goes top-right.
        near(turned_crop(c, 1), (0.4, 0.1, 0.4, 0.3));
        near(turned_crop(c, 2), (0.6, 0.4, 0.3, 0.4));
        near(turned_crop(c, 3), (0.2, 0.6, 0.4, 0.3));
    }

    #[test]
    fn today_starts_at_midnight_in_hong_kong() {
        // 2026-12-01T00:30+08:00 is 2026-11-30T16:30Z.
        let t = 1_796_056_200_000; // 2026-11-30T16:30:00Z
        let start = start_of_hk_day(t);
        assert_eq!(start, 1_796_054_400_000); // 2026-11-30T16:00:00Z
        assert_eq!(start_of_hk_day(start), start);
        assert_eq!(start_of_hk_day(start - 1), start - 86_400_000);
    }

    #[test]
    fn a_saved_slip_is_private_and_never_replaces_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("slips");
        let a = write_private(&dir, "slip-R1-x", b"%PDF-a").unwrap();
        let b = write_private(&dir, "slip-R1-x", b"%PDF-b").unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read(&a).unwrap(), b"%PDF-a");
        assert_eq!(std::fs::read(&b).unwrap(), b"%PDF-b");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&a), 0o600);
            assert_eq!(mode(&dir), 0o700);
        }
    }
}
