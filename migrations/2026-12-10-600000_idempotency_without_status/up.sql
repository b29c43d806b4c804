-- An idempotency record keeps what was made (the body the first request answered with), not an
-- HTTP status: the HTTP layer decides how to answer a replay, the store only replays (#24).
-- Only successful creates were ever stored, every one answered 201.
ALTER TABLE idempotency_keys DROP COLUMN status;
