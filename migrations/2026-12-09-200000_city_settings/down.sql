DELETE FROM settings WHERE region_code % 100000000 = 0 AND region_code % 10000000000 <> 0;
DELETE FROM role_grants WHERE role = 'city_admin';
DELETE FROM role_permissions WHERE role = 'city_admin';
DELETE FROM roles WHERE name = 'city_admin';
