-- Sampling inspections of exits (督查验收, issue 22 seed 1): a county or a city draws a random,
-- reproducible sample of the households whose exit was filed in a year, visits each one, and a
-- finding of a false exit (被脱贫, 错退) reopens the household.
--
-- One inspection has one id; a city inspection spanning several counties keeps one row per
-- county under that id, in the county's own tenant key (`county_code` leads every key), so each
-- county sees its own part and no other county sees anything of it. `region_code` of an
-- inspection row is the county's node; `scope_code` is the region the inspection was drawn in
-- (the county itself, or the city).
CREATE TABLE exit_inspections (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  region_code  bigint NOT NULL REFERENCES regions (code),
  scope_code   bigint NOT NULL REFERENCES regions (code),
  year         integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  seed         text NOT NULL,
  size         integer NOT NULL CHECK (size > 0),
  population   integer NOT NULL CHECK (population >= size),
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX exit_inspections_list ON exit_inspections (county_code, created_at DESC, id);
ALTER TABLE exit_inspections ENABLE ROW LEVEL SECURITY;
ALTER TABLE exit_inspections FORCE ROW LEVEL SECURITY;
CREATE POLICY exit_inspections_own ON exit_inspections
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT INSERT, SELECT ON exit_inspections TO zhenxing_app;

-- The sampled households, in the order drawn (`rank`, 1-based over the whole inspection), and
-- the one visit each gets. The visit columns are filled once (the application refuses a second
-- visit); `reopened` says whether a false-exit finding moved the household back to registered.
CREATE TABLE exit_inspection_households (
  county_code   integer NOT NULL,
  inspection_id uuid NOT NULL,
  household_id  uuid NOT NULL,
  region_code   bigint NOT NULL REFERENCES regions (code),
  rank          integer NOT NULL CHECK (rank > 0),
  list_id       uuid NOT NULL,
  visited_on    date,
  findings      text,
  outcome       text CHECK (outcome IN ('confirmed', 'false_exit')),
  reopened      boolean NOT NULL DEFAULT false,
  visited_by    uuid,
  visited_at    timestamptz,
  PRIMARY KEY (county_code, inspection_id, household_id),
  FOREIGN KEY (county_code, inspection_id) REFERENCES exit_inspections (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
  CHECK ((visited_on IS NULL) = (outcome IS NULL))
);
ALTER TABLE exit_inspection_households ENABLE ROW LEVEL SECURITY;
ALTER TABLE exit_inspection_households FORCE ROW LEVEL SECURITY;
CREATE POLICY exit_inspection_households_own ON exit_inspection_households
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT INSERT, SELECT ON exit_inspection_households TO zhenxing_app;
GRANT UPDATE (visited_on, findings, outcome, reopened, visited_by, visited_at)
  ON exit_inspection_households TO zhenxing_app;

-- Who may inspect: the county approver at the county, and the city's oversight role (observer,
-- otherwise read-only) at the city: 督查 is the oversight the role exists for.
INSERT INTO permissions (name, description) VALUES
  ('workflow:inspect', 'Sampling inspections of filed exits (督查验收): draw a sample, record visits; a false-exit finding reopens the household');
INSERT INTO role_permissions (role, permission) VALUES
  ('county_approver', 'workflow:inspect'),
  ('observer', 'workflow:inspect');
