DROP FUNCTION zx_claim_job(text, double precision, integer, integer);
CREATE FUNCTION zx_claim_job(p_worker text, p_lease_secs double precision, p_max_attempts integer)
  RETURNS TABLE (county_code integer, id uuid, region_code bigint, created_by uuid, attempts integer)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE public.jobs j
     SET status = 'failed', finished_at = now(), updated_at = now(), payload = NULL, locked_by = NULL,
         summary = jsonb_build_object('error', 'stopped: the servers running it went away ' || j.attempts || ' times; rows already imported stay, import the file again to finish')
   WHERE j.status = 'running' AND j.lease_until < now() AND j.attempts >= p_max_attempts;
  RETURN QUERY
  UPDATE public.jobs j
     SET status = 'running', locked_by = p_worker, attempts = j.attempts + 1, updated_at = now(),
         lease_until = now() + make_interval(secs => p_lease_secs)
    FROM (SELECT c.county_code, c.id FROM public.jobs c
           WHERE c.payload IS NOT NULL
             AND (c.status = 'queued' OR (c.status = 'running' AND c.lease_until < now()))
           ORDER BY c.created_at
           FOR UPDATE SKIP LOCKED
           LIMIT 1) pick
   WHERE j.county_code = pick.county_code AND j.id = pick.id
  RETURNING j.county_code, j.id, j.region_code, j.created_by, j.attempts;
END $$;
ALTER FUNCTION zx_claim_job(text, double precision, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_claim_job(text, double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_claim_job(text, double precision, integer) TO zhenxing_app;
