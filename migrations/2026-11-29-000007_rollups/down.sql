DROP TRIGGER IF EXISTS households_counts_update ON households;
DROP TRIGGER IF EXISTS households_counts_insert_delete ON households;
DROP FUNCTION IF EXISTS zx_household_counts();
DROP FUNCTION IF EXISTS zx_count_household(integer, bigint, text, text, text[], integer, integer);
DROP FUNCTION IF EXISTS zx_compact_household_counts();
DROP TABLE IF EXISTS household_counts, household_count_deltas;
DROP SEQUENCE IF EXISTS household_count_deltas_seq;
DELETE FROM role_permissions WHERE permission = 'cases:drilldown';
DELETE FROM permissions WHERE name = 'cases:drilldown';
