-- Work that outlives a request runs from PostgreSQL-backed queues that every instance shares:
-- jobs (imports) and webhook deliveries. Instances claim work with FOR UPDATE SKIP LOCKED
-- through narrow SECURITY DEFINER functions (the claim looks across counties; everything after
-- the claim runs in the county's own scope under row-level security). A claim is a lease: an
-- instance that dies stops renewing it, and another instance takes the work over.

-- Jobs: the payload (the uploaded file) is stored with the job, so any instance can run it.
ALTER TABLE jobs
  ADD COLUMN payload     bytea,
  ADD COLUMN attempts    integer NOT NULL DEFAULT 0,
  ADD COLUMN locked_by   text,
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN request_id  text;
CREATE INDEX jobs_ready ON jobs (created_at) WHERE status IN ('queued', 'running');
GRANT SELECT, UPDATE (status, summary, finished_at, updated_at, attempts, locked_by, lease_until, payload) ON jobs TO zhenxing_definer;
-- A rerun clears the row errors of the run before it (they are recorded again).
GRANT DELETE ON job_errors TO zhenxing_app;

-- Claims the oldest runnable job: queued, or running under a lease that ran out (its instance
-- died). Jobs that ran out of attempts are failed first. Returns nothing when there is no work.
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

-- Webhooks: endpoints a county registers, the events (written in the same transaction as the
-- change they describe: an outbox), and one delivery per event and endpoint.
CREATE TABLE webhook_endpoints (
  county_code integer NOT NULL,
  id          uuid NOT NULL,
  region_code bigint NOT NULL,
  url         text NOT NULL,
  secret      text NOT NULL,
  events      text[] NOT NULL,
  description text NOT NULL DEFAULT '',
  active      boolean NOT NULL DEFAULT true,
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id)
);
CREATE TABLE webhook_events (
  county_code integer NOT NULL,
  id          uuid NOT NULL,
  region_code bigint NOT NULL,
  kind        text NOT NULL,
  object_type text NOT NULL,
  object_id   text NOT NULL,
  payload     jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id)
);
CREATE INDEX webhook_events_time ON webhook_events (county_code, occurred_at);
CREATE TABLE webhook_deliveries (
  county_code     integer NOT NULL,
  id              uuid NOT NULL,
  region_code     bigint NOT NULL,
  endpoint_id     uuid NOT NULL,
  event_id        uuid NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,
  locked_by       text,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, endpoint_id) REFERENCES webhook_endpoints (county_code, id) ON DELETE CASCADE,
  FOREIGN KEY (county_code, event_id) REFERENCES webhook_events (county_code, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (county_code, endpoint_id, created_at);

-- How much work waits, for /metrics (counts only).
CREATE FUNCTION zx_queue_depths(OUT jobs_waiting bigint, OUT webhooks_waiting bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT (SELECT count(*) FROM public.jobs WHERE status IN ('queued', 'running') AND payload IS NOT NULL),
         (SELECT count(*) FROM public.webhook_deliveries WHERE status = 'pending')
$$;

-- Origins a county's front ends are served from (CORS). None by default.
CREATE TABLE cors_origins (
  county_code integer NOT NULL,
  origin      text NOT NULL,
  region_code bigint NOT NULL,
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, origin)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_events', 'webhook_deliveries', 'cors_origins'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())) '
                   'WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, cors_origins TO zhenxing_app;
GRANT SELECT ON webhook_events TO zhenxing_app;
GRANT SELECT, UPDATE (status, attempts, next_attempt_at, lease_until, locked_by, last_status, last_error, delivered_at)
  ON webhook_deliveries TO zhenxing_app;
GRANT INSERT ON webhook_deliveries TO zhenxing_app;

-- An event is raised from the scope of whoever made the change (a village clerk cannot see the
-- county's endpoints), so the outbox write goes through this function: it records the event
-- and one pending delivery per active endpoint of the county that listens for its kind.
CREATE POLICY webhook_endpoints_definer_read ON webhook_endpoints FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY webhook_events_definer_insert ON webhook_events FOR INSERT TO zhenxing_definer WITH CHECK (true);
CREATE POLICY webhook_events_definer_read ON webhook_events FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY webhook_deliveries_definer_insert ON webhook_deliveries FOR INSERT TO zhenxing_definer WITH CHECK (true);
CREATE POLICY webhook_deliveries_definer_read ON webhook_deliveries FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY webhook_deliveries_definer_claim ON webhook_deliveries FOR UPDATE TO zhenxing_definer USING (true) WITH CHECK (true);
GRANT SELECT ON webhook_endpoints TO zhenxing_definer;
GRANT SELECT, INSERT ON webhook_events TO zhenxing_definer;
GRANT SELECT, INSERT, UPDATE (attempts, lease_until, locked_by) ON webhook_deliveries TO zhenxing_definer;

CREATE FUNCTION zx_emit_event(p_county integer, p_region bigint, p_kind text, p_object_type text,
                              p_object_id text, p_payload jsonb, p_at timestamptz) RETURNS uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_id uuid := gen_random_uuid();
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.webhook_endpoints e
                  WHERE e.county_code = p_county AND e.active AND p_kind = ANY (e.events)) THEN
    RETURN NULL;
  END IF;
  INSERT INTO public.webhook_events (county_code, id, region_code, kind, object_type, object_id, payload, occurred_at)
  VALUES (p_county, v_id, p_region, p_kind, p_object_type, p_object_id, p_payload, p_at);
  INSERT INTO public.webhook_deliveries (county_code, id, region_code, endpoint_id, event_id)
  SELECT p_county, gen_random_uuid(), e.region_code, e.id, v_id
    FROM public.webhook_endpoints e
   WHERE e.county_code = p_county AND e.active AND p_kind = ANY (e.events);
  RETURN v_id;
END $$;
ALTER FUNCTION zx_emit_event(integer, bigint, text, text, text, jsonb, timestamptz) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_emit_event(integer, bigint, text, text, text, jsonb, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_emit_event(integer, bigint, text, text, text, jsonb, timestamptz) TO zhenxing_app;

CREATE FUNCTION zx_listening(p_county integer, p_kind text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT EXISTS (SELECT 1 FROM public.webhook_endpoints e
                  WHERE e.county_code = p_county AND e.active AND p_kind = ANY (e.events))
$$;
ALTER FUNCTION zx_listening(integer, text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_listening(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_listening(integer, text) TO zhenxing_app;

-- Notice periods end with time, not with a request: a periodic scan raises `exit.notice_ended`
-- once per notice (the marker holds the start of the notice it was raised for).
ALTER TABLE exit_lists ADD COLUMN notice_end_event_for timestamptz;
CREATE POLICY exit_lists_definer_notice ON exit_lists FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY exit_lists_definer_mark ON exit_lists FOR UPDATE TO zhenxing_definer USING (true) WITH CHECK (true);
GRANT SELECT, UPDATE (notice_end_event_for) ON exit_lists TO zhenxing_definer;
CREATE FUNCTION zx_emit_notices_ended(p_now timestamptz) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  r record;
  n integer := 0;
BEGIN
  FOR r IN SELECT l.county_code, l.id, l.region_code, l.year, l.stage, l.notice_started_at, l.notice_ends_at
             FROM public.exit_lists l
            WHERE l.notice_ends_at <= p_now
              AND l.notice_end_event_for IS DISTINCT FROM l.notice_started_at
            FOR UPDATE SKIP LOCKED LOOP
    PERFORM public.zx_emit_event(r.county_code, r.region_code, 'exit.notice_ended', 'exit_list', r.id::text,
      jsonb_build_object('exit_list_id', r.id, 'village', lpad(r.region_code::text, 12, '0'), 'year', r.year,
                         'stage', r.stage, 'notice_started_at', r.notice_started_at, 'notice_ended_at', r.notice_ends_at),
      r.notice_ends_at);
    UPDATE public.exit_lists SET notice_end_event_for = r.notice_started_at
     WHERE county_code = r.county_code AND id = r.id;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
ALTER FUNCTION zx_emit_notices_ended(timestamptz) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_emit_notices_ended(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_emit_notices_ended(timestamptz) TO zhenxing_app;

-- Claims up to p_limit due deliveries across counties, with what is needed to send them.
CREATE FUNCTION zx_claim_deliveries(p_worker text, p_lease_secs double precision, p_limit integer)
  RETURNS TABLE (county_code integer, id uuid, url text, secret text, event_id uuid, kind text,
                 payload jsonb, occurred_at timestamptz, attempts integer)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH pick AS (
    SELECT d.county_code, d.id FROM public.webhook_deliveries d
     WHERE d.status = 'pending' AND d.next_attempt_at <= now()
       AND (d.lease_until IS NULL OR d.lease_until < now())
     ORDER BY d.next_attempt_at
     FOR UPDATE SKIP LOCKED
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
ALTER FUNCTION zx_claim_deliveries(text, double precision, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_claim_deliveries(text, double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_claim_deliveries(text, double precision, integer) TO zhenxing_app;
ALTER FUNCTION zx_queue_depths() OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_queue_depths() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_queue_depths() TO zhenxing_app;

-- CORS: the counties that allow an origin (checked before any token is read, for preflights).
CREATE POLICY cors_origins_definer_read ON cors_origins FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT ON cors_origins TO zhenxing_definer;
CREATE FUNCTION zx_cors_counties(p_origin text) RETURNS integer[]
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT coalesce(array_agg(county_code), '{}') FROM public.cors_origins WHERE origin = p_origin
$$;
ALTER FUNCTION zx_cors_counties(text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_cors_counties(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_cors_counties(text) TO zhenxing_app;

-- Read-your-writes with a replica: after a user's write commits, the primary's WAL position is
-- noted here; a read for that user may go to a replica only once it has replayed that far.
-- Holds a user id and a WAL position, nothing of any tenant.
CREATE TABLE write_marks (
  user_id uuid PRIMARY KEY,
  lsn     pg_lsn NOT NULL,
  at      timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE write_marks OWNER TO zhenxing_definer;
REVOKE ALL ON write_marks FROM PUBLIC;
CREATE FUNCTION zx_mark_write(p_user uuid) RETURNS pg_lsn
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO public.write_marks (user_id, lsn, at) VALUES (p_user, pg_current_wal_lsn(), now())
  ON CONFLICT (user_id) DO UPDATE SET lsn = excluded.lsn, at = excluded.at
  RETURNING lsn
$$;
CREATE FUNCTION zx_write_mark(p_user uuid) RETURNS pg_lsn
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT lsn FROM public.write_marks WHERE user_id = p_user
$$;
ALTER FUNCTION zx_mark_write(uuid) OWNER TO zhenxing_definer;
ALTER FUNCTION zx_write_mark(uuid) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_mark_write(uuid), zx_write_mark(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_mark_write(uuid), zx_write_mark(uuid) TO zhenxing_app;

INSERT INTO permissions (name, description) VALUES
  ('webhooks:manage', 'Register webhook endpoints of the county and read their deliveries'),
  ('cors:manage', 'Set the origins the county''s front ends are served from');
INSERT INTO role_permissions (role, permission) VALUES
  ('tenant_admin', 'webhooks:manage'), ('tenant_admin', 'cors:manage');

-- Jobs with a payload are the queue's: a queued one may wait long, a running one is taken over
-- when its lease runs out. Housekeeping now fails only jobs run in place (operator commands)
-- whose process went away.
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

-- Audit retention: rows older than the county's `audit.retention_days` setting (else the
-- province's, else the default passed in) go, never sooner than p_min_days. The app role still
-- cannot delete audit rows; only this function can, and only past retention.
CREATE POLICY audit_events_definer_prune ON audit_events FOR DELETE TO zhenxing_definer USING (true);
CREATE POLICY audit_events_definer_read ON audit_events FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY settings_definer_read ON settings FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT, DELETE ON audit_events TO zhenxing_definer;
GRANT SELECT ON settings TO zhenxing_definer;
CREATE FUNCTION zx_prune_audit(p_now timestamptz, p_default_days integer, p_min_days integer) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  n bigint;
BEGIN
  DELETE FROM public.audit_events a
   WHERE a.at < p_now - make_interval(days => p_min_days)
     AND a.at < p_now - make_interval(days => greatest(p_min_days, coalesce(
           (SELECT (s.overrides #>> '{audit,retention_days}')::integer FROM public.settings s
             WHERE s.county_code = a.county_code AND s.region_code = a.county_code::bigint * 1000000),
           (SELECT (s.overrides #>> '{audit,retention_days}')::integer FROM public.settings s
             WHERE s.region_code = (a.county_code / 10000)::bigint * 10000000000),
           p_default_days)));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
ALTER FUNCTION zx_prune_audit(timestamptz, integer, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_prune_audit(timestamptz, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_prune_audit(timestamptz, integer, integer) TO zhenxing_app;
