DROP TRIGGER households_counts_insert ON households;
DROP TRIGGER households_counts_delete ON households;
DROP TRIGGER households_counts_update ON households;
DROP FUNCTION zx_household_counts_stmt();

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
