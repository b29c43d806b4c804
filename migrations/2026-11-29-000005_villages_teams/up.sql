-- Villages and assistance teams (seed 4, DOMAIN §6–7): yearly village profiles, key villages
-- with plans, assessments and exit decisions; resident work teams, their members and terms,
-- cadre-household pairings, visit logs, expert advisers, strong-weak village pairings.

CREATE TABLE village_profiles (
  county_code            integer NOT NULL,
  region_code            bigint NOT NULL REFERENCES regions (code),
  year                   integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  households             integer NOT NULL CHECK (households >= 0),
  population             integer NOT NULL CHECK (population >= 0),
  per_capita_income_fen  bigint NOT NULL CHECK (per_capita_income_fen >= 0),
  collective_income_fen  bigint NOT NULL CHECK (collective_income_fen >= 0),
  cultivated_mu_tenths   bigint NOT NULL CHECK (cultivated_mu_tenths >= 0),
  forest_mu_tenths       bigint NOT NULL CHECK (forest_mu_tenths >= 0),
  main_industries        text[] NOT NULL DEFAULT '{}',
  featured_industries    text[] NOT NULL DEFAULT '{}',
  merged_village         boolean NOT NULL DEFAULT false,
  former_poor_village    boolean NOT NULL DEFAULT false,
  hardened_road_permille integer CHECK (hardened_road_permille BETWEEN 0 AND 1000),
  tap_water_permille     integer CHECK (tap_water_permille BETWEEN 0 AND 1000),
  sanitary_toilet_permille integer CHECK (sanitary_toilet_permille BETWEEN 0 AND 1000),
  electricity_permille   integer CHECK (electricity_permille BETWEEN 0 AND 1000),
  school_enrolment_permille integer CHECK (school_enrolment_permille BETWEEN 0 AND 1000),
  version                integer NOT NULL DEFAULT 1,
  updated_by             uuid NOT NULL,
  updated_at             timestamptz NOT NULL,
  PRIMARY KEY (county_code, region_code, year)
);
CREATE INDEX village_profiles_scope ON village_profiles (region_code, year);

-- County-wide figures per year the targets compare with (the county's per-capita income).
CREATE TABLE county_figures (
  county_code           integer NOT NULL,
  year                  integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  region_code           bigint NOT NULL REFERENCES regions (code),
  per_capita_income_fen bigint NOT NULL CHECK (per_capita_income_fen >= 0),
  updated_by            uuid NOT NULL,
  updated_at            timestamptz NOT NULL,
  PRIMARY KEY (county_code, year)
);

CREATE TABLE key_villages (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  region_code    bigint NOT NULL REFERENCES regions (code),
  from_year      integer NOT NULL,
  to_year        integer NOT NULL,
  plan           text NOT NULL,
  projects       text[] NOT NULL DEFAULT '{}',
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'exited')),
  designated_by  uuid NOT NULL,
  designated_at  timestamptz NOT NULL,
  exit_decided_on date,
  exit_decision_no text,
  exit_reason    text,
  exit_decided_by uuid,
  version        integer NOT NULL DEFAULT 1,
  PRIMARY KEY (county_code, id),
  CHECK (from_year <= to_year)
);
CREATE INDEX key_villages_id ON key_villages (id);
CREATE INDEX key_villages_scope ON key_villages (region_code, status);
CREATE UNIQUE INDEX key_villages_one_active ON key_villages (county_code, region_code) WHERE status = 'active';

CREATE TABLE key_village_assessments (
  county_code   integer NOT NULL,
  key_village_id uuid NOT NULL,
  year          integer NOT NULL,
  region_code   bigint NOT NULL,
  grade         text NOT NULL CHECK (grade IN ('excellent', 'good', 'fair', 'poor')),
  notes         text NOT NULL DEFAULT '',
  targets       jsonb NOT NULL,
  assessed_by   uuid NOT NULL,
  assessed_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, key_village_id, year),
  FOREIGN KEY (county_code, key_village_id) REFERENCES key_villages (county_code, id) ON DELETE CASCADE
);

CREATE TABLE teams (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  region_code  bigint NOT NULL REFERENCES regions (code),
  name         text NOT NULL,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX teams_id ON teams (id);
CREATE INDEX teams_scope ON teams (region_code);

CREATE TABLE team_members (
  county_code      integer NOT NULL,
  id               uuid NOT NULL,
  team_id          uuid NOT NULL,
  region_code      bigint NOT NULL,
  name             text NOT NULL,
  id_blind         bytea NOT NULL,
  id_masked        text NOT NULL,
  dispatching_unit text NOT NULL,
  position         text NOT NULL CHECK (position IN ('first_secretary', 'leader', 'member')),
  term_start       date NOT NULL,
  term_end         date NOT NULL,
  user_id          uuid,
  created_by       uuid NOT NULL,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, team_id) REFERENCES teams (county_code, id) ON DELETE CASCADE,
  CHECK (term_start <= term_end)
);
CREATE INDEX team_members_id ON team_members (id);
CREATE INDEX team_members_person ON team_members (id_blind);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE pairings (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  household_id  uuid NOT NULL,
  region_code   bigint NOT NULL,
  member_id     uuid NOT NULL,
  start_date    date NOT NULL,
  end_date      date,
  created_by    uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
  FOREIGN KEY (county_code, member_id) REFERENCES team_members (county_code, id),
  CHECK (end_date IS NULL OR start_date <= end_date)
);
CREATE INDEX pairings_id ON pairings (id);
CREATE INDEX pairings_household ON pairings (county_code, household_id);
CREATE UNIQUE INDEX pairings_one_open ON pairings (county_code, household_id, member_id) WHERE end_date IS NULL;

CREATE TABLE visits (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  household_id  uuid NOT NULL,
  region_code   bigint NOT NULL,
  member_id     uuid NOT NULL,
  visited_on    date NOT NULL,
  found         text NOT NULL,
  done          text NOT NULL,
  created_by    uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
  FOREIGN KEY (county_code, member_id) REFERENCES team_members (county_code, id)
);
CREATE INDEX visits_household ON visits (county_code, household_id, visited_on);
CREATE INDEX visits_scope ON visits (region_code, visited_on);

CREATE TABLE village_advisers (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  region_code  bigint NOT NULL REFERENCES regions (code),
  name         text NOT NULL,
  specialty    text NOT NULL,
  unit         text NOT NULL,
  from_date    date NOT NULL,
  to_date      date,
  created_by   uuid NOT NULL,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX village_advisers_scope ON village_advisers (region_code);

CREATE TABLE village_pairings (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  region_code    bigint NOT NULL REFERENCES regions (code),
  strong_village bigint NOT NULL REFERENCES regions (code),
  from_year      integer NOT NULL,
  to_year        integer NOT NULL,
  content        text NOT NULL DEFAULT '',
  created_by     uuid NOT NULL,
  PRIMARY KEY (county_code, id),
  CHECK (from_year <= to_year),
  CHECK (strong_village <> region_code)
);
CREATE INDEX village_pairings_scope ON village_pairings (region_code);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['village_profiles', 'county_figures', 'key_villages', 'key_village_assessments', 'teams',
                           'team_members', 'pairings', 'visits', 'village_advisers', 'village_pairings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())) '
                   'WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
  END LOOP;
END $$;

-- A person serves on one team at a time, whichever county dispatched them: the check reads
-- every county's terms, and answers only yes or no.
CREATE POLICY team_members_definer_read ON team_members FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT (id, id_blind, term_start, term_end) ON team_members TO zhenxing_definer;
CREATE FUNCTION zx_team_term_overlaps(p_blind bytea, p_start date, p_end date, p_except uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT EXISTS (SELECT 1 FROM public.team_members t WHERE t.id_blind = p_blind
                        AND t.id IS DISTINCT FROM p_except
                        AND t.term_start <= p_end AND p_start <= t.term_end) $$;
ALTER FUNCTION zx_team_term_overlaps(bytea, date, date, uuid) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_team_term_overlaps(bytea, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_team_term_overlaps(bytea, date, date, uuid) TO zhenxing_app;

INSERT INTO permissions (name, description) VALUES
  ('villages:read',   'Read village profiles, key villages, teams, pairings, visits and coverage'),
  ('villages:write',  'Enter yearly village profiles'),
  ('villages:manage', 'County: designate key villages, assess them, decide their exit; county figures; teams, members, pairings, advisers, strong-weak pairings'),
  ('visits:write',    'Team members: write visit logs for their paired households');
INSERT INTO role_permissions (role, permission) VALUES
  ('village_clerk', 'villages:read'), ('village_clerk', 'villages:write'),
  ('township_reviewer', 'villages:read'),
  ('county_approver', 'villages:read'), ('county_approver', 'villages:write'), ('county_approver', 'villages:manage'),
  ('fund_officer', 'villages:read'),
  ('team_member', 'villages:read'), ('team_member', 'visits:write'),
  ('auditor', 'villages:read'),
  ('observer', 'villages:read');

GRANT SELECT, INSERT, UPDATE ON village_profiles, county_figures, key_villages, key_village_assessments,
  team_members, pairings, village_advisers, village_pairings TO zhenxing_app;
GRANT SELECT, INSERT ON teams, visits TO zhenxing_app;
