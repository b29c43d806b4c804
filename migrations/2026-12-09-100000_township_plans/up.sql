-- A township's yearly reduction plan and exit timetable (seed 1: 年度减贫计划及退出时间表), set by
-- the township or by the county for it; the county may approve (lock) it.
CREATE TABLE township_plans (
  county_code      integer NOT NULL,
  region_code      bigint NOT NULL REFERENCES regions (code),
  year             integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  exit_households  integer NOT NULL CHECK (exit_households >= 0),
  exit_people      integer NOT NULL CHECK (exit_people >= exit_households),
  entry_people     integer CHECK (entry_people >= 0),
  milestones       jsonb NOT NULL DEFAULT '[]',
  created_on       date NOT NULL,
  version          integer NOT NULL DEFAULT 1,
  approved_by      uuid,
  approved_at      timestamptz,
  created_by       uuid NOT NULL,
  updated_by       uuid NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (county_code, region_code, year),
  CHECK ((approved_by IS NULL) = (approved_at IS NULL))
);
CREATE INDEX township_plans_scope ON township_plans (region_code, year);

ALTER TABLE township_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE township_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY township_plans_own ON township_plans
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));

GRANT SELECT, INSERT, UPDATE ON township_plans TO zhenxing_app;
