-- Workflows: exit of households (seed 1) and return-to-poverty monitoring (seed 4).
-- Every table is a tenant table: county_code leads every key, region_code carries the row-level
-- security range check.

ALTER TABLE households DROP CONSTRAINT households_status_check;
ALTER TABLE households ADD CONSTRAINT households_status_check
  CHECK (status IN ('registered', 'exited', 'monitored', 'returned', 'non_poor'));

-- An exit list: the households of one village proposed for exit in one year, moving through
-- the procedure of seed 1.
CREATE TABLE exit_lists (
  county_code     integer NOT NULL,
  id              uuid NOT NULL,
  region_code     bigint NOT NULL REFERENCES regions (code),
  year            integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  stage           text NOT NULL CHECK (stage IN ('nominated', 'appraised', 'verified', 'first_notice',
                    'township_reviewed', 'second_notice', 'approved', 'announced', 'filed')),
  villager_group  text NOT NULL,
  notice_started_at timestamptz,
  notice_ends_at  timestamptz,
  version         integer NOT NULL DEFAULT 1,
  created_by      uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  filed_at        timestamptz,
  PRIMARY KEY (county_code, id),
  CHECK ((notice_ends_at IS NULL) = (notice_started_at IS NULL))
);
CREATE INDEX exit_lists_id ON exit_lists (id);
CREATE INDEX exit_lists_scope ON exit_lists (region_code, year);
CREATE INDEX exit_lists_county ON exit_lists (county_code, year, stage);

CREATE TABLE exit_entries (
  county_code   integer NOT NULL,
  list_id       uuid NOT NULL,
  household_id  uuid NOT NULL,
  region_code   bigint NOT NULL,
  year          integer NOT NULL,
  people        integer NOT NULL CHECK (people >= 0),
  income_per_capita_fen bigint NOT NULL,
  poverty_line_fen bigint NOT NULL,
  criteria      jsonb NOT NULL,
  votes_for     integer,
  votes_against integer,
  votes_abstain integer,
  removed       boolean NOT NULL DEFAULT false,
  removed_reason text,
  removed_at    timestamptz,
  added_at      timestamptz NOT NULL,
  PRIMARY KEY (county_code, list_id, household_id),
  FOREIGN KEY (county_code, list_id) REFERENCES exit_lists (county_code, id) ON DELETE CASCADE,
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
  CHECK (removed = (removed_reason IS NOT NULL))
);
-- A household is on at most one list per year (until it is taken off it).
CREATE UNIQUE INDEX exit_entries_one_per_year ON exit_entries (county_code, household_id, year) WHERE NOT removed;

-- Every step taken: who, when, what was recorded, which documents were attached.
CREATE TABLE exit_steps (
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
  FOREIGN KEY (county_code, list_id) REFERENCES exit_lists (county_code, id) ON DELETE CASCADE
);
CREATE INDEX exit_steps_list ON exit_steps (county_code, list_id, taken_at);

CREATE TABLE exit_objections (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  list_id        uuid NOT NULL,
  household_id   uuid NOT NULL,
  region_code    bigint NOT NULL,
  stage          text NOT NULL,
  raised_by      text NOT NULL,
  content        text NOT NULL,
  raised_at      timestamptz NOT NULL,
  recorded_by    uuid NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
  resolution_reason text,
  resolved_by    uuid,
  resolved_at    timestamptz,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, list_id, household_id) REFERENCES exit_entries (county_code, list_id, household_id) ON DELETE CASCADE,
  CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE INDEX exit_objections_id ON exit_objections (id);
CREATE INDEX exit_objections_list ON exit_objections (county_code, list_id, status);

-- Yearly exit targets per county, in people.
CREATE TABLE exit_targets (
  county_code  integer NOT NULL,
  year         integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  region_code  bigint NOT NULL REFERENCES regions (code),
  people       integer NOT NULL CHECK (people >= 0),
  set_by       uuid NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, year)
);
CREATE INDEX exit_targets_scope ON exit_targets (region_code, year);

-- Early-warning leads waiting for verification.
CREATE TABLE monitoring_leads (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  household_id  uuid NOT NULL,
  region_code   bigint NOT NULL,
  rule          text NOT NULL CHECK (rule IN ('income_below_line', 'medical_expense', 'disaster', 'returned_case')),
  period        text NOT NULL,
  details       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'case_opened', 'dismissed')),
  case_id       uuid,
  resolution_reason text,
  raised_by     uuid,
  raised_at     timestamptz NOT NULL,
  resolved_by   uuid,
  resolved_at   timestamptz,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, household_id, rule, period),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id)
);
CREATE INDEX monitoring_leads_id ON monitoring_leads (id);
CREATE INDEX monitoring_leads_queue ON monitoring_leads (region_code, status, raised_at);

CREATE TABLE monitoring_cases (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  household_id   uuid NOT NULL,
  region_code    bigint NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('unstable_exited', 'marginal', 'sudden_hardship')),
  risk_types     text[] NOT NULL CHECK (cardinality(risk_types) >= 1),
  found_on       date NOT NULL,
  deadline       date NOT NULL,
  description    text NOT NULL,
  stage          text NOT NULL CHECK (stage IN ('identified', 'township_reviewed', 'monitored',
                   'risk_eliminated', 'returned', 'dismissed')),
  status_before  text NOT NULL,
  rescue_first   boolean NOT NULL DEFAULT false,
  post_verified  boolean,
  lead_id        uuid,
  confirmed_at   timestamptz,
  closed_at      timestamptz,
  version        integer NOT NULL DEFAULT 1,
  created_by     uuid NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id)
);
CREATE INDEX monitoring_cases_id ON monitoring_cases (id);
CREATE INDEX monitoring_cases_scope ON monitoring_cases (region_code, stage, found_on);
-- One open case per household.
CREATE UNIQUE INDEX monitoring_cases_one_open ON monitoring_cases (county_code, household_id)
  WHERE stage IN ('identified', 'township_reviewed', 'monitored');

CREATE TABLE monitoring_events (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  case_id        uuid NOT NULL,
  region_code    bigint NOT NULL,
  kind           text NOT NULL,
  stage_from     text,
  stage_to       text NOT NULL,
  actor_id       uuid NOT NULL,
  actor_username text NOT NULL,
  at             timestamptz NOT NULL,
  details        jsonb NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, case_id) REFERENCES monitoring_cases (county_code, id) ON DELETE CASCADE
);
CREATE INDEX monitoring_events_case ON monitoring_events (county_code, case_id, at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['exit_lists', 'exit_entries', 'exit_steps', 'exit_objections', 'exit_targets',
                           'monitoring_leads', 'monitoring_cases', 'monitoring_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())) '
                   'WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
  END LOOP;
END $$;

INSERT INTO permissions (name, description) VALUES
  ('workflow:read',     'Read exit lists, monitoring cases and leads, exit targets and progress'),
  ('workflow:village',  'Village steps: nominate, appraise, verify, open the first notice; identify monitored households; verify leads'),
  ('workflow:township', 'Township steps: review exit lists, open the second notice; review monitoring cases'),
  ('workflow:county',   'County steps: approve, announce, file exits, set exit targets; confirm and close monitoring cases; run early-warning scans');
INSERT INTO role_permissions (role, permission) VALUES
  ('village_clerk', 'workflow:read'), ('village_clerk', 'workflow:village'),
  ('township_reviewer', 'workflow:read'), ('township_reviewer', 'workflow:township'),
  ('county_approver', 'workflow:read'), ('county_approver', 'workflow:county'),
  ('team_member', 'workflow:read'),
  ('fund_officer', 'workflow:read'),
  ('auditor', 'workflow:read'),
  ('observer', 'workflow:read');

GRANT SELECT, INSERT, UPDATE ON exit_lists, exit_entries, exit_objections, exit_targets,
  monitoring_leads, monitoring_cases TO zhenxing_app;
GRANT SELECT, INSERT ON exit_steps, monitoring_events TO zhenxing_app;
