DROP TABLE intake_targets;
DROP TABLE intake_steps;
DROP TABLE intake_entries;
DROP TABLE intake_lists;
