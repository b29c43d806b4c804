-- Opening a monitoring case reads the household's earlier cases (a risk may not be dated before
-- the last one closed); the only index by household was the partial one of open cases.
CREATE INDEX monitoring_cases_household ON monitoring_cases (county_code, household_id);
