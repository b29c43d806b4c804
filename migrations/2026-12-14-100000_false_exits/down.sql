ALTER TABLE exit_entries DROP COLUMN overturned_by_inspection, DROP COLUMN overturned_at;
