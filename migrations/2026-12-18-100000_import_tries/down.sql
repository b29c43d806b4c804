DROP FUNCTION zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[]);
REVOKE SELECT (household_number, created_by, created_at) ON households FROM zhenxing_definer;
REVOKE SELECT (id_masked, birth_date, household_id, created_at, updated_at) ON members FROM zhenxing_definer;
DROP FUNCTION zx_number_tries(uuid, text[], timestamptz);
CREATE FUNCTION zx_number_tries(p_actor uuid, p_masked text, p_since timestamptz)
  RETURNS TABLE (tag text, at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
    SELECT l.details->>'tag', l.at
      FROM public.audit_log l
      JOIN public.audit_kinds k ON k.id = l.kind
     WHERE l.actor_id = p_actor
       AND l.at > p_since
       AND k.action IN ('member.search', 'member.id_check')
       AND l.details->>'id_number' = p_masked
       AND l.details ? 'tag'
  $$;
ALTER FUNCTION zx_number_tries(uuid, text, timestamptz) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_number_tries(uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_number_tries(uuid, text, timestamptz) TO zhenxing_app;
DROP INDEX audit_log_tries;
DROP INDEX members_masked;
