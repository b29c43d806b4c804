-- Intake of households into poverty support (新识别和返贫户及时纳入, seed 1; issue 19 item 2): a
-- procedure mirroring exit. An intake list holds the households of one village entering in one
-- year: `new` (a non-poor household newly identified, becomes `registered`) or `return` (an
-- exited or monitored household fallen back, becomes `returned`). Stages: applied → appraised →
-- notice → township_reviewed → approved → announced; the announcement moves the households.
CREATE TABLE intake_lists (
  county_code       integer NOT NULL,
  id                uuid NOT NULL,
  region_code       bigint NOT NULL REFERENCES regions (code),
  year              integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  stage             text NOT NULL CHECK (stage IN ('applied', 'appraised', 'notice',
                      'township_reviewed', 'approved', 'announced')),
  notice_started_at timestamptz,
  notice_ends_at    timestamptz,
  version           integer NOT NULL DEFAULT 1,
  created_by        uuid NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  announced_at      timestamptz,
  PRIMARY KEY (county_code, id),
  CHECK ((notice_ends_at IS NULL) = (notice_started_at IS NULL))
);
CREATE INDEX intake_lists_id ON intake_lists (id);
CREATE INDEX intake_lists_scope ON intake_lists (region_code, year);

CREATE TABLE intake_entries (
  county_code    integer NOT NULL,
  list_id        uuid NOT NULL,
  household_id   uuid NOT NULL,
  region_code    bigint NOT NULL,
  year           integer NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('new', 'return')),
  people         integer NOT NULL CHECK (people >= 0),
  removed        boolean NOT NULL DEFAULT false,
  removed_reason text,
  removed_at     timestamptz,
  added_at       timestamptz NOT NULL,
  PRIMARY KEY (county_code, list_id, household_id),
  FOREIGN KEY (county_code, list_id) REFERENCES intake_lists (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
  CHECK (removed = (removed_reason IS NOT NULL))
);
-- A household is on at most one intake list per year (until it is taken off it).
CREATE UNIQUE INDEX intake_entries_one_per_year ON intake_entries (county_code, household_id, year) WHERE NOT removed;

-- Every step taken, as on exit lists.
CREATE TABLE intake_steps (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  list_id        uuid NOT NULL,
  region_code    bigint NOT NULL,
  step           text NOT NULL,
  stage_from     text,
  stage_to       text NOT NULL,
  actor_id       uuid NOT NULL,
  actor_username text NOT NULL,
  actor_org      bigint NOT NULL,
  taken_at       timestamptz NOT NULL,
  details        jsonb NOT NULL,
  attachments    jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, list_id) REFERENCES intake_lists (county_code, id)
);
CREATE INDEX intake_steps_list ON intake_steps (county_code, list_id, taken_at);

-- Yearly intake targets per county (总量控制), in people, beside `exit_targets`.
CREATE TABLE intake_targets (
  county_code  integer NOT NULL,
  year         integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  region_code  bigint NOT NULL REFERENCES regions (code),
  people       integer NOT NULL CHECK (people >= 0),
  set_by       uuid NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, year)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['intake_lists', 'intake_entries', 'intake_steps', 'intake_targets'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())) '
                   'WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON intake_lists, intake_entries, intake_targets TO zhenxing_app;
GRANT SELECT, INSERT ON intake_steps TO zhenxing_app;
