ALTER TABLE members ADD CONSTRAINT members_county_code_id_blind_key UNIQUE (county_code, id_blind);
CREATE INDEX members_blind ON members (id_blind);
DROP INDEX members_blind_once;
