DROP FUNCTION zx_prune_audit(timestamptz, integer, integer);
DROP POLICY audit_events_definer_prune ON audit_events;
DROP POLICY audit_events_definer_read ON audit_events;
DROP POLICY settings_definer_read ON settings;
REVOKE DELETE ON job_errors FROM zhenxing_app;
CREATE OR REPLACE FUNCTION zx_fail_stale_jobs(p_silence interval) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  failed bigint;
BEGIN
  UPDATE public.jobs
     SET status = 'failed', finished_at = now(), updated_at = now(),
         summary = jsonb_build_object('error', 'interrupted: its server stopped; rows already imported stay, import the file again to finish')
   WHERE status IN ('queued', 'running') AND updated_at < now() - p_silence;
  GET DIAGNOSTICS failed = ROW_COUNT;
  RETURN failed;
END $$;
DELETE FROM role_permissions WHERE permission IN ('webhooks:manage', 'cors:manage');
DELETE FROM permissions WHERE name IN ('webhooks:manage', 'cors:manage');
DROP FUNCTION zx_mark_write(uuid);
DROP FUNCTION zx_write_mark(uuid);
DROP TABLE write_marks;
DROP FUNCTION zx_cors_counties(text);
DROP FUNCTION zx_listening(integer, text);
DROP FUNCTION zx_emit_notices_ended(timestamptz);
DROP POLICY exit_lists_definer_notice ON exit_lists;
DROP POLICY exit_lists_definer_mark ON exit_lists;
ALTER TABLE exit_lists DROP COLUMN notice_end_event_for;
DROP FUNCTION zx_claim_deliveries(text, double precision, integer);
DROP FUNCTION zx_emit_event(integer, bigint, text, text, text, jsonb, timestamptz);
DROP FUNCTION zx_queue_depths();
DROP FUNCTION zx_claim_job(text, double precision, integer);
DROP TABLE cors_origins, webhook_deliveries, webhook_events, webhook_endpoints;
DROP INDEX jobs_ready;
ALTER TABLE jobs DROP COLUMN payload, DROP COLUMN attempts, DROP COLUMN locked_by, DROP COLUMN lease_until, DROP COLUMN request_id;
