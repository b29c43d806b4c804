DROP TRIGGER IF EXISTS households_counts_update ON households;
DROP TRIGGER IF EXISTS households_counts_insert_delete ON households;
DROP FUNCTION IF EXISTS zx_household_counts();
DROP FUNCTION IF EXISTS zx_count_household(integer, bigint, text, text, text[], integer, integer);
DROP TABLE IF EXISTS household_counts;
DELETE FROM role_permissions WHERE permission = 'cases:drilldown';
DELETE FROM permissions WHERE name = 'cases:drilldown';
