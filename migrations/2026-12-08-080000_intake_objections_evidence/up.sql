-- Issue 19 item 2: objections during an intake list's village notice (公示期间的异议), as on exit
-- lists: recorded by the village, an open one blocks the township review, upheld takes the
-- household off the list, dismissed keeps it, both with a reason. Same columns, in the same
-- order, as exit_objections (the code reads both into one row type).
CREATE TABLE intake_objections (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  list_id        uuid NOT NULL,
  household_id   uuid NOT NULL,
  region_code    bigint NOT NULL,
  stage          text NOT NULL,
  raised_by      text NOT NULL,
  content        text NOT NULL,
  raised_at      timestamptz NOT NULL,
  recorded_by    uuid NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
  resolution_reason text,
  resolved_by    uuid,
  resolved_at    timestamptz,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, list_id, household_id) REFERENCES intake_entries (county_code, list_id, household_id) ON DELETE CASCADE,
  CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE INDEX intake_objections_list ON intake_objections (county_code, list_id, status);

ALTER TABLE intake_objections ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_objections FORCE ROW LEVEL SECURITY;
CREATE POLICY intake_objections_own ON intake_objections
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON intake_objections TO zhenxing_app;
GRANT UPDATE (status, resolution_reason, resolved_by, resolved_at) ON intake_objections TO zhenxing_app;

-- A ceiling on returns to poverty (防止规模性返贫), beside the intake target: optional.
ALTER TABLE intake_targets ADD COLUMN returns_people integer CHECK (returns_people >= 0);

-- Intake lists keep stored evidence too (the appraisal's sign-in sheet, photos of the notice
-- and the announcement), under the same evidence setting as exit lists.
ALTER TABLE attachments DROP CONSTRAINT attachments_object_type_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_object_type_check
  CHECK (object_type IN ('exit_list', 'property_hit', 'intake_list'));
