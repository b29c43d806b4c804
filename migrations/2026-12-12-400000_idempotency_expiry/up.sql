-- Idempotency keys expire (issue 24 follow-up): with every creating POST taking a key, and the
-- console sending one with each, the table would otherwise grow with every create forever. A
-- key guards retries, which come within minutes or hours; housekeeping deletes the ones older
-- than ZX_IDEMPOTENCY_KEEP_DAYS (7 by default) in every tenant through this narrow function
-- (the app role may not delete keys itself, and its row-level scope sees one county).
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The definer role (only the function below runs as it) reads and deletes keys, nothing else.
CREATE POLICY idempotency_keys_definer_read ON idempotency_keys FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY idempotency_keys_definer_delete ON idempotency_keys FOR DELETE TO zhenxing_definer USING (true);
GRANT SELECT, DELETE ON idempotency_keys TO zhenxing_definer;

CREATE FUNCTION zx_prune_idempotency_keys(p_keep interval) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  gone bigint;
BEGIN
  DELETE FROM public.idempotency_keys k WHERE k.created_at < now() - p_keep;
  GET DIAGNOSTICS gone = ROW_COUNT;
  RETURN gone;
END $$;

ALTER FUNCTION zx_prune_idempotency_keys(interval) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_prune_idempotency_keys(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_prune_idempotency_keys(interval) TO zhenxing_app;
