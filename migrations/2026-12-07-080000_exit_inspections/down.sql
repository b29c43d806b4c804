DELETE FROM role_permissions WHERE permission = 'workflow:inspect';
DELETE FROM permissions WHERE name = 'workflow:inspect';
DROP TABLE exit_inspection_households;
DROP TABLE exit_inspections;
