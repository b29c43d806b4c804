ALTER TABLE intake_targets DROP COLUMN returns_people;
DROP TABLE intake_objections;
