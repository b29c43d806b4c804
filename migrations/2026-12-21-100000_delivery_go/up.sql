-- A delivery was checked against its endpoint once, when claimed, and POSTed later: a pause,
-- a delete or the owner's lost permission that committed in between did not stop it (review,
-- 2026-12-07; the cause of a flaky test). Right before the POST the worker asks again: is the
-- delivery still its own, still waiting, its endpoint active, subscribed to its kind, its owner
-- still reading it? If so, the lease is renewed for the POST (`p_lease_secs`: the lookup and the
-- waits before it have used part of the claim's); if not, the claim is given back without
-- spending the attempt (the next claim ends it as failed, saying why, or leaves it waiting while
-- the endpoint is paused). A pause or a delete then waits for the deliveries that passed this
-- check (infra::app::webhooks::drain).
CREATE FUNCTION zx_delivery_go(p_county integer, p_id uuid, p_worker text, p_attempts integer,
                               p_lease_secs double precision)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM public.webhook_deliveries d
      JOIN public.webhook_endpoints e ON e.county_code = d.county_code AND e.id = d.endpoint_id
      JOIN public.webhook_events v ON v.county_code = d.county_code AND v.id = d.event_id
     WHERE d.county_code = p_county AND d.id = p_id AND d.locked_by = p_worker
       AND d.attempts = p_attempts AND d.status = 'pending' AND d.lease_until > now()
       AND e.active AND v.kind = ANY(e.events)
       AND zx_owner_reads(e.owned_by, e.region_code, v.kind)) THEN
    UPDATE public.webhook_deliveries
       SET lease_until = now() + make_interval(secs => p_lease_secs)
     WHERE county_code = p_county AND id = p_id;
    RETURN true;
  END IF;
  UPDATE public.webhook_deliveries
     SET attempts = attempts - 1, locked_by = NULL, lease_until = NULL
   WHERE county_code = p_county AND id = p_id AND locked_by = p_worker
     AND attempts = p_attempts AND status = 'pending';
  RETURN false;
END
$$;
ALTER FUNCTION zx_delivery_go(integer, uuid, text, integer, double precision) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_delivery_go(integer, uuid, text, integer, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_delivery_go(integer, uuid, text, integer, double precision) TO zhenxing_app;
