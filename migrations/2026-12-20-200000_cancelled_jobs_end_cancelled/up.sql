-- A job cancelled while it ran ends `cancelled` even when its server goes away before the run's
-- next checkpoint (review of 2026-12-20-100000): before, another instance's claim re-ran it
-- (clearing its progress and row errors to stop at once) or, on its last attempt, failed it;
-- the stale sweep failed a cancelled command-line import. Both now end it cancelled.
DROP FUNCTION zx_claim_job(text, double precision, integer, integer);
CREATE FUNCTION zx_claim_job(p_worker text, p_lease_secs double precision, p_max_attempts integer,
                             p_county_max_running integer)
  RETURNS TABLE (county_code integer, id uuid, region_code bigint, created_by uuid, attempts integer)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(17020);
  -- A job cancelled while it ran, whose server went away before its next checkpoint, ends
  -- cancelled (its progress and row errors as they stand), whatever its attempts: never run
  -- again, never counted as failed.
  UPDATE public.jobs j
     SET status = 'cancelled', finished_at = now(), updated_at = now(), payload = NULL, locked_by = NULL,
         summary = jsonb_build_object('error', CASE WHEN j.kind = 'household_export' THEN 'cancelled: no file was kept; export again when needed' ELSE 'cancelled: rows already imported stay, each household whole; import the file again to finish' END)
   WHERE j.status = 'running' AND j.lease_until < now() AND j.cancel_requested_at IS NOT NULL;
  UPDATE public.jobs j
     SET status = 'failed', finished_at = now(), updated_at = now(), payload = NULL, locked_by = NULL,
         summary = jsonb_build_object('error', 'stopped: the servers running it went away ' || j.attempts || ' times; rows already imported stay, import the file again to finish')
   WHERE j.status = 'running' AND j.lease_until < now() AND j.attempts >= p_max_attempts;
  RETURN QUERY
  WITH running AS (
    SELECT r.county_code, count(*) AS n FROM public.jobs r
     WHERE r.status = 'running' AND r.lease_until >= now()
     GROUP BY r.county_code
  ), pick AS (
    SELECT c.county_code, c.id FROM public.jobs c
      LEFT JOIN running ON running.county_code = c.county_code
     WHERE (c.payload IS NOT NULL OR c.payload_key IS NOT NULL)
       AND (c.status = 'queued' OR (c.status = 'running' AND c.lease_until < now()))
       AND coalesce(running.n, 0) < p_county_max_running
     ORDER BY coalesce(running.n, 0), c.created_at
     FOR UPDATE OF c SKIP LOCKED
     LIMIT 1
  )
  UPDATE public.jobs j
     SET status = 'running', locked_by = p_worker, attempts = j.attempts + 1, updated_at = now(),
         lease_until = now() + make_interval(secs => p_lease_secs)
    FROM pick
   WHERE j.county_code = pick.county_code AND j.id = pick.id
  RETURNING j.county_code, j.id, j.region_code, j.created_by, j.attempts;
END $$;
ALTER FUNCTION zx_claim_job(text, double precision, integer, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_claim_job(text, double precision, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_claim_job(text, double precision, integer, integer) TO zhenxing_app;

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

