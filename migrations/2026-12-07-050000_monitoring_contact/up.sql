-- 落实监测联系人 (seed 4 §二(一)): each monitored household has a named contact, a user of its
-- county working at or above its village. The name is kept as it was when assigned, so lists
-- and printed forms show it without reading the users table.
ALTER TABLE monitoring_cases
  ADD COLUMN contact_user_id uuid,
  ADD COLUMN contact_name text,
  ADD COLUMN contact_assigned_at timestamptz;

-- A village clerk's scope does not show the township's or the county's users, who may be the
-- contact: the candidate is looked up by id within the case's county only, answering just what
-- the check needs (org unit, name, whether disabled).
CREATE FUNCTION zx_contact_candidate(p_county integer, p_user uuid)
  RETURNS TABLE (region_code bigint, display_name text, disabled boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT u.region_code, u.display_name, u.disabled
        FROM public.users u WHERE u.county_code = p_county AND u.id = p_user $$;
ALTER FUNCTION zx_contact_candidate(integer, uuid) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_contact_candidate(integer, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_contact_candidate(integer, uuid) TO zhenxing_app;
