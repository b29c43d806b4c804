ALTER TABLE assistance_measures DROP COLUMN updated_at, DROP COLUMN version;
