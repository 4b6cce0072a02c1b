-- Counters' audit chains. Each counter store chains its audit events
-- (ehr_protocol::audit): an event carries its chain's id, its place in it
-- and the hash of the event before. The service keeps each chain's last
-- link and accepts an event only if it follows it (a new chain starts at
-- 1 from 32 zero bytes); anything else is `audit.chain_broken`.
ALTER TABLE audit_events ADD COLUMN chain_id TEXT;
ALTER TABLE audit_events ADD COLUMN chain_seq INTEGER;
ALTER TABLE audit_events ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_events ADD COLUMN hash BLOB;

CREATE TABLE audit_chains (
    counter_id  TEXT NOT NULL,
    chain_id    TEXT NOT NULL,
    last_seq    INTEGER NOT NULL,
    last_hash   BLOB NOT NULL,
    started_at  INTEGER NOT NULL,
    PRIMARY KEY (counter_id, chain_id)
) STRICT;
