-- A person is registered once, across every county (issue 16, item 3). Until now an advisory
-- lock per person serialised the check-then-insert of every registration; a unique index on the
-- blind index of the ID number says the same in the schema, so a bulk import needs no lock per
-- person: two transactions registering one person meet at the index, and the second fails (the
-- import then retries its households one by one and reports the row as already registered).
--
-- The index spans counties, the one unique key of a tenant table that does not contain
-- county_code (documented beside the isolation test's list): the whole point of it is to compare
-- across counties. What a caller can learn from it is what `zx_id_registered` already answers on
-- purpose (registered somewhere: yes or no), and such attempts are audited for the level above.
--
-- It replaces the plain index on id_blind (lookups by ID number use it the same way) and the
-- county-qualified unique key, which it implies: two fewer index entries per member written.
CREATE UNIQUE INDEX members_blind_once ON members (id_blind);
DROP INDEX members_blind;
ALTER TABLE members DROP CONSTRAINT members_county_code_id_blind_key;
