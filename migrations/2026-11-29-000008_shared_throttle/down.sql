DROP FUNCTION IF EXISTS zx_login_admit(text, text, double precision, integer, integer), zx_login_failed(text), zx_login_succeeded(text);
DROP TABLE IF EXISTS login_attempts;
