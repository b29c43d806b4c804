-- Back to 2026-12-20-200000's zx_fail_stale_jobs; the stored files are the store's to remove.
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
  -- Exported files are kept for a day.
  UPDATE public.jobs SET result = NULL
   WHERE result IS NOT NULL AND finished_at < now() - interval '1 day';
  RETURN failed;
END $$;


ALTER TABLE jobs DROP COLUMN result_key;
