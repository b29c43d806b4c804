-- Back to counting household imports only.
CREATE OR REPLACE FUNCTION zx_active_imports(p_county integer, p_user uuid)
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
