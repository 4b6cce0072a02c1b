-- The central service's reference data and policies as this counter last
-- fetched them (one row), offline sign-in verifiers, sign-in failures
-- counted at this counter, and who made each outbox row. Forward-only:
-- never edit a shipped migration, add the next one.

-- The reference data (`GET /v1/reference`) as JSON, its version, and when
-- it was fetched (Unix ms). The counter's policies come from here only.
CREATE TABLE reference_cache (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     INTEGER NOT NULL,
    data        TEXT NOT NULL,
    fetched_at  INTEGER NOT NULL
) STRICT;

-- One verifier per staff member who signed in online at this counter: an
-- argon2id PHC string of their password (own random salt; never the
-- password), their role and name as the service gave them, and when that
-- online sign-in was (Unix ms).
CREATE TABLE staff_verifiers (
    staff_code    TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    display_name  TEXT,
    verifier      TEXT NOT NULL,
    online_at     INTEGER NOT NULL
) STRICT;

-- Failed sign-ins in a row at this counter (online and offline alike), and
-- the end of a lock (Unix ms).
CREATE TABLE sign_in_failures (
    staff_code    TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    locked_until  INTEGER
) STRICT;

-- Who made each outbox row, and whether they were signed in offline then
-- (such rows wait for an online sign-in before they are sent).
ALTER TABLE outbox ADD COLUMN made_by TEXT;
ALTER TABLE outbox ADD COLUMN made_offline INTEGER NOT NULL DEFAULT 0;
