ALTER TABLE permissions DROP COLUMN label;
ALTER TABLE roles DROP COLUMN label;
