-- A second administrator's approval for grants of operational roles (issue 23 item 3), when a
-- county's setting `users.operational_grant_approval` asks for it. A request is keyed like the
-- grant it would become: by the *user's* tenant, at the unit it applies to.
CREATE TABLE grant_requests (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  user_id      uuid NOT NULL,
  role         text NOT NULL REFERENCES roles (name),
  region_code  bigint NOT NULL REFERENCES regions (code),
  requested_by uuid NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  status       text NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'approved', 'rejected')),
  decided_by   uuid,
  decided_at   timestamptz,
  reason       text,
  grant_id     uuid,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id) ON DELETE CASCADE,
  CHECK ((status = 'pending') = (decided_by IS NULL)),
  CHECK ((status = 'approved') = (grant_id IS NOT NULL))
);
-- One open request per user, role and unit.
CREATE UNIQUE INDEX grant_requests_open ON grant_requests (county_code, user_id, role, region_code)
  WHERE status = 'pending';
-- The queue walks the scope in its order (by unit, oldest first) and stops after the page.
CREATE INDEX grant_requests_scope ON grant_requests (region_code, requested_at, id);
ALTER TABLE grant_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE grant_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY grant_requests_own ON grant_requests
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT, UPDATE ON grant_requests TO zhenxing_app;

-- Who last set an account's password on its behalf (an administrator's reset) and when: an
-- administrator who reset another's password may not use that account to approve their own
-- request.
ALTER TABLE users ADD COLUMN password_reset_by uuid, ADD COLUMN password_reset_at timestamptz;
