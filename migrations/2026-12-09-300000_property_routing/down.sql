DELETE FROM role_permissions WHERE permission = 'property:forward' OR role = 'township_liaison';
DELETE FROM permissions WHERE name = 'property:forward';
DELETE FROM roles WHERE name = 'township_liaison';
DROP TABLE property_routes;
DROP TABLE township_liaisons;
