-- A webhook delivery tells what reading its object does (a household's number, village and
-- status; a workflow step; a disbursement's amount), so it goes out only while the endpoint's
-- owner may read that at the county (review, 2026-12-07): `tenant_admin` carries
-- `webhooks:manage` but not `cases:read`, `workflow:read` or `funds:read`, and could subscribe
-- to what its role cannot read; an administrator who left went on receiving. The owner is who
-- last saved the endpoint (creating or changing it needs the read permission of every kind
-- it subscribes to, checked by the server); a delivery whose owner is disabled or no longer
-- holds that permission at the county (or above) ends as failed, saying why, like one whose
-- kind was dropped.
ALTER TABLE webhook_endpoints ADD COLUMN owned_by uuid;
UPDATE webhook_endpoints SET owned_by = created_by;

-- The permission that reads what an event of a kind tells (domain::webhooks::EventKind::reads;
-- a test checks the two agree). NULL for a kind it does not know: such deliveries are not sent.
CREATE FUNCTION zx_event_reads(p_kind text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
  SELECT CASE p_kind
    WHEN 'household.created' THEN 'cases:read'
    WHEN 'household.changed' THEN 'cases:read'
    WHEN 'workflow.step_taken' THEN 'workflow:read'
    WHEN 'exit.notice_ended' THEN 'workflow:read'
    WHEN 'monitoring.lead_raised' THEN 'workflow:read'
    WHEN 'funds.disbursement_made' THEN 'funds:read'
  END
$$;

-- Whether the owner of an endpoint of the county at `p_county_region` may read events of
-- `p_kind` there: enabled, holding a role that carries the kind's permission at the county or
-- a unit above it (a grant below covers part of the county only).
CREATE POLICY role_grants_definer_read ON role_grants FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT ON role_grants TO zhenxing_definer;
GRANT SELECT ON role_permissions TO zhenxing_definer;
CREATE FUNCTION zx_owner_reads(p_owner uuid, p_county_region bigint, p_kind text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.users u
      JOIN public.role_grants g ON g.county_code = u.county_code AND g.user_id = u.id
      JOIN public.role_permissions p ON p.role = g.role
     WHERE u.id = p_owner AND NOT u.disabled
       AND p.permission = zx_event_reads(p_kind)
       AND g.region_code IN (p_county_region,
                             p_county_region / 100000000 * 100000000,
                             p_county_region / 10000000000 * 10000000000,
                             0))
$$;
ALTER FUNCTION zx_owner_reads(uuid, bigint, text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_owner_reads(uuid, bigint, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION zx_claim_deliveries(p_worker text, p_lease_secs double precision, p_limit integer)
  RETURNS TABLE (county_code integer, id uuid, url text, secret text, event_id uuid, kind text,
                 payload jsonb, occurred_at timestamptz, attempts integer)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH unsent AS (
    SELECT d.county_code, d.id,
           CASE WHEN NOT (v.kind = ANY(e.events))
                THEN 'not sent: the endpoint no longer subscribes to ' || v.kind
                ELSE 'not sent: the endpoint''s owner no longer reads ' || v.kind
                     || ' events (' || coalesce(zx_event_reads(v.kind), 'unknown kind')
                     || ' at the county, enabled); an administrator who does takes the endpoint over by saving it'
           END AS reason
      FROM public.webhook_deliveries d
      JOIN public.webhook_endpoints e ON e.county_code = d.county_code AND e.id = d.endpoint_id
      JOIN public.webhook_events v ON v.county_code = d.county_code AND v.id = d.event_id
     WHERE d.status = 'pending' AND d.next_attempt_at <= now()
       AND (d.lease_until IS NULL OR d.lease_until < now())
       AND (NOT (v.kind = ANY(e.events))
            OR (e.active AND NOT zx_owner_reads(e.owned_by, e.region_code, v.kind)))
     FOR UPDATE OF d SKIP LOCKED
     LIMIT p_limit
  ), ended AS (
    UPDATE public.webhook_deliveries d
       SET status = 'failed', last_error = u.reason
      FROM unsent u WHERE d.county_code = u.county_code AND d.id = u.id
    RETURNING d.id
  ), pick AS (
    SELECT d.county_code, d.id FROM public.webhook_deliveries d
      JOIN public.webhook_endpoints e ON e.county_code = d.county_code AND e.id = d.endpoint_id
     WHERE d.status = 'pending' AND d.next_attempt_at <= now()
       AND (d.lease_until IS NULL OR d.lease_until < now())
       AND e.active
       AND EXISTS (SELECT 1 FROM public.webhook_events v
                    WHERE v.county_code = d.county_code AND v.id = d.event_id
                      AND v.kind = ANY(e.events)
                      AND zx_owner_reads(e.owned_by, e.region_code, v.kind))
     ORDER BY d.next_attempt_at
     FOR UPDATE OF d SKIP LOCKED
     LIMIT p_limit
  ), claimed AS (
    UPDATE public.webhook_deliveries d
       SET attempts = d.attempts + 1, locked_by = p_worker,
           lease_until = now() + make_interval(secs => p_lease_secs)
      FROM pick WHERE d.county_code = pick.county_code AND d.id = pick.id
    RETURNING d.county_code, d.id, d.endpoint_id, d.event_id, d.attempts
  )
  SELECT c.county_code, c.id, e.url, e.secret, c.event_id, v.kind, v.payload, v.occurred_at, c.attempts
    FROM claimed c
    JOIN public.webhook_endpoints e ON e.county_code = c.county_code AND e.id = c.endpoint_id
    JOIN public.webhook_events v ON v.county_code = c.county_code AND v.id = c.event_id
$$;
