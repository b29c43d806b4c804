-- Login throttles that fit shared addresses (issue 17): a successful login no longer counts
-- against its address. Failures count twice: against the account name and against the client
-- address, each with its own limit (the server passes both). A township office behind one NAT
-- address can log everyone in; a password spray from one address is still stopped.

DELETE FROM login_attempts WHERE kind = 'attempt';

-- Seconds to wait before trying again (0: go ahead). Counts nothing: only failures count, in
-- zx_login_failed.
DROP FUNCTION zx_login_admit(text, text, double precision, integer, integer);
CREATE FUNCTION zx_login_admit(p_account text, p_address text, p_window_secs double precision,
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

-- A failed login: counts against the account name and, when known, the client address.
CREATE FUNCTION zx_login_failed(p_account text, p_address text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO public.login_attempts (key, kind)
  SELECT k, 'failure' FROM (VALUES (md5('account:' || lower(p_account))),
                                   (CASE WHEN p_address IS NULL THEN NULL ELSE md5('address:' || p_address) END)) AS v(k)
   WHERE k IS NOT NULL
$$;

DROP FUNCTION zx_login_failed(text);

ALTER FUNCTION zx_login_failed(text, text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_login_failed(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_login_failed(text, text) TO zhenxing_app;

ALTER FUNCTION zx_login_admit(text, text, double precision, integer, integer) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_login_admit(text, text, double precision, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_login_admit(text, text, double precision, integer, integer) TO zhenxing_app;
