-- Tasks in progress at the counter (issue #13). Forward-only.

-- A task the clerk has started and not finished: what they have read and
-- typed, kept as they go so that a crash or a restart loses nothing. One per
-- staff member at this counter; offered back only to the same staff member,
-- deleted when the task is finished or abandoned, and purged with held
-- captures after a day. `state` is the app's serialised task (personal data:
-- it lives only in this encrypted file).
CREATE TABLE task_drafts (
    staff_code  TEXT PRIMARY KEY,
    task_id     TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
