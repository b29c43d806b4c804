DROP FUNCTION IF EXISTS zx_login_failed(text, text);

CREATE FUNCTION zx_login_failed(p_account text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO public.login_attempts (key, kind) VALUES (md5('account:' || lower(p_account)), 'failure')
$$;
ALTER FUNCTION zx_login_failed(text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_login_failed(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_login_failed(text) TO zhenxing_app;

DROP FUNCTION zx_login_admit(text, text, double precision, integer, integer);
CREATE FUNCTION zx_login_admit(p_account text, p_address text, p_window_secs double precision,
                                          p_max_failures integer, p_max_attempts integer) RETURNS double precision
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
     WHERE key = v_address AND kind = 'attempt';
    IF v_n >= p_max_attempts THEN
      v_wait := greatest(v_wait, extract(epoch FROM v_oldest + make_interval(secs => p_window_secs) - clock_timestamp()));
    ELSE
      INSERT INTO public.login_attempts (key, kind) VALUES (v_address, 'attempt');
    END IF;
  END IF;
  SELECT count(*), min(at) INTO v_n, v_oldest FROM public.login_attempts
   WHERE key = v_account AND kind = 'failure';
  IF v_n >= p_max_failures THEN
    v_wait := greatest(v_wait, extract(epoch FROM v_oldest + make_interval(secs => p_window_secs) - clock_timestamp()));
  END IF;
  RETURN greatest(v_wait, 0);
END $$;

ALTER FUNCTION zx_login_admit(text, text, double precision, integer, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_login_admit(text, text, double precision, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_login_admit(text, text, double precision, integer, integer) TO zhenxing_app;
