DELETE FROM role_permissions WHERE permission = 'workflow:acknowledge';
DELETE FROM permissions WHERE name = 'workflow:acknowledge';
DROP TABLE exit_acknowledgements;
DROP TABLE exit_signoffs;
