-- Every list page walks an index in its order and stops after the page (issue 16), like the
-- household list (2026-12-04-002500_scale_plans). Lists in a scope are ordered by village first:
-- the row-level-security range and the region filter are ranges on region_code, so one walk of an
-- index leading with region_code serves every scope (village … province). Frequent equality
-- filters get the same order behind their column. Keysets are row comparisons, which the walk
-- takes as its start (an OR of comparisons would read every row before the cursor).

-- Monitoring cases: village, date found, id. Undecided cases (the `overdue` filter) are few
-- among all cases: a partial index walks only them.
CREATE INDEX monitoring_cases_walk ON monitoring_cases (region_code, found_on, id);
CREATE INDEX monitoring_cases_stage_walk ON monitoring_cases (stage, region_code, found_on, id);
CREATE INDEX monitoring_cases_kind_walk ON monitoring_cases (kind, region_code, found_on, id);
CREATE INDEX monitoring_cases_undecided_walk ON monitoring_cases (region_code, found_on, id)
  WHERE stage IN ('identified', 'township_reviewed');

-- Monitoring leads: village, time raised, id.
CREATE INDEX monitoring_leads_walk ON monitoring_leads (region_code, raised_at, id);
CREATE INDEX monitoring_leads_status_walk ON monitoring_leads (status, region_code, raised_at, id);

-- Property-check hits: village, batch, file row (a batch lies in one county).
CREATE INDEX property_hits_walk ON property_hits (region_code, batch_id, row_number);
CREATE INDEX property_hits_status_walk ON property_hits (status, region_code, batch_id, row_number);
CREATE INDEX property_hits_batch_walk ON property_hits (batch_id, region_code, row_number);

-- Exit lists: village, newest year first.
CREATE INDEX exit_lists_walk ON exit_lists (region_code, year DESC, id);

-- Projects: village, name, id; the ledgers of a project in their order.
CREATE INDEX projects_walk ON projects (region_code, name, id);
CREATE INDEX projects_year_walk ON projects (year, region_code, name, id);
CREATE INDEX allocations_ledger ON allocations (county_code, project_id, created_at, id);
CREATE INDEX disbursements_ledger ON disbursements (county_code, project_id, created_at, id);

-- Visits: village, newest first; a household's visits newest first.
CREATE INDEX visits_walk ON visits (region_code, visited_on DESC, id);
CREATE INDEX visits_household_walk ON visits (county_code, household_id, visited_on DESC, id);

-- Users: village (org unit), username (users_scope already is (region_code, username)).

-- Webhook deliveries of an endpoint, newest first (a backward walk), with and without a status.
CREATE INDEX webhook_deliveries_walk ON webhook_deliveries (county_code, endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_status_walk
  ON webhook_deliveries (county_code, endpoint_id, status, created_at, id);
