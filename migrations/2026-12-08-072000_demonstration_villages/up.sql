-- 乡村振兴示范村 (seed 4: 每个省级、市级乡村振兴示范村应帮带不少于1个重点帮扶村): the county
-- records which of its villages are province- or city-level demonstration villages; coverage
-- lists those not paired (as the strong village of a strong-weak pairing) with an active key
-- village in the year.
CREATE TABLE demonstration_villages (
  county_code      integer NOT NULL,
  id               uuid NOT NULL,
  region_code      bigint NOT NULL REFERENCES regions (code),
  level            text NOT NULL CHECK (level IN ('province', 'city')),
  designated_year  integer NOT NULL CHECK (designated_year BETWEEN 1980 AND 2100),
  created_by       uuid NOT NULL,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, region_code)
);
CREATE INDEX demonstration_villages_scope ON demonstration_villages (region_code);

ALTER TABLE demonstration_villages ENABLE ROW LEVEL SECURITY;
ALTER TABLE demonstration_villages FORCE ROW LEVEL SECURITY;
CREATE POLICY demonstration_villages_own ON demonstration_villages
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON demonstration_villages TO zhenxing_app;
