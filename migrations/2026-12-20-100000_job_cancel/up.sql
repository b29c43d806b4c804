-- A job can be cancelled (issue 16, "an import cancelled … half-way"): a queued one at once, a
-- running one at its next checkpoint (the end of a batch: households written before stay, each
-- whole, and a rerun of the file finishes the import). Who asked, and when, stays on the job.
ALTER TABLE jobs
  ADD COLUMN cancel_requested_at timestamptz,
  ADD COLUMN cancelled_by uuid;
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'));

-- A cancelled job is over like a succeeded or failed one: its upload goes.
CREATE OR REPLACE FUNCTION zx_spent_uploads(p_limit integer)
  RETURNS TABLE (county_code integer, id uuid, payload_key text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT j.county_code, j.id, j.payload_key FROM public.jobs j
   WHERE j.payload_key IS NOT NULL AND j.status IN ('succeeded', 'failed', 'cancelled')
   ORDER BY j.finished_at NULLS FIRST
   LIMIT p_limit
$$;

CREATE OR REPLACE FUNCTION zx_forget_upload(p_county integer, p_id uuid) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  UPDATE public.jobs SET payload_key = NULL
   WHERE county_code = p_county AND id = p_id AND status IN ('succeeded', 'failed', 'cancelled')
$$;
