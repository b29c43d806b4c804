-- GET /pairings and GET /ranger-contracts are paged (they were capped at 5,000 rows without
-- saying so): each page walks its list order from the cursor and stops after the page. Pairings
-- had no index by region at all (a county's list sorted every pairing it ever made).
CREATE INDEX pairings_walk ON pairings (region_code, start_date, id);
CREATE INDEX pairings_household_walk ON pairings (county_code, household_id, start_date, id);
DROP INDEX pairings_household;
CREATE INDEX ranger_contracts_walk ON ranger_contracts (region_code, start_date, id);
DROP INDEX ranger_contracts_scope;
