DROP FUNCTION zx_actor_actions(uuid, text, timestamptz);
DROP FUNCTION zx_number_tries(uuid, text, timestamptz);
