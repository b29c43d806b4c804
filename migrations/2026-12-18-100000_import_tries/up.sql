-- Tries of full ID numbers are counted per masked form *and birth year* (what a reader sees of
-- a member), and the imports count theirs too (security.md §16).

-- The members of a masked form and birth year in the caller's scope: an import row is a try
-- only when its form and year match a member the caller did not register themselves. One probe
-- per row's bucket, whatever the county's size.
CREATE INDEX members_masked ON members (id_masked, birth_date);

-- A user's tries, found by actor and form without reading the user's other audit rows (an
-- importer writes one per household).
CREATE INDEX audit_log_tries ON audit_log (actor_id, (details->>'id_number'), at) WHERE details ? 'tag';

-- Tries of any of several masked forms, with the birth year each was counted under (NULL for a
-- try recorded before years were: it counts for every year of its form).
DROP FUNCTION zx_number_tries(uuid, text, timestamptz);
CREATE FUNCTION zx_number_tries(p_actor uuid, p_masked text[], p_since timestamptz)
  RETURNS TABLE (masked text, birth_year integer, tag text, at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
    SELECT l.details->>'id_number', (l.details->>'birth_year')::integer, l.details->>'tag', l.at
      FROM public.audit_log l
      JOIN public.audit_kinds k ON k.id = l.kind
     WHERE l.actor_id = p_actor
       AND l.details ? 'tag'
       AND l.details->>'id_number' = ANY (p_masked)
       AND l.at > p_since
       AND k.action IN ('member.search', 'member.id_check')
  $$;
ALTER FUNCTION zx_number_tries(uuid, text[], timestamptz) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_number_tries(uuid, text[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_number_tries(uuid, text[], timestamptz) TO zhenxing_app;
