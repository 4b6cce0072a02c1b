-- Counters that were withdrawn, and enrolment codes that say why they are
-- refused: a used code is kept (as its SHA-256) beside the counter it
-- enrolled, so a second use is told apart from a code never issued.
-- Forward-only: never edit a shipped migration, add the next one.
ALTER TABLE counters ADD COLUMN revoked_at INTEGER;
ALTER TABLE counters ADD COLUMN used_enrolment_hash BLOB;
ALTER TABLE counters ADD COLUMN enrolled_at INTEGER;
CREATE INDEX counters_used_enrolment ON counters (used_enrolment_hash);
