DROP TABLE data_key_checks;
