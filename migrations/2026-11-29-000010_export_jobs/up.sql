-- Exports can run as jobs too: the file is kept with the job for a day, then housekeeping
-- removes it.
ALTER TABLE jobs
  ADD COLUMN result              bytea,
  ADD COLUMN result_content_type text,
  ADD COLUMN result_name         text;
GRANT UPDATE (result) ON jobs TO zhenxing_definer;

CREATE OR REPLACE FUNCTION zx_fail_stale_jobs(p_silence interval) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  failed bigint;
BEGIN
  UPDATE public.jobs
     SET status = 'failed', finished_at = now(), updated_at = now(),
         summary = jsonb_build_object('error', 'interrupted: its process stopped; rows already imported stay, import the file again to finish')
   WHERE status IN ('queued', 'running') AND payload IS NULL AND updated_at < now() - p_silence;
  GET DIAGNOSTICS failed = ROW_COUNT;
  -- Exported files are kept for a day.
  UPDATE public.jobs SET result = NULL
   WHERE result IS NOT NULL AND finished_at < now() - interval '1 day';
  RETURN failed;
END $$;
