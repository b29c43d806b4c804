CREATE INDEX intake_lists_scope ON intake_lists (region_code, year);
DROP INDEX intake_lists_walk;
