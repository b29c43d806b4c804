DROP FUNCTION IF EXISTS zx_team_term_overlaps(bytea, date, date, uuid);
DELETE FROM role_permissions WHERE permission IN ('villages:read', 'villages:write', 'villages:manage', 'visits:write');
DELETE FROM permissions WHERE name IN ('villages:read', 'villages:write', 'villages:manage', 'visits:write');
DROP TABLE IF EXISTS village_pairings, village_advisers, visits, pairings, team_members, teams,
  key_village_assessments, key_villages, county_figures, village_profiles;
