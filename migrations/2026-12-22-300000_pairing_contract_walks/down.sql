CREATE INDEX ranger_contracts_scope ON ranger_contracts (region_code);
DROP INDEX ranger_contracts_walk;
CREATE INDEX pairings_household ON pairings (county_code, household_id);
DROP INDEX pairings_household_walk;
DROP INDEX pairings_walk;
