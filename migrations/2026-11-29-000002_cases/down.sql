DROP FUNCTION IF EXISTS zx_fail_stale_jobs(interval);
DROP FUNCTION IF EXISTS zx_id_registered(bytea), zx_ids_registered_any(bytea[]), zx_record_duplicate_attempt(bytea, bigint, uuid, text, text);
DROP POLICY IF EXISTS audit_events_definer_insert ON audit_events;
DELETE FROM role_permissions WHERE permission LIKE 'cases:%';
DELETE FROM permissions WHERE name LIKE 'cases:%';
DROP TABLE IF EXISTS job_errors, jobs, idempotency_keys, household_events, assistance_measures,
  household_years, members, households, poverty_causes;
