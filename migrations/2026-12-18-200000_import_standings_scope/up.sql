-- A household import's row is 'known' (its own person in its own household: not counted while
-- its bucket has room) only when that household is within the caller's scope (p_lo..p_hi): a
-- household number outside it is a new household to the import, and its row a guess like any.
GRANT SELECT (region_code) ON households TO zhenxing_definer;
-- (IF EXISTS / OR REPLACE: a development database may hold an unreleased draft of
-- 2026-12-18-100000 that had the eight-argument function already.)
DROP FUNCTION IF EXISTS zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[]);
CREATE OR REPLACE FUNCTION zx_import_standings(p_actor uuid, p_masked text[], p_year integer[], p_blind bytea[],
                                    p_county integer[], p_household text[], p_lo bigint, p_hi bigint)
  RETURNS TABLE (i integer, standing text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public SET enable_seqscan = off
  AS $$
    SELECT u.i::integer, s.standing
      FROM unnest(p_masked, p_year, p_blind, p_county, p_household)
             WITH ORDINALITY AS u(masked, year, blind, county, household, i)
      CROSS JOIN LATERAL (
        SELECT CASE
                 WHEN count(*) = 0 OR bool_and(t.mine) THEN 'free'
                 WHEN bool_or(t.blind = u.blind AND t.county = u.county AND t.household = u.household
                              AND t.region BETWEEN p_lo AND p_hi)
                   THEN 'known'
                 ELSE 'try' END AS standing
          FROM (SELECT m.id_blind AS blind, m.county_code AS county, h.household_number AS household,
                       h.region_code AS region,
                       coalesce(h.created_by = p_actor, false)
                         AND m.created_at = h.created_at AND m.updated_at = m.created_at AS mine
                  FROM public.members m
                  JOIN public.households h ON h.county_code = m.county_code AND h.id = m.household_id
                 WHERE m.id_masked = u.masked
                   AND m.birth_date >= make_date(u.year, 1, 1)
                   AND m.birth_date < make_date(u.year + 1, 1, 1)
                 LIMIT 400) AS t) AS s
  $$;
ALTER FUNCTION zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[], bigint, bigint) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[], bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_import_standings(uuid, text[], integer[], bytea[], integer[], text[], bigint, bigint) TO zhenxing_app;
