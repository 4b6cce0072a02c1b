-- Version 2: the local audit log becomes a tamper-evident hash chain.
-- Forward-only: never edit a shipped migration, add the next one.
--
-- Each row gets its place in the chain (`seq`, from 1), the counter it
-- happened at, the hash of the row before (`prev_hash`, 32 zero bytes for
-- the first) and its own hash: SHA-256 over a canonical encoding of its
-- fields (`ehr_protocol::audit`). SQL cannot compute SHA-256: the store
-- chains the rows that exist (and queues them for the central service) in
-- Rust, right after this script, in the same transaction.
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN counter_id TEXT;
ALTER TABLE audit_log ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_log ADD COLUMN hash BLOB;
CREATE UNIQUE INDEX audit_log_by_seq ON audit_log (seq);

-- The chain's head: its id (sent with every event, so the central service
-- keeps this counter's chain apart) and its last link. A row deleted from
-- the end of the log is found missing against it.
CREATE TABLE audit_chain (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    chain_id   TEXT NOT NULL,
    last_seq   INTEGER NOT NULL,
    last_hash  BLOB NOT NULL
) STRICT;
