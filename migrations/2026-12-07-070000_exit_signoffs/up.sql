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
