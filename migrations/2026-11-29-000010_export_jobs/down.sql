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
  RETURN failed;
END $$;
REVOKE UPDATE (result) ON jobs FROM zhenxing_definer;
ALTER TABLE jobs DROP COLUMN result, DROP COLUMN result_content_type, DROP COLUMN result_name;
