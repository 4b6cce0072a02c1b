//! The Registration Office's work items: half-keyed paper forms (RE(C)01)
//! that any RO clerk of the site can resume. Saved through the batch
//! (`save_work_item`), read with `GET /v1/work-items` (the site's open
//! items, labelled by the masked document only) and
//! `GET /v1/work-items/{id}` (one item with its keyed form).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Origin;
use crate::redact::Redacted;

/// An open work item as the list shows it: no particulars beyond the
/// masked document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItemSummary {
    /// Its id.
    pub id: Uuid,
    /// Its version (the next save makes one more).
    pub version: u32,
    /// `first_keying`, `second_keying` or `reconcile`.
    pub stage: String,
    /// How the form arrived.
    pub origin: Origin,
    /// The day the form was received (`YYYY-MM-DD`).
    pub received_on: String,
    /// The patient's document, masked.
    pub document_masked: String,
    /// The staff member who first saved it.
    pub created_by: String,
    /// The staff member who saved it last.
    pub updated_by: String,
    /// When it was saved last (Unix seconds).
    pub updated_at: i64,
}

/// The site's open work items, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItemList {
    /// The items.
    pub items: Vec<WorkItemSummary>,
}

/// One open work item with its keyed form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItemDetail {
    /// The item.
    pub item: WorkItemSummary,
    /// The counter's keyed form, as last saved.
    pub payload: String,
}

impl std::fmt::Debug for WorkItemDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkItemDetail")
            .field("item", &self.item)
            .field("payload", &Redacted)
            .finish()
    }
}
