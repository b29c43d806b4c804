-- Plans that do not depend on statistics (issue 16). This PostgreSQL may run with autovacuum off,
-- and a production one analyzes only when autovacuum gets round to it, so:
--
-- 1. Ids come alone in URLs. A plain index on `id` is estimated, without statistics, to return
--    0.5% of the table, so the planner ANDs it with a scan of the whole scope range (100,000 rows
--    for a county). Equality on the whole primary key (county_code, id) is known to return one
--    row whatever the statistics say, so lookups by id name the county too, found by this
--    definer function (county of an id, nothing else; the row itself is still read under RLS).
--    A UNIQUE index on id alone would do as well but breaks the rule that every unique key leads
--    with county_code (isolation tests, Citus).
CREATE POLICY households_definer_read ON households FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT (id, county_code) ON households TO zhenxing_definer;
CREATE FUNCTION zx_household_county(p_id uuid) RETURNS integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT h.county_code FROM public.households h WHERE h.id = p_id $$;
ALTER FUNCTION zx_household_county(uuid) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_household_county(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_household_county(uuid) TO zhenxing_app;

-- 2. The household list is ordered by (region_code, county_code, household_number): the RLS range
--    and any region filter are a range on the first column, so one index walk in that order
--    serves every scope (village … province) and stops after the page (households_scope).
--    Frequent equality filters get the same order behind their column.
CREATE INDEX households_status_walk ON households (status, region_code, county_code, household_number);
CREATE INDEX households_attribute_walk ON households (attribute, region_code, county_code, household_number);
CREATE INDEX households_year_walk ON households (year_identified, region_code, county_code, household_number);

-- 3. Bulk writes (imports, demo, property batches, offboarding) refresh the statistics of the
--    tables they filled before they report done. ANALYZE needs the owner: this function runs as
--    the owner, on a fixed list of tables only.
CREATE FUNCTION zx_analyze(p_tables text[]) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY p_tables LOOP
    IF t NOT IN ('households', 'members', 'household_years', 'household_events', 'assistance_measures',
                 'audit_events', 'jobs', 'job_errors', 'property_hits', 'property_checks',
                 'property_reports', 'outbox', 'webhook_events', 'webhook_deliveries') THEN
      RAISE EXCEPTION 'zx_analyze: % is not a table it may analyze', t;
    END IF;
    IF to_regclass('public.' || t) IS NOT NULL THEN
      EXECUTE format('ANALYZE public.%I', t);
    END IF;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION zx_analyze(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_analyze(text[]) TO zhenxing_app;
