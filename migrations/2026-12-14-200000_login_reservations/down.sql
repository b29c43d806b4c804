DROP FUNCTION zx_login_succeeded(text, text);
CREATE FUNCTION zx_login_succeeded(p_account text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DELETE FROM public.login_attempts WHERE key = md5('account:' || lower(p_account)) AND kind = 'failure'
$$;
ALTER FUNCTION zx_login_succeeded(text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_login_succeeded(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_login_succeeded(text) TO zhenxing_app;

-- Admission as before: counting recorded failures only.
CREATE OR REPLACE FUNCTION zx_login_admit(p_account text, p_address text, p_window_secs double precision,
                                          p_max_failures integer, p_max_address_failures integer)
  RETURNS double precision
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_since timestamptz := clock_timestamp() - make_interval(secs => p_window_secs);
  v_account text := md5('account:' || lower(p_account));
  v_address text := CASE WHEN p_address IS NULL THEN NULL ELSE md5('address:' || p_address) END;
  v_wait double precision := 0;
  v_n integer;
  v_oldest timestamptz;
BEGIN
  DELETE FROM public.login_attempts WHERE key IN (v_account, v_address) AND at < v_since;
  IF v_address IS NOT NULL THEN
    SELECT count(*), min(at) INTO v_n, v_oldest FROM public.login_attempts
     WHERE key = v_address AND kind = 'failure';
    IF v_n >= p_max_address_failures THEN
      v_wait := greatest(v_wait, extract(epoch FROM v_oldest + make_interval(secs => p_window_secs) - clock_timestamp()));
    END IF;
  END IF;
  SELECT count(*), min(at) INTO v_n, v_oldest FROM public.login_attempts
   WHERE key = v_account AND kind = 'failure';
  IF v_n >= p_max_failures THEN
    v_wait := greatest(v_wait, extract(epoch FROM v_oldest + make_interval(secs => p_window_secs) - clock_timestamp()));
  END IF;
  RETURN greatest(v_wait, 0);
END $$;

CREATE OR REPLACE FUNCTION zx_login_failed(p_account text, p_address text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO public.login_attempts (key, kind)
  SELECT k, 'failure' FROM (VALUES (md5('account:' || lower(p_account))),
                                   (CASE WHEN p_address IS NULL THEN NULL ELSE md5('address:' || p_address) END)) AS v(k)
   WHERE k IS NOT NULL
$$;
