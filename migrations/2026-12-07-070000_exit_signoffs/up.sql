-- Issue 22, seed 1 (村两委和驻村工作队核实): verification is two sign-offs, one by a village
-- user for the village committee (村两委) and one by a member of a resident team serving the
-- village (驻村工作队), each its own record: who, which body, when, their opinion.
CREATE TABLE exit_signoffs (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  list_id        uuid NOT NULL,
  region_code    bigint NOT NULL,
  body           text NOT NULL CHECK (body IN ('village_committee', 'resident_team')),
  user_id        uuid NOT NULL,
  username       text NOT NULL,
  team_id        uuid,
  signed_on      date NOT NULL,
  signed_at      timestamptz NOT NULL,
  opinion        text NOT NULL,
  details        jsonb NOT NULL DEFAULT '{}',
  attachments    jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, list_id, body),
  FOREIGN KEY (county_code, list_id) REFERENCES exit_lists (county_code, id) ON DELETE CASCADE
);
CREATE INDEX exit_signoffs_list ON exit_signoffs (county_code, list_id, signed_at);

ALTER TABLE exit_signoffs ENABLE ROW LEVEL SECURITY;
ALTER TABLE exit_signoffs FORCE ROW LEVEL SECURITY;
CREATE POLICY exit_signoffs_own ON exit_signoffs
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON exit_signoffs TO zhenxing_app;

-- Issue 22, seed 1 (逐级报市、省备案): after the county's filing the city acknowledges it, then the
-- province, each its own record (who, level, when).
CREATE TABLE exit_acknowledgements (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  list_id        uuid NOT NULL,
  region_code    bigint NOT NULL,
  level          text NOT NULL CHECK (level IN ('city', 'province')),
  user_id        uuid NOT NULL,
  username       text NOT NULL,
  org_unit       bigint NOT NULL,
  acknowledged_at timestamptz NOT NULL,
  note           text NOT NULL DEFAULT '',
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, list_id, level),
  FOREIGN KEY (county_code, list_id) REFERENCES exit_lists (county_code, id) ON DELETE CASCADE
);
ALTER TABLE exit_acknowledgements ENABLE ROW LEVEL SECURITY;
ALTER TABLE exit_acknowledgements FORCE ROW LEVEL SECURITY;
CREATE POLICY exit_acknowledgements_own ON exit_acknowledgements
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON exit_acknowledgements TO zhenxing_app;

INSERT INTO permissions (name, description) VALUES
  ('workflow:acknowledge', 'Acknowledge a filed exit list at the city, then the province (逐级备案)');
INSERT INTO role_permissions (role, permission) VALUES ('observer', 'workflow:acknowledge');
