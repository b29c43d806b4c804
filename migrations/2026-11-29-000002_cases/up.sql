-- Cases: registered households, their members, yearly records, assistance measures, the event
-- history that answers "as of a date", idempotent creates, and import jobs.
--
-- Every table is a tenant table with the `own` policy (rows visible and writable inside the
-- caller's scope). ID numbers are stored only encrypted (AEAD) with a keyed blind index for
-- exact search; the cross-county duplicate check goes through one SECURITY DEFINER function
-- that answers yes or no.

CREATE TABLE poverty_causes (
  code  text PRIMARY KEY CHECK (code ~ '^[a-z_]{2,40}$'),
  label text NOT NULL,
  sort  smallint NOT NULL
);
INSERT INTO poverty_causes (code, label, sort) VALUES
  ('illness', '因病', 1), ('disability', '因残', 2), ('schooling', '因学', 3), ('disaster', '因灾', 4),
  ('lack_of_land', '缺土地', 5), ('lack_of_water', '缺水', 6), ('lack_of_skills', '缺技术', 7),
  ('lack_of_labour', '缺劳力', 8), ('lack_of_capital', '缺资金', 9), ('poor_transport', '交通条件落后', 10),
  ('lack_of_motivation', '自身发展动力不足', 11);

CREATE TABLE households (
  county_code       integer NOT NULL,
  id                uuid NOT NULL,
  region_code       bigint NOT NULL REFERENCES regions (code),
  household_number  text NOT NULL,
  address           text NOT NULL DEFAULT '',
  residence         text NOT NULL DEFAULT '',
  attribute         text NOT NULL CHECK (attribute IN ('general', 'subsistence_allowance', 'extreme_poverty_support')),
  poverty_causes    text[] NOT NULL CHECK (cardinality(poverty_causes) BETWEEN 1 AND 11),
  year_identified   integer NOT NULL CHECK (year_identified BETWEEN 1980 AND 2100),
  status            text NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'exited', 'monitored', 'returned')),
  responsible_cadre text NOT NULL DEFAULT '',
  notes             text NOT NULL DEFAULT '',
  head_name         text NOT NULL,
  member_count      integer NOT NULL DEFAULT 0,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  created_by        uuid,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, household_number),
  CHECK (county_code::bigint = region_code / 1000000),
  CHECK (region_code % 1000 <> 0)
);
-- Ids come alone in URLs: each table that is looked up by id has a plain index on it (not
-- unique: uniqueness lives in the county-qualified primary key).
CREATE INDEX households_id ON households (id);
CREATE INDEX households_scope ON households (region_code, county_code, household_number);
CREATE INDEX households_head ON households (county_code, head_name text_pattern_ops);
CREATE INDEX households_causes ON households USING gin (poverty_causes);

CREATE TABLE members (
  county_code       integer NOT NULL,
  id                uuid NOT NULL,
  household_id      uuid NOT NULL,
  region_code       bigint NOT NULL,
  name              text NOT NULL,
  id_cipher         bytea NOT NULL,
  id_key            smallint NOT NULL,
  id_blind          bytea NOT NULL CHECK (length(id_blind) = 32),
  id_masked         text NOT NULL,
  sex               text NOT NULL CHECK (sex IN ('male', 'female')),
  birth_date        date NOT NULL,
  relationship      text NOT NULL,
  education         text NOT NULL DEFAULT '',
  school_status     text NOT NULL DEFAULT '',
  health            text NOT NULL DEFAULT '',
  disability        text NOT NULL DEFAULT '',
  labour_ability    text NOT NULL DEFAULT '',
  medical_insurance boolean NOT NULL DEFAULT false,
  pension           boolean NOT NULL DEFAULT false,
  phone             text NOT NULL DEFAULT '',
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, id_blind),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE
);
CREATE INDEX members_household ON members (county_code, household_id);
CREATE INDEX members_id ON members (id);
CREATE INDEX members_blind ON members (id_blind);
-- Exactly one head per household.
CREATE UNIQUE INDEX members_one_head ON members (county_code, household_id) WHERE relationship = 'head';

CREATE TABLE household_years (
  county_code          integer NOT NULL,
  household_id         uuid NOT NULL,
  year                 integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  region_code          bigint NOT NULL,
  income_per_capita_fen bigint NOT NULL CHECK (income_per_capita_fen >= 0),
  wage_income_fen      bigint NOT NULL DEFAULT 0 CHECK (wage_income_fen >= 0),
  production_income_fen bigint NOT NULL DEFAULT 0 CHECK (production_income_fen >= 0),
  property_income_fen  bigint NOT NULL DEFAULT 0 CHECK (property_income_fen >= 0),
  transfer_income_fen  bigint NOT NULL DEFAULT 0 CHECK (transfer_income_fen >= 0),
  enough_food          boolean NOT NULL,
  enough_clothing      boolean NOT NULL,
  compulsory_education boolean NOT NULL,
  basic_medical        boolean NOT NULL,
  safe_housing         boolean NOT NULL,
  safe_drinking_water  boolean NOT NULL,
  version              integer NOT NULL DEFAULT 1,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, household_id, year),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE
);
CREATE INDEX household_years_income ON household_years (county_code, year, income_per_capita_fen);

CREATE TABLE assistance_measures (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  household_id uuid NOT NULL,
  region_code  bigint NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('industry', 'employment', 'education', 'health', 'housing',
                                             'relocation', 'ecological_job', 'social_security', 'other')),
  date         date NOT NULL,
  amount_fen   bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
  responsible  text NOT NULL,
  description  text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   uuid,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE
);
CREATE INDEX assistance_measures_household ON assistance_measures (county_code, household_id, date);

-- Every change of a household: who, when, why, what changed, and the state after it (ID numbers
-- masked), so GET ?as_of= reads the last snapshot on or before a date.
CREATE TABLE household_events (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  household_id uuid NOT NULL,
  region_code  bigint NOT NULL,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id     uuid,
  actor_username text,
  kind         text NOT NULL,
  reason       text,
  changes      jsonb NOT NULL DEFAULT '{}'::jsonb,
  snapshot     jsonb NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE
);
CREATE INDEX household_events_history ON household_events (county_code, household_id, at DESC, id DESC);

-- A retried create with the same Idempotency-Key returns the first answer.
CREATE TABLE idempotency_keys (
  county_code  integer NOT NULL,
  user_id      uuid NOT NULL,
  key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  region_code  bigint NOT NULL,
  request_hash bytea NOT NULL,
  status       smallint NOT NULL,
  response     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, user_id, key)
);

-- Long work (imports) as jobs with progress and per-row errors.
CREATE TABLE jobs (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  region_code  bigint NOT NULL,
  kind         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  dry_run      boolean NOT NULL DEFAULT false,
  total_rows   integer NOT NULL DEFAULT 0,
  processed_rows integer NOT NULL DEFAULT 0,
  error_rows   integer NOT NULL DEFAULT 0,
  summary      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX jobs_id ON jobs (id);
CREATE TABLE job_errors (
  county_code integer NOT NULL,
  job_id      uuid NOT NULL,
  seq         integer NOT NULL,
  region_code bigint NOT NULL,
  row_number  integer NOT NULL,
  column_name text NOT NULL,
  message     text NOT NULL,
  PRIMARY KEY (county_code, job_id, seq),
  FOREIGN KEY (county_code, job_id) REFERENCES jobs (county_code, id) ON DELETE CASCADE
);

ALTER TABLE households ENABLE ROW LEVEL SECURITY;
ALTER TABLE households FORCE ROW LEVEL SECURITY;
CREATE POLICY households_own ON households
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY members_own ON members
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE household_years ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_years FORCE ROW LEVEL SECURITY;
CREATE POLICY household_years_own ON household_years
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE assistance_measures ENABLE ROW LEVEL SECURITY;
ALTER TABLE assistance_measures FORCE ROW LEVEL SECURITY;
CREATE POLICY assistance_measures_own ON assistance_measures
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE household_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_events FORCE ROW LEVEL SECURITY;
CREATE POLICY household_events_own ON household_events
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_own ON idempotency_keys
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_own ON jobs
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE job_errors ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_errors FORCE ROW LEVEL SECURITY;
CREATE POLICY job_errors_own ON job_errors
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));

-- Is this person (blind index) registered in any county? Yes or no, nothing else.
CREATE POLICY members_definer_read ON members FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT (id_blind, county_code, region_code) ON members TO zhenxing_definer;
CREATE FUNCTION zx_id_registered(p_blind bytea) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT EXISTS (SELECT 1 FROM public.members m WHERE m.id_blind = p_blind) $$;

-- The same for many at once (imports): which of these blind indexes are registered anywhere.
CREATE FUNCTION zx_ids_registered_any(p_blinds bytea[]) RETURNS SETOF bytea
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT DISTINCT m.id_blind FROM public.members m WHERE m.id_blind = ANY(p_blinds) $$;

-- Records an attempt to register a person already registered in another county, for the
-- oversight level above both (their closest common ancestor). The caller learns nothing.
CREATE POLICY audit_events_definer_insert ON audit_events FOR INSERT TO zhenxing_definer WITH CHECK (true);
GRANT INSERT ON audit_events TO zhenxing_definer;
CREATE FUNCTION zx_record_duplicate_attempt(p_blind bytea, p_region bigint, p_actor uuid, p_username text, p_request text)
  RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  other bigint;
  ancestor bigint;
BEGIN
  SELECT m.region_code INTO other FROM public.members m WHERE m.id_blind = p_blind LIMIT 1;
  IF other IS NULL THEN
    RETURN;
  END IF;
  ancestor := CASE
    WHEN other / 1000000 = p_region / 1000000 THEN (p_region / 1000000) * 1000000
    WHEN other / 100000000 = p_region / 100000000 THEN (p_region / 100000000) * 100000000
    WHEN other / 10000000000 = p_region / 10000000000 THEN (p_region / 10000000000) * 10000000000
    ELSE 0 END;
  INSERT INTO public.audit_events (county_code, id, request_id, actor_id, actor_username, actor_org,
                                   action, object_type, object_id, region_code, details)
  VALUES ((ancestor / 1000000)::integer, gen_random_uuid(), p_request, p_actor, p_username, p_region,
          'member.duplicate_attempt', 'person', NULL, ancestor,
          jsonb_build_object('attempted_in', lpad(p_region::text, 12, '0'),
                             'registered_in', lpad(other::text, 12, '0')));
END $$;
ALTER FUNCTION zx_id_registered(bytea) OWNER TO zhenxing_definer;
ALTER FUNCTION zx_ids_registered_any(bytea[]) OWNER TO zhenxing_definer;
ALTER FUNCTION zx_record_duplicate_attempt(bytea, bigint, uuid, text, text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_id_registered(bytea), zx_ids_registered_any(bytea[]), zx_record_duplicate_attempt(bytea, bigint, uuid, text, text) FROM PUBLIC;

-- Jobs whose server went away (restart, crash) stop advancing; housekeeping marks those silent
-- for longer than `p_silence` failed, so nobody waits on them. Progress is written per batch,
-- so a live job is never silent for long.
CREATE POLICY jobs_definer_fail ON jobs FOR UPDATE TO zhenxing_definer USING (true) WITH CHECK (true);
CREATE POLICY jobs_definer_read ON jobs FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT, UPDATE (status, summary, finished_at, updated_at) ON jobs TO zhenxing_definer;
CREATE FUNCTION zx_fail_stale_jobs(p_silence interval) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  failed bigint;
BEGIN
  UPDATE public.jobs
     SET status = 'failed', finished_at = now(), updated_at = now(),
         summary = jsonb_build_object('error', 'interrupted: its server stopped; rows already imported stay, import the file again to finish')
   WHERE status IN ('queued', 'running') AND updated_at < now() - p_silence;
  GET DIAGNOSTICS failed = ROW_COUNT;
  RETURN failed;
END $$;
ALTER FUNCTION zx_fail_stale_jobs(interval) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_fail_stale_jobs(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_fail_stale_jobs(interval) TO zhenxing_app;

INSERT INTO permissions (name, description) VALUES
  ('cases:read',   'Read households, members, yearly records and measures (ID numbers masked)'),
  ('cases:write',  'Register and update households and their members, records and measures'),
  ('cases:reveal', 'See a full ID number, with a reason that is audited'),
  ('cases:import', 'Import households from spreadsheets'),
  ('cases:export', 'Export household lists');
INSERT INTO role_permissions (role, permission) VALUES
  ('village_clerk', 'cases:read'), ('village_clerk', 'cases:write'), ('village_clerk', 'cases:reveal'),
  ('village_clerk', 'cases:import'),
  ('township_reviewer', 'cases:read'), ('township_reviewer', 'cases:reveal'), ('township_reviewer', 'cases:export'),
  ('county_approver', 'cases:read'), ('county_approver', 'cases:write'), ('county_approver', 'cases:reveal'),
  ('county_approver', 'cases:import'), ('county_approver', 'cases:export'),
  ('fund_officer', 'cases:read'),
  ('team_member', 'cases:read'),
  ('auditor', 'cases:read'), ('auditor', 'cases:export'),
  ('observer', 'cases:read');

GRANT SELECT ON poverty_causes TO zhenxing_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON households, members, household_years, assistance_measures TO zhenxing_app;
GRANT SELECT, INSERT ON household_events TO zhenxing_app;
GRANT SELECT, INSERT ON idempotency_keys TO zhenxing_app;
GRANT SELECT, INSERT, UPDATE ON jobs TO zhenxing_app;
GRANT SELECT, INSERT ON job_errors TO zhenxing_app;
GRANT EXECUTE ON FUNCTION zx_id_registered(bytea), zx_ids_registered_any(bytea[]), zx_record_duplicate_attempt(bytea, bigint, uuid, text, text) TO zhenxing_app;
