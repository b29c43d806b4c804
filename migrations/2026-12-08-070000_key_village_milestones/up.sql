-- Seed 4's remaining key-village indicators (issue 22), recorded per village per year beside
-- its profile (written with it by the same PUT): the living-environment and governance
-- milestones as yes/no (NULL: not reported), the share of high-standard farmland, households
-- with labour and those with someone in stable work, natural villages (groups) of 30+
-- households and those reached by hardened roads, settlements of 200+ people and those with
-- sewage treatment. A table of its own, not columns of village_profiles: that table is at
-- diesel's 32-column limit.
CREATE TABLE village_indicators (
  county_code           integer NOT NULL,
  region_code           bigint NOT NULL,
  year                  integer NOT NULL,
  garbage_sewage_system boolean,
  village_rules         boolean,
  cultural_courtyard    boolean,
  civilization_station  boolean,
  committee_election    boolean,
  deliberation_council  boolean,
  high_standard_farmland_permille integer
    CHECK (high_standard_farmland_permille BETWEEN 0 AND 1000),
  labour_households     integer CHECK (labour_households >= 0),
  labour_households_stable_work integer
    CHECK (labour_households_stable_work BETWEEN 0 AND labour_households),
  groups_30plus         integer CHECK (groups_30plus >= 0),
  groups_30plus_hardened_road integer
    CHECK (groups_30plus_hardened_road BETWEEN 0 AND groups_30plus),
  settlements_200plus   integer CHECK (settlements_200plus >= 0),
  settlements_200plus_sewage integer
    CHECK (settlements_200plus_sewage BETWEEN 0 AND settlements_200plus),
  updated_by            uuid NOT NULL,
  updated_at            timestamptz NOT NULL,
  PRIMARY KEY (county_code, region_code, year),
  FOREIGN KEY (county_code, region_code, year)
    REFERENCES village_profiles (county_code, region_code, year) ON DELETE CASCADE,
  -- A part is never recorded without its whole.
  CHECK (labour_households_stable_work IS NULL OR labour_households IS NOT NULL),
  CHECK (groups_30plus_hardened_road IS NULL OR groups_30plus IS NOT NULL),
  CHECK (settlements_200plus_sewage IS NULL OR settlements_200plus IS NOT NULL)
);
CREATE INDEX village_indicators_scope ON village_indicators (region_code, year);

ALTER TABLE village_indicators ENABLE ROW LEVEL SECURITY;
ALTER TABLE village_indicators FORCE ROW LEVEL SECURITY;
CREATE POLICY village_indicators_own ON village_indicators
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT, UPDATE ON village_indicators TO zhenxing_app;

-- The day a key village's industry plan was adopted (seed 4: 到2022年底,完成产业规划方案编制).
ALTER TABLE key_villages ADD COLUMN industry_plan_adopted_on date;
