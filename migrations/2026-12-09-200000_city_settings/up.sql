-- A city layer in settings (issue 22, seed 5: the per-person relocation subsidy and the city's
-- matching of province money are the city's rules, set county by county).
--
-- The settings table already holds a city's row: its key (county_code, region_code) takes the
-- padded city prefix (370800, 370800000000) and its CHECKs admit any node ending in six zeros.
-- Row-level security needs no change: `settings_inherited` lets a county's (and a village's)
-- transaction read every row whose subtree covers its scope, the city's as the province's, and
-- a city user's scope holds the city's row, so it reads and writes it as its own.
--
-- Who writes it: no city-level role had `settings:manage` (the observer only reads and
-- aggregates, and is granted at the province too), so a city administrator role carries it.
INSERT INTO roles (name, min_level, max_level, description) VALUES
  ('city_admin', 2, 2, 'City administrator: the city''s settings for its counties (市定), and its funds reports');

INSERT INTO role_permissions (role, permission) VALUES
  ('city_admin', 'settings:read'), ('city_admin', 'settings:manage'), ('city_admin', 'funds:read');
