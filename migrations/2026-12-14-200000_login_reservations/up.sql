-- Login admission reserves (review, 2026-12-05). zx_login_admit counted the failures already
-- recorded, and a failure was recorded only after the password hash had been checked, so
-- guesses sent all at once passed admission together (each one testing a password): far more
-- than the per-account and per-address limits. Admission now takes a lock per key and writes a
-- reservation ('attempt') for the account name and for the address, counted with the failures;
-- the outcome turns it into a failure or, for a success, removes it. A reservation left by a
-- server stopped mid-login counts as a failure until the window ends.
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

-- Every function here locks the keys it changes in one order (the account name, then the
-- address), so none waits on another's second lock.
-- A failed login: its reservations become failures (against the account name and, when known,
-- the client address).
CREATE OR REPLACE FUNCTION zx_login_failed(p_account text, p_address text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  k text;
BEGIN
  FOREACH k IN ARRAY ARRAY[md5('account:' || lower(p_account)),
                           CASE WHEN p_address IS NULL THEN NULL ELSE md5('address:' || p_address) END] LOOP
    CONTINUE WHEN k IS NULL;
    -- Under the key's lock: two outcomes at once would both pick the same oldest reservation,
    -- and one would be left behind for good.
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 17));
    DELETE FROM public.login_attempts
     WHERE key = k AND kind = 'attempt'
       AND at = (SELECT min(at) FROM public.login_attempts WHERE key = k AND kind = 'attempt');
    INSERT INTO public.login_attempts (key, kind) VALUES (k, 'failure');
  END LOOP;
END $$;

-- A successful login: its reservations go, and so do the account name's failures (never the
-- address's: one good account must not reset a spray's count).
CREATE FUNCTION zx_login_succeeded(p_account text, p_address text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_address text := CASE WHEN p_address IS NULL THEN NULL ELSE md5('address:' || p_address) END;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(md5('account:' || lower(p_account)), 17));
  DELETE FROM public.login_attempts WHERE key = md5('account:' || lower(p_account));
  IF v_address IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(v_address, 17));
    DELETE FROM public.login_attempts
     WHERE key = v_address AND kind = 'attempt'
       AND at = (SELECT min(at) FROM public.login_attempts WHERE key = v_address AND kind = 'attempt');
  END IF;
END $$;
ALTER FUNCTION zx_login_succeeded(text, text) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_login_succeeded(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_login_succeeded(text, text) TO zhenxing_app;
DROP FUNCTION zx_login_succeeded(text);
