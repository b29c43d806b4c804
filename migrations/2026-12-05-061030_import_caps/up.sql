-- Concurrent import caps (issue 23, item 5): before accepting an import, the server counts the
-- household imports queued or running for the caller and for the caller's county. A village
-- clerk's row-level scope does not see the rest of the county's jobs, so the count is taken by a
-- security-definer function that returns two numbers and nothing else, only for a county the
-- caller's scope lies in. (The transaction that creates the job takes an advisory lock on the
-- county first, so two uploads at once are counted one after the other.)
CREATE FUNCTION zx_active_imports(p_county integer, p_user uuid)
  RETURNS TABLE (by_user bigint, by_county bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF p_county IS NULL OR (SELECT public.zx_scope_lo()) IS NULL OR (SELECT public.zx_scope_hi()) IS NULL
     OR (p_county::bigint * 1000000) > (SELECT public.zx_scope_hi())
     OR (p_county::bigint * 1000000 + 999999) < (SELECT public.zx_scope_lo()) THEN
    RAISE EXCEPTION 'county outside the caller''s scope' USING ERRCODE = '42501';
  END IF;
  RETURN QUERY
  SELECT count(*) FILTER (WHERE j.created_by = p_user), count(*)
    FROM public.jobs j
   WHERE j.county_code = p_county
     AND j.kind = 'household_import'
     AND j.status IN ('queued', 'running');
END $$;
ALTER FUNCTION zx_active_imports(integer, uuid) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_active_imports(integer, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_active_imports(integer, uuid) TO zhenxing_app;
