DELETE FROM role_permissions WHERE permission LIKE 'workflow:%';
DELETE FROM permissions WHERE name LIKE 'workflow:%';
DROP TABLE IF EXISTS monitoring_events, monitoring_cases, monitoring_leads, exit_targets, exit_objections,
  exit_steps, exit_entries, exit_lists;
UPDATE households SET status = 'registered' WHERE status = 'non_poor';
ALTER TABLE households DROP CONSTRAINT households_status_check;
ALTER TABLE households ADD CONSTRAINT households_status_check
  CHECK (status IN ('registered', 'exited', 'monitored', 'returned'));
