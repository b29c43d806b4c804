-- Seed 3 §四(一)1–2: the ranger patrols the patch every day and keeps a record of it
-- (日常巡护, 将巡护结果记录在案); the station enters it (rangers have no accounts of their own).
CREATE TABLE ranger_patrols (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  contract_id  uuid NOT NULL,
  region_code  bigint NOT NULL,
  patrolled_on date NOT NULL,
  area         text NOT NULL,
  findings     text NOT NULL DEFAULT '',
  reported     boolean NOT NULL DEFAULT false,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, contract_id) REFERENCES ranger_contracts (county_code, id)
);
-- One contract's log, newest first: the list's order.
CREATE INDEX ranger_patrols_contract ON ranger_patrols (county_code, contract_id, patrolled_on DESC, id);
ALTER TABLE ranger_patrols ENABLE ROW LEVEL SECURITY;
ALTER TABLE ranger_patrols FORCE ROW LEVEL SECURITY;
CREATE POLICY ranger_patrols_own ON ranger_patrols
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON ranger_patrols TO zhenxing_app;

-- Seed 3 §五 and §六: the ranger's own prohibited activities and the other grounds for
-- withholding a month, each applied under its clause.
ALTER TABLE ranger_incidents DROP CONSTRAINT ranger_incidents_kind_check;
ALTER TABLE ranger_incidents ADD CONSTRAINT ranger_incidents_kind_check CHECK (kind IN (
  'fire', 'illegal_logging', 'unreported_pests', 'poor_patrol_loss', 'unstopped_violation',
  'absence_major_loss', 'prohibited_logging', 'prohibited_grazing', 'prohibited_clearing',
  'prohibited_building', 'prohibited_hunting'));
