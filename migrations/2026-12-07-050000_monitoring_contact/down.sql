DROP FUNCTION zx_contact_candidate(integer, uuid);
ALTER TABLE monitoring_cases
  DROP COLUMN contact_assigned_at,
  DROP COLUMN contact_name,
  DROP COLUMN contact_user_id;
