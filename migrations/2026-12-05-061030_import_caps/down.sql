DROP FUNCTION zx_active_imports(integer, uuid);
