DROP INDEX intake_objections_open;
