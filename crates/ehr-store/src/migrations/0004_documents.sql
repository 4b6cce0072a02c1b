-- Documents in and out of the counter (issue #12). Forward-only.

-- Images captured for the task at the counter and not yet part of a change:
-- the bytes as imported (kept so the clerk can crop again) and, once
-- normalised, the JPEG that will travel and its thumbnail. A capture leaves
-- this table when its change is committed (it becomes an `upload_document`
-- row of the outbox, in the same transaction), when the task ends without
-- it, or when it is older than a day (`purge`). Never a loose file.
CREATE TABLE held_captures (
    image_id    TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    original    BLOB NOT NULL,
    jpeg        BLOB,
    thumbnail   BLOB,
    width       INTEGER,
    height      INTEGER,
    created_at  INTEGER NOT NULL
) STRICT;

-- The acknowledgement slips of completed tasks, as the PDF the person was
-- given, for a reprint from today's list. Purged with the retention policy
-- like the synced rows of the outbox. `summary` shows masked numbers only.
CREATE TABLE slips (
    id          INTEGER PRIMARY KEY,
    reference   TEXT NOT NULL,
    task        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    lang        TEXT NOT NULL,
    pdf         BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    prints      INTEGER NOT NULL DEFAULT 0,
    printed_at  INTEGER
) STRICT;
CREATE INDEX slips_by_time ON slips (created_at);
