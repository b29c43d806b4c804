DROP INDEX exit_lists_filed;
