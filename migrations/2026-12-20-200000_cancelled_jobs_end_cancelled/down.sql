-- Back to 2026-12-13-300000's definitions.
DROP FUNCTION zx_claim_job(text, double precision, integer, integer);
CREATE FUNCTION zx_claim_job(p_worker text, p_lease_secs double precision, p_max_attempts integer,
                             p_county_max_running integer)
  RETURNS TABLE (county_code integer, id uuid, region_code bigint, created_by uuid, attempts integer)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(17020);
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

-- Jobs run in place (no payload of either kind) and silent are failed, as before; queued jobs
-- with a stored upload are the workers' (their leases say whether they live).
CREATE OR REPLACE FUNCTION zx_fail_stale_jobs(p_silence interval) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  failed bigint;
BEGIN
  UPDATE public.jobs
     SET status = 'failed', finished_at = now(), updated_at = now(),
         summary = jsonb_build_object('error', 'interrupted: its process stopped; rows already imported stay, import the file again to finish')
   WHERE status IN ('queued', 'running') AND payload IS NULL AND payload_key IS NULL
     AND updated_at < now() - p_silence;
  GET DIAGNOSTICS failed = ROW_COUNT;
  -- Exported files are kept for a day.
  UPDATE public.jobs SET result = NULL
   WHERE result IS NOT NULL AND finished_at < now() - interval '1 day';
  RETURN failed;
END $$;

