-- Property check of registered people (seed 2): hits from other registries, verified by the
-- village, appraised, aggregated by the township, confirmed by the county; a confirmed veto
-- takes the household out of the registry (status 'removed').

ALTER TABLE households DROP CONSTRAINT households_status_check;
ALTER TABLE households ADD CONSTRAINT households_status_check
  CHECK (status IN ('registered', 'exited', 'monitored', 'returned', 'non_poor', 'removed'));

-- A batch, one row per county it touches (the same id in each), so each county sees its part
-- and a city or province importer sees all of them.
CREATE TABLE property_checks (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  region_code   bigint NOT NULL REFERENCES regions (code),
  name          text NOT NULL,
  file_sha256   text NOT NULL,
  importer_org  bigint NOT NULL,
  imported_by   uuid NOT NULL,
  imported_at   timestamptz NOT NULL,
  hits          integer NOT NULL CHECK (hits >= 0),
  reused        integer NOT NULL CHECK (reused >= 0),
  PRIMARY KEY (county_code, id)
);
CREATE INDEX property_checks_scope ON property_checks (region_code, imported_at);
CREATE UNIQUE INDEX property_checks_file ON property_checks (county_code, file_sha256);

CREATE TABLE property_hits (
  county_code     integer NOT NULL,
  id              uuid NOT NULL,
  batch_id        uuid NOT NULL,
  member_id       uuid NOT NULL,
  household_id    uuid NOT NULL,
  region_code     bigint NOT NULL,
  row_number      integer NOT NULL,
  hit_type        text NOT NULL CHECK (hit_type IN ('public_payroll', 'vehicle', 'real_estate', 'land', 'business_entity', 'pension')),
  details         text NOT NULL,
  fact_key        text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'appraised', 'submitted', 'confirmed')),
  is_true         boolean,
  arose_on        date,
  before_cutoff   boolean,
  proposal        text CHECK (proposal IN ('veto', 'no_veto', 'not_applicable', 'none')),
  veto_condition  text,
  reason          text,
  note            text,
  opinion         text,
  reused_from     uuid,
  verified_by     uuid,
  verified_at     timestamptz,
  appraised_at    timestamptz,
  household_status_before text,
  vetoed_at       timestamptz,
  reversed_at     timestamptz,
  reversal_reason text,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, batch_id, row_number),
  FOREIGN KEY (county_code, batch_id) REFERENCES property_checks (county_code, id) ON DELETE CASCADE,
  FOREIGN KEY (county_code, member_id) REFERENCES members (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id)
);
CREATE INDEX property_hits_id ON property_hits (id);
CREATE INDEX property_hits_scope ON property_hits (region_code, batch_id, status);
CREATE INDEX property_hits_fact ON property_hits (county_code, fact_key);

-- A township's statistics table for a batch, submitted to the county and confirmed by it.
CREATE TABLE property_reports (
  county_code   integer NOT NULL,
  batch_id      uuid NOT NULL,
  region_code   bigint NOT NULL REFERENCES regions (code),
  statistics    jsonb NOT NULL,
  submitted_by  uuid NOT NULL,
  submitted_at  timestamptz NOT NULL,
  confirmed_by  uuid,
  confirmed_at  timestamptz,
  PRIMARY KEY (county_code, batch_id, region_code),
  FOREIGN KEY (county_code, batch_id) REFERENCES property_checks (county_code, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['property_checks', 'property_hits', 'property_reports'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())) '
                   'WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
  END LOOP;
END $$;

-- A county's part of a batch is readable by its townships and villages (they verify and submit
-- it); its hits stay behind their own village-range policy.
CREATE POLICY property_checks_county_read ON property_checks FOR SELECT
  USING (region_code = ((SELECT zx_scope_lo()) / 1000000) * 1000000);

INSERT INTO roles (name, min_level, max_level, description) VALUES
  ('property_checker', 1, 3, 'Imports property-check hits for the counties below (province, city or county office)');

INSERT INTO permissions (name, description) VALUES
  ('property:import', 'Import batches of property-check hits for people in scope'),
  ('property:read',   'See property-check hits and their tables (confidential; every read is audited)'),
  ('property:verify', 'Village: verify hits, record the village appraisal'),
  ('property:review', 'Township: submit the statistics table of the township'),
  ('property:decide', 'County: confirm the township tables (vetoes take effect) and reverse a veto');
INSERT INTO role_permissions (role, permission) VALUES
  ('property_checker', 'property:import'), ('property_checker', 'property:read'),
  ('property_checker', 'cases:read'), ('property_checker', 'settings:read'),
  ('village_clerk', 'property:read'), ('village_clerk', 'property:verify'),
  ('township_reviewer', 'property:read'), ('township_reviewer', 'property:review'),
  ('county_approver', 'property:import'), ('county_approver', 'property:read'), ('county_approver', 'property:decide');

GRANT SELECT, INSERT ON property_checks TO zhenxing_app;
GRANT SELECT, INSERT, UPDATE ON property_hits, property_reports TO zhenxing_app;
