-- Not a migration of any release: the upgrade test (tests/packages) builds
-- its second package with the feature `upgrade-test-migration`, which adds
-- this one, so installing it over the first migrates a store that holds a
-- queued change, a cached application and an attention item forward.
-- It changes a table that holds them, as a real migration would.
ALTER TABLE outbox ADD COLUMN upgrade_test_note TEXT;
CREATE TABLE upgrade_test_marker (migrated_at INTEGER NOT NULL);
INSERT INTO upgrade_test_marker (migrated_at) VALUES (0);
