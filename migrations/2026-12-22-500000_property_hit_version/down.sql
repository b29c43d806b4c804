ALTER TABLE property_hits DROP COLUMN version;
