-- Export jobs keep their file in the file store, not in the job row (issue 16: a county's export
-- is tens of megabytes; held in a bytea it was written through the database, kept in memory
-- whole three times, and read back whole for each download). The key is the county's own area
-- of the store and names the job, as an import's upload does.
ALTER TABLE jobs ADD COLUMN result_key text
  CONSTRAINT jobs_result_key_of_the_job
  CHECK (result_key = lpad(county_code::text, 6, '0') || '/exports/' || id::text);

GRANT UPDATE (result_key) ON jobs TO zhenxing_definer;

-- Jobs run in place (no payload of either kind) and silent are failed, or cancelled when a user
-- had asked them to stop (the command line's import cancelled, its process gone since).
CREATE OR REPLACE FUNCTION zx_fail_stale_jobs(p_silence interval) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  failed bigint;
BEGIN
  UPDATE public.jobs j
     SET status = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'failed' END,
         finished_at = now(), updated_at = now(),
         summary = jsonb_build_object('error', CASE WHEN j.cancel_requested_at IS NOT NULL
           THEN CASE WHEN j.kind = 'household_export' THEN 'cancelled: no file was kept; export again when needed' ELSE 'cancelled: rows already imported stay, each household whole; import the file again to finish' END
           ELSE 'interrupted: its process stopped; rows already imported stay, import the file again to finish' END)
   WHERE status IN ('queued', 'running') AND payload IS NULL AND payload_key IS NULL
     AND updated_at < now() - p_silence;
  GET DIAGNOSTICS failed = ROW_COUNT;
  -- Exported files are kept for a day: the key is forgotten here, the object removed by
  -- housekeeping (`jobs::sweep_exports`, objects stored more than 25 hours ago).
  UPDATE public.jobs SET result = NULL, result_key = NULL
   WHERE (result IS NOT NULL OR result_key IS NOT NULL) AND finished_at < now() - interval '1 day';
  RETURN failed;
END $$;

