-- The other append-only tables that grow with use (issue 17, part 3), partitioned by month like
-- the audit log: login attempts (`at`), household events, the history timelines (`at`), job row
-- errors (`at`, new: when the error was written) and webhook deliveries (`created_at`). Each is
-- native range partitioning on months of China time, with the partition key in the primary key;
-- old months leave by detaching a partition (`zhenxing retire-months`), never by DELETE.
--
-- One function makes the months of every such table (`zx_month_partitions`; the audit log's
-- `zx_audit_partitions` now calls it), and one keeps their statistics (`zx_partitions_analyze`).
--
-- On a live database each table moves in this migration's one transaction: the old table is
-- renamed, the partitioned one made, the rows copied, the old one dropped. Readers and writers of
-- that table wait until the transaction commits (it holds the old table's ACCESS EXCLUSIVE lock):
-- about a minute per ten million rows on ordinary hardware (docs/operations.md).

-- ---------------------------------------------------------------- months, for any of them
-- Creates the monthly partitions (months of China time, UTC+8) of p_parent from p_from's month
-- to p_to's, those missing; returns how many it made. Only the tables listed may be named. Runs
-- as the owner (creating a partition needs it), at most three years at once. Each month is made
-- as a table of its own and then attached (CREATE TABLE … PARTITION OF would lock the whole
-- table); a lock not granted within two seconds fails the call, and housekeeping tries again,
-- months ahead of need.
CREATE FUNCTION zx_month_partitions(p_parent text, p_from timestamptz, p_to timestamptz) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  SET lock_timeout = '2s'
  AS $$
DECLARE
  m date := date_trunc('month', p_from AT TIME ZONE 'Asia/Shanghai')::date;
  last date := date_trunc('month', p_to AT TIME ZONE 'Asia/Shanghai')::date;
  col text;
  lo timestamptz;
  hi timestamptz;
  name text;
  made integer := 0;
BEGIN
  IF p_parent NOT IN ('audit_log', 'login_attempts', 'household_events', 'job_errors', 'webhook_deliveries') THEN
    RAISE EXCEPTION 'zx_month_partitions: % is not a table partitioned by month', p_parent;
  END IF;
  IF p_to < p_from OR p_to - p_from > interval '3 years' THEN
    RAISE EXCEPTION 'zx_month_partitions: % .. % is not a range of at most three years', p_from, p_to;
  END IF;
  SELECT a.attname INTO col
    FROM pg_partitioned_table pt
    JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
   WHERE pt.partrelid = ('public.' || p_parent)::regclass;
  WHILE m <= last LOOP
    name := p_parent || '_' || to_char(m, 'YYYY_MM');
    IF to_regclass('public.' || name) IS NULL THEN
      -- One instance at a time; the others find the month made.
      PERFORM pg_advisory_xact_lock(hashtext('zx_month_partitions:' || p_parent));
      IF to_regclass('public.' || name) IS NULL THEN
        lo := m::timestamp AT TIME ZONE 'Asia/Shanghai';
        hi := (m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai';
        EXECUTE format('CREATE TABLE public.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name, p_parent);
        -- The bound as a constraint: ATTACH then skips scanning the (empty) table.
        EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)',
                       name, name || '_bound', col, lo, col, hi);
        EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
                       p_parent, name, lo, hi);
        EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT %I', name, name || '_bound');
        made := made + 1;
      END IF;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN made;
END $$;
REVOKE ALL ON FUNCTION zx_month_partitions(text, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_month_partitions(text, timestamptz, timestamptz) TO zhenxing_app;

-- The audit log's months: the same code.
CREATE OR REPLACE FUNCTION zx_audit_partitions(p_from timestamptz, p_to timestamptz) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT public.zx_month_partitions('audit_log', p_from, p_to) $$;

-- Every table's months, in one call (housekeeping and start-up).
CREATE FUNCTION zx_partitions(p_from timestamptz, p_to timestamptz) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
  SELECT sum(public.zx_month_partitions(t, p_from, p_to))::integer
    FROM unnest(ARRAY['audit_log', 'login_attempts', 'household_events', 'job_errors', 'webhook_deliveries']) AS t
$$;
REVOKE ALL ON FUNCTION zx_partitions(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_partitions(timestamptz, timestamptz) TO zhenxing_app;

-- Statistics of every partitioned table's months, as zx_audit_analyze did for the audit log's:
-- a month never analyzed, or changed by more than a tenth since, is analyzed. One instance at a
-- time; the others skip. Returns how many months it analyzed.
CREATE FUNCTION zx_partitions_analyze() RETURNS integer
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
     WHERE i.inhparent IN ('public.audit_log'::regclass, 'public.login_attempts'::regclass,
                           'public.household_events'::regclass, 'public.job_errors'::regclass,
                           'public.webhook_deliveries'::regclass)
       AND (c.reltuples < 0 OR coalesce(s.n_mod_since_analyze, 0) > greatest(50, c.reltuples / 10))
     ORDER BY 1
  LOOP
    EXECUTE format('ANALYZE public.%I', r.relname);
    done := done + 1;
  END LOOP;
  RETURN done;
END $$;
REVOKE ALL ON FUNCTION zx_partitions_analyze() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_partitions_analyze() TO zhenxing_app;
DROP FUNCTION zx_audit_analyze();

-- Months for p_parent from the oldest row (and at least last month, for a late write near
-- midnight) to two months ahead, in steps the function accepts (three years at most per call).
CREATE FUNCTION pg_temp.zx_months_for(p_parent text, p_oldest timestamptz) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  f timestamptz := least(coalesce(p_oldest, now()), now() - interval '1 month');
BEGIN
  WHILE f < now() + interval '2 months' LOOP
    PERFORM public.zx_month_partitions(p_parent, f, least(f + interval '2 years', now() + interval '2 months'));
    f := f + interval '2 years';
  END LOOP;
  PERFORM public.zx_month_partitions(p_parent, now(), now() + interval '2 months');
END $$;

-- ---------------------------------------------------------------- login attempts
-- Global (hashed keys, no county): no row-level security; only the definer's functions touch it.
ALTER TABLE login_attempts RENAME TO login_attempts_old;
DROP INDEX login_attempts_key;
CREATE TABLE login_attempts (
  key   text NOT NULL,
  kind  text NOT NULL CHECK (kind IN ('failure', 'attempt')),
  at    timestamptz NOT NULL DEFAULT clock_timestamp()
) PARTITION BY RANGE (at);
CREATE INDEX login_attempts_key ON login_attempts (key, kind, at);
SELECT pg_temp.zx_months_for('login_attempts', min(at)) FROM login_attempts_old;
INSERT INTO login_attempts (key, kind, at) SELECT key, kind, at FROM login_attempts_old;
DROP TABLE login_attempts_old;
REVOKE ALL ON login_attempts FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON login_attempts TO zhenxing_definer;

-- ---------------------------------------------------------------- household events
ALTER TABLE household_events RENAME TO household_events_old;
ALTER TABLE household_events_old DROP CONSTRAINT household_events_pkey,
  DROP CONSTRAINT household_events_county_code_household_id_fkey;
DROP INDEX household_events_history;
ALTER TABLE household_events_old NO FORCE ROW LEVEL SECURITY;
CREATE TABLE household_events (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  household_id   uuid NOT NULL,
  region_code    bigint NOT NULL,
  at             timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id       uuid,
  actor_username text,
  kind           text NOT NULL,
  reason         text,
  changes        jsonb NOT NULL DEFAULT '{}'::jsonb,
  snapshot       jsonb NOT NULL,
  PRIMARY KEY (county_code, at, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE
) PARTITION BY RANGE (at);
CREATE INDEX household_events_history ON household_events (county_code, household_id, at DESC, id DESC);
SELECT pg_temp.zx_months_for('household_events', min(at)) FROM household_events_old;
INSERT INTO household_events (county_code, id, household_id, region_code, at, actor_id, actor_username,
                              kind, reason, changes, snapshot)
  SELECT county_code, id, household_id, region_code, at, actor_id, actor_username, kind, reason, changes, snapshot
    FROM household_events_old;
DROP TABLE household_events_old;
ALTER TABLE household_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_events FORCE ROW LEVEL SECURITY;
CREATE POLICY household_events_own ON household_events
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON household_events TO zhenxing_app;

-- ---------------------------------------------------------------- job row errors
-- `at` is new: when the error was written (the job's run), which places it in a month.
ALTER TABLE job_errors RENAME TO job_errors_old;
ALTER TABLE job_errors_old DROP CONSTRAINT job_errors_pkey, DROP CONSTRAINT job_errors_county_code_job_id_fkey;
ALTER TABLE job_errors_old NO FORCE ROW LEVEL SECURITY;
CREATE TABLE job_errors (
  county_code integer NOT NULL,
  job_id      uuid NOT NULL,
  seq         integer NOT NULL,
  region_code bigint NOT NULL,
  row_number  integer NOT NULL,
  column_name text NOT NULL,
  message     text NOT NULL,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (county_code, job_id, seq, at),
  FOREIGN KEY (county_code, job_id) REFERENCES jobs (county_code, id) ON DELETE CASCADE
) PARTITION BY RANGE (at);
-- Existing errors take their job's last change (or its creation) as their time.
SELECT pg_temp.zx_months_for('job_errors', min(coalesce(j.updated_at, j.created_at)))
  FROM job_errors_old e JOIN jobs j ON j.county_code = e.county_code AND j.id = e.job_id;
INSERT INTO job_errors (county_code, job_id, seq, region_code, row_number, column_name, message, at)
  SELECT e.county_code, e.job_id, e.seq, e.region_code, e.row_number, e.column_name, e.message,
         coalesce(j.updated_at, j.created_at, now())
    FROM job_errors_old e JOIN jobs j ON j.county_code = e.county_code AND j.id = e.job_id;
DROP TABLE job_errors_old;
ALTER TABLE job_errors ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_errors FORCE ROW LEVEL SECURITY;
CREATE POLICY job_errors_own ON job_errors
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT, DELETE ON job_errors TO zhenxing_app;

-- ---------------------------------------------------------------- webhook deliveries
ALTER TABLE webhook_deliveries RENAME TO webhook_deliveries_old;
ALTER TABLE webhook_deliveries_old DROP CONSTRAINT webhook_deliveries_pkey,
  DROP CONSTRAINT webhook_deliveries_county_code_endpoint_id_fkey,
  DROP CONSTRAINT webhook_deliveries_county_code_event_id_fkey;
DROP INDEX webhook_deliveries_due, webhook_deliveries_endpoint, webhook_deliveries_walk,
           webhook_deliveries_status_walk;
ALTER TABLE webhook_deliveries_old NO FORCE ROW LEVEL SECURITY;
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
  PRIMARY KEY (county_code, created_at, id),
  FOREIGN KEY (county_code, endpoint_id) REFERENCES webhook_endpoints (county_code, id) ON DELETE CASCADE,
  FOREIGN KEY (county_code, event_id) REFERENCES webhook_events (county_code, id)
) PARTITION BY RANGE (created_at);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_walk ON webhook_deliveries (county_code, endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_status_walk
  ON webhook_deliveries (county_code, endpoint_id, status, created_at, id);
-- A delivery is claimed and updated by (county, id): one probe of each month's index.
CREATE INDEX webhook_deliveries_id ON webhook_deliveries (county_code, id);
SELECT pg_temp.zx_months_for('webhook_deliveries', min(created_at)) FROM webhook_deliveries_old;
INSERT INTO webhook_deliveries (county_code, id, region_code, endpoint_id, event_id, status, attempts,
                                next_attempt_at, lease_until, locked_by, last_status, last_error,
                                delivered_at, created_at)
  SELECT county_code, id, region_code, endpoint_id, event_id, status, attempts, next_attempt_at,
         lease_until, locked_by, last_status, last_error, delivered_at, created_at
    FROM webhook_deliveries_old;
DROP TABLE webhook_deliveries_old;
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_deliveries_own ON webhook_deliveries
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
CREATE POLICY webhook_deliveries_definer_insert ON webhook_deliveries FOR INSERT TO zhenxing_definer WITH CHECK (true);
CREATE POLICY webhook_deliveries_definer_read ON webhook_deliveries FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY webhook_deliveries_definer_claim ON webhook_deliveries FOR UPDATE TO zhenxing_definer USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON webhook_deliveries TO zhenxing_app;
GRANT UPDATE (status, attempts, next_attempt_at, lease_until, locked_by, last_status, last_error, delivered_at)
  ON webhook_deliveries TO zhenxing_app;
GRANT SELECT, INSERT ON webhook_deliveries TO zhenxing_definer;
GRANT UPDATE (attempts, lease_until, locked_by) ON webhook_deliveries TO zhenxing_definer;

-- ---------------------------------------------------------------- statistics after bulk writes
-- A partitioned table's statistics are its months': zx_analyze analyzes the current month's
-- partition (the one bulk writes fill), not the parent, which would sample every month.
CREATE OR REPLACE FUNCTION zx_analyze(p_tables text[]) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  t text;
  month text := to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY_MM');
BEGIN
  FOREACH t IN ARRAY p_tables LOOP
    IF t NOT IN ('households', 'members', 'household_years', 'household_events', 'assistance_measures',
                 'audit_events', 'jobs', 'job_errors', 'property_hits', 'property_checks',
                 'property_reports', 'outbox', 'webhook_events', 'webhook_deliveries') THEN
      RAISE EXCEPTION 'zx_analyze: % is not a table it may analyze', t;
    END IF;
    IF t = 'audit_events' THEN
      t := 'audit_log_' || month;
    ELSIF t IN ('household_events', 'job_errors', 'webhook_deliveries') THEN
      t := t || '_' || month;
    END IF;
    IF to_regclass('public.' || t) IS NOT NULL THEN
      EXECUTE format('ANALYZE public.%I', t);
    END IF;
  END LOOP;
END $$;

-- The moved rows' statistics (the planner must not wait for autovacuum).
ANALYZE login_attempts, household_events, job_errors, webhook_deliveries;
