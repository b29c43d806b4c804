DROP INDEX IF EXISTS exit_lists_round;
ALTER TABLE exit_lists DROP COLUMN round_id;
DROP TABLE exit_round_postings;
DROP TABLE exit_round_decisions;
DROP TABLE exit_rounds;
