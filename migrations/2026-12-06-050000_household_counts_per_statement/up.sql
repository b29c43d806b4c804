-- Dashboard counts per statement instead of per row (issue 16, import speed). The row trigger
-- called a definer function for every household, which appended 4 to 6 delta rows one INSERT at
-- a time: two thirds of the time of a bulk load. Statement triggers with transition tables
-- append the deltas of a whole statement in one INSERT … SELECT, summed per key first, so a
-- batch of a thousand households in one village adds a handful of rows, not thousands.
--
-- Transition tables cannot be combined with several events or with a column list, hence three
-- triggers; the update trigger compares old and new rows itself (what the WHEN clause did).
-- The trigger functions run as zhenxing_definer (SECURITY DEFINER), which may append to the
-- deltas of the township rows a village user's scope does not reach; they read only the
-- transition tables, and a trigger function cannot be called directly.

DROP TRIGGER households_counts_insert_delete ON households;
DROP TRIGGER households_counts_update ON households;
DROP FUNCTION zx_household_counts();

-- Appends the deltas of a set of (row, sign) pairs: the village row and its township's row,
-- once without a cause and once per poverty cause, summed per key.
CREATE FUNCTION zx_household_counts_stmt() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO public.household_count_deltas (county_code, region_code, status, attribute, cause, households, people)
    SELECT h.county_code, r, h.status, h.attribute, c, count(*), sum(h.member_count)
      FROM zx_new h
      CROSS JOIN LATERAL unnest(ARRAY[h.region_code, (h.region_code / 1000) * 1000]) AS r
      CROSS JOIN LATERAL unnest(array_prepend('', h.poverty_causes)) AS c
     GROUP BY 1, 2, 3, 4, 5;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO public.household_count_deltas (county_code, region_code, status, attribute, cause, households, people)
    SELECT h.county_code, r, h.status, h.attribute, c, -count(*), -sum(h.member_count)
      FROM zx_old h
      CROSS JOIN LATERAL unnest(ARRAY[h.region_code, (h.region_code / 1000) * 1000]) AS r
      CROSS JOIN LATERAL unnest(array_prepend('', h.poverty_causes)) AS c
     GROUP BY 1, 2, 3, 4, 5;
  ELSE
    INSERT INTO public.household_count_deltas (county_code, region_code, status, attribute, cause, households, people)
    SELECT d.county_code, r, d.status, d.attribute, c, sum(d.sign), sum(d.sign * d.member_count)
      FROM (SELECT o.county_code, o.region_code, o.status, o.attribute, o.poverty_causes, o.member_count, -1 AS sign
              FROM zx_old o JOIN zx_new n ON n.id = o.id
             WHERE (o.status, o.attribute, o.poverty_causes, o.member_count, o.region_code)
                   IS DISTINCT FROM (n.status, n.attribute, n.poverty_causes, n.member_count, n.region_code)
            UNION ALL
            SELECT n.county_code, n.region_code, n.status, n.attribute, n.poverty_causes, n.member_count, 1
              FROM zx_old o JOIN zx_new n ON n.id = o.id
             WHERE (o.status, o.attribute, o.poverty_causes, o.member_count, o.region_code)
                   IS DISTINCT FROM (n.status, n.attribute, n.poverty_causes, n.member_count, n.region_code)) AS d
      CROSS JOIN LATERAL unnest(ARRAY[d.region_code, (d.region_code / 1000) * 1000]) AS r
      CROSS JOIN LATERAL unnest(array_prepend('', d.poverty_causes)) AS c
     GROUP BY 1, 2, 3, 4, 5
    HAVING sum(d.sign) <> 0 OR sum(d.sign * d.member_count) <> 0;
  END IF;
  RETURN NULL;
END $$;
ALTER FUNCTION zx_household_counts_stmt() OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_household_counts_stmt() FROM PUBLIC;

CREATE TRIGGER households_counts_insert AFTER INSERT ON households
  REFERENCING NEW TABLE AS zx_new FOR EACH STATEMENT EXECUTE FUNCTION zx_household_counts_stmt();
CREATE TRIGGER households_counts_delete AFTER DELETE ON households
  REFERENCING OLD TABLE AS zx_old FOR EACH STATEMENT EXECUTE FUNCTION zx_household_counts_stmt();
CREATE TRIGGER households_counts_update AFTER UPDATE ON households
  REFERENCING OLD TABLE AS zx_old NEW TABLE AS zx_new FOR EACH STATEMENT EXECUTE FUNCTION zx_household_counts_stmt();
