ALTER TABLE idempotency_keys ADD COLUMN status smallint NOT NULL DEFAULT 201;
