-- Routing of property-check hits through the township (issue 22, seed 2: 乡脱贫攻坚工作站将检索结果
-- 转给各挂点领导,各挂点领导将有关信息分别下发对应的村委): each village of a township has a liaison
-- leader (挂点领导), a township user; the township station forwards a batch to its leaders, each
-- leader forwards his villages' hits to the village committee, which verifies only then.

-- The township's liaison leader of each village: one at a time, replaced by the township.
CREATE TABLE township_liaisons (
  county_code   integer NOT NULL,
  region_code   bigint NOT NULL REFERENCES regions (code),
  township_code bigint NOT NULL REFERENCES regions (code),
  user_id       uuid NOT NULL,
  assigned_by   uuid NOT NULL,
  assigned_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, region_code),
  FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id)
);
CREATE INDEX township_liaisons_scope ON township_liaisons (region_code);
CREATE INDEX township_liaisons_user ON township_liaisons (county_code, user_id);

ALTER TABLE township_liaisons ENABLE ROW LEVEL SECURITY;
ALTER TABLE township_liaisons FORCE ROW LEVEL SECURITY;
CREATE POLICY township_liaisons_own ON township_liaisons
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT, DELETE ON township_liaisons TO zhenxing_app;

-- One forwarding of a batch: by the station to the township's leaders (region_code = the
-- township), or to a village committee (region_code = the village) by its leader, by the station
-- on his behalf, or directly by the station when the village had no leader. Append-only.
CREATE TABLE property_routes (
  county_code  integer NOT NULL,
  batch_id     uuid NOT NULL,
  region_code  bigint NOT NULL REFERENCES regions (code),
  leader_id    uuid,
  direct       boolean NOT NULL DEFAULT false,
  forwarded_by uuid NOT NULL,
  forwarded_at timestamptz NOT NULL,
  PRIMARY KEY (county_code, batch_id, region_code),
  FOREIGN KEY (county_code, batch_id) REFERENCES property_checks (county_code, id),
  CHECK (NOT (direct AND leader_id IS NOT NULL))
);
CREATE INDEX property_routes_scope ON property_routes (region_code, batch_id);

ALTER TABLE property_routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE property_routes FORCE ROW LEVEL SECURITY;
CREATE POLICY property_routes_own ON property_routes
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON property_routes TO zhenxing_app;

INSERT INTO roles (name, min_level, max_level, description) VALUES
  ('township_liaison', 4, 4, 'Liaison leader (挂点领导) of villages: forwards their property-check hits to the village committees');
INSERT INTO permissions (name, description) VALUES
  ('property:forward', 'Township: forward property-check hits to the villages (the station, or the village''s liaison leader)');
INSERT INTO role_permissions (role, permission) VALUES
  ('township_liaison', 'property:read'), ('township_liaison', 'property:forward'),
  ('township_liaison', 'settings:read'),
  ('township_reviewer', 'property:forward');
