ALTER TABLE ranger_contracts DROP CONSTRAINT ranger_contracts_terms_object,
  DROP COLUMN terms, DROP COLUMN signed_on;
