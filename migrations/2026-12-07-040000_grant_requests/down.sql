ALTER TABLE users DROP COLUMN password_reset_at, DROP COLUMN password_reset_by;
DROP TABLE grant_requests;
