-- A recorded assistance measure can be corrected (PUT /households/{id}/measures/{measure_id}):
-- its version is the ETag an edit sends back as If-Match, so a stale edit is refused (412).
-- Existing rows start at version 1. updated_at is when the row was last written (rows older
-- than this migration carry its time: no rewrite of the table, constant defaults only).
ALTER TABLE assistance_measures
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
