-- Issue #15: the Registration Office's work items, half-keyed paper forms
-- (RE(C)01) that any RO clerk of the site resumes. The keyed form (personal
-- data) is erased when the item closes. Each paper form's image is linked
-- to its application (document_images.application_reference, 0007).
-- Forward-only: never edit a shipped migration, add the next one.
CREATE TABLE work_items (
    id TEXT PRIMARY KEY,
    site_code TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'done', 'discarded')),
    stage TEXT NOT NULL,
    origin TEXT NOT NULL,
    received_on TEXT NOT NULL,
    document_masked TEXT NOT NULL,
    payload TEXT,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    application_reference TEXT REFERENCES applications (reference)
) STRICT;
CREATE INDEX work_items_open ON work_items (site_code, state, updated_at);
