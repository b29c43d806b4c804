-- Foundation: regions, tenants, identity, settings, audit, and the row-level security that keeps
-- every county's data to itself.
--
-- Roles (created by `zhenxing bootstrap`, never by a migration, because roles are cluster-wide):
--   zhenxing_owner    runs these migrations and owns every table (subject to RLS: FORCE).
--   zhenxing_app      the server's role: DML grants only, owns nothing, no BYPASSRLS.
--   zhenxing_definer  NOLOGIN; owns the few SECURITY DEFINER functions that must look across
--                     scopes (login, refresh) and is the only role the `*_definer_read` policies admit.
--
-- Scope: each transaction of the server sets `app.scope_lo` / `app.scope_hi` (12-digit division
-- codes) with set_config(..., true). A missing or empty setting compares as NULL: zero rows.
--
-- Two policy shapes:
--   own       the row is visible and writable when its region_code lies inside the caller's scope.
--   inherited the row is also *readable* by callers whose scope lies inside the row's subtree
--             (a county's settings are read by its villages). Writes still need `own`.

-- ---------------------------------------------------------------- helpers
CREATE FUNCTION zx_scope_lo() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.scope_lo', true), '')::bigint $$;
CREATE FUNCTION zx_scope_hi() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.scope_hi', true), '')::bigint $$;

-- Last code of the subtree rooted at `code` (PP CC DD TTT VVV; code 0 is the platform root).
CREATE FUNCTION zx_subtree_hi(code bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE
    WHEN code = 0 THEN 999999999999
    WHEN code % 10000000000 = 0 THEN code + 9999999999
    WHEN code % 100000000 = 0 THEN code + 99999999
    WHEN code % 1000000 = 0 THEN code + 999999
    WHEN code % 1000 = 0 THEN code + 999
    ELSE code END $$;

-- ---------------------------------------------------------------- reference data (global)
-- Regions are public reference data shared by every tenant: no county_code, no RLS; the app
-- role may only read them. They are loaded by `zhenxing regions import` as the owner.
CREATE TABLE regions (
  code        bigint PRIMARY KEY CHECK (code BETWEEN 0 AND 999999999999),
  level       smallint NOT NULL CHECK (level BETWEEN 0 AND 5),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  parent_code bigint REFERENCES regions (code),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((code = 0) = (parent_code IS NULL))
);
CREATE INDEX regions_parent ON regions (parent_code, code);
INSERT INTO regions (code, level, name, parent_code) VALUES (0, 0, '全国', NULL);

-- Roles and permissions are data. Level: 0 platform, 1 province, 2 city, 3 county, 4 township,
-- 5 village; a role may be granted only at org units whose level lies in [min_level, max_level].
CREATE TABLE roles (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z_]{2,40}$'),
  min_level   smallint NOT NULL CHECK (min_level BETWEEN 0 AND 5),
  max_level   smallint NOT NULL CHECK (max_level BETWEEN min_level AND 5),
  description text NOT NULL
);
CREATE TABLE permissions (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z_]+:[a-z_]+$'),
  description text NOT NULL
);
CREATE TABLE role_permissions (
  role       text NOT NULL REFERENCES roles (name),
  permission text NOT NULL REFERENCES permissions (name),
  PRIMARY KEY (role, permission)
);

INSERT INTO roles (name, min_level, max_level, description) VALUES
  ('platform_admin',    0, 0, 'Operates the SaaS: onboards counties and their first administrator'),
  ('tenant_admin',      3, 3, 'County administrator: users, roles and settings of the county'),
  ('village_clerk',     5, 5, 'Enters and updates cases, nominates exits'),
  ('township_reviewer', 4, 4, 'Reviews the township''s villages'),
  ('county_approver',   3, 3, 'Approves at county level'),
  ('fund_officer',      3, 4, 'Manages funds, projects and disbursements'),
  ('team_member',       5, 5, 'Resident assistance team: visit logs for paired households'),
  ('auditor',           0, 4, 'Read-only, including the audit log'),
  ('observer',          1, 2, 'City or province oversight: read and aggregates');

INSERT INTO permissions (name, description) VALUES
  ('tenants:read',    'List and read tenants (counties)'),
  ('tenants:manage',  'Onboard counties as tenants'),
  ('users:read',      'List and read user accounts in scope'),
  ('users:manage',    'Create, update, disable users, reset passwords, grant and revoke roles'),
  ('settings:read',   'Read effective settings'),
  ('settings:manage', 'Change settings at a province or county'),
  ('audit:read',      'Query the audit log');

INSERT INTO role_permissions (role, permission) VALUES
  ('platform_admin', 'tenants:read'), ('platform_admin', 'tenants:manage'),
  ('platform_admin', 'users:read'), ('platform_admin', 'users:manage'),
  ('platform_admin', 'settings:read'), ('platform_admin', 'settings:manage'),
  ('platform_admin', 'audit:read'),
  ('tenant_admin', 'tenants:read'), ('tenant_admin', 'users:read'), ('tenant_admin', 'users:manage'),
  ('tenant_admin', 'settings:read'), ('tenant_admin', 'settings:manage'), ('tenant_admin', 'audit:read'),
  ('village_clerk', 'settings:read'),
  ('township_reviewer', 'settings:read'),
  ('county_approver', 'settings:read'),
  ('fund_officer', 'settings:read'),
  ('team_member', 'settings:read'),
  ('auditor', 'tenants:read'), ('auditor', 'users:read'), ('auditor', 'settings:read'), ('auditor', 'audit:read'),
  ('observer', 'tenants:read'), ('observer', 'settings:read');

-- ---------------------------------------------------------------- tenant tables
-- county_code: the 6-digit county (or padded city/province prefix, 0 for the platform) = the
-- tenant and shard key, leading column of every key. region_code: the 12-digit node the row
-- belongs to; the RLS key.

CREATE TABLE tenants (
  county_code integer PRIMARY KEY,
  region_code bigint NOT NULL REFERENCES regions (code),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  CHECK (region_code = county_code::bigint * 1000000)
);

CREATE TABLE users (
  county_code         integer NOT NULL,
  id                  uuid NOT NULL,
  region_code         bigint NOT NULL REFERENCES regions (code),
  username            text NOT NULL,
  display_name        text NOT NULL,
  password_hash       text NOT NULL,
  disabled            boolean NOT NULL DEFAULT false,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code::bigint = region_code / 1000000)
);
-- The one deliberate exception to "every unique key leads with county_code": a login name must
-- name one account platform-wide. A clash answers "username is taken" and names no county.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_id ON users (id);
CREATE INDEX users_scope ON users (region_code, username);

CREATE TABLE role_grants (
  county_code integer NOT NULL,
  id          uuid NOT NULL,
  user_id     uuid NOT NULL,
  role        text NOT NULL REFERENCES roles (name),
  region_code bigint NOT NULL REFERENCES regions (code),
  granted_by  uuid,
  granted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, user_id, role, region_code),
  FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id) ON DELETE CASCADE
);
CREATE INDEX role_grants_scope ON role_grants (region_code);

-- A session is one refresh-token family: rotated tokens share it; reuse of a spent token or a
-- logout revokes it, and access tokens carry its id so they die with it.
CREATE TABLE sessions (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  user_id       uuid NOT NULL,
  region_code   bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  revoke_reason text,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (county_code, user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
  county_code integer NOT NULL,
  token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
  session_id  uuid NOT NULL,
  region_code bigint NOT NULL,
  issued_at   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  PRIMARY KEY (county_code, token_hash),
  FOREIGN KEY (county_code, session_id) REFERENCES sessions (county_code, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_hash ON refresh_tokens (token_hash);

-- Settings overrides at a province or a county; the effective record is defaults <- province <- county.
CREATE TABLE settings (
  county_code integer NOT NULL,
  region_code bigint NOT NULL REFERENCES regions (code),
  overrides   jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(overrides) = 'object'),
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  uuid,
  PRIMARY KEY (county_code, region_code),
  CHECK (county_code::bigint = region_code / 1000000),
  CHECK (region_code % 1000000 = 0 AND region_code <> 0)
);

-- Append-only: the app role may insert and read, never update or delete.
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
CREATE INDEX audit_events_scope ON audit_events (region_code, at DESC, id DESC);
CREATE INDEX audit_events_time ON audit_events (county_code, at DESC, id DESC);

-- ---------------------------------------------------------------- row-level security
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE role_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_grants FORCE ROW LEVEL SECURITY;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE settings FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;

-- own: read and write inside the caller's scope.
CREATE POLICY users_own ON users
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
CREATE POLICY role_grants_own ON role_grants
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
CREATE POLICY sessions_own ON sessions
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
CREATE POLICY refresh_tokens_own ON refresh_tokens
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
CREATE POLICY audit_events_own ON audit_events
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));

-- inherited: a county's tenant row and settings are read by everyone below it, and a province's
-- settings by every county of the province.
CREATE POLICY tenants_inherited ON tenants
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())
         OR (region_code <= (SELECT zx_scope_lo()) AND zx_subtree_hi(region_code) >= (SELECT zx_scope_hi())))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
CREATE POLICY settings_inherited ON settings
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())
         OR (region_code <= (SELECT zx_scope_lo()) AND zx_subtree_hi(region_code) >= (SELECT zx_scope_hi())))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));

-- The definer role reads what login and refresh need, nothing more (the functions below are
-- the only code that runs as it).
CREATE POLICY users_definer_read ON users FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY sessions_definer_read ON sessions FOR SELECT TO zhenxing_definer USING (true);
CREATE POLICY refresh_tokens_definer_read ON refresh_tokens FOR SELECT TO zhenxing_definer USING (true);
GRANT SELECT ON users, sessions, refresh_tokens TO zhenxing_definer;

-- Login looks the account up before any scope exists.
CREATE FUNCTION zx_login_lookup(p_username text)
  RETURNS TABLE (id uuid, county_code integer, region_code bigint, password_hash text, disabled boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT u.id, u.county_code, u.region_code, u.password_hash, u.disabled
        FROM public.users u WHERE lower(u.username) = lower(p_username) $$;

-- Refresh finds its token by hash before any scope exists; it returns the user's *current* org
-- unit so the rest of the refresh runs under that scope.
CREATE FUNCTION zx_refresh_lookup(p_hash bytea)
  RETURNS TABLE (session_id uuid, user_id uuid, county_code integer, region_code bigint,
                 used_at timestamptz, expires_at timestamptz, session_revoked boolean, user_disabled boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT t.session_id, s.user_id, t.county_code, u.region_code, t.used_at, t.expires_at,
               s.revoked_at IS NOT NULL, u.disabled
        FROM public.refresh_tokens t
        JOIN public.sessions s ON s.county_code = t.county_code AND s.id = t.session_id
        JOIN public.users u ON u.county_code = s.county_code AND u.id = s.user_id
        WHERE t.token_hash = p_hash $$;

GRANT USAGE, CREATE ON SCHEMA public TO zhenxing_definer;
-- Housekeeping across tenants: sessions ended or expired longer than `p_keep` ago go (their
-- refresh tokens with them), and so do refresh tokens expired that long ago. Spent tokens of
-- live sessions stay, so a replay is still recognised and revokes its session.
CREATE POLICY sessions_definer_delete ON sessions FOR DELETE TO zhenxing_definer USING (true);
CREATE POLICY refresh_tokens_definer_delete ON refresh_tokens FOR DELETE TO zhenxing_definer USING (true);
GRANT DELETE ON sessions, refresh_tokens TO zhenxing_definer;
CREATE FUNCTION zx_prune_sessions(p_keep interval) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  gone bigint;
BEGIN
  DELETE FROM public.refresh_tokens t WHERE t.expires_at < now() - p_keep;
  DELETE FROM public.sessions s
   WHERE s.expires_at < now() - p_keep OR s.revoked_at < now() - p_keep;
  GET DIAGNOSTICS gone = ROW_COUNT;
  RETURN gone;
END $$;

ALTER FUNCTION zx_login_lookup(text) OWNER TO zhenxing_definer;
ALTER FUNCTION zx_refresh_lookup(bytea) OWNER TO zhenxing_definer;
ALTER FUNCTION zx_prune_sessions(interval) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_login_lookup(text), zx_refresh_lookup(bytea), zx_prune_sessions(interval) FROM PUBLIC;

-- ---------------------------------------------------------------- grants to the server's role
GRANT USAGE ON SCHEMA public TO zhenxing_app;
GRANT SELECT ON regions, roles, permissions, role_permissions TO zhenxing_app;
GRANT SELECT, INSERT, UPDATE ON tenants, users, sessions, refresh_tokens, settings TO zhenxing_app;
GRANT SELECT, INSERT, DELETE ON role_grants TO zhenxing_app;
GRANT SELECT, INSERT ON audit_events TO zhenxing_app;
GRANT EXECUTE ON FUNCTION zx_login_lookup(text), zx_refresh_lookup(bytea), zx_prune_sessions(interval) TO zhenxing_app;
GRANT SELECT ON __diesel_schema_migrations TO zhenxing_app;
