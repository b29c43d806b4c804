DELETE FROM role_grants WHERE role = 'property_checker';
DELETE FROM role_permissions WHERE permission LIKE 'property:%' OR role = 'property_checker';
DELETE FROM permissions WHERE name LIKE 'property:%';
DELETE FROM roles WHERE name = 'property_checker';
DROP TABLE IF EXISTS property_reports, property_hits, property_checks;
UPDATE households SET status = 'registered' WHERE status = 'removed';
ALTER TABLE households DROP CONSTRAINT households_status_check;
ALTER TABLE households ADD CONSTRAINT households_status_check
  CHECK (status IN ('registered', 'exited', 'monitored', 'returned', 'non_poor'));
