-- The to-do inbox (issue 19, item 3): GET /api/v1/me/tasks reads only what waits for someone.
-- Each source gets a partial index over its waiting rows, led by what the inbox filters on
-- (stage or status, then the region range of the caller's grant), so the inbox reads the tasks
-- and nothing else whatever the size of the county and whether statistics exist.

-- Exit lists not filed, by stage and village.
CREATE INDEX exit_lists_waiting ON exit_lists (stage, region_code) WHERE stage <> 'filed';
-- Open objections, by village.
CREATE INDEX exit_objections_open ON exit_objections (region_code) WHERE status = 'open';
-- Monitoring cases waiting for identification (township review, county confirmation).
CREATE INDEX monitoring_cases_identifying ON monitoring_cases (stage, region_code, deadline)
  WHERE stage IN ('identified', 'township_reviewed');
-- Property hits the village still has to verify.
CREATE INDEX property_hits_pending ON property_hits (region_code) WHERE status = 'pending';
-- Township tables waiting for the county's confirmation.
CREATE INDEX property_reports_unconfirmed ON property_reports (region_code) WHERE confirmed_at IS NULL;
-- Ranger contracts still running (paid month by month).
CREATE INDEX ranger_contracts_running ON ranger_contracts (region_code) WHERE terminated_on IS NULL;
-- A cadre's open pairings.
CREATE INDEX pairings_member_open ON pairings (county_code, member_id) WHERE end_date IS NULL;
-- Failed jobs by who started them.
CREATE INDEX jobs_failed_by ON jobs (created_by, finished_at) WHERE status = 'failed';
