DELETE FROM attachments WHERE object_type = 'intake_list';
ALTER TABLE attachments DROP CONSTRAINT attachments_object_type_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_object_type_check
  CHECK (object_type IN ('exit_list', 'property_hit'));
ALTER TABLE intake_targets DROP COLUMN returns_people;
DROP TABLE intake_objections;
