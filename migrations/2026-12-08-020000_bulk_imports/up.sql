-- Bulk entry of the other spreadsheets (issue 19, item 5): yearly household records, village
-- profiles, visit logs, team members, ranger patrols and inspections are imported as jobs of
-- their own kinds (`household_year_import`, …). The concurrent-import caps are about imports
-- of any kind (they protect the county's database time, not one table), so the count now takes
-- every job whose kind ends in `_import`. Same narrow answer: two numbers, only for a county the
-- caller's scope lies in.
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
     AND right(j.kind, 7) = '_import'
     AND j.status IN ('queued', 'running');
END $$;
