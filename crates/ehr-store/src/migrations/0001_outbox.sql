-- The counter's local store, version 1. Forward-only: never edit a shipped
-- migration, add the next one.

-- What the clerk did, one row per local record (a registration, a consent
-- change, ...). `summary` is what the attention list shows: masked numbers,
-- names as typed. It lives only in this encrypted file.
CREATE TABLE local_records (
    record_key  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'synced', 'attention', 'discarded')),
    ehr_number  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- The highest sequence number ever given to each record's operations (kept
-- when done rows are purged, so a sequence never goes back).
CREATE TABLE record_seq (
    record_key  TEXT PRIMARY KEY,
    last_seq    INTEGER NOT NULL
) STRICT;

-- The outbox: one row per operation for the central service.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT NOT NULL UNIQUE,
    record_key       TEXT NOT NULL REFERENCES local_records (record_key),
    seq              INTEGER NOT NULL,
    op_type          TEXT NOT NULL,
    op               TEXT NOT NULL,
    bytes            INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'done', 'attention', 'discarded')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    acked_at         INTEGER,
    result           TEXT,
    attention_code   TEXT,
    resolved_by      TEXT,
    resolve_reason   TEXT,
    UNIQUE (record_key, seq)
) STRICT;
CREATE INDEX outbox_by_state ON outbox (state, id);

-- Document images captured for an operation (sent as its base64 data).
CREATE TABLE attachments (
    image_id   TEXT PRIMARY KEY,
    outbox_id  INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    data       BLOB NOT NULL
) STRICT;

-- Lookups fetched at this counter (pending applications), kept for a while.
CREATE TABLE lookup_cache (
    cache_key   TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    stored_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX lookup_cache_by_expiry ON lookup_cache (expires_at);

-- What staff did at this counter that an auditor asks about (reveals,
-- discards). Never personal data: subjects are references or keys.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    staff_code  TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT
) STRICT;

-- Small facts about syncing (last successful sync).
CREATE TABLE sync_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
