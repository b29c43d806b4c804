-- Issue 22, seed 2: the village appraisal meeting (评议会) is a record of its own — the day, the
-- people attending, the minutes — and the township may send a village's table back with a reason
-- (the village then meets again: a new record; the one sent back keeps who, when and why).
CREATE TABLE property_appraisals (
  county_code      integer NOT NULL,
  id               uuid NOT NULL,
  batch_id         uuid NOT NULL,
  region_code      bigint NOT NULL,        -- the village
  held_on          date NOT NULL,
  attendees        integer NOT NULL CHECK (attendees > 0),
  minutes          text NOT NULL,
  recorded_by      uuid NOT NULL,
  recorded_at      timestamptz NOT NULL,
  sent_back_by     uuid,
  sent_back_at     timestamptz,
  send_back_reason text,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, batch_id) REFERENCES property_checks (county_code, id) ON DELETE CASCADE
);
CREATE INDEX property_appraisals_batch ON property_appraisals (county_code, batch_id, region_code, recorded_at);
ALTER TABLE property_appraisals ENABLE ROW LEVEL SECURITY;
ALTER TABLE property_appraisals FORCE ROW LEVEL SECURITY;
CREATE POLICY property_appraisals_own ON property_appraisals
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT, UPDATE ON property_appraisals TO zhenxing_app;
