-- Issue 19 item 4: attachments stored by the system (scans of signed forms, sign-in sheets,
-- photos of posted notices), not only referenced by link. The row holds what was checked on
-- upload; the bytes live in the attachment store under `storage_key` (docs/operations.md).
-- Evidence is kept, not edited: the app role may add and read rows, never change or delete
-- them (offboarding runs as the owner role).
CREATE TABLE attachments (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  region_code  bigint NOT NULL,
  object_type  text NOT NULL CHECK (object_type IN ('exit_list', 'property_hit')),
  object_id    uuid NOT NULL,
  file_name    text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 200),
  content_type text NOT NULL CHECK (content_type IN (
    'application/pdf', 'image/jpeg', 'image/png', 'application/ofd',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
  size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key  text NOT NULL,
  uploaded_by  uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, storage_key)
);
-- One object's attachments, oldest first.
CREATE INDEX attachments_object ON attachments (county_code, object_type, object_id, created_at, id);
ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY attachments_own ON attachments
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON attachments TO zhenxing_app;
