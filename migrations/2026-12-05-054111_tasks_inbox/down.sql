DROP INDEX IF EXISTS exit_lists_waiting;
DROP INDEX IF EXISTS exit_objections_open;
DROP INDEX IF EXISTS monitoring_cases_identifying;
DROP INDEX IF EXISTS property_hits_pending;
DROP INDEX IF EXISTS property_reports_unconfirmed;
DROP INDEX IF EXISTS ranger_contracts_running;
DROP INDEX IF EXISTS pairings_member_open;
DROP INDEX IF EXISTS jobs_failed_by;
