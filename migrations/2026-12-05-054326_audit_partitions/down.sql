-- Back to one unpartitioned table with the text columns.
DROP VIEW audit_events;
DROP FUNCTION zx_audit_events_insert();
CREATE TABLE audit_events (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  request_id    text,
  actor_id      uuid,
  actor_username text,
  actor_roles   text[] NOT NULL DEFAULT '{}',
  actor_org     bigint,
  action        text NOT NULL,
  object_type   text NOT NULL,
  object_id     text,
  region_code   bigint NOT NULL,
  reason        text,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (county_code, id),
  CHECK (county_code::bigint = region_code / 1000000)
);
ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY;
INSERT INTO audit_events
  SELECT l.county_code, l.id, l.at, l.request_id, l.actor_id, a.username, coalesce(a.roles, '{}'), a.org,
         k.action, k.object_type, l.object_id, l.region_code, l.reason, l.details
    FROM audit_log l JOIN audit_kinds k ON k.id = l.kind LEFT JOIN audit_actors a ON a.id = l.actor;
DROP TABLE audit_log;
DROP TABLE audit_kinds, audit_actors;
DROP FUNCTION zx_audit_partitions(timestamptz, timestamptz);
DROP FUNCTION zx_audit_analyze();
DROP FUNCTION zx_audit_actor_key(uuid, text, text[], bigint);
DROP POLICY tenants_definer_read ON tenants;
REVOKE SELECT (county_code) ON tenants FROM zhenxing_definer;
CREATE INDEX audit_events_scope ON audit_events (region_code, at DESC, id DESC);
CREATE INDEX audit_events_time ON audit_events (county_code, at DESC, id DESC);
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_own ON audit_events
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
CREATE POLICY audit_events_definer_insert ON audit_events FOR INSERT TO zhenxing_definer WITH CHECK (true);
CREATE POLICY audit_events_definer_prune ON audit_events FOR DELETE TO zhenxing_definer USING (true);
CREATE POLICY audit_events_definer_read ON audit_events FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT, INSERT ON audit_events TO zhenxing_app;
GRANT SELECT, INSERT, DELETE ON audit_events TO zhenxing_definer;
