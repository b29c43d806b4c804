-- Rollups for dashboards at province scale: households and people by status, attribute and
-- poverty cause, per village and per township. Every change to a household appends its
-- deltas (−old, +new) in the same transaction, by a trigger: appends never wait on each
-- other, so concurrent imports cannot deadlock on shared township rows. Readers sum the
-- compacted counts and the pending deltas; housekeeping folds the deltas into the counts
-- every few seconds (one instance at a time). Province, city and county figures read township
-- rows (a few thousand per province); drill-down below a township reads village rows.

CREATE TABLE household_counts (
  county_code  integer NOT NULL,
  region_code  bigint NOT NULL,
  status       text NOT NULL,
  attribute    text NOT NULL,
  cause        text NOT NULL,
  households   bigint NOT NULL DEFAULT 0,
  people       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (county_code, region_code, status, attribute, cause)
);
-- Reports read one grain (township or village rows) and one dimension (status × attribute,
-- or cause) at a time: one covering partial index each, so a province reads only its
-- townships' rows of the dimension asked for.
CREATE INDEX household_counts_township_dims ON household_counts (region_code) INCLUDE (status, attribute, households, people)
  WHERE region_code % 1000 = 0 AND cause = '';
CREATE INDEX household_counts_township_causes ON household_counts (region_code) INCLUDE (cause, households, people)
  WHERE region_code % 1000 = 0 AND cause <> '';
CREATE INDEX household_counts_village_dims ON household_counts (region_code) INCLUDE (status, attribute, households, people)
  WHERE region_code % 1000 <> 0 AND cause = '';
CREATE INDEX household_counts_village_causes ON household_counts (region_code) INCLUDE (cause, households, people)
  WHERE region_code % 1000 <> 0 AND cause <> '';

CREATE SEQUENCE household_count_deltas_seq;
CREATE TABLE household_count_deltas (
  county_code  integer NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('household_count_deltas_seq'),
  region_code  bigint NOT NULL,
  status       text NOT NULL,
  attribute    text NOT NULL,
  cause        text NOT NULL,
  households   bigint NOT NULL,
  people       bigint NOT NULL,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX household_count_deltas_scope ON household_count_deltas (region_code);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['household_counts', 'household_count_deltas'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
    -- The trigger writes the township's rows too, which a village user's scope does not
    -- reach, and compaction spans every tenant: both run as zhenxing_definer.
    EXECUTE format('CREATE POLICY %I ON %I TO zhenxing_definer USING (true) WITH CHECK (true)', t || '_definer', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON household_counts TO zhenxing_definer;
GRANT SELECT, INSERT, DELETE ON household_count_deltas TO zhenxing_definer;
GRANT USAGE ON SEQUENCE household_count_deltas_seq TO zhenxing_definer;
GRANT SELECT ON household_counts, household_count_deltas TO zhenxing_app;

CREATE FUNCTION zx_count_household(p_county integer, p_region bigint, p_status text, p_attribute text,
                                   p_causes text[], p_people integer, p_sign integer) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO public.household_count_deltas (county_code, region_code, status, attribute, cause, households, people)
  SELECT p_county, r, p_status, p_attribute, c, p_sign, p_sign * p_people
    FROM unnest(ARRAY[p_region, (p_region / 1000) * 1000]) AS r,
         unnest(array_prepend('', p_causes)) AS c
$$;
ALTER FUNCTION zx_count_household(integer, bigint, text, text, text[], integer, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_count_household(integer, bigint, text, text, text[], integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_count_household(integer, bigint, text, text, text[], integer, integer) TO zhenxing_app;

-- Folds pending deltas into the counts; returns how many deltas it folded. One caller at a
-- time (others return 0 at once); rows are updated in key order.
CREATE FUNCTION zx_compact_household_counts() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE v_folded bigint;
BEGIN
  IF NOT pg_try_advisory_xact_lock(7741) THEN
    RETURN 0;
  END IF;
  WITH moved AS (DELETE FROM public.household_count_deltas RETURNING *),
       summed AS (SELECT county_code, region_code, status, attribute, cause,
                         sum(households) AS households, sum(people) AS people, count(*) AS deltas
                    FROM moved GROUP BY 1, 2, 3, 4, 5),
       upserted AS (INSERT INTO public.household_counts AS t (county_code, region_code, status, attribute, cause, households, people)
                    SELECT county_code, region_code, status, attribute, cause, households, people FROM summed
                     ORDER BY 1, 2, 3, 4, 5
                    ON CONFLICT (county_code, region_code, status, attribute, cause)
                    DO UPDATE SET households = t.households + EXCLUDED.households, people = t.people + EXCLUDED.people
                    RETURNING 1)
  SELECT coalesce((SELECT sum(deltas) FROM summed), 0)::bigint INTO v_folded;
  RETURN v_folded;
END $$;
ALTER FUNCTION zx_compact_household_counts() OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_compact_household_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_compact_household_counts() TO zhenxing_app;

CREATE FUNCTION zx_household_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM zx_count_household(OLD.county_code, OLD.region_code, OLD.status, OLD.attribute, OLD.poverty_causes, OLD.member_count, -1);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM zx_count_household(NEW.county_code, NEW.region_code, NEW.status, NEW.attribute, NEW.poverty_causes, NEW.member_count, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER households_counts_insert_delete AFTER INSERT OR DELETE ON households
  FOR EACH ROW EXECUTE FUNCTION zx_household_counts();
CREATE TRIGGER households_counts_update AFTER UPDATE OF status, attribute, poverty_causes, member_count, region_code ON households
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.attribute IS DISTINCT FROM NEW.attribute
                     OR OLD.poverty_causes IS DISTINCT FROM NEW.poverty_causes OR OLD.member_count IS DISTINCT FROM NEW.member_count
                     OR OLD.region_code IS DISTINCT FROM NEW.region_code)
  EXECUTE FUNCTION zx_household_counts();

-- Backfill what exists (the owner is subject to row-level security too: open the whole range
-- for this transaction).
SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true);
INSERT INTO household_counts (county_code, region_code, status, attribute, cause, households, people)
SELECT h.county_code, r.code, h.status, h.attribute, c.cause, count(*), sum(h.member_count)
  FROM households h
  CROSS JOIN LATERAL (VALUES (h.region_code), ((h.region_code / 1000) * 1000)) AS r (code)
  CROSS JOIN LATERAL unnest(array_prepend('', h.poverty_causes)) AS c (cause)
 GROUP BY 1, 2, 3, 4, 5;

-- The threshold below which aggregates seen above the county are suppressed is a setting
-- (reports.min_cell_people); reports need no table of their own.

-- Above the county, individual household records need a permission of their own; observers get
-- aggregates (counts, reports), auditors may drill down.
INSERT INTO permissions (name, description) VALUES
  ('cases:drilldown', 'Above the county: read individual household and member records, not only aggregates');
INSERT INTO role_permissions (role, permission) VALUES ('auditor', 'cases:drilldown');
