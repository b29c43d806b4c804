DROP TABLE exit_signoffs;
