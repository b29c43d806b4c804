DROP FUNCTION zx_prune_idempotency_keys(interval);
REVOKE SELECT, DELETE ON idempotency_keys FROM zhenxing_definer;
DROP POLICY idempotency_keys_definer_delete ON idempotency_keys;
DROP POLICY idempotency_keys_definer_read ON idempotency_keys;
DROP INDEX idempotency_keys_created;
