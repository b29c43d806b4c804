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

-- How each row of a household import stands to the registry's members of its masked form and
-- birth year, in every county: the import answers "already registered" for any county, so its
-- guesses count whoever they aim at. 'free': no such member, or only members the actor
-- registered with their household and nobody changed since (the actor knows their numbers);
-- 'known': the row's own person in its own household (a re-import); 'try': anything else.
-- Returns the row's index and its standing, nothing of the members. Index probes only, even on
-- tables a bulk load has just filled and nothing has analyzed.
GRANT SELECT (id_masked, birth_date, household_id, created_at, updated_at) ON members TO zhenxing_definer;
GRANT SELECT (household_number, created_by, created_at) ON households TO zhenxing_definer;
CREATE FUNCTION zx_import_standings(p_actor uuid, p_masked text[], p_year integer[], p_blind bytea[],
                                    p_county integer[], p_household text[])
  RETURNS TABLE (i integer, standing text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public SET enable_seqscan = off
  AS $$
    SELECT u.i::integer, s.standing
      FROM unnest(p_masked, p_year, p_blind, p_county, p_household)
             WITH ORDINALITY AS u(masked, year, blind, county, household, i)
      CROSS JOIN LATERAL (
        SELECT CASE
                 WHEN count(*) = 0 OR bool_and(t.mine) THEN 'free'
                 WHEN bool_or(t.blind = u.blind AND t.county = u.county AND t.household = u.household)
                   THEN 'known'
                 ELSE 'try' END AS standing
          FROM (SELECT m.id_blind AS blind, m.county_code AS county, h.household_number AS household,
                       coalesce(h.created_by = p_actor, false)
                         AND m.created_at = h.created_at AND m.updated_at = m.created_at AS mine
                  FROM public.members m
                  JOIN public.households h ON h.county_code = m.county_code AND h.id = m.household_id
                 WHERE m.id_masked = u.masked
                   AND m.birth_date >= make_date(u.year, 1, 1)
                   AND m.birth_date < make_date(u.year + 1, 1, 1)
                 LIMIT 400) AS t) AS s
  $$;
ALTER FUNCTION zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[]) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[]) TO zhenxing_app;
