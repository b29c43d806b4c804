DROP FUNCTION zx_analyze(text[]);
DROP INDEX households_status_walk;
DROP INDEX households_attribute_walk;
DROP INDEX households_year_walk;
DROP FUNCTION zx_household_county(uuid);
REVOKE SELECT (id, county_code) ON households FROM zhenxing_definer;
DROP POLICY households_definer_read ON households;
