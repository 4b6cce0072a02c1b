//! Documents in and out of the counter: the images captured for the task in
//! hand (held, encrypted, until the task's change is committed or the task
//! ends) and the acknowledgement slips of completed tasks (kept, encrypted,
//! for a reprint, until the retention policy purges them).
//!
//! Nothing here ever becomes a loose file: an image imported from the
//! scanner's folder is held here before the caller deletes the file, and a
//! held image reaches the outbox as an `upload_document` row of the change
//! that names it, in the change's own transaction.

use ehr_protocol::wire::batch::{DocumentImageKind, Operation, UploadDocument};
use ehr_sync::QueuedOp;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::{audit, insert_change, Change, NewAudit, NewOp, Result, Store, StoreError};

/// How long a capture may be held without its task finishing (a crash, a
/// power cut): a day, then [`Store::purge`] removes it.
pub const HELD_CAPTURE_MS: i64 = 24 * 60 * 60 * 1000;

/// A capture as the task's list shows it (no image bytes but the thumbnail).
#[derive(Clone, PartialEq, Eq)]
pub struct CaptureInfo {
    /// The image's id (the `image_id` it will travel with).
    pub image_id: Uuid,
    /// What it shows.
    pub kind: DocumentImageKind,
    /// Where it came from (`scanner`, `file`, `camera`).
    pub source: String,
    /// The normalised JPEG's size, once normalised.
    pub bytes: Option<u64>,
    /// Its pixel size, once normalised.
    pub size: Option<(u32, u32)>,
    /// The thumbnail (JPEG), once normalised.
    pub thumbnail: Option<Vec<u8>>,
    /// When it was captured (Unix ms).
    pub created_at_ms: i64,
}

/// A held capture with its bytes, to normalise again or to send.
#[derive(Clone)]
pub struct HeldCapture {
    /// The list entry.
    pub info: CaptureInfo,
    /// The bytes as imported.
    pub original: Vec<u8>,
    /// The normalised JPEG, once normalised.
    pub jpeg: Option<Vec<u8>>,
}

impl std::fmt::Debug for CaptureInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureInfo")
            .field("image_id", &self.image_id)
            .field("kind", &self.kind)
            .field("source", &self.source)
            .field("bytes", &self.bytes)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for HeldCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldCapture")
            .field("info", &self.info)
            .field("original_bytes", &self.original.len())
            .field("jpeg_bytes", &self.jpeg.as_ref().map(Vec::len))
            .finish()
    }
}

/// A slip to keep for reprinting.
#[derive(Clone)]
pub struct NewSlip<'a> {
    /// The task's reference (printed on the slip and in its QR code).
    pub reference: &'a str,
    /// The kind of task (a slip task code, for the list).
    pub task: &'a str,
    /// What the list shows (masked numbers only).
    pub summary: &'a str,
    /// The slip's language (`en`, `zh`, `both`).
    pub lang: &'a str,
    /// The PDF.
    pub pdf: &'a [u8],
}

/// A kept slip, as today's list shows it (without the PDF).
#[derive(Clone, PartialEq, Eq)]
pub struct KeptSlip {
    /// Its id.
    pub id: i64,
    /// The task's reference.
    pub reference: String,
    /// The kind of task.
    pub task: String,
    /// What the list shows (masked numbers only).
    pub summary: String,
    /// The slip's language.
    pub lang: String,
    /// When the task completed (Unix ms).
    pub created_at_ms: i64,
    /// How many times it was printed.
    pub prints: u32,
    /// The PDF's size.
    pub bytes: u64,
}

impl std::fmt::Debug for KeptSlip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptSlip")
            .field("id", &self.id)
            .field("reference", &self.reference)
            .field("task", &self.task)
            .field("prints", &self.prints)
            .finish_non_exhaustive()
    }
}

const SLIP_COLUMNS: &str = "id, reference, task, summary, lang, created_at, prints, length(pdf)";

fn kept_slip(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeptSlip> {
    Ok(KeptSlip {
        id: r.get(0)?,
        reference: r.get(1)?,
        task: r.get(2)?,
        summary: r.get(3)?,
        lang: r.get(4)?,
        created_at_ms: r.get(5)?,
        prints: r.get::<_, i64>(6)?.clamp(0, u32::MAX.into()) as u32,
        bytes: r.get::<_, i64>(7)?.max(0) as u64,
    })
}

fn kind_code(kind: DocumentImageKind) -> Result<String> {
    serde_json::to_value(kind)?
        .as_str()
        .map(str::to_owned)
        .ok_or(StoreError::Encoding)
}

fn kind_of(code: &str) -> Result<DocumentImageKind> {
    Ok(serde_json::from_value(serde_json::Value::String(
        code.to_owned(),
    ))?)
}

const CAPTURE_COLUMNS: &str =
    "image_id, kind, source, length(jpeg), width, height, thumbnail, created_at";

fn capture_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, CaptureInfo)> {
    let width: Option<i64> = r.get(4)?;
    let height: Option<i64> = r.get(5)?;
    Ok((
        r.get(0)?,
        r.get(1)?,
        CaptureInfo {
            image_id: Uuid::nil(),
            kind: DocumentImageKind::PatientDocumentCopy,
            source: r.get(2)?,
            bytes: r.get::<_, Option<i64>>(3)?.map(|b| b.max(0) as u64),
            size: width.zip(height).map(|(w, h)| {
                (
                    w.clamp(0, u32::MAX.into()) as u32,
                    h.clamp(0, u32::MAX.into()) as u32,
                )
            }),
            thumbnail: r.get(6)?,
            created_at_ms: r.get(7)?,
        },
    ))
}

fn finish_info((id, kind, mut info): (String, String, CaptureInfo)) -> Result<CaptureInfo> {
    info.image_id = Uuid::parse_str(&id).map_err(|_| StoreError::Encoding)?;
    info.kind = kind_of(&kind)?;
    Ok(info)
}

impl Store {
    /// Hold an image the clerk captured for the task in hand, encrypted,
    /// with the audit event that says so (subject: the image id), in one
    /// transaction. Returns its id.
    pub fn hold_capture(
        &mut self,
        kind: DocumentImageKind,
        source: &str,
        original: &[u8],
        audit: &NewAudit<'_>,
        now_ms: i64,
    ) -> Result<(Uuid, Vec<QueuedOp>)> {
        let id = Uuid::new_v4();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO held_captures (image_id, kind, source, original, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), kind_code(kind)?, source, original, now_ms],
        )?;
        let subject = id.to_string();
        let event = NewAudit {
            subject: Some(&subject),
            ..*audit
        };
        let queued = audit::append(&tx, &event, now_ms)?;
        tx.commit()?;
        Ok((id, queued))
    }

    /// Keep the normalised image (and its thumbnail) of a held capture,
    /// replacing any earlier result (the clerk cropped again).
    pub fn set_capture_result(
        &mut self,
        image_id: Uuid,
        jpeg: &[u8],
        thumbnail: &[u8],
        size: (u32, u32),
    ) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE held_captures SET jpeg = ?2, thumbnail = ?3, width = ?4, height = ?5
             WHERE image_id = ?1",
            params![image_id.to_string(), jpeg, thumbnail, size.0, size.1],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Change what a held capture shows.
    pub fn set_capture_kind(&mut self, image_id: Uuid, kind: DocumentImageKind) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE held_captures SET kind = ?2 WHERE image_id = ?1",
            params![image_id.to_string(), kind_code(kind)?],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// One held capture with its bytes.
    pub fn held_capture(&self, image_id: Uuid) -> Result<HeldCapture> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {CAPTURE_COLUMNS}, original, jpeg FROM held_captures WHERE image_id = ?1"
                ),
                [image_id.to_string()],
                |r| Ok((capture_info(r)?, r.get::<_, Vec<u8>>(8)?, r.get(9)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound)?;
        Ok(HeldCapture {
            info: finish_info(row.0)?,
            original: row.1,
            jpeg: row.2,
        })
    }

    /// The held captures, oldest first.
    pub fn held_captures(&self) -> Result<Vec<CaptureInfo>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CAPTURE_COLUMNS} FROM held_captures ORDER BY created_at, rowid"
        ))?;
        let rows = stmt.query_map([], capture_info)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(finish_info(row?)?);
        }
        Ok(out)
    }

    /// Drop one held capture (the clerk removed it). Whether it was there.
    pub fn drop_capture(&mut self, image_id: Uuid) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM held_captures WHERE image_id = ?1",
            [image_id.to_string()],
        )? > 0)
    }

    /// Drop every held capture (the task ended without them). How many.
    pub fn drop_captures(&mut self) -> Result<u64> {
        Ok(self.conn.execute("DELETE FROM held_captures", [])? as u64)
    }

    /// Commit a change whose operations name held captures: each capture
    /// becomes an `upload_document` row (its normalised JPEG as the
    /// attachment) placed before the change's own operations, and leaves the
    /// held list, in the same transaction as the change and its audit event.
    /// A capture not yet normalised, or not held, refuses the whole change.
    pub fn commit_change_with_captures(
        &mut self,
        change: &Change,
        captures: &[Uuid],
        audit: &NewAudit<'_>,
        now_ms: i64,
    ) -> Result<Vec<QueuedOp>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ops = Vec::with_capacity(captures.len() + change.ops.len());
        for id in captures {
            let (kind, jpeg): (String, Option<Vec<u8>>) = tx
                .query_row(
                    "SELECT kind, jpeg FROM held_captures WHERE image_id = ?1",
                    [id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or(StoreError::NotFound)?;
            let jpeg = jpeg.ok_or(StoreError::CaptureNotReady)?;
            ops.push(NewOp {
                op: Operation::UploadDocument(UploadDocument {
                    image_id: *id,
                    kind: kind_of(&kind)?,
                    data_base64: String::new(),
                }),
                attachment: Some(jpeg),
            });
            tx.execute(
                "DELETE FROM held_captures WHERE image_id = ?1",
                [id.to_string()],
            )?;
        }
        ops.extend(change.ops.iter().cloned());
        let whole = Change {
            ops,
            ..change.clone()
        };
        let mut queued = insert_change(&tx, &whole, now_ms)?;
        queued.extend(audit::append(&tx, audit, now_ms)?);
        tx.commit()?;
        Ok(queued)
    }

    /// Keep a completed task's slip for reprinting. Returns its id.
    pub fn keep_slip(&mut self, slip: &NewSlip<'_>, now_ms: i64) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO slips (reference, task, summary, lang, pdf, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                slip.reference,
                slip.task,
                slip.summary,
                slip.lang,
                slip.pdf,
                now_ms
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The slips kept since `since_ms` (today's list), newest first.
    pub fn slips_since(&self, since_ms: i64) -> Result<Vec<KeptSlip>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SLIP_COLUMNS} FROM slips WHERE created_at >= ?1 ORDER BY created_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([since_ms], kept_slip)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One kept slip (without its PDF).
    pub fn kept_slip(&self, id: i64) -> Result<KeptSlip> {
        self.conn
            .query_row(
                &format!("SELECT {SLIP_COLUMNS} FROM slips WHERE id = ?1"),
                [id],
                kept_slip,
            )
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// A kept slip's PDF and reference.
    pub fn slip_pdf(&self, id: i64) -> Result<(String, Vec<u8>)> {
        self.conn
            .query_row(
                "SELECT reference, pdf FROM slips WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// Count a print of a kept slip.
    pub fn slip_printed(&mut self, id: i64, now_ms: i64) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE slips SET prints = prints + 1, printed_at = ?2 WHERE id = ?1",
            params![id, now_ms],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// Remove kept slips older than the retention, and held captures older
/// than a day (a task that never finished). Returns (slips, captures).
pub(crate) fn purge(
    tx: &rusqlite::Connection,
    now_ms: i64,
    retention_ms: i64,
) -> Result<(u64, u64)> {
    let slips = tx.execute(
        "DELETE FROM slips WHERE created_at < ?1",
        [now_ms.saturating_sub(retention_ms)],
    )? as u64;
    let captures = tx.execute(
        "DELETE FROM held_captures WHERE created_at < ?1",
        [now_ms.saturating_sub(HELD_CAPTURE_MS)],
    )? as u64;
    Ok((slips, captures))
}
