-- A check value per personal-data key, and one for the blind-index key, written the first time a
-- server starts with them. A server started later with other keys (a lost .env, a typo, another
-- environment's keys) finds that the check values do not match and refuses to start, instead
-- of answering every reveal with a server error and every exact search with nothing.
-- Not tenant data: no row-level security; the values are a ciphertext and an HMAC of a fixed
-- text, which tell nothing about the keys.
CREATE TABLE data_key_checks (
  kind        text NOT NULL CHECK (kind IN ('data', 'blind')),
  key_id      smallint NOT NULL,  -- 0 for the blind-index key
  check_value bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, key_id)
);
GRANT SELECT, INSERT ON data_key_checks TO zhenxing_app;
