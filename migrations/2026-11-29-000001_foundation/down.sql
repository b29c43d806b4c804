DROP FUNCTION IF EXISTS zx_login_lookup(text), zx_refresh_lookup(bytea), zx_prune_sessions(interval);
DROP TABLE IF EXISTS audit_events, settings, refresh_tokens, sessions, role_grants, users, tenants,
  role_permissions, permissions, roles, regions;
DROP FUNCTION IF EXISTS zx_subtree_hi(bigint), zx_scope_hi(), zx_scope_lo();
