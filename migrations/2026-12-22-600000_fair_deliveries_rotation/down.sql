-- Back to the claim of 2026-12-22-400000.
CREATE OR REPLACE FUNCTION zx_claim_deliveries(p_worker text, p_lease_secs double precision, p_limit integer)
  RETURNS TABLE (county_code integer, id uuid, url text, secret text, event_id uuid, kind text,
                 payload jsonb, occurred_at timestamptz, attempts integer)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH unreadable AS MATERIALIZED (
    SELECT e.county_code, e.id AS endpoint_id, k.kind
      FROM public.webhook_endpoints e, unnest(e.events) AS k(kind)
     WHERE e.active AND NOT zx_owner_reads(e.owned_by, e.region_code, k.kind)
  ), unsent AS (
    SELECT d.county_code, d.id,
           CASE WHEN NOT (v.kind = ANY(e.events))
                THEN 'not sent: the endpoint no longer subscribes to ' || v.kind
                WHEN e.owned_by IS NULL
                THEN 'not sent: the endpoint has no owner; an administrator who may read ' || v.kind
                     || ' events takes it over by saving it'
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
            OR EXISTS (SELECT 1 FROM unreadable u
                        WHERE u.county_code = d.county_code AND u.endpoint_id = d.endpoint_id
                          AND u.kind = v.kind))
     FOR UPDATE OF d SKIP LOCKED
     LIMIT p_limit
  ), ended AS (
    UPDATE public.webhook_deliveries d
       SET status = 'failed', last_error = u.reason
      FROM unsent u WHERE d.county_code = u.county_code AND d.id = u.id
    RETURNING d.id
  ), counties AS (
    -- The counties with a delivery waiting: one index probe each (a loose scan of
    -- webhook_deliveries_county_due), not a read of every waiting delivery.
    SELECT c.county_code FROM (
      WITH RECURSIVE walk(county_code) AS (
        (SELECT w.county_code FROM public.webhook_deliveries w
          WHERE w.status = 'pending' ORDER BY w.county_code LIMIT 1)
        UNION ALL
        SELECT (SELECT w.county_code FROM public.webhook_deliveries w
                 WHERE w.status = 'pending' AND w.county_code > walk.county_code
                 ORDER BY w.county_code LIMIT 1)
          FROM walk WHERE walk.county_code IS NOT NULL
      )
      SELECT walk.county_code FROM walk WHERE walk.county_code IS NOT NULL
    ) c
  ), pick AS (
    -- Up to p_limit due deliveries of each county, oldest first; then the first of every
    -- county before the second of any: a county that queued a hundred thousand (an import)
    -- does not hold another's back until it has drained.
    SELECT x.county_code, x.id FROM (
      SELECT p.county_code, p.id, p.next_attempt_at,
             row_number() OVER (PARTITION BY p.county_code ORDER BY p.next_attempt_at, p.id) AS turn
        FROM counties c CROSS JOIN LATERAL (
          SELECT d.county_code, d.id, d.next_attempt_at FROM public.webhook_deliveries d
            JOIN public.webhook_endpoints e ON e.county_code = d.county_code AND e.id = d.endpoint_id
           WHERE d.county_code = c.county_code
             AND d.status = 'pending' AND d.next_attempt_at <= now()
             AND (d.lease_until IS NULL OR d.lease_until < now())
             AND e.active
             AND EXISTS (SELECT 1 FROM public.webhook_events v
                          WHERE v.county_code = d.county_code AND v.id = d.event_id
                            AND v.kind = ANY(e.events)
                            AND NOT EXISTS (SELECT 1 FROM unreadable u
                                             WHERE u.county_code = d.county_code
                                               AND u.endpoint_id = d.endpoint_id AND u.kind = v.kind))
           ORDER BY d.next_attempt_at, d.id
           FOR UPDATE OF d SKIP LOCKED
           LIMIT p_limit
        ) p
    ) x
    ORDER BY x.turn, x.next_attempt_at, x.county_code
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
