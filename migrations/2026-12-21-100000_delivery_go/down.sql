DROP FUNCTION zx_delivery_go(integer, uuid, text, integer, double precision);
