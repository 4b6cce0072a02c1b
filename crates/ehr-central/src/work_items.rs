//! The Registration Office's work items (half-keyed paper forms): the
//! open ones of a site, and one with its keyed form. Saved by the batch's
//! `save_work_item`; closed by the `key_paper_application` that completes
//! one (`ops`).

use ehr_protocol::wire::{Origin, WorkItemDetail, WorkItemSummary};
use rusqlite::{OptionalExtension, Transaction};

use crate::error::{Error, Result};

const COLUMNS: &str = "id, version, stage, origin, received_on, document_masked, created_by, \
     updated_by, updated_at, payload";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(WorkItemRow, Option<String>)> {
    Ok((
        WorkItemRow {
            id: r.get(0)?,
            version: r.get(1)?,
            stage: r.get(2)?,
            origin: r.get(3)?,
            received_on: r.get(4)?,
            document_masked: r.get(5)?,
            created_by: r.get(6)?,
            updated_by: r.get(7)?,
            updated_at: r.get(8)?,
        },
        r.get(9)?,
    ))
}

struct WorkItemRow {
    id: String,
    version: i64,
    stage: String,
    origin: String,
    received_on: String,
    document_masked: String,
    created_by: String,
    updated_by: String,
    updated_at: i64,
}

fn summary(r: WorkItemRow) -> Result<WorkItemSummary> {
    Ok(WorkItemSummary {
        id: uuid::Uuid::parse_str(&r.id).map_err(|_| Error::Corrupt("work item id"))?,
        version: u32::try_from(r.version).map_err(|_| Error::Corrupt("work item version"))?,
        stage: r.stage,
        origin: serde_json::from_value::<Origin>(serde_json::Value::String(r.origin))
            .map_err(|_| Error::Corrupt("work item origin"))?,
        received_on: r.received_on,
        document_masked: r.document_masked,
        created_by: r.created_by,
        updated_by: r.updated_by,
        updated_at: r.updated_at,
    })
}

/// The open work items of `site`, oldest first (at most `limit`).
pub fn open_at(tx: &Transaction<'_>, site: &str, limit: u32) -> Result<Vec<WorkItemSummary>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM work_items WHERE site_code = ?1 AND state = 'open' \
         ORDER BY updated_at, id LIMIT ?2"
    );
    let rows = tx
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![site, limit], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|(r, _)| summary(r)).collect()
}

/// The open work item `id` of `site` with its keyed form, if any.
pub fn get_at(tx: &Transaction<'_>, site: &str, id: &str) -> Result<Option<WorkItemDetail>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM work_items WHERE id = ?1 AND site_code = ?2 AND state = 'open'"
    );
    let found = tx
        .prepare_cached(&sql)?
        .query_row(rusqlite::params![id, site], row)
        .optional()?;
    found
        .map(|(r, payload)| {
            Ok(WorkItemDetail {
                item: summary(r)?,
                payload: payload.unwrap_or_default(),
            })
        })
        .transpose()
}
