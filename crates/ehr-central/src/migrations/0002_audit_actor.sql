-- Audit events name who did it at the counter (`staff_code`) and, apart,
-- whose session sent them (`sent_by`): a supervisor's discard may reach the
-- service under the next clerk's session.
ALTER TABLE audit_events ADD COLUMN sent_by TEXT;
