-- ehr-central schema version 1.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE sites (
    code      TEXT PRIMARY KEY,
    site_type TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    name_zh   TEXT NOT NULL
) STRICT;

CREATE TABLE providers (
    id      TEXT PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('public', 'private')),
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
    staff_code      TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('registration_staff', 'supervisor')),
    password_hash   TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE counters (
    counter_id         TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    site_code          TEXT NOT NULL REFERENCES sites (code),
    key_hash           BLOB UNIQUE,
    enrolment_hash     BLOB UNIQUE,
    enrolment_expires  INTEGER,
    cert_fingerprint   TEXT UNIQUE,
    active             INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    staff_code TEXT NOT NULL REFERENCES staff (staff_code),
    counter_id TEXT NOT NULL REFERENCES counters (counter_id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE applications (
    reference    TEXT PRIMARY KEY,
    doc_type     TEXT NOT NULL,
    doc_number   TEXT NOT NULL,
    surname_key  TEXT NOT NULL,
    dob          TEXT NOT NULL,
    state        TEXT NOT NULL,
    origin       TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    lifecycle    TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX applications_document ON applications (doc_type, doc_number);
CREATE INDEX applications_name_dob ON applications (surname_key, dob);

CREATE TABLE records (
    ehr_number          TEXT PRIMARY KEY,
    doc_type            TEXT,
    doc_number          TEXT,
    hospital_code       TEXT,
    hospital_serial     TEXT,
    state               TEXT NOT NULL,
    lifecycle           TEXT NOT NULL,
    person              TEXT NOT NULL,
    consents            TEXT NOT NULL,
    registered_on       TEXT NOT NULL,
    settled_application TEXT REFERENCES applications (reference),
    flags               TEXT NOT NULL DEFAULT '[]',
    created_at          INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX records_document ON records (doc_type, doc_number)
    WHERE doc_type IS NOT NULL;
CREATE UNIQUE INDEX records_birth_document ON records (hospital_code, hospital_serial)
    WHERE hospital_code IS NOT NULL;

-- The access key lives here only, until the sender has sent it.
CREATE TABLE notification_outbox (
    id         INTEGER PRIMARY KEY,
    ehr_number TEXT NOT NULL REFERENCES records (ehr_number),
    channel    TEXT NOT NULL,
    language   TEXT NOT NULL,
    address    TEXT NOT NULL,
    template   TEXT NOT NULL,
    body       TEXT NOT NULL,
    access_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
) STRICT;

CREATE TABLE document_images (
    image_id     TEXT PRIMARY KEY,
    counter_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       BLOB NOT NULL,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    counter_id  TEXT NOT NULL,
    staff_code  TEXT NOT NULL,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT,
    received_at INTEGER NOT NULL
) STRICT;

CREATE TABLE idempotency (
    key          TEXT PRIMARY KEY,
    counter_id   TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    content_hash BLOB NOT NULL,
    outcome      TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE record_sequences (
    counter_id TEXT NOT NULL,
    record_key TEXT NOT NULL,
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (counter_id, record_key)
) STRICT;
