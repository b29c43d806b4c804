-- The intake lists' page order (region, newest year first, id), as exit lists have had since
-- 2026-12-05-073933: without it a county's page sorted every list in the scope before the page.
CREATE INDEX intake_lists_walk ON intake_lists (region_code, year DESC, id);
DROP INDEX intake_lists_scope;
