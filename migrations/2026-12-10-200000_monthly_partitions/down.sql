-- Back to unpartitioned tables (the rows kept; job_errors loses `at`).
CREATE FUNCTION pg_temp.zx_unpartition(p_table text, p_cols text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', p_table || '_flat', p_table);
  EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I', p_table || '_flat', p_cols, p_cols, p_table);
  EXECUTE format('DROP TABLE %I', p_table);
  EXECUTE format('ALTER TABLE %I RENAME TO %I', p_table || '_flat', p_table);
END $$;
ALTER TABLE household_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE job_errors NO FORCE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries NO FORCE ROW LEVEL SECURITY;
SELECT pg_temp.zx_unpartition('login_attempts', 'key, kind, at');
SELECT pg_temp.zx_unpartition('household_events', 'county_code, id, household_id, region_code, at, actor_id, actor_username, kind, reason, changes, snapshot');
SELECT pg_temp.zx_unpartition('job_errors', 'county_code, job_id, seq, region_code, row_number, column_name, message');
SELECT pg_temp.zx_unpartition('webhook_deliveries', 'county_code, id, region_code, endpoint_id, event_id, status, attempts, next_attempt_at, lease_until, locked_by, last_status, last_error, delivered_at, created_at');
ALTER TABLE job_errors DROP COLUMN at;
ALTER TABLE login_attempts OWNER TO zhenxing_definer;
CREATE INDEX login_attempts_key ON login_attempts (key, kind, at);
ALTER TABLE household_events ADD PRIMARY KEY (county_code, id),
  ADD FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE;
CREATE INDEX household_events_history ON household_events (county_code, household_id, at DESC, id DESC);
ALTER TABLE job_errors ADD PRIMARY KEY (county_code, job_id, seq),
  ADD FOREIGN KEY (county_code, job_id) REFERENCES jobs (county_code, id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries ADD PRIMARY KEY (county_code, id),
  ADD FOREIGN KEY (county_code, endpoint_id) REFERENCES webhook_endpoints (county_code, id) ON DELETE CASCADE,
  ADD FOREIGN KEY (county_code, event_id) REFERENCES webhook_events (county_code, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (county_code, endpoint_id, created_at);
CREATE INDEX webhook_deliveries_walk ON webhook_deliveries (county_code, endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_status_walk ON webhook_deliveries (county_code, endpoint_id, status, created_at, id);
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['household_events', 'job_errors', 'webhook_deliveries'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())) '
                   'WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
  END LOOP;
END $$;
CREATE POLICY webhook_deliveries_definer_insert ON webhook_deliveries FOR INSERT TO zhenxing_definer WITH CHECK (true);
CREATE POLICY webhook_deliveries_definer_read ON webhook_deliveries FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY webhook_deliveries_definer_claim ON webhook_deliveries FOR UPDATE TO zhenxing_definer USING (true) WITH CHECK (true);
REVOKE ALL ON login_attempts FROM PUBLIC;
GRANT SELECT, INSERT ON household_events TO zhenxing_app;
GRANT SELECT, INSERT, DELETE ON job_errors TO zhenxing_app;
GRANT SELECT, INSERT ON webhook_deliveries TO zhenxing_app, zhenxing_definer;
GRANT UPDATE (status, attempts, next_attempt_at, lease_until, locked_by, last_status, last_error, delivered_at)
  ON webhook_deliveries TO zhenxing_app;
GRANT UPDATE (attempts, lease_until, locked_by) ON webhook_deliveries TO zhenxing_definer;
DROP FUNCTION zx_partitions(timestamptz, timestamptz);
-- The audit log's own functions, as they were.
CREATE OR REPLACE FUNCTION zx_audit_partitions(p_from timestamptz, p_to timestamptz) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  SET lock_timeout = '2s'
  AS $$
DECLARE
  m date := date_trunc('month', p_from AT TIME ZONE 'Asia/Shanghai')::date;
  last date := date_trunc('month', p_to AT TIME ZONE 'Asia/Shanghai')::date;
  lo timestamptz;
  hi timestamptz;
  name text;
  made integer := 0;
BEGIN
  IF p_to < p_from OR p_to - p_from > interval '3 years' THEN
    RAISE EXCEPTION 'zx_audit_partitions: % .. % is not a range of at most three years', p_from, p_to;
  END IF;
  WHILE m <= last LOOP
    name := 'audit_log_' || to_char(m, 'YYYY_MM');
    IF to_regclass('public.' || name) IS NULL THEN
      -- One instance at a time; the others find the month made.
      PERFORM pg_advisory_xact_lock(hashtext('zx_audit_partitions'));
      IF to_regclass('public.' || name) IS NULL THEN
        lo := m::timestamp AT TIME ZONE 'Asia/Shanghai';
        hi := (m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai';
        EXECUTE format('CREATE TABLE public.%I (LIKE public.audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
        -- The bound as a constraint: ATTACH then skips scanning the (empty) table.
        EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I CHECK (at >= %L AND at < %L)',
                       name, name || '_bound', lo, hi);
        EXECUTE format('ALTER TABLE public.audit_log ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
                       name, lo, hi);
        EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT %I', name, name || '_bound');
        made := made + 1;
      END IF;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN made;
END $$;
REVOKE ALL ON FUNCTION zx_audit_partitions(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_audit_partitions(timestamptz, timestamptz) TO zhenxing_app;

-- Statistics of the log's months, kept by the server itself (housekeeping, every ten minutes)
-- so plans never wait for autovacuum, which may be off: a month never analyzed, or changed by
-- more than a tenth since, is analyzed (ANALYZE samples a fixed number of rows, so a big month
-- costs no more than a small one). Months that stopped changing are left alone. One instance
-- at a time; the others skip. Returns how many months it analyzed.
CREATE OR REPLACE FUNCTION zx_audit_analyze() RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  r record;
  done integer := 0;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('zx_audit_analyze')) THEN
    RETURN 0;
  END IF;
  FOR r IN
    SELECT c.relname
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
     WHERE i.inhparent = 'public.audit_log'::regclass
       AND (c.reltuples < 0 OR coalesce(s.n_mod_since_analyze, 0) > greatest(50, c.reltuples / 10))
     ORDER BY 1
  LOOP
    EXECUTE format('ANALYZE public.%I', r.relname);
    done := done + 1;
  END LOOP;
  RETURN done;
END $$;
REVOKE ALL ON FUNCTION zx_audit_analyze() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_audit_analyze() TO zhenxing_app;
DROP FUNCTION zx_partitions_analyze();
DROP FUNCTION zx_month_partitions(text, timestamptz, timestamptz);
CREATE OR REPLACE FUNCTION zx_analyze(p_tables text[]) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY p_tables LOOP
    IF t NOT IN ('households', 'members', 'household_years', 'household_events', 'assistance_measures',
                 'audit_events', 'jobs', 'job_errors', 'property_hits', 'property_checks',
                 'property_reports', 'outbox', 'webhook_events', 'webhook_deliveries') THEN
      RAISE EXCEPTION 'zx_analyze: % is not a table it may analyze', t;
    END IF;
    IF t = 'audit_events' THEN
      t := 'audit_log_' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY_MM');
    END IF;
    IF to_regclass('public.' || t) IS NOT NULL THEN
      EXECUTE format('ANALYZE public.%I', t);
    END IF;
  END LOOP;
END $$;
