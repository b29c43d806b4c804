-- The inbox reads the open objections of intake lists in a region range on every request of a
-- village user (and, once a notice has ended, of the township's and county's users, to hold the
-- step back): a partial index of the open ones, as exit objections have
-- (`exit_objections_open`), so the read does not walk every objection the county ever resolved.
CREATE INDEX intake_objections_open ON intake_objections (region_code) WHERE status = 'open';
