-- Supervisor sign-offs are credentials, not names: a supervisor's own staff
-- code and password, checked here, give a token bound to the counter, the
-- counter's record and the reason. Only the token's SHA-256 is kept.
CREATE TABLE sign_offs (
    token_hash  BLOB PRIMARY KEY,
    counter_id  TEXT NOT NULL REFERENCES counters (counter_id),
    record_key  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    supervisor  TEXT NOT NULL REFERENCES staff (staff_code),
    asked_by    TEXT NOT NULL REFERENCES staff (staff_code),
    issued_at   INTEGER NOT NULL,
    attach_by   INTEGER NOT NULL,
    first_used_at INTEGER
) STRICT;

-- How each idempotency row's content hash was made: 1, SHA-256 of the
-- service's re-serialised (record key, sequence, operation); 2, SHA-256 of
-- the bytes the counter fixed when it queued the operation (and of its
-- attachment), which an upgrade on either side does not change.
ALTER TABLE idempotency ADD COLUMN hash_scheme INTEGER NOT NULL DEFAULT 1;
