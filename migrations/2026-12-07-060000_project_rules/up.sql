-- Seed 5's project rules (issue 22): a named manager per project (专人管理, beside the dedicated
-- account 专户) and the public posting of a project before work starts (张榜公布).
--
-- The manager is a user of the project's county (checked by the application: the same tenant,
-- a unit inside the county). Nullable: projects recorded before keep working without one.
-- `posting_required` is stamped when the project is created from the county's
-- `funds.require_project_posting`, so turning the setting on does not stop projects already
-- under way.
ALTER TABLE projects
  ADD COLUMN manager_user_id uuid,
  ADD COLUMN posting_required boolean NOT NULL DEFAULT false;

-- One posting per project, append-only (a posting is a public fact: it is not edited).
CREATE TABLE project_postings (
  county_code    integer NOT NULL,
  project_id     uuid NOT NULL,
  region_code    bigint NOT NULL,
  posted_on      date NOT NULL,
  location       text NOT NULL,
  contact        text NOT NULL DEFAULT '',
  attachment_uri text,
  notice_days    integer NOT NULL CHECK (notice_days > 0),
  first_day      date NOT NULL,
  last_day       date NOT NULL,
  ends_at        timestamptz NOT NULL,
  created_by     uuid NOT NULL,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (county_code, project_id),
  FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id)
);
ALTER TABLE project_postings ENABLE ROW LEVEL SECURITY;
ALTER TABLE project_postings FORCE ROW LEVEL SECURITY;
CREATE POLICY project_postings_own ON project_postings
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT INSERT, SELECT ON project_postings TO zhenxing_app;
