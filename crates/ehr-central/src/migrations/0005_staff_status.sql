-- Staff status for counters' offline sign-in: the name counters show, when
-- an account was deactivated (its code reaches counters in the reference
-- data, so they delete their verifiers for it), and when its password last
-- changed. Forward-only: never edit a shipped migration, add the next one.
ALTER TABLE staff ADD COLUMN display_name TEXT;
ALTER TABLE staff ADD COLUMN deactivated_at INTEGER;
ALTER TABLE staff ADD COLUMN password_changed_at INTEGER;
