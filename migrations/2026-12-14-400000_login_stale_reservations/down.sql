-- Admission as in login_reservations.
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
  -- One admission at a time per key: the account name first, then the address (one order for
  -- every caller, so two admissions never wait on each other's second lock).
  PERFORM pg_advisory_xact_lock(hashtextextended(v_account, 17));
  IF v_address IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(v_address, 17));
  END IF;
  DELETE FROM public.login_attempts WHERE key IN (v_account, v_address) AND at < v_since;
  IF v_address IS NOT NULL THEN
    SELECT count(*), min(at) INTO v_n, v_oldest FROM public.login_attempts WHERE key = v_address;
    IF v_n >= p_max_address_failures THEN
      v_wait := greatest(v_wait, extract(epoch FROM v_oldest + make_interval(secs => p_window_secs) - clock_timestamp()), 1);
    END IF;
  END IF;
  SELECT count(*), min(at) INTO v_n, v_oldest FROM public.login_attempts WHERE key = v_account;
  IF v_n >= p_max_failures THEN
    v_wait := greatest(v_wait, extract(epoch FROM v_oldest + make_interval(secs => p_window_secs) - clock_timestamp()), 1);
  END IF;
  IF v_wait > 0 THEN
    RETURN v_wait;
  END IF;
  INSERT INTO public.login_attempts (key, kind)
  SELECT k, 'attempt' FROM (VALUES (v_account), (v_address)) AS v(k) WHERE k IS NOT NULL;
  RETURN 0;
END $$;
