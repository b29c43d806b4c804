-- 县级领导联系 (seed 4: 建立区级领导联系制度,由一名县处级领导负责督促指导重点帮扶村建设工作):
-- the county-level leader linked to each key village, one at a time. Naming a new one ends the
-- previous link the day before; coverage checks every active key village has one as of a day.
CREATE TABLE key_village_leaders (
  county_code     integer NOT NULL,
  id              uuid NOT NULL,
  key_village_id  uuid NOT NULL,
  region_code     bigint NOT NULL REFERENCES regions (code),
  name            text NOT NULL,
  position        text NOT NULL,
  from_date       date NOT NULL,
  to_date         date,
  created_by      uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, key_village_id) REFERENCES key_villages (county_code, id) ON DELETE CASCADE,
  CHECK (to_date IS NULL OR to_date >= from_date)
);
CREATE INDEX key_village_leaders_scope ON key_village_leaders (region_code, from_date);
CREATE INDEX key_village_leaders_village ON key_village_leaders (county_code, key_village_id);

ALTER TABLE key_village_leaders ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_village_leaders FORCE ROW LEVEL SECURITY;
CREATE POLICY key_village_leaders_own ON key_village_leaders
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON key_village_leaders TO zhenxing_app;
GRANT UPDATE (to_date) ON key_village_leaders TO zhenxing_app;
