-- Rollups for dashboards at province scale: households and people by status, attribute and
-- poverty cause, per village and per township, kept in the same transaction as every change
-- to a household by a trigger. Province, city and county figures sum township rows (a few
-- thousand per province); drill-down below a township reads village rows.

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
CREATE INDEX household_counts_scope ON household_counts (region_code) INCLUDE (status, attribute, cause, households, people);
ALTER TABLE household_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY household_counts_own ON household_counts
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
-- The trigger writes the township row too, which a village user's scope does not reach: it
-- runs as zhenxing_definer, allowed to maintain the counts and nothing else.
CREATE POLICY household_counts_definer ON household_counts TO zhenxing_definer USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON household_counts TO zhenxing_definer;
GRANT SELECT ON household_counts TO zhenxing_app;

CREATE FUNCTION zx_count_household(p_county integer, p_region bigint, p_status text, p_attribute text,
                                   p_causes text[], p_people integer, p_sign integer) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE r bigint; c text;
BEGIN
  FOREACH r IN ARRAY ARRAY[p_region, (p_region / 1000) * 1000] LOOP
    FOREACH c IN ARRAY array_prepend('', p_causes) LOOP
      INSERT INTO public.household_counts AS t (county_code, region_code, status, attribute, cause, households, people)
      VALUES (p_county, r, p_status, p_attribute, c, p_sign, p_sign * p_people)
      ON CONFLICT (county_code, region_code, status, attribute, cause)
      DO UPDATE SET households = t.households + EXCLUDED.households, people = t.people + EXCLUDED.people;
    END LOOP;
  END LOOP;
END $$;
ALTER FUNCTION zx_count_household(integer, bigint, text, text, text[], integer, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_count_household(integer, bigint, text, text, text[], integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_count_household(integer, bigint, text, text, text[], integer, integer) TO zhenxing_app;

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
